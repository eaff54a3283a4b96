//! The creation and deletion policies (`target.creationPolicy`, `target.deletionPolicy`) with External
//! Secrets Operator's meaning, as pure decisions: what a creation policy does with the target Secret
//! in each state it can be found in ([`claim`]), what a deletion policy does once every remote secret
//! is confirmed deleted ([`on_remote_gone`]), and which combinations are refused
//! ([`refused_combination`]). The ownership rule ([`crate::core::target::check_target_with`]), the
//! desired Secret ([`crate::core::target::desired_secret`]) and the deletion rule
//! ([`crate::core::deletion::decide_deletion`]) ask these.

use crate::api::{CreationPolicy, DeletionPolicy, ExternalSecretTarget};

/// The target Secret as this ExternalSecret finds it (after the checks every policy shares: never a
/// service-account token, never a Secret another running ExternalSecret writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    /// There is none.
    Absent,
    /// This ExternalSecret created it (its created-by mark or ownerReference) or it was handed over
    /// (`secretsync.io/adopt`), and no other controller owns it.
    Ours,
    /// Someone else's: made by hand or by another tool, or owned by another controller.
    Foreign,
}

/// What a creation policy does with the target in a given state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nothing: no Secret is read or written (`None`).
    Untouched,
    /// Wait for the Secret to exist (`Merge`: TargetNotFound).
    Wait,
    /// Create it as its creator: its type, the created-by mark, the ownerReference for `Owner`.
    Create,
    /// Write the existing Secret as its creator (as [`Claim::Create`]).
    Own,
    /// Write only this ExternalSecret's keys (and labels and annotations) into it; its type and
    /// ownership stay as they are, and no other key is touched.
    MergeKeys,
    /// Refuse it (TargetConflict): someone else's Secret is never taken over.
    Refuse,
}

impl Claim {
    /// Whether the write is the creator's (type, created-by mark, ownerReference for `Owner`).
    pub fn as_creator(self) -> bool {
        matches!(self, Claim::Create | Claim::Own)
    }
}

/// What `policy` does with a target found in `state` (ESO: `Owner` and `Orphan` create or update,
/// `Merge` only merges into an existing Secret, `CreateOrMerge` creates a missing one and merges into
/// an existing one, `None` does neither).
pub fn claim(policy: CreationPolicy, state: TargetState) -> Claim {
    use CreationPolicy as P;
    use TargetState as S;
    match (policy, state) {
        (P::None, _) => Claim::Untouched,
        (P::Merge, S::Absent) => Claim::Wait,
        (P::Merge, S::Ours | S::Foreign) => Claim::MergeKeys,
        (P::Owner | P::Orphan | P::CreateOrMerge, S::Absent) => Claim::Create,
        (P::Owner | P::Orphan | P::CreateOrMerge, S::Ours) => Claim::Own,
        (P::Owner | P::Orphan, S::Foreign) => Claim::Refuse,
        (P::CreateOrMerge, S::Foreign) => Claim::MergeKeys,
    }
}

/// Whether the policy ever reads or writes the target Secret (`None` does not).
pub fn writes_target(policy: CreationPolicy) -> bool {
    policy != CreationPolicy::None
}

/// What a deletion policy does once every remote secret is confirmed deleted (and the grace period
/// is over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnGone {
    /// The Secret keeps its data; why.
    Keep(&'static str),
    /// The Secret is deleted (`Delete`, `Owner` only).
    DeleteSecret,
    /// This ExternalSecret's keys are removed; the Secret and every other key stay (`Merge`).
    RemoveKeys,
}

/// What `deletion` does under `creation` when the remote data is gone.
pub fn on_remote_gone(deletion: DeletionPolicy, creation: CreationPolicy) -> OnGone {
    use CreationPolicy as P;
    use DeletionPolicy as D;
    match (deletion, creation) {
        (D::Retain, _) => OnGone::Keep("deletionPolicy is Retain"),
        (D::Delete, P::Owner) => OnGone::DeleteSecret,
        (D::Delete, P::Orphan | P::Merge | P::CreateOrMerge | P::None) => {
            OnGone::Keep("only creationPolicy Owner Secrets are deleted")
        }
        (D::Merge, P::None) => OnGone::Keep("creationPolicy None writes no Secret"),
        (D::Merge, P::Owner | P::Orphan | P::Merge | P::CreateOrMerge) => OnGone::RemoveKeys,
    }
}

/// Why the target's policies (and `immutable`) cannot be used together, or None. ESO's admission
/// webhook refuses the same deletion-policy combinations; secretsync refuses them as `InvalidSpec`
/// (the API server refuses `Delete` without `Owner` already).
pub fn refused_combination(target: &ExternalSecretTarget) -> Option<String> {
    use CreationPolicy as P;
    use DeletionPolicy as D;
    let creation = target.creation_policy;
    match (target.deletion_policy, creation) {
        (D::Delete, P::Orphan | P::Merge | P::CreateOrMerge | P::None) => {
            return Some(format!(
                "deletionPolicy Delete with creationPolicy {creation:?}: only a Secret this \
                 ExternalSecret owns is deleted; use creationPolicy Owner, or deletionPolicy Merge \
                 to remove only its keys"
            ));
        }
        (D::Merge, P::None) => {
            return Some(
                "deletionPolicy Merge with creationPolicy None: there is no Secret to remove keys \
                 from; use deletionPolicy Retain, or a creationPolicy that writes the Secret"
                    .into(),
            );
        }
        _ => {}
    }
    if target.immutable && matches!(creation, P::Merge | P::CreateOrMerge) {
        return Some(format!(
            "target.immutable with creationPolicy {creation:?} would make someone else's Secret \
             immutable; use Owner or Orphan"
        ));
    }
    None
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
