//! Generic targets (`target.manifest`, External Secrets Operator's `--unsafe-allow-generic-targets`):
//! whether the target may be written at all ([`admit`], then [`admit_discovered`] once API
//! discovery has named the kind), whether this ExternalSecret may write the existing object
//! ([`check_object`]), the desired object and whether a write is needed ([`object`]), and what a
//! refused read or write means ([`read_failed`], [`write_failed`]). Any namespaced kind the API
//! server serves: ConfigMaps and custom resources alike, under one set of rules.
//!
//! The safety rules, each decided here: off unless the controller allows it; never a Secret (the
//! Secret path has the ownership rules), never a secretsync object, never a cluster-scoped kind,
//! never another namespace (the target has no namespace field: always the ExternalSecret's own);
//! nothing adopted (an existing object this ExternalSecret did not create is refused unless
//! `creationPolicy` merges keys into it).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::{DeletionPolicy, ExternalSecretSpec, ManifestReference, TemplateTarget};
use crate::core::plan::policy::{Claim, TargetState, claim, writes_target};
use crate::core::reason::{Reason, SyncError, redact_quoted};
use crate::core::target::{CREATED_BY_ANNOTATION, OWNER_ANNOTATION, Writer, target_name};

/// The controller flag that allows generic targets (External Secrets Operator's name).
pub const GENERIC_TARGETS_FLAG: &str = "--unsafe-allow-generic-targets";

/// `kubectl apply`'s record of the ExternalSecret itself: never copied onto the target.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A generic target kind, as `target.manifest` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericTarget {
    /// The API group (empty: the core group).
    pub group: String,
    /// The API version.
    pub version: String,
    /// The kind.
    pub kind: String,
}

impl GenericTarget {
    /// `apiVersion` as written: `v1` or `group/version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether it is a `v1` ConfigMap (values in `.data`).
    pub fn is_config_map(&self) -> bool {
        self.group.is_empty() && self.version == "v1" && self.kind == "ConfigMap"
    }

    /// The kind's name, for messages and Events.
    pub fn as_str(&self) -> &str {
        &self.kind
    }
}

/// Kinds of the core group that are cluster-scoped: never a target.
const CLUSTER_SCOPED_CORE: &[&str] = &["Namespace", "Node", "PersistentVolume", "ComponentStatus"];

fn invalid(message: impl Into<String>) -> SyncError {
    SyncError::new(Reason::InvalidSpec, message)
}

/// Whether `spec` may write its generic target under the controller's `allowed` flag: None when it
/// has none (the Secret path), the kind when it may, the reason (`InvalidSpec`) when it may not.
pub fn admit(spec: &ExternalSecretSpec, allowed: bool) -> Result<Option<GenericTarget>, SyncError> {
    let target = &spec.target;
    let Some(ManifestReference { api_version, kind }) = target.manifest.as_ref() else {
        let paths = target.template.iter().flat_map(|t| &t.template_from);
        if let Some(TemplateTarget::Path(p)) = paths
            .map(|f| &f.target)
            .find(|t| matches!(t, TemplateTarget::Path(_)))
        {
            return Err(invalid(format!(
                "templateFrom target {p:?}: a nested path is only for generic targets \
                 (target.manifest); a Secret's targets are Data, Labels and Annotations"
            )));
        }
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
    let (group, version) = match api_version.split_once('/') {
        None => ("", api_version.as_str()),
        Some((g, v)) if !g.is_empty() && !v.is_empty() && !v.contains('/') => (g, v),
        Some(_) => {
            return Err(invalid(format!(
                "target.manifest.apiVersion {api_version:?} is not `version` or `group/version`"
            )));
        }
    };
    let core = group.is_empty();
    if core && kind == "Secret" {
        return Err(invalid(
            "target.manifest names a v1 Secret: leave target.manifest out to write a Secret (the \
             Secret path keeps its ownership and type rules)",
        ));
    }
    if group == "secretsync.io" {
        return Err(invalid(format!(
            "target.manifest names secretsync's own kind {kind}: an ExternalSecret never writes \
             secretsync objects"
        )));
    }
    if core && CLUSTER_SCOPED_CORE.contains(&kind.as_str()) {
        return Err(cluster_scoped(kind));
    }
    let from_source = target
        .template
        .iter()
        .flat_map(|t| &t.template_from)
        .find(|f| matches!(f.target, TemplateTarget::Path(_)) && f.literal.is_none());
    if let Some(TemplateTarget::Path(p)) = from_source.map(|f| &f.target) {
        return Err(invalid(format!(
            "templateFrom target {p:?}: a nested path takes a literal template (ESO writes \
             nothing at a nested path from configMap or secret items)"
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
            "{what} is not supported with target.manifest (a generic target)"
        )));
    }
    Ok(Some(GenericTarget {
        group: group.into(),
        version: version.into(),
        kind: kind.clone(),
    }))
}

fn cluster_scoped(kind: &str) -> SyncError {
    invalid(format!(
        "target.manifest names the cluster-scoped kind {kind}: a target is always in the \
         ExternalSecret's own namespace"
    ))
}

/// What API discovery found for the target's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovered {
    /// The API server serves no such kind (yet: its CRD may not be installed).
    Unknown,
    /// A cluster-scoped kind.
    ClusterScoped,
    /// A namespaced kind: may be written.
    Namespaced,
}

/// Whether the admitted `target` may be written, now that discovery has said what it is.
pub fn admit_discovered(target: &GenericTarget, found: Discovered) -> Result<(), SyncError> {
    match found {
        Discovered::Namespaced => Ok(()),
        Discovered::ClusterScoped => Err(cluster_scoped(&target.kind)),
        Discovered::Unknown => Err(invalid(format!(
            "target.manifest {} {}: the API server serves no such kind (is its \
             CustomResourceDefinition installed, and is the apiVersion served?)",
            target.api_version(),
            target.kind
        ))),
    }
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

/// Whether `writer` may write the existing object of kind `kind` (its metadata; None: there is
/// none) under `spec`'s creation policy. Someone else's object is refused unless the policy merges
/// keys into it; one another ExternalSecret writes is always refused.
pub fn check_object(
    writer: &Writer,
    spec: &ExternalSecretSpec,
    kind: &str,
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
            format!("{kind} {name:?} is already written by ExternalSecret {other:?}"),
        ));
    }
    match claim(policy, state_of(writer, existing)) {
        Claim::Wait => Err(SyncError::new(
            Reason::TargetNotFound,
            format!("creationPolicy {policy:?}: waiting for {kind} {name:?} to exist"),
        )),
        Claim::Refuse => Err(SyncError::new(
            Reason::TargetConflict,
            format!(
                "{kind} {name:?} exists and was not created by this ExternalSecret; it is not \
                 taken over: delete it, rename target.name, or use creationPolicy Merge or \
                 CreateOrMerge to write only this ExternalSecret's keys into it"
            ),
        )),
        Claim::Untouched | Claim::Create | Claim::Own | Claim::MergeKeys => Ok(()),
    }
}

/// What the API server's refusal to read the target (`code`) means; None: a Kubernetes error like
/// any other, retried. A 403 is the controller's RBAC: the kind must be granted to it.
pub fn read_failed(code: u16, kind: &str, name: &str) -> Option<SyncError> {
    (code == 403).then(|| forbidden("read", kind, name))
}

fn forbidden(verb: &str, kind: &str, name: &str) -> SyncError {
    SyncError::new(
        Reason::AccessDenied,
        format!(
            "the controller may not {verb} {kind} {name:?} (Kubernetes RBAC, 403): grant it get \
             and patch on this resource (Helm value genericTargets.extraResources)"
        ),
    )
}

/// What the API server's refusal of the write (`code`, `message`) means; None: a Kubernetes error
/// like any other, retried. A 409 on an object that did not exist when checked is someone else's,
/// never taken over; a 403 is the controller's RBAC.
pub fn write_failed(
    code: u16,
    message: &str,
    existed: bool,
    kind: &str,
    name: &str,
) -> Option<SyncError> {
    match code {
        403 => Some(forbidden("write", kind, name)),
        422 | 400 => Some(SyncError::new(
            Reason::InvalidValue,
            format!(
                "writing {kind} {name:?}: the API server rejected it: {}",
                redact_quoted(message)
            ),
        )),
        409 if !existed => Some(SyncError::new(
            Reason::TargetConflict,
            format!("{kind} {name:?} appeared while it was being synced; it is not taken over"),
        )),
        409 => Some(SyncError::new(
            Reason::KubernetesError,
            format!("writing {kind} {name:?}: it changed while it was being synced; retrying"),
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

#[path = "manifest_object.rs"]
pub mod object;

#[path = "manifest_path.rs"]
pub mod path;
