use super::*;
use jiff::Timestamp;

fn at(secs: i64) -> Time {
    Time(Timestamp::from_second(1_800_000_000 + secs).unwrap_or(Timestamp::UNIX_EPOCH))
}

fn facts(generation: i64, now: i64) -> Facts {
    Facts {
        generation: Some(generation),
        refresh_policy: RefreshPolicy::Periodic,
        force: Some("f2".into()),
        metadata: "meta-2".into(),
        target_name: "db".into(),
        target_kind: "Secret".into(),
        interval_raised: None,
        now: at(now),
    }
}

fn versions(v: &str) -> BTreeMap<String, String> {
    [("prod/db".to_string(), v.to_string())].into()
}

/// A status after a successful sync of `v1` at time 0, generation 1.
fn synced_status() -> ExternalSecretStatus {
    let first = next_status(
        &ExternalSecretStatus::default(),
        &facts(1, 0),
        synced(true, true, "v1", None),
    );
    first.status.unwrap_or_default()
}

fn synced(wrote: bool, created: bool, v: &str, rollout: Option<RolloutReport>) -> Outcome {
    Outcome::Synced {
        wrote,
        created,
        refreshed: true,
        synced_versions: versions(v),
        rollout,
        source: Some("SecretStore/prod/aws (us-east-1)".into()),
    }
}

fn error(reason: Reason) -> SyncError {
    SyncError::new(reason, "why")
}

fn verdict(r: &Report) -> Option<(&'static str, bool)> {
    r.verdict.as_ref().map(|e| (e.reason, e.warning))
}

#[test]
fn every_outcome_writes_and_announces_only_what_changed() {
    let ok = synced_status();
    let failing = next_status(
        &ok,
        &facts(1, 10),
        Outcome::Failed(error(Reason::ProviderError)),
    )
    .status
    .unwrap_or_default();
    let pending = RemoteDeletion {
        confirmed_since: at(5),
        generation: 1,
    };
    let rollout = RolloutReport {
        restarted: vec!["Deployment/api".into()],
        skipped: vec!["Deployment/web not found".into()],
    };
    type Case = (
        &'static str,
        ExternalSecretStatus,
        Facts,
        Outcome,
        // (status written, verdict (reason, warning), done Events, counted result)
        bool,
        Option<(&'static str, bool)>,
        usize,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            "first sync creates",
            ExternalSecretStatus::default(),
            facts(1, 0),
            synced(true, true, "v1", None),
            true,
            Some(("Synced", false)),
            0,
            Some("Synced"),
        ),
        (
            "up to date: nothing at all",
            ok.clone(),
            facts(1, 1),
            Outcome::UpToDate(None),
            false,
            None,
            0,
            None,
        ),
        (
            "blocked by syncWindows: nothing at all, even while failing",
            failing.clone(),
            facts(1, 20),
            Outcome::OutsideWindow(Some(std::time::Duration::from_secs(60))),
            false,
            None,
            0,
            None,
        ),
        (
            "CreatedOnce after a spec edit: observedGeneration only",
            ok.clone(),
            Facts {
                refresh_policy: RefreshPolicy::CreatedOnce,
                ..facts(2, 1)
            },
            Outcome::UpToDate(None),
            true,
            None,
            0,
            None,
        ),
        (
            "confirmed within CONFIRM_EVERY from the same source: nothing written",
            ok.clone(),
            facts(1, 60),
            Outcome::Confirmed {
                source: "SecretStore/prod/aws (us-east-1)".into(),
            },
            false,
            None,
            0,
            Some("Synced"),
        ),
        (
            "confirmed after CONFIRM_EVERY: refreshTime moves",
            ok.clone(),
            facts(1, 301),
            Outcome::Confirmed {
                source: "SecretStore/prod/aws (us-east-1)".into(),
            },
            true,
            None,
            0,
            Some("Synced"),
        ),
        (
            "confirmed from a failover region: said at once",
            ok.clone(),
            facts(1, 60),
            Outcome::Confirmed {
                source: "SecretStore/prod/aws (us-west-2)".into(),
            },
            true,
            None,
            0,
            Some("Synced"),
        ),
        (
            "a rotation with a rollout",
            ok.clone(),
            facts(1, 20),
            synced(true, false, "v2", Some(rollout.clone())),
            true,
            Some(("Updated", false)),
            2,
            Some("Synced"),
        ),
        (
            "a repair (same versions, written)",
            ok.clone(),
            facts(1, 20),
            synced(true, false, "v1", None),
            true,
            Some(("Updated", false)),
            0,
            Some("Synced"),
        ),
        (
            "in sync again after a failure: said once",
            failing.clone(),
            facts(1, 20),
            synced(false, false, "v1", None),
            true,
            Some(("Synced", false)),
            0,
            Some("Synced"),
        ),
        (
            "a first failure warns",
            ok.clone(),
            facts(1, 20),
            Outcome::Failed(error(Reason::ProviderError)),
            true,
            Some(("SyncFailed", true)),
            0,
            Some("ProviderError"),
        ),
        (
            "the same failure again: counted, neither written nor announced",
            failing.clone(),
            facts(1, 20),
            Outcome::Failed(error(Reason::ProviderError)),
            false,
            None,
            0,
            Some("ProviderError"),
        ),
        (
            "the same failure after a spec edit: announced",
            failing.clone(),
            facts(2, 20),
            Outcome::Failed(error(Reason::ProviderError)),
            true,
            Some(("SyncFailed", true)),
            0,
            Some("ProviderError"),
        ),
        (
            "missing, kept with a pending deletion",
            ok.clone(),
            facts(1, 20),
            Outcome::Missing {
                error: error(Reason::SecretNotFound),
                pending: Some(pending.clone()),
                recheck: Some(Duration::from_secs(3)),
                deleted: None,
            },
            true,
            Some(("SyncFailed", true)),
            0,
            Some("SecretNotFound"),
        ),
        (
            "missing and deleted: the deletion is announced first",
            ok.clone(),
            facts(1, 20),
            Outcome::Missing {
                error: error(Reason::SecretNotFound),
                pending: None,
                recheck: None,
                deleted: Some(Removed::Secret("confirmed gone for 3s".into())),
            },
            true,
            Some(("SyncFailed", true)),
            1,
            Some("SecretNotFound"),
        ),
        (
            "missing and keys removed: the removal is announced first",
            ok.clone(),
            facts(1, 20),
            Outcome::Missing {
                error: error(Reason::SecretNotFound),
                pending: None,
                recheck: None,
                deleted: Some(Removed::Keys {
                    keys: vec!["password".into()],
                    why: "confirmed gone for 3s".into(),
                }),
            },
            true,
            Some(("SyncFailed", true)),
            1,
            Some("SecretNotFound"),
        ),
        (
            "creationPolicy None after a sync: Ready with its own message, announced",
            ok.clone(),
            facts(1, 20),
            Outcome::ReadOnly { versions: 1 },
            true,
            Some(("Synced", false)),
            0,
            Some("Synced"),
        ),
        (
            "creationPolicy None, first read: announced",
            ExternalSecretStatus::default(),
            facts(1, 20),
            Outcome::ReadOnly { versions: 2 },
            true,
            Some(("Synced", false)),
            0,
            Some("Synced"),
        ),
    ];
    for (what, old, facts, outcome, writes, want_verdict, done, result) in cases {
        let r = next_status(&old, &facts, outcome);
        assert_eq!(r.status.is_some(), writes, "{what}: status written");
        assert_eq!(verdict(&r), want_verdict, "{what}: verdict");
        assert_eq!(r.done.len(), done, "{what}: done Events {:?}", r.done);
        assert_eq!(r.result, result, "{what}: counted result");
    }
}

#[test]
fn a_sync_records_what_it_read_and_a_failure_keeps_it() {
    let ok = synced_status();
    assert_eq!(ok.synced_versions, versions("v1"));
    assert_eq!(ok.observed_generation, Some(1));
    assert_eq!(ok.refresh_time, Some(at(0)));
    assert_eq!(ok.last_force_sync.as_deref(), Some("f2"));
    assert_eq!(ok.observed_metadata.as_deref(), Some("meta-2"));
    assert_eq!(ready_of(&ok.conditions), Some(("True", "Synced")));

    // A failure keeps the versions, the refresh time and a recorded pending deletion.
    let with_pending = ExternalSecretStatus {
        remote_deletion: Some(RemoteDeletion {
            confirmed_since: at(5),
            generation: 1,
        }),
        ..ok.clone()
    };
    let failed = next_status(
        &with_pending,
        &facts(1, 30),
        Outcome::Failed(error(Reason::ProviderError)),
    )
    .status
    .unwrap_or_default();
    assert_eq!(failed.synced_versions, versions("v1"));
    assert_eq!(failed.refresh_time, Some(at(0)));
    assert_eq!(failed.remote_deletion, with_pending.remote_deletion);
    assert_eq!(
        ready_of(&failed.conditions),
        Some(("False", "ProviderError"))
    );

    // A Missing outcome replaces the pending deletion with its own (here: none any more).
    let missing = next_status(
        &with_pending,
        &facts(1, 30),
        Outcome::Missing {
            error: error(Reason::SecretNotFound),
            pending: None,
            recheck: None,
            deleted: None,
        },
    )
    .status
    .unwrap_or_default();
    assert_eq!(missing.remote_deletion, None);

    // A rotation records its restarts; the next new versions without a rollout clear them.
    let rotated = next_status(
        &ok,
        &facts(1, 40),
        synced(
            true,
            false,
            "v2",
            Some(RolloutReport {
                restarted: vec!["Deployment/api".into()],
                skipped: vec![],
            }),
        ),
    )
    .status
    .unwrap_or_default();
    assert_eq!(
        rotated.restarted_workloads,
        vec!["Deployment/api".to_string()]
    );
    assert_eq!(rotated.last_rotation_time, Some(at(40)));
    let next = next_status(&rotated, &facts(1, 50), synced(true, false, "v3", None))
        .status
        .unwrap_or_default();
    assert!(next.restarted_workloads.is_empty());
    assert_eq!(next.last_rotation_time, Some(at(40)));

    // A sync that read nothing keeps refreshTime, the force-sync marker and the metadata digest.
    let unread = next_status(
        &ok,
        &Facts {
            force: Some("f3".into()),
            metadata: "meta-3".into(),
            ..facts(2, 60)
        },
        Outcome::Synced {
            wrote: true,
            created: false,
            refreshed: false,
            synced_versions: versions("v1"),
            rollout: None,
            source: None,
        },
    )
    .status
    .unwrap_or_default();
    assert_eq!(unread.refresh_time, Some(at(0)));
    assert_eq!(unread.last_force_sync.as_deref(), Some("f2"));
    assert_eq!(unread.observed_metadata.as_deref(), Some("meta-2"));
    assert_eq!(unread.observed_generation, Some(2));
    assert_eq!(
        unread.synced_from.as_deref(),
        Some("SecretStore/prod/aws (us-east-1)")
    );
}

#[test]
fn the_interval_warning_is_carried_and_lifted() {
    let ok = synced_status();
    let raised = Facts {
        interval_raised: Some("refreshInterval \"1ms\" is below the controller's minimum".into()),
        ..facts(1, 10)
    };
    let warned = next_status(&ok, &raised, Outcome::UpToDate(None));
    // UpToDate returns before the warning (as before): nothing is written.
    assert!(warned.status.is_none());
    let confirmed = next_status(
        &ok,
        &Facts {
            now: at(400),
            ..raised.clone()
        },
        Outcome::Confirmed {
            source: "SecretStore/prod/aws (us-east-1)".into(),
        },
    )
    .status
    .unwrap_or_default();
    assert!(
        confirmed
            .conditions
            .iter()
            .any(|c| c.message.contains("below the controller's minimum")),
        "{:?}",
        confirmed.conditions
    );
}

/// `creationPolicy: None` (ESO: Ready, "secret synced"): Ready=True with its own message and the
/// refresh recorded; syncedVersions and syncedFrom keep what the Secret was last written with (no
/// Secret was written now); a second read with nothing new announces nothing; no restart is recorded.
#[test]
fn creation_policy_none_is_ready_without_claiming_a_write() {
    let ok = synced_status();
    let r = next_status(&ok, &facts(2, 40), Outcome::ReadOnly { versions: 3 });
    let s = r.status.clone().unwrap_or_default();
    assert_eq!(ready_of(&s.conditions), Some(("True", "Synced")));
    let message = s
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.message.clone())
        .unwrap_or_default();
    assert_eq!(
        message,
        "creationPolicy None: 3 remote version(s) read and checked; no Secret is written"
    );
    assert_eq!(s.synced_versions, ok.synced_versions);
    assert_eq!(s.synced_from, ok.synced_from);
    assert_eq!(s.refresh_time, Some(at(40)));
    assert_eq!(s.observed_generation, Some(2));
    assert_eq!(s.restarted_workloads, ok.restarted_workloads);
    assert!(r.done.is_empty(), "no rollout, no deletion");
    let again = next_status(&s, &facts(2, 50), Outcome::ReadOnly { versions: 3 });
    assert_eq!(again.verdict, None, "nothing new to announce");
    assert_eq!(again.result, Some("Synced"));
}

/// `syncedGeneration` is the generation of the last refresh that read AWS: a failure or a finished
/// rollout (nothing read) keeps it, so a failed spec edit stays a spec change.
#[test]
fn synced_generation_moves_only_with_a_successful_read() {
    let ok = synced_status();
    assert_eq!(ok.synced_generation, Some(1));
    let failed = next_status(
        &ok,
        &facts(2, 10),
        Outcome::Failed(error(Reason::ProviderError)),
    )
    .status
    .unwrap_or_default();
    assert_eq!(
        (failed.observed_generation, failed.synced_generation),
        (Some(2), Some(1))
    );
    let resumed = Outcome::Synced {
        wrote: false,
        created: false,
        refreshed: false,
        synced_versions: versions("v2"),
        rollout: None,
        source: None,
    };
    let r = next_status(&failed, &facts(2, 20), resumed)
        .status
        .unwrap_or_default();
    assert_eq!(r.synced_generation, Some(1));
    let r = next_status(&failed, &facts(2, 30), synced(true, false, "v2", None))
        .status
        .unwrap_or_default();
    assert_eq!(r.synced_generation, Some(2));
    let read_only = next_status(&failed, &facts(2, 40), Outcome::ReadOnly { versions: 1 })
        .status
        .unwrap_or_default();
    assert_eq!(read_only.synced_generation, Some(2));
}
