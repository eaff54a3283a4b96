//! Reconciling an ExternalSecret whose target is a generic one (`target.manifest`: a ConfigMap or
//! any namespaced kind): discover the kind, read the target, ask the core whether it may be written,
//! then walk the same steps as a Secret target up to the values (change detection first, so an idle
//! refresh reads nothing), and apply the object the core returns under its precondition. Every
//! decision is in [`crate::core::manifest`] and [`crate::core::plan::steps`]; nothing here decides.

use std::sync::Arc;

use jiff::Timestamp;
use kube::ResourceExt;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::runtime::reflector::ObjectRef;

use super::detect::detect;
use super::fetch::{Hints, fetch_all};
use super::run::resolve_store;
use super::{interval_of, metadata_of, not_resolved, writer_of};
use crate::api::{ExternalSecret, ExternalSecretSpec};
use crate::controller::context::Context;
use crate::controller::stores::{ResolvedStore, still_admitted};
use crate::core::desired::DesiredData;
use crate::core::manifest::{self, GenericTarget, object};
use crate::core::plan::policy::writes_target;
use crate::core::plan::steps::{Detection, Progress, Step, Values, next_step};
use crate::core::reads::read_plan::Announced;
use crate::core::reason::{Reason, SyncError};
use crate::core::references::References;
use crate::core::refresh::{FORCE_SYNC_ANNOTATION, RefreshInputs, before_fetch};
use crate::core::report::Outcome;
use crate::core::target::{self, FIELD_MANAGER};
use crate::provider::StoreClient;

/// Syncs `spec` (as the store reads it, built with the store's `prefix`) into its generic target.
pub(super) async fn sync(
    es: &ExternalSecret,
    ctx: &Arc<Context>,
    ns: &str,
    spec: &ExternalSecretSpec,
    prefix: &str,
    kind: GenericTarget,
) -> Result<Outcome, SyncError> {
    let (resource, found) = ctx.kinds.resolve(&ctx.client, &kind).await?;
    manifest::admit_discovered(&kind, found)?;
    let resource = resource.ok_or_else(not_resolved)?;
    let writer = writer_of(es, ns);
    let name = target::target_name(&writer, &spec.target);
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &resource);
    let writes = writes_target(spec.target.creation_policy);
    let existing = if writes {
        api.get_opt(&name).await.map_err(|e| match e {
            kube::Error::Api(s) => {
                manifest::read_failed(s.code, &kind.kind, &name).unwrap_or_else(|| {
                    SyncError::kubernetes(
                        &format!("reading {} {name:?}", kind.kind),
                        kube::Error::Api(s),
                    )
                })
            }
            e => SyncError::kubernetes(&format!("reading {} {name:?}", kind.kind), e),
        })?
    } else {
        None
    };
    manifest::check_object(
        &writer,
        spec,
        &kind.kind,
        existing.as_ref().map(|o| &o.metadata),
    )?;
    still_admitted(&ctx.client, &ctx.stores, ns, &spec.secret_store_ref).await?;
    let templated = spec.target.template.is_some();
    let intact = existing
        .as_ref()
        .filter(|o| object::digest_matches(o, &kind, templated, &ctx.digest_key));
    let recorded = intact.map(object::recorded_versions);
    let previous = es
        .status
        .as_ref()
        .map(|s| s.synced_versions.clone())
        .unwrap_or_default();
    let store_id = crate::controller::store_id_of(es);
    let me = ObjectRef::from_obj(es);
    let pending = ctx.remote_change_pending(&me);
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
        newer_version_seen: ctx.newer_version_seen(&store_id, &previous),
        remote_changed: pending.is_some(),
        windows: windows.as_ref(),
    };
    let refs = References::of(spec);
    let announced = pending.map(|p| Announced {
        by_event: p.by_event,
    });
    let mut progress = Progress::start(
        before_fetch(Ok(()), &refresh, &previous, recorded.as_ref()),
        announced,
        refs.has_find(),
        true,
    );
    progress.cluster_templates =
        crate::core::go_template::reads_cluster_objects(spec.target.template.as_ref());
    // The steps stop at the values (Done); the generic object is composed and written below.
    progress.writes_target = false;
    let mut resolved: Option<(ResolvedStore, StoreClient)> = None;
    let mut hints = Hints::default();
    let mut desired: Option<DesiredData> = None;
    let mut _slot = None;
    loop {
        let step = next_step(&progress);
        tracing::debug!(object = %me, ?step, "next step (generic target)");
        if step.settles_announcement() {
            ctx.remote_change_handled(&me, pending);
        }
        match step {
            Step::Refuse(e) | Step::Fail(e) | Step::HandleMissing(e) => return Err(e),
            Step::UpToDate(after) => return Ok(Outcome::UpToDate(after)),
            Step::Later(after) => return Ok(Outcome::UpToDate(Some(after))),
            Step::OutsideWindow(after) => return Ok(Outcome::OutsideWindow(after)),
            // The object already holds these versions (an earlier status write was lost).
            Step::ResumeRollout(current) => {
                return Ok(Outcome::Synced {
                    wrote: false,
                    created: false,
                    refreshed: false,
                    synced_versions: current,
                    rollout: None,
                    source: None,
                });
            }
            Step::ResolveStore => {
                resolved = Some(resolve_store(ctx, ns, spec, prefix, &refs).await?);
                progress.store_resolved = true;
            }
            Step::TakeSlot => {
                _slot = ctx.periodic.clone().try_acquire_owned().ok();
                progress.slot = Some(_slot.is_some());
            }
            Step::Detect => {
                let (store, sc) = resolved.as_ref().ok_or_else(not_resolved)?;
                let d = detect(ctx, sc, store, ns, spec, &previous, interval).await;
                progress.detection = Some(Detection {
                    later: d.later,
                    unchanged: d.unchanged,
                });
                hints = d.hints;
            }
            Step::Confirm => {
                let (store, sc) = resolved.as_ref().ok_or_else(not_resolved)?;
                return Ok(Outcome::Confirmed {
                    source: store.source(sc.serving_region()),
                });
            }
            Step::ReadValues => {
                let (_, sc) = resolved.as_ref().ok_or_else(not_resolved)?;
                // A missing remote secret keeps the object as it is: generic targets are never
                // deleted on a remote deletion (the failure is reported, `SecretNotFound`).
                let computed = async {
                    let mut fetched = fetch_all(&ctx.provider, sc, spec, &refs, &hints).await?;
                    fetched.template_sources = super::template_sources::read(ctx, ns, spec).await?;
                    crate::core::desired::compute(spec, &fetched)
                }
                .await;
                progress.values = Some(match computed {
                    Ok(d) => {
                        desired = Some(d);
                        Values::Computed
                    }
                    Err(e) if e.reason == Reason::SecretNotFound => Values::Missing(e),
                    Err(e) => Values::Failed(e),
                });
            }
            Step::Done => break,
            Step::CheckReplicas
            | Step::ReadTarget
            | Step::Compose
            | Step::Apply
            | Step::Restart => {
                return Err(not_resolved());
            }
        }
    }
    let (store, sc) = resolved.as_ref().ok_or_else(not_resolved)?;
    let desired = desired.ok_or_else(not_resolved)?;
    ctx.versions_read(&me, &store_id, &previous, &desired.synced_versions);
    if !writes {
        return Ok(Outcome::ReadOnly {
            versions: desired.synced_versions.len(),
        });
    }
    let meta = existing.as_ref().map(|o| &o.metadata);
    let obj = object::desired_object(
        &writer,
        spec,
        &kind,
        &desired,
        &ctx.digest_key,
        &es.metadata,
        meta,
    )?;
    let at = object::values_field(&kind, templated);
    let write = object::needs_write(existing.as_ref(), &obj, at);
    if write {
        let what = format!("writing {} {name:?}", kind.kind);
        let params = PatchParams::apply(FIELD_MANAGER).force();
        api.patch(&name, &params, &Patch::Apply(&obj))
            .await
            .map_err(|e| match e {
                kube::Error::Api(s) => {
                    if s.code == 404 {
                        ctx.kinds.forget(&kind);
                    }
                    manifest::write_failed(
                        s.code,
                        &s.message,
                        existing.is_some(),
                        &kind.kind,
                        &name,
                    )
                    .unwrap_or_else(|| SyncError::kubernetes(&what, kube::Error::Api(s)))
                }
                e => SyncError::kubernetes(&what, e),
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
