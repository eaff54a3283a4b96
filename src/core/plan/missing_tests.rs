use super::*;
use crate::api::{CreationPolicy, DeletionPolicy};
use crate::core::deletion::{ObservedTarget, RemoteState};
use jiff::Timestamp;

const GRACE: Duration = Duration::from_secs(60);

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).expect("valid timestamp")
}

fn not_found() -> SyncError {
    SyncError::new(Reason::SecretNotFound, "secret \"db\" not found")
}

fn missing(message: &str, pending: Option<RemoteDeletion>, recheck: Option<u64>) -> Outcome {
    Outcome::Missing {
        error: SyncError::new(Reason::SecretNotFound, message),
        pending,
        recheck: recheck.map(Duration::from_secs),
        deleted: None,
    }
}

/// Every decision of the deletion rule, and the exact outcome reported for it (and, for a deletion,
/// for each answer of the API server).
#[test]
fn every_decision_and_its_outcome() {
    let target = ObservedTarget {
        uid: Some("u1".into()),
        resource_version: Some("41".into()),
    };
    let deleted = [("db".to_string(), RemoteState::Deleted)];
    let present = [("db".to_string(), RemoteState::Present)];
    let recorded = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 1,
    };
    let names = ["db".to_string()];
    let error = not_found();
    let facts = MissingFacts {
        error: &error,
        names: &names,
        service: "Secrets Manager",
        target_name: "app",
    };
    let inputs = |target, remote, pending, now| DeletionInputs {
        deletion_policy: DeletionPolicy::Delete,
        creation_policy: CreationPolicy::Owner,
        target,
        remote,
        spec_changed: false,
        same_source: true,
        generation: Some(1),
        pending,
        now,
        grace: GRACE,
    };
    let kept = "secret \"db\" not found; the Secret keeps its last data (remote secret \"db\" still exists)";
    let cases: Vec<(DeletionInputs<'_>, MissingPlan)> = vec![
        // Still there: kept, saying why.
        (
            inputs(Some(&target), &present, None, at(10)),
            MissingPlan::Report(missing(kept, None, None)),
        ),
        // No Secret: nothing to keep, the error alone.
        (
            inputs(None, &deleted, None, at(10)),
            MissingPlan::Report(missing("secret \"db\" not found", None, None)),
        ),
        // First confirmation: recorded, back after the grace period.
        (
            inputs(Some(&target), &deleted, None, at(10)),
            MissingPlan::Report(missing(
                "Secrets Manager confirms remote secret(s) db deleted; the Secret is deleted \
                 (deletionPolicy Delete) if that still holds after 60s",
                Some(RemoteDeletion {
                    confirmed_since: Time(at(10)),
                    generation: 1,
                }),
                Some(60),
            )),
        ),
        // Confirmed before, grace not over: the record stays, back for the rest.
        (
            inputs(Some(&target), &deleted, Some(&recorded), at(45)),
            MissingPlan::Report(missing(
                "Secrets Manager confirms remote secret(s) db deleted; the Secret is deleted \
                 (deletionPolicy Delete) if that still holds in 15s",
                Some(recorded.clone()),
                Some(15),
            )),
        ),
        // Confirmed twice, grace over: deleted only as checked, each answer reported exactly.
        (
            inputs(Some(&target), &deleted, Some(&recorded), at(60)),
            MissingPlan::Delete(Box::new(DeletePlan {
                preconditions: Preconditions {
                    uid: "u1".into(),
                    resource_version: "41".into(),
                },
                why: "remote secret(s) db deleted in Secrets Manager (confirmed twice, 60s apart)"
                    .into(),
                deleted: Outcome::Missing {
                    error: SyncError::new(
                        Reason::SecretNotFound,
                        "Secret \"app\" deleted: remote secret(s) db deleted in Secrets Manager \
                         (confirmed twice, 60s apart)",
                    ),
                    pending: None,
                    recheck: None,
                    deleted: Some(Removed::Secret(
                        "remote secret(s) db deleted in Secrets Manager (confirmed twice, 60s apart)"
                            .into(),
                    )),
                },
                already_gone: missing(
                    "Secret \"app\" is already gone: remote secret(s) db deleted in Secrets \
                     Manager (confirmed twice, 60s apart)",
                    None,
                    None,
                ),
                conflict: Outcome::Missing {
                    error: SyncError::new(
                        Reason::TargetConflict,
                        "Secret \"app\" was replaced or changed while the deletion of remote \
                         secret(s) db was being confirmed; it was not deleted",
                    ),
                    pending: None,
                    recheck: None,
                    deleted: None,
                },
            })),
        ),
    ];
    for (i, expected) in cases {
        assert_eq!(plan_missing(&i, facts), expected, "{i:?}");
    }
}

/// Only a deletion deletes: over the whole input space of the rule, a plan that is not `Delete` (or
/// `RemoveKeys`) never carries `deleted`; a `Delete` plan comes only from deletionPolicy Delete with
/// Owner, a `RemoveKeys` plan only from deletionPolicy Merge, each with the checked Secret's
/// preconditions.
#[test]
fn only_a_delete_plan_deletes() {
    let full = ObservedTarget {
        uid: Some("u1".into()),
        resource_version: Some("41".into()),
    };
    let states = [
        RemoteState::Present,
        RemoteState::Deleted,
        RemoteState::Unknown,
    ];
    let recorded = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 1,
    };
    let names = ["db".to_string()];
    let error = not_found();
    let facts = MissingFacts {
        error: &error,
        names: &names,
        service: "Parameter Store",
        target_name: "app",
    };
    for deletion_policy in [
        DeletionPolicy::Retain,
        DeletionPolicy::Delete,
        DeletionPolicy::Merge,
    ] {
        for creation_policy in [
            CreationPolicy::Owner,
            CreationPolicy::Orphan,
            CreationPolicy::Merge,
            CreationPolicy::CreateOrMerge,
            CreationPolicy::None,
        ] {
            for target in [None, Some(&full)] {
                for state in states {
                    let remote = [("db".to_string(), state)];
                    for pending in [None, Some(&recorded)] {
                        for now in [at(10), at(600)] {
                            let i = DeletionInputs {
                                deletion_policy,
                                creation_policy,
                                target,
                                remote: &remote,
                                spec_changed: false,
                                same_source: true,
                                generation: Some(1),
                                pending,
                                now,
                                grace: GRACE,
                            };
                            match plan_missing(&i, facts) {
                                MissingPlan::Report(Outcome::Missing { deleted, .. }) => {
                                    assert_eq!(deleted, None, "{i:?}")
                                }
                                MissingPlan::Report(other) => panic!("{other:?} for {i:?}"),
                                MissingPlan::RemoveKeys(d) => {
                                    assert_eq!(deletion_policy, DeletionPolicy::Merge);
                                    assert_ne!(creation_policy, CreationPolicy::None);
                                    assert_eq!(state, RemoteState::Deleted);
                                    assert_eq!(d.preconditions.uid, "u1");
                                    assert_eq!(d.preconditions.resource_version, "41");
                                    // Only the answer to a removal that happened says so.
                                    for o in [&d.nothing_left, &d.conflict] {
                                        assert!(matches!(
                                            o,
                                            Outcome::Missing { deleted: None, .. }
                                        ));
                                    }
                                }
                                MissingPlan::Delete(d) => {
                                    assert_eq!(deletion_policy, DeletionPolicy::Delete);
                                    assert_eq!(creation_policy, CreationPolicy::Owner);
                                    assert_eq!(state, RemoteState::Deleted);
                                    assert_eq!(d.preconditions.uid, "u1");
                                    assert_eq!(d.preconditions.resource_version, "41");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn keep_mentions_the_secret_only_when_there_is_one() {
    let e = not_found();
    let with = keep(&e, "deletionPolicy is Retain", true);
    let without = keep(&e, "deletionPolicy is Retain", false);
    let message = |o: &Outcome| match o {
        Outcome::Missing { error, .. } => error.message.clone(),
        _ => String::new(),
    };
    assert_eq!(
        message(&with),
        "secret \"db\" not found; the Secret keeps its last data (deletionPolicy is Retain)"
    );
    assert_eq!(message(&without), "secret \"db\" not found");
}

/// deletionPolicy Merge: the grace period is announced in its own words, and once it is over the
/// plan removes this ExternalSecret's keys (never the Secret), each answer reported exactly.
#[test]
fn merge_removes_keys_after_the_grace_period() {
    let target = ObservedTarget {
        uid: Some("u1".into()),
        resource_version: Some("41".into()),
    };
    let deleted = [("db".to_string(), RemoteState::Deleted)];
    let recorded = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 1,
    };
    let names = ["db".to_string()];
    let error = not_found();
    let facts = MissingFacts {
        error: &error,
        names: &names,
        service: "Secrets Manager",
        target_name: "app",
    };
    for creation_policy in [
        CreationPolicy::Owner,
        CreationPolicy::Orphan,
        CreationPolicy::Merge,
        CreationPolicy::CreateOrMerge,
    ] {
        let inputs = |pending, now| DeletionInputs {
            deletion_policy: DeletionPolicy::Merge,
            creation_policy,
            target: Some(&target),
            remote: &deleted,
            spec_changed: false,
            same_source: true,
            generation: Some(1),
            pending,
            now,
            grace: GRACE,
        };
        assert_eq!(
            plan_missing(&inputs(None, at(10)), facts),
            MissingPlan::Report(missing(
                "Secrets Manager confirms remote secret(s) db deleted; this ExternalSecret's keys \
                 are removed from the Secret (deletionPolicy Merge) if that still holds after 60s",
                Some(RemoteDeletion {
                    confirmed_since: Time(at(10)),
                    generation: 1,
                }),
                Some(60),
            ))
        );
        assert_eq!(
            plan_missing(&inputs(Some(&recorded), at(45)), facts),
            MissingPlan::Report(missing(
                "Secrets Manager confirms remote secret(s) db deleted; this ExternalSecret's keys \
                 are removed from the Secret (deletionPolicy Merge) if that still holds in 15s",
                Some(recorded.clone()),
                Some(15),
            ))
        );
        let why = "remote secret(s) db deleted in Secrets Manager (confirmed twice, 60s apart)";
        let MissingPlan::RemoveKeys(plan) = plan_missing(&inputs(Some(&recorded), at(60)), facts)
        else {
            panic!("{creation_policy:?}: the keys are removed");
        };
        assert_eq!(
            plan.preconditions,
            Preconditions {
                uid: "u1".into(),
                resource_version: "41".into(),
            }
        );
        assert_eq!(plan.why, why);
        assert_eq!(
            plan.removed(vec!["password".into(), "user".into()]),
            Outcome::Missing {
                error: SyncError::new(
                    Reason::SecretNotFound,
                    format!(
                        "this ExternalSecret's key(s) password, user removed from Secret \"app\", \
                         which stays (deletionPolicy Merge): {why}"
                    ),
                ),
                pending: None,
                recheck: None,
                deleted: Some(Removed::Keys {
                    keys: vec!["password".into(), "user".into()],
                    why: why.into(),
                }),
            }
        );
        assert_eq!(
            plan.nothing_left,
            missing(
                &format!("Secret \"app\" holds none of this ExternalSecret's keys: {why}"),
                None,
                None
            )
        );
        assert_eq!(
            plan.conflict,
            Outcome::Missing {
                error: SyncError::new(
                    Reason::TargetConflict,
                    "Secret \"app\" was replaced or changed while the deletion of remote \
                     secret(s) db was being confirmed; its keys were not removed",
                ),
                pending: None,
                recheck: None,
                deleted: None,
            }
        );
    }
}

/// Before any call: the Secret kept (and why), keys removed already, or the names to ask about.
#[test]
fn before_confirming_reports_without_asking_or_names_what_to_ask() {
    use crate::api::{ExternalSecretData, ExternalSecretSpec, RemoteRef};
    let mut spec = ExternalSecretSpec {
        secret_store_ref: Default::default(),
        refresh_interval: "1h".into(),
        refresh_policy: Default::default(),
        sync_windows: None,
        target: Default::default(),
        data: vec![ExternalSecretData {
            source_ref: None,
            secret_key: "k".into(),
            remote_ref: RemoteRef {
                key: "db".into(),
                ..Default::default()
            },
        }],
        data_from: vec![],
        rollout_restart_targets: vec![],
    };
    let previous = std::collections::BTreeMap::from([("db".to_string(), "v1".to_string())]);
    let error = not_found();
    // Retain: kept, the Secret says so.
    assert_eq!(
        before_confirming(&spec, &previous, true, true, &error),
        Err(Box::new(keep(&error, "deletionPolicy Retain", true)))
    );
    spec.target.deletion_policy = DeletionPolicy::Merge;
    spec.target.creation_policy = CreationPolicy::CreateOrMerge;
    assert_eq!(
        before_confirming(&spec, &previous, true, true, &error),
        Ok(vec!["db".to_string()])
    );
    // The keys were removed at an earlier reconcile: nothing to ask, and the status says so.
    assert_eq!(
        before_confirming(&spec, &previous, true, false, &error),
        Err(Box::new(missing(
            "secret \"db\" not found; this ExternalSecret's keys were removed from the Secret, \
             which stays (deletionPolicy Merge)",
            None,
            None
        )))
    );
    // No Secret: nothing to remove keys from.
    assert_eq!(
        before_confirming(&spec, &previous, false, true, &error),
        Err(Box::new(missing("secret \"db\" not found", None, None)))
    );
}
