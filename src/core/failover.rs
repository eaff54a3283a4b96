//! Multi-region failover of one store configuration: which region to ask first, when to go back to
//! the primary, and when a switch happened. Pure: the shell reports each attempt's outcome and the time.

use std::time::{Duration, Instant};

use crate::core::change::{VersionStages, resolve};
use crate::core::remote::VersionSelector;

#[path = "failover_parameters.rs"]
pub mod parameters;

/// Between a version identity and the failover region that answered with it (see [`answered_in`]).
const ANSWERED_IN: char = '~';

/// A version identity as answered by failover region `region`, for a service that does not replicate
/// (Parameter Store): a failover region's version numbers are unrelated to the primary's, so its
/// answer is another identity, never equal to one of the primary's (`3@<time>~us-west-2`).
pub fn answered_in(identity: &str, region: &str) -> String {
    format!("{identity}{ANSWERED_IN}{region}")
}

/// The failover region a version identity was answered in (None: the primary's).
pub fn failover_region_of(identity: &str) -> Option<&str> {
    identity
        .rsplit_once(ANSWERED_IN)
        .map(|(_, region)| region)
        .filter(|r| !r.is_empty())
}

/// A version identity without the failover region it was answered in (see [`answered_in`]).
pub fn without_region(identity: &str) -> &str {
    match failover_region_of(identity) {
        Some(region) => &identity[..identity.len() - region.len() - ANSWERED_IN.len_utf8()],
        None => identity,
    }
}

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

/// A Parameter Store `key` as read in `region`: an SSM parameter ARN gets the region swapped (the
/// parameter of the same name there); a name stays.
pub fn parameter_in_region(key: &str, region: &str) -> String {
    let parts: Vec<&str> = key.splitn(5, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "ssm", _, rest] => format!("arn:{partition}:ssm:{region}:{rest}"),
        _ => key.to_string(),
    }
}

#[cfg(test)]
mod key_tests {
    use super::{
        answered_in, failover_region_of, key_in_region, parameter_in_region, without_region,
    };

    #[test]
    fn a_failover_answer_carries_its_region_in_the_identity() {
        let f = answered_in("3@2026-12-07T03:21:05.123Z", "us-west-2");
        assert_eq!(f, "3@2026-12-07T03:21:05.123Z~us-west-2");
        assert_eq!(failover_region_of(&f), Some("us-west-2"));
        assert_eq!(without_region(&f), "3@2026-12-07T03:21:05.123Z");
        for primary in ["3@2026-12-07T03:21:05.123Z", "3", "a1b2-uuid", "", "3~"] {
            assert_eq!(failover_region_of(primary), None, "{primary}");
            assert_eq!(without_region(primary), primary);
        }
        assert_eq!(without_region(&answered_in("7", "eu-west-1")), "7");
    }

    #[test]
    fn parameter_arns_move_to_the_failover_region_and_names_stay() {
        assert_eq!(
            parameter_in_region("arn:aws:ssm:us-east-1:1:parameter/app/db", "us-west-2"),
            "arn:aws:ssm:us-west-2:1:parameter/app/db"
        );
        assert_eq!(parameter_in_region("/app/db", "us-west-2"), "/app/db");
        assert_eq!(
            parameter_in_region(
                "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf",
                "us-west-2"
            ),
            "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf"
        );
        assert_eq!(parameter_in_region("arn:broken", "us-west-2"), "arn:broken");
    }

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

/// What the region that answered the guard's DescribeSecret said about a secret's versions.
#[derive(Debug, Clone, Copy)]
pub enum RegionAnswer<'a> {
    /// The primary region answered with these versions (version id → staging labels).
    Primary(&'a VersionStages),
    /// A failover region answered with these versions.
    Failover(&'a VersionStages),
    /// No usable answer: every region failed, or the secret is gone or scheduled for deletion there.
    Missing,
}

/// The guard's decision on one remote key whose read version differs from the synced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The read version may replace the synced one.
    Use,
    /// A failover region that answered never saw the synced version: it is behind.
    KeepReplicaBehind,
    /// The region that answered does not name the read version under the selector (the primary, or
    /// a replica, knows another one): the read came from a region that is behind or moved on since.
    KeepNotCurrent,
    /// No region answered: nothing shows the read is not a step back.
    KeepNoAnswer,
}

/// The one rule that a read never goes back in version once a failover region may have served part
/// of it (a value, a listing or a DescribeSecret). `synced`: the version in `syncedVersions`;
/// `read`: the version this reconcile read with `selector`; `answer`: a fresh DescribeSecret from
/// whichever region answers now. The read replaces the synced version only when the answering
/// region names it under `selector` and, for a failover region, also knows the synced version (it
/// has caught up to it, so what it names now came after it). The primary is the source of truth: it
/// need not know the synced version (a secret deleted and made anew), but it must name the read one.
pub fn may_replace(
    synced: &str,
    read: &str,
    selector: &VersionSelector,
    answer: RegionAnswer<'_>,
) -> Verdict {
    if synced == read {
        return Verdict::Use;
    }
    let names_read =
        |versions: &VersionStages| resolve(versions, selector).as_deref() == Some(read);
    match answer {
        RegionAnswer::Missing => Verdict::KeepNoAnswer,
        RegionAnswer::Primary(v) if names_read(v) => Verdict::Use,
        RegionAnswer::Primary(_) => Verdict::KeepNotCurrent,
        RegionAnswer::Failover(v) if !v.contains_key(synced) => Verdict::KeepReplicaBehind,
        // Knowing the synced version is not enough: a replica half way through a rotation (v1
        // current, v2 pending) knows v2, and a replica still at v1 knows v1 as current when v1 is the
        // synced AWSPREVIOUS. The synced version must hold an older stage there than the one read.
        RegionAnswer::Failover(v) if !synced_is_older(v.get(synced), selector) => {
            Verdict::KeepReplicaBehind
        }
        RegionAnswer::Failover(v) if names_read(v) => Verdict::Use,
        RegionAnswer::Failover(_) => Verdict::KeepNotCurrent,
    }
}

/// Rank of a staging label in a rotation: AWSPENDING (newest), AWSCURRENT, AWSPREVIOUS. Any other
/// (custom) label ranks as AWSCURRENT: its place in time is unknown.
fn stage_rank(stage: &str) -> u8 {
    match stage {
        "AWSPENDING" => 3,
        "AWSPREVIOUS" => 1,
        _ => 2,
    }
}

/// Whether the synced version's labels in a failover region (None: unlabelled or unknown) are all
/// older than the stage `selector` reads, so what that region names under the selector came after
/// it. A version id read is checked by the region knowing it (it only differs after a spec edit).
fn synced_is_older(labels: Option<&Vec<String>>, selector: &VersionSelector) -> bool {
    let VersionSelector::Stage(stage) = selector else {
        return true;
    };
    let read = stage_rank(stage);
    labels.is_none_or(|l| l.iter().all(|s| stage_rank(s) < read))
}

/// While a failover region may have answered, a key synced before that a `find` no longer returns
/// (secrets replicate one by one: a replica's listing may lack one) is not dropped from the Secret:
/// the first such key, if any. Keys the spec names itself (`spec_keys`) are judged by
/// [`may_replace`] or by the deletion rule instead.
pub fn dropped_find_key<'a>(
    previous: &'a std::collections::BTreeMap<String, String>,
    now: &std::collections::BTreeMap<String, String>,
    spec_keys: &std::collections::HashSet<&str>,
) -> Option<&'a str> {
    if crate::core::versions::is_compact(previous) {
        return None;
    }
    previous
        .keys()
        .map(String::as_str)
        .find(|k| !now.contains_key(*k) && !spec_keys.contains(k))
}

#[cfg(test)]
mod guard_tests {
    use super::{RegionAnswer, Verdict, dropped_find_key, may_replace};
    use crate::core::change::VersionStages;
    use crate::core::remote::VersionSelector;

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

    /// Every combination of (synced, read, selector, who answered, what it knows).
    #[test]
    fn a_read_replaces_the_synced_version_only_where_the_answering_region_vouches_for_it() {
        use Verdict::*;
        let current = VersionSelector::current();
        let previous = VersionSelector::Stage("AWSPREVIOUS".into());
        let pinned = VersionSelector::Id("v1".into());
        // A rotation from v1 to v2 that the region has seen.
        let rotated = versions(&[("v2", &["AWSCURRENT"]), ("v1", &["AWSPREVIOUS"])]);
        // A region still at v1 (never saw v2).
        let behind = versions(&[("v1", &["AWSCURRENT"])]);
        // A region that rotated again, to v3.
        let moved_on = versions(&[
            ("v3", &["AWSCURRENT"]),
            ("v2", &["AWSPREVIOUS"]),
            ("v1", &[]),
        ]);
        // The secret deleted and made anew: only w1.
        let remade = versions(&[("w1", &["AWSCURRENT"])]);
        let only_v3 = versions(&[("v3", &["AWSCURRENT"])]);
        let previous_rotated = versions(&[
            ("v2", &["AWSCURRENT"]),
            ("v1", &["AWSPREVIOUS"]),
            ("v0", &[]),
        ]);
        let none = versions(&[]);
        let half_rotated = versions(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]);
        let behind_with_previous = versions(&[("v1", &["AWSCURRENT"]), ("v0", &["AWSPREVIOUS"])]);
        let custom = VersionSelector::Stage("blue".into());
        let custom_moved = versions(&[("v1", &["AWSCURRENT"]), ("v2", &["blue"])]);
        let cases: Vec<(&str, &str, &VersionSelector, RegionAnswer, Verdict)> = vec![
            // Unchanged: nothing to decide, whoever answered (or not).
            ("v1", "v1", &current, RegionAnswer::Missing, Use),
            ("v1", "v1", &pinned, RegionAnswer::Failover(&none), Use),
            // Issue 20 #1: synced v2, a behind replica served v1, the primary answers DescribeSecret.
            (
                "v2",
                "v1",
                &current,
                RegionAnswer::Primary(&rotated),
                KeepNotCurrent,
            ),
            // ... or the behind replica itself answers.
            (
                "v2",
                "v1",
                &current,
                RegionAnswer::Failover(&behind),
                KeepReplicaBehind,
            ),
            // ... or nobody answers.
            ("v2", "v1", &current, RegionAnswer::Missing, KeepNoAnswer),
            // A rotation (v1 → v2) replicated before the primary failed: the replica vouches.
            ("v1", "v2", &current, RegionAnswer::Failover(&rotated), Use),
            // The same rotation confirmed by the primary.
            ("v1", "v2", &current, RegionAnswer::Primary(&rotated), Use),
            // The primary moved on to v3 since: v2 is not what it calls current; the next read gets v3.
            (
                "v1",
                "v2",
                &current,
                RegionAnswer::Primary(&moved_on),
                KeepNotCurrent,
            ),
            // A replica that saw v1 but names another version current than the one read.
            (
                "v1",
                "v2",
                &current,
                RegionAnswer::Failover(&moved_on),
                KeepNotCurrent,
            ),
            // A replica that has the read version but not the synced one is behind.
            (
                "v2",
                "v3",
                &current,
                RegionAnswer::Failover(&only_v3),
                KeepReplicaBehind,
            ),
            // A replica asked about a secret it knows nothing of.
            (
                "v1",
                "v2",
                &current,
                RegionAnswer::Failover(&none),
                KeepReplicaBehind,
            ),
            // Remade secret: the primary is the truth even without the synced version ...
            ("v1", "w1", &current, RegionAnswer::Primary(&remade), Use),
            // ... a replica is not.
            (
                "v1",
                "w1",
                &current,
                RegionAnswer::Failover(&remade),
                KeepReplicaBehind,
            ),
            // Other stages are checked under their own label.
            (
                "v0",
                "v1",
                &previous,
                RegionAnswer::Failover(&previous_rotated),
                Use,
            ),
            (
                "v1",
                "v2",
                &previous,
                RegionAnswer::Primary(&rotated),
                KeepNotCurrent,
            ),
            ("v0", "v1", &previous, RegionAnswer::Primary(&rotated), Use),
            // A pinned version id (only differs when the spec changed): the region must know it.
            ("v9", "v1", &pinned, RegionAnswer::Primary(&behind), Use),
            (
                "v9",
                "v1",
                &pinned,
                RegionAnswer::Primary(&none),
                KeepNotCurrent,
            ),
            (
                "v9",
                "v1",
                &pinned,
                RegionAnswer::Failover(&behind),
                KeepReplicaBehind,
            ),
            ("v9", "v1", &pinned, RegionAnswer::Missing, KeepNoAnswer),
            // A replica half way through a rotation (v1 current, v2 pending) knows the synced v2
            // but serves v1: behind (review of issue 20).
            (
                "v2",
                "v1",
                &current,
                RegionAnswer::Failover(&half_rotated),
                KeepReplicaBehind,
            ),
            // Synced AWSPREVIOUS v1 (the primary rotated to v2); a replica still at v1 current, v0
            // previous serves v0 as AWSPREVIOUS: behind, although it knows v1.
            (
                "v1",
                "v0",
                &previous,
                RegionAnswer::Failover(&behind_with_previous),
                KeepReplicaBehind,
            ),
            // Unlabelled versions are not in DescribeSecret's answer: a replica that rotated twice
            // since the sync cannot vouch (the Secret keeps the synced version until failback).
            (
                "v0",
                "v1",
                &previous,
                RegionAnswer::Failover(&rotated),
                KeepReplicaBehind,
            ),
            // A custom label read from a replica: the synced version still current there is behind.
            (
                "v1",
                "v2",
                &custom,
                RegionAnswer::Failover(&custom_moved),
                KeepReplicaBehind,
            ),
        ];
        for (synced, read, selector, answer, want) in cases {
            assert_eq!(
                may_replace(synced, read, selector, answer),
                want,
                "synced {synced}, read {read} ({selector:?}), answer {answer:?}"
            );
        }
    }

    #[test]
    fn a_find_key_missing_from_a_failover_read_is_reported() {
        use std::collections::{BTreeMap, HashSet};
        let m = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let spec_keys: HashSet<&str> = HashSet::from(["prod/db"]);
        let previous = m(&[("prod/db", "v1"), ("shared/a", "a1"), ("shared/b", "b1")]);
        // (now, the dropped find key)
        let cases: Vec<(BTreeMap<String, String>, Option<&str>)> = vec![
            (previous.clone(), None),
            (
                m(&[("prod/db", "v1"), ("shared/a", "a2"), ("shared/b", "b1")]),
                None,
            ),
            // A new find match is no drop.
            (
                m(&[
                    ("prod/db", "v1"),
                    ("shared/a", "a1"),
                    ("shared/b", "b1"),
                    ("shared/c", "c1"),
                ]),
                None,
            ),
            (
                m(&[("prod/db", "v1"), ("shared/a", "a1")]),
                Some("shared/b"),
            ),
            // A key the spec names is not a find match (may_replace and the deletion rule judge it).
            (m(&[("shared/a", "a1"), ("shared/b", "b1")]), None),
        ];
        for (now, want) in cases {
            assert_eq!(
                dropped_find_key(&previous, &now, &spec_keys),
                want,
                "{now:?}"
            );
        }
        let compact = crate::core::versions::bounded(
            (0..500)
                .map(|i| (format!("k{i}"), "v".to_string()))
                .collect(),
        );
        assert_eq!(dropped_find_key(&compact, &m(&[]), &spec_keys), None);
    }
}

#[cfg(test)]
#[path = "failover_tests.rs"]
mod tests;
