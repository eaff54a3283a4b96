//! Resolving stores: which store an ExternalSecret may use, and the AWS configuration it yields.

pub(crate) mod status;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{ObjectRef, Store};

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use kube::api::{Api, PostParams};
use kube::{Client, ResourceExt};

use crate::api::{
    AwsProvider, ClusterSecretStore, ROLE_ARN_PATTERN, SecretKeySelector, SecretStore,
    SecretStoreRef, StoreKind,
};
use crate::core::access::{
    CredentialRef, StoreIdentity, StoreScope, TenancyPolicy, check_identity, check_store_ref,
    describe_store, namespace_admitted, not_admitted,
};
use crate::core::credentials::check_credential;
use crate::core::reason::{Reason, SyncError};
use crate::provider::{CredentialSource, StoreConfig, TokenSource};

/// The role-ARN pattern, compiled once.
static ROLE_ARN: std::sync::LazyLock<Result<regex::Regex, regex::Error>> =
    std::sync::LazyLock::new(|| regex::Regex::new(ROLE_ARN_PATTERN));

/// Audience of ServiceAccount tokens exchanged with STS.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// A store an ExternalSecret may use, with its resolved AWS configuration.
pub struct ResolvedStore {
    /// Stable identity, e.g. `SecretStore/team-a/aws` or `ClusterSecretStore/shared`.
    pub id: String,
    /// Client configuration.
    pub config: StoreConfig,
    /// `spec.aws.changeDetection`.
    pub change_detection: crate::api::ChangeDetection,
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
        format!(
            "{} region={} endpoint={} role={} credentials={creds}",
            self.id,
            c.region,
            c.endpoint.as_deref().unwrap_or("default"),
            c.role.as_deref().unwrap_or("none"),
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
    let (id, version, aws, store_namespace) = match store_ref.kind {
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
                format!("SecretStore/{es_namespace}/{}", store.name_any()),
                spec_version(&store.metadata),
                store.spec.aws,
                Some(es_namespace),
            )
        }
        StoreKind::ClusterSecretStore => {
            let store = cached_or_get(
                caches.cluster_stores.get(),
                Api::<ClusterSecretStore>::all(client.clone()),
                &store_ref.name,
                None,
                "ClusterSecretStore",
            )
            .await?
            .ok_or_else(|| {
                SyncError::new(
                    Reason::StoreNotFound,
                    format!("{} not found", describe_store(store_ref)),
                )
            })?;
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
            if !namespace_admitted(&store.spec.conditions, es_namespace, &labels) {
                return Err(not_admitted(&store_ref.name, es_namespace));
            }
            (
                format!("ClusterSecretStore/{}", store.name_any()),
                spec_version(&store.metadata),
                store.spec.aws,
                None,
            )
        }
    };
    let config = caches
        .cached_config(
            &id,
            &version,
            provider_config(client, &aws, store_namespace, policy),
        )
        .await?;
    Ok(ResolvedStore {
        id,
        config,
        change_detection: aws.change_detection,
    })
}

/// What an AWS region name looks like (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`).
static REGION: std::sync::LazyLock<Result<regex::Regex, regex::Error>> =
    std::sync::LazyLock::new(|| regex::Regex::new(crate::api::REGION_PATTERN));

fn not_ready(message: String) -> SyncError {
    SyncError::new(Reason::StoreNotReady, message)
}

/// The namespace a credential reference reads from: the store's own for a SecretStore,
/// the named one (required) for a ClusterSecretStore.
fn ref_namespace(
    store_namespace: Option<&str>,
    explicit: Option<&str>,
    what: &str,
) -> Result<String, SyncError> {
    match (store_namespace, explicit) {
        (Some(own), None) => Ok(own.to_string()),
        (Some(own), Some(ns)) if ns == own => Ok(own.to_string()),
        (Some(_), Some(ns)) => Err(not_ready(format!(
            "{what} names namespace {ns:?}; a SecretStore reads credentials only from its own namespace"
        ))),
        (None, Some(ns)) => Ok(ns.to_string()),
        (None, None) => Err(not_ready(format!(
            "{what} must name a namespace in a ClusterSecretStore"
        ))),
    }
}

async fn read_key(
    client: &Client,
    store_namespace: Option<&str>,
    sel: &SecretKeySelector,
    what: &str,
) -> Result<String, SyncError> {
    let ns = ref_namespace(store_namespace, sel.namespace.as_deref(), what)?;
    let api: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let secret = api
        .get_opt(&sel.name)
        .await
        .map_err(|e| SyncError::kubernetes("reading the credentials Secret", e))?
        .ok_or_else(|| not_ready(format!("{what}: Secret {ns}/{} not found", sel.name)))?;
    let bytes = secret
        .data
        .as_ref()
        .and_then(|d| d.get(&sel.key))
        .ok_or_else(|| {
            not_ready(format!(
                "{what}: Secret {ns}/{} has no key {:?}",
                sel.name, sel.key
            ))
        })?;
    let text = std::str::from_utf8(&bytes.0).map_err(|_| {
        not_ready(format!(
            "{what}: key {:?} of Secret {ns}/{} is not UTF-8",
            sel.key, sel.name
        ))
    })?;
    let text = text.trim();
    check_credential(what, text)?;
    Ok(text.to_string())
}

/// Turns a store's `aws` block into a client configuration, reading referenced credentials.
/// `store_namespace` is the namespace of a SecretStore (None for a ClusterSecretStore); the
/// tenancy policy is checked before anything is read.
pub async fn provider_config(
    client: &Client,
    aws: &AwsProvider,
    store_namespace: Option<&str>,
    policy: &TenancyPolicy,
) -> Result<StoreConfig, SyncError> {
    if let Some(role) = &aws.role
        && !ROLE_ARN.as_ref().is_ok_and(|re| re.is_match(role))
    {
        return Err(not_ready(format!("role {role:?} is not an IAM role ARN")));
    }
    // The CRD checks these too; objects stored before it did are refused here.
    let regions = [
        ("spec.aws.region", Some(aws.region.as_str())),
        (
            "spec.aws.events.region",
            aws.events.as_ref().and_then(|e| e.region.as_deref()),
        ),
    ];
    for (field, region) in regions {
        if let Some(region) = region
            && !REGION.as_ref().is_ok_and(|re| re.is_match(region))
        {
            return Err(not_ready(format!(
                "{field}: {region:?} is not an AWS region name"
            )));
        }
    }
    let failover = failover_regions(aws)?;
    let auth = aws.auth.as_ref();
    let credentials = match (
        auth.and_then(|a| a.secret_ref.as_ref()),
        auth.and_then(|a| a.service_account_ref.as_ref()),
    ) {
        (None, None) => CredentialRef::None,
        (Some(_), None) => CredentialRef::SecretRef,
        (None, Some(_)) => CredentialRef::ServiceAccountRef,
        (Some(_), Some(_)) => {
            return Err(not_ready(
                "set only one of auth.secretRef and auth.serviceAccountRef".into(),
            ));
        }
    };
    // Every endpoint the store's credentials go to (failover regions, the event queue's) gets the same
    // tenancy check as the primary's.
    let endpoints = std::iter::once(aws.endpoint.as_deref())
        .chain(failover.iter().map(|(_, e)| e.as_deref()))
        .chain(std::iter::once(
            aws.events.as_ref().and_then(|e| e.endpoint.as_deref()),
        ));
    for endpoint in endpoints {
        check_identity(
            &StoreIdentity {
                scope: match store_namespace {
                    Some(_) => StoreScope::Namespaced,
                    None => StoreScope::Cluster,
                },
                credentials,
                role: aws.role.is_some(),
                endpoint,
                sts_audience_only: auth
                    .and_then(|a| a.service_account_ref.as_ref())
                    .is_none_or(|sa| sa.audiences.iter().all(|a| a == STS_AUDIENCE)),
            },
            policy,
        )?;
    }
    let credentials = match (
        auth.and_then(|a| a.secret_ref.as_ref()),
        auth.and_then(|a| a.service_account_ref.as_ref()),
    ) {
        (Some(r), None) => CredentialSource::Static {
            access_key_id: read_key(
                client,
                store_namespace,
                &r.access_key_id,
                "auth.secretRef.accessKeyId",
            )
            .await?,
            secret_access_key: read_key(
                client,
                store_namespace,
                &r.secret_access_key,
                "auth.secretRef.secretAccessKey",
            )
            .await?,
            session_token: match &r.session_token {
                Some(sel) => Some(
                    read_key(client, store_namespace, sel, "auth.secretRef.sessionToken").await?,
                ),
                None => None,
            },
        },
        (None, Some(sa)) => {
            let ns = ref_namespace(
                store_namespace,
                sa.namespace.as_deref(),
                "auth.serviceAccountRef",
            )?;
            let api: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns);
            if api
                .get_opt(&sa.name)
                .await
                .map_err(|e| SyncError::kubernetes("reading the ServiceAccount", e))?
                .is_none()
            {
                return Err(not_ready(format!(
                    "auth.serviceAccountRef: ServiceAccount {ns}/{} not found",
                    sa.name
                )));
            }
            let audiences = if sa.audiences.is_empty() {
                vec![STS_AUDIENCE.to_string()]
            } else {
                sa.audiences.clone()
            };
            CredentialSource::WebIdentity {
                service_account: format!("{ns}/{}", sa.name),
                tokens: token_source(api, sa.name.clone(), audiences),
            }
        }
        (None, None) => CredentialSource::Default,
        // Refused above already; kept so that no combination falls back to the default chain.
        (Some(_), Some(_)) => {
            return Err(not_ready(
                "set only one of auth.secretRef and auth.serviceAccountRef".into(),
            ));
        }
    };
    Ok(StoreConfig {
        region: aws.region.clone(),
        endpoint: aws.endpoint.clone(),
        role: aws.role.clone(),
        external_id: aws.external_id.clone(),
        credentials,
        max_requests_per_second: aws.max_requests_per_second(),
        failover,
        service: aws.service,
    })
}

/// `spec.aws.failoverRegions` as (region, endpoint) pairs, or the first entry that is not usable.
pub fn failover_regions(aws: &AwsProvider) -> Result<Vec<(String, Option<String>)>, SyncError> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (i, entry) in aws.failover_regions.iter().enumerate() {
        let field = format!("spec.aws.failoverRegions[{i}]");
        let Some((region, endpoint)) = entry.resolve(aws.endpoint.as_deref()) else {
            return Err(not_ready(format!(
                "{field} must be a region name or {{region, endpoint}} (no other fields)"
            )));
        };
        if !REGION.as_ref().is_ok_and(|re| re.is_match(region)) {
            return Err(not_ready(format!(
                "{field}: {region:?} is not an AWS region name"
            )));
        }
        if let Some(e) = endpoint
            && !(e.starts_with("https://") || e.starts_with("http://"))
        {
            return Err(not_ready(format!(
                "{field}: endpoint {e:?} must start with https:// or http://"
            )));
        }
        // Regions are told apart by name (status, metrics, the replica ARNs): the primary's region
        // under another endpoint would be a second primary that the failover guard could not tell
        // from the first.
        if region == aws.region {
            return Err(not_ready(format!(
                "{field}: {region} is already the primary region; failover entries must name other \
                 regions (whatever their endpoint)"
            )));
        }
        if out.iter().any(|(r, _)| r == region) {
            return Err(not_ready(format!(
                "{field}: region {region} is already listed before; each region at most once"
            )));
        }
        out.push((region.to_string(), endpoint.map(String::from)));
    }
    Ok(out)
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

    /// Every kind of `failoverRegions` entry: usable ones in order, and the first refused one named.
    #[test]
    fn region_names_of_every_partition_match_and_hosts_do_not() {
        let re = match &*REGION {
            Ok(re) => re,
            Err(e) => panic!("REGION_PATTERN: {e}"),
        };
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-5",
            "us-isob-east-1",
            "eusc-de-east-1",
        ] {
            assert!(re.is_match(ok), "{ok}");
        }
        for bad in [
            "x@127.0.0.1:1/",
            "us-east",
            "US-EAST-1",
            "us-east-1.",
            "",
            "useast1",
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn failover_entries_name_other_regions_once_each() {
        use crate::api::{FailoverRegion, RegionEndpoint};
        let name = |r: &str| FailoverRegion::Name(r.into());
        let with = |r: &str, e: Option<&str>| {
            FailoverRegion::WithEndpoint(RegionEndpoint {
                region: r.into(),
                endpoint: e.map(String::from),
            })
        };
        let x = Some("http://127.0.0.1:9");
        // (entries, store endpoint, Ok(regions) or the words the refusal must contain)
        type Case<'a> = (
            Vec<FailoverRegion>,
            Option<&'a str>,
            Result<Vec<&'a str>, &'a str>,
        );
        let cases: Vec<Case> = vec![
            (vec![], None, Ok(vec![])),
            (
                vec![name("us-west-2"), with("eu-west-1", x)],
                None,
                Ok(vec!["us-west-2", "eu-west-1"]),
            ),
            // Issue 20 #2: the primary's region under another endpoint.
            (
                vec![with("us-east-1", x)],
                None,
                Err("failoverRegions[0]: us-east-1 is already the primary region"),
            ),
            (
                vec![name("us-west-2"), with("us-east-1", x)],
                x,
                Err("failoverRegions[1]: us-east-1 is already the primary region"),
            ),
            (
                vec![name("us-east-1")],
                x,
                Err("is already the primary region"),
            ),
            // The same region twice, with or without another endpoint.
            (
                vec![name("us-west-2"), with("us-west-2", x)],
                None,
                Err("failoverRegions[1]: region us-west-2 is already listed before"),
            ),
            (
                vec![
                    with("us-west-2", x),
                    with("us-west-2", Some("http://127.0.0.1:8")),
                ],
                None,
                Err("already listed before"),
            ),
            (
                vec![name("us-west-2"), name("us-west-2")],
                None,
                Err("already listed before"),
            ),
            (
                vec![name("x@host:1")],
                None,
                Err("is not an AWS region name"),
            ),
            (
                vec![with("us-west-2", Some("ftp://h"))],
                None,
                Err("must start with https:// or http://"),
            ),
            (
                vec![FailoverRegion::Invalid(serde_json::json!(42))],
                None,
                Err("must be a region name"),
            ),
        ];
        for (entries, endpoint, want) in cases {
            let aws = AwsProvider {
                region: "us-east-1".into(),
                endpoint: endpoint.map(String::from),
                failover_regions: entries.clone(),
                ..Default::default()
            };
            match (failover_regions(&aws), want) {
                (Ok(got), Ok(want)) => assert_eq!(
                    got.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
                    want,
                    "{entries:?}"
                ),
                (Err(e), Err(words)) => {
                    assert!(e.message.contains(words), "{entries:?}: {}", e.message)
                }
                (got, want) => panic!("{entries:?}: got {got:?}, want {want:?}"),
            }
        }
    }
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn config(region: &str) -> StoreConfig {
        StoreConfig {
            region: region.into(),
            endpoint: None,
            role: None,
            external_id: None,
            credentials: crate::provider::CredentialSource::Default,
            max_requests_per_second: 1,
            failover: Vec::new(),
            service: Default::default(),
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
                Err(not_ready("credentials Secret not found".into()))
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
