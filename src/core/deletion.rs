//! When a Secret may be deleted, or this ExternalSecret's keys removed from it, because its remote
//! secrets are gone (`deletionPolicy: Delete` or `Merge`).
//!
//! The rule (invariant 7): act only when every remote secret the ExternalSecret reads is confirmed
//! deleted by Secrets Manager itself, the confirmation was first seen at the current generation, and it
//! still holds after a grace period. Anything less keeps the Secret and its keys.

use std::time::Duration;

use jiff::Timestamp;

use std::collections::BTreeMap;

use super::plan::policy::{OnGone, on_remote_gone};
use super::references::References;
use super::versions::is_compact;
use crate::api::{CreationPolicy, DeletionPolicy, ExternalSecretSpec, RemoteDeletion};

/// What Secrets Manager says about one remote secret the ExternalSecret reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteState {
    /// The secret exists (a missing version, stage or value is not a deletion).
    Present,
    /// Secrets Manager answered with a well-formed ResourceNotFoundException for the secret itself, or
    /// the secret carries a `DeletedDate` (scheduled for deletion).
    Deleted,
    /// No trustworthy answer (transport error, throttling, a response that is not a Secrets Manager
    /// error, access denied, ...).
    Unknown,
}

/// Everything the deletion decision looks at.
#[derive(Debug, Clone)]
pub struct DeletionInputs<'a> {
    /// `target.deletionPolicy`.
    pub deletion_policy: DeletionPolicy,
    /// `target.creationPolicy` (only Owner Secrets are ever deleted; keys are removed under any policy
    /// that writes a Secret).
    pub creation_policy: CreationPolicy,
    /// The target Secret as it was checked (it exists and this ExternalSecret may write it); None:
    /// there is none. Its uid and resourceVersion become the deletion's preconditions.
    pub target: Option<&'a ObservedTarget>,
    /// Every remote secret the ExternalSecret reads, with its confirmed state. Empty: nothing known.
    pub remote: &'a [(String, RemoteState)],
    /// The spec changed since the last reconcile (`metadata.generation` != `status.observedGeneration`).
    pub spec_changed: bool,
    /// The store (identity, region, endpoint, role, credential references) is the one the last sync
    /// read from: a secret missing from another account or region is not a deletion.
    pub same_source: bool,
    /// `metadata.generation` now.
    pub generation: Option<i64>,
    /// A confirmation recorded by an earlier reconcile (`status.remoteDeletion`).
    pub pending: Option<&'a RemoteDeletion>,
    /// Current time.
    pub now: Timestamp,
    /// How long the deletion must stay confirmed.
    pub grace: Duration,
}

/// Every remote secret name the ExternalSecret reads: `data` and `extract` keys, plus the secrets its
/// `find`s matched at the last sync (from the previous record). None — which keeps the Secret — when
/// a referenced name was never synced (a typo in a spec edit names a secret that never existed) or the
/// find matches cannot be known (the record was compacted).
pub fn remote_names(
    spec: &ExternalSecretSpec,
    previous: &BTreeMap<String, String>,
) -> Option<Vec<String>> {
    let refs = References::of(spec);
    let mut names: Vec<String> = Vec::new();
    for r in &refs.named {
        if !previous.contains_key(&r.status_key) {
            return None;
        }
        names.push(r.key().to_string());
    }
    if refs.has_find() {
        if is_compact(previous) {
            return None;
        }
        names.extend(
            previous
                .keys()
                .filter(|k| !refs.named.iter().any(|r| &r.status_key == *k))
                .cloned(),
        );
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// The identity of the target Secret that was checked before the deletion was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedTarget {
    /// `metadata.uid` (None: not known, so the Secret cannot be deleted safely).
    pub uid: Option<String>,
    /// `metadata.resourceVersion` (None: not known).
    pub resource_version: Option<String>,
}

/// What the deletion must still find on the API server: the very Secret that was checked, unchanged
/// since. A Secret replaced or edited meanwhile fails the delete (HTTP 409) and is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preconditions {
    /// The checked Secret's uid.
    pub uid: String,
    /// The checked Secret's resourceVersion.
    pub resource_version: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeletionDecision {
    /// Keep the Secret; clear any recorded confirmation. The string says why (for status).
    Keep(String),
    /// First confirmation: record it (`status.remoteDeletion`) and check again after the grace period.
    StartGrace,
    /// Confirmed before, grace not over: keep, check again after this long.
    Wait(Duration),
    /// Confirmed twice, grace over: delete the Secret, only under these preconditions.
    Delete(Preconditions),
    /// Confirmed twice, grace over: remove this ExternalSecret's keys from the Secret (keeping the
    /// Secret and every other key), only under these preconditions.
    RemoveKeys(Preconditions),
}

/// Why a missing remote secret is not worth asking the service about (see [`to_confirm`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAsked {
    /// The Secret keeps its data, for this reason.
    Kept(String),
    /// `deletionPolicy: Merge` removed this ExternalSecret's keys already: nothing is left to remove.
    KeysRemoved,
}

/// Whether a missing remote secret is worth asking the service about, and which names to ask
/// (the first step of the deletion rule, before any call): `Err` says why not (`deletionPolicy`
/// Retain, a name that was never synced, a policy that never deletes, no Secret, no key left to
/// remove). `keys_left`: the Secret may still hold keys this ExternalSecret wrote (false when its
/// intact record says they were removed).
pub fn to_confirm(
    spec: &ExternalSecretSpec,
    previous: &BTreeMap<String, String>,
    target_exists: bool,
    keys_left: bool,
) -> Result<Vec<String>, NotAsked> {
    let t = &spec.target;
    let gone = on_remote_gone(t.deletion_policy, t.creation_policy);
    if t.deletion_policy == DeletionPolicy::Retain {
        return Err(NotAsked::Kept("deletionPolicy Retain".into()));
    }
    let names = remote_names(spec, previous).ok_or_else(|| {
        NotAsked::Kept(
            "the spec names a secret, stage or version that was never synced; a missing one is not a deletion"
                .to_string(),
        )
    })?;
    if let OnGone::Keep(why) = gone {
        return Err(NotAsked::Kept(why.into()));
    }
    if !target_exists {
        return Err(NotAsked::Kept("the Secret does not exist".into()));
    }
    if gone == OnGone::RemoveKeys && !keys_left {
        return Err(NotAsked::KeysRemoved);
    }
    Ok(names)
}

/// Decides whether the target Secret is deleted (or this ExternalSecret's keys removed from it) now.
pub fn decide_deletion(i: &DeletionInputs<'_>) -> DeletionDecision {
    let act = match on_remote_gone(i.deletion_policy, i.creation_policy) {
        OnGone::Keep(why) => return DeletionDecision::Keep(why.into()),
        OnGone::DeleteSecret => DeletionDecision::Delete,
        OnGone::RemoveKeys => DeletionDecision::RemoveKeys,
    };
    let Some(target) = i.target else {
        return DeletionDecision::Keep("the Secret does not exist".into());
    };
    let (Some(uid), Some(resource_version)) = (
        target.uid.clone().filter(|u| !u.is_empty()),
        target.resource_version.clone().filter(|r| !r.is_empty()),
    ) else {
        return DeletionDecision::Keep(
            "the Secret's uid or resourceVersion is unknown, so it cannot be deleted with preconditions"
                .into(),
        );
    };
    if i.remote.is_empty() {
        return DeletionDecision::Keep("no remote secret is known to have been deleted".into());
    }
    if let Some((name, state)) = i.remote.iter().find(|(_, s)| *s != RemoteState::Deleted) {
        let why = match state {
            RemoteState::Present => format!("remote secret {name:?} still exists"),
            _ => format!("the deletion of remote secret {name:?} is not confirmed"),
        };
        return DeletionDecision::Keep(why);
    }
    if !i.same_source {
        return DeletionDecision::Keep(
            "the store differs from the one the Secret was synced from; a secret missing there is not a deletion"
                .into(),
        );
    }
    if i.spec_changed {
        return DeletionDecision::Keep(
            "the spec just changed; a deletion is never acted on in the reconcile after a spec edit"
                .into(),
        );
    }
    match i.pending.filter(|p| Some(p.generation) == i.generation) {
        None => DeletionDecision::StartGrace,
        Some(p) => {
            let elapsed = Duration::try_from(i.now.duration_since(p.confirmed_since.0))
                .unwrap_or(Duration::ZERO);
            if elapsed >= i.grace {
                act(Preconditions {
                    uid,
                    resource_version,
                })
            } else {
                DeletionDecision::Wait(i.grace - elapsed)
            }
        }
    }
}

#[cfg(test)]
#[path = "deletion_tests.rs"]
mod tests;
