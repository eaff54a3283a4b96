//! What the target looks like before any AWS call: read (or taken from the verified cache) and
//! checked against the ownership rule. A Secret target here; a generic one in [`super::generic`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

use super::generic::Generic;
use super::recorded_gone;
use crate::api::{ExternalSecret, ExternalSecretSpec};
use crate::controller::context::Context;
use crate::core::plan::policy::writes_target;
use crate::core::plan::write::may_assume_absent;
use crate::core::reason::SyncError;
use crate::core::target::{self, Writer};

/// The target as the reconcile found it, before any AWS call.
pub(super) struct TargetSeen {
    /// The target Secret as checked (without data while only the verified cache's copy is known).
    pub existing: Option<Secret>,
    /// A generic target (`target.manifest`): its kind, API and object.
    pub generic: Option<Generic>,
    /// The first write creates the target without a GET (see `may_assume_absent`).
    pub assumed_absent: bool,
    /// The target's data is known (not only the verified cache's copy without data).
    pub has_data: bool,
    /// The versions the intact target records.
    pub recorded: Option<BTreeMap<String, String>>,
    /// The target holds what was last written, or none is written (creationPolicy None).
    pub in_sync: bool,
    /// The ownership rule's answer (refused targets cost no AWS call).
    pub check: Result<(), SyncError>,
}

/// Reads the target Secret (from the verified cache when it is intact, without a GET on a first
/// sync whose target is in no cache) and checks that this ExternalSecret may write it.
pub(super) async fn secret(
    es: &ExternalSecret,
    ctx: &Context,
    ns: &str,
    spec: &ExternalSecretSpec,
    writer: &Writer,
    target_name: &str,
) -> Result<TargetSeen, SyncError> {
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    // creationPolicy None reads and writes no Secret: the target is never looked at.
    let writes = writes_target(spec.target.creation_policy);
    // An intact Secret (unchanged in the watch cache since it was last verified) needs no GET.
    ctx.managed_secrets_synced().await;
    let cached = ctx.verified_secret(ns, target_name).filter(|_| writes);
    let verified = cached.is_some();
    // A first sync whose target is in no cache is created without a GET: the write's precondition
    // fails if a Secret exists after all, and that Secret is then read and checked.
    let assumed_absent = may_assume_absent(
        cached.is_some(),
        es.status.is_none(),
        spec.target.creation_policy,
        ctx.managed_secret_absent(ns, target_name),
    );
    let existing = match cached {
        Some(s) => Some(s),
        None if assumed_absent || !writes => None,
        None => secrets
            .get_opt(target_name)
            .await
            .map_err(|e| SyncError::kubernetes("reading the target Secret", e))?,
    };
    let intact = existing
        .as_ref()
        .filter(|s| verified || target::digest_matches(s, &ctx.digest_key));
    if !verified && let Some(s) = intact {
        ctx.secret_verified(s);
    }
    let check = target::check_target_with(
        writer,
        &spec.target,
        existing.as_ref(),
        recorded_gone(ctx, writer, existing.as_ref()),
    );
    Ok(TargetSeen {
        recorded: intact.map(target::recorded_versions),
        in_sync: intact.is_some() || !writes,
        existing,
        generic: None,
        assumed_absent,
        has_data: !verified,
        check,
    })
}
