//! ESO's per-entry `sourceRef.storeRef` on the real test bed: one ExternalSecret reads one secret
//! through its default Secrets Manager store and a parameter of the same name through a Parameter
//! Store named by `storeRef`, into one Secret; a new parameter version updates it; and a `storeRef`
//! the namespace may not use (a ClusterSecretStore that does not admit it, a SecretStore of another
//! namespace), is refused with a clear reason and Event, the
//! Secret untouched.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::ParameterType;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams};

use crate::common;
use common::operator::Operator;
use common::scenario::Es;
use common::ssm::put;
use common::{apply, create_remote, has, sm, testbed_var, wait_ready, wait_secret};
use secretsync::api::ExternalSecret;

fn data_of(s: &Secret) -> BTreeMap<String, Vec<u8>> {
    s.data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect()
}

/// `data` reading `key` from the default store as `sm`, and from the store `store_ref` as `ps`.
fn mixed(key: &str, store_ref: &str) -> String {
    format!(
        "  data:\n\
         \x20   - {{ secretKey: sm, remoteRef: {{ key: \"{key}\" }} }}\n\
         \x20   - {{ secretKey: ps, remoteRef: {{ key: \"{key}\" }}, sourceRef: {{ storeRef: {store_ref} }} }}\n"
    )
}

/// The test bed's stores in `ns`: SecretStore `aws` (Secrets Manager) and `ssm` (Parameter Store).
async fn stores(client: &kube::Client, ns: &str) {
    common::apply_test_store(client, ns).await;
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    apply(client, ns, &common::ssm::store_yaml("ssm", &endpoint)).await;
}

#[tokio::test]
async fn two_stores_fill_one_secret_and_a_new_parameter_version_updates_it() {
    let (client, ns) = common::setup("store-refs").await;
    // The same name in both services: the record keeps them apart.
    let key = format!("/{ns}/db");
    create_remote(&sm(), &key, "from-secrets-manager").await;
    let ssm = common::ssm::client();
    put(&ssm, &key, ParameterType::SecureString, "from-parameter-1").await;
    let op = Operator::start(&ns).await;
    stores(&client, &ns).await;
    // A third store reads below its own prefix: `db` there is the same parameter.
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let prefixed = common::scenario::Store::parameter_store("prefixed", &endpoint)
        .with(&format!("prefix: /{ns}/"))
        .yaml();
    apply(&client, &ns, &prefixed).await;
    let body = format!(
        "{}    - {{ secretKey: pfx, remoteRef: {{ key: db }}, sourceRef: {{ storeRef: {{ name: prefixed }} }} }}\n",
        mixed(&key, "{ name: ssm }")
    );
    apply(&client, &ns, &Es::new("mixed", "aws").body(&body).yaml()).await;
    // Every entry through another store than its secretStoreRef: the default store has nothing to do.
    let only_other = format!(
        "  data:\n    - {{ secretKey: ps, remoteRef: {{ key: \"{key}\" }}, sourceRef: {{ storeRef: {{ name: ssm }} }} }}\n"
    );
    apply(
        &client,
        &ns,
        &Es::new("only-other", "aws").body(&only_other).yaml(),
    )
    .await;
    wait_ready(&client, &ns, "only-other", "True", "Synced").await;
    let es = wait_ready(&client, &ns, "mixed", "True", "Synced").await;
    wait_secret(&client, &ns, "mixed", "both stores' values", |s| {
        has(s, "sm", "from-secrets-manager")
            && has(s, "ps", "from-parameter-1")
            && has(s, "pfx", "from-parameter-1")
    })
    .await;
    let versions = es.status.expect("status").synced_versions;
    // A parameter's version is recorded as `<number>@<last modified>`.
    assert!(
        versions
            .get(&format!("SecretStore/ssm:{key}"))
            .is_some_and(|v| v.starts_with("1@")),
        "the parameter's version, under its store's label: {versions:?}"
    );
    assert!(
        versions
            .get(&format!("SecretStore/prefixed:{key}"))
            .is_some_and(|v| v.starts_with("1@")),
        "the prefixed store records the full name: {versions:?}"
    );
    assert!(
        versions.get(&key).is_some_and(|v| !v.contains('@')),
        "the secret's version id, unlabelled: {versions:?}"
    );

    // Idle refreshes (every second) detect through each store and read no value from either.
    let calls = |store: &str, operation: &str| {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[
                &format!("store=\"SecretStore/{ns}/{store}\""),
                &format!("operation=\"{operation}\""),
            ],
        )
    };
    let reads = || {
        calls("ssm", "GetParameter")
            + calls("ssm", "GetParameters")
            + calls("prefixed", "GetParameter")
            + calls("prefixed", "GetParameters")
            + calls("aws", "GetSecretValue")
            + calls("aws", "BatchGetSecretValue")
    };
    let reads_before = reads();
    assert!(
        calls("ssm", "GetParameter") + calls("ssm", "GetParameters") > 0.0
            && calls("aws", "GetSecretValue") + calls("aws", "BatchGetSecretValue") > 0.0,
        "each store read its value once"
    );
    let describes_before = calls("ssm", "DescribeParameters");
    common::wait_for(
        "three idle refreshes of the parameter store",
        std::time::Duration::from_secs(60),
        || {
            let n = calls("ssm", "DescribeParameters");
            async move { (n >= describes_before + 3.0).then_some(()) }
        },
    )
    .await;
    assert_eq!(reads(), reads_before, "an idle refresh reads no value");

    // A new version in the second store reaches the Secret; the first store's value stays.
    put(&ssm, &key, ParameterType::SecureString, "from-parameter-2").await;
    wait_secret(&client, &ns, "mixed", "the new parameter version", |s| {
        has(s, "sm", "from-secrets-manager")
            && has(s, "ps", "from-parameter-2")
            && has(s, "pfx", "from-parameter-2")
    })
    .await;
    wait_secret(&client, &ns, "only-other", "the new version", |s| {
        has(s, "ps", "from-parameter-2")
    })
    .await;
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    common::wait_for(
        "syncedVersions to record parameter version 2",
        std::time::Duration::from_secs(30),
        || async {
            let es = api.get("mixed").await.ok()?;
            let v = es.status?.synced_versions;
            v.get(&format!("SecretStore/ssm:{key}"))
                .is_some_and(|v| v.starts_with("2@"))
                .then_some(())
        },
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}

/// The reader index knows an entry's own store: a new secret version seen by that store's shared
/// Secrets Manager listing (kept fresh by another ExternalSecret of the store) refreshes the
/// two-store ExternalSecret at once, although its own interval is an hour. (Parameter Store detects
/// per ExternalSecret, without a shared listing.)
#[tokio::test]
async fn another_stores_listing_announces_a_change_without_waiting_for_the_interval() {
    let (client, ns) = common::setup("store-refs-listing").await;
    let (key, pulse) = (format!("/{ns}/db"), format!("/{ns}/pulse"));
    let sm = sm();
    create_remote(&sm, &key, "sm-1").await;
    create_remote(&sm, &pulse, "pulse").await;
    let ssm = common::ssm::client();
    put(&ssm, &key, ParameterType::String, "ps-1").await;
    let op = Operator::start(&ns).await;
    stores(&client, &ns).await;
    let pulse_body =
        format!("  data:\n    - {{ secretKey: p, remoteRef: {{ key: \"{pulse}\" }} }}\n");
    apply(
        &client,
        &ns,
        &Es::new("pulse", "aws").body(&pulse_body).yaml(),
    )
    .await;
    // Parameter Store by default, Secrets Manager through the entry's storeRef.
    let body = format!(
        "  data:\n\
         \x20   - {{ secretKey: ps, remoteRef: {{ key: \"{key}\" }} }}\n\
         \x20   - {{ secretKey: sm, remoteRef: {{ key: \"{key}\" }}, sourceRef: {{ storeRef: {{ name: aws }} }} }}\n"
    );
    apply(
        &client,
        &ns,
        &Es::new("slow", "ssm").interval("1h").body(&body).yaml(),
    )
    .await;
    for name in ["pulse", "slow"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }
    wait_secret(&client, &ns, "slow", "synced", |s| has(s, "sm", "sm-1")).await;
    // The store's listing has run twice since (a change is seen between two listings).
    let listings = || {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[
                &format!("store=\"SecretStore/{ns}/aws\""),
                "operation=\"ListSecrets\"",
            ],
        )
    };
    let before = listings();
    common::wait_for(
        "two listings of the Secrets Manager store",
        std::time::Duration::from_secs(30),
        || {
            let n = listings();
            async move { (n >= before + 2.0).then_some(()) }
        },
    )
    .await;
    common::rotate_remote(&sm, &key, "sm-2").await;
    wait_secret(
        &client,
        &ns,
        "slow",
        "the new version, through pulse's listing",
        |s| has(s, "ps", "ps-1") && has(s, "sm", "sm-2"),
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_store_ref_the_namespace_may_not_use_is_refused_and_the_secret_stays() {
    let (client, ns) = common::setup("store-refs-deny").await;
    let key = format!("/{ns}/db");
    create_remote(&sm(), &key, "sm-1").await;
    let ssm = common::ssm::client();
    put(&ssm, &key, ParameterType::String, "ps-1").await;
    let _op = Operator::start(&ns).await;
    stores(&client, &ns).await;
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let excluding = format!("{ns}-excluding");
    apply(
        &client,
        &ns,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\nmetadata: {{ name: {excluding} }}\n\
             spec:\n  aws: {{ service: ParameterStore, region: us-east-1, endpoint: \"{endpoint}\" }}\n  \
             conditions: [ {{ namespaces: [not-{ns}] }} ]\n"
        ),
    )
    .await;
    // A SecretStore that exists, in another namespace only: never looked up there.
    let elsewhere = common::namespace(&client, "store-refs-elsewhere").await;
    apply(
        &client,
        &elsewhere,
        &common::ssm::store_yaml("only-elsewhere", &endpoint),
    )
    .await;
    // (ExternalSecret, its spec after the edit, reason, words of the message)
    let cases = [
        (
            "cluster-store",
            mixed(
                &key,
                &format!("{{ name: {excluding}, kind: ClusterSecretStore }}"),
            ),
            "StoreNotAllowed",
            format!(
                "ClusterSecretStore \"{excluding}\" (named by sourceRef.storeRef): ClusterSecretStore \"{excluding}\" does not admit namespace"
            ),
        ),
        (
            "other-namespace",
            mixed(&key, "{ name: ssm, namespace: kube-system }"),
            "StoreNotAllowed",
            "data[1].sourceRef.storeRef: secretStoreRef names namespace \"kube-system\""
                .to_string(),
        ),
        (
            "not-here",
            mixed(&key, "{ name: only-elsewhere }"),
            "StoreNotFound",
            format!(
                "SecretStore \"only-elsewhere\" (named by sourceRef.storeRef): SecretStore \"only-elsewhere\" not found in namespace \"{ns}\""
            ),
        ),
    ];
    for (name, _, _, _) in &cases {
        let good = mixed(&key, "{ name: ssm }");
        apply(&client, &ns, &Es::new(name, "aws").body(&good).yaml()).await;
    }
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let mut before = BTreeMap::new();
    for (name, _, _, _) in &cases {
        wait_ready(&client, &ns, name, "True", "Synced").await;
        let s = wait_secret(&client, &ns, name, "synced", |s| has(s, "ps", "ps-1")).await;
        before.insert(*name, s);
    }
    for (name, bad, _, _) in &cases {
        apply(&client, &ns, &Es::new(name, "aws").body(bad).yaml()).await;
    }
    // A new value would show if anything were written.
    put(&ssm, &key, ParameterType::String, "ps-2").await;
    for (name, _, reason, words) in &cases {
        let es = wait_ready(&client, &ns, name, "False", reason).await;
        let message = common::ready_message(&es);
        assert!(message.contains(words.as_str()), "{name}: {message}");
        common::wait_for_events(
            &client,
            &ns,
            &[&format!("SyncFailed {reason}: "), words.as_str()],
        )
        .await;
    }
    for (name, _, _, _) in &cases {
        let now = secrets.get(name).await.expect("the Secret is still there");
        let was = &before[name];
        assert_eq!(now.metadata.uid, was.metadata.uid, "{name}: same Secret");
        assert_eq!(
            now.metadata.resource_version, was.metadata.resource_version,
            "{name}: not written"
        );
        assert_eq!(data_of(&now), data_of(was), "{name}: same data");
    }
    let css: Api<secretsync::api::ClusterSecretStore> = Api::all(client.clone());
    let _ = css.delete(&excluding, &DeleteParams::default()).await;
    common::delete_namespace(&client, &elsewhere).await;
    common::delete_namespace(&client, &ns).await;
}

/// A generic target (a ConfigMap) reads entries of two stores like a Secret target: both stores'
/// values land in it, a new parameter version reaches it, and a parameter deleted in the second
/// store leaves the ConfigMap exactly as it was (`SecretNotFound`; generic targets are never
/// deleted on a remote deletion).
#[tokio::test]
async fn a_config_map_target_reads_entries_of_two_stores() {
    use k8s_openapi::api::core::v1::ConfigMap;
    let (client, ns) = common::setup("store-refs-generic").await;
    let key = format!("/{ns}/db");
    create_remote(&sm(), &key, "cm-from-secrets-manager").await;
    let ssm = common::ssm::client();
    put(&ssm, &key, ParameterType::String, "cm-from-parameter-1").await;
    let _op = Operator::start_with(
        &ns,
        "store-refs-generic",
        &["--unsafe-allow-generic-targets"],
        &[],
    )
    .await;
    stores(&client, &ns).await;
    let es = Es::new("mixed-cm", "aws")
        .body(&mixed(&key, "{ name: ssm }"))
        .with("target: { name: mixed-cm, manifest: { apiVersion: v1, kind: ConfigMap } }");
    apply(&client, &ns, &es.yaml()).await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let value_is = |cm: &ConfigMap, k: &str, v: &str| {
        cm.data.as_ref().and_then(|d| d.get(k)).map(String::as_str) == Some(v)
    };
    let wait_cm = |what: &'static str, want: &'static str| {
        let cms = cms.clone();
        async move {
            common::wait_for(what, std::time::Duration::from_secs(30), || {
                let cms = cms.clone();
                async move {
                    let cm = cms.get_opt("mixed-cm").await.ok().flatten()?;
                    (value_is(&cm, "sm", "cm-from-secrets-manager") && value_is(&cm, "ps", want))
                        .then_some(cm)
                }
            })
            .await
        }
    };
    wait_cm(
        "both stores' values in the ConfigMap",
        "cm-from-parameter-1",
    )
    .await;
    let es = wait_ready(&client, &ns, "mixed-cm", "True", "Synced").await;
    let versions = es.status.expect("status").synced_versions;
    assert!(
        versions
            .get(&format!("SecretStore/ssm:{key}"))
            .is_some_and(|v| v.starts_with("1@")),
        "the parameter's version, under its store's label: {versions:?}"
    );

    put(&ssm, &key, ParameterType::String, "cm-from-parameter-2").await;
    let before = wait_cm("the new parameter version", "cm-from-parameter-2").await;

    // The second store's parameter is deleted: the ConfigMap is kept as it is.
    common::ssm::delete(&ssm, &key).await;
    let force = serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": "after-delete" } } });
    let esapi: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    esapi
        .patch(
            "mixed-cm",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&force),
        )
        .await
        .expect("force a refresh");
    wait_ready(&client, &ns, "mixed-cm", "False", "SecretNotFound").await;
    let now = cms.get("mixed-cm").await.expect("the ConfigMap is kept");
    assert_eq!(now.data, before.data, "the ConfigMap's data is untouched");
    common::delete_namespace(&client, &ns).await;
}
