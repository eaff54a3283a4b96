//! Reporting a reconcile's outcome: the shell writes the status, publishes the Events and counts
//! the result that [`crate::core::report::next_status`] decided. Nothing is written when nothing
//! changed.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::Api;
use kube::runtime::events::EventType;
use kube::{Resource, ResourceExt};

use super::context::{Context, apply_status};
use super::external_secret::{Error, interval_of, metadata_of, writer_of};
use crate::api::ExternalSecret;
use crate::core::refresh::FORCE_SYNC_ANNOTATION;
use crate::core::report::{Facts, Outcome, PlannedEvent, next_status};
use crate::core::target;

/// Writes status, Events and metrics for an outcome. Writes nothing when nothing changed.
pub(super) async fn report(
    es: &ExternalSecret,
    ctx: &Context,
    ns: &str,
    name: &str,
    outcome: Outcome,
) -> Result<(), Error> {
    let old = es.status.clone().unwrap_or_default();
    let (_, raised) = interval_of(es, ctx);
    let facts = Facts {
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
    };
    let report = next_status(&old, &facts, outcome);
    for event in &report.done {
        publish(ctx, es, event);
    }
    if let Some(result) = report.result {
        ctx.metrics.sync_results.with_label_values(&[result]).inc();
    }
    if let Some(new) = &report.status {
        let api: Api<ExternalSecret> = Api::namespaced(ctx.client.clone(), ns);
        apply_status(&api, name, new)
            .await
            .map_err(|e| Error::Status(format!("{ns}/{name}"), e))?;
        if let Some(uid) = es.metadata.uid.as_deref() {
            ctx.status_written(uid, new);
        }
    }
    if let Some(event) = &report.verdict {
        publish(ctx, es, event);
    }
    Ok(())
}

/// Publishes one planned Event on the ExternalSecret.
fn publish(ctx: &Context, es: &ExternalSecret, event: &PlannedEvent) {
    let type_ = if event.warning {
        EventType::Warning
    } else {
        EventType::Normal
    };
    ctx.publish(
        &es.object_ref(&()),
        type_,
        event.reason,
        event.action,
        &event.note,
    );
}
