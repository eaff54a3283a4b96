//! Security invariant 9: a namespaced store never acts with the controller's own AWS identity, and
//! never sends the controller's signed requests to an endpoint a tenant chose, unless an admin
//! allowed it. Also: debug logs carry no access key id and no colour codes, and a malformed
//! credential says "invalid credentials".

use crate::common;
use common::ready_message;

use std::time::Duration;

use common::fake_endpoints::Recorder;
use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, has, sm, testbed_var, wait_for, wait_ready, wait_secret};
use kube::api::Api;
use secretsync::api::SecretStore;

/// The controller's own (fake) access key id, as it would come from its environment.
const CONTROLLER_KEY_ID: &str = "AKIACONTROLLER000001";

/// Waits until the SecretStore's Ready condition has `reason`; returns its message.
async fn wait_store(client: &kube::Client, ns: &str, name: &str, reason: &str) -> String {
    let stores: Api<SecretStore> = Api::namespaced(client.clone(), ns);
    wait_for(
        &format!("SecretStore {ns}/{name} to be {reason}"),
        Duration::from_secs(30),
        || {
            let stores = stores.clone();
            let name = name.to_string();
            async move {
                let s = stores.get(&name).await.ok()?;
                s.status?
                    .conditions
                    .into_iter()
                    .find(|c| c.type_ == "Ready" && c.reason == reason)
                    .map(|c| c.message)
            }
        },
    )
    .await
}

#[tokio::test]
async fn namespaced_store_without_auth_is_refused_unless_the_admin_allows_it() {
    let (client, ns) = common::setup("tenancy-noauth").await;
    let key = format!("{ns}/value");
    create_remote(&sm(), &key, "tenancy-val-1").await;
    // The admin's endpoint comes from the controller's environment, not from the store.
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let env = [("AWS_ENDPOINT_URL", moto.as_str())];
    let mut op = Operator::start_with(&ns, "-strict", &[], &env).await;
    apply(
        &client,
        &ns,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: plain }}\nspec:\n  aws: {{ region: us-east-1 }}\n\
             ---\napiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: chained }}\nspec:\n  aws: {{ region: us-east-1, role: \"arn:aws:iam::123456789012:role/reader\" }}\n\
             ---\n{}---\n{}",
            Es::new("plain", "plain")
                .default_interval()
                .key("value", &key)
                .yaml(),
            Es::new("chained", "chained")
                .default_interval()
                .key("value", &key)
                .yaml()
        ),
    )
    .await;
    for name in ["plain", "chained"] {
        let es = wait_ready(&client, &ns, name, "False", "StoreNotAllowed").await;
        let msg = ready_message(&es);
        assert!(
            msg.contains("--namespaced-stores-use-controller-identity"),
            "{msg}"
        );
        let msg = wait_store(&client, &ns, name, "StoreNotAllowed").await;
        assert!(
            msg.contains("--namespaced-stores-use-controller-identity"),
            "{msg}"
        );
    }
    wait_for(
        "a Warning Event saying StoreNotAllowed",
        Duration::from_secs(30),
        || {
            let client = client.clone();
            let ns = ns.clone();
            async move {
                common::event_messages(&client, &ns)
                    .await
                    .iter()
                    .any(|m| m.contains("SyncFailed") && m.contains("StoreNotAllowed"))
                    .then_some(())
            }
        },
    )
    .await;
    assert_eq!(
        op.metric_sum("secretsync_aws_api_calls_total", &[]),
        0.0,
        "a refused store called AWS"
    );
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(client.clone(), &ns);
    for name in ["plain", "chained"] {
        assert!(secrets.get_opt(name).await.expect("reading").is_none());
    }
    op.stop();

    // A single-tenant cluster: the admin flag re-allows the controller's identity (and roles from it).
    let op = Operator::start_with(
        &ns,
        "-allowed",
        &["--namespaced-stores-use-controller-identity"],
        &env,
    )
    .await;
    for name in ["plain", "chained"] {
        wait_secret(&client, &ns, name, "synced with the flag on", |s| {
            has(s, "value", "tenancy-val-1")
        })
        .await;
        wait_ready(&client, &ns, name, "True", "Synced").await;
        wait_store(&client, &ns, name, "Valid").await;
    }
    op.assert_log_free_of(&["tenancy-val-1"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn tenant_endpoint_never_gets_the_controllers_signed_requests() {
    let (client, ns) = common::setup("tenancy-endpoint").await;
    let recorder = Recorder::start();
    let tenant_endpoint = recorder.endpoint();
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let env = [
        ("AWS_ACCESS_KEY_ID", CONTROLLER_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", "controller-secret-access-key"),
        ("AWS_ENDPOINT_URL", moto.as_str()),
    ];
    let flag = "--namespaced-stores-use-controller-identity";
    let mut op = Operator::start_with(&ns, "-strict", &[flag], &env).await;
    apply(
        &client,
        &ns,
        &format!(
            r#"apiVersion: v1
kind: Secret
metadata: {{ name: tenant-creds }}
stringData: {{ id: AKIATENANTOWNKEY0001, secret: tenant-secret-access-key }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: rogue }}
spec:
  aws: {{ region: us-east-1, endpoint: "{tenant_endpoint}" }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: own }}
spec:
  aws:
    region: us-east-1
    endpoint: "{tenant_endpoint}"
    auth: {{ secretRef: {{ accessKeyId: {{ name: tenant-creds, key: id }}, secretAccessKey: {{ name: tenant-creds, key: secret }} }} }}
---
{}---
{}"#,
            Es::new("rogue", "rogue")
                .default_interval()
                .key("value", "any/key")
                .yaml(),
            Es::new("own", "own")
                .default_interval()
                .key("value", "any/key")
                .yaml()
        ),
    )
    .await;
    let refused = wait_ready(&client, &ns, "rogue", "False", "StoreNotAllowed").await;
    let msg = ready_message(&refused);
    assert!(msg.contains("--allowed-endpoints"), "{msg}");
    let msg = wait_store(&client, &ns, "rogue", "StoreNotAllowed").await;
    assert!(msg.contains("--allowed-endpoints"), "{msg}");
    // A store with its own keys may use any endpoint: its requests arrive, signed with its own key.
    wait_for(
        "a request signed with the tenant's own key",
        Duration::from_secs(30),
        || {
            let n = recorder.signed_by("AKIATENANTOWNKEY0001");
            async move { (n > 0).then_some(()) }
        },
    )
    .await;
    assert_eq!(
        recorder.signed_by(CONTROLLER_KEY_ID),
        0,
        "the tenant's endpoint received the controller's signed requests"
    );
    assert!(
        !recorder
            .requests()
            .iter()
            .any(|r| r.contains(CONTROLLER_KEY_ID)),
        "the controller's key id reached the tenant's endpoint"
    );
    op.stop();

    // The admin allow-lists the endpoint: now the controller's identity may be used there.
    let op = Operator::start_with(
        &ns,
        "-allow-listed",
        &[flag, "--allowed-endpoints", &tenant_endpoint],
        &env,
    )
    .await;
    wait_for(
        "a request signed with the controller's key at the allow-listed endpoint",
        Duration::from_secs(30),
        || {
            let n = recorder.signed_by(CONTROLLER_KEY_ID);
            async move { (n > 0).then_some(()) }
        },
    )
    .await;
    wait_store(&client, &ns, "rogue", "Valid").await;
    op.assert_log_free_of(&["controller-secret-access-key", "tenant-secret-access-key"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn debug_log_has_no_access_key_id_and_no_colour_codes() {
    let (client, ns) = common::setup("tenancy-log").await;
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let key = format!("{ns}/value");
    create_remote(&sm(), &key, "tenancy-log-val-1").await;
    // RUST_LOG=debug (set by the helper); NO_COLOR empty, as in most deployments.
    let op = Operator::start_with(&ns, "-debug", &[], &[("NO_COLOR", "")]).await;
    apply(
        &client,
        &ns,
        &format!(
            r#"apiVersion: v1
kind: Secret
metadata: {{ name: log-creds }}
stringData: {{ id: AKIALOGTESTKEYID0001, secret: log-test-secret-access-key }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: static }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth: {{ secretRef: {{ accessKeyId: {{ name: log-creds, key: id }}, secretAccessKey: {{ name: log-creds, key: secret }} }} }}
---
{}"#,
            Es::new("static", "static")
                .default_interval()
                .key("value", &key)
                .yaml()
        ),
    )
    .await;
    wait_secret(&client, &ns, "static", "synced", |s| {
        has(s, "value", "tenancy-log-val-1")
    })
    .await;
    wait_ready(&client, &ns, "static", "True", "Synced").await;
    op.assert_log_free_of(&[
        "AKIALOGTESTKEYID0001",
        "log-test-secret-access-key",
        "tenancy-log-val-1",
    ]);
    let text = std::fs::read_to_string(&op.log).unwrap_or_default();
    assert!(
        text.contains("DEBUG"),
        "the controller did not log at debug"
    );
    assert!(
        !text.contains("\x1b["),
        "the controller log {} has ANSI colour codes",
        op.log.display()
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_session_token_with_a_newline_is_invalid_credentials() {
    let (client, ns) = common::setup("tenancy-badtoken").await;
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let op = Operator::start_with(&ns, "", &[], &[]).await;
    apply(
        &client,
        &ns,
        &format!(
            r#"apiVersion: v1
kind: Secret
metadata: {{ name: token-creds }}
stringData: {{ id: AKIATOKENTESTKEY0001, secret: token-test-secret-key, token: "FwoGZXIvYXdzEL1\nZtokenrest" }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: session }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth:
      secretRef:
        accessKeyId: {{ name: token-creds, key: id }}
        secretAccessKey: {{ name: token-creds, key: secret }}
        sessionToken: {{ name: token-creds, key: token }}
---
{}"#,
            Es::new("session", "session")
                .default_interval()
                .key("value", &format!("{ns}/value"))
                .yaml()
        ),
    )
    .await;
    let failed = wait_ready(&client, &ns, "session", "False", "StoreNotReady").await;
    let store_msg = wait_store(&client, &ns, "session", "StoreNotReady").await;
    for msg in [ready_message(&failed), store_msg] {
        assert!(msg.contains("invalid credentials"), "{msg}");
        assert!(msg.contains("auth.secretRef.sessionToken"), "{msg}");
        assert!(!msg.contains("connection failed"), "{msg}");
        for part in ["FwoGZXIvYXdzEL1", "Ztokenrest", "token-test-secret-key"] {
            assert!(!msg.contains(part), "the message shows a credential: {msg}");
        }
    }
    assert_eq!(
        op.metric_sum("secretsync_aws_api_calls_total", &[]),
        0.0,
        "a malformed credential reached AWS"
    );
    op.assert_log_free_of(&["FwoGZXIvYXdzEL1", "Ztokenrest", "token-test-secret-key"]);
    common::delete_namespace(&client, &ns).await;
}
