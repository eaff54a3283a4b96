//! Reporting a reconcile's outcome: the ExternalSecret's status, its Events and the sync metrics.
//! Nothing is written when nothing changed.

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::Api;
use kube::runtime::events::EventType;
use kube::{Resource, ResourceExt};

use super::context::{Context, apply_status};
use super::rollout::RolloutReport;
use crate::api::{ExternalSecret, ExternalSecretStatus};
use crate::core::reason::Reason;
use crate::core::refresh::FORCE_SYNC_ANNOTATION;
use crate::core::status::{interval_warning, ready_of, set_ready};
use crate::core::target::{self};

/// Error type of the reconciler (all failures are reported on the object; this is for kube-runtime).
use super::external_secret::{CONFIRM_EVERY, Error, Outcome, interval_of, metadata_of, writer_of};

/// Writes status, Events and metrics for an outcome. Writes nothing when nothing changed.
pub(super) async fn report(
    es: &ExternalSecret,
    ctx: &Context,
    ns: &str,
    name: &str,
    outcome: Outcome,
) -> Result<(), Error> {
    let old = es.status.clone().unwrap_or_default();
    let now = Time(Timestamp::now());
    let generation = es.metadata.generation;
    let force = es.annotations().get(FORCE_SYNC_ANNOTATION).cloned();
    let target_name = target::target_name(&writer_of(es, ns), &es.spec.target);
    let previous = ready_of(&old.conditions).map(|(s, r)| (s.to_string(), r.to_string()));
    let now_for_conditions = now.clone();
    let (new, event) = match outcome {
        // CreatedOnce does not apply a spec edit: the status still says it saw that generation, so
        // tools waiting on observedGeneration do not wait forever.
        Outcome::UpToDate(_)
            if es.spec.refresh_policy == crate::api::RefreshPolicy::CreatedOnce
                && old.observed_generation.is_some()
                && old.observed_generation != generation =>
        {
            let status = ExternalSecretStatus {
                observed_generation: generation,
                ..old.clone()
            };
            (status, None)
        }
        Outcome::UpToDate(_) => return Ok(()),
        Outcome::Confirmed { source } => {
            ctx.metrics
                .sync_results
                .with_label_values(&["Synced"])
                .inc();
            // Nothing changed: refreshTime (when the data was last confirmed current) moves at most
            // every CONFIRM_EVERY, so an idle store costs the apiserver almost no writes.
            let stale = old.refresh_time.as_ref().is_none_or(|t| {
                Duration::try_from(now.0.duration_since(t.0)).unwrap_or(Duration::ZERO)
                    >= CONFIRM_EVERY
            });
            // A failover (or failback) changes the region that answers: the status says so at once.
            let moved = old.synced_from.as_deref() != Some(source.as_str());
            if !stale && !moved {
                return Ok(());
            }
            let status = ExternalSecretStatus {
                refresh_time: if stale {
                    Some(now.clone())
                } else {
                    old.refresh_time.clone()
                },
                synced_from: Some(source),
                ..old.clone()
            };
            (status, None)
        }
        Outcome::Synced {
            wrote,
            created,
            refreshed,
            synced_versions,
            rollout,
            source,
        } => {
            ctx.metrics
                .sync_results
                .with_label_values(&["Synced"])
                .inc();
            let message = format!(
                "Secret {target_name:?} holds {} remote version(s)",
                synced_versions.len()
            );
            let mut status = ExternalSecretStatus {
                conditions: set_ready(
                    &old.conditions,
                    true,
                    Reason::Synced,
                    &message,
                    generation,
                    now.clone(),
                ),
                observed_generation: generation,
                refresh_time: if refreshed {
                    Some(now.clone())
                } else {
                    old.refresh_time.clone()
                },
                synced_versions: synced_versions.clone(),
                last_force_sync: if refreshed {
                    force
                } else {
                    old.last_force_sync.clone()
                },
                observed_metadata: if refreshed {
                    Some(metadata_of(es))
                } else {
                    old.observed_metadata.clone()
                },
                remote_deletion: None,
                synced_from: source.or(old.synced_from.clone()),
                ..old.clone()
            };
            if let Some(report) = &rollout {
                status.last_rotation_time = Some(now.clone());
                status.restarted_workloads = report.restarted.clone();
                publish_rollout(ctx, es, &target_name, report);
            } else if old.synced_versions != synced_versions {
                status.restarted_workloads = Vec::new();
            }
            let was_ready = previous.as_ref().is_some_and(|(s, _)| s == "True");
            let event = if wrote && created {
                Some((
                    EventType::Normal,
                    "Synced",
                    format!("Created Secret {target_name:?}"),
                ))
            } else if wrote
                && old.synced_versions != synced_versions
                && !old.synced_versions.is_empty()
            {
                Some((
                    EventType::Normal,
                    "Updated",
                    format!("Updated Secret {target_name:?} to new remote versions"),
                ))
            } else if wrote {
                Some((
                    EventType::Normal,
                    "Updated",
                    format!("Repaired Secret {target_name:?}"),
                ))
            } else if !was_ready {
                Some((
                    EventType::Normal,
                    "Synced",
                    format!("Secret {target_name:?} is in sync"),
                ))
            } else {
                None
            };
            (status, event)
        }
        outcome @ (Outcome::Failed(_) | Outcome::Missing { .. }) => {
            let (e, pending, deleted) = match outcome {
                Outcome::Missing {
                    error,
                    pending,
                    deleted,
                    ..
                } => (error, pending, deleted),
                Outcome::Failed(e) => (e, old.remote_deletion.clone(), None),
                _ => return Ok(()),
            };
            if let Some(why) = deleted {
                ctx.publish(
                    &es.object_ref(&()),
                    EventType::Normal,
                    "Deleted",
                    "Delete",
                    &format!("Deleted Secret {target_name:?} (deletionPolicy Delete): {why}"),
                );
            }
            ctx.metrics
                .sync_results
                .with_label_values(&[e.reason.as_str()])
                .inc();
            let status = ExternalSecretStatus {
                conditions: set_ready(
                    &old.conditions,
                    false,
                    e.reason,
                    &e.message,
                    generation,
                    now,
                ),
                observed_generation: generation,
                remote_deletion: pending,
                ..old.clone()
            };
            let changed = previous
                .as_ref()
                .is_none_or(|(s, r)| s != "False" || r != e.reason.as_str())
                || old.observed_generation != generation;
            let event = changed.then(|| {
                (
                    EventType::Warning,
                    "SyncFailed",
                    format!("{}: {}", e.reason, e.message),
                )
            });
            (status, event)
        }
    };
    let (_, raised) = interval_of(es, ctx);
    let mut new = new;
    new.conditions = interval_warning(
        &new.conditions,
        raised.then(|| {
            format!(
                "refreshInterval {:?} is below the controller's minimum; refreshing every {:?}",
                es.spec.refresh_interval, ctx.options.min_refresh_interval
            )
        }),
        generation,
        now_for_conditions,
    );
    if new != old {
        let api: Api<ExternalSecret> = Api::namespaced(ctx.client.clone(), ns);
        apply_status(&api, name, &new)
            .await
            .map_err(|e| Error::Status(format!("{ns}/{name}"), e))?;
        if let Some(uid) = es.metadata.uid.as_deref() {
            ctx.status_written(uid, &new);
        }
    }
    if let Some((type_, reason, note)) = event {
        ctx.publish(&es.object_ref(&()), type_, reason, "Sync", &note);
    }
    Ok(())
}

/// Events on the ExternalSecret for a rollout.
fn publish_rollout(ctx: &Context, es: &ExternalSecret, target_name: &str, report: &RolloutReport) {
    let mut events = Vec::new();
    if !report.restarted.is_empty() {
        events.push((
            EventType::Normal,
            "RolloutRestarted",
            format!(
                "New versions of Secret {target_name:?}: restarted {}",
                report.restarted.join(", ")
            ),
        ));
    }
    for why in &report.skipped {
        events.push((EventType::Warning, "RolloutSkipped", why.clone()));
    }
    for (type_, reason, note) in events {
        ctx.publish(&es.object_ref(&()), type_, reason, "Rollout", &note);
    }
}
