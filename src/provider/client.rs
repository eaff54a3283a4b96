//! Building a Secrets Manager client from a store's resolved configuration.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_secretsmanager::config::Region;

use super::assume_role::AssumeRoleStepProvider;
use super::web_identity::{TokenSource, WebIdentityProvider};
use crate::core::tenancy::role_chain::RoleChain;

/// Where a store's base credentials come from.
#[derive(Clone)]
pub enum CredentialSource {
    /// The controller's own identity: the SDK default chain (env, IRSA, Pod Identity, ...).
    Default,
    /// Static keys read from a Kubernetes Secret.
    Static {
        /// Access key id.
        access_key_id: String,
        /// Secret access key.
        secret_access_key: String,
        /// Optional session token.
        session_token: Option<String>,
    },
    /// A ServiceAccount token exchanged with AssumeRoleWithWebIdentity for the chain's first role.
    WebIdentity {
        /// `namespace/name` of the ServiceAccount (identity only; the token comes from `tokens`).
        service_account: String,
        /// Produces fresh tokens.
        tokens: TokenSource,
    },
}

/// Everything that determines a client. Equal configurations share one client.
#[derive(Clone)]
pub struct StoreConfig {
    /// AWS region.
    pub region: String,
    /// Endpoint override (also used for STS).
    pub endpoint: Option<String>,
    /// Roles assumed on top of the base credentials, in order (with their external id and tags).
    pub roles: RoleChain,
    /// Base credentials.
    pub credentials: CredentialSource,
    /// Client-side rate limit (`spec.aws.maxRequestsPerSecond`, or the default): requests per second
    /// for every client of this configuration together.
    pub max_requests_per_second: u32,
    /// Failover regions in order, each with its endpoint (None: the standard one).
    pub failover: Vec<(String, Option<String>)>,
    /// The service read.
    pub service: crate::api::AwsService,
    /// How calls retry (`spec.aws.retrySettings`, bounded).
    pub retry: crate::core::reads::retry::RetryPolicy,
}

impl std::fmt::Debug for StoreConfig {
    // Credentials are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let creds = match &self.credentials {
            CredentialSource::Default => "default chain".to_string(),
            CredentialSource::Static { .. } => "static keys (redacted)".to_string(),
            CredentialSource::WebIdentity {
                service_account, ..
            } => format!("web identity of {service_account}"),
        };
        f.debug_struct("StoreConfig")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("roles", &self.roles.roles())
            .field("credentials", &creds)
            .field("max_requests_per_second", &self.max_requests_per_second)
            .field("failover", &self.failover)
            .field("service", &self.service)
            .field("retry", &self.retry)
            .finish()
    }
}

impl PartialEq for StoreConfig {
    fn eq(&self, other: &Self) -> bool {
        let creds_eq = match (&self.credentials, &other.credentials) {
            (CredentialSource::Default, CredentialSource::Default) => true,
            (
                CredentialSource::Static {
                    access_key_id: a,
                    secret_access_key: b,
                    session_token: c,
                },
                CredentialSource::Static {
                    access_key_id: x,
                    secret_access_key: y,
                    session_token: z,
                },
            ) => a == x && b == y && c == z,
            (
                CredentialSource::WebIdentity {
                    service_account: a, ..
                },
                CredentialSource::WebIdentity {
                    service_account: b, ..
                },
            ) => a == b,
            _ => false,
        };
        creds_eq
            && self.region == other.region
            && self.endpoint == other.endpoint
            && self.roles == other.roles
            && self.max_requests_per_second == other.max_requests_per_second
            && self.failover == other.failover
            && self.service == other.service
            && self.retry == other.retry
    }
}

impl Eq for StoreConfig {}

impl Hash for StoreConfig {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.region.hash(state);
        self.endpoint.hash(state);
        self.roles.hash(state);
        self.max_requests_per_second.hash(state);
        self.failover.hash(state);
        self.service.hash(state);
        self.retry.hash(state);
        match &self.credentials {
            CredentialSource::Default => 0u8.hash(state),
            CredentialSource::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => {
                1u8.hash(state);
                access_key_id.hash(state);
                secret_access_key.hash(state);
                session_token.hash(state);
            }
            CredentialSource::WebIdentity {
                service_account, ..
            } => {
                2u8.hash(state);
                service_account.hash(state);
            }
        }
    }
}

impl StoreConfig {
    /// An in-memory identity of this configuration (never logged or exported).
    pub fn fingerprint(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }

    /// An in-memory identity of who this configuration acts as (credentials, role chain, and
    /// the endpoint STS is reached at), without its tuning (rate limit, failover, service).
    pub fn identity_fingerprint(&self) -> u64 {
        Self {
            region: String::new(),
            max_requests_per_second: 0,
            failover: Vec::new(),
            service: Default::default(),
            retry: Default::default(),
            ..self.clone()
        }
        .fingerprint()
    }
}

/// Builds the Secrets Manager client of the store's own region and endpoint.
pub async fn build(config: &StoreConfig) -> aws_sdk_secretsmanager::Client {
    build_in(config, &config.region, config.endpoint.as_deref()).await
}

/// Builds the Secrets Manager client of the store's credentials in `region` at `endpoint` (a
/// failover region).
pub async fn build_in(
    config: &StoreConfig,
    region: &str,
    endpoint: Option<&str>,
) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&sdk_config(config, region, endpoint).await)
}

/// Builds a Parameter Store (SSM) client of the store's credentials, region and endpoint.
pub async fn build_ssm(config: &StoreConfig) -> aws_sdk_ssm::Client {
    build_ssm_in(config, &config.region, config.endpoint.as_deref()).await
}

/// Builds a Parameter Store (SSM) client of the store's credentials in `region` at `endpoint` (a
/// failover region).
pub async fn build_ssm_in(
    config: &StoreConfig,
    region: &str,
    endpoint: Option<&str>,
) -> aws_sdk_ssm::Client {
    aws_sdk_ssm::Client::new(&sdk_config(config, region, endpoint).await)
}

/// Builds a Certificate Manager client of the store's credentials, region and endpoint.
pub async fn build_acm(config: &StoreConfig) -> aws_sdk_acm::Client {
    aws_sdk_acm::Client::new(&sdk_config(config, &config.region, config.endpoint.as_deref()).await)
}

/// Builds an SQS client with the store's credentials in `region` at `endpoint` (None: SQS's own; the
/// store's Secrets Manager endpoint is never used for SQS). STS, for a role, still goes where the
/// store's own configuration sends it.
pub async fn build_sqs(
    config: &StoreConfig,
    region: &str,
    endpoint: Option<&str>,
) -> aws_sdk_sqs::Client {
    let sdk = sdk_config(config, region, config.endpoint.as_deref()).await;
    let mut sqs = aws_sdk_sqs::config::Builder::from(&sdk);
    sqs.set_endpoint_url(endpoint.map(String::from));
    // Long polls wait 20 s: the attempt timeout must outlast them.
    let sqs = sqs.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(30))
            .operation_timeout(Duration::from_secs(60))
            .build(),
    );
    aws_sdk_sqs::Client::from_conf(sqs.build())
}

/// The SDK's retry configuration of a store's policy: standard mode, its attempts, and its interval
/// as both the initial and the largest backoff (the SDK waits a random part of it).
pub fn retry_config(policy: &crate::core::reads::retry::RetryPolicy) -> RetryConfig {
    let config = RetryConfig::standard().with_max_attempts(policy.max_attempts);
    match policy.interval {
        Some(d) => config.with_initial_backoff(d).with_max_backoff(d),
        None => config,
    }
}

/// The SDK configuration of a store in `region` at `endpoint`: SDK defaults, then the base
/// credentials, then the role chain on top (web identity first when that is the base).
async fn sdk_config(
    config: &StoreConfig,
    region: &str,
    endpoint: Option<&str>,
) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .retry_config(retry_config(&config.retry))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(crate::core::reads::retry::OPERATION_TIMEOUT)
                .build(),
        );
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let base = match &config.credentials {
        CredentialSource::Static {
            access_key_id,
            secret_access_key,
            session_token,
        } => {
            loader
                .credentials_provider(Credentials::new(
                    access_key_id,
                    secret_access_key,
                    session_token.clone(),
                    None,
                    "secretsync-secret-ref",
                ))
                .load()
                .await
        }
        _ => loader.load().await,
    };
    // The chain: the web identity's role first (when the base is a ServiceAccount's token), then each
    // AssumeRole signed with the credentials of the step before. Every STS client caches the
    // credentials it signs with, and the service client the last ones: no AssumeRole per read.
    let mut conf = base;
    if let (CredentialSource::WebIdentity { tokens, .. }, Some((role, _))) =
        (&config.credentials, &config.roles.web_identity)
    {
        let provider = WebIdentityProvider::new(
            aws_sdk_sts::Client::new(&conf),
            role.clone(),
            tokens.clone(),
        );
        conf = conf
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
    }
    for step in &config.roles.assume {
        let provider = AssumeRoleStepProvider::new(aws_sdk_sts::Client::new(&conf), step.clone());
        conf = conf
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
    }
    conf
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sdk_retry_config_follows_the_policy() {
        use crate::core::reads::retry::RetryPolicy;
        use std::time::Duration;
        let c = super::retry_config(&RetryPolicy {
            max_attempts: 7,
            interval: Some(Duration::from_millis(500)),
        });
        assert_eq!(c.max_attempts(), 7);
        assert_eq!(c.initial_backoff(), Duration::from_millis(500));
        assert_eq!(c.max_backoff(), Duration::from_millis(500));
        assert_eq!(
            super::retry_config(&RetryPolicy::default()).max_attempts(),
            3
        );
    }
}
