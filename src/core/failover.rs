//! Multi-region failover of one store configuration: which region to ask first, when to go back to
//! the primary, and when a switch happened. Pure: the shell reports each attempt's outcome and the time.

use std::time::{Duration, Instant};

/// Shortest wait before the primary region is tried again after it failed.
pub const RETRY_BASE: Duration = Duration::from_secs(2);
/// Longest wait before the primary region is tried again.
pub const RETRY_MAX: Duration = Duration::from_secs(30);

/// How one attempt in one region ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The region answered (with the value, or an answer that is final anywhere, like NotFound).
    Answered,
    /// A regional or transport failure (connection refused, timeout, 5xx, throttling after retries):
    /// another region may answer.
    RegionFailed,
}

/// A change of the region that serves reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switch {
    /// Index of the region that served before (0: the primary).
    pub from: usize,
    /// Index of the region that serves now.
    pub to: usize,
}

/// Failover state of one store configuration with `regions` regions (index 0: the primary).
#[derive(Debug, Clone)]
pub struct Failover {
    regions: usize,
    active: usize,
    primary_failures: u32,
    retry_primary_at: Option<Instant>,
}

impl Failover {
    /// A configuration reading from its primary, with `regions` regions in all (at least 1).
    pub fn new(regions: usize) -> Self {
        Self {
            regions: regions.max(1),
            active: 0,
            primary_failures: 0,
            retry_primary_at: None,
        }
    }

    /// The region serving reads now.
    pub fn active(&self) -> usize {
        self.active
    }

    /// The regions to try, in order, for a call at `now`: the serving one first, except that the
    /// primary goes first again once its retry time has come; every region at most once.
    pub fn order(&self, now: Instant) -> Vec<usize> {
        let primary_due = self.retry_primary_at.is_none_or(|t| now >= t);
        let first = if self.active != 0 && primary_due {
            0
        } else {
            self.active
        };
        let mut out = vec![first];
        out.extend((0..self.regions).filter(|&i| i != first && i != 0));
        if first != 0 {
            out.push(0);
        }
        out
    }

    /// Records an attempt in region `index` at `now`; returns the switch it caused, if any.
    pub fn record(&mut self, index: usize, attempt: Attempt, now: Instant) -> Option<Switch> {
        if index >= self.regions {
            return None;
        }
        match attempt {
            Attempt::Answered => {
                if index == 0 {
                    self.primary_failures = 0;
                    self.retry_primary_at = None;
                }
                let from = self.active;
                self.active = index;
                (from != index).then_some(Switch { from, to: index })
            }
            Attempt::RegionFailed if index == 0 => {
                self.primary_failures = self.primary_failures.saturating_add(1);
                let exp = self.primary_failures.saturating_sub(1).min(8);
                let wait = RETRY_BASE.saturating_mul(1 << exp).min(RETRY_MAX);
                self.retry_primary_at = Some(now + wait);
                None
            }
            Attempt::RegionFailed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use Attempt::{Answered, RegionFailed};

    #[test]
    fn a_single_region_always_asks_the_primary() {
        let now = Instant::now();
        let mut f = Failover::new(1);
        assert_eq!(f.order(now), [0]);
        assert_eq!(f.record(0, RegionFailed, now), None);
        assert_eq!(f.order(now), [0]);
        assert_eq!(f.record(0, Answered, now), None);
        assert_eq!(
            Failover::new(0).order(now),
            [0],
            "zero regions means the primary only"
        );
    }

    #[test]
    fn fails_over_in_order_and_back_when_the_primary_answers() {
        let t0 = Instant::now();
        let mut f = Failover::new(3);
        assert_eq!(f.order(t0), [0, 1, 2]);
        assert_eq!(f.record(0, RegionFailed, t0), None);
        assert_eq!(f.record(1, RegionFailed, t0), None);
        assert_eq!(f.record(2, Answered, t0), Some(Switch { from: 0, to: 2 }));
        assert_eq!(f.active(), 2);
        // Until the primary's retry time: the serving region first, the primary last.
        assert_eq!(f.order(t0), [2, 1, 0]);
        assert_eq!(
            f.record(2, Answered, t0),
            None,
            "no switch while nothing changes"
        );
        // Retry time: the primary first again.
        let t1 = t0 + RETRY_BASE;
        assert_eq!(f.order(t1), [0, 1, 2]);
        assert_eq!(f.record(0, RegionFailed, t1), None);
        assert_eq!(f.order(t1), [2, 1, 0], "the failed retry backs off");
        assert_eq!(f.order(t1 + RETRY_BASE), [2, 1, 0], "second wait is longer");
        assert_eq!(f.order(t1 + RETRY_BASE * 2), [0, 1, 2]);
        assert_eq!(
            f.record(0, Answered, t1 + RETRY_BASE * 2),
            Some(Switch { from: 2, to: 0 })
        );
        assert_eq!(f.order(t1 + RETRY_BASE * 2), [0, 1, 2]);
    }

    #[test]
    fn the_retry_wait_is_capped() {
        let t0 = Instant::now();
        let mut f = Failover::new(2);
        for _ in 0..100 {
            f.record(0, RegionFailed, t0);
        }
        f.record(1, Answered, t0);
        assert_eq!(f.order(t0 + RETRY_MAX - Duration::from_millis(1)), [1, 0]);
        assert_eq!(f.order(t0 + RETRY_MAX), [0, 1]);
    }

    #[test]
    fn a_failover_region_failing_moves_on_without_a_switch() {
        let t0 = Instant::now();
        let mut f = Failover::new(3);
        f.record(0, RegionFailed, t0);
        f.record(1, Answered, t0);
        assert_eq!(f.record(1, RegionFailed, t0), None);
        assert_eq!(f.record(2, Answered, t0), Some(Switch { from: 1, to: 2 }));
        assert_eq!(
            f.record(7, Answered, t0),
            None,
            "an unknown index is ignored"
        );
        assert_eq!(f.active(), 2);
    }

    /// Every sequence of outcomes over 3 regions keeps the invariants: the order lists each region
    /// exactly once, and a switch is reported exactly when the serving region changes.
    #[test]
    fn invariants_over_all_short_histories() {
        let outcomes = [
            (0, Answered),
            (0, RegionFailed),
            (1, Answered),
            (1, RegionFailed),
            (2, Answered),
            (2, RegionFailed),
        ];
        let t0 = Instant::now();
        for a in outcomes {
            for b in outcomes {
                for c in outcomes {
                    for d in outcomes {
                        let mut f = Failover::new(3);
                        for (step, (idx, attempt)) in [a, b, c, d].into_iter().enumerate() {
                            let now = t0 + Duration::from_secs(step as u64 * 3);
                            let before = f.active();
                            let switch = f.record(idx, attempt, now);
                            assert_eq!(switch.is_some(), before != f.active());
                            let mut order = f.order(now);
                            order.sort();
                            assert_eq!(order, [0, 1, 2]);
                        }
                    }
                }
            }
        }
    }
}

/// `key` as read in `region`: a Secrets Manager ARN gets the region swapped (a replica has the same ARN
/// but for the region); a name stays.
pub fn key_in_region(key: &str, region: &str) -> String {
    let parts: Vec<&str> = key.splitn(5, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "secretsmanager", _, rest] => {
            format!("arn:{partition}:secretsmanager:{region}:{rest}")
        }
        _ => key.to_string(),
    }
}

#[cfg(test)]
mod key_tests {
    use super::key_in_region;

    #[test]
    fn arns_move_to_the_replica_region_and_names_stay() {
        assert_eq!(
            key_in_region(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
                "us-west-2"
            ),
            "arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/db-AbCdEf"
        );
        assert_eq!(
            key_in_region(
                "arn:aws-cn:secretsmanager:cn-north-1:1:secret:a:b-AbCdEf",
                "cn-northwest-1"
            ),
            "arn:aws-cn:secretsmanager:cn-northwest-1:1:secret:a:b-AbCdEf"
        );
        assert_eq!(key_in_region("prod/db", "us-west-2"), "prod/db");
        assert_eq!(
            key_in_region("arn:aws:ssm:us-east-1:1:parameter/x", "us-west-2"),
            "arn:aws:ssm:us-east-1:1:parameter/x"
        );
        assert_eq!(key_in_region("arn:broken", "us-west-2"), "arn:broken");
    }
}

/// Whether a version read from a failover region may replace the synced one: only when the replica
/// region knows the synced version as well (it has caught up to it, so what it calls current now is
/// newer). A replica that never saw the synced version is behind: using it would roll a rotation back.
pub fn replica_caught_up(
    synced: &str,
    replica_versions: &crate::core::change::VersionStages,
) -> bool {
    replica_versions.contains_key(synced)
}

#[cfg(test)]
mod replica_tests {
    use super::replica_caught_up;
    use crate::core::change::VersionStages;

    fn versions(entries: &[(&str, &[&str])]) -> VersionStages {
        entries
            .iter()
            .map(|(id, stages)| {
                (
                    id.to_string(),
                    stages.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn only_a_replica_that_saw_the_synced_version_may_move_it() {
        // (synced version, replica's versions, may the replica's current replace it?)
        let cases: [(&str, VersionStages, bool); 5] = [
            // A rotation replicated: v2 is current, v1 (synced) previous.
            (
                "v1",
                versions(&[("v2", &["AWSCURRENT"]), ("v1", &["AWSPREVIOUS"])]),
                true,
            ),
            // Behind: the replica never saw v2 (synced) and still calls v1 current.
            ("v2", versions(&[("v1", &["AWSCURRENT"])]), false),
            // Behind and older versions only.
            (
                "v3",
                versions(&[("v1", &["AWSPREVIOUS"]), ("v2", &["AWSCURRENT"])]),
                false,
            ),
            // The synced version without a stage (deprecated) is still known: caught up.
            (
                "v1",
                versions(&[("v2", &["AWSCURRENT"]), ("v1", &[])]),
                true,
            ),
            // Nothing known at all.
            ("v1", versions(&[]), false),
        ];
        for (synced, replica, want) in cases {
            assert_eq!(
                replica_caught_up(synced, &replica),
                want,
                "{synced} vs {replica:?}"
            );
        }
    }
}
