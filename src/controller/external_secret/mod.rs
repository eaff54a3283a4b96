//! Reconciling one ExternalSecret: decide, fetch, compute, write, report.

mod detect;
mod failover;
mod fetch;
mod generic;
mod groups;
mod missing;
mod report;
mod run;
mod seen;
mod template_sources;

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::runtime::reflector::ObjectRef;

use self::fetch::Hints;
use self::run::Run;
use super::context::{Context, random_unit};
use super::stores::still_admitted;
use crate::api::ExternalSecret;
use crate::core::plan::policy::writes_target;
use crate::core::plan::requeue::{self, Requeue};
use crate::core::plan::steps::{Progress, next_step};
use crate::core::reads::read_plan::Announced;
use crate::core::reason::{Reason, SyncError};
use crate::core::references::References;
use crate::core::refresh::{
    FORCE_SYNC_ANNOTATION, RefreshInputs, before_fetch, effective_interval,
};
use crate::core::report::{Facts, Outcome};
use crate::core::target::{self, Writer};
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

/// The rollout's view of the Secret this ExternalSecret holds in place now, with its record
/// (`ignore`: Reloader's ignore annotation as named).
pub(super) fn written_record(
    es: &ExternalSecret,
    ignore: &str,
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
            .is_some_and(|m| crate::core::rollout::reloader_ignored(&m.annotations, ignore)),
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
        target_kind: es
            .spec
            .target
            .manifest
            .as_ref()
            .map_or_else(|| "Secret".to_string(), |m| m.kind.clone()),
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
    desired::validate_spec(&es.spec)?;
    // The spec as the store reads it (its `prefix` before every name read by name), used by every
    // step below; the prefix comes from the watch cache and is checked against the resolved store.
    let prefix = super::stores::cached_prefix(&ctx.stores, ns, &es.spec.secret_store_ref);
    let previous = es
        .status
        .as_ref()
        .map(|s| s.synced_versions.clone())
        .unwrap_or_default();
    // Entries naming stores of their own: each store's part is read apart and merged in spec order.
    let primary_prefix = prefix.as_deref().unwrap_or("");
    let (multi, effective) =
        match self::groups::Groups::of(ctx, ns, &es.spec, primary_prefix, &previous)? {
            Some((groups, merged)) => (Some(groups), std::borrow::Cow::Owned(merged)),
            None => (
                None,
                crate::core::prefix::effective(&es.spec, primary_prefix)?,
            ),
        };
    let spec: &crate::api::ExternalSecretSpec = &effective;
    let writer = writer_of(es, ns);
    let target_name = target::target_name(&writer, &spec.target);
    // The target before any AWS call: a Secret, or a generic one once the core admits it.
    let seen = match crate::core::manifest::admit(spec, ctx.options.allow_generic_targets)? {
        Some(kind) => self::generic::seen(ctx, ns, spec, &writer, &target_name, kind).await?,
        None => self::seen::secret(es, ctx, ns, spec, &writer, &target_name).await?,
    };
    let (interval, _) = interval_of(es, ctx);
    let store_id = super::store_id_of(es);
    let me = ObjectRef::from_obj(es);
    let pending = ctx.remote_change_pending(&me);
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
        // Only OnChange reads it: no digest on the other policies' reconciles.
        metadata_changed: spec.refresh_policy == crate::api::RefreshPolicy::OnChange
            && es
                .status
                .as_ref()
                .and_then(|s| s.observed_metadata.as_deref())
                .is_some_and(|seen| seen != metadata_of(es)),
        target_in_sync: seen.in_sync,
        newer_version_seen: ctx.newer_version_seen(&store_id, &previous),
        remote_changed: pending.is_some(),
        windows: windows.as_ref(),
    };
    // Ownership and admission first: a refused target or store costs no AWS call (the admission of
    // a ClusterSecretStore, and of every other store named, is checked on every reconcile).
    let check = seen
        .check
        .and(still_admitted(&ctx.client, &ctx.stores, ns, &spec.secret_store_ref).await)
        .and(match &multi {
            Some(g) => g.admitted(ctx, ns).await,
            None => Ok(()),
        });
    let announced = pending.map(|p| Announced {
        by_event: p.by_event,
    });
    // What the spec references, computed once for the steps, the store's index and the fetch.
    let refs = References::of(spec);
    let mut progress = Progress::start(
        before_fetch(check, &refresh, &previous, seen.recorded.as_ref()),
        announced,
        refs.has_find(),
        seen.has_data,
    );
    progress.cluster_templates =
        crate::core::go_template::reads_cluster_objects(spec.target.template.as_ref());
    // A generic target's steps stop at the values (Done), where its object is composed and written.
    progress.writes_target = writes_target(spec.target.creation_policy) && seen.generic.is_none();
    let mut run = Run {
        es,
        spec,
        prefix: prefix.unwrap_or_default(),
        ctx,
        ns,
        me,
        secrets: Api::namespaced(ctx.client.clone(), ns),
        writer,
        target_name,
        existing: seen.existing,
        generic: seen.generic,
        assumed_absent: seen.assumed_absent,
        recorded: seen.recorded,
        previous,
        interval,
        store_id,
        refs,
        multi,
        slot: None,
        resolved: None,
        hints: Hints::default(),
        failover_region: None,
        desired: None,
        plan: None,
        rollout: None,
    };
    // Ask the core what to do next, do it, record the answer, ask again: until a step ends it.
    loop {
        let step = next_step(&progress);
        tracing::debug!(object = %run.me, ?step, "next step");
        if step.settles_announcement() {
            ctx.remote_change_handled(&run.me, pending);
        }
        if let Some(outcome) = run.carry_out(step, &mut progress).await? {
            return Ok(outcome);
        }
    }
}

/// A step that needs the store came before it was resolved: never the case with [`next_step`]'s
/// order, reported as a retryable error rather than a panic.
pub(super) fn not_resolved() -> SyncError {
    SyncError::new(
        Reason::StoreNotReady,
        "internal: the store was not resolved before it was used; retrying",
    )
}

/// Reads the target Secret and checks that this ExternalSecret may write it (the ownership rule).
pub(super) async fn read_and_check_target(
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
