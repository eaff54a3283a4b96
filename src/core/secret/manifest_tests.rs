//! Table tests for generic targets, with External Secrets Operator v2.9.0's own cases
//! (pkg/controllers/externalsecret/externalsecret_controller_manifest_test.go) as expected outputs
//! where secretsync keeps its semantics, and the differences it keeps on purpose named in each row.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::*;
use crate::api::{
    CreationPolicy, DeletionPolicy, ExternalSecretSpec, ManifestReference, RolloutRestartTarget,
    WorkloadKind,
};
use crate::core::desired::DesiredData;
use crate::core::reason::Reason;
use crate::core::target::Writer;

pub(super) const KEY: &[u8] = b"digest-key";

pub(super) fn writer() -> Writer {
    Writer {
        name: "test-es".into(),
        namespace: "default".into(),
        uid: "uid-es".into(),
    }
}

pub(super) fn spec_with(
    api_version: &str,
    kind: &str,
    policy: CreationPolicy,
) -> ExternalSecretSpec {
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

pub(super) fn config_map_spec(policy: CreationPolicy) -> ExternalSecretSpec {
    spec_with("v1", "ConfigMap", policy)
}

pub(super) fn desired(pairs: &[(&str, &[u8])]) -> DesiredData {
    DesiredData {
        data: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
        synced_versions: [("app".to_string(), "v1".to_string())].into(),
        rendered_metadata: None,
    }
}

pub(super) fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(super) fn meta(labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        labels: Some(map(labels)),
        annotations: Some(map(annotations)),
        ..Default::default()
    }
}

/// (case, spec, flag, admitted kind or words of the refusal).
type AdmitRow = (
    &'static str,
    ExternalSecretSpec,
    bool,
    Result<Option<GenericTarget>, &'static str>,
);

/// (case, policy, existing metadata, Ok or the reason and words of the refusal).
type CheckRow<'a> = (
    &'static str,
    CreationPolicy,
    Option<&'a ObjectMeta>,
    Result<(), (Reason, &'static str)>,
);

#[test]
fn admit_decides_every_generic_target() {
    let mut no_manifest = config_map_spec(CreationPolicy::Owner);
    no_manifest.target.manifest = None;
    let with = |f: &dyn Fn(&mut ExternalSecretSpec)| {
        let mut s = config_map_spec(CreationPolicy::Owner);
        f(&mut s);
        s
    };
    let rows: Vec<AdmitRow> = vec![
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
            Ok(Some(kind("", "v1", "ConfigMap"))),
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
        // ESO writes any kind: so does secretsync (namespaced ones; discovery says which).
        (
            "a custom resource",
            spec_with("argoproj.io/v1alpha1", "Application", CreationPolicy::Owner),
            true,
            Ok(Some(kind("argoproj.io", "v1alpha1", "Application"))),
        ),
        (
            "ConfigMap of another group: a custom resource",
            spec_with("example.com/v1", "ConfigMap", CreationPolicy::Owner),
            true,
            Ok(Some(kind("example.com", "v1", "ConfigMap"))),
        ),
        (
            "a Secret of another group: a custom resource",
            spec_with("example.com/v1", "Secret", CreationPolicy::Owner),
            true,
            Ok(Some(kind("example.com", "v1", "Secret"))),
        ),
        (
            "secretsync's own kinds",
            spec_with(
                "secretsync.io/v1alpha1",
                "SecretStore",
                CreationPolicy::Owner,
            ),
            true,
            Err("never writes secretsync objects"),
        ),
        (
            "apiVersion with two slashes",
            spec_with("a/b/c", "Widget", CreationPolicy::Owner),
            true,
            Err("is not `version` or `group/version`"),
        ),
        (
            "apiVersion with an empty group",
            spec_with("/v1", "Widget", CreationPolicy::Owner),
            true,
            Err("is not `version` or `group/version`"),
        ),
        (
            "a nested templateFrom path on a Secret target",
            {
                let mut s = config_map_spec(CreationPolicy::Owner);
                s.target.manifest = None;
                s.target.template = Some(crate::api::SecretTemplate {
                    template_from: vec![crate::api::TemplateFrom {
                        literal: Some("a: b".into()),
                        target: crate::api::TemplateTarget::Path("spec.a".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                });
                s
            },
            true,
            Err("a nested path is only for generic targets"),
        ),
        (
            "a nested path from a configMap item",
            with(&|s| {
                s.target.template = Some(crate::api::SecretTemplate {
                    template_from: vec![crate::api::TemplateFrom {
                        config_map: Some(Default::default()),
                        target: crate::api::TemplateTarget::Path("spec.a".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                })
            }),
            true,
            Err("a nested path takes a literal template"),
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
            Ok(Some(kind("", "v1", "ConfigMap"))),
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
            Ok(Some(kind("", "v1", "ConfigMap"))),
        ),
        (
            "creationPolicy None",
            config_map_spec(CreationPolicy::None),
            true,
            Ok(Some(kind("", "v1", "ConfigMap"))),
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

fn kind(group: &str, version: &str, kind: &str) -> GenericTarget {
    GenericTarget {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
    }
}

#[test]
fn discovery_decides_what_may_be_written() {
    let widget = kind("example.com", "v1", "Widget");
    let rows = [
        (Discovered::Namespaced, None),
        (
            Discovered::ClusterScoped,
            Some("cluster-scoped kind Widget"),
        ),
        (Discovered::Unknown, Some("serves no such kind")),
    ];
    for (found, want) in rows {
        let got = admit_discovered(&widget, found);
        match (got, want) {
            (Ok(()), None) => {}
            (Err(e), Some(words)) => {
                assert_eq!(e.reason, Reason::InvalidSpec, "{found:?}");
                assert!(e.message.contains(words), "{found:?}: {}", e.message);
            }
            (got, want) => panic!("{found:?}: got {got:?}, want {want:?}"),
        }
    }
    // A refused read (RBAC) is reported as such; anything else is retried as a Kubernetes error.
    let e = read_failed(403, "Widget", "w").unwrap_or_else(|| panic!("403 not reported"));
    assert_eq!(e.reason, Reason::AccessDenied);
    assert!(
        e.message.contains("genericTargets.extraResources"),
        "{}",
        e.message
    );
    assert!(read_failed(500, "Widget", "w").is_none());
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
fn check_object_adopts_nothing() {
    let foreign = meta(&[], &[]);
    let created = meta(&[], &[(CREATED_BY_ANNOTATION, "test-es")]);
    let mut by_owner_ref = meta(&[], &[]);
    by_owner_ref.owner_references = Some(vec![owned_by("uid-es", true)]);
    let mut helm_owned = meta(&[], &[(CREATED_BY_ANNOTATION, "test-es")]);
    helm_owned.owner_references = Some(vec![owned_by("uid-other", true)]);
    // ESO: "returns ErrSecretIsOwned when owned by a different ExternalSecret".
    let other_es = meta(&[], &[(OWNER_ANNOTATION, "other-es")]);
    use CreationPolicy as P;
    let rows: Vec<CheckRow> = vec![
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
        let got = check_object(&writer(), &config_map_spec(policy), "ConfigMap", existing);
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
