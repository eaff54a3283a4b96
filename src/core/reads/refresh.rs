//! When to read AWS again: on spec change, force-sync, drift, failure, or when the interval is due.

use std::time::Duration;

use jiff::Timestamp;

use crate::api::{ExternalSecretStatus, RefreshPolicy};
use crate::core::sync_window::{Gate, Trigger, Windows, gate};

/// Annotation whose new value forces an immediate refresh.
pub const FORCE_SYNC_ANNOTATION: &str = "secretsync.io/force-sync";

/// Fraction of the interval after which a refresh counts as due; requeues are jittered to
/// [0.9, 1.1] × interval, so every jittered wake-up finds the refresh due.
pub const DUE_FRACTION: f64 = 0.9;

/// Everything the refresh decision looks at.
#[derive(Debug, Clone)]
pub struct RefreshInputs<'a> {
    /// Current time.
    pub now: Timestamp,
    /// `metadata.generation` of the ExternalSecret.
    pub generation: Option<i64>,
    /// Current status.
    pub status: Option<&'a ExternalSecretStatus>,
    /// Current value of the force-sync annotation.
    pub force_sync: Option<&'a str>,
    /// Parsed `refreshInterval` (zero: fetch once).
    pub interval: Duration,
    /// `spec.refreshPolicy`.
    pub policy: RefreshPolicy,
    /// Labels or annotations changed since the last refresh (what `OnChange` also refreshes on).
    pub metadata_changed: bool,
    /// The target Secret exists and holds what was last written (digest matches).
    pub target_in_sync: bool,
    /// Another ExternalSecret of the same store just read a newer version of a key this one synced.
    pub newer_version_seen: bool,
    /// The store's newest listing shows a new version (or a new secret) this ExternalSecret reads: check
    /// now instead of at the next interval.
    pub remote_changed: bool,
    /// `spec.syncWindows`, parsed (None: unset).
    pub windows: Option<&'a Windows>,
}

/// A digest of an object's labels and annotations (without kubectl's last-applied copy and the
/// force-sync annotation, which is tracked on its own): what `refreshPolicy: OnChange` compares.
pub fn metadata_digest<'a>(
    labels: impl IntoIterator<Item = (&'a String, &'a String)>,
    annotations: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> String {
    use sha2::{Digest, Sha256};
    const SKIP: [&str; 2] = [
        "kubectl.kubernetes.io/last-applied-configuration",
        FORCE_SYNC_ANNOTATION,
    ];
    let mut h = Sha256::new();
    for (part, pairs) in [
        ("l", labels.into_iter().collect::<Vec<_>>()),
        ("a", annotations.into_iter().collect()),
    ] {
        let mut pairs: Vec<_> = pairs
            .into_iter()
            .filter(|(k, _)| !SKIP.contains(&k.as_str()))
            .collect();
        pairs.sort();
        for (k, v) in pairs {
            for field in [part, k.as_str(), v.as_str()] {
                h.update((field.len() as u64).to_be_bytes());
                h.update(field.as_bytes());
            }
        }
    }
    crate::core::versions::hex(&h.finalize()[..8])
}

/// What a reconcile should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Read AWS and apply now (first sync, spec change, force-sync, drift, failure, newer version seen).
    Fetch,
    /// The interval is due: check for changes (cheaply, when the store allows) and read what changed.
    Due,
    /// Nothing to do now; come back after this long (None: only when something changes).
    UpToDate(Option<Duration>),
    /// A refresh is due (or announced) but `syncWindows` blocks it: come back after this long, when
    /// a window allows it (None: no time within a year is allowed; look again at the next interval).
    OutsideWindow(Option<Duration>),
}

fn is_ready(status: &ExternalSecretStatus) -> bool {
    status
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// Decides whether this reconcile must read AWS. Every policy syncs first, retries failures, repairs
/// drift (a missing or altered Secret) and honours force-sync; `Periodic` also refreshes on spec
/// change, on the interval and on announced remote changes; `OnChange` only on spec, label or
/// annotation change; `CreatedOnce` never again (a spec change is not applied, as in ESO).
/// `syncWindows` (see [`crate::core::sync_window`]) can block only `Periodic`'s interval refresh,
/// the retry of a failed one, and an announced change; never a first sync, a spec change not yet
/// synced, a force-sync or a repair.
pub fn decide(inputs: &RefreshInputs<'_>) -> RefreshDecision {
    let Some(status) = inputs.status else {
        return RefreshDecision::Fetch;
    };
    let Some(refreshed) = status.refresh_time.as_ref().map(|t| t.0) else {
        return RefreshDecision::Fetch;
    };
    let failed = !is_ready(status);
    let drift = !inputs.target_in_sync;
    let forced = inputs.force_sync != status.last_force_sync.as_deref();
    let repair = failed || drift || forced;
    // A spec edit is pending until a refresh succeeds with it (a failed one is retried as one).
    let spec_changed = status.observed_generation != inputs.generation
        || status
            .synced_generation
            .is_some_and(|g| Some(g) != inputs.generation);
    match inputs.policy {
        RefreshPolicy::CreatedOnce => {
            return if repair {
                RefreshDecision::Fetch
            } else {
                RefreshDecision::UpToDate(None)
            };
        }
        RefreshPolicy::OnChange => {
            return if repair || spec_changed || inputs.metadata_changed {
                RefreshDecision::Fetch
            } else {
                RefreshDecision::UpToDate(None)
            };
        }
        RefreshPolicy::Periodic => {}
    }
    if drift || forced || spec_changed {
        return RefreshDecision::Fetch;
    }
    let (trigger, decision) = if failed {
        // The retry of a failed periodic refresh (first syncs and spec changes returned above).
        (Trigger::Periodic, RefreshDecision::Fetch)
    } else if inputs.newer_version_seen {
        (Trigger::Announced, RefreshDecision::Fetch)
    } else if inputs.interval.is_zero() {
        return RefreshDecision::UpToDate(None);
    } else if inputs.remote_changed {
        (Trigger::Announced, RefreshDecision::Due)
    } else {
        let elapsed = inputs.now.duration_since(refreshed);
        let elapsed = Duration::try_from(elapsed).unwrap_or(Duration::ZERO);
        if elapsed < inputs.interval.mul_f64(DUE_FRACTION) {
            return RefreshDecision::UpToDate(Some(inputs.interval.saturating_sub(elapsed)));
        }
        (Trigger::Periodic, RefreshDecision::Due)
    };
    match gate(inputs.windows, inputs.policy, trigger, inputs.now) {
        Gate::Now => decision,
        Gate::NotBefore(at) => {
            RefreshDecision::OutsideWindow(at.map(|t| {
                Duration::try_from(t.duration_since(inputs.now)).unwrap_or(Duration::ZERO)
            }))
        }
    }
}

/// The plan before any AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreFetch {
    /// The target is refused (ownership, type): report it, call nothing.
    Refuse(crate::core::reason::SyncError),
    /// Nothing to do; come back after this long (None: only when something changes).
    UpToDate(Option<Duration>),
    /// `syncWindows` blocks the refresh: come back after this long (None: at the next interval); an
    /// announced change stays pending.
    OutsideWindow(Option<Duration>),
    /// The Secret already holds newer versions than the status: an earlier reconcile stopped between
    /// the write and the restart; finish the rollout for these versions without reading AWS.
    ResumeRollout(std::collections::BTreeMap<String, String>),
    /// Read AWS.
    Fetch,
    /// A periodic refresh: detect changes first, read only what changed.
    Refresh,
}

/// Decides what a reconcile does before reading AWS: refuse, nothing, finish a rollout, or fetch.
/// `recorded` holds the versions recorded on the Secret when its digest matches (None otherwise).
pub fn before_fetch(
    target_check: Result<(), crate::core::reason::SyncError>,
    refresh: &RefreshInputs<'_>,
    previous: &std::collections::BTreeMap<String, String>,
    recorded: Option<&std::collections::BTreeMap<String, String>>,
) -> PreFetch {
    if let Err(e) = target_check {
        return PreFetch::Refuse(e);
    }
    match decide(refresh) {
        RefreshDecision::Fetch => PreFetch::Fetch,
        RefreshDecision::Due => PreFetch::Refresh,
        // A rollout an earlier reconcile left unfinished is finished even outside the windows: its
        // Secret was already written.
        RefreshDecision::UpToDate(_) | RefreshDecision::OutsideWindow(_)
            if recorded
                .is_some_and(|current| crate::core::versions::is_rotation(previous, current)) =>
        {
            PreFetch::ResumeRollout(recorded.cloned().unwrap_or_default())
        }
        RefreshDecision::UpToDate(after) => PreFetch::UpToDate(after),
        RefreshDecision::OutsideWindow(after) => PreFetch::OutsideWindow(after),
    }
}

/// The interval actually used: `requested`, raised to `floor` when shorter (zero stays zero: fetch
/// once). The flag says it was raised (reported on status).
pub fn effective_interval(requested: Duration, floor: Duration) -> (Duration, bool) {
    if !requested.is_zero() && requested < floor {
        (floor, true)
    } else {
        (requested, false)
    }
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
