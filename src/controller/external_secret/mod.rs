//! Reconciling one ExternalSecret: decide, fetch, compute, write, report.

mod detect;
mod failover;
mod fetch;
mod missing;
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::reflector::ObjectRef;

use self::detect::detect;
use self::fetch::{Hints, fetch_all};
use self::missing::missing;
use super::context::{Context, random_unit};
use super::rollout::roll_out;
use super::stores::resolve_for;
use crate::api::ExternalSecret;
use crate::core::failover::parameters::answered_by_failover;
use crate::core::plan::requeue::{self, Requeue};
use crate::core::plan::steps::{Detection, Progress, Step, next_step};
use crate::core::plan::write::{may_assume_absent, plan_write, write_failed};
use crate::core::reads::read_plan::Announced;
use crate::core::reason::{Reason, SyncError};
use crate::core::references::References;
use crate::core::refresh::{
    FORCE_SYNC_ANNOTATION, RefreshInputs, before_fetch, effective_interval,
};
use crate::core::report::{Facts, Outcome};
use crate::core::target::{self, FIELD_MANAGER, Writer};
use crate::core::{backoff, desired, duration};

pub use super::error::Error;

/// The refresh interval in effect: the spec's, raised to the controller's floor.
pub(super) fn interval_of(es: &ExternalSecret, ctx: &Context) -> (Duration, bool) {
    let requested = duration::parse(&es.spec.refresh_interval).unwrap_or(Duration::ZERO);
    effective_interval(requested, ctx.options.min_refresh_interval)
}

/// Reconciles one ExternalSecret.
pub async fn reconcile(es: Arc<ExternalSecret>, ctx: Arc<Context>) -> Result<Action, Error> {
    let started = Instant::now();
    let es = ctx.with_written_status(es);
    let ns = es.namespace().unwrap_or_default();
    let name = es.name_any();
    let me = ObjectRef::from_obj(es.as_ref());
    let outcome = sync(&es, &ctx, &ns).await;
    let (interval, _) = interval_of(&es, &ctx);
    let next = requeue::next(&outcome, interval);
    self::report::report(&es, &ctx, &ns, &name, facts_of(&es, &ctx, &ns), outcome).await?;
    ctx.metrics
        .reconcile_duration
        .with_label_values(&["ExternalSecret"])
        .observe(started.elapsed().as_secs_f64());
    Ok(action_of(next, &ctx, &me))
}

/// Carries out [`requeue::next`]'s answer: resets or counts failures, and draws the jitter.
fn action_of(next: requeue::Next, ctx: &Context, me: &ObjectRef<ExternalSecret>) -> Action {
    if next.succeeded {
        ctx.record_success(me);
    }
    match next.requeue {
        Requeue::AwaitChange => Action::await_change(),
        Requeue::Spread(d) => {
            Action::requeue(duration::jitter(d, 0.1, random_unit()).max(requeue::MIN_REQUEUE))
        }
        Requeue::SpreadUp(d) => {
            Action::requeue(duration::jitter_up(d, 0.1, random_unit()).max(requeue::MIN_REQUEUE))
        }
        Requeue::Exactly(d) => Action::requeue(d),
        Requeue::Backoff => Action::requeue(backoff::delay(ctx.record_failure(me), random_unit())),
    }
}

async fn sync(es: &ExternalSecret, ctx: &Arc<Context>, ns: &str) -> Outcome {
    match try_sync(es, ctx, ns).await {
        Ok(o) => o,
        Err(e) => Outcome::Failed(e),
    }
}

/// The rollout's view of the Secret this ExternalSecret holds in place now, with its record.
fn written_record(
    es: &ExternalSecret,
    name: &str,
    record: std::collections::BTreeMap<String, String>,
) -> crate::core::rollout::ManagedSecret {
    crate::core::rollout::ManagedSecret {
        name: name.to_string(),
        record,
        listed: super::rollout::listed_targets(es),
        // The Secret's annotations come from the template's metadata.
        reloader_ignore: es
            .spec
            .target
            .template
            .as_ref()
            .and_then(|t| t.metadata.as_ref())
            .is_some_and(|m| crate::core::rollout::reloader_ignored(&m.annotations)),
    }
}

/// The digest of the ExternalSecret's labels and annotations (`status.observedMetadata`).
fn metadata_of(es: &ExternalSecret) -> String {
    crate::core::refresh::metadata_digest(es.labels(), es.annotations())
}

/// The identity of the ExternalSecret as the writer of its target Secret.
fn writer_of(es: &ExternalSecret, ns: &str) -> Writer {
    Writer {
        name: es.name_any(),
        namespace: ns.to_string(),
        uid: es.uid().unwrap_or_default(),
    }
}

/// What the report needs to know about the ExternalSecret besides its status and the outcome.
fn facts_of(es: &ExternalSecret, ctx: &Context, ns: &str) -> Facts {
    let (_, raised) = interval_of(es, ctx);
    Facts {
        generation: es.metadata.generation,
        refresh_policy: es.spec.refresh_policy,
        force: es.annotations().get(FORCE_SYNC_ANNOTATION).cloned(),
        metadata: metadata_of(es),
        target_name: target::target_name(&writer_of(es, ns), &es.spec.target),
        interval_raised: raised.then(|| {
            format!(
                "refreshInterval {:?} is below the controller's minimum; refreshing every {:?}",
                es.spec.refresh_interval, ctx.options.min_refresh_interval
            )
        }),
        now: Time(Timestamp::now()),
    }
}

async fn try_sync(es: &ExternalSecret, ctx: &Arc<Context>, ns: &str) -> Result<Outcome, SyncError> {
    let spec = &es.spec;
    desired::validate_spec(spec)?;
    let writer = writer_of(es, ns);
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    let target_name = target::target_name(&writer, &spec.target);
    // An intact Secret (unchanged in the watch cache since it was last verified) needs no GET.
    ctx.managed_secrets_synced().await;
    let cached = ctx.verified_secret(ns, &target_name);
    let verified = cached.is_some();
    // A first sync whose target is in no cache is created without a GET: the write's precondition
    // fails if a Secret exists after all, and that Secret is then read and checked.
    let assumed_absent = may_assume_absent(
        cached.is_some(),
        es.status.is_none(),
        spec.target.creation_policy,
        ctx.managed_secret_absent(ns, &target_name),
    );
    let mut existing = match cached {
        Some(s) => Some(s),
        None if assumed_absent => None,
        None => secrets
            .get_opt(&target_name)
            .await
            .map_err(|e| SyncError::kubernetes("reading the target Secret", e))?,
    };
    let (interval, _) = interval_of(es, ctx);
    let previous = es
        .status
        .as_ref()
        .map(|s| s.synced_versions.clone())
        .unwrap_or_default();
    let store_id = super::store_id_of(es);
    let me = ObjectRef::from_obj(es);
    let pending = ctx.remote_change_pending(&me);
    let intact = existing
        .as_ref()
        .filter(|s| verified || target::digest_matches(s, &ctx.digest_key));
    if !verified && let Some(s) = intact {
        ctx.secret_verified(s);
    }
    let recorded = intact.map(target::recorded_versions);
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
        // Only OnChange reads it: no digest on the other policies' reconciles.
        metadata_changed: spec.refresh_policy == crate::api::RefreshPolicy::OnChange
            && es
                .status
                .as_ref()
                .and_then(|s| s.observed_metadata.as_deref())
                .is_some_and(|seen| seen != metadata_of(es)),
        target_in_sync: intact.is_some(),
        newer_version_seen: ctx.newer_version_seen(&store_id, &previous),
        remote_changed: pending.is_some(),
    };
    // Ownership first: a refused target costs no AWS call.
    let check = target::check_target_with(
        &writer,
        &spec.target,
        existing.as_ref(),
        recorded_gone(ctx, &writer, existing.as_ref()),
    );
    let announced = pending.map(|p| Announced {
        by_event: p.by_event,
    });
    // What the spec references, computed once for the steps, the store's index and the fetch.
    let refs = References::of(spec);
    let mut progress = Progress::start(
        before_fetch(check, &refresh, &previous, recorded.as_ref()),
        announced,
        refs.has_find(),
    );
    // The periodic slot, held until the refresh ends (dropped with it).
    let mut _slot = None;
    let mut resolved = None;
    let mut hints = Hints::default();
    // Ask the core what to do next, do it, record the answer: until the values are to be read.
    let (store, sc) = loop {
        let step = next_step(&progress);
        if step.settles_announcement() {
            ctx.remote_change_handled(&me, pending);
        }
        match step {
            Step::Refuse(e) => return Err(e),
            Step::UpToDate(after) => return Ok(Outcome::UpToDate(after)),
            Step::Later(after) => return Ok(Outcome::UpToDate(Some(after))),
            Step::ResumeRollout(current) => {
                let written = written_record(es, &target_name, recorded.unwrap_or_default());
                let report = roll_out(ctx, ns, written).await?;
                return Ok(Outcome::Synced {
                    wrote: false,
                    created: false,
                    refreshed: false,
                    synced_versions: current,
                    rollout: Some(report),
                    source: None,
                });
            }
            Step::ResolveStore => {
                let store = resolve_for(
                    &ctx.client,
                    &ctx.stores,
                    ns,
                    &spec.secret_store_ref,
                    &ctx.options.tenancy,
                )
                .await?;
                crate::core::service_refs::check(spec, store.config.service)?;
                let sc = ctx.provider.client(&store.id, &store.config).await;
                // Every reader is known to the store's index from its first sync on: the shared
                // listing covers it and announces its changes, whatever its own interval.
                let (names, finds) = self::detect::references(&refs);
                ctx.provider.detection_facts(&sc, &names, &finds);
                resolved = Some((store, sc));
                progress.store_resolved = true;
            }
            Step::TakeSlot => {
                _slot = ctx.periodic.clone().try_acquire_owned().ok();
                progress.slot = Some(_slot.is_some());
            }
            Step::Detect => {
                let Some((store, sc)) = &resolved else {
                    return Err(not_resolved());
                };
                let d = detect(ctx, sc, store, ns, spec, &previous, interval).await;
                if !d.later {
                    self::failover::report_region_switches(ctx, es, sc);
                }
                progress.detection = Some(Detection {
                    later: d.later,
                    unchanged: d.unchanged,
                });
                hints = d.hints;
            }
            Step::Confirm => {
                let Some((store, sc)) = &resolved else {
                    return Err(not_resolved());
                };
                return Ok(Outcome::Confirmed {
                    source: store.source(sc.serving_region()),
                });
            }
            Step::ReadValues => match resolved.take() {
                Some(r) => break r,
                None => return Err(not_resolved()),
            },
        }
    };
    let fetched = fetch_all(&ctx.provider, &sc, spec, &refs, &hints).await;
    self::failover::report_region_switches(ctx, es, &sc);
    let failover_region = fetched
        .as_ref()
        .ok()
        .and_then(answered_by_failover)
        .map(String::from);
    let computed = match fetched {
        Ok(fetched) => desired::compute(spec, &fetched),
        Err(e) => Err(e),
    };
    let mut desired = match computed {
        Ok(d) => d,
        Err(e) if e.reason == Reason::SecretNotFound => {
            let same_source =
                store.same_source(es.status.as_ref().and_then(|s| s.synced_from.as_deref()));
            return Ok(missing(
                es,
                ctx,
                &sc,
                &secrets,
                &target_name,
                existing.as_ref(),
                &previous,
                same_source,
                e,
            )
            .await);
        }
        Err(e) => return Err(e),
    };
    self::failover::replica_guard(ctx, &sc, spec, &previous, &desired.synced_versions).await?;
    if verified {
        // The cached view has no data; comparing with the desired data needs the Secret itself.
        existing =
            read_and_check_target(ctx, &secrets, &writer, &spec.target, &target_name).await?;
    }
    let rotation_base = self::failover::unreplicated_guard(
        &previous,
        &mut desired,
        failover_region,
        existing.as_ref(),
    )?;
    ctx.versions_read(
        &ObjectRef::from_obj(es),
        &store_id,
        &previous,
        &desired.synced_versions,
    );
    let created_by_writer = existing
        .as_ref()
        .is_some_and(|s| target::created_by(&writer, s));
    let desired_secret = target::desired_secret(
        &writer,
        &spec.target,
        &desired,
        &ctx.digest_key,
        created_by_writer,
    );
    let plan = plan_write(
        existing.as_ref(),
        desired_secret,
        &rotation_base,
        &desired.synced_versions,
    );
    if plan.write {
        let result = secrets
            .patch(
                &target_name,
                &PatchParams::apply(FIELD_MANAGER).force(),
                &Patch::Apply(&plan.secret),
            )
            .await;
        if assumed_absent
            && let Err(kube::Error::Api(s)) = &result
            && s.code == 409
        {
            // It existed after all: say exactly why it is not written.
            read_and_check_target(ctx, &secrets, &writer, &spec.target, &target_name).await?;
        }
        let written = result.map_err(|e| match e {
            kube::Error::Api(s) => {
                match write_failed(s.code, &s.message, !plan.creates, &target_name) {
                    Some(e) => e,
                    None => SyncError::kubernetes(
                        &format!("writing Secret {target_name:?}"),
                        kube::Error::Api(s),
                    ),
                }
            }
            e => SyncError::kubernetes(&format!("writing Secret {target_name:?}"), e),
        })?;
        ctx.secret_verified(&written);
    }
    // Restart only after the new Secret is in place, and only for a real rotation.
    let rollout = if plan.restart {
        let written = written_record(es, &target_name, target::recorded_versions(&plan.secret));
        Some(roll_out(ctx, ns, written).await?)
    } else {
        None
    };
    Ok(Outcome::Synced {
        wrote: plan.write,
        created: plan.creates,
        refreshed: true,
        synced_versions: desired.synced_versions,
        rollout,
        source: Some(store.source(sc.serving_region())),
    })
}

/// A step that needs the store came before it was resolved: never the case with [`next_step`]'s
/// order, reported as a retryable error rather than a panic.
fn not_resolved() -> SyncError {
    SyncError::new(
        Reason::StoreNotReady,
        "internal: the store was not resolved before it was used; retrying",
    )
}

/// Reads the target Secret and checks that this ExternalSecret may write it (the ownership rule).
async fn read_and_check_target(
    ctx: &Context,
    secrets: &Api<Secret>,
    writer: &Writer,
    target: &crate::api::ExternalSecretTarget,
    target_name: &str,
) -> Result<Option<Secret>, SyncError> {
    let found = secrets
        .get_opt(target_name)
        .await
        .map_err(|e| SyncError::kubernetes("reading the target Secret", e))?;
    target::check_target_with(
        writer,
        target,
        found.as_ref(),
        recorded_gone(ctx, writer, found.as_ref()),
    )?;
    Ok(found)
}

/// On an error the reconciler itself returned (status write failed): retry with backoff.
pub fn error_policy(es: Arc<ExternalSecret>, err: &Error, ctx: Arc<Context>) -> Action {
    let key = format!("{}/{}", es.namespace().unwrap_or_default(), es.name_any());
    tracing::warn!(object = %key, error = %err, "reconcile failed");
    let n = ctx.record_failure(&ObjectRef::from_obj(es.as_ref()));
    Action::requeue(backoff::delay(n, random_unit()))
}

/// Whether the other ExternalSecret a Secret's owner annotation names is gone (see
/// [`target::check_target_with`]).
fn recorded_gone(
    ctx: &Context,
    writer: &target::Writer,
    existing: Option<&k8s_openapi::api::core::v1::Secret>,
) -> bool {
    existing
        .and_then(|s| {
            s.metadata
                .annotations
                .as_ref()?
                .get(target::OWNER_ANNOTATION)
        })
        .is_some_and(|other| {
            *other != writer.name && ctx.external_secret_gone(&writer.namespace, other)
        })
}
