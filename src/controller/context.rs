//! State shared by every reconcile: clients, provider, metrics, Events, per-object failure counts.

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
    /// Which AWS identities and endpoints namespaced stores may use.
    pub tenancy: crate::core::access::TenancyPolicy,
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

impl Context {
    /// Publishes one Event about `reference` (note cut to 1000 characters); a failure is logged only.
    pub async fn publish(
        &self,
        reference: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) {
        let ev = Event {
            type_,
            reason: reason.into(),
            note: Some(note.chars().take(1000).collect()),
            action: action.into(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&ev, reference).await {
            tracing::warn!(object = ?reference.name, reason, error = %e, "could not publish Event");
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
    let patch = serde_json::json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": status,
    });
    api.patch_status(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
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
