//! State shared by every reconcile: clients, provider, metrics, Events, per-object failure counts.

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::EventType;
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use std::collections::BTreeMap;
use std::sync::Arc;

use kube::runtime::reflector::{ObjectRef, Store};
use tokio::sync::mpsc::UnboundedSender;

use crate::api::ExternalSecret;
use crate::core::target::FIELD_MANAGER;
use crate::core::versions::is_compact;

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
    /// Honour Stakater Reloader's annotations (`--reloader-compat`).
    pub reloader_compat: bool,
    /// Estimated USD per 10,000 AWS API calls, for the estimated-cost metric.
    pub aws_price_per_10k_calls: f64,
    /// Which AWS identities and endpoints namespaced stores may use.
    pub tenancy: crate::core::access::TenancyPolicy,
}

/// What a managed Secret was when it was last verified: what the metadata-only watch cache (which
/// drops managedFields to save memory) does not hold.
struct Verified {
    resource_version: String,
    type_: Option<String>,
    /// secretsync's own managedFields entries, kept only for a Secret without the created-by mark (written
    /// by a version before it existed), which is recognised by them.
    legacy_fields: Option<Vec<ManagedFieldsEntry>>,
    /// When it was recorded: a Secret just written may not be in the watch cache yet.
    at: std::time::Instant,
}

/// How long a verification record outlives the Secret's absence from the watch cache (watch lag under
/// load), before it is forgotten.
const VERIFIED_GRACE: std::time::Duration = std::time::Duration::from_secs(120);

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
}

pub use super::object_states::PendingChange;

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
                .with_price_per_10k_calls(options.aws_price_per_10k_calls),
            client,
            metrics,
            recorder,
            digest_key,
            options,
            objects: Default::default(),
            rollouts: Default::default(),
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

    /// Records that a Secret is intact at this resourceVersion (just written, or digest checked).
    pub fn secret_verified(&self, secret: &k8s_openapi::api::core::v1::Secret) {
        let (Some(ns), Some(name), Some(rv)) = (
            secret.metadata.namespace.as_deref(),
            secret.metadata.name.as_deref(),
            secret.metadata.resource_version.clone(),
        ) else {
            return;
        };
        let legacy_fields = (!crate::core::target::has_created_by_mark(secret)).then(|| {
            secret
                .metadata
                .managed_fields
                .iter()
                .flatten()
                .filter(|m| m.manager.as_deref() == Some(crate::core::target::FIELD_MANAGER))
                .cloned()
                .collect()
        });
        self.verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                format!("{ns}/{name}"),
                Verified {
                    resource_version: rv,
                    type_: secret.type_.clone(),
                    legacy_fields,
                    at: std::time::Instant::now(),
                },
            );
    }

    /// The target Secret without a GET when the watch cache shows it unchanged since it was last
    /// verified: its metadata and type, no data. None: read it.
    pub fn verified_secret(
        &self,
        ns: &str,
        name: &str,
    ) -> Option<k8s_openapi::api::core::v1::Secret> {
        let meta = self
            .managed_secrets
            .get()?
            .get(&ObjectRef::new(name).within(ns))?;
        let verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        let v = verified.get(&format!("{ns}/{name}"))?;
        (meta.metadata.resource_version.as_ref() == Some(&v.resource_version)).then(|| {
            let mut metadata = meta.metadata.clone();
            metadata.managed_fields = v.legacy_fields.clone();
            k8s_openapi::api::core::v1::Secret {
                metadata,
                type_: v.type_.clone(),
                ..Default::default()
            }
        })
    }

    /// Waits until the managed-Secret watch cache has its first listing (at most until 10 s after the
    /// start: a cache that cannot sync must not stall every reconcile), so reconciles right after a start
    /// use it instead of reading each Secret. Polls: with many waiters on one store, a wake-up can be
    /// missed.
    pub async fn managed_secrets_synced(&self) {
        let Some(cache) = self.managed_secrets.get() else {
            return;
        };
        let deadline =
            tokio::time::Instant::from_std(self.created + std::time::Duration::from_secs(10));
        while !cache_loaded(cache) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The managed-Secret watch cache, once it has its first listing.
    pub fn managed_secrets_ready(
        &self,
    ) -> Option<
        &kube::runtime::reflector::Store<
            kube::core::PartialObjectMeta<k8s_openapi::api::core::v1::Secret>,
        >,
    > {
        self.managed_secrets
            .get()
            .filter(|cache| cache_loaded(cache))
    }

    /// Whether the managed-Secret watch cache is synced and holds no Secret of this name (one without
    /// secretsync's label may still exist).
    pub fn managed_secret_absent(&self, ns: &str, name: &str) -> bool {
        self.managed_secrets_ready()
            .is_some_and(|cache| cache.get(&ObjectRef::new(name).within(ns)).is_none())
    }

    /// Forgets verification records of Secrets no longer in the cache (and not just written: the
    /// watch event of a fresh write may lag behind it).
    pub fn retain_verified(&self) {
        let Some(cache) = self.managed_secrets.get() else {
            return;
        };
        let alive: std::collections::HashSet<String> = cache
            .state()
            .iter()
            .map(|s| {
                format!(
                    "{}/{}",
                    s.metadata.namespace.as_deref().unwrap_or_default(),
                    s.metadata.name.as_deref().unwrap_or_default()
                )
            })
            .collect();
        self.verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|k, v| alive.contains(k) || v.at.elapsed() < VERIFIED_GRACE);
    }

    /// Remembers the status just written for an ExternalSecret.
    pub fn status_written(
        &self,
        es: &ObjectRef<ExternalSecret>,
        uid: &str,
        status: &crate::api::ExternalSecretStatus,
    ) {
        let mut status = status.clone();
        // The API server keeps whole seconds: compare with what the watch cache will show, so the copy
        // is dropped once the cache has caught up.
        if let Some(t) = status.refresh_time.as_mut()
            && let Ok(whole) = jiff::Timestamp::from_second(t.0.as_second())
        {
            t.0 = whole;
        }
        self.objects.status_written(es, uid, status);
    }

    /// The ExternalSecret with the newest status known: the cached one, or the one this controller
    /// wrote last if the cache has not caught up with it yet (same generation, later refresh).
    pub fn with_written_status(&self, es: Arc<ExternalSecret>) -> Arc<ExternalSecret> {
        let Some(uid) = es.metadata.uid.as_deref() else {
            return es;
        };
        let me = ObjectRef::from_obj(es.as_ref());
        let Some(written) = self.objects.written_status(&me, uid) else {
            return es;
        };
        let cached = es.status.as_ref();
        let newer = written.observed_generation == es.metadata.generation
            && cached.is_none_or(|c| {
                c.observed_generation != written.observed_generation
                    || c.refresh_time.as_ref().map(|t| t.0)
                        < written.refresh_time.as_ref().map(|t| t.0)
            });
        if !newer {
            // The cache has caught up (or the spec moved on): the copy is no longer needed.
            self.objects.forget_written(&me);
            return es;
        }
        let mut fresh = (*es).clone();
        fresh.status = Some(written);
        Arc::new(fresh)
    }

    /// A listing of store `store_id` showed new versions of (or new) secrets `changed` (names and
    /// ARNs): every synced ExternalSecret of that store reading one of them, by name or through a
    /// `find` that may match it, refreshes now rather than at its next interval. Looked up in the
    /// reader index, not by a scan of every ExternalSecret.
    pub fn remote_changed(&self, store_id: &str, changed: &[String]) {
        let (Some(cache), Some(tx)) = (self.external_secrets.get(), self.triggers.get()) else {
            return;
        };
        let readers: Vec<ObjectRef<ExternalSecret>> = self
            .events
            .readers(&[store_id.to_string()], changed)
            .into_iter()
            .filter(|r| cache.get(r).is_some_and(|es| es.status.is_some()))
            .collect();
        if readers.is_empty() {
            return;
        }
        tracing::debug!(
            store = store_id,
            secrets = changed.len() / 2,
            readers = readers.len(),
            "listing changed; refreshing readers now"
        );
        for r in readers {
            if self.objects.ask(&r, false, true) {
                let _ = tx.send(r);
            }
        }
    }

    /// A queue event named secrets these ExternalSecrets read: each refreshes now, reading without
    /// change detection. Always re-triggers (a reconcile in flight may have read before the change).
    pub fn event_changed(
        &self,
        readers: impl IntoIterator<Item = ObjectRef<ExternalSecret>>,
    ) -> usize {
        let Some(tx) = self.triggers.get() else {
            return 0;
        };
        let mut n = 0;
        for r in readers {
            self.objects.ask(&r, true, false);
            if tx.send(r).is_ok() {
                n += 1;
            }
        }
        n
    }

    /// The refresh a listing or an event asked this ExternalSecret for, if any (see
    /// [`Context::remote_changed`], [`Context::event_changed`]).
    pub fn remote_change_pending(&self, es: &ObjectRef<ExternalSecret>) -> Option<PendingChange> {
        self.objects.pending(es)
    }

    /// The refresh asked for by `seen` has looked; a newer ask stays pending.
    pub fn remote_change_handled(
        &self,
        es: &ObjectRef<ExternalSecret>,
        seen: Option<PendingChange>,
    ) {
        let Some(seen) = seen else {
            return;
        };
        self.objects.handled(es, seen);
    }

    /// Whether another ExternalSecret of store `store_id` read a version newer than `synced` for any
    /// of the same keys.
    pub fn newer_version_seen(&self, store_id: &str, synced: &BTreeMap<String, String>) -> bool {
        let seen = self.seen_versions.lock().unwrap_or_else(|p| p.into_inner());
        synced.iter().any(|(k, v)| {
            seen.get(&(store_id.to_string(), k.clone()))
                .is_some_and(|newer| newer != v)
        })
    }

    /// Records the versions one ExternalSecret just read; when some were rotations, asks every other
    /// ExternalSecret of the same store that synced an older version of those keys to refresh now.
    pub fn versions_read(
        &self,
        me: &ObjectRef<ExternalSecret>,
        store_id: &str,
        previous: &BTreeMap<String, String>,
        current: &BTreeMap<String, String>,
    ) {
        {
            let mut seen = self.seen_versions.lock().unwrap_or_else(|p| p.into_inner());
            for (k, v) in current {
                seen.insert((store_id.to_string(), k.clone()), v.clone());
            }
        }
        let rotated: Vec<&String> = current
            .iter()
            .filter(|(k, v)| previous.get(*k).is_some_and(|old| old != *v))
            .map(|(k, _)| k)
            .collect();
        if rotated.is_empty() {
            return;
        }
        let (Some(cache), Some(tx)) = (self.external_secrets.get(), self.triggers.get()) else {
            return;
        };
        // The reader index names the candidates (a key is a name or ARN, `name@stage` or
        // `name@version`; a name may hold `@` itself, so both are looked up). A compacted record's key
        // names no secret: then every ExternalSecret is a candidate.
        let candidates: Vec<ObjectRef<ExternalSecret>> = if is_compact(current) {
            cache
                .state()
                .iter()
                .map(|es| ObjectRef::from_obj(es.as_ref()))
                .collect()
        } else {
            let names: Vec<String> = rotated
                .iter()
                .flat_map(|k| {
                    std::iter::once(k.to_string())
                        .chain(k.rsplit_once('@').map(|(name, _)| name.to_string()))
                })
                .collect();
            self.events
                .readers(&[store_id.to_string()], &names)
                .into_iter()
                .collect()
        };
        for r in candidates {
            let Some(es) = cache.get(&r) else { continue };
            if r == *me || super::store_id_of(&es) != store_id {
                continue;
            }
            let stale = es.status.as_ref().is_some_and(|s| {
                rotated.iter().any(|k| {
                    s.synced_versions
                        .get(*k)
                        .is_some_and(|v| Some(v) != current.get(*k))
                })
            });
            if stale {
                let _ = tx.send(r);
            }
        }
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
