use super::*;
use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, EnvVarSource, PodSpec, ProjectedVolumeSource,
    SecretEnvSource, SecretKeySelector, SecretProjection, SecretVolumeSource, Volume,
    VolumeProjection,
};

/// The plan with Reloader's annotations on, with Reloader's default names.
fn plan(
    workloads: &[WorkloadView],
    managed: &[ManagedSecret],
    rotated: &BTreeSet<String>,
) -> Vec<PlannedWorkload> {
    super::plan(
        workloads,
        managed,
        rotated,
        Some(&crate::core::reload::ReloaderOptions::default()),
    )
}

fn versions(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn view(kind: WorkloadKind, name: &str) -> WorkloadView {
    WorkloadView {
        kind,
        name: name.into(),
        reload: None,
        referenced: BTreeSet::new(),
        marker: None,
        paused: false,
        reloader: ReloaderInputs::default(),
    }
}

fn managed(name: &str, record: &[(&str, &str)], listed: &[(WorkloadKind, &str)]) -> ManagedSecret {
    ManagedSecret {
        name: name.into(),
        record: versions(record),
        listed: listed.iter().map(|(k, n)| (*k, n.to_string())).collect(),
        reloader_ignore: false,
    }
}

/// A pod with one container and no reference.
fn one_container() -> PodSpec {
    PodSpec {
        containers: vec![Container {
            name: "app".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A pod reading Secret `db` through `envFrom`.
fn env_from_db() -> PodSpec {
    PodSpec {
        containers: vec![Container {
            name: "app".into(),
            env_from: Some(vec![EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: "db".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn rotated(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn markers_follow_versions_and_secret_names_only() {
    let rel = |pairs: &[(&str, &[(&str, &str)])]| -> BTreeMap<String, BTreeMap<String, String>> {
        pairs
            .iter()
            .map(|(s, r)| (s.to_string(), versions(r)))
            .collect()
    };
    let a = rel(&[("db", &[("prod/db", "1")])]);
    assert_eq!(workload_marker(&a), workload_marker(&a.clone()));
    assert_ne!(
        workload_marker(&a),
        workload_marker(&rel(&[("db", &[("prod/db", "2")])]))
    );
    assert_ne!(
        workload_marker(&a),
        workload_marker(&rel(&[("db2", &[("prod/db", "1")])]))
    );
    assert!(workload_marker(&a).len() < 64);
}

fn pod(containers: Vec<Container>, init: Vec<Container>, volumes: Vec<Volume>) -> PodSpec {
    PodSpec {
        containers,
        init_containers: Some(init),
        volumes: Some(volumes),
        ..Default::default()
    }
}

#[test]
fn finds_every_kind_of_reference() {
    let env = Container {
        env: Some(vec![EnvVar {
            name: "P".into(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: "db".into(),
                    key: "password".into(),
                    optional: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let env_from = Container {
        env_from: Some(vec![EnvFromSource {
            secret_ref: Some(SecretEnvSource {
                name: "db".into(),
                optional: None,
            }),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let secret_volume = Volume {
        name: "v".into(),
        secret: Some(SecretVolumeSource {
            secret_name: Some("db".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let projected = Volume {
        name: "p".into(),
        projected: Some(ProjectedVolumeSource {
            sources: Some(vec![VolumeProjection {
                secret: Some(SecretProjection {
                    name: "db".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert!(references_secret(
        &pod(vec![env.clone()], vec![], vec![]),
        "db"
    ));
    assert!(
        references_secret(&pod(vec![], vec![env.clone()], vec![]), "db"),
        "init containers count"
    );
    assert!(references_secret(
        &pod(vec![env_from], vec![], vec![]),
        "db"
    ));
    assert!(references_secret(
        &pod(vec![], vec![], vec![secret_volume]),
        "db"
    ));
    assert!(references_secret(
        &pod(vec![], vec![], vec![projected]),
        "db"
    ));
    assert!(!references_secret(&pod(vec![env], vec![], vec![]), "other"));
    assert!(!references_secret(&PodSpec::default(), "db"));
}

#[test]
fn plan_restarts_listed_and_opted_in_workloads_once() {
    let api = view(WorkloadKind::Deployment, "api");
    let mut worker = view(WorkloadKind::StatefulSet, "worker");
    worker.reload = Some("true".into());
    worker.referenced = rotated(&["db"]);
    let mut unrelated = view(WorkloadKind::DaemonSet, "agent");
    unrelated.reload = Some("true".into());
    let mut not_opted = view(WorkloadKind::Deployment, "web");
    not_opted.referenced = rotated(&["db"]);
    let secrets = [managed(
        "db",
        &[("prod/db", "2")],
        &[(WorkloadKind::Deployment, "api")],
    )];
    let p = plan(
        &[api.clone(), worker.clone(), unrelated, not_opted],
        &secrets,
        &rotated(&["db"]),
    );
    let actions: Vec<(String, WorkloadAction)> = p
        .iter()
        .map(|p| (p.workload.name.clone(), p.action.clone()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("api".into(), WorkloadAction::Restart),
            ("worker".into(), WorkloadAction::Restart)
        ]
    );
    // After the patch the marker is there: applying again does nothing.
    let done = WorkloadView {
        marker: Some(p[0].marker.clone()),
        ..api
    };
    assert_eq!(
        plan(&[done], &secrets, &rotated(&["db"]))[0].action,
        WorkloadAction::AlreadyDone
    );
}

#[test]
fn one_marker_covers_every_secret_of_a_workload() {
    // Three Secrets fed by one rotated remote secret, one Deployment reading all three.
    let mut w = view(WorkloadKind::Deployment, "api");
    w.reload = Some("true".into());
    w.referenced = rotated(&["s1", "s2", "s3"]);
    let secrets: Vec<ManagedSecret> = ["s1", "s2", "s3"]
        .iter()
        .map(|n| managed(n, &[("prod/shared", "2")], &[]))
        .collect();
    let first = plan(std::slice::from_ref(&w), &secrets, &rotated(&["s1"]));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].rotated, vec!["s1".to_string()]);
    // Whichever of the three asks, and in whatever combination, the marker is the same one.
    for batch in [&["s2"][..], &["s3"], &["s1", "s2", "s3"]] {
        let again = plan(std::slice::from_ref(&w), &secrets, &rotated(batch));
        assert_eq!(again[0].marker, first[0].marker);
    }
    let done = WorkloadView {
        marker: Some(first[0].marker.clone()),
        ..w.clone()
    };
    for batch in [&["s2"][..], &["s3"]] {
        assert_eq!(
            plan(std::slice::from_ref(&done), &secrets, &rotated(batch))[0].action,
            WorkloadAction::AlreadyDone
        );
    }
}

#[test]
fn plan_table_over_workload_flags() {
    let secrets = [managed("db", &[("k", "2")], &[])];
    for reload in [None, Some("true"), Some("false"), Some("yes")] {
        for references in [false, true] {
            for paused in [false, true] {
                for has_marker in [false, true] {
                    for is_rotated in [false, true] {
                        let mut w = view(WorkloadKind::Deployment, "api");
                        w.reload = reload.map(String::from);
                        w.paused = paused;
                        if references {
                            w.referenced = rotated(&["db"]);
                        }
                        let batch = if is_rotated {
                            rotated(&["db"])
                        } else {
                            rotated(&["other"])
                        };
                        let marker = plan(
                            &[WorkloadView {
                                reload: Some("true".into()),
                                referenced: rotated(&["db"]),
                                ..view(WorkloadKind::Deployment, "api")
                            }],
                            &secrets,
                            &rotated(&["db"]),
                        )[0]
                        .marker
                        .clone();
                        if has_marker {
                            w.marker = Some(marker);
                        }
                        let p = plan(&[w], &secrets, &batch);
                        let touched = reload == Some("true") && references && is_rotated;
                        let expected = if !touched {
                            None
                        } else if has_marker {
                            Some("done")
                        } else if paused {
                            Some("skip")
                        } else {
                            Some("restart")
                        };
                        let got = p.first().map(|p| match p.action {
                            WorkloadAction::Restart => "restart",
                            WorkloadAction::AlreadyDone => "done",
                            WorkloadAction::Skip(_) => "skip",
                        });
                        assert_eq!(
                            got, expected,
                            "reload={reload:?} refs={references} paused={paused} marker={has_marker} rotated={is_rotated}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn reload_false_and_paused_are_skipped_with_reasons() {
    let secrets = [managed(
        "db",
        &[("k", "2")],
        &[(WorkloadKind::Deployment, "api")],
    )];
    let excluded = WorkloadView {
        reload: Some("false".into()),
        referenced: rotated(&["db"]),
        ..view(WorkloadKind::Deployment, "api")
    };
    match &plan(&[excluded], &secrets, &rotated(&["db"]))[0].action {
        WorkloadAction::Skip(why) => assert!(why.contains("\"false\"")),
        other => panic!("{other:?}"),
    }
    let paused = WorkloadView {
        paused: true,
        ..view(WorkloadKind::Deployment, "api")
    };
    match &plan(&[paused], &secrets, &rotated(&["db"]))[0].action {
        WorkloadAction::Skip(why) => assert!(why.contains("paused")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn written_records_replace_a_lagging_cache_so_a_rotation_always_restarts() {
    use WorkloadKind::Deployment;
    let api = || {
        let mut v = view(Deployment, "api");
        v.referenced = rotated(&["db", "cache"]);
        v.reload = Some("true".into());
        v
    };
    let old_db = managed("db", &[("prod/db", "v1")], &[]);
    let new_db = managed("db", &[("prod/db", "v2")], &[]);
    let cache_secret = managed("cache", &[("prod/cache", "c1")], &[]);
    let listed_new = managed("fresh", &[("prod/fresh", "f1")], &[(Deployment, "api")]);
    // The workload already carries the marker of the old versions (restarted for them before).
    let mut current = api();
    current.marker = Some(workload_marker(
        &[old_db.clone(), cache_secret.clone()]
            .iter()
            .map(|s| (s.name.clone(), s.record.clone()))
            .collect(),
    ));
    // (cached view, written Secrets, expected action for the workload)
    let cases: Vec<(
        Vec<ManagedSecret>,
        Vec<ManagedSecret>,
        Option<WorkloadAction>,
    )> = vec![
        // Cache lagging: the written record wins.
        (
            vec![old_db.clone(), cache_secret.clone()],
            vec![new_db.clone()],
            Some(WorkloadAction::Restart),
        ),
        // Cache caught up: the same plan.
        (
            vec![new_db.clone(), cache_secret.clone()],
            vec![new_db.clone()],
            Some(WorkloadAction::Restart),
        ),
        // Cache without the Secret yet: it is added.
        (
            vec![cache_secret.clone()],
            vec![new_db.clone()],
            Some(WorkloadAction::Restart),
        ),
        // Written again with the versions the marker already has: already done, never twice.
        (
            vec![old_db.clone(), cache_secret.clone()],
            vec![old_db.clone()],
            Some(WorkloadAction::AlreadyDone),
        ),
        // A written Secret listing the workload restarts it even if the cache never saw it.
        (
            vec![cache_secret.clone()],
            vec![listed_new.clone()],
            Some(WorkloadAction::Restart),
        ),
    ];
    // The hazard: planned from a cache that has not seen the write, the marker is the old one.
    let stale = plan(
        &[current.clone()],
        &[old_db.clone(), cache_secret.clone()],
        &rotated(&["db"]),
    );
    assert_eq!(stale[0].action, WorkloadAction::AlreadyDone);
    for (i, (cached, written, expected)) in cases.into_iter().enumerate() {
        let managed = with_written(cached.clone(), &written);
        for w in &written {
            assert_eq!(
                managed
                    .iter()
                    .filter(|m| m.name == w.name)
                    .collect::<Vec<_>>(),
                vec![w],
                "case {i}: one entry per written Secret, as written"
            );
        }
        for c in cached
            .iter()
            .filter(|c| !written.iter().any(|w| w.name == c.name))
        {
            assert!(
                managed.contains(c),
                "case {i}: other Secrets stay as cached"
            );
        }
        let names: BTreeSet<String> = written.iter().map(|w| w.name.clone()).collect();
        let planned = plan(&[current.clone()], &managed, &names);
        assert_eq!(
            planned.first().map(|p| p.action.clone()),
            expected,
            "case {i}"
        );
    }
}

/// Reloader's annotations (with `--reloader-compat`) over every combination: which workloads a
/// rotation of Secret `db` restarts, once each, whatever else is set.
#[test]
fn reloader_annotations_restart_like_reloader_but_once_per_rotation() {
    let ann = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // (workload annotations, references db, db ignored, restarts)
    type Case<'a> = (&'a [(&'a str, &'a str)], bool, bool, bool);
    let cases: &[Case] = &[
        (&[], true, false, false),
        (&[(RELOADER_AUTO, "true")], true, false, true),
        (&[(RELOADER_AUTO, "true")], false, false, false),
        (&[(RELOADER_AUTO, "false")], true, false, false),
        (&[(RELOADER_AUTO, "true")], true, true, false),
        (&[(RELOADER_SECRET_AUTO, "true")], true, false, true),
        (&[(RELOADER_SECRET_RELOAD, "other, db")], false, false, true),
        (&[(RELOADER_SECRET_RELOAD, "other")], true, false, false),
        (&[(RELOADER_SECRET_RELOAD, "db")], false, true, false),
        (&[(RELOADER_SECRET_RELOAD, " db ,")], false, false, true),
        // Reloader's lists are regular expressions, anchored.
        (&[(RELOADER_SECRET_RELOAD, "d.*")], false, false, true),
        (&[(RELOADER_SECRET_RELOAD, "d")], false, false, false),
        // Reloader's exclude wins over auto.
        (
            &[
                (RELOADER_AUTO, "true"),
                ("secrets.exclude.reloader.stakater.com/reload", "db"),
            ],
            true,
            false,
            false,
        ),
        (
            &[(RELOADER_AUTO, "true"), (RELOADER_SECRET_RELOAD, "db")],
            true,
            false,
            true,
        ),
        (
            &[(RELOADER_AUTO, "true"), (RELOAD_ANNOTATION, "false")],
            true,
            false,
            false,
        ),
    ];
    for (annotations, references, ignored, want) in cases {
        let a = ann(annotations);
        let w = WorkloadView {
            reload: a.get(RELOAD_ANNOTATION).cloned(),
            referenced: if *references {
                rotated(&["db"])
            } else {
                BTreeSet::new()
            },
            reloader: ReloaderInputs {
                pod: if *references {
                    env_from_db()
                } else {
                    one_container()
                },
                annotations: a.clone(),
                template_annotations: BTreeMap::new(),
            },
            ..view(WorkloadKind::Deployment, "api")
        };
        let secret = ManagedSecret {
            reloader_ignore: *ignored,
            ..managed("db", &[("prod/db", "2")], &[])
        };
        let planned = plan(&[w], &[secret], &rotated(&["db"]));
        let restarts = planned.iter().any(|p| p.action == WorkloadAction::Restart);
        assert_eq!(
            restarts, *want,
            "{annotations:?} references={references} ignored={ignored}"
        );
        assert!(planned.len() <= 1, "one plan per workload");
    }
    // Turned off (`--reloader=false`): Reloader's annotations restart nothing.
    let auto = WorkloadView {
        reloader: ReloaderInputs {
            annotations: BTreeMap::from([(RELOADER_AUTO.to_string(), "true".to_string())]),
            template_annotations: BTreeMap::new(),
            pod: env_from_db(),
        },
        referenced: rotated(&["db"]),
        ..view(WorkloadKind::Deployment, "api")
    };
    let db = managed("db", &[("prod/db", "2")], &[]);
    assert!(
        super::plan(
            std::slice::from_ref(&auto),
            std::slice::from_ref(&db),
            &rotated(&["db"]),
            None
        )
        .is_empty()
    );
    assert_eq!(
        plan(&[auto], &[db], &rotated(&["db"]))[0].action,
        WorkloadAction::Restart
    );
    // An explicit rolloutRestartTargets entry is secretsync's own: Reloader's ignore does not stop it.
    let listed = ManagedSecret {
        reloader_ignore: true,
        ..managed(
            "db",
            &[("prod/db", "2")],
            &[(WorkloadKind::Deployment, "api")],
        )
    };
    let p = plan(
        &[view(WorkloadKind::Deployment, "api")],
        &[listed],
        &rotated(&["db"]),
    );
    assert_eq!(p[0].action, WorkloadAction::Restart);
}

#[test]
fn an_ignore_annotation_on_the_secret_itself_survives_the_written_overlay() {
    let cached = vec![ManagedSecret {
        reloader_ignore: true,
        ..managed("db", &[("prod/db", "1")], &[])
    }];
    let written = [managed("db", &[("prod/db", "2")], &[])];
    let merged = with_written(cached, &written);
    assert_eq!(merged.len(), 1);
    assert!(merged[0].reloader_ignore);
    assert_eq!(merged[0].record, versions(&[("prod/db", "2")]));
}

#[test]
fn every_unlisted_target_says_why() {
    use WorkloadKind::{DaemonSet, Deployment, Rollout};
    let views = [view(Deployment, "api"), view(Rollout, "canary")];
    let listed = [
        (Deployment, "api"),
        (Deployment, "web"),
        (Deployment, "driven"),
        (Rollout, "canary"),
        (Rollout, "gone"),
        (DaemonSet, "agent"),
    ];
    let managed_secrets = [
        managed("db", &[("prod/db", "v2")], &listed),
        managed("idle", &[("prod/idle", "v1")], &[(Deployment, "web")]),
    ];
    let driven: std::collections::HashMap<String, String> =
        [("driven".to_string(), "canary".to_string())].into();
    for (argo, want_rollout) in [
        (true, "Rollout/gone not found"),
        (
            false,
            "Rollout/gone not restarted: Argo Rollouts is not installed",
        ),
    ] {
        let targets = RolloutTargets {
            argo,
            driven_by: driven.clone(),
        };
        let reasons = unlisted_reasons(&views, &managed_secrets, &rotated(&["db"]), &targets);
        assert_eq!(reasons.len(), 1, "only rotated Secrets get reasons");
        let db = &reasons["db"];
        assert_eq!(db.len(), 4, "{db:?}");
        assert_eq!(db[0], "Deployment/web not found");
        assert!(
            db[1].starts_with("Deployment/driven is driven by Rollout/canary (workloadRef)"),
            "{db:?}"
        );
        assert!(db[2].starts_with(want_rollout), "{db:?}");
        assert_eq!(db[3], "DaemonSet/agent not found");
    }
    let none = unlisted_reasons(
        &views,
        &managed_secrets,
        &rotated(&[]),
        &RolloutTargets::default(),
    );
    assert!(none.is_empty());
}
