//! Why an ExternalSecret or store is (not) Ready: the reasons on the `Ready` condition.

use std::fmt;

/// The reason on a `Ready` condition. Each failure reason names one thing the user can fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The Secret holds the remote values.
    Synced,
    /// A store's configuration resolves.
    Valid,
    /// The referenced SecretStore/ClusterSecretStore does not exist.
    StoreNotFound,
    /// The store exists but may not be used from this namespace.
    StoreNotAllowed,
    /// The store's configuration does not resolve (credentials missing, bad role).
    StoreNotReady,
    /// A remote secret (or the requested version of it) does not exist.
    SecretNotFound,
    /// AWS refused the read (IAM).
    AccessDenied,
    /// A `property` is not in the remote JSON.
    PropertyNotFound,
    /// A remote value cannot be used (not JSON where JSON is needed, bad base64, key collision, bad key).
    InvalidValue,
    /// The template does not parse or render.
    TemplateError,
    /// The target Secret exists and belongs to something else (or has an incompatible type).
    TargetConflict,
    /// `creationPolicy: Merge` and the target Secret does not exist yet.
    TargetNotFound,
    /// The Secret would exceed the 1 MiB limit.
    SizeLimitExceeded,
    /// The spec is invalid in a way the API server could not check (e.g. a bad regular expression).
    InvalidSpec,
    /// AWS throttled the controller.
    Throttled,
    /// Any other provider failure (network, 5xx, emulator down).
    ProviderError,
    /// Writing to the Kubernetes API failed.
    KubernetesError,
}

impl Reason {
    /// Every reason, for tables over all of them.
    pub const ALL: &'static [Reason] = &[
        Reason::Synced,
        Reason::Valid,
        Reason::StoreNotFound,
        Reason::StoreNotAllowed,
        Reason::StoreNotReady,
        Reason::SecretNotFound,
        Reason::AccessDenied,
        Reason::PropertyNotFound,
        Reason::InvalidValue,
        Reason::TemplateError,
        Reason::TargetConflict,
        Reason::TargetNotFound,
        Reason::SizeLimitExceeded,
        Reason::InvalidSpec,
        Reason::Throttled,
        Reason::ProviderError,
        Reason::KubernetesError,
    ];

    /// The CamelCase name used on conditions, Events and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Synced => "Synced",
            Reason::Valid => "Valid",
            Reason::StoreNotFound => "StoreNotFound",
            Reason::StoreNotAllowed => "StoreNotAllowed",
            Reason::StoreNotReady => "StoreNotReady",
            Reason::SecretNotFound => "SecretNotFound",
            Reason::AccessDenied => "AccessDenied",
            Reason::PropertyNotFound => "PropertyNotFound",
            Reason::InvalidValue => "InvalidValue",
            Reason::TemplateError => "TemplateError",
            Reason::TargetConflict => "TargetConflict",
            Reason::TargetNotFound => "TargetNotFound",
            Reason::SizeLimitExceeded => "SizeLimitExceeded",
            Reason::InvalidSpec => "InvalidSpec",
            Reason::Throttled => "Throttled",
            Reason::ProviderError => "ProviderError",
            Reason::KubernetesError => "KubernetesError",
        }
    }

    /// Whether retrying without a change to some object can help. Non-retryable failures are
    /// reported once and not retried with backoff: they wait for a spec change (or, since remote data
    /// can fix some of them, the next regular refresh) instead of being hammered.
    pub fn is_retryable(self) -> bool {
        !matches!(
            self,
            Reason::Synced
                | Reason::InvalidSpec
                | Reason::TemplateError
                | Reason::SizeLimitExceeded
                | Reason::InvalidValue
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure with its reason and a message safe to show (never containing secret values).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct SyncError {
    /// Category of the failure.
    pub reason: Reason,
    /// Human-readable, value-free explanation.
    pub message: String,
}

impl SyncError {
    /// Builds an error from a reason and message.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }

    /// A failed Kubernetes API call (`KubernetesError`, retried): what was being done, and the error.
    pub fn kubernetes(what: &str, e: impl std::fmt::Display) -> Self {
        Self::new(Reason::KubernetesError, format!("{what}: {e}"))
    }
}

/// An API server message with every single-quoted fragment replaced by `'…'`: its validation errors
/// can quote pieces of the rejected data (e.g. a JSON parse error naming the character it tripped on).
pub fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('\'');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // Pairs of quotes enclose fragments; an unpaired trailing quote keeps the text after it.
    let pairs = rest.len() / 2;
    for (i, part) in rest.iter().enumerate() {
        if i < pairs * 2 && i % 2 == 0 {
            out.push_str("'…'");
        } else if i < pairs * 2 {
            out.push_str(part);
        } else {
            out.push('\'');
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_failures_are_not_retried_but_provider_failures_are() {
        assert!(!Reason::TemplateError.is_retryable());
        assert!(!Reason::InvalidSpec.is_retryable());
        assert!(Reason::ProviderError.is_retryable());
        assert!(Reason::StoreNotFound.is_retryable());
        assert!(Reason::AccessDenied.is_retryable());
        assert!(Reason::KubernetesError.is_retryable());
        assert!(
            !Reason::InvalidValue.is_retryable(),
            "an apiserver 422 does not heal by retrying"
        );
    }

    /// Retry or not, for every reason: only failures that a retry can heal are retried with backoff.
    #[test]
    fn retry_table_over_all_reasons() {
        let table = [
            (Reason::Synced, false),
            (Reason::Valid, true),
            (Reason::StoreNotFound, true),
            (Reason::StoreNotAllowed, true),
            (Reason::StoreNotReady, true),
            (Reason::SecretNotFound, true),
            (Reason::AccessDenied, true),
            (Reason::PropertyNotFound, true),
            (Reason::InvalidValue, false),
            (Reason::TemplateError, false),
            (Reason::TargetConflict, true),
            (Reason::TargetNotFound, true),
            (Reason::SizeLimitExceeded, false),
            (Reason::InvalidSpec, false),
            (Reason::Throttled, true),
            (Reason::ProviderError, true),
            (Reason::KubernetesError, true),
        ];
        for (reason, retry) in table {
            assert_eq!(reason.is_retryable(), retry, "{reason}");
        }
    }

    #[test]
    fn quoted_fragments_are_redacted() {
        assert_eq!(
            redact_quoted(
                "data[.dockerconfigjson]: invalid character 'x' looking for beginning of value"
            ),
            "data[.dockerconfigjson]: invalid character '…' looking for beginning of value"
        );
        assert_eq!(redact_quoted("a 'b' c 'd' e"), "a '…' c '…' e");
        assert_eq!(redact_quoted("no quotes"), "no quotes");
        assert_eq!(redact_quoted("dangling 'x"), "dangling 'x");
    }

    #[test]
    fn display_is_reason_then_message() {
        let e = SyncError::new(Reason::AccessDenied, "no access to team-b/x");
        assert_eq!(e.to_string(), "AccessDenied: no access to team-b/x");
    }
}
