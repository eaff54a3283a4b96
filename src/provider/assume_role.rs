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
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct StepFailure {
    /// STS's error code (`AccessDenied`, ...); None when STS could not be asked or did not say.
    pub code: Option<String>,
    /// STS answered with a refusal, or the credentials the step signs with could not be had;
    /// false when STS could not be reached (a transport failure).
    pub refused: bool,
    /// What failed.
    pub message: String,
}

impl StepFailure {
    /// Why `err` (an AssumeRole of `what`) failed: the innermost failed step when the credentials it
    /// signs with come from a step that failed (so the first broken role is named), else STS's answer.
    fn of<E>(
        err: &aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
        what: &str,
    ) -> Self
    where
        E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
        let mut innermost: Option<&StepFailure> = None;
        let mut credentials: Option<&CredentialsError> = None;
        while let Some(e) = source {
            if let Some(step) = e.downcast_ref::<StepFailure>() {
                innermost = Some(step);
            }
            if let Some(c) = e.downcast_ref::<CredentialsError>() {
                credentials.get_or_insert(c);
            }
            source = e.source();
        }
        if let Some(step) = innermost {
            return step.clone();
        }
        let code = aws_sdk_sts::error::ProvideErrorMetadata::code(err).map(String::from);
        match (&code, credentials) {
            (Some(c), _) => Self {
                message: format!(
                    "{what}: {c}: {}",
                    aws_sdk_sts::error::ProvideErrorMetadata::message(err).unwrap_or_default()
                ),
                code,
                refused: true,
            },
            (None, Some(c)) => Self {
                code: None,
                refused: true,
                message: format!(
                    "{what}: {}",
                    std::error::Error::source(c).map_or_else(|| c.to_string(), |s| s.to_string())
                ),
            },
            (None, None) => Self {
                code: None,
                refused: false,
                message: format!("{what}: {}", aws_sdk_sts::error::DisplayErrorContext(err)),
            },
        }
    }
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
            let what = format!("AssumeRole {} ({})", step.role, step.field);
            CredentialsError::provider_error(StepFailure::of(&e, &what))
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
