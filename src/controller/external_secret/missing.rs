//! A remote secret is missing: the shell asks the service to confirm the deletion, asks
//! [`plan_missing`] what that means, and deletes the target Secret (or removes this ExternalSecret's
//! keys from it) only when told to, under the checked Secret's preconditions.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams};

use crate::api::ExternalSecret;
use crate::controller::context::Context;
use crate::core::deletion::{DeletionInputs, ObservedTarget};
use crate::core::deletion_stores::{StoreAnswer, across_stores};
use crate::core::desired::DesiredData;
use crate::core::plan::missing::{
    MissingFacts, MissingPlan, RemoveKeysPlan, before_confirming, plan_missing,
};
use crate::core::reason::SyncError;
use crate::core::report::Outcome;
use crate::core::target::{self, FIELD_MANAGER, Writer};

/// What the missing-remote step knows about the target besides the ExternalSecret.
pub(super) struct TargetNow<'a> {
    /// The Secrets of the namespace.
    pub secrets: &'a Api<Secret>,
    /// Its name.
    pub name: &'a str,
    /// The ExternalSecret as its writer.
    pub writer: &'a Writer,
    /// The Secret as checked (None: there is none).
    pub existing: Option<&'a Secret>,
    /// The versions the intact Secret records (None: not intact, or not known).
    pub recorded: Option<&'a std::collections::BTreeMap<String, String>>,
    /// The whole spec (its target's policies decide).
    pub spec: &'a crate::api::ExternalSecretSpec,
}

/// One store asked to confirm the deletion of its entries' remote secrets.
pub(super) struct Asked<'a> {
    /// Its client; None: not resolved, so it cannot be asked (never a deletion).
    pub sc: Option<&'a crate::provider::StoreClient>,
    /// Its part of the spec as it reads it (with its prefix), whose references are confirmed.
    pub spec: &'a crate::api::ExternalSecretSpec,
    /// Its part of `status.syncedVersions`, keyed as it names them.
    pub previous: &'a std::collections::BTreeMap<String, String>,
    /// Its `syncedVersions` label (None: the default store).
    pub label: Option<&'a str>,
    /// It is the store the Secret was synced from.
    pub same_source: bool,
}

/// A remote secret (or version, or find match) is missing. The Secret keeps its data unless the
/// deletion rule says every remote secret of every store is confirmed deleted by its own store and
/// the grace period is over.
pub(super) async fn missing(
    es: &ExternalSecret,
    ctx: &Context,
    stores: &[Asked<'_>],
    target: TargetNow<'_>,
    error: SyncError,
) -> Outcome {
    let TargetNow {
        secrets,
        name: target_name,
        existing,
        recorded,
        writer,
        spec,
    } = target;
    // An intact Secret recording no version holds none of this ExternalSecret's keys any more.
    let keys_left = recorded.is_none_or(|r| !r.is_empty());
    let mut answers = Vec::new();
    for s in stores {
        let exists = existing.is_some();
        let names = match before_confirming(s.spec, s.previous, exists, keys_left, &error) {
            Ok(names) => names,
            Err(outcome) => return *outcome,
        };
        let remote = match s.sc {
            Some(_) if names.is_empty() => Some(Vec::new()),
            Some(sc) => Some(ctx.provider.confirm_deleted(sc, &names).await),
            None => None,
        };
        answers.push(StoreAnswer {
            label: s.label.map(String::from),
            remote,
            same_source: s.same_source,
        });
    }
    let (remote, same_source) = across_stores(&answers);
    let names: Vec<String> = remote.iter().map(|(n, _)| n.clone()).collect();
    let service = match stores {
        [one] => one.sc.map_or("the store", |sc| sc.service_name()),
        _ => "every store",
    };
    let status = es.status.as_ref();
    // The Secret that was checked, before the (possibly slow) confirmation: only this very Secret,
    // unchanged since, may be deleted.
    let observed = existing.map(|s| ObservedTarget {
        uid: s.metadata.uid.clone(),
        resource_version: s.metadata.resource_version.clone(),
    });
    let inputs = DeletionInputs {
        deletion_policy: spec.target.deletion_policy,
        creation_policy: spec.target.creation_policy,
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
        service,
        target_name,
    };
    let delete = match plan_missing(&inputs, facts) {
        MissingPlan::Report(outcome) => return outcome,
        MissingPlan::RemoveKeys(plan) => return remove_keys(es, ctx, secrets, writer, &plan).await,
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

/// Removes this ExternalSecret's keys from the target Secret (`deletionPolicy: Merge`): the Secret is
/// read again (for the keys this field manager owns), and applied without them under the checked
/// resourceVersion, keeping its labels, annotations, ownership and every key another writer owns.
async fn remove_keys(
    es: &ExternalSecret,
    ctx: &Context,
    secrets: &Api<Secret>,
    writer: &Writer,
    plan: &RemoveKeysPlan,
) -> Outcome {
    let name = plan.target_name.as_str();
    let fresh = match secrets.get_opt(name).await {
        Ok(Some(s)) => s,
        Ok(None) => return plan.nothing_left.clone(),
        Err(e) => return Outcome::Failed(SyncError::kubernetes("reading the target Secret", e)),
    };
    let checked = &plan.preconditions;
    if fresh.metadata.uid.as_deref() != Some(checked.uid.as_str())
        || fresh.metadata.resource_version.as_deref() != Some(checked.resource_version.as_str())
    {
        return plan.conflict.clone();
    }
    let keys: Vec<String> = target::owned_data_keys(&fresh, FIELD_MANAGER)
        .into_iter()
        .collect();
    if keys.is_empty() {
        return plan.nothing_left.clone();
    }
    let empty = DesiredData {
        rendered_metadata: None,
        data: Default::default(),
        synced_versions: Default::default(),
    };
    let mut without = target::desired_secret(
        writer,
        &es.spec.target,
        &empty,
        &ctx.digest_key,
        Some(&fresh),
    );
    without.metadata.resource_version = Some(checked.resource_version.clone());
    let params = PatchParams::apply(FIELD_MANAGER).force();
    match secrets.patch(name, &params, &Patch::Apply(&without)).await {
        Ok(written) => {
            ctx.secret_verified(&written);
            tracing::info!(namespace = %es.namespace().unwrap_or_default(), secret = %name, keys = ?keys, reason = %plan.why, "removed this ExternalSecret's keys from the target Secret (deletionPolicy Merge)");
            plan.removed(keys)
        }
        Err(kube::Error::Api(s)) if s.code == 409 || s.code == 404 => plan.conflict.clone(),
        Err(e) => Outcome::Failed(SyncError::kubernetes(
            "removing keys from the target Secret",
            e,
        )),
    }
}
