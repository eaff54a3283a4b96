//! The AWS shell: every read of a secret service goes through [`Provider`], which keeps one client per
//! store configuration and a value cache shared by all ExternalSecrets, keyed by (store, secret, version).
//! The service itself is a backend behind one interface (see [`backend`]): Secrets Manager
//! (`secrets_manager`, `listing`) and Parameter Store (`parameters`, `parameter_store`).

mod assume_role;
pub mod backend;
pub mod batch;
mod cache;
mod certificate_manager;
mod certificates;
mod client;
mod error;
mod index;
mod listing;
pub mod parameter_store;
mod parameters;
pub mod queue;
mod rate_limit;
pub mod regions;
mod secrets_manager;
mod web_identity;

use backend::Backend;
pub use backend::{Detect, Detected, Hints, references};
pub use cache::ValueCache;
pub use client::{CredentialSource, StoreConfig};
pub use error::{ProviderError, ProviderErrorKind};
pub use index::Listing;
use index::VersionIndex;
pub use rate_limit::{
    DEFAULT_MAX_REQUESTS_PER_SECOND, DEFAULT_PARAMETER_STORE_REQUESTS_PER_SECOND, RateLimiter,
    TokenBucket,
};
pub use web_identity::TokenSource;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_secretsmanager::Client as SmClient;

use crate::core::deletion::RemoteState;
#[cfg(test)]
use crate::core::remote::{RemoteSecret, VersionSelector};
use crate::metrics::Metrics;

/// Largest page ListSecrets returns (enforced here; some emulators ignore it).
const LIST_PAGE_SIZE: i32 = 100;

/// A store's client together with the identity its cached values are filed under.
#[derive(Clone)]
pub struct StoreClient {
    /// The service read, with its primary region and any failover regions.
    backend: Backend,
    /// Identity of (store, configuration): values cached for one never serve another.
    scope: Arc<str>,
    /// Client-side rate limit of this store configuration, shared by every clone.
    limiter: Arc<RateLimiter>,
}

impl StoreClient {
    /// Wraps an existing client with the default rate limit (tests inject mocked clients this way).
    pub fn from_client(client: SmClient, scope: &str) -> Self {
        Self::with_rate_limit(client, scope, DEFAULT_MAX_REQUESTS_PER_SECOND)
    }

    /// Wraps an existing client limited to `per_second` AWS requests per second.
    pub fn with_rate_limit(client: SmClient, scope: &str, per_second: u32) -> Self {
        Self {
            backend: Backend::SecretsManager(Arc::new(regions::Regions::new(
                client,
                "primary",
                Vec::new(),
            ))),
            scope: scope.into(),
            limiter: Arc::new(RateLimiter::new(per_second)),
        }
    }

    /// A Parameter Store client (tests inject mocked clients this way).
    pub fn parameter_store(client: aws_sdk_ssm::Client, scope: &str) -> Self {
        Self {
            backend: Backend::ParameterStore(Arc::new(regions::Regions::new(
                parameter_store::ParameterStore::new(client),
                "primary",
                Vec::new(),
            ))),
            scope: scope.into(),
            limiter: Arc::new(RateLimiter::new(DEFAULT_MAX_REQUESTS_PER_SECOND)),
        }
    }

    /// A Certificate Manager client (tests inject mocked clients this way).
    pub fn certificate_manager(client: aws_sdk_acm::Client, scope: &str) -> Self {
        Self {
            backend: Backend::CertificateManager(Arc::new(regions::Regions::new(
                certificate_manager::CertificateManager::new(client),
                "primary",
                Vec::new(),
            ))),
            scope: scope.into(),
            limiter: Arc::new(RateLimiter::new(DEFAULT_MAX_REQUESTS_PER_SECOND)),
        }
    }

    /// The name of the service this store reads, for messages.
    pub fn service_name(&self) -> &'static str {
        self.backend.service_name()
    }

    /// The region serving reads now (the primary unless failed over).
    pub fn serving_region(&self) -> &str {
        self.backend.regions().serving()
    }

    /// Whether reads come from a failover region now (by position, not by region name).
    pub fn failed_over(&self) -> bool {
        !self.backend.regions().serving_primary()
    }

    /// Whether any answer of this store configuration so far may have come from a failover region
    /// without saying so (so a version it read, listed or described may come from a replica that is
    /// behind): the failover guard then asks for evidence. Parameter Store answers of a failover
    /// region carry the region in their version identity instead (see [`backend`]).
    pub fn replica_may_have_answered(&self) -> bool {
        self.backend.unmarked_failover_answers()
    }

    /// Region switches not yet reported; each is handed out once, to one caller.
    pub fn take_region_switches(&self) -> Vec<regions::RegionSwitch> {
        self.backend.regions().take_switches()
    }

    /// The store id part of the scope (`SecretStore/ns/name`, `ClusterSecretStore/name`), without
    /// the configuration fingerprint: a metric label bounded by the number of stores.
    pub fn store_label(&self) -> &str {
        store_label(&self.scope)
    }

    /// Waits for the store configuration's rate limit before one AWS request.
    async fn pace(&self) {
        self.limiter.acquire().await;
    }
}

/// 32 random bytes (all zero only if the system has no randomness: fingerprints stay keyed per
/// process by [`Provider::with_fingerprint_key`] in the controller).
fn random_key() -> Vec<u8> {
    let mut key = vec![0u8; 32];
    let _ = aws_lc_rs::rand::fill(&mut key);
    key
}

/// The part of a client scope (`<store id>#<fingerprint>`) before `#`.
fn store_label(scope: &str) -> &str {
    scope.split_once('#').map_or(scope, |(id, _)| id)
}

/// Reads Secrets Manager for every store, with clients built once per configuration.
pub struct Provider {
    clients: Mutex<HashMap<StoreConfig, StoreClient>>,
    cache: ValueCache,
    index: VersionIndex,
    batches: batch::Batches,
    parameter_batches: batch::Batches,
    metrics: Metrics,
    /// Estimated USD per AWS call, for `secretsync_aws_estimated_cost_usd_total`.
    price_per_call: f64,
    /// Key of certificates' fingerprints (their version identity; see [`crate::core::certificate`]).
    fingerprint_key: Vec<u8>,
}

/// Secrets Manager's list price per 10,000 API calls, in USD.
pub const DEFAULT_PRICE_PER_10K_CALLS: f64 = 0.05;

impl Provider {
    /// A provider with an empty client map and value cache, pricing calls at the list price.
    pub fn new(metrics: Metrics) -> Self {
        Self {
            clients: Mutex::new(HashMap::new()),
            cache: ValueCache::new(10_000),
            index: VersionIndex::default(),
            batches: batch::Batches::new(batch::MAX_BATCH),
            parameter_batches: batch::Batches::new(batch::MAX_PARAMETERS),
            metrics,
            price_per_call: DEFAULT_PRICE_PER_10K_CALLS / 10_000.0,
            fingerprint_key: random_key(),
        }
    }

    /// Keys certificates' fingerprints with a key derived from `secret` (the digest key: fingerprints
    /// then survive restarts, so a restart exports nothing).
    pub fn with_fingerprint_key(mut self, secret: &[u8]) -> Self {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
        self.fingerprint_key = aws_lc_rs::hmac::sign(&key, b"secretsync certificate fingerprint")
            .as_ref()
            .to_vec();
        self
    }

    /// Prices each AWS call at `usd_per_10k` / 10,000 in the estimated-cost metric.
    pub fn with_price_per_10k_calls(mut self, usd_per_10k: f64) -> Self {
        self.price_per_call = usd_per_10k / 10_000.0;
        self
    }

    /// The client for a store configuration, built on first use and reused afterwards (credentials
    /// are cached by the SDK and refreshed before they expire).
    pub async fn client(&self, store_id: &str, config: &StoreConfig) -> StoreClient {
        if let Some(c) = self.lock_clients().get(config) {
            return c.clone();
        }
        let scope: Arc<str> = format!("{store_id}#{}", config.fingerprint()).into();
        let limiter = Arc::new(RateLimiter::new(config.max_requests_per_second));
        let sc = StoreClient {
            backend: Backend::build(config).await,
            scope,
            limiter,
        };
        let mut clients = self.lock_clients();
        // Another reconcile may have built one meanwhile: keep a single client (and rate limit).
        if let Some(c) = clients.get(config) {
            return c.clone();
        }
        // Drop clients of earlier configurations of the same store (and the failover they were in).
        clients.retain(|_, c| {
            let old = c.scope.starts_with(&format!("{store_id}#"));
            if old && c.failed_over() {
                let _ = self
                    .metrics
                    .failover_active
                    .remove_label_values(&[c.store_label(), c.serving_region()]);
            }
            !old
        });
        clients.insert(config.clone(), sc.clone());
        sc
    }

    fn lock_clients(&self) -> std::sync::MutexGuard<'_, HashMap<StoreConfig, StoreClient>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count(&self, sc: &StoreClient, operation: &str, result: &Result<impl Sized, ProviderError>) {
        let outcome = match result {
            Ok(_) => "success",
            Err(e) => e.kind.as_label(),
        };
        let store = sc.store_label();
        self.metrics
            .aws_api_calls
            .with_label_values(&[store, operation, outcome])
            .inc();
        let price = if sc.backend.billed_per_call() {
            self.price_per_call
        } else {
            0.0
        };
        self.metrics
            .aws_estimated_cost_usd
            .with_label_values(&[store, operation])
            .inc_by(price);
    }
}

#[cfg(test)]
mod certificates_tests;
#[cfg(test)]
#[path = "failover_tests.rs"]
mod failover_tests;
#[cfg(test)]
#[path = "mock_tests.rs"]
mod mock_tests;
#[cfg(test)]
mod parameters_tests;
