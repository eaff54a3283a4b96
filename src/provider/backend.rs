//! The backend interface: one secret service behind the operations the controller needs, so nothing
//! outside `provider/` asks which service a store reads.
//!
//! - change detection: the current versions of what an ExternalSecret references ([`Provider::detect`]),
//! - read by version ([`Provider::get`]) and the batched AWSCURRENT / latest read ([`Provider::get_current`]),
//! - `find` ([`Provider::find`]),
//! - confirm deleted, in the primary region only ([`Provider::confirm_deleted`]),
//! - the failover guard's evidence ([`Provider::describe_answered_by`]).
//!
//! Secrets Manager (`secrets_manager`, `listing`) and Parameter Store (`parameters`, `parameter_store`)
//! implement them, each over [`Regions`] of its own client, so failover works the same for both.
//!
//! An enum over the two implementations, not a trait: the set is closed (two services), every
//! operation is async, and a `dyn` trait would need boxed futures (async trait methods are not
//! object-safe) with `Send` bounds on each, while a generic `StoreClient<B>` would spread a type
//! parameter through the client map, the controller and every test. The enum costs one `match` per
//! operation, here and nowhere else.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_secretsmanager::Client as SmClient;
use regex::Regex;

use super::certificate_manager::CertificateManager;
use super::client::{self, StoreConfig};
use super::parameter_store::ParameterStore;
use super::regions::{RegionState, Regions};
use super::{Listing, Provider, ProviderError, ProviderErrorKind, StoreClient};
use crate::api::{AwsService, ChangeDetection, ExternalSecretSpec, FindRef};
use crate::core::change::{VersionStages, resolve};
use crate::core::deletion::RemoteState;
use crate::core::reads::references::References;
use crate::core::remote::{RemoteSecret, VersionSelector};

/// The service a store configuration reads, with its regions.
#[derive(Clone)]
pub(super) enum Backend {
    /// AWS Secrets Manager.
    SecretsManager(Arc<Regions<SmClient>>),
    /// AWS Systems Manager Parameter Store.
    ParameterStore(Arc<Regions<ParameterStore>>),
    /// AWS Certificate Manager (the primary region only: a certificate ARN names its region).
    CertificateManager(Arc<Regions<CertificateManager>>),
}

impl Backend {
    /// The clients of a store configuration: its primary region and each failover region.
    pub(super) async fn build(config: &StoreConfig) -> Self {
        match config.service {
            AwsService::SecretsManager => {
                let primary = client::build(config).await;
                let mut failover = Vec::with_capacity(config.failover.len());
                for (region, endpoint) in &config.failover {
                    failover.push((
                        region.clone(),
                        client::build_in(config, region, endpoint.as_deref()).await,
                    ));
                }
                Self::SecretsManager(Arc::new(Regions::new(primary, &config.region, failover)))
            }
            AwsService::ParameterStore => {
                let primary = ParameterStore::new(client::build_ssm(config).await);
                let mut failover = Vec::with_capacity(config.failover.len());
                for (region, endpoint) in &config.failover {
                    failover.push((
                        region.clone(),
                        ParameterStore::new(
                            client::build_ssm_in(config, region, endpoint.as_deref()).await,
                        ),
                    ));
                }
                Self::ParameterStore(Arc::new(Regions::new(primary, &config.region, failover)))
            }
            AwsService::CertificateManager => {
                let primary = CertificateManager::new(client::build_acm(config).await);
                Self::CertificateManager(Arc::new(Regions::new(
                    primary,
                    &config.region,
                    Vec::new(),
                )))
            }
        }
    }

    /// Which region serves.
    pub(super) fn regions(&self) -> &RegionState {
        match self {
            Self::SecretsManager(r) => r.state(),
            Self::ParameterStore(r) => r.state(),
            Self::CertificateManager(r) => r.state(),
        }
    }

    /// The service's name, for messages.
    pub(super) fn service_name(&self) -> &'static str {
        match self {
            Self::SecretsManager(_) => AwsService::SecretsManager.display_name(),
            Self::ParameterStore(_) => AwsService::ParameterStore.display_name(),
            Self::CertificateManager(_) => AwsService::CertificateManager.display_name(),
        }
    }

    /// Whether each call is billed (Parameter Store's standard throughput is free of charge; ACM bills
    /// certificates, not API calls).
    pub(super) fn billed_per_call(&self) -> bool {
        match self {
            Self::SecretsManager(_) => true,
            Self::ParameterStore(_) | Self::CertificateManager(_) => false,
        }
    }

    /// Whether a failover region may have answered without saying so in what it answered: Secrets
    /// Manager replicas answer with the primary's version ids (a replica that is behind looks like a
    /// step back); a Parameter Store failover region's answers carry the region in their version
    /// identity (see [`crate::core::failover::answered_in`]), so they are judged by themselves.
    pub(super) fn unmarked_failover_answers(&self) -> bool {
        match self {
            Self::SecretsManager(r) => r.state().failover_answered(),
            Self::ParameterStore(_) | Self::CertificateManager(_) => false,
        }
    }
}

/// What change detection learnt before the read: the version each referenced secret is at, so values
/// are read by (immutable, cacheable) version id instead of by stage.
#[derive(Default)]
pub struct Hints {
    /// DescribeSecret answers: secret name → versions.
    pub described: HashMap<String, VersionStages>,
    /// The store configuration's listing.
    pub listing: Option<Arc<Listing>>,
}

impl Hints {
    /// The version id `selector` of `key` is at, if known.
    pub fn version(&self, key: &str, selector: &VersionSelector) -> Option<String> {
        let versions = self
            .listing
            .as_ref()
            .and_then(|l| l.get(key))
            .map(|e| &e.versions)
            .or_else(|| self.described.get(key))?;
        resolve(versions, selector)
    }
}

/// What change detection is asked.
pub struct Detect<'a> {
    /// The ExternalSecret's spec.
    pub spec: &'a ExternalSecretSpec,
    /// Its `syncedVersions`.
    pub previous: &'a BTreeMap<String, String>,
    /// Its refresh interval: answers up to this old are used.
    pub interval: Duration,
    /// The store's `changeDetection`.
    pub change_detection: ChangeDetection,
}

/// What detection found.
#[derive(Default)]
pub struct Detected {
    /// Every referenced version is the one synced: nothing to read.
    pub unchanged: bool,
    /// The store's listing is being refreshed: check again shortly.
    pub later: bool,
    /// The versions seen, for reading what changed by version id.
    pub hints: Hints,
    /// The service's listing is denied (the message): detection fell back to per-secret answers.
    pub list_denied: Option<String>,
}

impl Detected {
    /// Detection could not tell: read everything.
    pub(super) fn read_everything() -> Self {
        Self::default()
    }
}

/// What an ExternalSecret reads from its store: secret names or ARNs, and each `find`'s literal prefix.
pub fn references(refs: &References<'_>) -> (Vec<String>, Vec<Option<String>>) {
    let names = refs.names().map(String::from).collect();
    let finds = refs.finds.iter().map(|&(_, f)| find_prefix(f)).collect();
    (names, finds)
}

/// The literal prefix of a `find`'s name regexp (None: it has none, or it matches by tags only).
pub(super) fn find_prefix(f: &FindRef) -> Option<String> {
    f.name
        .as_ref()
        .and_then(|n| crate::core::name_filter::literal_prefix(&n.regexp))
}

impl Provider {
    /// Whether anything an ExternalSecret reads changed since `previous` was synced, without reading
    /// values where the service allows it. `announce` gets the names whose versions a new listing
    /// shows changed (their readers refresh). Any doubt means "read".
    pub async fn detect(
        &self,
        sc: &StoreClient,
        ask: &Detect<'_>,
        announce: &(dyn Fn(Vec<String>) + Send + Sync),
    ) -> Detected {
        // Never synced, or tags read (they have no version to compare): read.
        if ask.previous.is_empty() || References::of(ask.spec).reads_metadata() {
            return Detected::read_everything();
        }
        match &sc.backend {
            Backend::SecretsManager(r) => self.secret_detect(sc, r, ask, announce).await,
            Backend::ParameterStore(r) => self.parameter_detect(sc, r, ask).await,
            Backend::CertificateManager(r) => self.certificate_detect(sc, r, ask).await,
        }
    }

    /// Reads one version of one secret. Version-id reads are served from the cache when possible;
    /// stage (label) reads always ask the service and fill the cache.
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
        match &sc.backend {
            Backend::SecretsManager(r) => self.secret_get(sc, r, key, selector).await,
            Backend::ParameterStore(r) => self.parameter_get(sc, r, key, selector).await,
            Backend::CertificateManager(r) => self.certificate_get(sc, r, key, selector).await,
        }
    }

    /// Reads the tags of `key` (`metadataPolicy: Fetch`) as ESO's JSON value (see
    /// [`crate::core::answer::tags_of`]); never cached, never batched: only the references that ask
    /// for tags cost this extra call.
    pub async fn get_tags(
        &self,
        sc: &StoreClient,
        key: &str,
    ) -> Result<RemoteSecret, ProviderError> {
        match &sc.backend {
            Backend::SecretsManager(r) => self.secret_tags(sc, r, key).await,
            Backend::ParameterStore(r) => self.parameter_tags(sc, r, key).await,
            Backend::CertificateManager(_) => {
                Err(ProviderError::not_supported_by_acm("metadataPolicy: Fetch"))
            }
        }
    }

    /// Reads AWSCURRENT (Parameter Store: the latest version) of `key`, joining the store
    /// configuration's pending batch (see [`super::batch`]). `expected`: the version detection saw
    /// (served from the cache when known; a batch answer with another version is not used).
    pub async fn get_current(
        &self,
        sc: &StoreClient,
        key: &str,
        expected: Option<&str>,
    ) -> Result<RemoteSecret, ProviderError> {
        if let Some(id) = expected
            && let Some(hit) = self.cache.get(&sc.scope, key, id)
        {
            return Ok(hit);
        }
        match &sc.backend {
            Backend::SecretsManager(r) => self.secret_current(sc, r, key, expected).await,
            Backend::ParameterStore(r) => self.parameter_current(sc, r, key).await,
            Backend::CertificateManager(r) => {
                self.certificate_get(sc, r, key, &VersionSelector::current())
                    .await
            }
        }
    }

    /// The matches of `find` with their current values (from `listing` when it covers them).
    pub async fn find(
        &self,
        sc: &StoreClient,
        find: &FindRef,
        listing: Option<&Listing>,
    ) -> Result<Vec<RemoteSecret>, ProviderError> {
        match &sc.backend {
            Backend::SecretsManager(r) => self.secret_find(sc, r, find, listing).await,
            Backend::ParameterStore(r) => {
                let regex = find_regex(find)?;
                self.find_parameters(sc, r, find, regex).await
            }
            Backend::CertificateManager(_) => {
                Err(ProviderError::not_supported_by_acm("dataFrom.find"))
            }
        }
    }

    /// Asks the service, in the primary region only, whether each named secret itself still exists:
    /// only the service's own not-found answer counts as deleted (see [`crate::core::answer`]).
    pub async fn confirm_deleted(
        &self,
        sc: &StoreClient,
        names: &[String],
    ) -> Vec<(String, RemoteState)> {
        match &sc.backend {
            Backend::SecretsManager(r) => self.secrets_deleted(sc, r, names).await,
            Backend::ParameterStore(r) => self.parameters_deleted(sc, r, names).await,
            Backend::CertificateManager(r) => self.certificates_deleted(sc, r, names).await,
        }
    }

    /// One uncached DescribeSecret in the region that answers first (failing over as reads do),
    /// with who answered: None for the primary (by position), else the failover region's name. The
    /// failover guard's evidence, asked only while [`StoreClient::replica_may_have_answered`].
    pub async fn describe_answered_by(
        &self,
        sc: &StoreClient,
        name: &str,
    ) -> Result<(Option<String>, Option<VersionStages>), ProviderError> {
        match &sc.backend {
            Backend::SecretsManager(r) => self.describe_answered_by_in(sc, r, name).await,
            // Never asked (its failover answers carry their region, ACM has none); no region can
            // vouch anyway.
            Backend::ParameterStore(_) | Backend::CertificateManager(_) => Err(ProviderError::new(
                ProviderErrorKind::Other,
                format!("{name:?}: Parameter Store regions cannot vouch for each other's versions"),
            )),
        }
    }
}

/// A `find`'s compiled `name.regexp`, if any.
pub(super) fn find_regex(find: &FindRef) -> Result<Option<Regex>, ProviderError> {
    find.name
        .as_ref()
        .map(|n| Regex::new(&n.regexp))
        .transpose()
        .map_err(|e| {
            ProviderError::new(
                ProviderErrorKind::Other,
                format!("invalid find.name.regexp: {e}"),
            )
        })
}
