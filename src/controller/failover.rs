//! What the ExternalSecret reconcile does about region failover: never let a replica that is behind
//! replace the synced version, and report each switch of the serving region once.

use super::context::Context;
use crate::api::ExternalSecret;
use crate::core::failover::replica_caught_up;
use crate::core::reason::{Reason, SyncError};

/// While reads come from a failover region, a version differing from the synced one is used only if
/// that region has caught up to the synced version (see [`replica_caught_up`]); a replica that is behind
/// would roll a rotation back and restart workloads twice. The Secret then stays as it is.
pub(crate) async fn replica_guard(
    ctx: &Context,
    sc: &crate::provider::StoreClient,
    spec: &crate::api::ExternalSecretSpec,
    previous: &std::collections::BTreeMap<String, String>,
    now: &std::collections::BTreeMap<String, String>,
) -> Result<(), SyncError> {
    if !sc.failed_over() {
        return Ok(());
    }
    let (names, _) = super::detect::references(spec);
    for (key, version) in now {
        let Some(synced) = previous.get(key).filter(|s| *s != version) else {
            continue;
        };
        let name = names
            .iter()
            .find(|n| key == *n || key.starts_with(&format!("{n}@")))
            .map_or(key.as_str(), String::as_str);
        let region = sc.serving_region().to_string();
        let behind = || {
            SyncError::new(
                Reason::ProviderError,
                format!(
                    "failover region {region} has not replicated the synced version of {name:?} yet; \
                     the Secret keeps it until the primary region answers or the replica catches up"
                ),
            )
        };
        match ctx
            .provider
            .describe_versions(sc, name, std::time::Duration::ZERO)
            .await
        {
            Ok(Some(versions)) if replica_caught_up(synced, &versions) => {}
            _ => return Err(behind()),
        }
    }
    Ok(())
}

/// Publishes each switch of the serving region (a failover, or the return to the primary) once: an
/// Event on the ExternalSecret whose read saw it, a log line, and the `failover_active` gauge.
pub(crate) fn report_region_switches(
    ctx: &Context,
    es: &ExternalSecret,
    sc: &crate::provider::StoreClient,
) {
    for switch in sc.take_region_switches() {
        let store = sc.store_label();
        let (type_, reason, note) = if switch.to_primary {
            (
                kube::runtime::events::EventType::Normal,
                "FailedBack",
                format!(
                    "{store}: reading from the primary region {} again",
                    switch.to
                ),
            )
        } else {
            (
                kube::runtime::events::EventType::Warning,
                "FailedOver",
                format!(
                    "{store}: region {} failed ({}); reading replicas in {}",
                    switch.from,
                    switch.cause.as_deref().unwrap_or("failing"),
                    switch.to
                ),
            )
        };
        tracing::warn!(store, from = %switch.from, to = %switch.to, "{}", note);
        ctx.metrics
            .failover_active
            .with_label_values(&[store, switch.from.as_str()])
            .set(0);
        if !switch.to_primary {
            ctx.metrics
                .failover_active
                .with_label_values(&[store, switch.to.as_str()])
                .set(1);
        }
        ctx.publish(
            &kube::Resource::object_ref(es, &()),
            type_,
            reason,
            "Read",
            &note,
        );
    }
}
