//! When to read AWS again: on spec change, force-sync, drift, failure, or when the interval is due.

use std::time::Duration;

use jiff::Timestamp;

use crate::api::{ExternalSecretStatus, RefreshPolicy};

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
pub fn decide(inputs: &RefreshInputs<'_>) -> RefreshDecision {
    let Some(status) = inputs.status else {
        return RefreshDecision::Fetch;
    };
    let Some(refreshed) = status.refresh_time.as_ref().map(|t| t.0) else {
        return RefreshDecision::Fetch;
    };
    let repair = !is_ready(status)
        || !inputs.target_in_sync
        || inputs.force_sync != status.last_force_sync.as_deref();
    let spec_changed = status.observed_generation != inputs.generation;
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
    if repair || spec_changed || inputs.newer_version_seen {
        return RefreshDecision::Fetch;
    }
    if inputs.interval.is_zero() {
        return RefreshDecision::UpToDate(None);
    }
    if inputs.remote_changed {
        return RefreshDecision::Due;
    }
    let elapsed = inputs.now.duration_since(refreshed);
    let elapsed = Duration::try_from(elapsed).unwrap_or(Duration::ZERO);
    let due_at = inputs.interval.mul_f64(DUE_FRACTION);
    if elapsed >= due_at {
        RefreshDecision::Due
    } else {
        RefreshDecision::UpToDate(Some(inputs.interval.saturating_sub(elapsed)))
    }
}

/// The plan before any AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreFetch {
    /// The target is refused (ownership, type): report it, call nothing.
    Refuse(crate::core::reason::SyncError),
    /// Nothing to do; come back after this long (None: only when something changes).
    UpToDate(Option<Duration>),
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
        RefreshDecision::UpToDate(after) => match recorded {
            Some(current) if crate::core::versions::is_rotation(previous, current) => {
                PreFetch::ResumeRollout(current.clone())
            }
            _ => PreFetch::UpToDate(after),
        },
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
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

    fn ready_status(refreshed: Timestamp) -> ExternalSecretStatus {
        ExternalSecretStatus {
            conditions: vec![Condition {
                type_: "Ready".into(),
                status: "True".into(),
                reason: "Synced".into(),
                message: String::new(),
                last_transition_time: Time(refreshed),
                observed_generation: Some(1),
            }],
            observed_generation: Some(1),
            refresh_time: Some(Time(refreshed)),
            ..Default::default()
        }
    }

    fn inputs<'a>(status: Option<&'a ExternalSecretStatus>, now: Timestamp) -> RefreshInputs<'a> {
        RefreshInputs {
            now,
            generation: Some(1),
            status,
            force_sync: None,
            interval: Duration::from_secs(3600),
            policy: RefreshPolicy::Periodic,
            metadata_changed: false,
            target_in_sync: true,
            newer_version_seen: false,
            remote_changed: false,
        }
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).expect("valid timestamp")
    }

    #[test]
    fn fetches_when_never_synced() {
        assert_eq!(decide(&inputs(None, at(0))), RefreshDecision::Fetch);
        let mut s = ready_status(at(0));
        s.refresh_time = None;
        assert_eq!(decide(&inputs(Some(&s), at(0))), RefreshDecision::Fetch);
    }

    #[test]
    fn up_to_date_until_due_then_fetches() {
        let s = ready_status(at(0));
        assert_eq!(
            decide(&inputs(Some(&s), at(600))),
            RefreshDecision::UpToDate(Some(Duration::from_secs(3000)))
        );
        // 90% of the interval counts as due (jittered requeues land in [0.9, 1.1]).
        assert_eq!(decide(&inputs(Some(&s), at(3240))), RefreshDecision::Due);
        assert_eq!(decide(&inputs(Some(&s), at(7200))), RefreshDecision::Due);
    }

    #[test]
    fn spec_change_force_sync_drift_and_failure_fetch_immediately() {
        let s = ready_status(at(0));
        let mut i = inputs(Some(&s), at(1));
        i.generation = Some(2);
        assert_eq!(decide(&i), RefreshDecision::Fetch);

        let mut i = inputs(Some(&s), at(1));
        i.force_sync = Some("now");
        assert_eq!(decide(&i), RefreshDecision::Fetch);

        let mut i = inputs(Some(&s), at(1));
        i.target_in_sync = false;
        assert_eq!(decide(&i), RefreshDecision::Fetch);

        let mut failed = ready_status(at(0));
        failed.conditions[0].status = "False".into();
        assert_eq!(
            decide(&inputs(Some(&failed), at(1))),
            RefreshDecision::Fetch
        );
    }

    /// Refuse / up to date / resume rollout / fetch over every combination of its inputs.
    #[test]
    fn before_fetch_table() {
        use crate::core::reason::{Reason, SyncError};
        use std::collections::BTreeMap;
        let v = |id: &str| BTreeMap::from([("k".to_string(), id.to_string())]);
        let s = ready_status(at(0));
        let previous = v("1");
        for refused in [false, true] {
            for due in [false, true] {
                for recorded in [None, Some(v("1")), Some(v("2"))] {
                    let check = if refused {
                        Err(SyncError::new(Reason::TargetConflict, "not ours"))
                    } else {
                        Ok(())
                    };
                    let mut i = inputs(Some(&s), at(1));
                    i.target_in_sync = recorded.is_some();
                    if due {
                        i.now = at(7200);
                    }
                    let got = before_fetch(check, &i, &previous, recorded.as_ref());
                    let expected = if refused {
                        "refuse"
                    } else if recorded.is_none() {
                        "fetch"
                    } else if due {
                        "refresh"
                    } else if recorded == Some(v("2")) {
                        "resume"
                    } else {
                        "up-to-date"
                    };
                    let kind = match got {
                        PreFetch::Refuse(_) => "refuse",
                        PreFetch::UpToDate(_) => "up-to-date",
                        PreFetch::ResumeRollout(_) => "resume",
                        PreFetch::Fetch => "fetch",
                        PreFetch::Refresh => "refresh",
                    };
                    assert_eq!(
                        kind, expected,
                        "refused={refused} due={due} recorded={recorded:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_newer_version_seen_elsewhere_fetches_at_once() {
        let s = ready_status(at(0));
        let mut i = inputs(Some(&s), at(1));
        i.newer_version_seen = true;
        assert_eq!(decide(&i), RefreshDecision::Fetch);
    }

    #[test]
    fn a_change_in_the_listing_makes_the_refresh_due_at_once_unless_fetching_once() {
        let s = ready_status(at(0));
        let mut i = inputs(Some(&s), at(1));
        i.remote_changed = true;
        assert_eq!(
            decide(&i),
            RefreshDecision::Due,
            "checked via the listing, not read blindly"
        );
        i.interval = Duration::ZERO;
        assert_eq!(
            decide(&i),
            RefreshDecision::UpToDate(None),
            "refreshInterval 0 fetches once"
        );
        i.interval = Duration::from_secs(3600);
        i.target_in_sync = false;
        assert_eq!(
            decide(&i),
            RefreshDecision::Fetch,
            "drift still reads everything"
        );
    }

    #[test]
    fn intervals_below_the_floor_are_raised() {
        let floor = Duration::from_secs(10);
        let table = [
            (Duration::from_nanos(1), (floor, true)),
            (Duration::from_secs(9), (floor, true)),
            (floor, (floor, false)),
            (
                Duration::from_secs(3600),
                (Duration::from_secs(3600), false),
            ),
            (Duration::ZERO, (Duration::ZERO, false)),
        ];
        for (requested, want) in table {
            assert_eq!(effective_interval(requested, floor), want, "{requested:?}");
        }
    }

    #[test]
    fn honoured_force_sync_value_does_not_refetch() {
        let mut s = ready_status(at(0));
        s.last_force_sync = Some("now".into());
        let mut i = inputs(Some(&s), at(1));
        i.force_sync = Some("now");
        assert!(matches!(decide(&i), RefreshDecision::UpToDate(_)));
    }

    #[test]
    fn zero_interval_fetches_once() {
        let s = ready_status(at(0));
        let mut i = inputs(Some(&s), at(999_999));
        i.interval = Duration::ZERO;
        assert_eq!(decide(&i), RefreshDecision::UpToDate(None));
    }

    /// Every policy × every trigger: whether the reconcile reads AWS.
    #[test]
    fn each_policy_refreshes_only_on_its_triggers() {
        use RefreshPolicy::*;
        // (trigger, Periodic, OnChange, CreatedOnce)
        type Case = (&'static str, bool, bool, bool);
        let table: &[Case] = &[
            ("nothing", false, false, false),
            ("interval due", true, false, false),
            ("spec changed", true, true, false),
            ("labels or annotations changed", false, true, false),
            ("force-sync", true, true, true),
            ("Secret drifted", true, true, true),
            ("last sync failed", true, true, true),
            ("newer version seen", true, false, false),
            ("remote change announced", true, false, false),
        ];
        let base = ready_status(at(0));
        let mut failed = ready_status(at(0));
        failed.conditions[0].status = "False".into();
        for (trigger, periodic, on_change, created_once) in table {
            for (policy, want) in [
                (Periodic, periodic),
                (OnChange, on_change),
                (CreatedOnce, created_once),
            ] {
                let status = if *trigger == "last sync failed" {
                    &failed
                } else {
                    &base
                };
                let now = if *trigger == "interval due" {
                    at(7200)
                } else {
                    at(60)
                };
                let mut i = inputs(Some(status), now);
                i.policy = policy;
                match *trigger {
                    "spec changed" => i.generation = Some(2),
                    "labels or annotations changed" => i.metadata_changed = true,
                    "force-sync" => i.force_sync = Some("now"),
                    "Secret drifted" => i.target_in_sync = false,
                    "newer version seen" => i.newer_version_seen = true,
                    "remote change announced" => i.remote_changed = true,
                    _ => {}
                }
                let reads = matches!(decide(&i), RefreshDecision::Fetch | RefreshDecision::Due);
                assert_eq!(reads, *want, "{policy:?} on {trigger}");
            }
            // Never synced: every policy syncs.
        }
        for policy in [Periodic, OnChange, CreatedOnce] {
            let mut i = inputs(None, at(0));
            i.policy = policy;
            assert_eq!(decide(&i), RefreshDecision::Fetch, "{policy:?} first sync");
        }
    }

    #[test]
    fn metadata_digest_ignores_order_last_applied_and_force_sync() {
        let m = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let base = metadata_digest(&m(&[("team", "a")]), &m(&[("note", "x")]));
        assert_eq!(base.len(), 16);
        let same = metadata_digest(
            &m(&[("team", "a")]),
            &m(&[
                ("note", "x"),
                ("kubectl.kubernetes.io/last-applied-configuration", "{}"),
                (FORCE_SYNC_ANNOTATION, "1"),
            ]),
        );
        assert_eq!(base, same);
        assert_ne!(
            base,
            metadata_digest(&m(&[("team", "b")]), &m(&[("note", "x")]))
        );
        assert_ne!(
            base,
            metadata_digest(&m(&[]), &m(&[("team", "a"), ("note", "x")])),
            "labels are not annotations"
        );
        assert_ne!(
            base,
            metadata_digest(&m(&[("team", "a")]), &m(&[("note", "y")]))
        );
    }
}
