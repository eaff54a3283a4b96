//! Adversarial: `deletionPolicy: Delete` and a typo in a spec edit.

use crate::common;

use std::time::{Duration, Instant};

use common::operator::Operator;
use common::{apply, create_remote, has, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;

/// A user edits `remoteRef.key` and makes a typo (a secret that never existed). Invariant 7: a
/// Secret is deleted only when every remote secret it reads is confirmed *deleted*, "never on a
/// typo". The controller must see the edit and say why it keeps the Secret (the name was never
/// synced), and keep it through the reconciles that would have confirmed and deleted it (an earlier
/// defect: DescribeSecret's ResourceNotFoundException for the typo'd name started the grace period).
#[tokio::test]
async fn a_typo_in_the_remote_key_never_deletes_the_secret() {
    let (client, ns) = common::setup("adv-del-typo").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "adv-typo-value-1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
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

    // The controller must have seen the edit and said why it keeps the Secret: the typo'd name was
    // never synced, so its absence is no deletion (not a confirmation waiting for its grace period).
    let edited = api
        .get("db")
        .await
        .expect("the ExternalSecret")
        .metadata
        .generation;
    let ready = |es: Option<ExternalSecret>| {
        let status = es?.status?;
        let seen = status.observed_generation == edited;
        let c = status.conditions.into_iter().find(|c| c.type_ == "Ready")?;
        seen.then_some((c.reason, c.message))
    };
    let (reason, message) = common::wait_for(
        "the reconcile of the edited spec",
        Duration::from_secs(40),
        || async { ready(api.get_opt("db").await.ok().flatten()) },
    )
    .await;
    assert_eq!(reason, "SecretNotFound", "{message}");
    assert!(
        message.contains("never synced") && message.contains("keeps its last data"),
        "the Secret is kept because the name was never synced: {message}"
    );
    // Two more failed reconciles (retry backoff 5 s, then 10 s: past the test's 3 s grace period),
    // each keeping the Secret for the same reason; a deletion would have happened within them.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let failures = || op.metric_sum("secretsync_sync_results_total", &["SecretNotFound"]);
    let before = failures();
    let deadline = Instant::now() + Duration::from_secs(60);
    while failures() < before + 2.0 {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for two more reconciles of the edited ExternalSecret"
        );
        assert!(
            secrets.get_opt("db").await.ok().flatten().is_some(),
            "the Secret was deleted after a typo in remoteRef.key (a remote secret that never \
             existed is not a deleted one)"
        );
        if let Some((_, message)) = ready(api.get_opt("db").await.ok().flatten()) {
            assert!(
                !message.contains("confirms"),
                "a name that was never synced is never a confirmed deletion: {message}"
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let kept = secrets.get("db").await.expect("the Secret is kept");
    assert!(has(&kept, "password", "adv-typo-value-1"));
    common::delete_namespace(&client, &ns).await;
}
