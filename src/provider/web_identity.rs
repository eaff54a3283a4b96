//! Per-tenant IRSA: a Kubernetes ServiceAccount token exchanged with STS AssumeRoleWithWebIdentity.

use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, future};

use futures::future::BoxFuture;

/// Session name secretsync uses for every role it assumes.
pub const SESSION_NAME: &str = "secretsync";

/// Fetches a ServiceAccount token (Kubernetes TokenRequest) for per-tenant web identity.
pub type TokenSource = Arc<dyn Fn() -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

/// Credentials from AssumeRoleWithWebIdentity with a freshly requested ServiceAccount token.
/// The SDK's identity cache keeps them until shortly before they expire.
#[derive(Clone)]
pub struct WebIdentityProvider {
    sts: aws_sdk_sts::Client,
    role: String,
    tokens: TokenSource,
}

impl std::fmt::Debug for WebIdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebIdentityProvider")
            .field("role", &self.role)
            .finish()
    }
}

impl WebIdentityProvider {
    /// A provider assuming `role` with tokens from `tokens`.
    pub fn new(sts: aws_sdk_sts::Client, role: String, tokens: TokenSource) -> Self {
        Self { sts, role, tokens }
    }

    async fn load(&self) -> provider::Result {
        let token = (self.tokens)().await.map_err(|e| {
            CredentialsError::provider_error(format!("requesting a ServiceAccount token: {e}"))
        })?;
        let out = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&self.role)
            .role_session_name(SESSION_NAME)
            .web_identity_token(token)
            .send()
            .await
            .map_err(|e| {
                let detail = aws_sdk_sts::error::DisplayErrorContext(&e).to_string();
                CredentialsError::provider_error(format!(
                    "AssumeRoleWithWebIdentity for {}: {detail}",
                    self.role
                ))
            })?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::provider_error("AssumeRoleWithWebIdentity returned no credentials")
        })?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "secretsync-web-identity",
        ))
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.load())
    }
}
