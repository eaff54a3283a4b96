//! Table tests for generic targets, with External Secrets Operator v2.9.0's own cases
//! (pkg/controllers/externalsecret/externalsecret_controller_manifest_test.go) as expected outputs
//! where secretsync keeps its semantics, and the differences it keeps on purpose named in each row.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    FieldsV1, ManagedFieldsEntry, ObjectMeta, OwnerReference,
};

use super::*;
use crate::api::{
    CreationPolicy, DeletionPolicy, ExternalSecretSpec, ManifestReference, RolloutRestartTarget,
    SecretTemplate, TemplateMetadata, WorkloadKind,
};
use crate::core::desired::{DesiredData, RenderedMetadata};
use crate::core::reason::Reason;
use crate::core::target::Writer;

const KEY: &[u8] = b"digest-key";

fn writer() -> Writer {
    Writer {
        name: "test-es".into(),
        namespace: "default".into(),
        uid: "uid-es".into(),
    }
}

fn spec_with(api_version: &str, kind: &str, policy: CreationPolicy) -> ExternalSecretSpec {
    let mut spec = ExternalSecretSpec {
        secret_store_ref: Default::default(),
        refresh_interval: "1h".into(),
        refresh_policy: Default::default(),
        sync_windows: None,
        target: Default::default(),
        data: vec![],
        data_from: vec![],
        rollout_restart_targets: vec![],
    };
    spec.target.name = Some("test-configmap".into());
    spec.target.creation_policy = policy;
    spec.target.manifest = Some(ManifestReference {
        api_version: api_version.into(),
        kind: kind.into(),
    });
    spec
}

fn config_map_spec(policy: CreationPolicy) -> ExternalSecretSpec {
    spec_with("v1", "ConfigMap", policy)
}

fn desired(pairs: &[(&str, &[u8])]) -> DesiredData {
    DesiredData {
        data: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
        synced_versions: [("app".to_string(), "v1".to_string())].into(),
        rendered_metadata: None,
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn meta(labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        labels: Some(map(labels)),
        annotations: Some(map(annotations)),
        ..Default::default()
    }
}

#[test]
fn admit_decides_every_generic_target() {
    let mut no_manifest = config_map_spec(CreationPolicy::Owner);
    no_manifest.target.manifest = None;
    let with = |f: &dyn Fn(&mut ExternalSecretSpec)| {
        let mut s = config_map_spec(CreationPolicy::Owner);
        f(&mut s);
        s
    };
    let rows: Vec<(
        &str,
        ExternalSecretSpec,
        bool,
        Result<Option<GenericKind>, &str>,
    )> = vec![
        (
            "no manifest: the Secret path",
            no_manifest.clone(),
            false,
            Ok(None),
        ),
        ("no manifest, flag on", no_manifest, true, Ok(None)),
        // ESO: "ConfigMap target - flag enabled - valid".
        (
            "ConfigMap, flag on",
            config_map_spec(CreationPolicy::Owner),
            true,
            Ok(Some(GenericKind::ConfigMap)),
        ),
        // ESO: "ConfigMap target - flag disabled": "generic targets are disabled".
        (
            "ConfigMap, flag off",
            config_map_spec(CreationPolicy::Owner),
            false,
            Err(
                "generic targets are disabled; the controller must run with --unsafe-allow-generic-targets",
            ),
        ),
        // ESO: "Missing APIVersion" / "Missing Kind".
        (
            "no apiVersion",
            spec_with("", "ConfigMap", CreationPolicy::Owner),
            true,
            Err("apiVersion is required"),
        ),
        (
            "no kind",
            spec_with("v1", "", CreationPolicy::Owner),
            true,
            Err("kind is required"),
        ),
        (
            "flag off wins over a missing kind",
            spec_with("v1", "", CreationPolicy::Owner),
            false,
            Err("generic targets are disabled"),
        ),
        (
            "a Secret never goes this way",
            spec_with("v1", "Secret", CreationPolicy::Owner),
            true,
            Err("names a v1 Secret"),
        ),
        (
            "cluster-scoped Namespace",
            spec_with("v1", "Namespace", CreationPolicy::Owner),
            true,
            Err("cluster-scoped kind Namespace"),
        ),
        (
            "cluster-scoped PersistentVolume",
            spec_with("v1", "PersistentVolume", CreationPolicy::Owner),
            true,
            Err("cluster-scoped kind PersistentVolume"),
        ),
        // ESO writes any kind; this version writes ConfigMaps only.
        (
            "a custom resource",
            spec_with("argoproj.io/v1alpha1", "Application", CreationPolicy::Owner),
            true,
            Err("writes only v1 ConfigMap"),
        ),
        (
            "ConfigMap of another group",
            spec_with("example.com/v1", "ConfigMap", CreationPolicy::Owner),
            true,
            Err("writes only v1 ConfigMap"),
        ),
        (
            "a Secret of another group",
            spec_with("example.com/v1", "Secret", CreationPolicy::Owner),
            true,
            Err("writes only v1 ConfigMap"),
        ),
        (
            "target.type",
            with(&|s| s.target.type_ = Some("Opaque".into())),
            true,
            Err("target.type"),
        ),
        (
            "target.immutable",
            with(&|s| s.target.immutable = true),
            true,
            Err("target.immutable"),
        ),
        (
            "deletionPolicy Merge",
            with(&|s| s.target.deletion_policy = DeletionPolicy::Merge),
            true,
            Err("deletionPolicy Merge"),
        ),
        (
            "deletionPolicy Delete",
            with(&|s| s.target.deletion_policy = DeletionPolicy::Delete),
            true,
            Ok(Some(GenericKind::ConfigMap)),
        ),
        (
            "rolloutRestartTargets",
            with(&|s| {
                s.rollout_restart_targets = vec![RolloutRestartTarget {
                    kind: WorkloadKind::Deployment,
                    name: "api".into(),
                }]
            }),
            true,
            Err("rolloutRestartTargets"),
        ),
        (
            "creationPolicy Merge",
            config_map_spec(CreationPolicy::Merge),
            true,
            Ok(Some(GenericKind::ConfigMap)),
        ),
        (
            "creationPolicy None",
            config_map_spec(CreationPolicy::None),
            true,
            Ok(Some(GenericKind::ConfigMap)),
        ),
    ];
    for (name, spec, allowed, want) in rows {
        let got = admit(&spec, allowed);
        match (got, want) {
            (Ok(g), Ok(w)) => assert_eq!(g, w, "{name}"),
            (Err(e), Err(words)) => {
                assert_eq!(e.reason, Reason::InvalidSpec, "{name}");
                assert!(e.message.contains(words), "{name}: {}", e.message);
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
}

fn owned_by(uid: &str, controller: bool) -> OwnerReference {
    OwnerReference {
        api_version: "v1".into(),
        kind: "Thing".into(),
        name: "x".into(),
        uid: uid.into(),
        controller: Some(controller),
        block_owner_deletion: None,
    }
}

#[test]
fn check_config_map_adopts_nothing() {
    let foreign = meta(&[], &[]);
    let created = meta(&[], &[(CREATED_BY_ANNOTATION, "test-es")]);
    let mut by_owner_ref = meta(&[], &[]);
    by_owner_ref.owner_references = Some(vec![owned_by("uid-es", true)]);
    let mut helm_owned = meta(&[], &[(CREATED_BY_ANNOTATION, "test-es")]);
    helm_owned.owner_references = Some(vec![owned_by("uid-other", true)]);
    // ESO: "returns ErrSecretIsOwned when owned by a different ExternalSecret".
    let other_es = meta(&[], &[(OWNER_ANNOTATION, "other-es")]);
    use CreationPolicy as P;
    let rows: Vec<(&str, P, Option<&ObjectMeta>, Result<(), (Reason, &str)>)> = vec![
        ("Owner, absent: created", P::Owner, None, Ok(())),
        ("Orphan, absent: created", P::Orphan, None, Ok(())),
        (
            "CreateOrMerge, absent: created",
            P::CreateOrMerge,
            None,
            Ok(()),
        ),
        (
            "Merge, absent: waits",
            P::Merge,
            None,
            Err((
                Reason::TargetNotFound,
                "waiting for ConfigMap \"test-configmap\"",
            )),
        ),
        ("None, absent: untouched", P::None, None, Ok(())),
        // ESO's Owner and Orphan update an existing object whoever made it; secretsync refuses.
        (
            "Owner, foreign: refused",
            P::Owner,
            Some(&foreign),
            Err((Reason::TargetConflict, "not taken over")),
        ),
        (
            "Orphan, foreign: refused",
            P::Orphan,
            Some(&foreign),
            Err((Reason::TargetConflict, "not taken over")),
        ),
        (
            "Merge, foreign: keys merged",
            P::Merge,
            Some(&foreign),
            Ok(()),
        ),
        (
            "CreateOrMerge, foreign: keys merged",
            P::CreateOrMerge,
            Some(&foreign),
            Ok(()),
        ),
        ("None, foreign: untouched", P::None, Some(&foreign), Ok(())),
        ("Owner, created by it", P::Owner, Some(&created), Ok(())),
        (
            "Owner, its ownerReference",
            P::Owner,
            Some(&by_owner_ref),
            Ok(()),
        ),
        ("Orphan, created by it", P::Orphan, Some(&created), Ok(())),
        (
            "Owner, another controller owns it",
            P::Owner,
            Some(&helm_owned),
            Err((Reason::TargetConflict, "not taken over")),
        ),
        (
            "Owner, another ExternalSecret writes it",
            P::Owner,
            Some(&other_es),
            Err((
                Reason::TargetConflict,
                "already written by ExternalSecret \"other-es\"",
            )),
        ),
        (
            "Merge, another ExternalSecret writes it",
            P::Merge,
            Some(&other_es),
            Err((Reason::TargetConflict, "already written by ExternalSecret")),
        ),
        (
            "None, another ExternalSecret writes it",
            P::None,
            Some(&other_es),
            Ok(()),
        ),
    ];
    for (name, policy, existing, want) in rows {
        let got = check_config_map(&writer(), &config_map_spec(policy), existing);
        match (got, want) {
            (Ok(()), Ok(())) => {}
            (Err(e), Err((reason, words))) => {
                assert_eq!(e.reason, reason, "{name}");
                assert!(e.message.contains(words), "{name}: {}", e.message);
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
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
        (409, false, Some(Reason::TargetConflict), "not taken over"),
        (409, true, Some(Reason::KubernetesError), "retrying"),
        (500, true, None, ""),
    ];
    for (code, existed, reason, words) in rows {
        let got = write_failed(code, "data 'x' invalid", existed, "cm");
        assert_eq!(got.as_ref().map(|e| e.reason), reason, "{code} {existed}");
        if let Some(e) = got {
            assert!(e.message.contains(words), "{}", e.message);
            assert!(!e.message.contains("'x'"), "quoted fragments are redacted");
        }
    }
}
