//! Rotation flows beyond put-secret-value, and the crash between writing the Secret and restarting.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::workloads::*;
use common::{apply, create_remote, has, rotate_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, ResourceExt};
use secretsync::api::ExternalSecret;
use secretsync::core::remote::{Fetched, RemoteContent, RemoteSecret};
use secretsync::core::target::{FIELD_MANAGER, Writer, desired_secret};

fn manifests(ns: &str, key: &str) -> String {
    manifests_for(ns, key, "app", "app-secret", "api")
}

fn manifests_for(_ns: &str, key: &str, es: &str, target: &str, deployment: &str) -> String {
    let extra = format!(
        "  target: {{ name: {target} }}\n  rolloutRestartTargets: [ {{ kind: Deployment, name: {deployment} }} ]\n"
    );
    common::store_and_es(
        &common::testbed_var("AWS_ENDPOINT_URL"),
        es,
        "1h",
        key,
        &extra,
    )
}

async fn force_sync(client: &Client, ns: &str, value: &str) {
    force_sync_of(client, ns, "app", value).await
}

/// Asks for a force-sync of `es` and waits until it succeeded: `status.lastForceSync` is `value`
/// (recorded only by a sync that read the remote values for it).
async fn force_sync_of(client: &Client, ns: &str, es: &str, value: &str) {
    let ess = request_force_sync(client, ns, es, value).await;
    common::wait_for(
        &format!("force-sync {value} honoured"),
        Duration::from_secs(30),
        || {
            let ess = ess.clone();
            async move {
                let status = ess.get(es).await.ok()?.status?;
                (status.last_force_sync.as_deref() == Some(value)).then_some(())
            }
        },
    )
    .await;
}

/// Asks for a force-sync of `es` that must fail, and waits until its Ready condition is False with
/// `reason` (`es` was Ready=True before, so the condition comes from this force-sync's reconcile).
async fn force_sync_failing(client: &Client, ns: &str, es: &str, value: &str, reason: &str) {
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let ready = ess
        .get(es)
        .await
        .ok()
        .and_then(|e| e.status)
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"));
    assert!(
        ready.as_ref().is_none_or(|c| c.status == "True"),
        "{es} failed before force-sync {value}: {ready:?}"
    );
    request_force_sync(client, ns, es, value).await;
    wait_ready(client, ns, es, "False", reason).await;
}

async fn request_force_sync(
    client: &Client,
    ns: &str,
    es: &str,
    value: &str,
) -> Api<ExternalSecret> {
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let patch =
        serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": value } } });
    ess.patch(es, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("force-sync");
    ess
}

async fn api_replicasets(client: &Client, ns: &str, want: usize) {
    replicasets_of(client, ns, "api", want).await
}

async fn replicasets_of(client: &Client, ns: &str, deployment: &str, want: usize) {
    common::wait_for(
        &format!("{want} ReplicaSet(s) of {deployment}"),
        Duration::from_secs(30),
        || async { (replicasets(client, ns).await.get(deployment) == Some(&want)).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn pending_promotion_and_valueless_rotation() {
    let (client, ns) = common::setup("flows").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    let v1 = create_remote(&sm, &key, "flows-pw-1").await;
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &deployment("api", "", &plain_pod())).await;
    apply(&client, &ns, &manifests(&ns, &key)).await;
    wait_secret(&client, &ns, "app-secret", "first sync", |s| {
        has(s, "password", "flows-pw-1")
    })
    .await;
    api_replicasets(&client, &ns, 1).await;

    // The rotation-Lambda flow: a pending version changes nothing until it is promoted.
    let pending = sm
        .put_secret_value()
        .secret_id(&key)
        .secret_string("flows-pw-2")
        .version_stages("AWSPENDING")
        .send()
        .await
        .expect("PutSecretValue AWSPENDING");
    let v2 = pending.version_id().unwrap_or_default().to_string();
    force_sync(&client, &ns, "pending").await;
    wait_secret(&client, &ns, "app-secret", "still v1", |s| {
        has(s, "password", "flows-pw-1")
    })
    .await;
    api_replicasets(&client, &ns, 1).await;
    // The force-sync read the remote secret and found v1 still current: the status still names v1,
    // and nothing restarted.
    let status = Api::<ExternalSecret>::namespaced(client.clone(), &ns)
        .get("app")
        .await
        .expect("ExternalSecret app")
        .status
        .expect("status");
    assert_eq!(
        status.synced_versions.get(&key),
        Some(&v1),
        "a pending version was synced"
    );
    assert!(
        status.restarted_workloads.is_empty(),
        "a pending version restarted {:?}",
        status.restarted_workloads
    );
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        0.0,
        "a pending version restarted a workload"
    );
    sm.update_secret_version_stage()
        .secret_id(&key)
        .version_stage("AWSCURRENT")
        .move_to_version_id(&v2)
        .remove_from_version_id(&v1)
        .send()
        .await
        .expect("UpdateSecretVersionStage");
    // As a rotation Lambda's finishSecret step does: the pending label comes off.
    sm.update_secret_version_stage()
        .secret_id(&key)
        .version_stage("AWSPENDING")
        .remove_from_version_id(&v2)
        .send()
        .await
        .expect("UpdateSecretVersionStage AWSPENDING");
    force_sync(&client, &ns, "promoted").await;
    wait_secret(&client, &ns, "app-secret", "promoted v2", |s| {
        has(s, "password", "flows-pw-2")
    })
    .await;
    api_replicasets(&client, &ns, 2).await;

    // RotateSecret without a Lambda: AWSCURRENT has no value. The Secret stays; no restart.
    // (A separate secret: after UpdateSecretVersionStage the emulator can leave two AWSCURRENT versions.)
    let bare = format!("{ns}/bare");
    create_remote(&sm, &bare, "flows-bare-1").await;
    apply(&client, &ns, &deployment("api2", "", &plain_pod())).await;
    apply(
        &client,
        &ns,
        &manifests_for(&ns, &bare, "bare", "bare-secret", "api2"),
    )
    .await;
    wait_secret(&client, &ns, "bare-secret", "first sync", |s| {
        has(s, "password", "flows-bare-1")
    })
    .await;
    replicasets_of(&client, &ns, "api2", 1).await;
    sm.rotate_secret()
        .secret_id(&bare)
        .send()
        .await
        .expect("RotateSecret");
    force_sync_failing(&client, &ns, "bare", "valueless", "SecretNotFound").await;
    wait_ready(&client, &ns, "bare", "False", "SecretNotFound").await;
    wait_secret(&client, &ns, "bare-secret", "unchanged", |s| {
        has(s, "password", "flows-bare-1")
    })
    .await;
    replicasets_of(&client, &ns, "api2", 1).await;
    api_replicasets(&client, &ns, 2).await;
    op.assert_log_free_of(&["flows-pw-1", "flows-pw-2", "flows-bare-1"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_crash_between_secret_write_and_restart_still_restarts_exactly_once() {
    let (client, ns) = common::setup("crash").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "crash-pw-1").await;
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &deployment("api", "", &plain_pod())).await;
    apply(&client, &ns, &manifests(&ns, &key)).await;
    wait_secret(&client, &ns, "app-secret", "first sync", |s| {
        has(s, "password", "crash-pw-1")
    })
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    api_replicasets(&client, &ns, 1).await;
    drop(op);

    // While the operator is down, reproduce exactly what it writes for the rotated secret before it
    // patches workloads: the new Secret (same field manager, digest, versions), status untouched.
    let v2 = rotate_remote(&sm, &key, "crash-pw-2").await;
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let es = ess.get("app").await.expect("ExternalSecret");
    let got = sm
        .get_secret_value()
        .secret_id(&key)
        .version_stage("AWSCURRENT")
        .send()
        .await
        .expect("GetSecretValue");
    let fetched = Fetched {
        template_sources: Default::default(),
        data: vec![RemoteSecret {
            name: got.name().unwrap_or_default().into(),
            arn: got.arn().unwrap_or_default().into(),
            version_id: got.version_id().unwrap_or_default().into(),
            content: RemoteContent::String(got.secret_string().unwrap_or_default().into()),
        }],
        data_from: vec![],
    };
    let desired = secretsync::core::desired::compute(&es.spec, &fetched).expect("compute");
    let keys: Api<Secret> = Api::namespaced(client.clone(), common::CONTROLLER_NAMESPACE);
    let digest_key = keys
        .get("secretsync-digest-key")
        .await
        .expect("digest key Secret")
        .data
        .and_then(|d| d.get("key").map(|b| b.0.clone()))
        .expect("digest key");
    let writer = Writer {
        name: es.name_any(),
        namespace: ns.clone(),
        uid: es.uid().unwrap_or_default(),
    };
    let secret = desired_secret(&writer, &es.spec.target, &desired, &digest_key, None);
    Api::<Secret>::namespaced(client.clone(), &ns)
        .patch(
            "app-secret",
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&secret),
        )
        .await
        .expect("writing the Secret as the operator would");
    api_replicasets(&client, &ns, 1).await;

    // The operator comes back: it finishes the rollout once, and records it.
    let op = Operator::start(&ns).await;
    api_replicasets(&client, &ns, 2).await;
    common::wait_for(
        "syncedVersions to record the new version",
        Duration::from_secs(30),
        || {
            let ess = ess.clone();
            let (key, v2) = (key.clone(), v2.clone());
            async move {
                let status = ess.get("app").await.ok()?.status?;
                (status.synced_versions.get(&key) == Some(&v2)
                    && status.restarted_workloads == vec!["Deployment/api".to_string()])
                .then_some(())
            }
        },
    )
    .await;
    force_sync(&client, &ns, "after-crash").await;
    api_replicasets(&client, &ns, 2).await;
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        1.0
    );
    op.assert_log_free_of(&["crash-pw-1", "crash-pw-2"]);
    common::delete_namespace(&client, &ns).await;
}
