//! The desired object of a generic target of any kind: where the values go (ESO's
//! `createSimpleManifest` and template engine), nested paths, and drift on `.spec.data`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry};
use serde_json::json;

use super::*;
use crate::api::{SecretTemplate, TemplateEngine};
use crate::core::desired::RenderedMetadata;
use crate::core::manifest::path::{PathValue, PathWrite};

fn widget() -> GenericTarget {
    GenericTarget {
        group: "example.com".into(),
        version: "v1".into(),
        kind: "Widget".into(),
    }
}

fn writer() -> Writer {
    Writer {
        name: "es".into(),
        namespace: "team".into(),
        uid: "uid-es".into(),
    }
}

fn spec(templated: bool) -> ExternalSecretSpec {
    let mut s: ExternalSecretSpec = serde_json::from_value(json!({
        "secretStoreRef": { "name": "aws" },
        "target": { "name": "w", "manifest": { "apiVersion": "example.com/v1", "kind": "Widget" } },
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    if templated {
        s.target.template = Some(SecretTemplate {
            engine_version: Some(TemplateEngine::V2),
            ..Default::default()
        });
    }
    s
}

fn desired(pairs: &[(&str, &str)], paths: Vec<PathWrite>) -> DesiredData {
    DesiredData {
        data: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect(),
        synced_versions: [("app".to_string(), "v1".to_string())].into(),
        rendered_metadata: Some(RenderedMetadata {
            paths,
            ..Default::default()
        }),
    }
}

fn object_of(templated: bool, d: &DesiredData) -> DynamicObject {
    desired_object(
        &writer(),
        &spec(templated),
        &widget(),
        d,
        b"key",
        &ObjectMeta::default(),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn values_land_where_eso_puts_them() {
    // (case, templated, data, paths, the object's fields besides metadata)
    let doc = |p: &str, v: &str| PathWrite {
        path: p.into(),
        value: PathValue::Document(v.as_bytes().to_vec()),
    };
    let rows = [
        // ESO createSimpleManifest: a kind other than ConfigMap gets the values in .spec.data.
        (
            "no template",
            false,
            vec![("k", "v")],
            vec![],
            json!({"spec": {"data": {"k": "v"}}}),
        ),
        (
            "no template, no keys",
            false,
            vec![],
            vec![],
            json!({"spec": {"data": {}}}),
        ),
        // ESO's template engine writes template.data (target Data) to the top-level data field.
        (
            "templated",
            true,
            vec![("k", "v")],
            vec![],
            json!({"data": {"k": "v"}}),
        ),
        (
            "templated, a nested path only",
            true,
            vec![],
            vec![doc("spec.database.config", "host: db\nport: 5432\n")],
            json!({"spec": {"database": {"config": {"host": "db", "port": 5432}}}}),
        ),
        (
            "templated, data and a path",
            true,
            vec![("k", "v")],
            vec![doc("spec.a", "b: c")],
            json!({"data": {"k": "v"}, "spec": {"a": {"b": "c"}}}),
        ),
    ];
    for (case, templated, data, paths, want) in rows {
        let o = object_of(templated, &desired(&data, paths));
        assert_eq!(o.data, want, "{case}");
        let types = o.types.clone().unwrap_or_default();
        assert_eq!(
            (types.api_version.as_str(), types.kind.as_str()),
            ("example.com/v1", "Widget"),
            "{case}"
        );
        assert_eq!(o.metadata.namespace.as_deref(), Some("team"), "{case}");
        let a = o.metadata.annotations.clone().unwrap_or_default();
        assert_eq!(a[VERSIONS_ANNOTATION], r#"{"app":"v1"}"#, "{case}");
        assert_eq!(
            o.metadata.owner_references.iter().flatten().count(),
            1,
            "{case}: owned (creationPolicy Owner)"
        );
    }
}

/// `o` as the API server returns it after secretsync applied it (managedFields over `.spec.data`).
fn as_written(o: &DynamicObject) -> DynamicObject {
    let mut out = o.clone();
    let keys: serde_json::Map<String, Value> = o.data["spec"]["data"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| (format!("f:{k}"), json!({})))
        .collect();
    out.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
        manager: Some(FIELD_MANAGER.into()),
        operation: Some("Apply".into()),
        fields_v1: Some(FieldsV1(json!({ "f:spec": { "f:data": keys } }))),
        ..Default::default()
    }]);
    out
}

#[test]
fn drift_of_a_custom_resource_is_seen_on_spec_data() {
    let d = desired(&[("a", "1"), ("b", "2")], vec![]);
    let want = object_of(false, &d);
    let written = as_written(&want);
    let at = values_field(&widget(), false);
    assert!(digest_matches(&written, &widget(), false, b"key"));
    assert!(!digest_matches(&written, &widget(), false, b"other"));
    // The digest binds the kind: a ConfigMap's digest over the same keys differs.
    let cm = GenericTarget {
        group: String::new(),
        version: "v1".into(),
        kind: "ConfigMap".into(),
    };
    assert!(!digest_matches(&written, &cm, false, b"key"));
    assert_eq!(
        recorded_versions(&written),
        [("app".into(), "v1".into())].into()
    );
    let mut edited = written.clone();
    edited.data["spec"]["data"]["a"] = json!("changed");
    assert!(!digest_matches(&edited, &widget(), false, b"key"));
    let mut theirs = written.clone();
    theirs.data["spec"]["other"] = json!("theirs");
    theirs.data["spec"]["data"]["x"] = json!("theirs");
    assert!(digest_matches(&theirs, &widget(), false, b"key"));
    let rows = [
        ("absent", None, true),
        ("as written", Some(&written), false),
        ("someone else's fields", Some(&theirs), false),
        ("a value edited", Some(&edited), true),
    ];
    for (case, existing, write) in rows {
        assert_eq!(needs_write(existing, &want, at), write, "{case}");
    }
    // A nested path edited by someone is repaired when the values are next written.
    let with_path = object_of(
        true,
        &desired(
            &[],
            vec![PathWrite {
                path: "spec.a".into(),
                value: PathValue::Value {
                    key: "k".into(),
                    value: b"v".to_vec(),
                },
            }],
        ),
    );
    let mut drifted = with_path.clone();
    drifted.data["spec"]["a"] = json!("edited");
    assert!(!needs_write(Some(&with_path), &with_path, &["data"]));
    assert!(needs_write(Some(&drifted), &with_path, &["data"]));
}

#[test]
fn a_value_that_is_not_text_is_refused_by_key_only() {
    let mut d = desired(&[], vec![]);
    d.data.insert("bin".into(), vec![0xff, b's', b'3']);
    let e = desired_object(
        &writer(),
        &spec(false),
        &widget(),
        &d,
        b"key",
        &ObjectMeta::default(),
        None,
    )
    .err()
    .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.reason, Reason::InvalidValue);
    assert!(e.message.contains("Widget \"w\""), "{}", e.message);
}
