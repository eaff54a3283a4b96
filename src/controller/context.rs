//! State shared by every reconcile: clients, provider, metrics, Events, per-object failure counts.

use std::collections::HashMap;
use std::sync::Mutex;

use kube::Client;
use kube::runtime::events::{Recorder, Reporter};

use crate::metrics::Metrics;
use crate::provider::Provider;

/// Options of the controller process that reconciles read.
#[derive(Debug, Clone)]
pub struct Options {
    /// Restrict the controller to one namespace (None: all namespaces).
    pub namespace: Option<String>,
    /// Reconciles that may run at once per resource kind.
    pub concurrency: u16,
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
    pub recorder: Recorder,
    /// Key of the HMAC digest annotation.
    pub digest_key: Vec<u8>,
    /// Process options.
    pub options: Options,
    failures: Mutex<HashMap<String, u32>>,
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
        let recorder = Recorder::new(
            client.clone(),
            Reporter {
                controller: "secretsync".into(),
                instance,
            },
        );
        Self {
            provider: Provider::new(metrics.clone()),
            client,
            metrics,
            recorder,
            digest_key,
            options,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one more consecutive failure of `key`; returns the count.
    pub fn record_failure(&self, key: &str) -> u32 {
        let mut f = self.lock();
        let n = f.entry(key.to_string()).or_insert(0);
        *n = n.saturating_add(1);
        *n
    }

    /// Forgets failure counts of objects that no longer exist.
    pub fn retain_failures(&self, alive: &std::collections::HashSet<String>) {
        self.lock().retain(|k, _| alive.contains(k));
    }

    /// Resets `key`'s failure count after a success.
    pub fn record_success(&self, key: &str) {
        self.lock().remove(key);
    }
}

/// A number in [0, 1) for jitter.
pub fn random_unit() -> f64 {
    rand::random::<f64>()
}
