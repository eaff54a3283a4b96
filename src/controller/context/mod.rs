//! State shared by every reconcile: clients, provider, metrics, Events, per-object failure counts.
//! The record of verified target Secrets is in [`target_cache`]; what changed remotely and what each
//! reconcile saw, in [`changes`].

mod changes;
mod target_cache;

use self::target_cache::Verified;

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::EventType;
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use std::sync::Arc;

use kube::runtime::reflector::{ObjectRef, Store};
use tokio::sync::mpsc::UnboundedSender;

use crate::api::ExternalSecret;
use crate::core::target::FIELD_MANAGER;

use crate::metrics::Metrics;
use crate::provider::Provider;

/// Options of the controller process that reconciles read.
#[derive(Debug, Clone)]
pub struct Options {
    /// Restrict the controller to one namespace (None: all namespaces).
    pub namespace: Option<String>,
    /// Reconciles that may run at once per resource kind.
    pub concurrency: u16,
    /// Smallest refresh interval honoured.
    pub min_refresh_interval: std::time::Duration,
    /// How long a remote deletion must stay confirmed before a Delete-policy Secret is deleted.
    pub deletion_grace_period: std::time::Duration,
    /// How long a rotation waits for sibling Secrets before restarting workloads once.
    pub rollout_settle: std::time::Duration,
    /// Write `target.manifest` generic targets (`--unsafe-allow-generic-targets`).
    pub allow_generic_targets: bool,
    /// Estimated USD per 10,000 AWS API calls, for the estimated-cost metric.
    pub aws_price_per_10k_calls: f64,
    /// Which AWS identities and endpoints namespaced stores may use.
    pub tenancy: crate::core::access::TenancyPolicy,
    /// The reload engine (Reloader's annotations for any ConfigMap and Secret).
    pub reload: super::reload::ReloadConfig,
}

/// Shared reconcile context.
pub struct Context {
    /// Kubernetes client.
    pub client: Client,
    /// AWS provider with its clients and value cache.
    pub provider: Provider,
    /// Metrics.
    pub metrics: Metrics,
    /// Publishes Events.
    pub recorder: super::events::EventPublisher,
    /// Key of the HMAC digest annotation.
    pub digest_key: Vec<u8>,
    /// Process options.
    pub options: Options,
    /// Per ExternalSecret: failures, the status written last, a refresh asked for.
    pub(crate) objects: super::object_states::ObjectStates,
    /// Rotations waiting for their settle window.
    pub(crate) rollouts: super::rollout::batches::RolloutBatches,
    /// The reload engine (set once it runs), so a rotation's restart joins its change set.
    pub(crate) reload_engine: std::sync::OnceLock<Arc<super::reload::Engine>>,
    /// The ExternalSecret watch cache (set once the controller runs).
    pub(crate) external_secrets: std::sync::OnceLock<Store<ExternalSecret>>,
    /// Watch caches of stores and namespaces, and resolved store configurations.
    pub(crate) stores: super::stores::StoreCaches,
    /// The ClusterExternalSecret controller's own caches (updated before it is triggered).
    pub(crate) cluster_caches: super::cluster_external_secret::caches::Caches,
    /// Metadata of the managed Secrets (set once the controller runs).
    pub(crate) managed_secrets: std::sync::OnceLock<
        Store<kube::core::PartialObjectMeta<k8s_openapi::api::core::v1::Secret>>,
    >,
    /// Per managed Secret (`namespace/name`): what it was when secretsync last wrote it or checked its
    /// digest. While the cached resourceVersion is the same, it is intact.
    verified: Mutex<HashMap<String, Verified>>,
    /// Asks the controller to reconcile an ExternalSecret now (set once the controller runs).
    pub(crate) triggers: std::sync::OnceLock<UnboundedSender<ObjectRef<ExternalSecret>>>,
    /// Newest version id read per (store id, synced-versions key), shared so that one
    /// ExternalSecret's discovery of a rotation refreshes the others reading the same secret.
    seen_versions: Mutex<HashMap<(String, String), String>>,
    /// Slots for periodic refreshes: at most half of `--concurrency`, so new and changed
    /// ExternalSecrets always find a free reconcile slot.
    pub(crate) periodic: Arc<tokio::sync::Semaphore>,
    /// When the context was built (the process start).
    created: std::time::Instant,
    /// Event queues: the secret → ExternalSecret index and each poller's health.
    pub(crate) events: super::event_source::index::EventSources,
    /// Kinds of generic targets found by API discovery.
    pub(crate) kinds: super::kinds::Kinds,
}

/// Reconcile slots periodic refreshes may hold at once: half of `concurrency` (0 = unlimited), at least 1.
pub fn periodic_slots(concurrency: u16) -> usize {
    match concurrency {
        0 => tokio::sync::Semaphore::MAX_PERMITS,
        n => usize::from(n / 2).max(1),
    }
}

impl Context {
    /// Builds the context.
    pub fn new(
        client: Client,
        metrics: Metrics,
        digest_key: Vec<u8>,
        options: Options,
        instance: Option<String>,
    ) -> Self {
        let (recorder, queues) = super::events::EventPublisher::new(
            "secretsync",
            instance,
            metrics.events_dropped.clone(),
        );
        let events_client = client.clone();
        tokio::spawn(
            queues.deliver(move |event| super::events::post(events_client.clone(), event)),
        );
        let periodic = Arc::new(tokio::sync::Semaphore::new(periodic_slots(
            options.concurrency,
        )));
        Self {
            provider: Provider::new(metrics.clone())
                .with_price_per_10k_calls(options.aws_price_per_10k_calls)
                .with_fingerprint_key(&digest_key),
            client,
            metrics,
            recorder,
            digest_key,
            options,
            objects: Default::default(),
            rollouts: Default::default(),
            reload_engine: std::sync::OnceLock::new(),
            external_secrets: std::sync::OnceLock::new(),
            cluster_caches: Default::default(),
            triggers: std::sync::OnceLock::new(),
            managed_secrets: std::sync::OnceLock::new(),
            stores: Default::default(),
            verified: Mutex::new(HashMap::new()),
            seen_versions: Mutex::new(HashMap::new()),
            periodic,
            created: std::time::Instant::now(),
            events: Default::default(),
            kinds: Default::default(),
        }
    }

    /// Counts one more consecutive failure of `es`; returns the count.
    pub fn record_failure(&self, es: &ObjectRef<ExternalSecret>) -> u32 {
        self.objects.record_failure(es)
    }

    /// Forgets the state of ExternalSecrets that no longer exist.
    pub fn retain_objects(&self, alive: &std::collections::HashSet<ObjectRef<ExternalSecret>>) {
        self.objects.retain(alive);
    }

    /// Resets `es`'s failure count after a success.
    pub fn record_success(&self, es: &ObjectRef<ExternalSecret>) {
        self.objects.record_success(es);
    }
}

/// Whether a watch cache has its first complete listing (never waits).
pub fn cache_loaded<K>(store: &Store<K>) -> bool
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: std::hash::Hash + Eq + Clone,
{
    use futures::FutureExt;
    matches!(store.wait_until_ready().now_or_never(), Some(Ok(())))
}

impl Context {
    /// An ExternalSecret from the watch cache.
    pub fn external_secret(&self, ns: &str, name: &str) -> Option<Arc<ExternalSecret>> {
        self.external_secrets
            .get()?
            .get(&ObjectRef::new(name).within(ns))
    }

    /// Whether the watch cache is loaded and holds no ExternalSecret `name` in `ns` (false while it
    /// is not loaded: "gone" is never a guess).
    pub fn external_secret_gone(&self, ns: &str, name: &str) -> bool {
        self.external_secrets.get().is_some_and(|store| {
            cache_loaded(store) && store.get(&ObjectRef::new(name).within(ns)).is_none()
        })
    }

    /// Queues one Event about `reference` (note cut to 1000 characters); sent in the background, at
    /// most [`super::events::EVENTS_PER_SECOND`]; a burst beyond the queue is dropped and counted.
    pub fn publish(
        &self,
        reference: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) {
        if !self
            .recorder
            .publish(reference, type_, reason, action, note)
        {
            tracing::debug!(object = ?reference.name, reason, "Event queue full; Event dropped");
        }
    }
}

/// Writes `status` to the status subresource with server-side apply under secretsync's field manager.
pub async fn apply_status<K>(
    api: &Api<K>,
    name: &str,
    status: &impl Serialize,
) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    apply_status_as(api, name, status, FIELD_MANAGER).await
}

/// Like [`apply_status`], under another field manager (for status fields owned apart from the rest).
pub async fn apply_status_as<K>(
    api: &Api<K>,
    name: &str,
    status: &impl Serialize,
    manager: &str,
) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    let patch = serde_json::json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": status,
    });
    api.patch_status(
        name,
        &PatchParams::apply(manager).force(),
        &Patch::Apply(&patch),
    )
    .await
    .map(|_| ())
}

/// A reference to a namespaced object of kind `K`, for Events about objects not at hand.
pub fn object_ref<K: Resource<DynamicType = ()>>(namespace: &str, name: &str) -> ObjectReference {
    ObjectReference {
        api_version: Some(K::api_version(&()).into_owned()),
        kind: Some(K::kind(&()).into_owned()),
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        ..Default::default()
    }
}

/// A number in [0, 1) for jitter.
pub fn random_unit() -> f64 {
    rand::random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::periodic_slots;

    #[test]
    fn periodic_refreshes_leave_half_the_slots_free() {
        assert_eq!(periodic_slots(64), 32);
        assert_eq!(periodic_slots(3), 1);
        assert_eq!(periodic_slots(1), 1);
        assert_eq!(periodic_slots(0), tokio::sync::Semaphore::MAX_PERMITS);
    }
}
