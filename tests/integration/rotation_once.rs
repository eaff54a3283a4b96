//! One rotation restarts each workload once, however many of its Secrets the rotated secret feeds;
//! a spec edit that only adds a key restarts nothing (real controller-manager).

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::scenario::Es;
use common::workloads::*;
use common::{apply, create_remote, has, rotate_remote, sm, wait_ready, wait_secret};
use kube::Client;
use kube::api::Api;
use secretsync::api::ExternalSecret;

/// Waits until the ExternalSecret's status records `version` for `key`.
async fn wait_version(client: &Client, ns: &str, name: &str, key: &str, version: &str) {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    common::wait_for(
        &format!("{name} to record version {version} of {key}"),
        Duration::from_secs(60),
        || {
            let api = api.clone();
            async move {
                let es = api.get_opt(name).await.ok().flatten()?;
                (es.status?.synced_versions.get(key).map(String::as_str) == Some(version))
                    .then_some(())
            }
        },
    )
    .await;
}

#[tokio::test]
async fn one_rotation_feeding_three_secrets_restarts_the_workload_once() {
    let (client, ns) = common::setup("rot-once").await;
    let sm = sm();
    let key = format!("{ns}/shared");
    create_remote(&sm, &key, "once-pw-1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    // Three ExternalSecrets read the same remote secret into three Secrets; the Deployment reads
    // all three (one listed as a target, two through opt-in discovery).
    apply(
        &client,
        &ns,
        &Es::new("s1", "aws")
            .interval("1m")
            .key("password", &key)
            .restarts("api")
            .yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("s2", "aws")
            .interval("1m")
            .key("password", &key)
            .yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("s3", "aws")
            .interval("1m")
            .key("password", &key)
            .yaml(),
    )
    .await;
    let pod = format!(
        "{}      containers: [ {{ name: app, image: localhost/busybox:testbed, imagePullPolicy: Never, envFrom: [ {{ secretRef: {{ name: s1 }} }}, {{ secretRef: {{ name: s2 }} }} ] }} ]\n      volumes: [ {{ name: s, secret: {{ secretName: s3 }} }} ]",
        common::workloads::NO_NODE
    );
    apply(
        &client,
        &ns,
        &deployment("api", "secretsync.io/reload: \"true\"", &pod),
    )
    .await;
    for name in ["s1", "s2", "s3"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    let v2 = rotate_remote(&sm, &key, "once-pw-2").await;
    // Only one ExternalSecret is nudged; the others must follow within the settle window.
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let patch =
        serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": "1" } } });
    ess.patch(
        "s2",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await
    .expect("force-sync");
    for name in ["s1", "s2", "s3"] {
        wait_secret(&client, &ns, name, "rotated", |s| {
            has(s, "password", "once-pw-2")
        })
        .await;
        // Status is written after the rollout finished: every restart has happened by now.
        wait_version(&client, &ns, name, &key, &v2).await;
    }
    common::wait_for("the new ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") >= Some(&2)).then_some(())
    })
    .await;
    assert_eq!(
        replicasets(&client, &ns).await.get("api"),
        Some(&2),
        "one rotation, one restart"
    );
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        1.0,
        "exactly one restart patch"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_spec_edit_adding_a_key_is_not_a_rotation() {
    let (client, ns) = common::setup("rot-add").await;
    let sm = sm();
    let (a, b) = (format!("{ns}/a"), format!("{ns}/b"));
    create_remote(&sm, &a, "add-a").await;
    create_remote(&sm, &b, "add-b").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        &Es::new("app", "aws")
            .interval("1m")
            .key("password", &a)
            .restarts("api")
            .yaml(),
    )
    .await;
    apply(&client, &ns, &deployment("api", "", &env_from_pod("app"))).await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;
    // Add a second key (a new remote secret): the Secret changes, nothing rotated.
    apply(
        &client,
        &ns,
        &Es::new("app", "aws")
            .interval("1m")
            .key("password", &a)
            .key("extra", &b)
            .restarts("api")
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "app", "the added key", |s| {
        has(s, "extra", "add-b")
    })
    .await;
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    common::wait_for("status with both keys", Duration::from_secs(30), || {
        let api = api.clone();
        async move {
            let es = api.get_opt("app").await.ok().flatten()?;
            (es.status?.synced_versions.len() == 2).then_some(())
        }
    })
    .await;
    assert_eq!(replicasets(&client, &ns).await.get("api"), Some(&1));
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        0.0
    );
    common::delete_namespace(&client, &ns).await;
}
