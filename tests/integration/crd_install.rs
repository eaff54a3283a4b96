//! The generated CRDs on a real kube-apiserver: structural, served, validated, explained.

use crate::common;

use std::time::Duration;

use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, PostParams};
use secretsync::api::{ClusterSecretStore, ExternalSecret, SecretStore};
use serde_json::{Value, json};

fn dynamic_api<K: kube::Resource<DynamicType = ()>>(
    client: &Client,
    ns: Option<&str>,
) -> Api<DynamicObject> {
    let ar = ApiResource::erase::<K>(&());
    match ns {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    }
}

fn object(kind: &str, name: &str, spec: Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "secretsync.io/v1alpha1",
        "kind": kind,
        "metadata": { "name": name },
        "spec": spec,
    }))
    .expect("static object JSON")
}

fn valid_external_secret_spec() -> Value {
    json!({
        "secretStoreRef": { "name": "aws" },
        "refreshInterval": "15m",
        "target": {
            "name": "db-credentials",
            "creationPolicy": "Owner",
            "template": { "data": { "DATABASE_URL": "postgres://{{ username }}:{{ password }}@db:5432/app" } }
        },
        "data": [
            { "secretKey": "password", "remoteRef": { "key": "prod/db", "property": "password", "versionStage": "AWSPREVIOUS" } },
            { "secretKey": "pinned", "remoteRef": { "key": "prod/db", "versionId": "01234567-89ab-cdef-0123-456789abcdef", "decodingStrategy": "Base64" } }
        ],
        "dataFrom": [
            { "extract": { "key": "prod/app" } },
            { "find": { "name": { "regexp": "^prod/shared/" }, "tags": { "team": "a" } } }
        ],
        "rolloutRestartTargets": [ { "kind": "Deployment", "name": "api" } ]
    })
}

fn valid_store_spec(namespaced_refs: bool) -> Value {
    let sel = |key: &str| {
        if namespaced_refs {
            json!({ "name": "aws-creds", "key": key, "namespace": "platform" })
        } else {
            json!({ "name": "aws-creds", "key": key })
        }
    };
    json!({
        "aws": {
            "region": "us-east-1",
            "endpoint": "http://127.0.0.1:5000",
            "role": "arn:aws:iam::111122223333:role/reader",
            "externalId": "xyz",
            "auth": { "secretRef": { "accessKeyId": sel("access-key-id"), "secretAccessKey": sel("secret-access-key") } }
        }
    })
}

async fn expect_rejected(api: &Api<DynamicObject>, obj: DynamicObject, expected: &str) {
    let name = obj.metadata.name.clone().unwrap_or_default();
    match api.create(&PostParams::default(), &obj).await {
        Ok(_) => panic!("{name}: the apiserver accepted an invalid object (expected: {expected})"),
        Err(e) => {
            let text = format!("{e}");
            assert!(
                text.contains(expected),
                "{name}: rejected, but with {text:?}; expected it to mention {expected:?}"
            );
        }
    }
}

#[tokio::test]
async fn crds_are_established_and_each_kind_round_trips() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "crd-roundtrip").await;

    let es_api = dynamic_api::<ExternalSecret>(&client, Some(&ns));
    let created = es_api
        .create(
            &PostParams::default(),
            &object("ExternalSecret", "db", valid_external_secret_spec()),
        )
        .await
        .expect("creating a valid ExternalSecret");
    assert_eq!(created.metadata.name.as_deref(), Some("db"));
    // Read back through the typed API: the stored object deserializes into our types, defaults applied.
    let typed: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let es = typed.get("db").await.expect("reading the ExternalSecret");
    assert_eq!(es.spec.data.len(), 2);
    assert_eq!(es.spec.data_from.len(), 2);
    assert_eq!(es.spec.target.name.as_deref(), Some("db-credentials"));
    assert_eq!(
        es.spec.secret_store_ref.kind,
        secretsync::api::StoreKind::SecretStore
    );
    assert_eq!(es.spec.rollout_restart_targets[0].name, "api");
    typed
        .delete("db", &DeleteParams::default())
        .await
        .expect("deleting the ExternalSecret");

    let ss_api = dynamic_api::<SecretStore>(&client, Some(&ns));
    ss_api
        .create(
            &PostParams::default(),
            &object("SecretStore", "aws", valid_store_spec(false)),
        )
        .await
        .expect("creating a valid SecretStore");
    let typed: Api<SecretStore> = Api::namespaced(client.clone(), &ns);
    let ss = typed.get("aws").await.expect("reading the SecretStore");
    assert_eq!(ss.spec.aws.region, "us-east-1");
    assert_eq!(ss.spec.aws.external_id.as_deref(), Some("xyz"));
    typed
        .delete("aws", &DeleteParams::default())
        .await
        .expect("deleting the SecretStore");

    let css_name = format!("{ns}-css");
    let mut css_spec = valid_store_spec(true);
    css_spec["conditions"] = json!([
        { "namespaces": ["team-a"] },
        { "namespaceSelector": { "matchLabels": { "secretsync.io/tenant": "a" } } }
    ]);
    let css_api = dynamic_api::<ClusterSecretStore>(&client, None);
    css_api
        .create(
            &PostParams::default(),
            &object("ClusterSecretStore", &css_name, css_spec),
        )
        .await
        .expect("creating a valid ClusterSecretStore");
    let typed: Api<ClusterSecretStore> = Api::all(client.clone());
    let css = typed
        .get(&css_name)
        .await
        .expect("reading the ClusterSecretStore");
    assert_eq!(css.spec.conditions.len(), 2);
    typed
        .delete(&css_name, &DeleteParams::default())
        .await
        .expect("deleting the ClusterSecretStore");

    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn invalid_objects_are_rejected_by_the_apiserver() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "crd-invalid").await;
    let es_api = dynamic_api::<ExternalSecret>(&client, Some(&ns));

    let mut spec = valid_external_secret_spec();
    spec["data"][0]["remoteRef"]["versionId"] = json!("01234567-89ab-cdef-0123-456789abcdef");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "both-stage-and-id", spec),
        "mutually exclusive",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["target"]["creationPolicy"] = json!("Adopt");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "unknown-creation-policy", spec),
        "Unsupported value",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["target"]["deletionPolicy"] = json!("Purge");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "unknown-deletion-policy", spec),
        "Unsupported value",
    )
    .await;

    let spec = json!({ "secretStoreRef": { "name": "aws" } });
    expect_rejected(
        &es_api,
        object("ExternalSecret", "nothing-to-fetch", spec),
        "at least one entry",
    )
    .await;

    let spec = json!({ "data": [ { "secretKey": "a", "remoteRef": { "key": "k" } } ] });
    expect_rejected(
        &es_api,
        object("ExternalSecret", "no-store", spec),
        "secretStoreRef",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["secretStoreRef"]["kind"] = json!("VaultStore");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "unknown-store-kind", spec),
        "Unsupported value",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["target"]["type"] = json!("kubernetes.io/service-account-token");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "sa-token", spec),
        "service-account-token",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["dataFrom"][0]["find"] = json!({ "tags": { "a": "b" } });
    expect_rejected(
        &es_api,
        object("ExternalSecret", "extract-and-find", spec),
        "exactly one of extract or find",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["refreshInterval"] = json!("1 hour");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "bad-interval", spec),
        "refreshInterval",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["data"][0]["secretKey"] = json!("bad/key");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "bad-key", spec),
        "secretKey",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["data"][0]["remoteRef"]["decodingStrategy"] = json!("Hex");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "bad-decoding", spec),
        "Unsupported value",
    )
    .await;

    let mut spec = valid_external_secret_spec();
    spec["target"]["deletionPolicy"] = json!("Delete");
    spec["target"]["creationPolicy"] = json!("Orphan");
    expect_rejected(
        &es_api,
        object("ExternalSecret", "delete-orphan", spec),
        "requires creationPolicy Owner",
    )
    .await;

    let ss_api = dynamic_api::<SecretStore>(&client, Some(&ns));
    let mut spec = valid_store_spec(false);
    spec["aws"]
        .as_object_mut()
        .expect("aws object")
        .remove("role");
    expect_rejected(
        &ss_api,
        object("SecretStore", "external-id-without-role", spec),
        "externalId requires role",
    )
    .await;

    let spec = valid_store_spec(true);
    expect_rejected(
        &ss_api,
        object("SecretStore", "namespaced-ref", spec),
        "only allowed on a ClusterSecretStore",
    )
    .await;

    let mut spec = valid_store_spec(false);
    spec["aws"]["role"] = json!("not-an-arn");
    expect_rejected(&ss_api, object("SecretStore", "bad-role", spec), "role").await;

    let mut spec = valid_store_spec(false);
    spec["aws"]
        .as_object_mut()
        .expect("aws object")
        .remove("region");
    expect_rejected(&ss_api, object("SecretStore", "no-region", spec), "region").await;

    // A region is a region name, not a host (the SDK builds the endpoint's host from it).
    let mut spec = valid_store_spec(false);
    spec["aws"]["region"] = json!("x@127.0.0.1:1/");
    expect_rejected(
        &ss_api,
        object("SecretStore", "host-region", spec),
        "spec.aws.region",
    )
    .await;
    let mut spec = valid_store_spec(false);
    spec["aws"]["events"] = json!({
        "sqsQueueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q",
        "region": "x@127.0.0.1:1/",
    });
    expect_rejected(
        &ss_api,
        object("SecretStore", "host-events-region", spec),
        "spec.aws.events.region",
    )
    .await;

    let mut spec = valid_store_spec(false);
    spec["aws"]["auth"]["serviceAccountRef"] = json!({ "name": "reader" });
    expect_rejected(
        &ss_api,
        object("SecretStore", "two-auths", spec),
        "exactly one of secretRef or serviceAccountRef",
    )
    .await;

    let css_api = dynamic_api::<ClusterSecretStore>(&client, None);
    // Credentials without a namespace are accepted: referent authentication reads them from each
    // ExternalSecret's own namespace (core::tenancy::store_plan), never another.
    let spec = valid_store_spec(false);
    let name = format!("{ns}-no-ns");
    css_api
        .create(
            &PostParams::default(),
            &object("ClusterSecretStore", &name, spec),
        )
        .await
        .unwrap_or_else(|e| panic!("a referent ClusterSecretStore is valid: {e}"));
    let _ = css_api.delete(&name, &Default::default()).await;

    let mut spec = valid_store_spec(true);
    spec["conditions"] = json!([{}]);
    expect_rejected(
        &css_api,
        object("ClusterSecretStore", &format!("{ns}-empty-cond"), spec),
        "namespaces, namespaceSelector or namespaceRegexes",
    )
    .await;

    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn kubectl_explain_shows_field_descriptions() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let kubectl = common::tool("kubectl");
    let kubeconfig = common::testbed_var("KUBECONFIG");
    // The OpenAPI document that `explain` reads is published a moment after the CRD is Established.
    let text = common::wait_for(
        "kubectl explain externalsecret.spec.data.remoteRef",
        Duration::from_secs(60),
        || {
            let kubectl = kubectl.clone();
            let kubeconfig = kubeconfig.clone();
            async move {
                let out = tokio::process::Command::new(kubectl)
                    .env("KUBECONFIG", kubeconfig)
                    .args(["explain", "externalsecret.spec.data.remoteRef"])
                    .output()
                    .await
                    .ok()?;
                out.status
                    .success()
                    .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
            }
        },
    )
    .await;
    assert!(
        text.contains("Secret name or full ARN"),
        "explain output lacks the key description:\n{text}"
    );
    assert!(
        text.contains("versionStage"),
        "explain output lacks versionStage:\n{text}"
    );
    assert!(
        text.contains("Staging label to read"),
        "explain output lacks the versionStage description:\n{text}"
    );
}
