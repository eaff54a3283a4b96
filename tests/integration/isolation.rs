//! Security invariant 3: an ExternalSecret reads only stores it may use, and refused references cost no AWS call.

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, has, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, Patch, PatchParams};

#[tokio::test]
async fn refused_store_references_make_no_aws_call() {
    let (client, ns) = common::setup("isolation").await;
    let other = common::namespace(&client, "isolation-other").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let sm = sm();
    let key = format!("{ns}/value");
    create_remote(&sm, &key, "isolation-val-1").await;
    let op = Operator::start(&ns).await;

    // A store that exists only in another namespace.
    apply(
        &client,
        &other,
        &format!("apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: theirs }}\nspec:\n  aws: {{ region: us-east-1, endpoint: \"{endpoint}\" }}\n"),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::referencing(
            "cross-ns",
            &format!("{{ name: theirs, namespace: {other} }}"),
        )
        .default_interval()
        .key("value", &key)
        .yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::referencing("not-here", "{ name: theirs }")
            .default_interval()
            .key("value", &key)
            .yaml(),
    )
    .await;

    // ClusterSecretStores: one admits only another namespace, one admits by label.
    let css_excluding = format!("{ns}-excluding");
    let css_by_label = format!("{ns}-by-label");
    apply(
        &client,
        &ns,
        &format!(
            r#"apiVersion: secretsync.io/v1alpha1
kind: ClusterSecretStore
metadata: {{ name: {css_excluding} }}
spec:
  aws: {{ region: us-east-1, endpoint: "{endpoint}" }}
  conditions: [ {{ namespaces: [{other}] }} ]
---
apiVersion: secretsync.io/v1alpha1
kind: ClusterSecretStore
metadata: {{ name: {css_by_label} }}
spec:
  aws: {{ region: us-east-1, endpoint: "{endpoint}" }}
  conditions: [ {{ namespaceSelector: {{ matchLabels: {{ secretsync.io/tenant: {ns} }} }} }} ]
"#
        ),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::referencing(
            "css-excluded",
            &format!("{{ name: {css_excluding}, kind: ClusterSecretStore }}"),
        )
        .default_interval()
        .key("value", &key)
        .yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::referencing(
            "css-by-label",
            &format!("{{ name: {css_by_label}, kind: ClusterSecretStore }}"),
        )
        .default_interval()
        .key("value", &key)
        .yaml(),
    )
    .await;

    // A store whose credentials Secret is missing.
    apply(
        &client,
        &ns,
        &format!(
            r#"apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: broken }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth: {{ secretRef: {{ accessKeyId: {{ name: missing, key: id }}, secretAccessKey: {{ name: missing, key: secret }} }} }}
"#
        ),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::referencing("broken-store", "{ name: broken }")
            .default_interval()
            .key("value", &key)
            .yaml(),
    )
    .await;

    wait_ready(&client, &ns, "cross-ns", "False", "StoreNotAllowed").await;
    wait_ready(&client, &ns, "not-here", "False", "StoreNotFound").await;
    wait_ready(&client, &ns, "css-excluded", "False", "StoreNotAllowed").await;
    wait_ready(&client, &ns, "css-by-label", "False", "StoreNotAllowed").await;
    wait_ready(&client, &ns, "broken-store", "False", "StoreNotReady").await;
    assert_eq!(
        op.metric_sum("secretsync_aws_api_calls_total", &[]),
        0.0,
        "a refused reference called AWS"
    );
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(client.clone(), &ns);
    for name in [
        "cross-ns",
        "not-here",
        "css-excluded",
        "css-by-label",
        "broken-store",
    ] {
        assert!(
            secrets.get_opt(name).await.expect("reading").is_none(),
            "{name} wrote a Secret"
        );
    }
    // The broken store reports why on its own status, too.
    let stores: Api<secretsync::api::SecretStore> = Api::namespaced(client.clone(), &ns);
    common::wait_for(
        "SecretStore broken to be StoreNotReady",
        std::time::Duration::from_secs(30),
        || {
            let stores = stores.clone();
            async move {
                let s = stores.get("broken").await.ok()?;
                s.status?
                    .conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.reason == "StoreNotReady")
                    .then_some(())
            }
        },
    )
    .await;

    // Label the namespace: the ClusterSecretStore now admits it and the sync goes through.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let label = serde_json::json!({ "metadata": { "labels": { "secretsync.io/tenant": ns } } });
    namespaces
        .patch(&ns, &PatchParams::default(), &Patch::Merge(&label))
        .await
        .expect("labelling");
    let force = serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": "after-label" } } });
    let ess: Api<secretsync::api::ExternalSecret> = Api::namespaced(client.clone(), &ns);
    ess.patch(
        "css-by-label",
        &PatchParams::default(),
        &Patch::Merge(&force),
    )
    .await
    .expect("force-sync");
    wait_secret(
        &client,
        &ns,
        "css-by-label",
        "synced through the ClusterSecretStore",
        |s| has(s, "value", "isolation-val-1"),
    )
    .await;

    let metrics = op.metrics();
    for name in [
        "secretsync_sync_results_total",
        "secretsync_reconcile_duration_seconds",
        "secretsync_aws_api_calls_total",
        "secretsync_external_secrets",
    ] {
        assert!(
            metrics.contains(name),
            "metric {name} missing from:\n{metrics}"
        );
    }
    op.assert_log_free_of(&["isolation-val-1"]);
    let css: Api<secretsync::api::ClusterSecretStore> = Api::all(client.clone());
    for name in [&css_excluding, &css_by_label] {
        let _ = css.delete(name, &Default::default()).await;
    }
    common::delete_namespace(&client, &ns).await;
    common::delete_namespace(&client, &other).await;
}
