//! What the ExternalSecret reconcile does about region failover: never let a replica that is behind
//! replace the synced version, and report each switch of the serving region once.

use std::collections::BTreeMap;

use crate::api::ExternalSecret;
use crate::controller::context::Context;
use k8s_openapi::api::core::v1::Secret;

use crate::core::desired::DesiredData;
use crate::core::failover::parameters::{Kept, holds, judge_record};
use crate::core::failover::{RegionAnswer, Verdict, may_replace};
use crate::core::reads::references::References;
use crate::core::reason::{Reason, SyncError};
use crate::core::remote::VersionSelector;

/// Once a failover region may have answered for this store configuration (a value, a listing or
/// a DescribeSecret, then or earlier and cached), a version differing from the synced one is used only
/// if a fresh DescribeSecret vouches for it (see [`may_replace`]): a replica that is behind would roll a
/// rotation back and restart workloads twice. Otherwise the Secret stays as it is (ProviderError).
/// Stores without failover regions, and configurations no replica ever answered for, skip the check.
pub(crate) async fn replica_guard(
    ctx: &Context,
    sc: &crate::provider::StoreClient,
    spec: &crate::api::ExternalSecretSpec,
    previous: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
) -> Result<(), SyncError> {
    if !sc.replica_may_have_answered() {
        return Ok(());
    }
    let reads = selectors(spec);
    let spec_keys = reads.keys().map(String::as_str).collect();
    if let Some(key) = crate::core::failover::dropped_find_key(previous, now, &spec_keys) {
        return Err(SyncError::new(
            Reason::ProviderError,
            format!(
                "a find no longer returns {key:?} while a failover region may have answered (secrets \
                 replicate one by one); the Secret keeps its keys until the primary region answers"
            ),
        ));
    }
    for (key, version) in now {
        let Some(synced) = previous.get(key).filter(|s| *s != version) else {
            continue;
        };
        // `find` matches are keyed by their secret name and read at AWSCURRENT.
        let (name, selector) = reads
            .get(key)
            .cloned()
            .unwrap_or_else(|| (key.clone(), VersionSelector::current()));
        let described = ctx.provider.describe_answered_by(sc, &name).await;
        let (answer, answered_by) = match &described {
            Ok((None, Some(versions))) => (
                RegionAnswer::Primary(versions),
                "the primary region".to_string(),
            ),
            Ok((Some(region), Some(versions))) => (
                RegionAnswer::Failover(versions),
                format!("failover region {region}"),
            ),
            Ok((_, None)) => (
                RegionAnswer::Missing,
                "no region (the secret is gone or scheduled for deletion where asked)".to_string(),
            ),
            Err(e) => (RegionAnswer::Missing, format!("no region ({})", e.message)),
        };
        let message = match may_replace(synced, version, &selector, answer) {
            Verdict::Use => continue,
            Verdict::KeepReplicaBehind => format!(
                "{answered_by} has not replicated the synced version of {name:?} yet; the Secret \
                 keeps it until the primary region answers or the replica catches up"
            ),
            Verdict::KeepNotCurrent => format!(
                "{answered_by} names another version of {name:?} than the one read (a failover \
                 region that is behind may have served it); the Secret keeps the synced version"
            ),
            Verdict::KeepNoAnswer => format!(
                "the version of {name:?} read (a failover region may have served it) could not be \
                 confirmed by {answered_by}; the Secret keeps the synced version"
            ),
        };
        return Err(SyncError::new(Reason::ProviderError, message));
    }
    Ok(())
}

/// The rule for answers of a failover region of a service that does not replicate (Parameter Store,
/// whose failover answers carry their region in their version identity; see
/// [`crate::core::failover::parameters`]): such an answer fills a reference never synced and may
/// confirm the data the Secret holds (the synced version stays recorded), but never replaces synced
/// data with other data (the Secret stays, ProviderError says why). Records the versions to keep in
/// `desired` and returns what the rotation decision compares them with.
pub(crate) fn unreplicated_guard(
    previous: &BTreeMap<String, String>,
    desired: &mut DesiredData,
    failover_region: Option<String>,
    existing: Option<&Secret>,
) -> Result<BTreeMap<String, String>, SyncError> {
    let same_data = holds(existing, &desired.data);
    match judge_record(
        previous,
        &desired.synced_versions,
        failover_region.as_deref(),
        same_data,
    ) {
        Ok(judged) => {
            desired.synced_versions = judged.record;
            Ok(judged.rotation_base)
        }
        Err(Kept { key, region }) => Err(SyncError::new(
            Reason::ProviderError,
            format!(
                "failover region {region} answered for {key:?} with other data than the Secret \
                 holds; its versions are unrelated to the primary region's (Parameter Store does not \
                 replicate), so the Secret keeps the synced data until the primary region answers"
            ),
        )),
    }
}

/// Status key → (secret name, selector) of each `data` and `extract` reference.
fn selectors(spec: &crate::api::ExternalSecretSpec) -> BTreeMap<String, (String, VersionSelector)> {
    References::of(spec)
        .named
        .into_iter()
        .map(|r| (r.status_key, (r.remote.key.clone(), r.selector)))
        .collect()
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
