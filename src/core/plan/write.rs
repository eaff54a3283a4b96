//! The write step: whether the target Secret needs a GET before the first write, whether the desired
//! Secret is written and under which precondition, whether the write is a rotation that restarts
//! workloads, and what a refused write means.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;

use crate::api::CreationPolicy;
use crate::core::reason::{Reason, SyncError, redact_quoted};
use crate::core::target::needs_write;
use crate::core::versions::is_rotation;

/// The resourceVersion precondition of a Secret that did not exist when checked: "1" is never current,
/// so a Secret created by someone else meanwhile fails the write (and is refused at the next
/// reconcile) instead of being taken over.
pub const ABSENT_PRECONDITION: &str = "1";

/// Whether a first sync may create its target without a GET: no verified copy, no status yet (never
/// synced), a policy that only ever writes its own Secret (`Owner`, `Orphan`: `Merge` needs the
/// Secret, `CreateOrMerge` merges into an existing one, `None` writes nothing), and the target is in
/// no cache of Secrets. The write's precondition fails if a Secret exists after all; it is then read
/// and checked.
pub fn may_assume_absent(
    verified_copy: bool,
    never_synced: bool,
    creation_policy: CreationPolicy,
    absent_in_cache: bool,
) -> bool {
    !verified_copy
        && never_synced
        && matches!(
            creation_policy,
            CreationPolicy::Owner | CreationPolicy::Orphan
        )
        && absent_in_cache
}

/// What the write step does.
#[derive(Debug, Clone, PartialEq)]
pub struct WritePlan {
    /// The Secret to apply, carrying the checked Secret's resourceVersion as its precondition.
    pub secret: Secret,
    /// Whether applying it changes anything (a no-op reconcile writes nothing).
    pub write: bool,
    /// The write creates the Secret.
    pub creates: bool,
    /// The synced versions are a rotation of `rotation_base`: restart the workloads, after the write.
    pub restart: bool,
}

/// The write step for `desired` over `existing` (the Secret as checked, with its data). `rotation_base`
/// is the record a rotation is measured against; `synced` the versions `desired` holds.
pub fn plan_write(
    existing: Option<&Secret>,
    mut desired: Secret,
    rotation_base: &BTreeMap<String, String>,
    synced: &BTreeMap<String, String>,
) -> WritePlan {
    desired.metadata.resource_version = Some(
        existing
            .and_then(|s| s.metadata.resource_version.clone())
            .unwrap_or_else(|| ABSENT_PRECONDITION.into()),
    );
    WritePlan {
        write: needs_write(existing, &desired),
        creates: existing.is_none(),
        restart: is_rotation(rotation_base, synced),
        secret: desired,
    }
}

/// Why `desired` cannot be written over an immutable `existing` Secret (Kubernetes refuses any
/// change to its data or type, and making it mutable again), or None. Only the metadata of an
/// immutable Secret can change; the data it holds stays until the Secret is deleted and created again.
pub fn immutable_conflict(existing: Option<&Secret>, desired: &Secret) -> Option<SyncError> {
    let existing = existing.filter(|s| s.immutable == Some(true))?;
    let name = existing.metadata.name.as_deref().unwrap_or_default();
    let data_changes =
        existing.data.clone().unwrap_or_default() != desired.data.clone().unwrap_or_default();
    let type_changes = desired.type_.is_some() && desired.type_ != existing.type_;
    let why = if desired.immutable != Some(true) {
        "it is immutable and cannot become mutable again (target.immutable was turned off)"
    } else if data_changes || type_changes {
        "it is immutable (target.immutable) and the remote data changed"
    } else {
        return None;
    };
    Some(SyncError::new(
        Reason::TargetConflict,
        format!(
            "Secret {name:?} keeps what it holds: {why}; delete the Secret to have it created \
             again with the new data"
        ),
    ))
}

/// What the API server's refusal of the write (`code`, `message`) means. None: a Kubernetes error like
/// any other, retried. A 422 (Invalid) is the spec's or the data's fault, with the server's message
/// (quoted fragments redacted, they can quote data); a 409 on a Secret that did not exist when checked
/// is someone else's Secret, never taken over; another 409 is a race, retried.
pub fn write_failed(
    code: u16,
    message: &str,
    existed: bool,
    target_name: &str,
) -> Option<SyncError> {
    let what = format!("writing Secret {target_name:?}");
    match code {
        422 => Some(SyncError::new(
            Reason::InvalidValue,
            format!(
                "{what}: the API server rejected it: {}",
                redact_quoted(message)
            ),
        )),
        409 if !existed => Some(SyncError::new(
            Reason::TargetConflict,
            format!(
                "Secret {target_name:?} appeared while it was being synced; it is not taken over"
            ),
        )),
        409 => Some(SyncError::new(
            Reason::KubernetesError,
            format!("{what}: the Secret changed (or appeared) while it was being synced; retrying"),
        )),
        _ => None,
    }
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
