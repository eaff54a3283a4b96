//! The AWS shell: every read of Secrets Manager goes through [`Provider`], which keeps one client per
//! store configuration and a value cache shared by all ExternalSecrets, keyed by (store, secret, version).

pub mod batch;
mod cache;
mod client;
mod error;
mod index;
mod listing;
pub mod parameter_store;
mod parameters;
pub mod queue;
mod rate_limit;
pub mod regions;
mod web_identity;

pub use cache::ValueCache;
pub use client::{CredentialSource, StoreConfig, TokenSource};
pub use error::{ProviderError, ProviderErrorKind};
pub use index::Listing;
use index::VersionIndex;
pub use rate_limit::{
    DEFAULT_MAX_REQUESTS_PER_SECOND, DEFAULT_PARAMETER_STORE_REQUESTS_PER_SECOND, RateLimiter,
    TokenBucket,
};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_secretsmanager::Client as SmClient;

use crate::api::AwsService;
use crate::core::answer::{ExistenceAnswer, Unusable, ValueAnswer, existence, value_of};
use crate::core::change::VersionStages;
use crate::core::deletion::RemoteState;
use crate::core::remote::{RemoteSecret, VersionSelector};
use crate::metrics::Metrics;

/// Largest page ListSecrets returns (enforced here; some emulators ignore it).
const LIST_PAGE_SIZE: i32 = 100;

/// A store's client together with the identity its cached values are filed under.
#[derive(Clone)]
pub struct StoreClient {
    /// The primary region and any failover regions.
    regions: Arc<regions::Regions>,
    /// Identity of (store, configuration): values cached for one never serve another.
    scope: Arc<str>,
    /// Client-side rate limit of this store configuration, shared by every clone.
    limiter: Arc<RateLimiter>,
    /// Set for `service: ParameterStore`: reads go to SSM instead of Secrets Manager.
    parameters: Option<parameter_store::ParameterStore>,
}

impl StoreClient {
    /// Wraps an existing client with the default rate limit (tests inject mocked clients this way).
    pub fn from_client(client: SmClient, scope: &str) -> Self {
        Self::with_rate_limit(client, scope, DEFAULT_MAX_REQUESTS_PER_SECOND)
    }

    /// Wraps an existing client limited to `per_second` AWS requests per second.
    pub fn with_rate_limit(client: SmClient, scope: &str, per_second: u32) -> Self {
        Self {
            regions: Arc::new(regions::Regions::new(client, "primary", Vec::new())),
            scope: scope.into(),
            limiter: Arc::new(RateLimiter::new(per_second)),
            parameters: None,
        }
    }

    /// A Parameter Store client (tests inject mocked clients this way).
    pub fn parameter_store(client: aws_sdk_ssm::Client, scope: &str) -> Self {
        let mut sc = Self::from_client(
            aws_sdk_secretsmanager::Client::from_conf(
                aws_sdk_secretsmanager::Config::builder()
                    .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
                    .build(),
            ),
            scope,
        );
        sc.parameters = Some(parameter_store::ParameterStore::new(client));
        sc
    }

    /// Whether this store reads Parameter Store.
    pub fn is_parameter_store(&self) -> bool {
        self.parameters.is_some()
    }

    /// The region serving reads now (the primary unless failed over).
    pub fn serving_region(&self) -> &str {
        self.regions.serving()
    }

    /// Whether reads come from a failover region now (by position, not by region name).
    pub fn failed_over(&self) -> bool {
        !self.regions.serving_primary()
    }

    /// Whether any answer of this store configuration so far may have come from a failover region
    /// (so a version it read, listed or described may come from a replica that is behind).
    pub fn replica_may_have_answered(&self) -> bool {
        self.regions.failover_answered()
    }

    /// Region switches not yet reported; each is handed out once, to one caller.
    pub fn take_region_switches(&self) -> Vec<regions::RegionSwitch> {
        self.regions.take_switches()
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
}

/// The provider error for an answer [`value_of`] refused: a valueless version is not found (never a
/// blank), a malformed answer is a provider error (never a value, never a deletion).
fn unusable(why: Unusable, what: &str) -> ProviderError {
    let kind = match why {
        Unusable::NoValue => ProviderErrorKind::NotFound,
        Unusable::Malformed(_) => ProviderErrorKind::Other,
    };
    ProviderError::new(kind, format!("{what}: {}", why.explain()))
}

/// A DescribeSecret result as [`existence`] reads it.
fn existence_answer<E>(
    result: &Result<
        aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput,
        aws_sdk_secretsmanager::error::SdkError<
            E,
            aws_sdk_secretsmanager::config::http::HttpResponse,
        >,
    >,
) -> ExistenceAnswer<'_>
where
    E: aws_sdk_secretsmanager::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(d) => ExistenceAnswer::Answered {
            entity: d.name().is_some() || d.arn().is_some(),
            deleted_date: d.deleted_date().is_some(),
        },
        Err(e) => error::service_error(e).unwrap_or(ExistenceAnswer::NoAnswer),
    }
}

/// Which regions a DescribeSecret may ask.
#[derive(Clone, Copy)]
enum Ask {
    /// The primary only (a deletion is confirmed there or nowhere).
    PrimaryOnly,
    /// The serving region, failing over as reads do.
    Failover,
    /// As [`Ask::Failover`], without moving the failover state (the guard's check).
    Unrecorded,
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
        }
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
        let primary = client::build(config).await;
        let mut failover = Vec::with_capacity(config.failover.len());
        for (region, endpoint) in &config.failover {
            failover.push((
                region.clone(),
                client::build_in(config, region, endpoint.as_deref()).await,
            ));
        }
        let scope: Arc<str> = format!("{store_id}#{}", config.fingerprint()).into();
        let limiter = Arc::new(RateLimiter::new(config.max_requests_per_second));
        let parameters = match config.service {
            crate::api::AwsService::ParameterStore => Some(parameter_store::ParameterStore::new(
                client::build_ssm(config).await,
            )),
            crate::api::AwsService::SecretsManager => None,
        };
        let sc = StoreClient {
            regions: Arc::new(regions::Regions::new(primary, &config.region, failover)),
            scope,
            limiter,
            parameters,
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
        // Parameter Store's standard throughput is free of charge.
        let price = if sc.is_parameter_store() {
            0.0
        } else {
            self.price_per_call
        };
        self.metrics
            .aws_estimated_cost_usd
            .with_label_values(&[store, operation])
            .inc_by(price);
    }

    /// Reads one version of one secret. Version-id reads are served from the cache when possible;
    /// stage reads always ask AWS (sending the stage explicitly) and fill the cache.
    pub async fn get(
        &self,
        sc: &StoreClient,
        key: &str,
        selector: &VersionSelector,
    ) -> Result<RemoteSecret, ProviderError> {
        if let VersionSelector::Id(id) = selector
            && let Some(hit) = self.cache.get(&sc.scope, key, id)
        {
            return Ok(hit);
        }
        if sc.is_parameter_store() {
            return self.parameter_get(sc, key, selector).await;
        }
        let out = sc
            .regions
            .call(|rc| async move {
                sc.pace().await;
                let mut req = rc.client.get_secret_value().secret_id(rc.key(key));
                req = match selector {
                    VersionSelector::Stage(stage) => req.version_stage(stage),
                    VersionSelector::Id(id) => req.version_id(id),
                };
                let result = req
                    .send()
                    .await
                    .map_err(|e| error::classify(e, "GetSecretValue", key));
                self.count(sc, "GetSecretValue", &result);
                result
            })
            .await?;
        let answer = ValueAnswer {
            entity: true,
            version: out.version_id(),
            text: out.secret_string(),
            binary: out.secret_binary().map(|b| b.as_ref()),
        };
        let (version_id, content) = value_of(AwsService::SecretsManager, &answer)
            .map_err(|why| unusable(why, &format!("GetSecretValue {key:?} ({selector:?})")))?;
        if let VersionSelector::Id(id) = selector
            && *id != version_id
        {
            return Err(ProviderError::new(
                ProviderErrorKind::Other,
                format!("asked for version {id} of {key:?} but got version {version_id}"),
            ));
        }
        let secret = RemoteSecret {
            name: out.name().unwrap_or(key).to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            version_id,
            content,
        };
        self.cache.put(&sc.scope, key, &secret);
        Ok(secret)
    }

    /// Reads AWSCURRENT of `key`: joins the store configuration's pending batch (see [`batch`]); the
    /// first read of a batch waits [`batch::WINDOW`] and then sends it. `expected`: the version
    /// detection saw (served from the cache when known; a batch answer with another version is not used).
    pub async fn get_current(
        &self,
        sc: &StoreClient,
        key: &str,
        expected: Option<&str>,
    ) -> Result<RemoteSecret, ProviderError> {
        let selector = match expected {
            Some(id) => VersionSelector::Id(id.to_string()),
            None => VersionSelector::current(),
        };
        if let Some(id) = expected
            && let Some(hit) = self.cache.get(&sc.scope, key, id)
        {
            return Ok(hit);
        }
        if sc.is_parameter_store() {
            return self.parameter_current(sc, key).await;
        }
        if self.batches.is_denied(&sc.scope) {
            return self.get(sc, key, &selector).await;
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let waiter = batch::Waiter {
            key: key.to_string(),
            expected: expected.map(String::from),
            reply,
        };
        self.batches
            .join_and_send(&sc.scope, waiter, |waiters| self.flush(sc, waiters))
            .await;
        match answer.await {
            Ok(result) => result,
            // The batch went away without an answer (its leader was cancelled): read alone.
            Err(_) => self.get(sc, key, &selector).await,
        }
    }

    /// Sends one batch: lone secrets as GetSecretValue, the rest as BatchGetSecretValue calls.
    async fn flush(&self, sc: &StoreClient, waiters: Vec<batch::Waiter>) {
        let keys: Vec<&str> = waiters.iter().map(|w| w.key.as_str()).collect();
        let mut results: HashMap<String, Result<RemoteSecret, ProviderError>> = HashMap::new();
        for call in batch::group(&keys, self.batches.max()) {
            if call.len() == 1 {
                continue;
            }
            match self.batch_get(sc, &call).await {
                Ok(found) => results.extend(found),
                Err(e) if e.kind == ProviderErrorKind::AccessDenied => {
                    self.batches.deny(&sc.scope);
                }
                Err(e) => {
                    for k in &call {
                        results.insert(k.clone(), Err(e.clone()));
                    }
                }
            }
        }
        // Reads outside a batch, once per (secret, expected version) however many wait for it.
        let mut alone: HashMap<(String, Option<String>), Result<RemoteSecret, ProviderError>> =
            HashMap::new();
        for w in waiters {
            let usable = match results.get(&w.key) {
                Some(Ok(r)) => w.expected.as_ref().is_none_or(|e| *e == r.version_id),
                Some(Err(_)) => true,
                None => false,
            };
            let result = match results.get(&w.key) {
                Some(r) if usable => r.clone(),
                // Not in a batch (alone, denied, or another version came back): read it by itself.
                _ => {
                    let read = (w.key.clone(), w.expected.clone());
                    match alone.get(&read) {
                        Some(r) => r.clone(),
                        None => {
                            let selector = match &w.expected {
                                Some(id) => VersionSelector::Id(id.clone()),
                                None => VersionSelector::current(),
                            };
                            let r = self.get(sc, &w.key, &selector).await;
                            alone.insert(read, r.clone());
                            r
                        }
                    }
                }
            };
            let _ = w.reply.send(result);
        }
    }

    /// One BatchGetSecretValue call: per requested key, its AWSCURRENT value or its own error; keys
    /// the answer does not mention are left out (read one by one).
    async fn batch_get(
        &self,
        sc: &StoreClient,
        keys: &[String],
    ) -> Result<HashMap<String, Result<RemoteSecret, ProviderError>>, ProviderError> {
        let (out, asked) = sc
            .regions
            .call(|rc| async move {
                sc.pace().await;
                let asked: Vec<String> = keys.iter().map(|k| rc.key(k)).collect();
                let result = rc
                    .client
                    .batch_get_secret_value()
                    .set_secret_id_list(Some(asked.clone()))
                    .send()
                    .await
                    .map_err(|e| error::classify(e, "BatchGetSecretValue", &keys.join(",")));
                self.count(sc, "BatchGetSecretValue", &result);
                result.map(|out| (out, asked))
            })
            .await?;
        let mut found = HashMap::new();
        for (key, asked) in keys.iter().zip(&asked) {
            let entry = out.secret_values().iter().find(|v| {
                v.name() == Some(key.as_str())
                    || v.arn() == Some(key.as_str())
                    || v.arn() == Some(asked.as_str())
            });
            if let Some(v) = entry {
                let answer = ValueAnswer {
                    entity: true,
                    version: v.version_id(),
                    text: v.secret_string(),
                    binary: v.secret_binary().map(|b| b.as_ref()),
                };
                // An entry without a usable value is read alone, which says why.
                let Ok((version_id, content)) = value_of(AwsService::SecretsManager, &answer)
                else {
                    continue;
                };
                let secret = RemoteSecret {
                    name: v.name().unwrap_or(key).to_string(),
                    arn: v.arn().unwrap_or_default().to_string(),
                    version_id,
                    content,
                };
                self.cache.put(&sc.scope, key, &secret);
                found.insert(key.clone(), Ok(secret));
            } else if let Some(e) = out.errors().iter().find(|e| {
                e.secret_id() == Some(key.as_str()) || e.secret_id() == Some(asked.as_str())
            }) {
                let code = e.error_code().unwrap_or_default();
                let kind = error::kind_of_code(code, e.message().unwrap_or_default());
                if kind != ProviderErrorKind::Other {
                    found.insert(
                        key.clone(),
                        Err(ProviderError::new(
                            kind,
                            format!("BatchGetSecretValue {key:?}: {code}"),
                        )),
                    );
                }
            }
        }
        Ok(found)
    }

    /// Asks Secrets Manager (DescribeSecret) whether each named secret itself still exists: only a
    /// well-formed ResourceNotFoundException or a `DeletedDate` counts as deleted.
    pub async fn confirm_deleted(
        &self,
        sc: &StoreClient,
        names: &[String],
    ) -> Vec<(String, RemoteState)> {
        if sc.is_parameter_store() {
            return self.parameters_deleted(sc, names).await;
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let state = match self.describe(sc, name, Ask::PrimaryOnly).await {
                Ok(None) => RemoteState::Deleted,
                Ok(Some(_)) => RemoteState::Present,
                Err(_) => RemoteState::Unknown,
            };
            out.push((name.clone(), state));
        }
        out
    }

    /// One DescribeSecret call: the secret's versions, or None when Secrets Manager itself says it is
    /// gone (a well-formed ResourceNotFoundException, or a `DeletedDate`). Any other failure is an error.
    async fn describe(
        &self,
        sc: &StoreClient,
        name: &str,
        how: Ask,
    ) -> Result<Option<VersionStages>, ProviderError> {
        self.describe_where(sc, name, how)
            .await
            .map(|(_, versions)| versions)
    }

    /// One uncached DescribeSecret in the region that answers first (failing over as reads do),
    /// with who answered: None for the primary (by position), else the failover region's name. The
    /// failover guard's evidence.
    pub async fn describe_answered_by(
        &self,
        sc: &StoreClient,
        name: &str,
    ) -> Result<(Option<String>, Option<VersionStages>), ProviderError> {
        self.describe_where(sc, name, Ask::Unrecorded)
            .await
            .map(|((index, region), versions)| ((index != 0).then_some(region), versions))
    }

    /// [`Self::describe`] with the region that answered (position, 0: the primary; and name).
    async fn describe_where(
        &self,
        sc: &StoreClient,
        name: &str,
        how: Ask,
    ) -> Result<((usize, String), Option<VersionStages>), ProviderError> {
        let ask = |rc: regions::RegionClient| async move {
            sc.pace().await;
            let result = rc
                .client
                .describe_secret()
                .secret_id(rc.key(name))
                .send()
                .await;
            let state = existence(AwsService::SecretsManager, existence_answer(&result));
            let result = result.map_err(|e| error::classify(e, "DescribeSecret", name));
            self.count(sc, "DescribeSecret", &result);
            match (state, result) {
                (RemoteState::Deleted, _) => Ok(None),
                (RemoteState::Present, Ok(d)) => Ok(Some(
                    d.version_ids_to_stages()
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                )),
                (_, Err(e)) => Err(e),
                (_, Ok(_)) => Err(ProviderError::new(
                    ProviderErrorKind::Other,
                    format!(
                        "DescribeSecret {name:?}: malformed answer: HTTP success without the secret"
                    ),
                )),
            }
        };
        // Only the primary region may say a secret is gone: a replica region that lacks it (or answers
        // while the primary is down) proves nothing about the secret itself.
        let ask = |rc: regions::RegionClient| {
            let who = (rc.index, rc.region.clone());
            let answer = ask(rc);
            async move { answer.await.map(|versions| (who, versions)) }
        };
        match how {
            Ask::PrimaryOnly => ask(sc.regions.primary().clone()).await,
            Ask::Failover => sc.regions.call(ask).await,
            Ask::Unrecorded => sc.regions.call_unrecorded(ask).await,
        }
    }
}

#[cfg(test)]
#[path = "failover_tests.rs"]
mod failover_tests;
#[cfg(test)]
#[path = "mock_tests.rs"]
mod mock_tests;
#[cfg(test)]
mod parameters_tests;
