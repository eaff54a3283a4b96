//! Store credentials: static keys (namespaced and cluster stores), AssumeRole with externalId, and
//! per-tenant web identity (a real TokenRequest, then AssumeRoleWithWebIdentity at the emulator's STS).
//!
//! Moto accepts any keys, so a sync alone would not show which identity was used. It does keep each
//! AWS account's secrets apart, and the temporary keys from AssumeRole or AssumeRoleWithWebIdentity
//! belong to the account of the role ARN. So the role stores use roles in [`ROLE_ACCOUNT`] (not moto's
//! default account, where static keys land) and their remote secret exists only there: a controller
//! that skipped the role (or the token exchange) would read the default account, get
//! ResourceNotFound and never sync. The other way round, the same stores pointed at a secret that
//! exists only in the default account fail with SecretNotFound, so their calls really go to the
//! role's account. Moto does not check externalId; it records it with each assumed role (its
//! `/moto-api/data.json`), and the test reads that record.

use crate::common;

use common::operator::{Operator, http_get};
use common::{apply, create_remote, has, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;

/// The account of the role stores' roles; moto's default account (static keys) is 123456789012.
const ROLE_ACCOUNT: &str = "444455556666";

/// A Secrets Manager client in `role`'s account: keys from AssumeRole at `endpoint`.
pub(crate) async fn sm_as_role(endpoint: &str, role: &str) -> aws_sdk_secretsmanager::Client {
    use aws_credential_types::Credentials;
    let config = aws_sdk_sts::Config::builder()
        .endpoint_url(endpoint)
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .build();
    let out = aws_sdk_sts::Client::from_conf(config)
        .assume_role()
        .role_arn(role)
        .role_session_name("auth-modes-remotes")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssumeRole {role}: {e:?}"));
    let c = out.credentials().expect("AssumeRole returns credentials");
    let config = aws_sdk_secretsmanager::Config::builder()
        .endpoint_url(endpoint)
        .region(aws_sdk_secretsmanager::config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "tests-role",
        ))
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// Asserts that `name` does not exist for `sm` (ResourceNotFoundException): the accounts are apart.
pub(crate) async fn assert_absent(sm: &aws_sdk_secretsmanager::Client, name: &str, account: &str) {
    let err = sm
        .describe_secret()
        .secret_id(name)
        .send()
        .await
        .expect_err("the secret must not exist in the other account");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "DescribeSecret {name} in {account}: wanted ResourceNotFound, got {err:?}"
    );
}

/// The external ids of every AssumeRole(WithWebIdentity) moto recorded for `role` with the
/// controller's session name (`secretsync`).
fn recorded_external_ids(role: &str) -> Vec<Option<String>> {
    let port: u16 = common::testbed_var("SECRETSYNC_MOTO_PORT")
        .parse()
        .expect("SECRETSYNC_MOTO_PORT is a port");
    let (code, body) = http_get(port, "/moto-api/data.json").expect("moto answers data.json");
    assert_eq!(code, 200, "moto data.json: {body}");
    let data: serde_json::Value = serde_json::from_str(&body).expect("moto data.json is JSON");
    data["sts"]["AssumedRole"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["role_arn"] == role && r["session_name"] == "secretsync")
        .map(|r| r["external_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn static_keys_assume_role_and_web_identity_all_sync() {
    let (client, ns) = common::setup("auth").await;
    let creds_ns = common::namespace(&client, "auth-creds").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    // Role names unique to the run, so moto's records of them are this test's alone.
    let assume_role = format!("arn:aws:iam::{ROLE_ACCOUNT}:role/{ns}-reader");
    let web_role = format!("arn:aws:iam::{ROLE_ACCOUNT}:role/{ns}-tenant-reader");
    // The default account's secret (static and cluster stores) and the role account's, written
    // with another role of that account.
    let key = format!("{ns}/value");
    let role_key = format!("{ns}/role-value");
    create_remote(&sm(), &key, "auth-val-1").await;
    let role_sm = sm_as_role(
        &endpoint,
        &format!("arn:aws:iam::{ROLE_ACCOUNT}:role/{ns}-writer"),
    )
    .await;
    create_remote(&role_sm, &role_key, "auth-val-1").await;
    assert_absent(&sm(), &role_key, "the default account").await;
    assert_absent(&role_sm, &key, ROLE_ACCOUNT).await;
    // The web-identity store is namespaced and names the emulator's endpoint: minted tokens may go
    // there only because the admin allow-lists it.
    let allowed = format!("--allowed-endpoints={endpoint}");
    let op = Operator::start_with(&ns, "", &[&allowed], &[]).await;
    let css = format!("{ns}-static");
    apply(
        &client,
        &ns,
        &format!(
            r#"apiVersion: v1
kind: Secret
metadata: {{ name: aws-creds }}
stringData: {{ id: AKIAEXAMPLEKEYID0001, secret: auth-static-secret-key }}
---
apiVersion: v1
kind: Secret
metadata: {{ name: cluster-creds, namespace: {creds_ns} }}
stringData: {{ id: AKIAEXAMPLEKEYID0002, secret: auth-cluster-secret-key }}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{ name: reader }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: static }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: id }}, secretAccessKey: {{ name: aws-creds, key: secret }} }} }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: assume }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    role: {assume_role}
    externalId: tenant-a
    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: id }}, secretAccessKey: {{ name: aws-creds, key: secret }} }} }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: web-identity }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    role: {web_role}
    auth: {{ serviceAccountRef: {{ name: reader }} }}
---
apiVersion: secretsync.io/v1alpha1
kind: ClusterSecretStore
metadata: {{ name: {css} }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth:
      secretRef:
        accessKeyId: {{ name: cluster-creds, key: id, namespace: {creds_ns} }}
        secretAccessKey: {{ name: cluster-creds, key: secret, namespace: {creds_ns} }}
"#
        ),
    )
    .await;
    // (ExternalSecret, store, remote key): the role stores read the role account's secret; the
    // `*-default-only` ones read, through the same role stores, the secret of the default account.
    for (name, store_ref, remote) in [
        ("static", "{ name: static }".to_string(), &key),
        ("assume", "{ name: assume }".to_string(), &role_key),
        (
            "web-identity",
            "{ name: web-identity }".to_string(),
            &role_key,
        ),
        (
            "cluster",
            format!("{{ name: {css}, kind: ClusterSecretStore }}"),
            &key,
        ),
        ("assume-default-only", "{ name: assume }".to_string(), &key),
        (
            "web-identity-default-only",
            "{ name: web-identity }".to_string(),
            &key,
        ),
    ] {
        apply(
            &client,
            &ns,
            &format!(
                "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: {name} }}\nspec:\n  secretStoreRef: {store_ref}\n  data:\n    - {{ secretKey: value, remoteRef: {{ key: \"{remote}\" }} }}\n"
            ),
        )
        .await;
    }
    for name in ["static", "assume", "web-identity", "cluster"] {
        wait_secret(&client, &ns, name, "synced", |s| {
            has(s, "value", "auth-val-1")
        })
        .await;
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }
    // The role stores' calls land in the role's account: the default account's secret is not
    // found there, and no Secret is written.
    let secrets: kube::Api<Secret> = kube::Api::namespaced(client.clone(), &ns);
    for name in ["assume-default-only", "web-identity-default-only"] {
        let es = wait_ready(&client, &ns, name, "False", "SecretNotFound").await;
        let message = es
            .status
            .iter()
            .flat_map(|s| &s.conditions)
            .find(|c| c.type_ == "Ready")
            .map(|c| c.message.clone())
            .unwrap_or_default();
        assert!(
            message.contains(&key),
            "{name}: SecretNotFound should name {key}: {message}"
        );
        assert!(
            secrets.get_opt(name).await.ok().flatten().is_none(),
            "{name}: a Secret was written although its remote is not in the role's account ({message})"
        );
    }
    // The AssumeRole carried the store's externalId; the web identity exchange carries none.
    let assume_ids = recorded_external_ids(&assume_role);
    assert!(
        !assume_ids.is_empty()
            && assume_ids
                .iter()
                .all(|id| id.as_deref() == Some("tenant-a")),
        "AssumeRole {assume_role} as recorded by moto: external ids {assume_ids:?}"
    );
    let web_ids = recorded_external_ids(&web_role);
    assert!(
        !web_ids.is_empty() && web_ids.iter().all(Option::is_none),
        "AssumeRoleWithWebIdentity {web_role} as recorded by moto: external ids {web_ids:?}"
    );
    op.assert_log_free_of(&[
        "auth-val-1",
        "auth-static-secret-key",
        "auth-cluster-secret-key",
    ]);
    let css_api: kube::Api<secretsync::api::ClusterSecretStore> = kube::Api::all(client.clone());
    let _ = css_api.delete(&css, &Default::default()).await;
    common::delete_namespace(&client, &ns).await;
    common::delete_namespace(&client, &creds_ns).await;
}
