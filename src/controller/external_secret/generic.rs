//! Reconciling an ExternalSecret whose target is a generic one (`target.manifest`, a ConfigMap):
//! read the target, ask the core whether it may be written and whether a refresh is due, fetch,
//! compute, and apply the object the core returns under its precondition. Every decision is in
//! [`crate::core::manifest`]; nothing here decides.

use std::sync::Arc;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};

use super::fetch::{Hints, fetch_all};
use super::{interval_of, metadata_of, writer_of};
use crate::api::{ExternalSecret, ExternalSecretSpec};
use crate::controller::context::Context;
use crate::controller::stores::{resolve_for, still_admitted};
use crate::core::manifest::{self, GenericKind};
use crate::core::plan::policy::writes_target;
use crate::core::reason::{Reason, SyncError};
use crate::core::references::References;
use crate::core::refresh::{FORCE_SYNC_ANNOTATION, RefreshDecision, RefreshInputs, decide};
use crate::core::report::Outcome;
use crate::core::target::{self, FIELD_MANAGER};

/// Syncs `spec` (as the store reads it, built with the store's `prefix`) into its generic target.
pub(super) async fn sync(
    es: &ExternalSecret,
    ctx: &Arc<Context>,
    ns: &str,
    spec: &ExternalSecretSpec,
    prefix: &str,
    kind: GenericKind,
) -> Result<Outcome, SyncError> {
    let GenericKind::ConfigMap = kind;
    let writer = writer_of(es, ns);
    let name = target::target_name(&writer, &spec.target);
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), ns);
    let writes = writes_target(spec.target.creation_policy);
    let existing = if writes {
        api.get_opt(&name)
            .await
            .map_err(|e| SyncError::kubernetes(&format!("reading ConfigMap {name:?}"), e))?
    } else {
        None
    };
    manifest::check_config_map(&writer, spec, existing.as_ref().map(|c| &c.metadata))?;
    still_admitted(&ctx.client, &ctx.stores, ns, &spec.secret_store_ref).await?;
    let intact = existing
        .as_ref()
        .filter(|c| manifest::digest_matches(c, &ctx.digest_key));
    let (interval, _) = interval_of(es, ctx);
    let windows = crate::core::sync_window::parse(spec.sync_windows.as_ref())?;
    let refresh = RefreshInputs {
        now: Timestamp::now(),
        generation: es.metadata.generation,
        status: es.status.as_ref(),
        force_sync: es
            .annotations()
            .get(FORCE_SYNC_ANNOTATION)
            .map(String::as_str),
        interval,
        policy: spec.refresh_policy,
        metadata_changed: spec.refresh_policy == crate::api::RefreshPolicy::OnChange
            && es
                .status
                .as_ref()
                .and_then(|s| s.observed_metadata.as_deref())
                .is_some_and(|seen| seen != metadata_of(es)),
        target_in_sync: intact.is_some() || !writes,
        newer_version_seen: false,
        remote_changed: false,
        windows: windows.as_ref(),
    };
    match decide(&refresh) {
        RefreshDecision::UpToDate(after) => return Ok(Outcome::UpToDate(after)),
        RefreshDecision::OutsideWindow(after) => return Ok(Outcome::OutsideWindow(after)),
        RefreshDecision::Fetch | RefreshDecision::Due => {}
    }
    let store = resolve_for(
        &ctx.client,
        &ctx.stores,
        ns,
        &spec.secret_store_ref,
        &ctx.options.tenancy,
    )
    .await?;
    if store.prefix != prefix {
        return Err(SyncError::new(
            Reason::StoreNotReady,
            "the store's prefix changed while this ExternalSecret was being read; retrying",
        ));
    }
    crate::core::service_refs::check(spec, store.config.service)?;
    let sc = ctx.provider.client(&store.id, &store.config).await;
    let refs = References::of(spec);
    // A missing remote secret keeps the ConfigMap as it is: generic targets are never deleted on a
    // remote deletion (the failure is reported, `SecretNotFound`).
    let mut fetched = fetch_all(&ctx.provider, &sc, spec, &refs, &Hints::default()).await?;
    fetched.template_sources = super::template_sources::read(ctx, ns, spec).await?;
    let desired = crate::core::desired::compute(spec, &fetched)?;
    if !writes {
        return Ok(Outcome::ReadOnly {
            versions: desired.synced_versions.len(),
        });
    }
    let meta = existing.as_ref().map(|c| &c.metadata);
    let cm =
        manifest::desired_config_map(&writer, spec, &desired, &ctx.digest_key, &es.metadata, meta)?;
    let write = manifest::needs_write(existing.as_ref(), &cm);
    if write {
        let params = PatchParams::apply(FIELD_MANAGER).force();
        api.patch(&name, &params, &Patch::Apply(&cm))
            .await
            .map_err(|e| match e {
                kube::Error::Api(s) => {
                    manifest::write_failed(s.code, &s.message, existing.is_some(), &name)
                        .unwrap_or_else(|| {
                            SyncError::kubernetes(
                                &format!("writing ConfigMap {name:?}"),
                                kube::Error::Api(s),
                            )
                        })
                }
                e => SyncError::kubernetes(&format!("writing ConfigMap {name:?}"), e),
            })?;
    }
    Ok(Outcome::Synced {
        wrote: write,
        created: existing.is_none(),
        refreshed: true,
        synced_versions: desired.synced_versions,
        rollout: None,
        source: Some(store.source(sc.serving_region())),
    })
}
