//! Store credentials: static keys (namespaced and cluster stores), AssumeRole with externalId, and
//! per-tenant web identity (a real TokenRequest, then AssumeRoleWithWebIdentity at the emulator's STS).

use crate::common;

use common::operator::Operator;
use common::{apply, create_remote, has, sm, wait_ready, wait_secret};

#[tokio::test]
async fn static_keys_assume_role_and_web_identity_all_sync() {
    let (client, ns) = common::setup("auth").await;
    let creds_ns = common::namespace(&client, "auth-creds").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let key = format!("{ns}/value");
    create_remote(&sm(), &key, "auth-val-1").await;
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
    role: arn:aws:iam::123456789012:role/reader
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
    role: arn:aws:iam::123456789012:role/tenant-reader
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
    for (name, store_ref) in [
        ("static", "{ name: static }".to_string()),
        ("assume", "{ name: assume }".to_string()),
        ("web-identity", "{ name: web-identity }".to_string()),
        (
            "cluster",
            format!("{{ name: {css}, kind: ClusterSecretStore }}"),
        ),
    ] {
        apply(
            &client,
            &ns,
            &format!(
                "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: {name} }}\nspec:\n  secretStoreRef: {store_ref}\n  data:\n    - {{ secretKey: value, remoteRef: {{ key: \"{key}\" }} }}\n"
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
