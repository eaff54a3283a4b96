//! Unit tests of the conversion as a whole (per-file behaviour is in the golden tests).

use serde_json::{Value, json};

use super::*;

fn store(kind: &str, ns: Option<&str>, name: &str, service: &str) -> Value {
    let mut metadata = json!({ "name": name });
    if let Some(ns) = ns {
        metadata["namespace"] = ns.into();
    }
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": kind,
        "metadata": metadata,
        "spec": { "provider": { "aws": { "service": service, "region": "eu-west-1" } } }
    })
}

#[test]
fn store_index_answers_only_when_same_named_stores_agree() {
    let docs = [
        store("SecretStore", Some("a"), "aws", "ParameterStore"),
        store("SecretStore", Some("b"), "aws", "SecretsManager"),
        store("SecretStore", Some("c"), "ssm", "ParameterStore"),
        store("SecretStore", Some("d"), "ssm", "ParameterStore"),
        store("ClusterSecretStore", None, "aws", "SecretsManager"),
    ];
    let index = StoreIndex::build(&docs);
    let ps = Some(AwsService::ParameterStore);
    let sm = Some(AwsService::SecretsManager);
    assert_eq!(index.service("SecretStore", Some("a"), "aws"), ps);
    assert_eq!(index.service("SecretStore", Some("b"), "aws"), sm);
    assert_eq!(index.service("SecretStore", Some("x"), "aws"), None);
    // A ClusterExternalSecret's SecretStore may be any namespace's: only an agreement answers.
    assert_eq!(index.service("SecretStore", None, "aws"), None);
    assert_eq!(index.service("SecretStore", None, "ssm"), ps);
    assert_eq!(index.service("ClusterSecretStore", None, "aws"), sm);
}

#[test]
fn server_fields_and_status_are_dropped() {
    let mut es = json!({
        "apiVersion": "external-secrets.io/v1beta1",
        "kind": "ExternalSecret",
        "metadata": {
            "name": "db", "namespace": "a", "uid": "u", "resourceVersion": "1",
            "labels": { "app": "db" },
            "annotations": { LAST_APPLIED: "{}" }
        },
        "spec": {
            "secretStoreRef": { "name": "aws" },
            "data": [ { "secretKey": "k", "remoteRef": { "key": "prod/db" } } ]
        },
        "status": { "refreshTime": "2026-01-01T00:00:00Z" }
    });
    let out = convert(std::slice::from_ref(&es));
    let converted = out.objects[0].output.as_ref().expect("converts");
    assert!(out.objects[0].unsupported.is_empty());
    assert_eq!(
        converted["metadata"],
        json!({ "name": "db", "namespace": "a", "labels": { "app": "db" } })
    );
    assert!(converted.get("status").is_none());
    // The same object at an ESO version this converter does not read is refused whole.
    es["apiVersion"] = "external-secrets.io/v1alpha1".into();
    let out = convert(&[es]);
    assert!(out.objects[0].output.is_none());
    assert_eq!(out.objects[0].unsupported[0].path, "apiVersion");
}

#[test]
fn lists_are_expanded_and_empty_documents_dropped() {
    let docs =
        parse_stream("---\n---\napiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n")
            .expect("parses");
    assert_eq!(docs, [json!({ "kind": "A" }), json!({ "kind": "B" })]);
    assert!(matches!(
        parse_stream("a: [").expect_err("bad YAML"),
        ConvertError::Yaml { index: 1, .. }
    ));
}

#[test]
fn file_names_follow_kind_namespace_and_name() {
    let id = |ns: Option<&str>| ObjectId {
        kind: "ExternalSecret".into(),
        namespace: ns.map(str::to_string),
        name: "db".into(),
    };
    assert_eq!(
        file_name(&id(Some("team-a"))),
        "externalsecret-team-a-db.yaml"
    );
    assert_eq!(file_name(&id(None)), "externalsecret-db.yaml");
}
