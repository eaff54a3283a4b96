//! The event sources' shared state: which queue readers run, their health, the stores each reader
//! serves, and the index of which ExternalSecrets read which secret (also used by listing changes).
//! Plain state with no I/O; the pollers in `event_source` and the context hold it.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;

use crate::api::{AwsProvider, AwsService, ExternalSecret};
use crate::core::event_routing::{self, Queue, Reader};
use crate::core::reader_index::ReaderIndex;
use crate::core::store_groups;
use crate::provider::StoreConfig;

/// One reader: a queue (URL, region, endpoint) and the credentials it is read with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PollerKey {
    /// The queue it reads.
    pub queue: Queue,
    /// In-memory fingerprint of who the store acts as (credentials, role, endpoint).
    config: u64,
}

impl PollerKey {
    /// The reader a store with `events` and client configuration `config` uses.
    pub fn of(aws: &AwsProvider, config: &StoreConfig) -> Option<Self> {
        Some(Self {
            queue: Queue::of(aws.events.as_ref()?, &aws.region),
            config: config.identity_fingerprint(),
        })
    }

    /// The queue's name (last URL segment): a bounded metric label.
    pub fn queue_name(&self) -> &str {
        self.queue.name()
    }
}

/// Reason of a reader whose receives work but whose deletes SQS refuses.
pub(crate) const DELETE_FAILED: &str = "DeleteFailed";

/// What a reader last experienced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// The last receive succeeded.
    Receiving,
    /// The last receive (or queue check, or delete) failed.
    Failing {
        /// Condition reason, e.g. `QueueNotFound`.
        reason: &'static str,
        /// Value-free explanation.
        message: String,
    },
}

impl Health {
    /// Whether the reader's own last receive succeeded (a reader whose deletes fail still receives).
    pub(crate) fn receives(&self) -> bool {
        match self {
            Health::Receiving => true,
            Health::Failing { reason, .. } => *reason == DELETE_FAILED,
        }
    }
}

/// Shared state of the event sources: the reader index and each reader's health.
#[derive(Default)]
pub struct EventSources {
    pub(crate) index: Mutex<ReaderIndex<ObjectRef<ExternalSecret>>>,
    pub(crate) health: Mutex<HashMap<PollerKey, Health>>,
    /// Per reader, the stores whose own reader it is (same queue, endpoint and credentials). A message
    /// refreshes these and the stores of the queue's other receiving readers (`core::event_routing`).
    pub(crate) routes: Mutex<HashMap<PollerKey, Vec<String>>>,
    /// The service of each store in `routes`: a message refreshes only stores of its own service.
    pub(crate) services: Mutex<HashMap<String, AwsService>>,
    /// The ExternalSecret watch has listed everything once: the index is complete.
    pub(crate) indexed: std::sync::atomic::AtomicBool,
}

impl EventSources {
    /// Keeps the secret → ExternalSecret index in step with the ExternalSecret watch.
    pub fn apply_watch_event(&self, event: &watcher::Event<ExternalSecret>) {
        let mut idx = self.index.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            watcher::Event::Apply(es) | watcher::Event::InitApply(es) => {
                let key = ObjectRef::from_obj(es);
                if store_groups::has_store_refs(&es.spec) {
                    // Entries naming their own store are indexed under that store.
                    let ns = kube::ResourceExt::namespace(es).unwrap_or_default();
                    let groups = store_groups::groups(&es.spec);
                    let parts: Vec<(String, &crate::api::ExternalSecretSpec)> = groups
                        .iter()
                        .map(|g| {
                            (
                                store_groups::store_id(&ns, &g.spec.secret_store_ref),
                                &g.spec,
                            )
                        })
                        .collect();
                    idx.upsert_stores(key, &parts);
                } else {
                    idx.upsert(key, &crate::core::access::store_id_of(es), &es.spec);
                }
            }
            watcher::Event::Delete(es) => idx.remove(&ObjectRef::from_obj(es)),
            watcher::Event::Init => idx.relist_started(),
            watcher::Event::InitDone => {
                idx.relist_done();
                self.indexed
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    /// The ExternalSecrets of `stores` that read any of `secrets` (full names or ARNs); `prefix_of`
    /// gives each store's `prefix` (the index holds keys as written).
    pub(crate) fn readers(
        &self,
        stores: &[String],
        secrets: &[String],
        prefix_of: &dyn Fn(&str) -> String,
    ) -> HashSet<ObjectRef<ExternalSecret>> {
        let idx = self.index.lock().unwrap_or_else(|p| p.into_inner());
        stores
            .iter()
            .flat_map(|s| idx.readers_below(s, &prefix_of(s), secrets.iter().map(String::as_str)))
            .collect()
    }

    /// Runs `f` over every running reader: its queue, whether it receives, and its stores.
    fn with_readers<T>(&self, f: impl FnOnce(&[Reader<'_, PollerKey>]) -> T) -> T {
        let routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let health = self.lock_health();
        let readers: Vec<Reader<'_, PollerKey>> = routes
            .iter()
            .map(|(key, stores)| Reader {
                key,
                queue: &key.queue,
                receiving: health.get(key).is_some_and(Health::receives),
                stores,
            })
            .collect();
        f(&readers)
    }

    /// The stores a message received by reader `key` refreshes (any service).
    pub(crate) fn stores_for(&self, key: &PollerKey) -> Vec<String> {
        self.with_readers(|readers| {
            event_routing::stores_for(key, readers)
                .into_iter()
                .map(String::from)
                .collect()
        })
    }

    /// Of `stores`, those reading `service`.
    pub(crate) fn of_service(&self, stores: &[String], service: AwsService) -> Vec<String> {
        let services = self.services.lock().unwrap_or_else(|p| p.into_inner());
        event_routing::of_service(stores.iter().map(String::as_str), service, |id| {
            services.get(id).copied()
        })
        .into_iter()
        .map(String::from)
        .collect()
    }

    /// Whether another reader of `key`'s queue receives now (see [`event_routing::sibling_receiving`]).
    pub(crate) fn sibling_receiving(&self, key: &PollerKey) -> bool {
        self.with_readers(|readers| event_routing::sibling_receiving(key, readers))
    }

    /// Every ExternalSecret reading through the stores of reader `key`.
    pub(crate) fn all_readers_of(&self, key: &PollerKey) -> Vec<ObjectRef<ExternalSecret>> {
        let stores = self
            .routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
            .unwrap_or_default();
        let idx = self.index.lock().unwrap_or_else(|p| p.into_inner());
        stores.iter().flat_map(|s| idx.all_of(s)).collect()
    }

    /// Whether reader `key`'s queue may be split with a reader of the same URL at another endpoint.
    pub fn split_by_endpoint(&self, key: &PollerKey) -> bool {
        self.with_readers(|readers| event_routing::split_by_endpoint(key, readers))
    }

    /// The health of a reader (None: not started yet).
    pub fn health(&self, key: &PollerKey) -> Option<Health> {
        self.lock_health().get(key).cloned()
    }

    pub(crate) fn set_health(&self, key: &PollerKey, health: Health) {
        self.lock_health().insert(key.clone(), health);
    }

    pub(crate) fn lock_health(&self) -> std::sync::MutexGuard<'_, HashMap<PollerKey, Health>> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }
}
