//! A remote secret (or version, or `find` match) is missing: what the reconcile does and reports. The
//! Secret keeps its data unless [`decide_deletion`] says every remote secret is confirmed deleted and
//! the grace period is over; then it is deleted only under the checked Secret's preconditions, and each
//! answer of the API server to that delete has its outcome decided here too.

use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::RemoteDeletion;
use crate::core::deletion::{DeletionDecision, DeletionInputs, Preconditions, decide_deletion};
use crate::core::reason::{Reason, SyncError};
use crate::core::report::Outcome;

/// What to do about a missing remote secret.
#[derive(Debug, Clone, PartialEq)]
pub enum MissingPlan {
    /// Report this; the Secret is not touched.
    Report(Outcome),
    /// Delete the target Secret under these preconditions, then report the outcome for the answer.
    Delete(Box<DeletePlan>),
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
    match decide_deletion(inputs) {
        DeletionDecision::Keep(why) => {
            MissingPlan::Report(keep(error, &why, inputs.target.is_some()))
        }
        DeletionDecision::StartGrace => reported(
            format!(
                "{service} confirms remote secret(s) {gone} deleted; the Secret is deleted \
                 (deletionPolicy Delete) if that still holds after {:?}",
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
                "{service} confirms remote secret(s) {gone} deleted; the Secret is deleted \
                 (deletionPolicy Delete) if that still holds in {}s",
                left.as_secs()
            ),
            inputs.pending.cloned(),
            Some(left),
        ),
        DeletionDecision::Delete(preconditions) => {
            let why = format!(
                "remote secret(s) {gone} deleted in {service} (confirmed twice, {:?} apart)",
                inputs.grace
            );
            let done = |error: SyncError, deleted: Option<String>| Outcome::Missing {
                error,
                pending: None,
                recheck: None,
                deleted,
            };
            MissingPlan::Delete(Box::new(DeletePlan {
                preconditions,
                deleted: done(
                    SyncError::new(
                        error.reason,
                        format!("Secret {target_name:?} deleted: {why}"),
                    ),
                    Some(why.clone()),
                ),
                already_gone: done(
                    SyncError::new(
                        error.reason,
                        format!("Secret {target_name:?} is already gone: {why}"),
                    ),
                    None,
                ),
                conflict: done(
                    SyncError::new(
                        Reason::TargetConflict,
                        format!(
                            "Secret {target_name:?} was replaced or changed while the deletion of \
                             remote secret(s) {gone} was being confirmed; it was not deleted"
                        ),
                    ),
                    None,
                ),
                why,
            }))
        }
    }
}

#[cfg(test)]
#[path = "missing_tests.rs"]
mod tests;
