//! The record of target Secrets verified intact (just written, or their digest checked), which lets a
//! reconcile skip the GET of a Secret unchanged in the metadata-only watch cache since.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
use kube::runtime::reflector::ObjectRef;

use super::{Context, cache_loaded};

/// What a managed Secret was when it was last verified: what the metadata-only watch cache (which
/// drops managedFields to save memory) does not hold.
pub(super) struct Verified {
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

impl Context {
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
}
