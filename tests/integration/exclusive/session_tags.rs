//! ESO's `sessionTagsPolicy` on a ClusterSecretStore, with one controller for every namespace: each
//! reading namespace gets its own STS session, tagged by the controller with that namespace
//! (`esoNamespace`), the store's name and kind; one AssumeRole per namespace, however often it
//! reads; each namespace gets its own secret. A store that names a key the controller sets is
//! refused by the API server; a custom tag STS would refuse is refused by the controller (store
//! condition, ExternalSecret condition and Event) and the Secrets synced before stay as they were.
//!
//! The store's endpoint is the recording proxy of `role_chain` (moto does not record session tags).
//! This module runs a controller for every namespace, so it runs alone (see `exclusive`).

use std::time::Duration;

use crate::common;

use crate::role_chain::{
    LAST_ACCOUNT, STATIC_KEY_ID, STATIC_SECRET, assume_calls, param, remote_in,
};

use common::fault_proxy::FaultProxy;
use common::operator::Operator;
use common::scenario::Es;
use common::{apply, has, secret_data, wait_for, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use secretsync::api::{ClusterSecretStore, SecretStore};

/// The ClusterSecretStore `name`: static keys from `creds_ns`, `role` with `policy_lines`, admitting
/// `namespaces`.
fn css(
    name: &str,
    endpoint: &str,
    creds_ns: &str,
    policy_lines: &str,
    namespaces: &[&str],
) -> String {
    format!(
        r#"apiVersion: secretsync.io/v1alpha1
kind: ClusterSecretStore
metadata: {{ name: {name} }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth: {{ secretRef: {{ accessKeyId: {{ name: tag-creds, key: id, namespace: {creds_ns} }}, secretAccessKey: {{ name: tag-creds, key: secret, namespace: {creds_ns} }} }} }}
{policy_lines}  conditions: [ {{ namespaces: {namespaces:?} }} ]
"#
    )
}

/// The Ready condition of the ClusterSecretStore `name` once its reason is `reason`: its message.
async fn store_reason(stores: &Api<ClusterSecretStore>, name: &str, reason: &str) -> String {
    wait_for(
        &format!("ClusterSecretStore {name} to be {reason}"),
        Duration::from_secs(30),
        || async move {
            stores
                .get(name)
                .await
                .ok()?
                .status?
                .conditions
                .into_iter()
                .find(|c| c.type_ == "Ready" && c.reason == reason)
                .map(|c| c.message)
        },
    )
    .await
}

#[tokio::test]
async fn each_namespace_reads_through_its_own_session_tagged_with_its_namespace() {
    let (client, a) = common::setup("tags-a").await;
    let b = common::namespace(&client, "tags-b").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let proxy = FaultProxy::start(&endpoint);
    let role = format!("arn:aws:iam::{LAST_ACCOUNT}:role/{a}-abac");
    for ns in [&a, &b] {
        remote_in(
            &endpoint,
            ns,
            LAST_ACCOUNT,
            &format!("{ns}/db"),
            &format!("{ns}-tag-val"),
        )
        .await;
    }
    apply(
        &client,
        &a,
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{ name: tag-creds }}\nstringData: {{ id: {STATIC_KEY_ID}, secret: {STATIC_SECRET} }}\n"
        ),
    )
    .await;
    let store = format!("{a}-abac");
    let simple = format!("    role: {role}\n    sessionTagsPolicy: Simple\n");
    apply(
        &client,
        &a,
        &css(&store, &proxy.endpoint(), &a, &simple, &[&a, &b]),
    )
    .await;
    let op = Operator::start_cluster_wide("session-tags").await;
    let store_ref = format!("{{ name: {store}, kind: ClusterSecretStore }}");
    for ns in [&a, &b] {
        apply(
            &client,
            ns,
            &Es::referencing("db", &store_ref)
                .interval("1s")
                .key("value", &format!("{ns}/db"))
                .yaml(),
        )
        .await;
    }
    let mut before = Vec::new();
    for ns in [&a, &b] {
        before.push(
            wait_secret(&client, ns, "db", "its own namespace's secret", |s| {
                has(s, "value", &format!("{ns}-tag-val"))
            })
            .await,
        );
        wait_ready(&client, ns, "db", "True", "Synced").await;
    }

    // Two sessions, each asked with the store's key and tagged with its own namespace.
    let tagged_for = |ns: &str| {
        assume_calls(&proxy, &role)
            .into_iter()
            .filter(|(f, _)| {
                (1..=3).any(|i| {
                    param(f, &format!("Tags.member.{i}.Key")) == Some("esoNamespace")
                        && param(f, &format!("Tags.member.{i}.Value")) == Some(ns)
                })
            })
            .collect::<Vec<_>>()
    };
    let all = assume_calls(&proxy, &role);
    assert_eq!(
        all.len(),
        tagged_for(&a).len() + tagged_for(&b).len(),
        "every AssumeRole names one of the two namespaces: {all:?}"
    );
    for ns in [&a, &b] {
        let calls = tagged_for(ns);
        assert_eq!(calls.len(), 1, "one AssumeRole for {ns}: {calls:?}");
        let (f, signed_by) = &calls[0];
        assert_eq!(signed_by, STATIC_KEY_ID, "{f:?}");
        for (name, want) in [
            ("RoleSessionName", "secretsync"),
            ("Tags.member.1.Key", "esoNamespace"),
            ("Tags.member.1.Value", ns.as_str()),
            ("Tags.member.2.Key", "esoStoreName"),
            ("Tags.member.2.Value", store.as_str()),
            ("Tags.member.3.Key", "esoStoreKind"),
            ("Tags.member.3.Value", "ClusterSecretStore"),
        ] {
            assert_eq!(param(f, name), Some(want), "{name} for {ns}: {f:?}");
        }
        assert_eq!(param(f, "Tags.member.4.Key"), None, "{f:?}");
    }

    // Refreshes in both namespaces reuse their sessions: no AssumeRole per read.
    let calls_of = |ns: &str| {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[&format!("store=\"ClusterSecretStore/{store}/for/{ns}\"")],
        )
    };
    let (calls_a, calls_b) = (calls_of(&a), calls_of(&b));
    assert!(
        calls_a > 0.0 && calls_b > 0.0,
        "each namespace's own store scope"
    );
    wait_for(
        "three more AWS calls in each namespace (refreshes)",
        Duration::from_secs(60),
        || async { (calls_of(&a) >= calls_a + 3.0 && calls_of(&b) >= calls_b + 3.0).then_some(()) },
    )
    .await;
    assert_eq!(tagged_for(&a).len(), 1, "no AssumeRole per read in {a}");
    assert_eq!(tagged_for(&b).len(), 1, "no AssumeRole per read in {b}");

    // A key the controller sets: the API server refuses it, on either store kind, in any case.
    let stores: Api<ClusterSecretStore> = Api::all(client.clone());
    let generation = stores.get(&store).await.expect("store").metadata.generation;
    for (aws, words) in [
        (
            serde_json::json!({ "sessionTagsPolicy": "Custom", "customSessionTags": { "EsoNamespace": b } }),
            "customSessionTags cannot contain the keys the controller sets",
        ),
        (
            serde_json::json!({ "sessionTags": [{ "key": "esoNamespace", "value": b }] }),
            "esoNamespace, esoStoreName and esoStoreKind are set by the controller",
        ),
        (
            serde_json::json!({ "sessionTagsPolicy": "Simple", "sessionTags": [{ "key": "team", "value": "a" }] }),
            "replaces sessionTags",
        ),
    ] {
        let mut spec = serde_json::json!({ "region": "us-east-1", "endpoint": proxy.endpoint(), "role": role });
        if let (Some(s), Some(extra)) = (spec.as_object_mut(), aws.as_object()) {
            s.extend(extra.clone());
        }
        let obj = serde_json::json!({
            "apiVersion": "secretsync.io/v1alpha1",
            "kind": "ClusterSecretStore",
            "metadata": { "name": store },
            "spec": { "aws": spec },
        });
        let err = stores
            .patch(
                &store,
                &PatchParams::apply("secretsync-tests").force(),
                &Patch::Apply(&obj),
            )
            .await
            .expect_err("refused by the API server");
        assert!(err.to_string().contains(words), "{words}: {err}");
        let tenant: Api<SecretStore> = Api::namespaced(client.clone(), &b);
        let namespaced = serde_json::json!({
            "apiVersion": "secretsync.io/v1alpha1",
            "kind": "SecretStore",
            "metadata": { "name": "tenant" },
            "spec": { "aws": obj["spec"]["aws"] },
        });
        let err = tenant
            .patch(
                "tenant",
                &PatchParams::apply("secretsync-tests").force(),
                &Patch::Apply(&namespaced),
            )
            .await
            .expect_err("refused by the API server");
        assert!(err.to_string().contains(words), "{words}: {err}");
    }
    assert_eq!(
        stores.get(&store).await.expect("store").metadata.generation,
        generation,
        "a refused store stays as it was"
    );

    // A custom tag key STS would refuse passes the API server (map keys have no pattern there):
    // the controller refuses the store, says so everywhere, and the Secrets stay as they were.
    let custom = format!(
        "    role: {role}\n    sessionTagsPolicy: Custom\n    customSessionTags: {{ \"team;x\": \"payments\" }}\n"
    );
    apply(
        &client,
        &a,
        &css(&store, &proxy.endpoint(), &a, &custom, &[&a, &b]),
    )
    .await;
    let m = store_reason(&stores, &store, "StoreNotReady").await;
    assert!(m.contains("customSessionTags[\"team;x\"]"), "{m}");
    for (ns, was) in [&a, &b].into_iter().zip(&before) {
        let es = wait_ready(&client, ns, "db", "False", "StoreNotReady").await;
        let m = common::ready_message(&es);
        assert!(
            m.contains("spec.aws.customSessionTags[\"team;x\"]: key \"team;x\" may hold only"),
            "{m}"
        );
        common::wait_for_events(
            &client,
            ns,
            &["SyncFailed StoreNotReady: ", "customSessionTags"],
        )
        .await;
        let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
        let now = secrets.get("db").await.expect("the Secret stays");
        assert_eq!(now.metadata.uid, was.metadata.uid, "{ns}: same Secret");
        assert_eq!(secret_data(&now), secret_data(was), "{ns}: same data");
    }
    op.assert_log_free_of(&[
        &format!("{a}-tag-val"),
        &format!("{b}-tag-val"),
        STATIC_SECRET,
    ]);
    let _ = stores.delete(&store, &DeleteParams::default()).await;
    common::delete_namespace(&client, &b).await;
    common::delete_namespace(&client, &a).await;
}
