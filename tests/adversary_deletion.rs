//! Adversarial: `deletionPolicy: Delete` and a typo in a spec edit.

mod common;

use std::time::{Duration, Instant};

use common::operator::Operator;
use common::{apply, create_remote, has, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;

/// A user edits `remoteRef.key` and makes a typo (a secret that never existed). Invariant 7: a
/// Secret is deleted only when every remote secret it reads is confirmed *deleted*, "never on a
/// typo". The reconcile right after the edit keeps the Secret, but the next one asks DescribeSecret
/// about the typo'd name, gets ResourceNotFoundException, starts the grace period and deletes the
/// user's Secret once it ends: a name that was never synced is treated as a deleted remote secret.
#[tokio::test]
async fn a_typo_in_the_remote_key_never_deletes_the_secret() {
    let (client, ns) = common::setup("adv-del-typo").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "adv-typo-value-1").await;
    let _op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &common::store_yaml("aws", &common::testbed_var("AWS_ENDPOINT_URL")),
    )
    .await;
    apply(
        &client,
        &ns,
        &common::single_key_es(
            "db",
            "aws",
            "1s",
            &key,
            "  target: { name: db, deletionPolicy: Delete }\n",
        ),
    )
    .await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_secret(&client, &ns, "db", "synced", |s| {
        has(s, "password", "adv-typo-value-1")
    })
    .await;

    // The typo: "db" -> "dbb" (never existed in Secrets Manager).
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    api.patch(
        "db",
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({
            "spec": { "data": [ { "secretKey": "password", "remoteRef": { "key": format!("{key}b") } } ] }
        })),
    )
    .await
    .expect("patching the ExternalSecret");

    // Poll (grace period 3 s in tests, retry backoff 5 s doubling): the Secret must survive.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let deadline = Instant::now() + Duration::from_secs(45);
    let mut last_message = String::new();
    while Instant::now() < deadline {
        if secrets.get_opt("db").await.ok().flatten().is_none() {
            panic!(
                "the Secret was deleted after a typo in remoteRef.key (a remote secret that never \
                 existed is not a deleted one); last Ready message: {last_message}"
            );
        }
        if let Some(es) = api.get_opt("db").await.ok().flatten() {
            last_message = es
                .status
                .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
                .map(|c| c.message)
                .unwrap_or_default();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    common::delete_namespace(&client, &ns).await;
}
