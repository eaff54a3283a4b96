//! `spec.refreshPolicy` on the real test bed, as ESO users rely on it: `Periodic` follows a rotation,
//! `OnChange` only on a spec, label or annotation edit, `CreatedOnce` never (a spec edit is not
//! applied); every policy repairs a deleted Secret and honours force-sync; switching the policy back
//! and forth lands on the right behaviour each time.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::{apply, create_remote, has, rotate_remote, sm, testbed_var, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use secretsync::api::ExternalSecret;

async fn patch(api: &Api<ExternalSecret>, name: &str, patch: serde_json::Value) {
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap_or_else(|e| panic!("patching ExternalSecret {name}: {e}"));
}

/// Waits until the status says the controller saw the ExternalSecret's current generation.
async fn wait_observed(api: &Api<ExternalSecret>, name: &str, what: &str) {
    common::wait_for(what, Duration::from_secs(30), || {
        let api = api.clone();
        async move {
            let es = api.get(name).await.ok()?;
            (es.status?.observed_generation == es.metadata.generation).then_some(())
        }
    })
    .await;
}

#[tokio::test]
async fn each_refresh_policy_reads_aws_only_on_its_triggers() {
    let (client, ns) = common::setup("refresh-policy").await;
    let sm = sm();
    let key = format!("{ns}/db");
    let other = format!("{ns}/other");
    create_remote(&sm, &key, "policy-v1").await;
    create_remote(&sm, &other, "policy-other").await;
    let op = Operator::start(&ns).await;
    let yaml = [
        common::store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
        common::single_key_es("periodic", "aws", "1s", &key, ""),
        common::single_key_es(
            "on-change",
            "aws",
            "1s",
            &key,
            "  refreshPolicy: OnChange\n",
        ),
        common::single_key_es("once", "aws", "1s", &key, "  refreshPolicy: CreatedOnce\n"),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;
    for name in ["periodic", "on-change", "once"] {
        wait_secret(&client, &ns, name, "first sync", |s| {
            has(s, "password", "policy-v1")
        })
        .await;
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }

    // A rotation: Periodic follows; the others keep the first value while Periodic refreshes on.
    rotate_remote(&sm, &key, "policy-v2").await;
    wait_secret(&client, &ns, "periodic", "the rotation", |s| {
        has(s, "password", "policy-v2")
    })
    .await;
    let reads = || op.metric_sum("secretsync_aws_api_calls_total", &[]);
    let after_rotation = reads();
    common::wait_for(
        "several more refreshes of the Periodic ExternalSecret",
        Duration::from_secs(30),
        || {
            let n = reads();
            async move { (n >= after_rotation + 3.0).then_some(()) }
        },
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    for name in ["on-change", "once"] {
        let s = secrets.get(name).await.expect("Secret");
        assert!(has(&s, "password", "policy-v1"), "{name} refreshed");
    }

    // A label edit: OnChange reads again; CreatedOnce does not.
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let label = serde_json::json!({ "metadata": { "labels": { "tier": "gold" } } });
    patch(&api, "on-change", label.clone()).await;
    patch(&api, "once", label).await;
    wait_secret(&client, &ns, "on-change", "a label edit", |s| {
        has(s, "password", "policy-v2")
    })
    .await;

    // A spec edit on CreatedOnce is not applied (as in ESO); on OnChange it is.
    let add_key = serde_json::json!({ "spec": { "data": [
        { "secretKey": "password", "remoteRef": { "key": key } },
        { "secretKey": "other", "remoteRef": { "key": other } }
    ] } });
    patch(&api, "on-change", add_key.clone()).await;
    patch(&api, "once", add_key).await;
    wait_secret(&client, &ns, "on-change", "the spec edit", |s| {
        has(s, "other", "policy-other")
    })
    .await;
    wait_observed(&api, "once", "the spec edit to be observed, not applied").await;
    let s = secrets.get("once").await.expect("Secret");
    assert!(has(&s, "password", "policy-v1") && !has(&s, "other", "policy-other"));

    // Drift is repaired under every policy: the deleted Secret comes back (read afresh).
    secrets
        .delete("once", &DeleteParams::default())
        .await
        .expect("deleting the Secret");
    wait_secret(&client, &ns, "once", "repaired", |s| {
        has(s, "password", "policy-v2") && has(s, "other", "policy-other")
    })
    .await;

    // force-sync is honoured by CreatedOnce.
    rotate_remote(&sm, &key, "policy-v3").await;
    patch(
        &api,
        "once",
        serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": "1" } } }),
    )
    .await;
    wait_secret(&client, &ns, "once", "force-sync", |s| {
        has(s, "password", "policy-v3")
    })
    .await;

    // Switching back and forth: CreatedOnce → Periodic follows rotations again, → CreatedOnce stops.
    patch(
        &api,
        "once",
        serde_json::json!({ "spec": { "refreshPolicy": "Periodic" } }),
    )
    .await;
    rotate_remote(&sm, &key, "policy-v4").await;
    wait_secret(&client, &ns, "once", "Periodic again", |s| {
        has(s, "password", "policy-v4")
    })
    .await;
    patch(
        &api,
        "once",
        serde_json::json!({ "spec": { "refreshPolicy": "CreatedOnce" } }),
    )
    .await;
    // The controller has seen the switch once the status says it observed that generation.
    wait_observed(
        &api,
        "once",
        "the switch back to CreatedOnce to be observed",
    )
    .await;
    rotate_remote(&sm, &key, "policy-v5").await;
    wait_secret(&client, &ns, "periodic", "the last rotation", |s| {
        has(s, "password", "policy-v5")
    })
    .await;
    let settled = reads();
    common::wait_for("more refreshes", Duration::from_secs(30), || {
        let n = reads();
        async move { (n >= settled + 3.0).then_some(()) }
    })
    .await;
    let s = secrets.get("once").await.expect("Secret");
    assert!(has(&s, "password", "policy-v4"), "CreatedOnce refreshed");
    // A typo in the policy is refused by the API server, and nothing changes.
    let typo = api
        .patch(
            "once",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({ "spec": { "refreshPolicy": "Createdonce" } })),
        )
        .await;
    assert!(
        typo.is_err(),
        "the API server accepted refreshPolicy: Createdonce"
    );
    op.assert_log_free_of(&[
        "policy-v1",
        "policy-v2",
        "policy-v3",
        "policy-v4",
        "policy-v5",
    ]);
    common::delete_namespace(&client, &ns).await;
}
