//! One AssumeRole of a store's role chain, as a credentials provider: signed with the credentials
//! of the step before, with the step's external id, session tags and transitive tag keys.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, future};
use aws_sdk_sts::types::Tag;

use super::web_identity::SESSION_NAME;
use crate::core::tenancy::role_chain::AssumeStep;

/// Why a step of the chain gave no credentials: STS's error code when it answered with one, and a
/// message naming the role and its field (never a credential).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StepFailure {
    /// STS's error code (`AccessDenied`, ...); None when STS could not be asked or did not say.
    pub code: Option<String>,
    /// What failed.
    pub message: String,
}

/// Credentials from AssumeRole of one chain step. It caches nothing: the client using it (or the
/// next step's STS client's caller) keeps the credentials until shortly before they expire.
#[derive(Clone)]
pub struct AssumeRoleStepProvider {
    sts: aws_sdk_sts::Client,
    step: AssumeStep,
}

impl std::fmt::Debug for AssumeRoleStepProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRoleStepProvider")
            .field("role", &self.step.role)
            .finish()
    }
}

impl AssumeRoleStepProvider {
    /// A provider assuming `step.role` through `sts` (whose credentials are the step before's).
    pub fn new(sts: aws_sdk_sts::Client, step: AssumeStep) -> Self {
        Self { sts, step }
    }

    async fn load(&self) -> provider::Result {
        let step = &self.step;
        let mut call = self
            .sts
            .assume_role()
            .role_arn(&step.role)
            .role_session_name(SESSION_NAME)
            .set_external_id(step.external_id.clone());
        for (key, value) in &step.session_tags {
            let tag = Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| CredentialsError::invalid_configuration(e.to_string()))?;
            call = call.tags(tag);
        }
        // Transitive keys only name session tags (checked by the core), so they go with tags.
        if !step.session_tags.is_empty() {
            for key in &step.transitive_tag_keys {
                call = call.transitive_tag_keys(key);
            }
        }
        let out = call.send().await.map_err(|e| {
            let code = aws_sdk_sts::error::ProvideErrorMetadata::code(&e).map(String::from);
            let detail = match (&code, aws_sdk_sts::error::ProvideErrorMetadata::message(&e)) {
                (Some(code), message) => format!("{code}: {}", message.unwrap_or_default()),
                (None, _) => aws_sdk_sts::error::DisplayErrorContext(&e).to_string(),
            };
            CredentialsError::provider_error(StepFailure {
                code,
                message: format!("AssumeRole {} ({}): {detail}", step.role, step.field),
            })
        })?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::provider_error(format!(
                "AssumeRole {} returned no credentials",
                step.role
            ))
        })?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "secretsync-assume-role",
        ))
    }
}

impl ProvideCredentials for AssumeRoleStepProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.load())
    }
}
