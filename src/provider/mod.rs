//! The AWS shell: every read of Secrets Manager goes through [`Provider`], which keeps one client per
//! store configuration and a value cache shared by all ExternalSecrets, keyed by (store, secret, version).

mod cache;
mod client;
mod error;
mod web_identity;

pub use cache::ValueCache;
pub use client::{CredentialSource, StoreConfig, TokenSource};
pub use error::{ProviderError, ProviderErrorKind};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_secretsmanager::Client as SmClient;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};
use regex::Regex;

use crate::api::FindRef;
use crate::core::deletion::RemoteState;
use crate::core::name_filter::literal_prefix;
use crate::core::remote::{RemoteContent, RemoteSecret, VersionSelector};
use crate::metrics::Metrics;

/// Largest page ListSecrets returns (enforced here; some emulators ignore it).
const LIST_PAGE_SIZE: i32 = 100;

/// A store's client together with the identity its cached values are filed under.
#[derive(Clone)]
pub struct StoreClient {
    client: SmClient,
    /// Identity of (store, configuration): values cached for one never serve another.
    scope: Arc<str>,
}

impl StoreClient {
    /// Wraps an existing client (tests inject mocked clients this way).
    pub fn from_client(client: SmClient, scope: &str) -> Self {
        Self {
            client,
            scope: scope.into(),
        }
    }
}

/// Reads Secrets Manager for every store, with clients built once per configuration.
pub struct Provider {
    clients: Mutex<HashMap<StoreConfig, StoreClient>>,
    cache: ValueCache,
    metrics: Metrics,
}

impl Provider {
    /// A provider with an empty client map and value cache.
    pub fn new(metrics: Metrics) -> Self {
        Self {
            clients: Mutex::new(HashMap::new()),
            cache: ValueCache::new(10_000),
            metrics,
        }
    }

    /// The client for a store configuration, built on first use and reused afterwards (credentials
    /// are cached by the SDK and refreshed before they expire).
    pub async fn client(&self, store_id: &str, config: &StoreConfig) -> StoreClient {
        if let Some(c) = self.lock_clients().get(config) {
            return c.clone();
        }
        let client = client::build(config).await;
        let scope: Arc<str> = format!("{store_id}#{}", config.fingerprint()).into();
        let sc = StoreClient { client, scope };
        let mut clients = self.lock_clients();
        // Drop clients of earlier configurations of the same store.
        clients.retain(|_, c| !c.scope.starts_with(&format!("{store_id}#")));
        clients.insert(config.clone(), sc.clone());
        sc
    }

    fn lock_clients(&self) -> std::sync::MutexGuard<'_, HashMap<StoreConfig, StoreClient>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count(&self, operation: &str, result: &Result<impl Sized, ProviderError>) {
        let outcome = match result {
            Ok(_) => "success",
            Err(e) => e.kind.as_label(),
        };
        self.metrics
            .aws_api_calls
            .with_label_values(&[operation, outcome])
            .inc();
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
        let mut req = sc.client.get_secret_value().secret_id(key);
        req = match selector {
            VersionSelector::Stage(stage) => req.version_stage(stage),
            VersionSelector::Id(id) => req.version_id(id),
        };
        let result = req
            .send()
            .await
            .map_err(|e| error::classify(e, "GetSecretValue", key));
        self.count("GetSecretValue", &result);
        let out = result?;
        let content = match (out.secret_string(), out.secret_binary()) {
            (Some(s), _) => RemoteContent::String(s.to_string()),
            (None, Some(b)) => RemoteContent::Binary(b.as_ref().to_vec()),
            (None, None) => {
                return Err(ProviderError::new(
                    ProviderErrorKind::NotFound,
                    format!("secret {key:?} ({selector:?}) has no value"),
                ));
            }
        };
        let version_id = out.version_id().unwrap_or_default().to_string();
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

    /// Asks Secrets Manager (DescribeSecret) whether each named secret itself still exists: only a
    /// well-formed ResourceNotFoundException or a `DeletedDate` counts as deleted.
    pub async fn confirm_deleted(
        &self,
        sc: &StoreClient,
        names: &[String],
    ) -> Vec<(String, RemoteState)> {
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let result = sc.client.describe_secret().secret_id(name).send().await;
            let state = match &result {
                Ok(d) if d.deleted_date().is_some() => RemoteState::Deleted,
                Ok(_) => RemoteState::Present,
                Err(e) if error::is_secret_gone(e) => RemoteState::Deleted,
                Err(_) => RemoteState::Unknown,
            };
            let counted = result.map_err(|e| error::classify(e, "DescribeSecret", name));
            self.count("DescribeSecret", &counted);
            out.push((name.clone(), state));
        }
        out
    }

    /// Lists the secrets `find` matches (paginated ListSecrets, filtered by name regexp and tags)
    /// and reads the AWSCURRENT version of each, reusing cached values for unchanged versions.
    pub async fn find(
        &self,
        sc: &StoreClient,
        find: &FindRef,
    ) -> Result<Vec<RemoteSecret>, ProviderError> {
        let regex = match find.name.as_ref() {
            Some(n) => Some(Regex::new(&n.regexp).map_err(|e| {
                ProviderError::new(
                    ProviderErrorKind::Other,
                    format!("invalid find.name.regexp: {e}"),
                )
            })?),
            None => None,
        };
        let prefix = find.name.as_ref().and_then(|n| literal_prefix(&n.regexp));
        let mut matches: Vec<(String, Option<String>)> = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut req = sc
                .client
                .list_secrets()
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(token.clone());
            if let Some(p) = prefix.as_ref() {
                req = req.filters(
                    Filter::builder()
                        .key(FilterNameStringType::Name)
                        .values(p)
                        .build(),
                );
            }
            let result = req
                .send()
                .await
                .map_err(|e| error::classify(e, "ListSecrets", "*"));
            self.count("ListSecrets", &result);
            let page = result?;
            for entry in page.secret_list() {
                let Some(name) = entry.name() else { continue };
                if regex.as_ref().is_some_and(|r| !r.is_match(name)) {
                    continue;
                }
                let tags_ok = find.tags.iter().flatten().all(|(k, v)| {
                    entry
                        .tags()
                        .iter()
                        .any(|t| t.key() == Some(k.as_str()) && t.value() == Some(v.as_str()))
                });
                if !tags_ok {
                    continue;
                }
                let current = entry.secret_versions_to_stages().and_then(|m| {
                    m.iter()
                        .find(|(_, stages)| stages.iter().any(|s| s == "AWSCURRENT"))
                        .map(|(id, _)| id.clone())
                });
                matches.push((name.to_string(), current));
            }
            token = page.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
        matches.sort();
        matches.dedup();
        let mut out = Vec::with_capacity(matches.len());
        for (name, current) in matches {
            let cached = current
                .as_ref()
                .and_then(|id| self.cache.get(&sc.scope, &name, id));
            match cached {
                Some(hit) => out.push(hit),
                None => out.push(self.get(sc, &name, &VersionSelector::current()).await?),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "mock_tests.rs"]
mod mock_tests;
