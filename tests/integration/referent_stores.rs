//! Referent authentication (ESO's term) and `namespaceRegexes` on a ClusterSecretStore: a credential
//! reference without a namespace is read from the namespace of each ExternalSecret that uses the
//! store — never from another one's — and only namespaces a condition admits may use the store.

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, has, sm, wait_ready, wait_secret};

#[tokio::test]
async fn each_namespace_brings_its_own_credentials_and_only_admitted_namespaces_use_the_store() {
    let (client, a) = common::setup("referent-a").await;
    let b = common::namespace(&client, "referent-b").await;
    let c = common::namespace(&client, "referent-c").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let key = format!("{a}/value");
    create_remote(&sm(), &key, "referent-val-1").await;
    let store = format!("{a}-referent");
    // No namespace on either reference: each reader's own `aws-creds`. Admitted: a and b by pattern.
    apply(
        &client,
        &a,
        &format!(
            r#"apiVersion: secretsync.io/v1alpha1
kind: ClusterSecretStore
metadata: {{ name: {store} }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth:
      secretRef:
        accessKeyId: {{ name: aws-creds, key: access-key-id }}
        secretAccessKey: {{ name: aws-creds, key: secret-access-key }}
  conditions: [ {{ namespaceRegexes: ["^{a}$", "^{b}$"] }} ]
"#
        ),
    )
    .await;
    let es = || {
        Es::referencing(
            "db",
            &format!("{{ name: {store}, kind: ClusterSecretStore }}"),
        )
        .default_interval()
        .key("value", &key)
        .yaml()
    };
    let _ops = [
        Operator::start(&a).await,
        Operator::start(&b).await,
        Operator::start(&c).await,
    ];
    // a has its credentials: it syncs with them.
    apply(&client, &a, &common::aws_creds_yaml()).await;
    for ns in [&a, &b, &c] {
        apply(&client, ns, &es()).await;
    }
    wait_secret(&client, &a, "db", "synced with a's credentials", |s| {
        has(s, "value", "referent-val-1")
    })
    .await;

    // b has none: the store reads b's namespace and nothing else (never a's credentials).
    let m = common::ready_message(&wait_ready(&client, &b, "db", "False", "StoreNotReady").await);
    assert!(
        m.contains(&format!("Secret {b}/aws-creds not found")),
        "b must be told its own credentials are missing: {m}"
    );
    // c is admitted by no pattern: refused before any credential is read.
    wait_ready(&client, &c, "db", "False", "StoreNotAllowed").await;

    // b's own credentials arrive: now b syncs, with them.
    apply(&client, &b, &common::aws_creds_yaml()).await;
    wait_secret(&client, &b, "db", "synced with b's own credentials", |s| {
        has(s, "value", "referent-val-1")
    })
    .await;
    // c's credentials change nothing for c: its namespace is still not admitted.
    apply(&client, &c, &common::aws_creds_yaml()).await;
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(client.clone(), &c);
    common::never_within(
        "a Secret in a namespace the store does not admit",
        std::time::Duration::from_secs(3),
        || async { secrets.get_opt("db").await.ok().flatten() },
    )
    .await;
    wait_ready(&client, &c, "db", "False", "StoreNotAllowed").await;

    // A typo in a pattern admits nothing: a and b are refused from now on, and their Secrets stay
    // exactly as they are (no namespace is ever admitted by a pattern that does not compile).
    let before: Vec<_> = {
        let mut v = Vec::new();
        for ns in [&a, &b] {
            let api: kube::Api<k8s_openapi::api::core::v1::Secret> =
                kube::Api::namespaced(client.clone(), ns);
            v.push(api.get("db").await.expect("synced Secret"));
        }
        v
    };
    let stores: kube::Api<secretsync::api::ClusterSecretStore> = kube::Api::all(client.clone());
    let patch =
        serde_json::json!({ "spec": { "conditions": [ { "namespaceRegexes": ["^(unclosed"] } ] } });
    stores
        .patch(
            &store,
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&patch),
        )
        .await
        .expect("patching the store's conditions");
    for (ns, was) in [&a, &b].into_iter().zip(&before) {
        // The store change wakes its readers, which check admission at once (from the caches).
        wait_ready(&client, ns, "db", "False", "StoreNotAllowed").await;
        let api: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(client.clone(), ns);
        let now = api.get("db").await.expect("the Secret stays");
        assert_eq!(now.metadata.uid, was.metadata.uid, "{ns}: same Secret");
        assert_eq!(now.data, was.data, "{ns}: same data");
    }

    for ns in [&b, &c] {
        common::delete_namespace(&client, ns).await;
    }
    let _ = stores.delete(&store, &Default::default()).await;
}
