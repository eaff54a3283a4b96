//! Refresh, rotation, drift repair, force-sync, and the absence of needless AWS calls and writes.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::{apply, create_remote, has, rotate_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use secretsync::api::ExternalSecret;

fn manifests(_ns: &str, key: &str, interval: &str) -> String {
    common::store_and_es(
        &common::testbed_var("AWS_ENDPOINT_URL"),
        "app",
        interval,
        key,
        "",
    )
}

async fn wait_metric(op: &Operator, what: &str, name: &str, filters: &[&str], at_least: f64) {
    common::wait_for(what, Duration::from_secs(30), || async {
        (op.metric_sum(name, filters) >= at_least).then_some(())
    })
    .await;
}

#[tokio::test]
async fn rotation_appears_within_the_refresh_interval_and_drift_is_repaired() {
    let (client, ns) = common::setup("rotation").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "rotation-pw-1").await;
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &manifests(&ns, &key, "3s")).await;
    wait_secret(&client, &ns, "app", "first sync", |s| {
        has(s, "password", "rotation-pw-1")
    })
    .await;

    let v2 = rotate_remote(&sm, &key, "rotation-pw-2").await;
    let started = std::time::Instant::now();
    wait_secret(&client, &ns, "app", "rotated value", |s| {
        has(s, "password", "rotation-pw-2")
    })
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(3 * 11 / 10 + 5),
        "rotation took {:?}",
        started.elapsed()
    );
    // The status is written right after the Secret: wait for it to name the new version.
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    common::wait_for(
        "syncedVersions to name the rotated version",
        Duration::from_secs(30),
        || {
            let (ess, key, v2) = (ess.clone(), key.clone(), v2.clone());
            async move {
                let status = ess.get("app").await.ok()?.status?;
                (status.synced_versions.get(&key) == Some(&v2)).then_some(())
            }
        },
    )
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;

    // Someone edits the Secret: repaired.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let edit = serde_json::json!({ "data": { "password": "dGFtcGVyZWQ=" } });
    secrets
        .patch("app", &PatchParams::default(), &Patch::Merge(&edit))
        .await
        .expect("editing the Secret by hand");
    wait_secret(&client, &ns, "app", "repaired after edit", |s| {
        has(s, "password", "rotation-pw-2")
    })
    .await;

    // Someone deletes the Secret: recreated.
    secrets
        .delete("app", &DeleteParams::default())
        .await
        .expect("deleting the Secret");
    wait_secret(&client, &ns, "app", "recreated after delete", |s| {
        has(s, "password", "rotation-pw-2")
    })
    .await;

    common::wait_for_events(&client, &ns, &["Updated"]).await;
    op.assert_log_free_of(&["rotation-pw-1", "rotation-pw-2"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn no_op_reconciles_and_operator_restarts_call_nothing_and_write_nothing() {
    let (client, ns) = common::setup("noop").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "noop-pw-1").await;
    let mut op = Operator::start(&ns).await;
    apply(&client, &ns, &manifests(&ns, &key, "1h")).await;
    wait_secret(&client, &ns, "app", "first sync", |s| {
        has(s, "password", "noop-pw-1")
    })
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    let calls = op.metric_sum("secretsync_aws_api_calls_total", &[]);
    assert_eq!(calls, 1.0, "one GetSecretValue for the first sync");

    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let secret_rv = secrets.get("app").await.expect("Secret").resource_version();
    let es_before = ess.get("app").await.expect("ExternalSecret");
    let es_rv = es_before.resource_version();

    // An unrelated annotation triggers a reconcile that must find nothing to do.
    let before = op.metric_sum(
        "secretsync_reconcile_duration_seconds_count",
        &["ExternalSecret"],
    );
    let note =
        serde_json::json!({ "metadata": { "annotations": { "example.com/note": "hello" } } });
    ess.patch("app", &PatchParams::default(), &Patch::Merge(&note))
        .await
        .expect("annotating");
    wait_metric(
        &op,
        "a reconcile after the annotation",
        "secretsync_reconcile_duration_seconds_count",
        &["ExternalSecret"],
        before + 1.0,
    )
    .await;
    assert_eq!(
        op.metric_sum("secretsync_aws_api_calls_total", &[]),
        1.0,
        "a no-op reconcile called AWS"
    );
    assert_eq!(
        secrets.get("app").await.expect("Secret").resource_version(),
        secret_rv,
        "a no-op reconcile wrote the Secret"
    );
    // No status write: the status read before the annotation is the status after its reconcile.
    let es_after = ess.get("app").await.expect("ExternalSecret");
    assert_eq!(
        es_after
            .status
            .as_ref()
            .and_then(|s| s.refresh_time.clone()),
        es_before
            .status
            .as_ref()
            .and_then(|s| s.refresh_time.clone()),
        "a no-op reconcile moved refreshTime"
    );
    assert_eq!(
        es_after.status, es_before.status,
        "a no-op reconcile wrote status"
    );

    // An operator restart: no AWS call, no Secret write, no status write.
    op.stop();
    let es_rv_now = ess
        .get("app")
        .await
        .expect("ExternalSecret")
        .resource_version();
    let op = Operator::start(&ns).await;
    wait_metric(
        &op,
        "the first reconcile after restart",
        "secretsync_reconcile_duration_seconds_count",
        &["ExternalSecret"],
        1.0,
    )
    .await;
    assert_eq!(
        op.metric_sum("secretsync_aws_api_calls_total", &[]),
        0.0,
        "a restart called AWS"
    );
    assert_eq!(
        secrets.get("app").await.expect("Secret").resource_version(),
        secret_rv,
        "a restart wrote the Secret"
    );
    assert_eq!(
        ess.get("app")
            .await
            .expect("ExternalSecret")
            .resource_version(),
        es_rv_now,
        "a restart wrote status"
    );
    let _ = es_rv;

    // force-sync reads AWS once and records the value it honoured.
    let force =
        serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": "1" } } });
    ess.patch("app", &PatchParams::default(), &Patch::Merge(&force))
        .await
        .expect("force-sync");
    wait_metric(
        &op,
        "the forced GetSecretValue",
        "secretsync_aws_api_calls_total",
        &["GetSecretValue"],
        1.0,
    )
    .await;
    common::wait_for(
        "lastForceSync to be recorded",
        Duration::from_secs(20),
        || {
            let ess = ess.clone();
            async move {
                let es = ess.get("app").await.ok()?;
                (es.status?.last_force_sync.as_deref() == Some("1")).then_some(())
            }
        },
    )
    .await;
    assert_eq!(
        secrets.get("app").await.expect("Secret").resource_version(),
        secret_rv,
        "same value, no write"
    );
    common::delete_namespace(&client, &ns).await;
}
