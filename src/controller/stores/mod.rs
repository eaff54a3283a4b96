//! Resolving stores: which store an ExternalSecret may use, and the AWS configuration it yields.

mod prefix;
pub(crate) mod status;

pub use prefix::{cached_prefix, prefix_of_id};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{ObjectRef, Store};

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use kube::api::{Api, PostParams};
use kube::{Client, ResourceExt};

use crate::api::{AwsProvider, ClusterSecretStore, SecretStore, SecretStoreRef, StoreKind};
use crate::core::access::{
    TenancyPolicy, check_store_ref, describe_store, namespace_admitted, not_admitted,
};
use crate::core::reason::{Reason, SyncError};
use crate::core::tenancy::session_tags::store_id;
use crate::core::tenancy::store_plan::{CredentialPlan, KeyRead, credential_value, plan_store};
use crate::provider::{CredentialSource, StoreConfig, TokenSource};

/// A store an ExternalSecret may use, with its resolved AWS configuration.
pub struct ResolvedStore {
    /// Stable identity, e.g. `SecretStore/team-a/aws` or `ClusterSecretStore/shared`.
    pub id: String,
    /// Client configuration.
    pub config: StoreConfig,
    /// `spec.aws.changeDetection`.
    pub change_detection: crate::api::ChangeDetection,
    /// `spec.aws.prefix` (empty: none): put before every name read by name.
    pub prefix: String,
}

impl ResolvedStore {
    /// Where values come from, for `status.syncedFrom`: the store, region, endpoint, role and
    /// credential source — names only, never a credential value or a hash of one — plus, while a
    /// failover region serves, ` (served by failover region <region>)`.
    pub fn source(&self, serving_region: &str) -> String {
        let base = self.primary_source();
        if serving_region == self.config.region || serving_region.is_empty() {
            base
        } else {
            format!("{base}{SERVED_BY}{serving_region})")
        }
    }

    /// Whether a recorded `syncedFrom` names this store configuration, whichever region served it.
    pub fn same_source(&self, recorded: Option<&str>) -> bool {
        recorded.is_some_and(|r| r.split(SERVED_BY).next() == Some(self.primary_source().as_str()))
    }

    fn primary_source(&self) -> String {
        let c = &self.config;
        let creds = match &c.credentials {
            CredentialSource::Default => "controller identity".to_string(),
            CredentialSource::Static { .. } => "static keys".to_string(),
            CredentialSource::WebIdentity {
                service_account, ..
            } => format!("web identity of {service_account}"),
        };
        // The role the store acts as (the chain's last), then, with a chain, the roles before it.
        let roles = c.roles.roles();
        let role = match roles.split_last() {
            None => "none".to_string(),
            Some((last, [])) => last.to_string(),
            Some((last, before)) => format!("{last} via {}", before.join(",")),
        };
        format!(
            "{} region={} endpoint={} role={role} credentials={creds}",
            self.id,
            c.region,
            c.endpoint.as_deref().unwrap_or("default"),
        )
    }
}

/// What `syncedFrom` adds while a failover region serves.
const SERVED_BY: &str = " (served by failover region ";

/// Watch caches of what store resolution reads, and resolved configurations (credentials are re-read
/// when the store's spec changes, or after [`CONFIG_TTL`] so a rotated credentials Secret is picked up).
/// Concurrent reconciles that miss the same configuration wait for one resolution (one read of the
/// credentials Secret, not one per reconcile).
#[derive(Default)]
pub struct StoreCaches {
    /// SecretStores.
    pub secret_stores: std::sync::OnceLock<Store<SecretStore>>,
    /// ClusterSecretStores.
    pub cluster_stores: std::sync::OnceLock<Store<ClusterSecretStore>>,
    /// Namespace metadata (labels for ClusterSecretStore conditions).
    pub namespaces: std::sync::OnceLock<Store<PartialObjectMeta<Namespace>>>,
    configs: std::sync::Mutex<HashMap<String, (String, Instant, StoreConfig)>>,
    /// One lock per store id, held while its configuration is being resolved.
    resolving: std::sync::Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

/// How long a resolved store configuration (with the credentials it read) is reused.
pub const CONFIG_TTL: Duration = Duration::from_secs(600);

impl StoreCaches {
    fn config(&self, id: &str, version: &str) -> Option<StoreConfig> {
        let configs = self.configs.lock().unwrap_or_else(|p| p.into_inner());
        configs
            .get(id)
            .filter(|(v, at, _)| v == version && at.elapsed() < CONFIG_TTL)
            .map(|(_, _, c)| c.clone())
    }

    fn resolving(&self, id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        self.resolving
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id.to_string())
            .or_default()
            .clone()
    }

    /// The configuration of store `id` at spec `version`: cached while younger than [`CONFIG_TTL`],
    /// else `resolve`d once (concurrent callers wait for that resolution; a failure is not cached).
    pub async fn cached_config(
        &self,
        id: &str,
        version: &str,
        resolve: impl std::future::Future<Output = Result<StoreConfig, SyncError>>,
    ) -> Result<StoreConfig, SyncError> {
        if let Some(c) = self.config(id, version) {
            return Ok(c);
        }
        let lock = self.resolving(id);
        let _resolving = lock.lock().await;
        if let Some(c) = self.config(id, version) {
            return Ok(c);
        }
        let c = resolve.await?;
        self.remember(id, version, &c);
        Ok(c)
    }

    fn remember(&self, id: &str, version: &str, config: &StoreConfig) {
        self.configs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                id.to_string(),
                (version.to_string(), Instant::now(), config.clone()),
            );
    }
}

/// What identifies a store's spec: its generation (a status write does not change it), else its
/// resourceVersion.
pub fn spec_version(meta: &kube::api::ObjectMeta) -> String {
    match meta.generation {
        Some(g) => format!("g{g}"),
        None => meta.resource_version.clone().unwrap_or_default(),
    }
}

/// A cached object, or a GET when the cache does not have it (yet).
async fn cached_or_get<K>(
    cache: Option<&Store<K>>,
    api: Api<K>,
    name: &str,
    namespace: Option<&str>,
    what: &str,
) -> Result<Option<K>, SyncError>
where
    K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let key = match namespace {
        Some(ns) => ObjectRef::new(name).within(ns),
        None => ObjectRef::new(name),
    };
    if let Some(hit) = cache.and_then(|c| c.get(&key)) {
        return Ok(Some((*hit).clone()));
    }
    api.get_opt(name)
        .await
        .map_err(|e| SyncError::kubernetes(&format!("reading the {what}"), e))
}

/// Whether an ExternalSecret in `es_namespace` may still use the ClusterSecretStore `store_ref` names,
/// from the caches (no AWS call): checked on every reconcile, so a store whose conditions stop
/// admitting the namespace is reported at once rather than at the next refresh. A SecretStore
/// reference, or a store that is not found, passes here (the read resolves it and says why).
pub async fn still_admitted(
    client: &Client,
    caches: &StoreCaches,
    es_namespace: &str,
    store_ref: &SecretStoreRef,
) -> Result<(), SyncError> {
    check_store_ref(es_namespace, store_ref)?;
    if store_ref.kind != StoreKind::ClusterSecretStore {
        return Ok(());
    }
    match cluster_store(client, caches, &store_ref.name).await? {
        Some(store) => check_admitted(client, caches, &store, es_namespace).await,
        None => Ok(()),
    }
}

/// The ClusterSecretStore `name`, from the cache (or the API server while it is not loaded).
async fn cluster_store(
    client: &Client,
    caches: &StoreCaches,
    name: &str,
) -> Result<Option<ClusterSecretStore>, SyncError> {
    cached_or_get(
        caches.cluster_stores.get(),
        Api::<ClusterSecretStore>::all(client.clone()),
        name,
        None,
        "ClusterSecretStore",
    )
    .await
}

/// Whether `store`'s conditions admit `es_namespace` (its labels from the cache).
async fn check_admitted(
    client: &Client,
    caches: &StoreCaches,
    store: &ClusterSecretStore,
    es_namespace: &str,
) -> Result<(), SyncError> {
    let labels = cached_or_get(
        caches.namespaces.get(),
        Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
        es_namespace,
        None,
        "namespace's labels",
    )
    .await?
    .map(|n| n.labels().clone())
    .unwrap_or_default();
    if namespace_admitted(&store.spec.conditions, es_namespace, &labels) {
        Ok(())
    } else {
        Err(not_admitted(&store.name_any(), es_namespace))
    }
}

/// Finds the store `store_ref` names, enforcing namespace isolation and the tenancy policy before
/// anything else. Stores, namespaces and resolved configurations come from caches; no AWS call.
pub async fn resolve_for(
    client: &Client,
    caches: &StoreCaches,
    es_namespace: &str,
    store_ref: &SecretStoreRef,
    policy: &TenancyPolicy,
) -> Result<ResolvedStore, SyncError> {
    check_store_ref(es_namespace, store_ref)?;
    let (name, version, aws, store_namespace) = match store_ref.kind {
        StoreKind::SecretStore => {
            let store = cached_or_get(
                caches.secret_stores.get(),
                Api::<SecretStore>::namespaced(client.clone(), es_namespace),
                &store_ref.name,
                Some(es_namespace),
                "SecretStore",
            )
            .await?
            .ok_or_else(|| {
                SyncError::new(
                    Reason::StoreNotFound,
                    format!(
                        "{} not found in namespace {es_namespace:?}",
                        describe_store(store_ref)
                    ),
                )
            })?;
            (
                store.name_any(),
                spec_version(&store.metadata),
                store.spec.aws,
                Some(es_namespace),
            )
        }
        StoreKind::ClusterSecretStore => {
            let store = cluster_store(client, caches, &store_ref.name)
                .await?
                .ok_or_else(|| {
                    SyncError::new(
                        Reason::StoreNotFound,
                        format!("{} not found", describe_store(store_ref)),
                    )
                })?;
            check_admitted(client, caches, &store, es_namespace).await?;
            (
                store.name_any(),
                spec_version(&store.metadata),
                store.spec.aws,
                None,
            )
        }
    };
    // Referent credentials or session tags naming the reader: one store per namespace (its own
    // clients and sessions, listings and caches; nothing shared between namespaces).
    let id = store_id(store_ref.kind, &name, es_namespace, &aws);
    let config = caches
        .cached_config(
            &id,
            &version,
            provider_config(
                client,
                &aws,
                &name,
                store_namespace,
                Some(es_namespace),
                policy,
            ),
        )
        .await?;
    Ok(ResolvedStore {
        id,
        config,
        change_detection: aws.change_detection,
        prefix: aws.prefix.unwrap_or_default(),
    })
}

/// Reads one credential the store's plan names.
async fn read_key(client: &Client, read: &KeyRead) -> Result<String, SyncError> {
    let api: Api<Secret> = Api::namespaced(client.clone(), &read.namespace);
    let secret = api
        .get_opt(&read.name)
        .await
        .map_err(|e| SyncError::kubernetes("reading the credentials Secret", e))?;
    credential_value(secret.as_ref().map(|s| s.data.as_ref()), read)
}

/// Turns a store's `aws` block into a client configuration: [`plan_store`] checks it (the tenancy
/// policy included) before anything is read; then the credentials it names are read.
pub async fn provider_config(
    client: &Client,
    aws: &AwsProvider,
    store_name: &str,
    store_namespace: Option<&str>,
    reader_namespace: Option<&str>,
    policy: &TenancyPolicy,
) -> Result<StoreConfig, SyncError> {
    let plan = plan_store(aws, store_name, store_namespace, reader_namespace, policy)?;
    let credentials = match plan.credentials {
        CredentialPlan::Default => CredentialSource::Default,
        CredentialPlan::Static {
            access_key_id,
            secret_access_key,
            session_token,
        } => CredentialSource::Static {
            access_key_id: read_key(client, &access_key_id).await?,
            secret_access_key: read_key(client, &secret_access_key).await?,
            session_token: match &session_token {
                Some(read) => Some(read_key(client, read).await?),
                None => None,
            },
        },
        CredentialPlan::WebIdentity {
            namespace,
            name,
            audiences,
        } => {
            let api: Api<ServiceAccount> = Api::namespaced(client.clone(), &namespace);
            if api
                .get_opt(&name)
                .await
                .map_err(|e| SyncError::kubernetes("reading the ServiceAccount", e))?
                .is_none()
            {
                return Err(SyncError::new(
                    Reason::StoreNotReady,
                    format!("auth.serviceAccountRef: ServiceAccount {namespace}/{name} not found"),
                ));
            }
            CredentialSource::WebIdentity {
                service_account: format!("{namespace}/{name}"),
                tokens: token_source(api, name, audiences),
            }
        }
    };
    Ok(StoreConfig {
        region: aws.region.clone(),
        endpoint: aws.endpoint.clone(),
        roles: plan.roles,
        credentials,
        max_requests_per_second: aws.max_requests_per_second(),
        failover: plan.failover,
        service: aws.service,
        retry: plan.retry,
    })
}

fn token_source(api: Api<ServiceAccount>, name: String, audiences: Vec<String>) -> TokenSource {
    Arc::new(move || {
        let api = api.clone();
        let name = name.clone();
        let audiences = audiences.clone();
        Box::pin(async move {
            let req = TokenRequest {
                spec: TokenRequestSpec {
                    audiences,
                    expiration_seconds: Some(3600),
                    ..Default::default()
                },
                ..Default::default()
            };
            let out = api
                .create_token_request(&name, &PostParams::default(), &req)
                .await
                .map_err(|e| format!("TokenRequest for ServiceAccount {name}: {e}"))?;
            out.status
                .map(|s| s.token)
                .ok_or_else(|| format!("TokenRequest for ServiceAccount {name} returned no token"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::{AtomicUsize, Ordering};

    fn config(region: &str) -> StoreConfig {
        StoreConfig {
            region: region.into(),
            endpoint: None,
            roles: Default::default(),
            credentials: crate::provider::CredentialSource::Default,
            max_requests_per_second: 1,
            failover: Vec::new(),
            service: Default::default(),
            retry: Default::default(),
        }
    }

    #[tokio::test]
    async fn concurrent_misses_resolve_once_and_failures_are_not_kept() {
        let caches = StoreCaches::default();
        let resolved = AtomicUsize::new(0);
        let resolve = |region: &'static str| {
            let resolved = &resolved;
            async move {
                resolved.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok(config(region))
            }
        };
        let all = futures::future::join_all(
            (0..20).map(|_| caches.cached_config("SecretStore/a/s", "g1", resolve("eu-west-1"))),
        )
        .await;
        assert!(
            all.iter()
                .all(|c| c.as_ref().is_ok_and(|c| c.region == "eu-west-1"))
        );
        assert_eq!(
            resolved.load(Ordering::SeqCst),
            1,
            "one resolution for 20 callers"
        );
        // A new spec (generation) resolves again; another store has its own entry.
        let c = caches
            .cached_config("SecretStore/a/s", "g2", resolve("us-east-1"))
            .await;
        assert_eq!(c.map(|c| c.region).ok().as_deref(), Some("us-east-1"));
        assert_eq!(resolved.load(Ordering::SeqCst), 2);
        // A failure is returned and not cached: the next call resolves again.
        let failed = caches
            .cached_config("SecretStore/a/other", "g1", async {
                Err(SyncError::new(
                    Reason::StoreNotReady,
                    "credentials Secret not found",
                ))
            })
            .await;
        assert!(failed.is_err());
        let c = caches
            .cached_config("SecretStore/a/other", "g1", resolve("eu-central-1"))
            .await;
        assert!(c.is_ok());
    }

    #[test]
    fn the_spec_version_ignores_status_writes() {
        let meta = |generation: Option<i64>, rv: &str| kube::api::ObjectMeta {
            generation,
            resource_version: Some(rv.into()),
            ..Default::default()
        };
        assert_eq!(
            spec_version(&meta(Some(3), "100")),
            spec_version(&meta(Some(3), "101"))
        );
        assert_ne!(
            spec_version(&meta(Some(3), "100")),
            spec_version(&meta(Some(4), "100"))
        );
        assert_ne!(
            spec_version(&meta(None, "100")),
            spec_version(&meta(None, "101"))
        );
    }
}
