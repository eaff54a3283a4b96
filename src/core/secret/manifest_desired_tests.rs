//! Table tests for the desired ConfigMap of a generic target, its drift and its writes, with
//! External Secrets Operator v2.9.0's manifest cases as expected outputs where secretsync keeps its
//! semantics.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    FieldsV1, ManagedFieldsEntry, ObjectMeta, OwnerReference,
};

use super::tests::{KEY, config_map_spec, desired, map, meta, writer};
use super::*;
use crate::api::{CreationPolicy, ExternalSecretSpec, SecretTemplate, TemplateMetadata};
use crate::core::desired::{DesiredData, RenderedMetadata};
use crate::core::plan::write::ABSENT_PRECONDITION;
use crate::core::reason::{Reason, SyncError};
use crate::core::target::{
    CREATED_BY_ANNOTATION, DIGEST_ANNOTATION, FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE,
    OWNER_ANNOTATION, VERSIONS_ANNOTATION, Writer,
};
use kube::api::DynamicObject;

fn config_map_kind() -> GenericTarget {
    GenericTarget {
        group: String::new(),
        version: "v1".into(),
        kind: "ConfigMap".into(),
    }
}

fn to_dynamic(cm: &ConfigMap) -> DynamicObject {
    serde_json::from_value(serde_json::to_value(cm).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// [`object::desired_object`] for a ConfigMap target, typed.
fn desired_config_map(
    writer: &Writer,
    spec: &ExternalSecretSpec,
    desired: &DesiredData,
    key: &[u8],
    es_meta: &ObjectMeta,
    existing: Option<&ObjectMeta>,
) -> Result<ConfigMap, SyncError> {
    let o = object::desired_object(
        writer,
        spec,
        &config_map_kind(),
        desired,
        key,
        es_meta,
        existing,
    )?;
    Ok(
        serde_json::from_value(serde_json::to_value(&o).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

fn digest_matches(cm: &ConfigMap, key: &[u8]) -> bool {
    object::digest_matches(&to_dynamic(cm), &config_map_kind(), false, key)
}

fn recorded_versions(cm: &ConfigMap) -> BTreeMap<String, String> {
    object::recorded_versions(&to_dynamic(cm))
}

fn needs_write(existing: Option<&ConfigMap>, desired: &ConfigMap) -> bool {
    let existing = existing.map(to_dynamic);
    object::needs_write(existing.as_ref(), &to_dynamic(desired), &["data"])
}

fn labels_of(cm: &ConfigMap) -> BTreeMap<String, String> {
    cm.metadata.labels.clone().unwrap_or_default()
}

fn annotations_of(cm: &ConfigMap) -> BTreeMap<String, String> {
    cm.metadata.annotations.clone().unwrap_or_default()
}

fn template_meta(labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> SecretTemplate {
    SecretTemplate {
        metadata: Some(TemplateMetadata {
            labels: map(labels),
            annotations: map(annotations),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn desired_config_map_follows_esos_cases() {
    let plain = |es_meta: &ObjectMeta, template: Option<SecretTemplate>, policy: CreationPolicy| {
        let mut spec = config_map_spec(policy);
        spec.target.template = template;
        let d = desired(&[("key1", b"value1"), ("key2", b"value2")]);
        desired_config_map(&writer(), &spec, &d, KEY, es_meta, None)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // ESO TestApplyTemplateToManifest_SimpleConfigMap: name, namespace, .data, the managed label.
    let cm = plain(&ObjectMeta::default(), None, CreationPolicy::Owner);
    assert_eq!(cm.metadata.name.as_deref(), Some("test-configmap"));
    assert_eq!(cm.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(
        cm.data,
        Some(map(&[("key1", "value1"), ("key2", "value2")]))
    );
    // ESO TestApplyTemplateToManifest_NoESLabels: only the managed label (secretsync's own).
    assert_eq!(labels_of(&cm), map(&[(MANAGED_BY_LABEL, MANAGED_BY_VALUE)]));
    // ESO TestApplyTemplateToManifest_AppliesOwnershipWhenCreationPolicyOwner: a controller
    // ownerReference to the ExternalSecret.
    let owners = cm.metadata.owner_references.clone().unwrap_or_default();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0].name, "test-es");
    assert_eq!(owners[0].controller, Some(true));
    let a = annotations_of(&cm);
    assert_eq!(a.get(OWNER_ANNOTATION).map(String::as_str), Some("test-es"));
    assert_eq!(
        a.get(CREATED_BY_ANNOTATION).map(String::as_str),
        Some("test-es")
    );
    assert!(a[DIGEST_ANNOTATION].starts_with("hmac-sha256:"));
    assert_eq!(a[VERSIONS_ANNOTATION], r#"{"app":"v1"}"#);
    // Created without a GET-visible object: the never-current precondition.
    assert_eq!(
        cm.metadata.resource_version.as_deref(),
        Some(ABSENT_PRECONDITION)
    );
    // ESO TestApplyTemplateToManifest_NoOwnerRefWhenCreationPolicyOrphan.
    let orphan = plain(&ObjectMeta::default(), None, CreationPolicy::Orphan);
    assert!(orphan.metadata.owner_references.is_none());
    // ESO TestApplyTemplateToManifest_WithMetadata: the template's labels and annotations.
    let t = template_meta(
        &[("app", "myapp"), ("tier", "backend")],
        &[("description", "This is a test")],
    );
    let cm = plain(&ObjectMeta::default(), Some(t), CreationPolicy::Owner);
    assert_eq!(labels_of(&cm)["app"], "myapp");
    assert_eq!(labels_of(&cm)["tier"], "backend");
    assert_eq!(labels_of(&cm)[MANAGED_BY_LABEL], MANAGED_BY_VALUE);
    assert_eq!(annotations_of(&cm)["description"], "This is a test");
    // ESO TestApplyTemplateToManifest_PropagatesESLabelsAndAnnotations: without a template the
    // ExternalSecret's own labels and annotations are copied (never secretsync's reserved keys, nor
    // kubectl's record of the ExternalSecret).
    let es_meta = meta(
        &[
            ("app.kubernetes.io/instance", "my-argocd-app"),
            ("custom-label", "custom-value"),
        ],
        &[
            (
                "argocd.argoproj.io/tracking-id",
                "my-argocd-app:external-secrets.io/ExternalSecret:default/test-es",
            ),
            ("secretsync.io/force-sync", "now"),
            (LAST_APPLIED, "{}"),
        ],
    );
    let cm = plain(&es_meta, None, CreationPolicy::Owner);
    assert_eq!(
        labels_of(&cm)["app.kubernetes.io/instance"],
        "my-argocd-app"
    );
    assert_eq!(labels_of(&cm)["custom-label"], "custom-value");
    let a = annotations_of(&cm);
    assert_eq!(
        a["argocd.argoproj.io/tracking-id"],
        "my-argocd-app:external-secrets.io/ExternalSecret:default/test-es"
    );
    assert!(!a.contains_key("secretsync.io/force-sync"));
    assert!(!a.contains_key(LAST_APPLIED));
    // ESO TestApplyTemplateToManifest_TemplateMetadataWinsOverESLabels.
    let t = template_meta(&[("app", "explicit-template-label")], &[]);
    let cm = plain(&es_meta, Some(t), CreationPolicy::Owner);
    assert_eq!(labels_of(&cm)["app"], "explicit-template-label");
    assert!(!labels_of(&cm).contains_key("app.kubernetes.io/instance"));
    // Engine-v2 metadata as rendered.
    let mut spec = config_map_spec(CreationPolicy::Owner);
    spec.target.template = Some(SecretTemplate {
        engine_version: Some(crate::api::TemplateEngine::V2),
        ..template_meta(&[("app", "{{ .x }}")], &[])
    });
    let mut d = desired(&[("k", b"v")]);
    d.rendered_metadata = Some(RenderedMetadata {
        labels: map(&[("app", "rendered")]),
        annotations: BTreeMap::new(),
        paths: vec![],
    });
    let cm = desired_config_map(&writer(), &spec, &d, KEY, &es_meta, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(labels_of(&cm)["app"], "rendered");
    d.rendered_metadata = None;
    let cm = desired_config_map(&writer(), &spec, &d, KEY, &es_meta, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !labels_of(&cm).contains_key("app"),
        "an unrendered template is no label value"
    );
}

#[test]
fn a_merge_into_someone_elses_config_map_marks_nothing_as_created_and_owns_nothing() {
    let existing = ObjectMeta {
        resource_version: Some("42".into()),
        ..meta(&[], &[])
    };
    let d = desired(&[("k", b"v")]);
    for policy in [CreationPolicy::Merge, CreationPolicy::CreateOrMerge] {
        let cm = desired_config_map(
            &writer(),
            &config_map_spec(policy),
            &d,
            KEY,
            &ObjectMeta::default(),
            Some(&existing),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !annotations_of(&cm).contains_key(CREATED_BY_ANNOTATION),
            "{policy:?}"
        );
        assert!(cm.metadata.owner_references.is_none(), "{policy:?}");
        assert_eq!(
            cm.metadata.resource_version.as_deref(),
            Some("42"),
            "{policy:?}"
        );
    }
}

#[test]
fn a_value_that_is_not_text_is_refused_naming_only_its_key() {
    let d = desired(&[("bin", &[0xff, 0xfe, b's', b'3', b'c'])]);
    let e = desired_config_map(
        &writer(),
        &config_map_spec(CreationPolicy::Owner),
        &d,
        KEY,
        &ObjectMeta::default(),
        None,
    )
    .err()
    .unwrap_or_else(|| panic!("a non-UTF-8 value was accepted"));
    assert_eq!(e.reason, Reason::InvalidValue);
    assert!(
        e.message.contains("key \"bin\" is not UTF-8 text"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("s3c"));
}

/// The ConfigMap as the API server returns it after secretsync applied `cm`.
fn as_written(cm: &ConfigMap) -> ConfigMap {
    let mut out = cm.clone();
    let keys: serde_json::Map<String, serde_json::Value> = cm
        .data
        .iter()
        .flatten()
        .map(|(k, _)| (format!("f:{k}"), serde_json::json!({})))
        .collect();
    out.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
        manager: Some(FIELD_MANAGER.into()),
        operation: Some("Apply".into()),
        fields_v1: Some(FieldsV1(serde_json::json!({ "f:data": keys }))),
        ..Default::default()
    }]);
    out.metadata.resource_version = Some("7".into());
    out
}

#[test]
fn drift_and_writes_are_decided_from_the_digest_and_the_owned_keys() {
    let spec = config_map_spec(CreationPolicy::Owner);
    let d = desired(&[("a", b"1"), ("b", b"2")]);
    let want = desired_config_map(&writer(), &spec, &d, KEY, &ObjectMeta::default(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let written = as_written(&want);
    // ESO TestIsGenericTargetValid: a matching hash is valid; a changed value, a removed key or a
    // removed annotation is not. secretsync's digest is keyed (HMAC), never a plain hash of values.
    assert!(digest_matches(&written, KEY));
    assert!(!digest_matches(&written, b"another key"));
    let mut edited = written.clone();
    edited
        .data
        .get_or_insert_default()
        .insert("a".into(), "changed".into());
    assert!(!digest_matches(&edited, KEY));
    let mut removed = written.clone();
    removed.data.get_or_insert_default().remove("b");
    assert!(!digest_matches(&removed, KEY));
    let mut unannotated = written.clone();
    unannotated
        .metadata
        .annotations
        .get_or_insert_default()
        .remove(DIGEST_ANNOTATION);
    assert!(!digest_matches(&unannotated, KEY));
    // A key someone else added is not ours: still intact.
    let mut extra = written.clone();
    extra
        .data
        .get_or_insert_default()
        .insert("theirs".into(), "x".into());
    assert!(digest_matches(&extra, KEY));
    assert_eq!(recorded_versions(&written), map(&[("app", "v1")]));

    let again = desired_config_map(
        &writer(),
        &spec,
        &d,
        KEY,
        &ObjectMeta::default(),
        Some(&written.metadata),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(&str, Option<&ConfigMap>, &ConfigMap, bool)> = vec![
        ("absent: created", None, &want, true),
        ("same data: nothing written", Some(&written), &again, false),
        (
            "someone else's extra key: nothing written",
            Some(&extra),
            &again,
            false,
        ),
        ("a value edited: repaired", Some(&edited), &again, true),
        ("a key removed: repaired", Some(&removed), &again, true),
    ];
    for (name, existing, desired, want) in rows {
        assert_eq!(needs_write(existing, desired), want, "{name}");
    }
    // A key no longer wanted is pruned; a label lost is put back.
    let fewer = desired_config_map(
        &writer(),
        &spec,
        &desired(&[("a", b"1")]),
        KEY,
        &ObjectMeta::default(),
        Some(&written.metadata),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(needs_write(Some(&written), &fewer));
    let mut unlabeled = written.clone();
    unlabeled.metadata.labels = None;
    assert!(needs_write(Some(&unlabeled), &again));
    // ESO TestApplyOwnership "removes owner reference when policy changes from Owner to Orphan".
    let orphan_spec = config_map_spec(CreationPolicy::Orphan);
    let orphan = desired_config_map(
        &writer(),
        &orphan_spec,
        &d,
        KEY,
        &ObjectMeta::default(),
        Some(&written.metadata),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut with_ref = written.clone();
    with_ref.metadata.owner_references = Some(vec![OwnerReference {
        api_version: "secretsync.io/v1alpha1".into(),
        kind: "ExternalSecret".into(),
        name: "test-es".into(),
        uid: "uid-es".into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }]);
    assert!(needs_write(Some(&with_ref), &orphan));
}

#[test]
fn a_refused_write_says_why() {
    let rows = [
        (422, false, Some(Reason::InvalidValue), "rejected it"),
        (403, true, Some(Reason::AccessDenied), "RBAC"),
        (409, false, Some(Reason::TargetConflict), "not taken over"),
        (409, true, Some(Reason::KubernetesError), "retrying"),
        (500, true, None, ""),
    ];
    for (code, existed, reason, words) in rows {
        let got = write_failed(code, "data 'x' invalid", existed, "ConfigMap", "cm");
        assert_eq!(got.as_ref().map(|e| e.reason), reason, "{code} {existed}");
        if let Some(e) = got {
            assert!(e.message.contains(words), "{}", e.message);
            assert!(!e.message.contains("'x'"), "quoted fragments are redacted");
        }
    }
}
