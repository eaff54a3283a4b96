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
#[path = "failover_key_tests.rs"]
mod key_tests;

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
#[path = "failover_guard_tests.rs"]
mod guard_tests;

#[cfg(test)]
#[path = "failover_tests.rs"]
mod tests;
