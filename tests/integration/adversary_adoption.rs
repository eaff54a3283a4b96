//! Adversarial: a Secret created by someone else while secretsync is fetching is taken over.

use crate::common;

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::operator::Operator;
use common::{apply, wait_for};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use secretsync::api::ExternalSecret;

/// A Secrets Manager stand-in on 127.0.0.1 that answers every GetSecretValue with one value, but
/// only once `gate` is open; `hits` counts requests received.
fn gated_server(gate: Arc<AtomicBool>, hits: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a local port");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let gate = gate.clone();
            let hits = hits.clone();
            std::thread::spawn(move || {
                let mut conn = conn;
                let _ = common::read_request(&mut conn);
                hits.fetch_add(1, Ordering::SeqCst);
                while !gate.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                let body = r#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf","Name":"app","VersionId":"11111111-1111-1111-1111-111111111111","SecretString":"from-aws","VersionStages":["AWSCURRENT"],"CreatedDate":1700000000}"#;
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    format!("http://{addr}")
}

/// Invariant 4: secretsync never takes over a Secret it did not create (Owner refuses it with
/// TargetConflict). The ownership check reads the target before the AWS fetch, and the write is a
/// forced server-side apply without a precondition (no resourceVersion, no create-only). A Secret the
/// user creates while the fetch is in flight (a slow or throttled AWS makes the window seconds long)
/// is overwritten and adopted: it gets secretsync's ownerReference and `created-by` mark, so deleting
/// the ExternalSecret later garbage-collects the user's Secret.
#[tokio::test]
async fn a_secret_created_during_the_fetch_is_not_adopted() {
    let (client, ns) = common::setup("adv-adopt-race").await;
    let gate = Arc::new(AtomicBool::new(false));
    let hits = Arc::new(AtomicUsize::new(0));
    let endpoint = gated_server(gate.clone(), hits.clone());
    let _op = Operator::start(&ns).await;
    apply(&client, &ns, &common::store_yaml("aws", &endpoint)).await;
    apply(
        &client,
        &ns,
        &common::single_key_es("app", "aws", "1h", "app", "  target: { name: app }\n"),
    )
    .await;

    // The controller has checked the target (absent) and is now waiting for AWS.
    wait_for(
        "the controller to call the endpoint",
        Duration::from_secs(30),
        || {
            let n = hits.load(Ordering::SeqCst);
            async move { (n > 0).then_some(()) }
        },
    )
    .await;

    // Meanwhile the user creates their own Secret with the same name.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let mine: Secret = serde_json::from_value(serde_json::json!({
        "metadata": { "name": "app" },
        "stringData": { "user-key": "user-value" }
    }))
    .expect("static Secret JSON");
    secrets
        .create(&PostParams::default(), &mine)
        .await
        .expect("creating the user's Secret");
    gate.store(true, Ordering::SeqCst);

    // Wait until the ExternalSecret reports the outcome of that reconcile.
    let esapi: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let reason = wait_for(
        "the ExternalSecret to report",
        Duration::from_secs(40),
        || {
            let esapi = esapi.clone();
            async move {
                let es = esapi.get_opt("app").await.ok().flatten()?;
                es.status?
                    .conditions
                    .into_iter()
                    .find(|c| c.type_ == "Ready")
                    .map(|c| c.reason)
            }
        },
    )
    .await;
    let s = secrets
        .get_opt("app")
        .await
        .ok()
        .flatten()
        .expect("the user's Secret exists");
    let owners = s.metadata.owner_references.clone().unwrap_or_default();
    let annotations = s.metadata.annotations.clone().unwrap_or_default();
    assert!(
        owners.is_empty() && !annotations.contains_key("secretsync.io/created-by"),
        "the user's Secret was adopted (Ready reason {reason}): ownerReferences {owners:?}, annotations {annotations:?}"
    );
    assert_eq!(reason, "TargetConflict");
    common::delete_namespace(&client, &ns).await;
}
