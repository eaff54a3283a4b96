//! The reload engine: Stakater Reloader's annotations for any ConfigMap or Secret (not only those
//! secretsync writes). ConfigMaps and Secrets are watched by metadata only; the data of an object is
//! read only when its resourceVersion changed and a workload uses it, and kept as a keyed digest.
//! Changes in a namespace are collected for the settle window, then each workload is restarted at
//! most once, for the state recorded on it ([`crate::core::reload::state`]): exactly once per
//! change set, also for a change made while the controller was down.

mod apply;
mod index;
mod pause;
mod watches;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use self::index::Namespace;
use super::context::Context;
use crate::core::reload::ReloaderOptions;
use crate::core::reload::state::{Events, ObjectKey};

/// The reload engine's settings (Reloader's flags under `--reloader-<flag>`).
#[derive(Debug, Clone, Default)]
pub struct ReloadConfig {
    /// The engine runs (`--reloader`, on by default).
    pub enabled: bool,
    /// How long a namespace's changes are collected before its workloads restart (`--reload-settle`).
    pub settle: std::time::Duration,
    /// The decision's options.
    pub options: ReloaderOptions,
    /// `--reloader-namespaces-to-ignore`: namespaces whose objects restart nothing.
    pub namespaces_to_ignore: Vec<String>,
    /// `--reloader-namespaces`: the only namespaces watched (empty: all).
    pub namespaces: Vec<String>,
    /// `--reloader-namespace-selector`: a label selector namespaces must match.
    pub namespace_selector: Option<String>,
    /// `--reloader-resource-label-selector`: a label selector ConfigMaps and Secrets must match.
    pub resource_label_selector: Option<String>,
    /// `--reloader-resources-to-ignore=configmaps`.
    pub ignore_configmaps: bool,
    /// `--reloader-resources-to-ignore=secrets`.
    pub ignore_secrets: bool,
}

/// The engine's shared state.
pub(crate) struct Engine {
    ctx: Arc<Context>,
    config: ReloadConfig,
    /// Per namespace: objects, workloads.
    namespaces: Mutex<HashMap<String, Namespace>>,
    /// Per object: the resourceVersion (hashed) and keyed digest of the data last read.
    digests: Mutex<HashMap<(String, ObjectKey), (u64, String)>>,
    /// Per namespace: the change set being collected.
    pending: Mutex<HashMap<String, Events>>,
    /// Namespaces whose change set is being applied.
    running: Mutex<HashSet<String>>,
    /// Namespaces selected by `--reloader-namespace-selector` (None: no selector).
    selected: Mutex<Option<HashSet<String>>>,
    /// Watches whose initial list is not complete yet.
    unsynced: AtomicUsize,
    /// Pauses with a resume armed: (namespace, Deployment, paused-at).
    pauses: Mutex<HashSet<(String, String, String)>>,
    /// Namespaces whose managed-Secret rotation batch is being applied (it takes the change set along).
    held: Arc<Mutex<HashSet<String>>>,
}

/// While alive, the engine leaves a namespace's change set to the rotation batch holding it.
pub(crate) struct Hold {
    held: Arc<Mutex<HashSet<String>>>,
    ns: String,
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.held.lock().remove(&self.ns);
    }
}

impl Engine {
    /// Whether objects of `ns` may restart anything.
    fn watches(&self, ns: &str) -> bool {
        let c = &self.config;
        if c.namespaces_to_ignore.iter().any(|n| n == ns)
            || (!c.namespaces.is_empty() && !c.namespaces.iter().any(|n| n == ns))
        {
            return false;
        }
        match &*self.selected.lock() {
            Some(set) => set.contains(ns),
            None => true,
        }
    }

    /// Adds to `ns`'s change set and starts its settle window if none is running.
    fn schedule(self: &Arc<Self>, ns: &str, change: impl FnOnce(&mut Events)) {
        if !self.watches(ns) {
            return;
        }
        let first = {
            let mut pending = self.pending.lock();
            let first = !pending.contains_key(ns);
            change(pending.entry(ns.to_string()).or_default());
            first
        };
        if first {
            let engine = self.clone();
            let ns = ns.to_string();
            tokio::spawn(async move { engine.settle_and_apply(ns).await });
        }
    }

    /// Waits for the settle window (and the initial lists), then applies `ns`'s change set; a
    /// failure keeps its events and retries after a backoff.
    async fn settle_and_apply(self: Arc<Self>, ns: String) {
        let mut failures = 0u32;
        loop {
            tokio::time::sleep(self.config.settle).await;
            // A rotation of a managed Secret waiting in this namespace takes this change set along
            // (one restart per workload for both): wait for it.
            if self.unsynced.load(Ordering::Acquire) > 0
                || self.ctx.rollouts.lock().contains_key(&ns)
                || self.held.lock().contains(&ns)
                || !self.running.lock().insert(ns.clone())
            {
                continue;
            }
            let events = self.pending.lock().remove(&ns).unwrap_or_default();
            let result = self.apply(&ns, &events, &HashMap::new()).await.map(|_| ());
            self.running.lock().remove(&ns);
            match result {
                Ok(()) => return,
                Err(e) => {
                    failures += 1;
                    tracing::warn!(namespace = %ns, error = %e, "reload change set failed; retrying");
                    let again = {
                        let mut pending = self.pending.lock();
                        let first = !pending.contains_key(&ns);
                        let p = pending.entry(ns.clone()).or_default();
                        p.created.extend(events.created);
                        p.deleted.extend(events.deleted);
                        p.updated.extend(events.updated);
                        first
                    };
                    if !again {
                        // Another settle window for this namespace is already on its way.
                        return;
                    }
                    let delay =
                        crate::core::backoff::delay(failures, super::context::random_unit());
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

/// A mutex whose lock survives a panic of another holder (the data is plain maps, always whole).
pub(crate) struct Mutex<T>(std::sync::Mutex<T>);

impl<T> Mutex<T> {
    fn new(value: T) -> Self {
        Self(std::sync::Mutex::new(value))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Engine {
    /// Holds `ns`'s change set for a rotation batch about to be applied (see [`Engine::merge_restarts`]).
    pub(crate) fn hold(&self, ns: &str) -> Hold {
        self.held.lock().insert(ns.to_string());
        Hold {
            held: self.held.clone(),
            ns: ns.to_string(),
        }
    }

    /// Applies `ns`'s pending change set now, for a rotation's batch: a workload both restart adds the
    /// rotation's operations (`extra`) to its own restart, in one patch. The workloads restarted with
    /// them; on a failure the change set stays pending and nothing is merged.
    pub(crate) async fn merge_restarts(
        self: &Arc<Self>,
        ns: &str,
        extra: &HashMap<(crate::core::reload::WorkloadType, String), Vec<serde_json::Value>>,
    ) -> HashSet<(crate::core::reload::WorkloadType, String)> {
        if self.unsynced.load(Ordering::Acquire) > 0 {
            return HashSet::new();
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !self.running.lock().insert(ns.to_string()) {
            if std::time::Instant::now() > deadline {
                return HashSet::new();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let events = self.pending.lock().remove(ns).unwrap_or_default();
        let result = self.apply(ns, &events, extra).await;
        self.running.lock().remove(ns);
        match result {
            Ok(merged) => merged,
            Err(e) => {
                tracing::warn!(namespace = %ns, error = %e, "reload change set failed; retrying");
                self.schedule(ns, |p| {
                    p.created.extend(events.created);
                    p.deleted.extend(events.deleted);
                    p.updated.extend(events.updated);
                });
                HashSet::new()
            }
        }
    }
}

/// Runs the reload engine until the process stops (returns at once when it is off).
pub async fn run(ctx: Arc<Context>) {
    let config = ctx.options.reload.clone();
    if !config.enabled {
        return;
    }
    let engine = Arc::new(Engine {
        ctx: ctx.clone(),
        config,
        namespaces: Mutex::new(HashMap::new()),
        digests: Mutex::new(HashMap::new()),
        pending: Mutex::new(HashMap::new()),
        running: Mutex::new(HashSet::new()),
        selected: Mutex::new(None),
        unsynced: AtomicUsize::new(0),
        pauses: Mutex::new(HashSet::new()),
        held: Arc::new(Mutex::new(HashSet::new())),
    });
    let _ = ctx.reload_engine.set(engine.clone());
    watches::run(engine).await;
}
