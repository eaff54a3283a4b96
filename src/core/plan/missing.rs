//! A remote secret (or version, or `find` match) is missing: what the reconcile does and reports. The
//! Secret keeps its data unless [`decide_deletion`] says every remote secret is confirmed deleted and
//! the grace period is over; then it is deleted (`deletionPolicy: Delete`), or this ExternalSecret's
//! keys are removed from it (`Merge`), only under the checked Secret's preconditions, and each answer
//! of the API server has its outcome decided here too.

use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::{ExternalSecretSpec, RemoteDeletion};
use crate::core::deletion::{
    DeletionDecision, DeletionInputs, NotAsked, Preconditions, decide_deletion, to_confirm,
};
use crate::core::plan::policy::{OnGone, on_remote_gone};
use crate::core::reason::{Reason, SyncError};
use crate::core::report::{Outcome, Removed};

/// What to do about a missing remote secret.
#[derive(Debug, Clone, PartialEq)]
pub enum MissingPlan {
    /// Report this; the Secret is not touched.
    Report(Outcome),
    /// Delete the target Secret under these preconditions, then report the outcome for the answer.
    Delete(Box<DeletePlan>),
    /// Remove this ExternalSecret's keys from the target Secret under these preconditions (the
    /// Secret and every other key stay), then report the outcome for the answer.
    RemoveKeys(Box<RemoveKeysPlan>),
}

/// A removal of this ExternalSecret's keys from the target Secret (`deletionPolicy: Merge`): an apply
/// of the Secret without them, under the checked Secret's resourceVersion. Keys another writer also
/// owns stay (server-side apply only removes what this field manager alone set).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoveKeysPlan {
    /// Only the Secret that was checked, unchanged since, is written.
    pub preconditions: Preconditions,
    /// Why the keys are removed (logged, and on the Event).
    pub why: String,
    /// The target's name.
    pub target_name: String,
    /// The error the read reported (SecretNotFound).
    pub error: SyncError,
    /// The Secret holds none of this ExternalSecret's keys (or is gone): nothing was written.
    pub nothing_left: Outcome,
    /// 409, or a Secret other than the one checked: replaced or changed while the deletion was
    /// confirmed; it is kept as it is.
    pub conflict: Outcome,
}

impl RemoveKeysPlan {
    /// The outcome once `keys` (names, never values) were removed.
    pub fn removed(&self, keys: Vec<String>) -> Outcome {
        Outcome::Missing {
            error: SyncError::new(
                self.error.reason,
                format!(
                    "this ExternalSecret's key(s) {} removed from Secret {:?}, which stays \
                     (deletionPolicy Merge): {}",
                    keys.join(", "),
                    self.target_name,
                    self.why
                ),
            ),
            pending: None,
            recheck: None,
            deleted: Some(Removed::Keys {
                keys,
                why: self.why.clone(),
            }),
        }
    }
}

/// A deletion of the target Secret, with the outcome for each answer of the API server.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletePlan {
    /// Only the Secret that was checked, unchanged since, may be deleted.
    pub preconditions: Preconditions,
    /// Why it is deleted (logged, and on the Event).
    pub why: String,
    /// The delete succeeded.
    pub deleted: Outcome,
    /// 404: gone already; nothing was deleted by this reconcile.
    pub already_gone: Outcome,
    /// 409: replaced or changed while the deletion was confirmed; it is not the Secret that was checked.
    pub conflict: Outcome,
}

/// What is known besides the deletion rule's inputs: the read's error, the names confirmed, the
/// service that confirmed them and the target's name.
#[derive(Debug, Clone, Copy)]
pub struct MissingFacts<'a> {
    /// The read's error (SecretNotFound).
    pub error: &'a SyncError,
    /// The remote secrets asked about.
    pub names: &'a [String],
    /// The service asked ("Secrets Manager", "Parameter Store").
    pub service: &'a str,
    /// The target Secret's name.
    pub target_name: &'a str,
}

/// The Secret is kept, for `why`: the error, saying so when there is a Secret to keep.
pub fn keep(error: &SyncError, why: &str, secret_exists: bool) -> Outcome {
    let message = if secret_exists {
        format!("{}; the Secret keeps its last data ({why})", error.message)
    } else {
        error.message.clone()
    };
    Outcome::Missing {
        error: SyncError::new(error.reason, message),
        pending: None,
        recheck: None,
        deleted: None,
    }
}

/// Which remote secrets to ask the service about ([`to_confirm`]), or what the reconcile reports
/// without asking: the Secret kept and why, or (`deletionPolicy: Merge`) that this ExternalSecret's
/// keys were removed already.
pub fn before_confirming(
    spec: &ExternalSecretSpec,
    previous: &std::collections::BTreeMap<String, String>,
    target_exists: bool,
    keys_left: bool,
    error: &SyncError,
) -> Result<Vec<String>, Box<Outcome>> {
    to_confirm(spec, previous, target_exists, keys_left).map_err(|not| match not {
        NotAsked::Kept(why) => Box::new(keep(error, &why, target_exists)),
        NotAsked::KeysRemoved => Box::new(Outcome::Missing {
            error: SyncError::new(
                error.reason,
                format!(
                    "{}; this ExternalSecret's keys were removed from the Secret, which stays \
                     (deletionPolicy Merge)",
                    error.message
                ),
            ),
            pending: None,
            recheck: None,
            deleted: None,
        }),
    })
}

/// The plan for a missing remote secret, from the deletion rule's inputs (the service's answer for
/// every name included).
pub fn plan_missing(inputs: &DeletionInputs<'_>, facts: MissingFacts<'_>) -> MissingPlan {
    let MissingFacts {
        error,
        names,
        service,
        target_name,
    } = facts;
    let gone = names.join(", ");
    let reported = |message: String, pending, recheck: Option<Duration>| {
        MissingPlan::Report(Outcome::Missing {
            error: SyncError::new(error.reason, message),
            pending,
            recheck,
            deleted: None,
        })
    };
    // What happens once the grace period is over, in the words of the status.
    let then = match on_remote_gone(inputs.deletion_policy, inputs.creation_policy) {
        OnGone::RemoveKeys => {
            "this ExternalSecret's keys are removed from the Secret (deletionPolicy Merge)"
        }
        OnGone::DeleteSecret | OnGone::Keep(_) => "the Secret is deleted (deletionPolicy Delete)",
    };
    let why = || {
        format!(
            "remote secret(s) {gone} deleted in {service} (confirmed twice, {:?} apart)",
            inputs.grace
        )
    };
    let done = |error: SyncError, deleted: Option<Removed>| Outcome::Missing {
        error,
        pending: None,
        recheck: None,
        deleted,
    };
    let conflict = |what: &str| {
        done(
            SyncError::new(
                Reason::TargetConflict,
                format!(
                    "Secret {target_name:?} was replaced or changed while the deletion of remote \
                     secret(s) {gone} was being confirmed; {what}"
                ),
            ),
            None,
        )
    };
    match decide_deletion(inputs) {
        DeletionDecision::Keep(why) => {
            MissingPlan::Report(keep(error, &why, inputs.target.is_some()))
        }
        DeletionDecision::StartGrace => reported(
            format!(
                "{service} confirms remote secret(s) {gone} deleted; {then} if that still holds \
                 after {:?}",
                inputs.grace
            ),
            Some(RemoteDeletion {
                confirmed_since: Time(inputs.now),
                generation: inputs.generation.unwrap_or_default(),
            }),
            Some(inputs.grace),
        ),
        DeletionDecision::Wait(left) => reported(
            format!(
                "{service} confirms remote secret(s) {gone} deleted; {then} if that still holds in \
                 {}s",
                left.as_secs()
            ),
            inputs.pending.cloned(),
            Some(left),
        ),
        DeletionDecision::Delete(preconditions) => {
            let why = why();
            MissingPlan::Delete(Box::new(DeletePlan {
                preconditions,
                deleted: done(
                    SyncError::new(
                        error.reason,
                        format!("Secret {target_name:?} deleted: {why}"),
                    ),
                    Some(Removed::Secret(why.clone())),
                ),
                already_gone: done(
                    SyncError::new(
                        error.reason,
                        format!("Secret {target_name:?} is already gone: {why}"),
                    ),
                    None,
                ),
                conflict: conflict("it was not deleted"),
                why,
            }))
        }
        DeletionDecision::RemoveKeys(preconditions) => {
            let why = why();
            MissingPlan::RemoveKeys(Box::new(RemoveKeysPlan {
                preconditions,
                target_name: target_name.to_string(),
                error: error.clone(),
                nothing_left: done(
                    SyncError::new(
                        error.reason,
                        format!(
                            "Secret {target_name:?} holds none of this ExternalSecret's keys: {why}"
                        ),
                    ),
                    None,
                ),
                conflict: conflict("its keys were not removed"),
                why,
            }))
        }
    }
}

#[cfg(test)]
#[path = "missing_tests.rs"]
mod tests;
