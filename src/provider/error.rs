//! Classifying AWS failures into what the user can act on.

use aws_sdk_secretsmanager::config::http::HttpResponse;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};

use crate::core::answer::ExistenceAnswer;

/// What kind of failure a provider call had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderErrorKind {
    /// The secret or version does not exist (or is scheduled for deletion).
    NotFound,
    /// IAM refused.
    AccessDenied,
    /// Rate limited.
    Throttled,
    /// The credentials themselves could not be obtained or are invalid.
    Credentials,
    /// Anything else: network, timeouts, 5xx.
    Other,
}

impl ProviderErrorKind {
    /// Label for the AWS call metric.
    pub fn as_label(self) -> &'static str {
        match self {
            ProviderErrorKind::NotFound => "not_found",
            ProviderErrorKind::AccessDenied => "access_denied",
            ProviderErrorKind::Throttled => "throttled",
            ProviderErrorKind::Credentials => "credentials_error",
            ProviderErrorKind::Other => "error",
        }
    }
}

/// A provider failure; the message names the operation and secret, never a value.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    /// Category.
    pub kind: ProviderErrorKind,
    /// Explanation.
    pub message: String,
    /// A regional or transport failure (connection, timeout, 5xx, throttling after retries): another
    /// region holding a replica may answer. Never set for AccessDenied, NotFound or a bad request.
    pub regional: bool,
}

impl ProviderError {
    /// A new error.
    pub fn new(kind: ProviderErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            regional: false,
        }
    }

    /// What Certificate Manager cannot do (the spec check refuses it before any call).
    pub fn not_supported_by_acm(what: &str) -> Self {
        Self::new(
            ProviderErrorKind::Other,
            format!("{what} is not supported by the Certificate Manager service (as in ESO)"),
        )
    }
}

/// The kind of an AWS error code (Other when the code says nothing specific).
pub fn kind_of_code(code: &str, aws_message: &str) -> ProviderErrorKind {
    match code {
        "ResourceNotFoundException" => ProviderErrorKind::NotFound,
        "InvalidRequestException" if aws_message.contains("marked for deletion") => {
            ProviderErrorKind::NotFound
        }
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
            ProviderErrorKind::AccessDenied
        }
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => ProviderErrorKind::Throttled,
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch" => ProviderErrorKind::Credentials,
        _ => ProviderErrorKind::Other,
    }
}

/// The store's credentials could not be obtained (a step of its role chain, or its web identity,
/// failed before the call was sent): the kind and message, or None for any other error. Whatever STS
/// answered (throttling aside) is a credentials failure: never NotFound (a refused AssumeRole must not
/// look like a deleted secret) and never AccessDenied (that would mark ListSecrets or batch reads as
/// denied to the store); an STS that could not be asked is a transport failure.
pub fn credentials_failure<E>(
    err: &SdkError<E, HttpResponse>,
) -> Option<(ProviderErrorKind, String)>
where
    E: std::error::Error + 'static,
{
    use aws_credential_types::provider::error::CredentialsError;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut found: Option<&CredentialsError> = None;
    while let Some(e) = source {
        if let Some(step) = e.downcast_ref::<super::assume_role::StepFailure>() {
            let throttled = step
                .code
                .as_deref()
                .is_some_and(|c| kind_of_code(c, "") == ProviderErrorKind::Throttled);
            let kind = match (step.refused, throttled) {
                (false, _) => ProviderErrorKind::Other,
                (true, true) => ProviderErrorKind::Throttled,
                (true, false) => ProviderErrorKind::Credentials,
            };
            return Some((
                kind,
                format!("could not obtain the store's credentials: {step}"),
            ));
        }
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            found.get_or_insert(c);
        }
        source = e.source();
    }
    let c = found?;
    let detail = match std::error::Error::source(c) {
        Some(inner) => inner.to_string(),
        None => c.to_string(),
    };
    Some((
        ProviderErrorKind::Credentials,
        format!("could not obtain the store's credentials: {detail}"),
    ))
}

/// Maps an SDK error to a kind and a value-free message.
pub fn classify<E>(err: SdkError<E, HttpResponse>, operation: &str, key: &str) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some((kind, detail)) = credentials_failure(&err) {
        return ProviderError {
            regional: is_regional(&err, kind),
            ..ProviderError::new(kind, format!("{operation} {key:?}: {detail}"))
        };
    }
    // The HTTP status tells 403/429 apart even when the body is not the JSON we expect
    // (some emulators answer IAM denials with XML).
    let status = err.raw_response().map(|r| r.status().as_u16());
    let code = err.code().unwrap_or_default().to_string();
    let aws_message = err.message().unwrap_or_default().to_string();
    let kind = match kind_of_code(&code, &aws_message) {
        // A bare 404 is not Secrets Manager saying a secret is gone (it answers 400 with a
        // ResourceNotFoundException): a mis-pointed endpoint must never look like a deletion.
        ProviderErrorKind::Other => match status {
            Some(403) => ProviderErrorKind::AccessDenied,
            Some(429) => ProviderErrorKind::Throttled,
            _ => ProviderErrorKind::Other,
        },
        kind => kind,
    };
    let detail = match (&err, code.is_empty()) {
        (SdkError::DispatchFailure(_), _) => {
            "could not reach Secrets Manager (connection failed)".to_string()
        }
        (SdkError::TimeoutError(_), _) => "Secrets Manager did not answer in time".to_string(),
        (SdkError::ConstructionFailure(_), _) => {
            format!(
                "could not build the request: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(&err)
            )
        }
        (_, false) => format!("{code}: {aws_message}"),
        (_, true) => match status {
            Some(404) => {
                "HTTP 404 without a Secrets Manager error (is the store's endpoint right?)"
                    .to_string()
            }
            Some(s) => format!("HTTP {s}"),
            None => aws_sdk_secretsmanager::error::DisplayErrorContext(&err).to_string(),
        },
    };
    ProviderError {
        regional: is_regional(&err, kind),
        ..ProviderError::new(kind, format!("{operation} {key:?}: {detail}"))
    }
}

/// Whether a failure of `kind` is regional or of the transport (connection, timeout, HTTP 5xx,
/// throttling after retries), so another region may answer. AccessDenied, NotFound and credential
/// errors are final in every region, whatever the transport looked like (an emulator's unparseable
/// 403 is still a denial).
pub fn is_regional<E>(err: &SdkError<E, HttpResponse>, kind: ProviderErrorKind) -> bool {
    let final_anywhere = matches!(
        kind,
        ProviderErrorKind::AccessDenied
            | ProviderErrorKind::NotFound
            | ProviderErrorKind::Credentials
    );
    let status = err.raw_response().map(|r| r.status().as_u16());
    !final_anywhere
        && (matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_)
        ) || status.is_some_and(|s| s >= 500)
            || kind == ProviderErrorKind::Throttled)
}

/// Maps an error of another AWS service (SQS, SSM) to a kind and a value-free detail: `not_found` and
/// `throttled` are that service's own codes; the shared codes and HTTP 403/429 apply as for Secrets
/// Manager, whose not-found code proves nothing here.
pub fn classify_service<E>(
    err: &SdkError<E, HttpResponse>,
    service: &str,
    not_found: &[&str],
    throttled: &[&str],
) -> (ProviderErrorKind, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(failure) = credentials_failure(err) {
        return failure;
    }
    let status = err.raw_response().map(|r| r.status().as_u16());
    let code = err.code().unwrap_or_default().to_string();
    let message = err.message().unwrap_or_default().to_string();
    let kind = if not_found.contains(&code.as_str()) {
        ProviderErrorKind::NotFound
    } else if throttled.contains(&code.as_str()) {
        ProviderErrorKind::Throttled
    } else {
        match (kind_of_code(&code, &message), status) {
            (ProviderErrorKind::Other | ProviderErrorKind::NotFound, Some(403)) => {
                ProviderErrorKind::AccessDenied
            }
            (ProviderErrorKind::Other, Some(429)) => ProviderErrorKind::Throttled,
            (ProviderErrorKind::NotFound, _) => ProviderErrorKind::Other,
            (kind, _) => kind,
        }
    };
    let detail = match (err, code.is_empty()) {
        (SdkError::DispatchFailure(_), _) => {
            format!("could not reach {service} (connection failed)")
        }
        (SdkError::TimeoutError(_), _) => format!("{service} did not answer in time"),
        (_, false) => format!("{code}: {message}"),
        (_, true) => match status {
            Some(s) => format!("HTTP {s} without a {service} error (is the endpoint right?)"),
            None => aws_sdk_secretsmanager::error::DisplayErrorContext(err).to_string(),
        },
    };
    (kind, detail)
}

/// An SDK error that is a service error parsed from a well-formed error body, as an
/// [`ExistenceAnswer`] (code, message, HTTP status); None for a transport failure, a timeout or a response that is no service error. What the code
/// proves is decided by [`crate::core::answer::existence`].
pub fn service_error<E>(err: &SdkError<E, HttpResponse>) -> Option<ExistenceAnswer<'_>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let SdkError::ServiceError(_) = err else {
        return None;
    };
    Some(ExistenceAnswer::ServiceError {
        code: err.code()?,
        message: err.message().unwrap_or_default(),
        status: err.raw_response().map(|r| r.status().as_u16()),
    })
}
