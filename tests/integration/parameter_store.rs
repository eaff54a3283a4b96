//! SSM Parameter Store as a store's service, on the real test bed (moto serves SSM): every reference
//! form, `find` by path and by tags, a new version restarts once, an idle refresh reads no value, and
//! missing parameters or versions keep the Secret with the right reason.

use crate::common;

use std::time::Duration;

use aws_sdk_ssm::types::ParameterType;
use common::operator::Operator;
use common::scenario::Es;
use common::ssm::{put, store_yaml};
use common::workloads::{deployment, env_from_pod, replicasets};
use common::{apply, aws_creds_yaml, has, testbed_var, wait_ready, wait_secret};

#[tokio::test]
async fn every_form_syncs_and_a_new_version_restarts_once() {
    let (client, ns) = common::setup("params-forms").await;
    let ssm = common::ssm::client();
    let p = |s: &str| format!("/{ns}/{s}");
    put(&ssm, &p("plain"), ParameterType::String, "plain-1").await;
    put(&ssm, &p("plain"), ParameterType::String, "plain-2").await;
    ssm.label_parameter_version()
        .name(p("plain"))
        .parameter_version(1)
        .labels("stable")
        .send()
        .await
        .expect("LabelParameterVersion");
    put(&ssm, &p("secure"), ParameterType::SecureString, "secure-1").await;
    put(&ssm, &p("list"), ParameterType::StringList, "a,b,c").await;
    put(
        &ssm,
        &p("json"),
        ParameterType::String,
        r#"{"user":"u1","pass":"json-1"}"#,
    )
    .await;
    put(&ssm, &p("app/x"), ParameterType::String, "x-1").await;
    put(&ssm, &p("app/deep/y"), ParameterType::SecureString, "y-1").await;
    put(&ssm, &p("tagged"), ParameterType::String, "t-1").await;
    common::ssm::tag(&ssm, &p("tagged"), "team", &ns).await;

    let forms = format!(
        "  rolloutRestartTargets: [ {{ kind: Deployment, name: api }} ]\n  data:\n\
         \x20   - {{ secretKey: latest, remoteRef: {{ key: \"{0}\" }} }}\n\
         \x20   - {{ secretKey: pinned, remoteRef: {{ key: \"{0}\", versionId: \"1\" }} }}\n\
         \x20   - {{ secretKey: labelled, remoteRef: {{ key: \"{0}\", versionStage: stable }} }}\n\
         \x20   - {{ secretKey: secure, remoteRef: {{ key: \"{1}\" }} }}\n\
         \x20   - {{ secretKey: list, remoteRef: {{ key: \"{2}\" }} }}\n\
         \x20   - {{ secretKey: pass, remoteRef: {{ key: \"{3}\", property: pass }} }}\n",
        p("plain"),
        p("secure"),
        p("list"),
        p("json")
    );
    let extract = format!("  dataFrom:\n    - extract: {{ key: \"{}\" }}\n", p("json"));
    let by_path = format!("  dataFrom:\n    - find: {{ path: \"/{ns}/app/\" }}\n");
    let by_tags = format!("  dataFrom:\n    - find: {{ tags: {{ team: {ns} }} }}\n");
    let yaml = [
        aws_creds_yaml(),
        store_yaml("ssm", &testbed_var("AWS_ENDPOINT_URL")),
        Es::new("forms", "ssm").interval("1s").body(&forms).yaml(),
        Es::new("extract", "ssm")
            .interval("1h")
            .body(&extract)
            .yaml(),
        Es::new("by-path", "ssm")
            .interval("1h")
            .body(&by_path)
            .yaml(),
        Es::new("by-tags", "ssm")
            .interval("1h")
            .body(&by_tags)
            .yaml(),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    apply(&client, &ns, &deployment("api", "", &env_from_pod("forms"))).await;
    for name in ["forms", "extract", "by-path", "by-tags"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }
    wait_secret(&client, &ns, "forms", "every form", |s| {
        has(s, "latest", "plain-2")
            && has(s, "pinned", "plain-1")
            && has(s, "labelled", "plain-1")
            && has(s, "secure", "secure-1")
            && has(s, "list", "a,b,c")
            && has(s, "pass", "json-1")
    })
    .await;
    wait_secret(&client, &ns, "extract", "JSON keys", |s| {
        has(s, "user", "u1") && has(s, "pass", "json-1")
    })
    .await;
    wait_secret(&client, &ns, "by-path", "the path's parameters", |s| {
        has(s, &format!("{ns}_app_x"), "x-1") && has(s, &format!("{ns}_app_deep_y"), "y-1")
    })
    .await;
    wait_secret(&client, &ns, "by-tags", "the tagged parameter", |s| {
        has(s, &format!("{ns}_tagged"), "t-1")
    })
    .await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    // A new version of a referenced parameter is a rotation: the Secret follows and the Deployment
    // restarts once.
    put(&ssm, &p("secure"), ParameterType::SecureString, "secure-2").await;
    wait_secret(&client, &ns, "forms", "secure-2", |s| {
        has(s, "secure", "secure-2")
    })
    .await;
    common::wait_for(
        "the rotation's ReplicaSet",
        Duration::from_secs(30),
        || async { (replicasets(&client, &ns).await.get("api") >= Some(&2)).then_some(()) },
    )
    .await;
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        1.0
    );
    op.assert_log_free_of(&[
        "plain-1", "plain-2", "secure-1", "secure-2", "json-1", "x-1", "y-1",
    ]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn an_idle_refresh_reads_no_value_and_missing_parameters_keep_the_secret() {
    let (client, ns) = common::setup("params-idle").await;
    let ssm = common::ssm::client();
    let p = |s: &str| format!("/{ns}/{s}");
    put(&ssm, &p("a"), ParameterType::SecureString, "a-1").await;
    put(&ssm, &p("b"), ParameterType::String, "b-1").await;
    let idle = format!(
        "  data:\n    - {{ secretKey: a, remoteRef: {{ key: \"{}\" }} }}\n    - {{ secretKey: b, remoteRef: {{ key: \"{}\", versionId: \"1\" }} }}\n",
        p("a"),
        p("b")
    );
    let missing = format!(
        "  data:\n    - {{ secretKey: x, remoteRef: {{ key: \"{}\" }} }}\n",
        p("nope")
    );
    let missing_version = format!(
        "  data:\n    - {{ secretKey: x, remoteRef: {{ key: \"{}\", versionId: \"99\" }} }}\n",
        p("a")
    );
    let yaml = [
        aws_creds_yaml(),
        store_yaml("ssm", &testbed_var("AWS_ENDPOINT_URL")),
        Es::new("idle", "ssm").interval("1s").body(&idle).yaml(),
        Es::new("missing", "ssm")
            .interval("1s")
            .body(&missing)
            .yaml(),
        Es::new("missing-version", "ssm")
            .interval("1s")
            .body(&missing_version)
            .yaml(),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    wait_ready(&client, &ns, "idle", "True", "Synced").await;
    wait_ready(&client, &ns, "missing", "False", "SecretNotFound").await;
    wait_ready(&client, &ns, "missing-version", "False", "SecretNotFound").await;

    // Idle: refreshes ask DescribeParameters only. The missing ones keep retrying GetParameter, so
    // count the idle ExternalSecret's own store in isolation: re-point the failing ones away first.
    let store_label = format!("store=\"SecretStore/{ns}/ssm\"");
    let describe = || {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[&store_label, "operation=\"DescribeParameters\""],
        )
    };
    let reads = || {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[
                &store_label,
                "operation=\"GetParameter\"",
                "outcome=\"success\"",
            ],
        )
    };
    let reads_before = reads();
    let describes_before = describe();
    common::wait_for("three idle refreshes", Duration::from_secs(60), || {
        let n = describe();
        async move { (n >= describes_before + 3.0).then_some(()) }
    })
    .await;
    assert_eq!(reads(), reads_before, "an idle refresh reads no value");

    // The parameter is deleted: the Secret keeps its value and says why.
    common::ssm::delete(&ssm, &p("a")).await;
    wait_ready(&client, &ns, "idle", "False", "SecretNotFound").await;
    let secret = wait_secret(&client, &ns, "idle", "kept", |s| has(s, "a", "a-1")).await;
    assert!(has(&secret, "b", "b-1"));
    common::delete_namespace(&client, &ns).await;
}

/// Moves the label `label` of parameter `name` to `version`.
async fn label(ssm: &aws_sdk_ssm::Client, name: &str, version: i64, label: &str) {
    ssm.label_parameter_version()
        .name(name)
        .parameter_version(version)
        .labels(label)
        .send()
        .await
        .unwrap_or_else(|e| panic!("LabelParameterVersion {name}: {e:?}"));
}

#[tokio::test]
async fn a_label_move_restarts_once_and_switching_picks_never_blanks() {
    let (client, ns) = common::setup("params-label").await;
    let ssm = common::ssm::client();
    let db = format!("/{ns}/db");
    put(&ssm, &db, ParameterType::SecureString, "moved-one").await;
    put(&ssm, &db, ParameterType::SecureString, "moved-two").await;
    label(&ssm, &db, 1, "live").await;
    let labelled = format!(
        "  rolloutRestartTargets: [ {{ kind: Deployment, name: api }} ]\n  data:\n    - {{ secretKey: value, remoteRef: {{ key: \"{db}\", versionStage: live }} }}\n"
    );
    let yaml = [
        aws_creds_yaml(),
        store_yaml("ssm", &testbed_var("AWS_ENDPOINT_URL")),
        Es::new("app", "ssm").interval("1s").body(&labelled).yaml(),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    apply(&client, &ns, &deployment("api", "", &env_from_pod("app"))).await;
    wait_secret(&client, &ns, "app", "the labelled version", |s| {
        has(s, "value", "moved-one")
    })
    .await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    // The label moves to version 2 (no new Version): a rotation, seen by re-reading the label.
    label(&ssm, &db, 2, "live").await;
    wait_secret(&client, &ns, "app", "the label's new version", |s| {
        has(s, "value", "moved-two")
    })
    .await;
    common::wait_for(
        "the rotation's ReplicaSet",
        Duration::from_secs(30),
        || async { (replicasets(&client, &ns).await.get("api") >= Some(&2)).then_some(()) },
    )
    .await;
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        1.0
    );

    // A user switches the pick back and forth: pinned, labelled, latest, a typo'd version, pinned.
    // Each edit lands on the right value; the typo keeps the last one.
    let api: kube::Api<secretsync::api::ExternalSecret> =
        kube::Api::namespaced(client.clone(), &ns);
    let set = |remote: serde_json::Value| {
        let api = api.clone();
        let patch = serde_json::json!({ "spec": { "data": [ { "secretKey": "value", "remoteRef": remote } ] } });
        async move {
            api.patch(
                "app",
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&patch),
            )
            .await
            .expect("editing the ExternalSecret");
        }
    };
    for (remote, want) in [
        (
            serde_json::json!({ "key": db, "versionId": "1" }),
            "moved-one",
        ),
        (
            serde_json::json!({ "key": db, "versionStage": "live" }),
            "moved-two",
        ),
        (
            serde_json::json!({ "key": db, "versionId": "1" }),
            "moved-one",
        ),
        (serde_json::json!({ "key": db }), "moved-two"),
    ] {
        set(remote).await;
        wait_secret(&client, &ns, "app", want, |s| has(s, "value", want)).await;
        wait_ready(&client, &ns, "app", "True", "Synced").await;
    }
    set(serde_json::json!({ "key": db, "versionId": "9" })).await;
    wait_ready(&client, &ns, "app", "False", "SecretNotFound").await;
    let kept = wait_secret(&client, &ns, "app", "kept", |s| {
        has(s, "value", "moved-two")
    })
    .await;
    assert!(kept.data.is_some_and(|d| d.len() == 1));
    op.assert_log_free_of(&["moved-one", "moved-two"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_find_by_path_reads_no_value_at_idle_and_sees_every_change() {
    let (client, ns) = common::setup("params-find-idle").await;
    let ssm = common::ssm::client();
    let p = |s: &str| format!("/{ns}/app/{s}");
    put(&ssm, &p("x"), ParameterType::SecureString, "x-1").await;
    put(&ssm, &p("deep/y"), ParameterType::String, "y-1").await;
    put(
        &ssm,
        &format!("/{ns}/other"),
        ParameterType::String,
        "other",
    )
    .await;
    let by_path = format!("  dataFrom:\n    - find: {{ path: \"/{ns}/app/\" }}\n");
    let yaml = [
        aws_creds_yaml(),
        store_yaml("ssm", &testbed_var("AWS_ENDPOINT_URL")),
        Es::new("by-path", "ssm")
            .interval("1s")
            .body(&by_path)
            .yaml(),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    let key = |s: &str| format!("{ns}_app_{s}");
    wait_secret(&client, &ns, "by-path", "the path's parameters", |s| {
        has(s, &key("x"), "x-1") && has(s, &key("deep_y"), "y-1")
    })
    .await;
    wait_ready(&client, &ns, "by-path", "True", "Synced").await;

    // Idle: each refresh lists the path's versions (DescribeParameters) and reads no value.
    let store_label = format!("store=\"SecretStore/{ns}/ssm\"");
    let calls = |operation: &str| {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[&store_label, &format!("operation=\"{operation}\"")],
        )
    };
    let reads = || calls("GetParametersByPath") + calls("GetParameter") + calls("GetParameters");
    let reads_before = reads();
    let describes_before = calls("DescribeParameters");
    common::wait_for("three idle refreshes", Duration::from_secs(60), || {
        let n = calls("DescribeParameters");
        async move { (n >= describes_before + 3.0).then_some(()) }
    })
    .await;
    assert_eq!(reads(), reads_before, "an idle find by path reads no value");

    // A new version, a new parameter under the path, and one leaving it are each seen.
    put(&ssm, &p("x"), ParameterType::SecureString, "x-2").await;
    wait_secret(&client, &ns, "by-path", "the new version", |s| {
        has(s, &key("x"), "x-2")
    })
    .await;
    put(&ssm, &p("z"), ParameterType::String, "z-1").await;
    wait_secret(&client, &ns, "by-path", "the new parameter", |s| {
        has(s, &key("z"), "z-1") && has(s, &key("x"), "x-2")
    })
    .await;
    common::ssm::delete(&ssm, &p("deep/y")).await;
    let secret = wait_secret(&client, &ns, "by-path", "the parameter that left", |s| {
        s.data
            .as_ref()
            .is_some_and(|d| !d.contains_key(&key("deep_y")))
    })
    .await;
    assert!(has(&secret, &key("z"), "z-1"));
    assert!(
        !secret
            .data
            .as_ref()
            .is_some_and(|d| d.keys().any(|k| k.contains("other"))),
        "a parameter outside the path is never synced"
    );
    op.assert_log_free_of(&["x-1", "x-2", "y-1", "z-1"]);
    common::delete_namespace(&client, &ns).await;
}
