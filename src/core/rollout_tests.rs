use super::*;
use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, EnvVarSource, ProjectedVolumeSource, SecretEnvSource,
    SecretKeySelector, SecretProjection, SecretVolumeSource, Volume, VolumeProjection,
};

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
        references_target: false,
        marker: None,
        paused: false,
    }
}

#[test]
fn marker_keys_fit_and_stay_distinct() {
    assert_eq!(marker_key("db"), "secretsync.io/restarted-for.db");
    let long_a = format!("{}-a", "x".repeat(80));
    let long_b = format!("{}-b", "x".repeat(80));
    let (a, b) = (marker_key(&long_a), marker_key(&long_b));
    assert_ne!(a, b);
    for k in [&a, &b] {
        let name = k.strip_prefix("secretsync.io/").expect("prefix");
        assert!(name.len() <= 63, "{k}");
        assert!(
            name.chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        );
    }
}

#[test]
fn marker_values_follow_versions_only() {
    let v1 = versions(&[("prod/db", "a")]);
    let v2 = versions(&[("prod/db", "b")]);
    assert_eq!(marker_value(&v1), marker_value(&v1.clone()));
    assert_ne!(marker_value(&v1), marker_value(&v2));
    assert_ne!(
        marker_value(&versions(&[("ab", "c")])),
        marker_value(&versions(&[("a", "bc")]))
    );
    assert!(marker_value(&v1).len() < 64);
}

#[test]
fn rotation_needs_a_previous_non_empty_set_that_differs() {
    let v1 = versions(&[("k", "1")]);
    let v2 = versions(&[("k", "2")]);
    assert!(!is_rotation(&BTreeMap::new(), &v1), "first sync");
    assert!(!is_rotation(&v1, &v1), "no-op refresh");
    assert!(is_rotation(&v1, &v2));
    assert!(!is_rotation(&v1, &BTreeMap::new()));
    assert!(
        is_rotation(&v1, &versions(&[("k", "1"), ("j", "1")])),
        "a new key is a change too"
    );
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
    let listed = vec![(WorkloadKind::Deployment, "api".to_string())];
    let api = view(WorkloadKind::Deployment, "api");
    let mut worker = view(WorkloadKind::StatefulSet, "worker");
    worker.reload = Some("true".into());
    worker.references_target = true;
    let mut unrelated = view(WorkloadKind::DaemonSet, "agent");
    unrelated.reload = Some("true".into());
    let not_opted = WorkloadView {
        references_target: true,
        ..view(WorkloadKind::Deployment, "web")
    };
    let p = plan(
        &[api.clone(), worker.clone(), unrelated, not_opted],
        &listed,
        "m1",
    );
    let actions: Vec<(String, WorkloadAction)> =
        p.iter().map(|(w, a)| (w.name.clone(), a.clone())).collect();
    assert_eq!(
        actions,
        vec![
            ("api".into(), WorkloadAction::Restart),
            ("worker".into(), WorkloadAction::Restart)
        ]
    );
    // After the patch the marker is there: applying again does nothing.
    let done = WorkloadView {
        marker: Some("m1".into()),
        ..api
    };
    assert_eq!(
        plan(&[done], &listed, "m1")[0].1,
        WorkloadAction::AlreadyDone
    );
}

#[test]
fn reload_false_and_paused_are_skipped_with_reasons() {
    let listed = vec![(WorkloadKind::Deployment, "api".to_string())];
    let excluded = WorkloadView {
        reload: Some("false".into()),
        references_target: true,
        ..view(WorkloadKind::Deployment, "api")
    };
    match &plan(&[excluded], &listed, "m")[0].1 {
        WorkloadAction::Skip(why) => assert!(why.contains("\"false\"")),
        other => panic!("{other:?}"),
    }
    let paused = WorkloadView {
        paused: true,
        ..view(WorkloadKind::Deployment, "api")
    };
    match &plan(&[paused], &listed, "m")[0].1 {
        WorkloadAction::Skip(why) => assert!(why.contains("paused")),
        other => panic!("{other:?}"),
    }
}
