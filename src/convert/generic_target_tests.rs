//! `convert` on ESO's generic targets (`target.manifest`): a v1 ConfigMap converts with its notes,
//! the Secret-only fields ESO ignores there are dropped with a note, every other kind is refused.

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
        "remote deletion keeps the ConfigMap",
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
fn other_kinds_are_refused_naming_what_is_supported() {
    let rows = [
        (
            json!({"apiVersion": "v1", "kind": "Secret"}),
            "leave target.manifest out",
        ),
        (
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application"}),
            "argoproj.io/v1alpha1 Application: secretsync writes only v1 ConfigMap",
        ),
        (
            json!({"apiVersion": "example.com/v1", "kind": "ConfigMap"}),
            "writes only v1 ConfigMap",
        ),
        (json!({"apiVersion": "v1"}), "writes only v1 ConfigMap"),
    ];
    for (manifest, words) in rows {
        let (target, refused, _) = converted_target(json!({ "manifest": manifest.clone() }));
        assert!(target.is_none(), "{manifest}: the object is refused whole");
        assert!(
            refused
                .iter()
                .any(|r| r.contains("target.manifest") && r.contains(words)),
            "{manifest}: {refused:?}"
        );
    }
}
