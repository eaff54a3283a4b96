//! Adversarial: a namespaced SecretStore makes the controller mint Kubernetes API credentials for any
//! ServiceAccount of its namespace and send them to an endpoint the tenant controls.

use crate::common;

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::operator::Operator;
use common::{apply, wait_for};
use kube::api::Api;

/// The tenant's "STS": records every request body and answers 500.
fn capturing_server(bodies: Arc<Mutex<Vec<String>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a local port");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let (_, body) = common::read_request(&mut conn);
            bodies
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(String::from_utf8_lossy(&body).to_string());
            let _ = write!(
                conn,
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    format!("http://{addr}")
}

/// Invariants 3 and 9 (isolation): a namespaced store's `auth.serviceAccountRef` takes any
/// ServiceAccount of the namespace and any `audiences` the tenant writes, and the token goes to the
/// store's `endpoint` (STS uses it too). A tenant who may only write SecretStores asks for the
/// API server's audience and receives, at their own HTTP server, a token that authenticates to the
/// Kubernetes API as that ServiceAccount (e.g. a CI deployer's). The controller becomes a token
/// minting service (it needs `serviceaccounts/token` create for IRSA; the tenant does not).
#[tokio::test]
async fn a_tenant_endpoint_never_receives_a_token_valid_for_the_kubernetes_api() {
    let (client, ns) = common::setup("adv-sa-token").await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let endpoint = capturing_server(bodies.clone());
    let _op = Operator::start(&ns).await;
    let audience = "https://kubernetes.default.svc.cluster.local";
    apply(
        &client,
        &ns,
        &format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{ name: deployer }}\n---\n\
             apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: evil }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n    role: arn:aws:iam::123456789012:role/anything\n    auth: {{ serviceAccountRef: {{ name: deployer, audiences: [\"{audience}\"] }} }}\n---\n{}",
            common::single_key_es("x", "evil", "1h", "x", "")
        ),
    )
    .await;

    // The store is refused before any token is minted or any request is sent.
    let es = common::wait_ready(&client, &ns, "x", "False", "StoreNotAllowed").await;
    let message = es
        .status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.message)
        .unwrap_or_default();
    assert!(message.contains("audience"), "{message}");
    // Same with the STS audience: a token the controller mints never goes to a tenant's endpoint.
    apply(
        &client,
        &ns,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: evil }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n    role: arn:aws:iam::123456789012:role/anything\n    auth: {{ serviceAccountRef: {{ name: deployer }} }}\n"
        ),
    )
    .await;
    wait_for(
        "the refusal to name the endpoint",
        Duration::from_secs(40),
        || {
            let client = client.clone();
            let ns = ns.clone();
            async move {
                let api: Api<secretsync::api::ExternalSecret> = Api::namespaced(client, &ns);
                let es = api.get_opt("x").await.ok().flatten()?;
                es.status?
                    .conditions
                    .into_iter()
                    .find(|c| c.type_ == "Ready" && c.message.contains("--allowed-endpoints"))
                    .map(|_| ())
            }
        },
    )
    .await;
    let received = bodies.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(
        received.iter().all(|b| !b.contains("WebIdentityToken")),
        "a minted token reached the tenant's endpoint"
    );
    assert!(
        received.is_empty(),
        "requests reached the tenant's endpoint: {}",
        received.len()
    );
    common::delete_namespace(&client, &ns).await;
}
