//! Reporting a reconcile's outcome: the shell writes the status, publishes the Events and counts
//! the result that [`crate::core::report::next_status`] decided. Nothing is written when nothing
//! changed.

use kube::Resource;
use kube::api::Api;
use kube::runtime::events::EventType;

use crate::api::ExternalSecret;
use crate::controller::context::{Context, apply_status};
use crate::controller::error::Error;
use crate::core::report::{Facts, Outcome, PlannedEvent, next_status};

/// Writes status, Events and metrics for an outcome. Writes nothing when nothing changed.
pub(super) async fn report(
    es: &ExternalSecret,
    ctx: &Context,
    ns: &str,
    name: &str,
    facts: Facts,
    outcome: Outcome,
) -> Result<(), Error> {
    let old = es.status.clone().unwrap_or_default();
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
            ctx.status_written(&kube::runtime::reflector::ObjectRef::from_obj(es), uid, new);
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
