//! `convert` on ESO's generic targets (`target.manifest`): a v1 ConfigMap or any namespaced kind
//! converts with its notes (nested templateFrom paths kept), the Secret-only fields ESO ignores there
//! are dropped with a note, the kinds secretsync refuses are refused with its reason.

use serde_json::{Value, json};

use super::*;

fn es_with_target(target: Value) -> Value {
    json!({
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "cfg", "namespace": "a"},
        "spec": {
            "secretStoreRef": {"name": "aws"},
            "target": target,
            "data": [{"secretKey": "url", "remoteRef": {"key": "prod/app", "property": "url"}}]
        }
    })
}

fn converted_target(target: Value) -> (Option<Value>, Vec<String>, Vec<String>) {
    let out = convert(&[es_with_target(target)]);
    let o = &out.objects[0];
    (
        o.output.as_ref().map(|v| v["spec"]["target"].clone()),
        o.unsupported
            .iter()
            .map(|u| format!("{}: {}", u.path, u.reason))
            .collect(),
        o.notes.clone(),
    )
}

#[test]
fn a_config_map_target_converts_with_its_notes() {
    let (target, refused, notes) = converted_target(json!({
        "name": "app-config",
        "creationPolicy": "Owner",
        "deletionPolicy": "Delete",
        "manifest": {"apiVersion": "v1", "kind": "ConfigMap"},
        "template": {"engineVersion": "v2", "data": {"url": "{{ .url }}"}}
    }));
    assert!(refused.is_empty(), "{refused:?}");
    let target = target.expect("converts");
    assert_eq!(
        target["manifest"],
        json!({"apiVersion": "v1", "kind": "ConfigMap"})
    );
    assert_eq!(target["name"], "app-config");
    assert_eq!(target["deletionPolicy"], "Delete");
    assert_eq!(target["template"]["data"]["url"], "{{ .url }}");
    let notes = notes.join("\n");
    for words in [
        "--unsafe-allow-generic-targets",
        "genericTargets.enabled",
        "did not create is refused",
        "remote deletion keeps the object",
        "secretsync.io/data-hmac",
    ] {
        assert!(notes.contains(words), "{words}: {notes}");
    }
}

#[test]
fn secret_only_fields_are_dropped_on_a_generic_target_as_eso_ignores_them() {
    let (target, refused, notes) = converted_target(json!({
        "immutable": true,
        "deletionPolicy": "Merge",
        "manifest": {"apiVersion": "v1", "kind": "ConfigMap"},
        "template": {"type": "kubernetes.io/tls"}
    }));
    assert!(refused.is_empty(), "{refused:?}");
    let target = target.expect("converts");
    assert!(target.get("type").is_none(), "{target}");
    assert!(target.get("immutable").is_none(), "{target}");
    assert!(target.get("deletionPolicy").is_none(), "{target}");
    let notes = notes.join("\n");
    for words in [
        "template.type \"kubernetes.io/tls\" is not used by a generic target",
        "immutable is not used by a generic target",
        "deletionPolicy Merge on a generic target (target.manifest) becomes Retain",
    ] {
        assert!(notes.contains(words), "{words}: {notes}");
    }
}

#[test]
fn a_custom_resource_target_converts_with_its_nested_paths() {
    let (target, refused, notes) = converted_target(json!({
        "name": "my-app",
        "manifest": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application"},
        "template": {"engineVersion": "v2", "templateFrom": [
            {"target": "spec.source.helm.values", "literal": "password: {{ .url }}"},
            {"target": "SPEC", "literal": "a: b"},
            {"target": "spec.rules[0].to", "literal": "x: y"},
            {"target": "annotations", "literal": "a: b"}
        ]}
    }));
    assert!(refused.is_empty(), "{refused:?}");
    let target = target.expect("converts");
    assert_eq!(
        target["manifest"],
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application"})
    );
    let targets: Vec<&Value> = target["template"]["templateFrom"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| &t["target"])
        .collect();
    assert_eq!(
        targets,
        vec![
            &json!("spec.source.helm.values"),
            &json!("spec"),
            &json!("spec.rules[0].to"),
            &json!("Annotations")
        ]
    );
    let notes = notes.join("\n");
    for words in [
        "--unsafe-allow-generic-targets",
        "genericTargets.extraResources",
        "values land in .spec.data",
        "refuses a cluster-scoped kind",
    ] {
        assert!(notes.contains(words), "{words}: {notes}");
    }
}

#[test]
fn refused_kinds_and_paths_say_why() {
    let rows = [
        (
            json!({"manifest": {"apiVersion": "v1", "kind": "Secret"}}),
            "target.manifest",
            "leave target.manifest out",
        ),
        (
            json!({"manifest": {"apiVersion": "v1", "kind": "Namespace"}}),
            "target.manifest",
            "cluster-scoped kind Namespace",
        ),
        (
            json!({"manifest": {"apiVersion": "secretsync.io/v1alpha1", "kind": "SecretStore"}}),
            "target.manifest",
            "never writes secretsync objects",
        ),
        (
            json!({"manifest": {"apiVersion": "v1"}}),
            "target.manifest",
            "kind is required",
        ),
        (
            json!({"manifest": {"apiVersion": "a/b/c", "kind": "W"}}),
            "target.manifest",
            "is not `version` or `group/version`",
        ),
        (
            json!({"manifest": {"apiVersion": "example.com/v1", "kind": "Widget"},
                   "template": {"templateFrom": [{"target": "spec.a[x]", "literal": "a: b"}]}}),
            "templateFrom[0].target",
            "bad index",
        ),
        (
            json!({"manifest": {"apiVersion": "example.com/v1", "kind": "Widget"},
                   "template": {"templateFrom": [{"target": "spec.a",
                       "configMap": {"name": "t", "items": [{"key": "k"}]}}]}}),
            "templateFrom[0].target",
            "a nested path takes a literal template",
        ),
        (
            json!({"template": {"templateFrom": [{"target": "spec.a", "literal": "a: b"}]}}),
            "templateFrom[0].target",
            "a nested path is only for generic targets",
        ),
    ];
    for (t, at, words) in rows {
        let (_, refused, _) = converted_target(t.clone());
        assert!(
            refused.iter().any(|r| r.contains(at) && r.contains(words)),
            "{t}: {refused:?}"
        );
    }
}
