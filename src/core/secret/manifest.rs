//! Generic targets (`target.manifest`, External Secrets Operator's `--unsafe-allow-generic-targets`):
//! whether the target may be written at all ([`admit`]), the desired object
//! ([`desired_config_map`]), whether this ExternalSecret may write the existing one
//! ([`check_config_map`]), whether a write is needed ([`needs_write`]) and what a refused write
//! means ([`write_failed`]). This version writes `v1` ConfigMaps only; every other kind is refused.
//!
//! The safety rules, each decided here: off unless the controller allows it; never a Secret (the
//! Secret path has the ownership rules), never a cluster-scoped kind, never another namespace (the
//! target has no namespace field: always the ExternalSecret's own); nothing adopted (an existing
//! object this ExternalSecret did not create is refused unless `creationPolicy` merges keys into it).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::{CreationPolicy, DeletionPolicy, ExternalSecretSpec, ManifestReference};
use crate::core::desired::DesiredData;
use crate::core::digest;
use crate::core::plan::policy::{Claim, TargetState, claim, writes_target};
use crate::core::plan::write::ABSENT_PRECONDITION;
use crate::core::reason::{Reason, SyncError, redact_quoted};
use crate::core::target::{
    CREATED_BY_ANNOTATION, DIGEST_ANNOTATION, FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE,
    OWNER_ANNOTATION, VERSIONS_ANNOTATION, Writer, is_reserved_key, target_name,
};

/// The controller flag that allows generic targets (External Secrets Operator's name).
pub const GENERIC_TARGETS_FLAG: &str = "--unsafe-allow-generic-targets";

/// The "type" the keyed digest of a ConfigMap covers (a Secret's covers its type).
const DIGEST_KIND: &str = "ConfigMap";

/// `kubectl apply`'s record of the ExternalSecret itself: never copied onto the target.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A generic target kind this version writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenericKind {
    /// A `v1` ConfigMap: the values land in `.data`.
    ConfigMap,
}

impl GenericKind {
    /// The kind's name, for messages and Events.
    pub fn as_str(self) -> &'static str {
        match self {
            GenericKind::ConfigMap => "ConfigMap",
        }
    }
}

/// Kinds of the core group that are cluster-scoped: never a target.
const CLUSTER_SCOPED_CORE: &[&str] = &["Namespace", "Node", "PersistentVolume", "ComponentStatus"];

fn invalid(message: impl Into<String>) -> SyncError {
    SyncError::new(Reason::InvalidSpec, message)
}

/// Whether `spec` may write its generic target under the controller's `allowed` flag: None when it
/// has none (the Secret path), the kind when it may, the reason (`InvalidSpec`) when it may not.
pub fn admit(spec: &ExternalSecretSpec, allowed: bool) -> Result<Option<GenericKind>, SyncError> {
    let target = &spec.target;
    let Some(ManifestReference { api_version, kind }) = target.manifest.as_ref() else {
        return Ok(None);
    };
    if !allowed {
        return Err(invalid(format!(
            "target.manifest ({api_version} {kind}): generic targets are disabled; the controller \
             must run with {GENERIC_TARGETS_FLAG} (Helm value genericTargets.enabled) to write \
             anything but a Secret"
        )));
    }
    if api_version.is_empty() {
        return Err(invalid("target.manifest.apiVersion is required"));
    }
    if kind.is_empty() {
        return Err(invalid("target.manifest.kind is required"));
    }
    let core = api_version == "v1";
    if core && kind == "Secret" {
        return Err(invalid(
            "target.manifest names a v1 Secret: leave target.manifest out to write a Secret (the \
             Secret path keeps its ownership and type rules)",
        ));
    }
    if core && CLUSTER_SCOPED_CORE.contains(&kind.as_str()) {
        return Err(invalid(format!(
            "target.manifest names the cluster-scoped kind {kind}: a target is always in the \
             ExternalSecret's own namespace"
        )));
    }
    if !(core && kind == "ConfigMap") {
        return Err(invalid(format!(
            "target.manifest {api_version} {kind}: this version writes only v1 ConfigMap generic \
             targets"
        )));
    }
    let unsupported = if target.type_.is_some() {
        Some("target.type (a Secret's type)")
    } else if target.immutable {
        Some("target.immutable")
    } else if target.deletion_policy == DeletionPolicy::Merge {
        Some("deletionPolicy Merge")
    } else if !spec.rollout_restart_targets.is_empty() {
        Some("rolloutRestartTargets")
    } else {
        None
    };
    if let Some(what) = unsupported {
        return Err(invalid(format!(
            "{what} is not supported with target.manifest (a ConfigMap target)"
        )));
    }
    Ok(Some(GenericKind::ConfigMap))
}

fn annotation<'a>(m: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    m.annotations.as_ref()?.get(key).map(String::as_str)
}

/// Whether `writer` created the object: its ownerReference or its created-by mark.
fn created_by(writer: &Writer, m: &ObjectMeta) -> bool {
    m.owner_references
        .iter()
        .flatten()
        .any(|o| o.uid == writer.uid)
        || annotation(m, CREATED_BY_ANNOTATION) == Some(writer.name.as_str())
}

/// Whether another controller (not `writer`) owns the object.
fn foreign_controller(writer: &Writer, m: &ObjectMeta) -> bool {
    m.owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && o.uid != writer.uid)
}

/// The object as `writer` finds it: absent, its own (created by it, owned by no other controller),
/// or someone else's. Nothing is handed over: no adopt annotation for generic targets.
pub fn state_of(writer: &Writer, existing: Option<&ObjectMeta>) -> TargetState {
    match existing {
        None => TargetState::Absent,
        Some(m) if created_by(writer, m) && !foreign_controller(writer, m) => TargetState::Ours,
        Some(_) => TargetState::Foreign,
    }
}

/// Whether `writer` may write the existing ConfigMap (its metadata; None: there is none) under
/// `spec`'s creation policy. Someone else's ConfigMap is refused unless the policy merges keys
/// into it; one another ExternalSecret writes is always refused.
pub fn check_config_map(
    writer: &Writer,
    spec: &ExternalSecretSpec,
    existing: Option<&ObjectMeta>,
) -> Result<(), SyncError> {
    let policy = spec.target.creation_policy;
    let name = target_name(writer, &spec.target);
    if !writes_target(policy) {
        return Ok(());
    }
    if let Some(other) = existing
        .and_then(|m| annotation(m, OWNER_ANNOTATION))
        .filter(|o| *o != writer.name)
    {
        return Err(SyncError::new(
            Reason::TargetConflict,
            format!("ConfigMap {name:?} is already written by ExternalSecret {other:?}"),
        ));
    }
    match claim(policy, state_of(writer, existing)) {
        Claim::Wait => Err(SyncError::new(
            Reason::TargetNotFound,
            format!("creationPolicy {policy:?}: waiting for ConfigMap {name:?} to exist"),
        )),
        Claim::Refuse => Err(SyncError::new(
            Reason::TargetConflict,
            format!(
                "ConfigMap {name:?} exists and was not created by this ExternalSecret; it is not \
                 taken over: delete it, rename target.name, or use creationPolicy Merge or \
                 CreateOrMerge to write only this ExternalSecret's keys into it"
            ),
        )),
        Claim::Untouched | Claim::Create | Claim::Own | Claim::MergeKeys => Ok(()),
    }
}

/// Labels and annotations for the target, as ESO's generic targets take them: the template's
/// metadata when there is a template (rendered by engine v2), else the ExternalSecret's own labels
/// and annotations. secretsync's reserved keys and kubectl's last-applied record are never copied.
fn source_metadata(
    spec: &ExternalSecretSpec,
    desired: &DesiredData,
    es_meta: &ObjectMeta,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let keep = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        m.iter()
            .filter(|(k, _)| !is_reserved_key(k) && k.as_str() != LAST_APPLIED)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let Some(template) = spec.target.template.as_ref() else {
        return (
            keep(&es_meta.labels.clone().unwrap_or_default()),
            keep(&es_meta.annotations.clone().unwrap_or_default()),
        );
    };
    if let Some(r) = &desired.rendered_metadata {
        return (keep(&r.labels), keep(&r.annotations));
    }
    if template.engine_version == Some(crate::api::TemplateEngine::V2) {
        // Unrendered engine-v2 metadata is a template, never a label value.
        return (BTreeMap::new(), BTreeMap::new());
    }
    let m = template.metadata.clone().unwrap_or_default();
    (keep(&m.labels), keep(&m.annotations))
}

/// The ConfigMap to apply (server-side) for `desired` over `existing` (as checked; None: there is
/// none), carrying the checked object's resourceVersion as its precondition. A value that is not
/// UTF-8 text is refused (`InvalidValue`, naming the key only): a ConfigMap's `data` holds text.
pub fn desired_config_map(
    writer: &Writer,
    spec: &ExternalSecretSpec,
    desired: &DesiredData,
    digest_key: &[u8],
    es_meta: &ObjectMeta,
    existing: Option<&ObjectMeta>,
) -> Result<ConfigMap, SyncError> {
    let target = &spec.target;
    let name = target_name(writer, target);
    let mut data = BTreeMap::new();
    for (k, v) in &desired.data {
        let text = String::from_utf8(v.clone()).map_err(|_| {
            SyncError::new(
                Reason::InvalidValue,
                format!(
                    "key {k:?} is not UTF-8 text; ConfigMap {name:?} holds text only (use a \
                     Secret target, or decode the value to text)"
                ),
            )
        })?;
        data.insert(k.clone(), text);
    }
    let creator = claim(target.creation_policy, state_of(writer, existing)).as_creator();
    let created_by_writer = existing.is_some_and(|m| created_by(writer, m));
    let (mut labels, mut annotations) = source_metadata(spec, desired, es_meta);
    labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY_VALUE.into());
    annotations.insert(OWNER_ANNOTATION.into(), writer.name.clone());
    if creator || created_by_writer {
        annotations.insert(CREATED_BY_ANNOTATION.into(), writer.name.clone());
    }
    let versions = serde_json::to_string(&desired.synced_versions).unwrap_or_default();
    let digest_kind = if creator { DIGEST_KIND } else { "" };
    annotations.insert(
        DIGEST_ANNOTATION.into(),
        digest::digest(digest_key, digest_kind, &versions, &desired.data),
    );
    annotations.insert(VERSIONS_ANNOTATION.into(), versions);
    let owner_references = (target.creation_policy == CreationPolicy::Owner).then(|| {
        vec![OwnerReference {
            api_version: "secretsync.io/v1alpha1".into(),
            kind: "ExternalSecret".into(),
            name: writer.name.clone(),
            uid: writer.uid.clone(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]
    });
    let resource_version = existing
        .and_then(|m| m.resource_version.clone())
        .unwrap_or_else(|| ABSENT_PRECONDITION.into());
    Ok(ConfigMap {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(writer.namespace.clone()),
            labels: Some(labels),
            annotations: Some(annotations),
            owner_references,
            resource_version: Some(resource_version),
            ..Default::default()
        },
        data: Some(data),
        ..Default::default()
    })
}

/// Keys of `data` that secretsync set by server-side apply (the object's managedFields).
fn owned_data_keys(m: &ObjectMeta) -> BTreeSet<String> {
    m.managed_fields
        .iter()
        .flatten()
        .filter(|f| {
            f.manager.as_deref() == Some(FIELD_MANAGER) && f.operation.as_deref() == Some("Apply")
        })
        .filter_map(|f| f.fields_v1.as_ref()?.0.get("f:data")?.as_object().cloned())
        .flat_map(|d| {
            d.keys()
                .filter_map(|k| k.strip_prefix("f:"))
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether the existing ConfigMap still holds exactly what secretsync last wrote to its keys (the
/// digest annotation over the keys it owns). False means drift, or never written.
pub fn digest_matches(existing: &ConfigMap, digest_key: &[u8]) -> bool {
    let m = &existing.metadata;
    let Some(recorded) = annotation(m, DIGEST_ANNOTATION) else {
        return false;
    };
    let mut current = BTreeMap::new();
    for key in owned_data_keys(m) {
        match existing.data.as_ref().and_then(|d| d.get(&key)) {
            Some(v) => {
                current.insert(key, v.clone().into_bytes());
            }
            None => return false,
        }
    }
    let versions = annotation(m, VERSIONS_ANNOTATION).unwrap_or_default();
    digest::digest(digest_key, DIGEST_KIND, versions, &current) == recorded
        || digest::digest(digest_key, "", versions, &current) == recorded
}

/// The synced versions recorded on a ConfigMap secretsync wrote (trust it only when
/// [`digest_matches`]).
pub fn recorded_versions(existing: &ConfigMap) -> BTreeMap<String, String> {
    annotation(&existing.metadata, VERSIONS_ANNOTATION)
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

/// Whether applying `desired` would change the existing ConfigMap (a no-op reconcile writes nothing).
pub fn needs_write(existing: Option<&ConfigMap>, desired: &ConfigMap) -> bool {
    let Some(existing) = existing else {
        return true;
    };
    let have = existing.data.clone().unwrap_or_default();
    let want = desired.data.clone().unwrap_or_default();
    if owned_data_keys(&existing.metadata)
        .iter()
        .any(|k| !want.contains_key(k))
        || want.iter().any(|(k, v)| have.get(k) != Some(v))
    {
        return true;
    }
    let subset = |want: &Option<BTreeMap<String, String>>,
                  have: &Option<BTreeMap<String, String>>| {
        want.iter()
            .flatten()
            .all(|(k, v)| have.as_ref().and_then(|h| h.get(k)) == Some(v))
    };
    let (d, e) = (&desired.metadata, &existing.metadata);
    if !subset(&d.labels, &e.labels) || !subset(&d.annotations, &e.annotations) {
        return true;
    }
    let have_owners = e.owner_references.clone().unwrap_or_default();
    let want_owners = d.owner_references.clone().unwrap_or_default();
    let missing = want_owners
        .iter()
        .any(|o| !have_owners.iter().any(|h| h.uid == o.uid));
    let writer = annotation(d, OWNER_ANNOTATION);
    let stale = want_owners.is_empty()
        && have_owners.iter().any(|h| {
            h.kind == "ExternalSecret"
                && h.api_version.starts_with("secretsync.io/")
                && Some(h.name.as_str()) == writer
        });
    missing || stale
}

/// What the API server's refusal of the write (`code`, `message`) means; None: a Kubernetes error
/// like any other, retried. A 409 on a ConfigMap that did not exist when checked is someone else's,
/// never taken over.
pub fn write_failed(code: u16, message: &str, existed: bool, name: &str) -> Option<SyncError> {
    match code {
        422 => Some(SyncError::new(
            Reason::InvalidValue,
            format!(
                "writing ConfigMap {name:?}: the API server rejected it: {}",
                redact_quoted(message)
            ),
        )),
        409 if !existed => Some(SyncError::new(
            Reason::TargetConflict,
            format!("ConfigMap {name:?} appeared while it was being synced; it is not taken over"),
        )),
        409 => Some(SyncError::new(
            Reason::KubernetesError,
            format!("writing ConfigMap {name:?}: it changed while it was being synced; retrying"),
        )),
        _ => None,
    }
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "manifest_desired_tests.rs"]
mod desired_tests;
