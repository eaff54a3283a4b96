//! The target Secret: what it should look like, whether we may write it, whether a write is needed.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::{CreationPolicy, ExternalSecretTarget};
use crate::core::desired::DesiredData;
use crate::core::digest;
use crate::core::plan::policy::{Claim, TargetState, claim, writes_target};
use crate::core::reason::{Reason, SyncError};

/// Label on every Secret secretsync writes; the controller watches only Secrets carrying it.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Value of [`MANAGED_BY_LABEL`].
pub const MANAGED_BY_VALUE: &str = "secretsync";
/// Annotation naming the ExternalSecret (same namespace) that writes the Secret.
pub const OWNER_ANNOTATION: &str = "secretsync.io/external-secret";
/// Annotation marking a Secret that secretsync created (Owner/Orphan/CreateOrMerge), naming the
/// ExternalSecret. Only such a Secret (or one carrying this ExternalSecret's ownerReference) is ever
/// treated as its own; a merge into someone else's Secret never adds it, so a later policy switch
/// cannot adopt a user's Secret.
pub const CREATED_BY_ANNOTATION: &str = "secretsync.io/created-by";
/// Annotation a user puts on an existing Secret to hand it to the named ExternalSecret (same
/// namespace), e.g. one External Secrets Operator made: the only way secretsync takes over a Secret it
/// did not create (or another ExternalSecret wrote). Refused while another controller owns the Secret.
pub const ADOPT_ANNOTATION: &str = "secretsync.io/adopt";
/// Annotation holding the keyed digest of the managed data.
pub const DIGEST_ANNOTATION: &str = "secretsync.io/data-hmac";
/// Annotation holding the synced versions (remote key → version id) the data was built from.
/// Version ids are not secret; the digest covers this annotation, so an edit of it is drift.
pub const VERSIONS_ANNOTATION: &str = "secretsync.io/synced-versions";
pub use crate::core::naming::{RESERVED_PREFIX, is_reserved_key};

/// The one server-side-apply field manager secretsync writes with.
pub const FIELD_MANAGER: &str = "secretsync";
/// A Secret type secretsync never writes.
pub const SERVICE_ACCOUNT_TOKEN: &str = "kubernetes.io/service-account-token";

/// Identifies the ExternalSecret that writes a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    /// Name of the ExternalSecret.
    pub name: String,
    /// Namespace of both.
    pub namespace: String,
    /// UID of the ExternalSecret (for the ownerReference).
    pub uid: String,
}

/// Name of the target Secret (`target.name`, else the ExternalSecret's name).
pub fn target_name(writer: &Writer, target: &ExternalSecretTarget) -> String {
    target.name.clone().unwrap_or_else(|| writer.name.clone())
}

/// The Secret type to write: `target.type`, else `Opaque`.
pub fn target_type(target: &ExternalSecretTarget) -> String {
    target.type_.clone().unwrap_or_else(|| "Opaque".into())
}

/// The marks every target this controller writes carries (a Secret or a generic object): the
/// managed-by label, the owner and created-by annotations, the recorded versions with their keyed
/// digest, and for `Owner` the ownerReference to the ExternalSecret.
pub struct Marks<'a> {
    /// The ExternalSecret writing the target.
    pub writer: &'a Writer,
    /// The target's creation policy (`Owner` adds the ownerReference).
    pub policy: CreationPolicy,
    /// The write is the creator's, or the creator is this ExternalSecret (the created-by mark).
    pub creator: bool,
    /// What else the digest covers (the Secret's type, a generic target's kind; "" for a merge).
    pub bound: &'a str,
}

impl Marks<'_> {
    /// Adds the marks to `labels` and `annotations`; the ownerReferences to set, if any.
    pub fn apply(
        &self,
        desired: &DesiredData,
        digest_key: &[u8],
        labels: &mut BTreeMap<String, String>,
        annotations: &mut BTreeMap<String, String>,
    ) -> Option<Vec<OwnerReference>> {
        let writer = self.writer;
        labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY_VALUE.into());
        annotations.insert(OWNER_ANNOTATION.into(), writer.name.clone());
        if self.creator {
            annotations.insert(CREATED_BY_ANNOTATION.into(), writer.name.clone());
        }
        let versions = serde_json::to_string(&desired.synced_versions).unwrap_or_default();
        annotations.insert(
            DIGEST_ANNOTATION.into(),
            digest::digest(digest_key, self.bound, &versions, &desired.data),
        );
        annotations.insert(VERSIONS_ANNOTATION.into(), versions);
        (self.policy == CreationPolicy::Owner).then(|| {
            vec![OwnerReference {
                api_version: "secretsync.io/v1alpha1".into(),
                kind: "ExternalSecret".into(),
                name: writer.name.clone(),
                uid: writer.uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]
        })
    }
}

/// The Secret to apply (server-side) for `desired` over `existing` (the target as checked; None: there
/// is none). The creation policy's [`claim`] on it decides whether the write is the creator's (type,
/// created-by mark, ownerReference for Owner) or a merge of keys (which keeps a created-by mark this
/// ExternalSecret set, never adds one, and leaves the type alone).
pub fn desired_secret(
    writer: &Writer,
    target: &ExternalSecretTarget,
    desired: &DesiredData,
    digest_key: &[u8],
    existing: Option<&Secret>,
) -> Secret {
    let creator = claim(target.creation_policy, state_of(writer, existing)).as_creator();
    let created_by_writer = existing.is_some_and(|s| created_by(writer, s));
    let tmeta = target.template.as_ref().and_then(|t| t.metadata.as_ref());
    // Reserved keys never come from a template (validation refuses them; this is the second line).
    let unreserved = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        m.iter()
            .filter(|(k, _)| !is_reserved_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    // An engine-v2 template's labels and annotations are rendered; otherwise written as they are.
    let v2 = target.template.as_ref().and_then(|t| t.engine_version)
        == Some(crate::api::TemplateEngine::V2);
    let (mut labels, mut annotations) = match &desired.rendered_metadata {
        Some(r) => (unreserved(&r.labels), unreserved(&r.annotations)),
        // Unrendered engine-v2 metadata is a template, never a label value.
        None if v2 => (BTreeMap::new(), BTreeMap::new()),
        None => (
            tmeta.map(|m| unreserved(&m.labels)).unwrap_or_default(),
            tmeta
                .map(|m| unreserved(&m.annotations))
                .unwrap_or_default(),
        ),
    };
    let secret_type = target_type(target);
    // The digest covers the type only when the write sets it ("" for a merge of keys).
    let digest_type = if creator { secret_type.as_str() } else { "" };
    let marks = Marks {
        writer,
        policy: target.creation_policy,
        creator: creator || created_by_writer,
        bound: digest_type,
    };
    let owner_references = marks.apply(desired, digest_key, &mut labels, &mut annotations);
    Secret {
        metadata: ObjectMeta {
            name: Some(target_name(writer, target)),
            namespace: Some(writer.namespace.clone()),
            labels: Some(labels),
            annotations: Some(annotations),
            owner_references,
            finalizers: tmeta
                .map(|m| m.finalizers.clone())
                .filter(|f| !f.is_empty()),
            ..Default::default()
        },
        // The type is immutable: a merge of keys leaves whatever type the Secret has.
        type_: creator.then_some(secret_type),
        immutable: target.immutable.then_some(true),
        data: Some(
            desired
                .data
                .iter()
                .map(|(k, v)| (k.clone(), ByteString(v.clone())))
                .collect(),
        ),
        ..Default::default()
    }
}

fn annotation<'a>(s: &'a Secret, key: &str) -> Option<&'a str> {
    s.metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

fn is_managed(s: &Secret) -> bool {
    s.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY_LABEL))
        .is_some_and(|v| v == MANAGED_BY_VALUE)
}

/// Whether secretsync's own applies ever set the Secret's `type` (only Owner/Orphan writes do): how a
/// Secret created before [`CREATED_BY_ANNOTATION`] existed is still recognised.
fn type_applied_by_secretsync(s: &Secret) -> bool {
    s.metadata.managed_fields.iter().flatten().any(|m| {
        m.manager.as_deref() == Some(FIELD_MANAGER)
            && m.operation.as_deref() == Some("Apply")
            && m.fields_v1
                .as_ref()
                .is_some_and(|f| f.0.get("f:type").is_some())
    })
}

/// Whether the Secret carries the created-by mark (any writer's): without it, ownership is recognised by
/// secretsync's managedFields entries.
pub fn has_created_by_mark(s: &Secret) -> bool {
    annotation(s, CREATED_BY_ANNOTATION).is_some()
}

/// Whether `writer` created the existing Secret (Owner/Orphan): it carries the writer's
/// [`CREATED_BY_ANNOTATION`], its ownerReference, or (Secrets from before the annotation) the managed
/// label, the writer's name and a `type` secretsync applied. Merge writes give none of these.
pub fn created_by(writer: &Writer, existing: &Secret) -> bool {
    let owned = existing
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.uid == writer.uid);
    let marked = annotation(existing, CREATED_BY_ANNOTATION) == Some(writer.name.as_str());
    let legacy = annotation(existing, CREATED_BY_ANNOTATION).is_none()
        && is_managed(existing)
        && annotation(existing, OWNER_ANNOTATION) == Some(writer.name.as_str())
        && type_applied_by_secretsync(existing);
    owned || marked || legacy
}

/// The target as `writer` finds it: absent, its own (created by it, or handed over to it, and owned by
/// no other controller), or someone else's.
pub fn state_of(writer: &Writer, existing: Option<&Secret>) -> TargetState {
    let Some(existing) = existing else {
        return TargetState::Absent;
    };
    let handed_over = annotation(existing, ADOPT_ANNOTATION) == Some(writer.name.as_str());
    if (created_by(writer, existing) || handed_over) && !foreign_controller(writer, existing) {
        TargetState::Ours
    } else {
        TargetState::Foreign
    }
}

/// Whether another controller (not `writer`) owns the Secret.
fn foreign_controller(writer: &Writer, existing: &Secret) -> bool {
    existing
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && o.uid != writer.uid)
}

/// Whether `writer` may write the existing Secret under `policy` (None: it does not exist), taking the
/// ExternalSecret its owner annotation names as still there (see [`check_target_with`]).
pub fn check_target(
    writer: &Writer,
    target: &ExternalSecretTarget,
    existing: Option<&Secret>,
) -> Result<(), SyncError> {
    check_target_with(writer, target, existing, false)
}

/// [`check_target`], knowing whether the other ExternalSecret the Secret's owner annotation names is
/// gone: only then may a hand-over (`secretsync.io/adopt`) move its Secret to `writer` (e.g. after a
/// rename); a running ExternalSecret's Secret is never taken.
pub fn check_target_with(
    writer: &Writer,
    target: &ExternalSecretTarget,
    existing: Option<&Secret>,
    recorded_writer_gone: bool,
) -> Result<(), SyncError> {
    let name = target_name(writer, target);
    let policy = target.creation_policy;
    if !writes_target(policy) {
        // creationPolicy None never reads or writes the Secret, whoever's it is.
        return Ok(());
    }
    let Some(existing) = existing else {
        return match claim(policy, TargetState::Absent) {
            Claim::Wait => Err(SyncError::new(
                Reason::TargetNotFound,
                format!("creationPolicy {policy:?}: waiting for Secret {name:?} to exist"),
            )),
            _ => Ok(()),
        };
    };
    let existing_type = existing.type_.as_deref().unwrap_or("Opaque");
    if existing_type == SERVICE_ACCOUNT_TOKEN {
        return Err(SyncError::new(
            Reason::TargetConflict,
            format!(
                "Secret {name:?} is a {SERVICE_ACCOUNT_TOKEN} Secret; secretsync never writes those"
            ),
        ));
    }
    let recorded = annotation(existing, OWNER_ANNOTATION);
    let handed_over = annotation(existing, ADOPT_ANNOTATION) == Some(writer.name.as_str());
    // A hand-over also moves a Secret another ExternalSecret wrote (e.g. after a rename), once that
    // one is gone and no longer controls it (checked below).
    let takes_over = handed_over && recorded_writer_gone && policy != CreationPolicy::Merge;
    if let Some(other) = recorded.filter(|o| *o != writer.name && !takes_over) {
        let why = if handed_over && policy != CreationPolicy::Merge {
            format!(
                "Secret {name:?} is handed over to this ExternalSecret ({ADOPT_ANNOTATION}) but \
                 ExternalSecret {other:?} still writes it: delete that one first (with creationPolicy \
                 Orphan the Secret stays)"
            )
        } else {
            format!("Secret {name:?} is already written by ExternalSecret {other:?}")
        };
        return Err(SyncError::new(Reason::TargetConflict, why));
    }
    match claim(policy, state_of(writer, Some(existing))) {
        Claim::Untouched | Claim::Wait | Claim::Create | Claim::MergeKeys => Ok(()),
        Claim::Refuse if handed_over && foreign_controller(writer, existing) => {
            Err(SyncError::new(
                Reason::TargetConflict,
                format!(
                    "Secret {name:?} is annotated {ADOPT_ANNOTATION} for this ExternalSecret but another \
                     controller still owns it: delete that owner with --cascade=orphan first"
                ),
            ))
        }
        Claim::Refuse => Err(SyncError::new(
            Reason::TargetConflict,
            format!(
                "Secret {name:?} exists and is not managed by this ExternalSecret; \
                 delete it, rename target.name, use creationPolicy Merge or CreateOrMerge, or hand \
                 it over with the annotation {ADOPT_ANNOTATION}: <ExternalSecret name>"
            ),
        )),
        Claim::Own if existing_type != target_type(target) => Err(SyncError::new(
            Reason::TargetConflict,
            format!(
                "Secret {name:?} has type {existing_type:?} but target.type is {:?}; the type of a Secret \
                 cannot change: delete the Secret to recreate it",
                target_type(target)
            ),
        )),
        Claim::Own => Ok(()),
    }
}

/// The fields `manager` set on `secret` by server-side apply (its managedFields entries).
fn applied_fields<'a>(
    secret: &'a Secret,
    manager: &'a str,
) -> impl Iterator<Item = &'a serde_json::Value> {
    secret
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter(move |m| {
            m.manager.as_deref() == Some(manager) && m.operation.as_deref() == Some("Apply")
        })
        .filter_map(|m| m.fields_v1.as_ref().map(|f| &f.0))
}

/// Keys of `data` that `manager` owns according to the Secret's managedFields.
pub fn owned_data_keys(secret: &Secret, manager: &str) -> BTreeSet<String> {
    applied_fields(secret, manager)
        .filter_map(|f| f.get("f:data").and_then(|d| d.as_object()))
        .flat_map(|d| {
            d.keys()
                .filter_map(|k| k.strip_prefix("f:"))
                .map(String::from)
        })
        .collect()
}

/// The finalizers `manager` set on `secret` by server-side apply (from its managedFields).
pub fn owned_finalizers(secret: &Secret, manager: &str) -> BTreeSet<String> {
    applied_fields(secret, manager)
        .filter_map(|f| f.get("f:metadata")?.get("f:finalizers")?.as_object())
        .flat_map(|d| {
            d.keys()
                .filter_map(|k| k.strip_prefix("v:"))
                .filter_map(|v| serde_json::from_str::<String>(v).ok())
        })
        .collect()
}

/// Whether the existing Secret still holds exactly what secretsync last wrote to its keys:
/// the digest annotation matches the keys it owns. False means drift (or never written).
pub fn digest_matches(existing: &Secret, digest_key: &[u8]) -> bool {
    let Some(recorded) = annotation(existing, DIGEST_ANNOTATION) else {
        return false;
    };
    let owned = owned_data_keys(existing, FIELD_MANAGER);
    let data = existing.data.as_ref();
    let mut current = BTreeMap::new();
    for key in owned {
        match data.and_then(|d| d.get(&key)) {
            Some(v) => {
                current.insert(key, v.0.clone());
            }
            None => return false,
        }
    }
    let t = existing.type_.as_deref().unwrap_or("Opaque");
    let versions = annotation(existing, VERSIONS_ANNOTATION).unwrap_or_default();
    // Owner/Orphan digests cover the type; Merge digests use "" (the type is not ours).
    digest::digest(digest_key, t, versions, &current) == recorded
        || digest::digest(digest_key, "", versions, &current) == recorded
}

/// The synced versions recorded on a Secret secretsync wrote (trust it only when [`digest_matches`]).
pub fn recorded_versions(existing: &Secret) -> BTreeMap<String, String> {
    annotation(existing, VERSIONS_ANNOTATION)
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

/// Whether applying `desired` would change the existing Secret (so a no-op reconcile writes nothing).
pub fn needs_write(existing: Option<&Secret>, desired: &Secret) -> bool {
    let Some(existing) = existing else {
        return true;
    };
    let have = existing.data.clone().unwrap_or_default();
    let want = desired.data.clone().unwrap_or_default();
    let owned = owned_data_keys(existing, FIELD_MANAGER);
    // A key we own but no longer want must be pruned by a new apply.
    if owned.iter().any(|k| !want.contains_key(k)) {
        return true;
    }
    // An immutable Secret is asked for and this one is not (yet).
    if desired.immutable == Some(true) && existing.immutable != Some(true) {
        return true;
    }
    // Finalizers: every wanted one present, and none we set that is no longer wanted.
    let want_finalizers: BTreeSet<&String> = desired.metadata.finalizers.iter().flatten().collect();
    let have_finalizers: BTreeSet<&String> =
        existing.metadata.finalizers.iter().flatten().collect();
    if !want_finalizers.is_subset(&have_finalizers)
        || owned_finalizers(existing, FIELD_MANAGER)
            .iter()
            .any(|f| !want_finalizers.contains(f))
    {
        return true;
    }
    if want.iter().any(|(k, v)| have.get(k) != Some(v)) {
        return true;
    }
    let subset = |want: &Option<BTreeMap<String, String>>,
                  have: &Option<BTreeMap<String, String>>| {
        want.iter()
            .flatten()
            .all(|(k, v)| have.as_ref().and_then(|h| h.get(k)) == Some(v))
    };
    if !subset(&desired.metadata.labels, &existing.metadata.labels)
        || !subset(
            &desired.metadata.annotations,
            &existing.metadata.annotations,
        )
    {
        return true;
    }
    // The ownerReference follows the policy on every write: present for Owner, gone otherwise.
    let have_owners = existing
        .metadata
        .owner_references
        .clone()
        .unwrap_or_default();
    let want_owners = desired
        .metadata
        .owner_references
        .clone()
        .unwrap_or_default();
    let missing = want_owners
        .iter()
        .any(|o| !have_owners.iter().any(|h| h.uid == o.uid));
    let writer = desired
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(OWNER_ANNOTATION));
    let stale = want_owners.is_empty()
        && have_owners.iter().any(|h| {
            h.kind == "ExternalSecret"
                && h.api_version.starts_with("secretsync.io/")
                && Some(&h.name) == writer
        });
    missing || stale
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "target_policy_tests.rs"]
mod policy_tests;
