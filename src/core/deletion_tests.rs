use super::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).expect("valid timestamp")
}

const GRACE: Duration = Duration::from_secs(60);

/// Every creation policy.
const ALL_CREATION: [CreationPolicy; 5] = [
    CreationPolicy::Owner,
    CreationPolicy::Orphan,
    CreationPolicy::Merge,
    CreationPolicy::CreateOrMerge,
    CreationPolicy::None,
];

/// Every combination of the inputs; the expected decision is spelled out independently.
#[test]
fn table_over_all_inputs() {
    use RemoteState::*;
    let remotes: [&[(String, RemoteState)]; 6] = [
        &[],
        &[("a".to_string(), Deleted)],
        &[("a".to_string(), Deleted), ("b".to_string(), Deleted)],
        &[("a".to_string(), Deleted), ("b".to_string(), Present)],
        &[("a".to_string(), Deleted), ("b".to_string(), Unknown)],
        &[("a".to_string(), Present)],
    ];
    let early = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 1,
    };
    let other_generation = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 0,
    };
    let pendings = [None, Some(&early), Some(&other_generation)];
    let full = ObservedTarget {
        uid: Some("u1".into()),
        resource_version: Some("41".into()),
    };
    let no_uid = ObservedTarget {
        uid: None,
        resource_version: Some("41".into()),
    };
    let no_rv = ObservedTarget {
        uid: Some("u1".into()),
        resource_version: None,
    };
    let targets = [None, Some(&full), Some(&no_uid), Some(&no_rv)];
    for deletion_policy in [
        DeletionPolicy::Retain,
        DeletionPolicy::Delete,
        DeletionPolicy::Merge,
    ] {
        for creation_policy in ALL_CREATION {
            for target in targets {
                for remote in remotes {
                    for (spec_changed, same_source) in
                        [(false, true), (true, true), (false, false), (true, false)]
                    {
                        for pending in pendings {
                            for now in [at(10), at(60), at(600)] {
                                let i = DeletionInputs {
                                    deletion_policy,
                                    creation_policy,
                                    target,
                                    remote,
                                    spec_changed,
                                    same_source,
                                    generation: Some(1),
                                    pending,
                                    now,
                                    grace: GRACE,
                                };
                                let got = decide_deletion(&i);
                                let all_gone =
                                    !remote.is_empty() && remote.iter().all(|(_, s)| *s == Deleted);
                                // Delete: Owner only; Merge: any policy that writes a Secret.
                                let acts = match deletion_policy {
                                    DeletionPolicy::Retain => false,
                                    DeletionPolicy::Delete => {
                                        creation_policy == CreationPolicy::Owner
                                    }
                                    DeletionPolicy::Merge => {
                                        creation_policy != CreationPolicy::None
                                    }
                                };
                                let eligible =
                                    acts && target.is_some_and(|t| {
                                        t.uid.is_some() && t.resource_version.is_some()
                                    }) && all_gone
                                        && same_source
                                        && !spec_changed;
                                let same_gen = pending.is_some_and(|p| p.generation == 1);
                                let expected_kind = if !eligible {
                                    "keep"
                                } else if !same_gen {
                                    "start"
                                } else if now >= at(60) && deletion_policy == DeletionPolicy::Merge
                                {
                                    "remove keys"
                                } else if now >= at(60) {
                                    "delete"
                                } else {
                                    "wait"
                                };
                                let kind = match &got {
                                    DeletionDecision::Keep(_) => "keep",
                                    DeletionDecision::StartGrace => "start",
                                    DeletionDecision::Wait(_) => "wait",
                                    DeletionDecision::RemoveKeys(p) => {
                                        let t = target.expect("a removal has a target");
                                        assert_eq!(Some(&p.uid), t.uid.as_ref());
                                        assert_eq!(
                                            Some(&p.resource_version),
                                            t.resource_version.as_ref()
                                        );
                                        "remove keys"
                                    }
                                    DeletionDecision::Delete(p) => {
                                        // The preconditions are those of the Secret checked.
                                        let t = target.expect("a deletion has a target");
                                        assert_eq!(Some(&p.uid), t.uid.as_ref());
                                        assert_eq!(
                                            Some(&p.resource_version),
                                            t.resource_version.as_ref()
                                        );
                                        "delete"
                                    }
                                };
                                assert_eq!(kind, expected_kind, "{i:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn remote_names_cover_data_extract_and_previous_find_matches() {
    use crate::api::{ExternalSecretData, ExternalSecretDataFrom, FindRef, RemoteRef};
    let r = |k: &str| RemoteRef {
        key: k.into(),
        ..Default::default()
    };
    let mut spec = ExternalSecretSpec {
        secret_store_ref: Default::default(),
        refresh_interval: "1h".into(),
        refresh_policy: Default::default(),
        sync_windows: None,
        target: Default::default(),
        data: vec![ExternalSecretData {
            source_ref: None,
            secret_key: "p".into(),
            remote_ref: RemoteRef {
                version_stage: Some("AWSPREVIOUS".into()),
                ..r("prod/db")
            },
        }],
        data_from: vec![],
        rollout_restart_targets: vec![],
    };
    spec.data_from.push(ExternalSecretDataFrom {
        extract: Some(r("prod/app")),
        ..Default::default()
    });
    let previous: BTreeMap<String, String> = [
        ("prod/db@AWSPREVIOUS", "1"),
        ("prod/app", "2"),
        ("prod/shared/x", "3"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(
        remote_names(&spec, &previous),
        Some(vec!["prod/app".to_string(), "prod/db".to_string()]),
        "without a find, earlier record entries are not remote names"
    );
    spec.data_from.push(ExternalSecretDataFrom {
        find: Some(FindRef::default()),
        ..Default::default()
    });
    assert_eq!(
        remote_names(&spec, &previous),
        Some(vec![
            "prod/app".to_string(),
            "prod/db".to_string(),
            "prod/shared/x".to_string()
        ])
    );
    let mut typo = spec.clone();
    typo.data[0].remote_ref.key = "prod/dbb".into();
    assert_eq!(
        remote_names(&typo, &previous),
        None,
        "a name that was never synced is never a deleted secret"
    );
    let compact = crate::core::versions::bounded(
        (0..500)
            .map(|i| (format!("k{i}"), "v".to_string()))
            .collect(),
    );
    assert_eq!(remote_names(&spec, &compact), None);
}

fn observed() -> ObservedTarget {
    ObservedTarget {
        uid: Some("u1".into()),
        resource_version: Some("7".into()),
    }
}

#[test]
fn wait_reports_remaining_grace() {
    let pending = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 3,
    };
    let remote = [("a".to_string(), RemoteState::Deleted)];
    let i = DeletionInputs {
        deletion_policy: DeletionPolicy::Delete,
        creation_policy: CreationPolicy::Owner,
        target: Some(&observed()),
        remote: &remote,
        spec_changed: false,
        same_source: true,
        generation: Some(3),
        pending: Some(&pending),
        now: at(15),
        grace: GRACE,
    };
    assert_eq!(
        decide_deletion(&i),
        DeletionDecision::Wait(Duration::from_secs(45))
    );
}

#[test]
fn keep_reasons_name_the_remote_secret() {
    let remote = [
        ("gone".to_string(), RemoteState::Deleted),
        ("prod/db".to_string(), RemoteState::Present),
    ];
    let i = DeletionInputs {
        deletion_policy: DeletionPolicy::Delete,
        creation_policy: CreationPolicy::Owner,
        target: Some(&observed()),
        remote: &remote,
        spec_changed: false,
        same_source: true,
        generation: Some(1),
        pending: None,
        now: at(0),
        grace: GRACE,
    };
    assert_eq!(
        decide_deletion(&i),
        DeletionDecision::Keep("remote secret \"prod/db\" still exists".into())
    );
}

/// Every (deletionPolicy, creationPolicy, Secret exists, names synced, keys left) combination: only
/// Delete with Owner, or Merge with a policy that writes a Secret, an existing Secret (holding keys
/// of this ExternalSecret, for Merge) and names all synced ask the service.
#[test]
fn only_an_actionable_synced_secret_asks_the_service() {
    use crate::api::{ExternalSecretData, RemoteRef};
    for policy in [
        DeletionPolicy::Retain,
        DeletionPolicy::Delete,
        DeletionPolicy::Merge,
    ] {
        for creation in ALL_CREATION {
            for exists in [false, true] {
                for synced in [false, true] {
                    for keys_left in [false, true] {
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
                                    key: "app/db".into(),
                                    ..Default::default()
                                },
                            }],
                            data_from: vec![],
                            rollout_restart_targets: vec![],
                        };
                        spec.target.deletion_policy = policy;
                        spec.target.creation_policy = creation;
                        let previous: BTreeMap<String, String> = if synced {
                            [("app/db".to_string(), "v1".to_string())].into()
                        } else {
                            BTreeMap::new()
                        };
                        let got = to_confirm(&spec, &previous, exists, keys_left);
                        let acts = match policy {
                            DeletionPolicy::Retain => false,
                            DeletionPolicy::Delete => creation == CreationPolicy::Owner,
                            DeletionPolicy::Merge => creation != CreationPolicy::None,
                        };
                        let merge = policy == DeletionPolicy::Merge;
                        let asks = acts && exists && synced && (keys_left || !merge);
                        let case = format!("{policy:?} {creation:?} {exists} {synced} {keys_left}");
                        match got {
                            Ok(names) => {
                                assert!(asks, "{case}");
                                assert_eq!(names, ["app/db"]);
                            }
                            Err(NotAsked::KeysRemoved) => {
                                assert!(!asks, "{case}");
                                assert!(merge && acts && exists && synced && !keys_left, "{case}");
                            }
                            Err(NotAsked::Kept(why)) => {
                                assert!(!asks, "{case}: {why}");
                                let expected = if policy == DeletionPolicy::Retain {
                                    "Retain"
                                } else if !synced {
                                    "never synced"
                                } else if !acts && merge {
                                    "None"
                                } else if !acts {
                                    "Owner"
                                } else {
                                    "does not exist"
                                };
                                assert!(why.contains(expected), "{case}: {why}");
                            }
                        }
                    }
                }
            }
        }
    }
}
