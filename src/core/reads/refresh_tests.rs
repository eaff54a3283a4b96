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
        windows: None,
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
                    PreFetch::OutsideWindow(_) => "outside-window",
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

/// `syncWindows` over every combination: allow/deny × inside/outside a window × why the reconcile
/// runs × refresh policy. Only `Periodic` is windowed; what ESO refreshes whatever its windows say
/// (a first sync, a spec change — also one whose sync failed —, a force-sync, a repair) is never
/// blocked; the interval's refresh, the retry of a failed one and an announced change are, and come
/// back exactly when a window allows them.
#[test]
fn sync_windows_block_only_periodic_refreshes_and_announcements() {
    use crate::api::{SyncWindow, SyncWindowKind, SyncWindows};
    use crate::core::sync_window::parse;
    use RefreshPolicy::*;
    let utc = |text: &str| -> Timestamp { text.parse().expect("instant") };
    let inside = utc("2026-06-01T23:00:00Z");
    let outside = utc("2026-06-01T20:00:00Z");
    let triggers = [
        "first sync",
        "spec changed",
        "spec edit whose sync failed",
        "force-sync",
        "Secret drifted",
        "nothing",
        "interval due",
        "last periodic refresh failed",
        "newer version seen",
        "remote change announced",
    ];
    for kind in [SyncWindowKind::Allow, SyncWindowKind::Deny] {
        let spec = SyncWindows {
            kind,
            windows: vec![SyncWindow {
                schedule: "0 22 * * *".into(),
                duration: "2h".into(),
            }],
        };
        let windows = parse(Some(&spec)).expect("valid").expect("set");
        for (place, now) in [("inside", inside), ("outside", outside)] {
            let blocked_here = (kind == SyncWindowKind::Deny) == (place == "inside");
            let wait = Duration::from_secs(if kind == SyncWindowKind::Deny {
                3601
            } else {
                7200
            });
            for trigger in triggers {
                for policy in [Periodic, OnChange, CreatedOnce] {
                    let refreshed = if trigger == "interval due" {
                        now - jiff::SignedDuration::from_hours(2)
                    } else {
                        now - jiff::SignedDuration::from_secs(60)
                    };
                    let mut status = ready_status(refreshed);
                    status.synced_generation = Some(1);
                    if trigger.contains("failed") {
                        status.conditions[0].status = "False".into();
                    }
                    if trigger == "spec edit whose sync failed" {
                        status.observed_generation = Some(2);
                    }
                    let mut i = inputs(Some(&status), now);
                    i.policy = policy;
                    match trigger {
                        "first sync" => i.status = None,
                        "spec changed" | "spec edit whose sync failed" => i.generation = Some(2),
                        "force-sync" => i.force_sync = Some("now"),
                        "Secret drifted" => i.target_in_sync = false,
                        "newer version seen" => i.newer_version_seen = true,
                        "remote change announced" => i.remote_changed = true,
                        _ => {}
                    }
                    let unwindowed = decide(&i);
                    i.windows = Some(&windows);
                    let got = decide(&i);
                    let windowed = matches!(
                        trigger,
                        "interval due"
                            | "last periodic refresh failed"
                            | "newer version seen"
                            | "remote change announced"
                    );
                    let want = if policy == Periodic && windowed && blocked_here {
                        RefreshDecision::OutsideWindow(Some(wait))
                    } else {
                        unwindowed.clone()
                    };
                    assert_eq!(got, want, "{kind:?} {place} {trigger} {policy:?}");
                    if policy == Periodic {
                        let reads =
                            matches!(unwindowed, RefreshDecision::Fetch | RefreshDecision::Due);
                        assert_eq!(
                            reads,
                            trigger != "nothing",
                            "{trigger} reads without windows"
                        );
                    }
                }
            }
        }
    }
}

/// Under a deny window that never closes: a spec edit whose sync failed is still a spec change on
/// the retry (never blocked); a failed refresh at the synced generation is a periodic retry (blocked),
/// and so is one whose status predates `syncedGeneration`.
#[test]
fn a_failed_spec_edit_stays_a_spec_change_until_synced() {
    use crate::api::{SyncWindow, SyncWindowKind, SyncWindows};
    let spec = SyncWindows {
        kind: SyncWindowKind::Deny,
        windows: vec![SyncWindow {
            schedule: "@every 1h".into(),
            duration: "2h".into(),
        }],
    };
    let windows = crate::core::sync_window::parse(Some(&spec))
        .expect("valid")
        .expect("set");
    let mut s = ready_status(at(0));
    s.conditions[0].status = "False".into();
    for (synced, want) in [
        (Some(0), RefreshDecision::Fetch),
        (Some(1), RefreshDecision::OutsideWindow(None)),
        (None, RefreshDecision::OutsideWindow(None)),
    ] {
        s.synced_generation = synced;
        let mut i = inputs(Some(&s), at(60));
        i.windows = Some(&windows);
        assert_eq!(decide(&i), want, "synced generation {synced:?}");
    }
}
