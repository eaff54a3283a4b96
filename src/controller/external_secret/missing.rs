//! A remote secret is missing: the shell asks the service to confirm the deletion, asks
//! [`plan_missing`] what that means, and deletes the target Secret only when told to, under the checked
//! Secret's preconditions.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams};

use crate::api::ExternalSecret;
use crate::controller::context::Context;
use crate::core::deletion::{DeletionInputs, ObservedTarget, to_confirm};
use crate::core::plan::missing::{MissingFacts, MissingPlan, keep, plan_missing};
use crate::core::reason::SyncError;
use crate::core::report::Outcome;

/// A remote secret (or version, or find match) is missing. The Secret keeps its data unless the
/// deletion rule says every remote secret is confirmed deleted and the grace period is over.
#[allow(clippy::too_many_arguments)]
pub(super) async fn missing(
    es: &ExternalSecret,
    ctx: &Context,
    sc: &crate::provider::StoreClient,
    secrets: &Api<Secret>,
    target_name: &str,
    existing: Option<&Secret>,
    previous: &std::collections::BTreeMap<String, String>,
    same_source: bool,
    error: SyncError,
) -> Outcome {
    let names = match to_confirm(&es.spec, previous, existing.is_some()) {
        Ok(names) => names,
        Err(why) => return keep(&error, &why, existing.is_some()),
    };
    let remote = ctx.provider.confirm_deleted(sc, &names).await;
    let status = es.status.as_ref();
    // The Secret that was checked, before the (possibly slow) confirmation: only this very Secret,
    // unchanged since, may be deleted.
    let observed = existing.map(|s| ObservedTarget {
        uid: s.metadata.uid.clone(),
        resource_version: s.metadata.resource_version.clone(),
    });
    let inputs = DeletionInputs {
        deletion_policy: es.spec.target.deletion_policy,
        creation_policy: es.spec.target.creation_policy,
        target: observed.as_ref(),
        remote: &remote,
        spec_changed: status.and_then(|s| s.observed_generation) != es.metadata.generation,
        same_source,
        generation: es.metadata.generation,
        pending: status.and_then(|s| s.remote_deletion.as_ref()),
        now: Timestamp::now(),
        grace: ctx.options.deletion_grace_period,
    };
    let facts = MissingFacts {
        error: &error,
        names: &names,
        service: sc.service_name(),
        target_name,
    };
    let delete = match plan_missing(&inputs, facts) {
        MissingPlan::Report(outcome) => return outcome,
        MissingPlan::Delete(delete) => delete,
    };
    let params = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            uid: Some(delete.preconditions.uid),
            resource_version: Some(delete.preconditions.resource_version),
        }),
        ..DeleteParams::default()
    };
    match secrets.delete(target_name, &params).await {
        Ok(_) => {
            tracing::info!(namespace = %es.namespace().unwrap_or_default(), secret = %target_name, reason = %delete.why, "deleted the target Secret (deletionPolicy Delete)");
            delete.deleted
        }
        Err(kube::Error::Api(s)) if s.code == 404 => delete.already_gone,
        Err(kube::Error::Api(s)) if s.code == 409 => delete.conflict,
        Err(e) => Outcome::Failed(SyncError::kubernetes("deleting the target Secret", e)),
    }
}
