//! What an AWS answer may mean, for every service: the one check an answer passes before it can
//! produce a value or confirm a deletion. A value comes only from an answer that names a version and
//! holds a value; a deletion is confirmed only by the service's own not-found error for the entity
//! itself (or Secrets Manager's `DeletedDate`). An HTTP 200 that lacks what the call promises (`{}`, a
//! `Parameter` without `Value`) is malformed: a provider error, never a value, never a deletion.

use super::deletion::RemoteState;
use super::remote::RemoteContent;
use crate::api::AwsService;

/// A value read's answer, as the service sent it (None: the field was absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct ValueAnswer<'a> {
    /// The answer holds the entity at all (Parameter Store: a `Parameter`; Secrets Manager's
    /// GetSecretValue and batch entries always do).
    pub entity: bool,
    /// The version identifier it names (Secrets Manager `VersionId`; Parameter Store: the version
    /// identity, see [`super::parameter::version_identity`]).
    pub version: Option<&'a str>,
    /// `SecretString` / `Value`.
    pub text: Option<&'a str>,
    /// `SecretBinary` (Secrets Manager only).
    pub binary: Option<&'a [u8]>,
}

/// Why an answer cannot produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// The version exists but holds no value (Secrets Manager: a rotation without a Lambda); the same
    /// as a missing version: not found, never a blank.
    NoValue,
    /// The answer is not what the service sends (no entity, no version, or no value where the service
    /// always sends one): a provider error.
    Malformed(&'static str),
    /// A certificate whose `Options.Export` is not ENABLED: ACM will not export its private key.
    NotExportable,
}

impl Unusable {
    /// A value-free explanation for status and logs.
    pub fn explain(self) -> &'static str {
        match self {
            Unusable::NoValue => "the version has no value",
            Unusable::Malformed(what) => what,
            Unusable::NotExportable => {
                "the certificate is not exportable (its Options.Export is not ENABLED)"
            }
        }
    }
}

/// The version id and content of a value answer, or why it cannot be used.
pub fn value_of(
    service: AwsService,
    answer: &ValueAnswer<'_>,
) -> Result<(String, RemoteContent), Unusable> {
    if !answer.entity {
        return Err(Unusable::Malformed(
            "malformed answer: HTTP success without the secret or parameter",
        ));
    }
    let Some(version) = answer.version.filter(|v| !v.is_empty()) else {
        return Err(Unusable::Malformed("malformed answer: no version"));
    };
    let content = match (service, answer.text, answer.binary) {
        // Parameter Store has no empty parameters (a Value is at least one character).
        (AwsService::ParameterStore, Some(""), _) => {
            return Err(Unusable::Malformed(
                "malformed answer: a parameter with an empty Value",
            ));
        }
        (_, Some(s), _) => RemoteContent::String(s.to_string()),
        (AwsService::SecretsManager, None, Some(b)) => RemoteContent::Binary(b.to_vec()),
        (AwsService::SecretsManager, None, None) => return Err(Unusable::NoValue),
        // Parameter Store always sends `Value` (an empty String parameter cannot exist).
        (AwsService::ParameterStore, None, _) => {
            return Err(Unusable::Malformed(
                "malformed answer: a parameter without a Value",
            ));
        }
        // Certificates are read through [`certificate_of`] and [`exportable`], never as values.
        (AwsService::CertificateManager, None, _) => {
            return Err(Unusable::Malformed("malformed answer: no certificate"));
        }
    };
    Ok((version.to_string(), content))
}

/// A tags read's answer (`metadataPolicy: Fetch`): Secrets Manager's DescribeSecret, Parameter
/// Store's ListTagsForResource.
#[derive(Debug, Clone, Default)]
pub struct TagsAnswer<'a> {
    /// The answer is about the entity (DescribeSecret: it names the secret or its ARN;
    /// ListTagsForResource names nothing and always is).
    pub entity: bool,
    /// Each tag's `Key` and `Value` as sent (None: absent); no list at all: no tags.
    pub tags: Vec<(Option<&'a str>, Option<&'a str>)>,
}

/// The value a tags read gives, as ESO builds it: the tags as a JSON object of strings, Go's
/// `json.Marshal` of a `map[string]string` (keys sorted, compact, `<>&` escaped; a repeated key keeps
/// its last value); no tags: `{}`. A tag without its `Key` or `Value` is a malformed answer.
pub fn tags_of(answer: &TagsAnswer<'_>) -> Result<RemoteContent, Unusable> {
    if !answer.entity {
        return Err(Unusable::Malformed(
            "malformed answer: HTTP success without the secret",
        ));
    }
    let mut map = std::collections::BTreeMap::new();
    for (key, value) in &answer.tags {
        let (Some(key), Some(value)) = (key, value) else {
            return Err(Unusable::Malformed(
                "malformed answer: a tag without its Key or Value",
            ));
        };
        map.insert((*key).to_string(), (*value).to_string());
    }
    Ok(RemoteContent::String(
        crate::core::gotemplate::marshal_string_map(&map),
    ))
}

/// A Certificate Manager GetCertificate answer (None: the field was absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct CertificateAnswer<'a> {
    /// `Certificate` (PEM).
    pub certificate: Option<&'a str>,
    /// `CertificateChain` (PEM).
    pub chain: Option<&'a str>,
}

/// The certificate and chain of a GetCertificate answer: an answer without a certificate is
/// malformed (never an empty value).
pub fn certificate_of<'a>(
    answer: &CertificateAnswer<'a>,
) -> Result<(&'a str, Option<&'a str>), Unusable> {
    match answer.certificate.filter(|c| !c.trim().is_empty()) {
        Some(c) => Ok((c, answer.chain)),
        None => Err(Unusable::Malformed("malformed answer: no certificate")),
    }
}

/// A Certificate Manager DescribeCertificate answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct DescribeCertificateAnswer<'a> {
    /// `Certificate.CertificateArn` (None: no `Certificate` or no ARN).
    pub arn: Option<&'a str>,
    /// `Certificate.Options.Export` as sent (`ENABLED`, `DISABLED`; None: no options).
    pub export: Option<&'a str>,
}

/// Whether a DescribeCertificate answer allows exporting the certificate `requested` (an ARN): it
/// must name that certificate, and its `Options.Export` must be ENABLED (as ESO requires).
pub fn exportable(requested: &str, answer: &DescribeCertificateAnswer<'_>) -> Result<(), Unusable> {
    match answer.arn {
        None | Some("") => Err(Unusable::Malformed("malformed answer: no certificate")),
        Some(arn) if arn != requested => Err(Unusable::Malformed(
            "malformed answer: it describes another certificate",
        )),
        Some(_) if answer.export == Some("ENABLED") => Ok(()),
        Some(_) => Err(Unusable::NotExportable),
    }
}

/// A Certificate Manager ExportCertificate answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportAnswer<'a> {
    /// `Certificate` (PEM).
    pub certificate: Option<&'a str>,
    /// `CertificateChain` (PEM).
    pub chain: Option<&'a str>,
    /// `PrivateKey` (encrypted PKCS#8 PEM).
    pub private_key: Option<&'a str>,
}

/// The answer to "does this secret / parameter still exist?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistenceAnswer<'a> {
    /// HTTP success. `entity`: the answer describes the secret / parameter (Secrets Manager: a Name or
    /// ARN; Parameter Store: a `Parameter`); `deleted_date`: Secrets Manager's `DeletedDate` is set.
    Answered {
        /// The answer holds the entity.
        entity: bool,
        /// Scheduled for deletion (Secrets Manager).
        deleted_date: bool,
    },
    /// A service error parsed from a well-formed error body: its code, message and HTTP status.
    ServiceError {
        /// The error code (`ResourceNotFoundException`, `ParameterNotFound`, ...).
        code: &'a str,
        /// The error message.
        message: &'a str,
        /// The HTTP status it came with (the not-found errors are 4xx client errors).
        status: Option<u16>,
    },
    /// Anything else: transport failure, timeout, a bare HTTP status, an unparseable body.
    NoAnswer,
}

/// What an existence answer proves about the entity itself.
pub fn existence(service: AwsService, answer: ExistenceAnswer<'_>) -> RemoteState {
    match (service, answer) {
        (_, ExistenceAnswer::Answered { entity: false, .. }) => RemoteState::Unknown,
        (
            AwsService::SecretsManager,
            ExistenceAnswer::Answered {
                deleted_date: true, ..
            },
        ) => RemoteState::Deleted,
        (_, ExistenceAnswer::Answered { .. }) => RemoteState::Present,
        // The not-found errors are client errors (AWS sends 400, emulators 400 or 404); the same code
        // on a 5xx (or without a status) is a failing endpoint, not an answer about the secret.
        (_, ExistenceAnswer::ServiceError { status, .. })
            if !status.is_some_and(|s| (400..500).contains(&s)) =>
        {
            RemoteState::Unknown
        }
        (AwsService::SecretsManager, ExistenceAnswer::ServiceError { code, message, .. }) => {
            match code {
                "ResourceNotFoundException" => RemoteState::Deleted,
                "InvalidRequestException" if message.contains("marked for deletion") => {
                    RemoteState::Deleted
                }
                _ => RemoteState::Unknown,
            }
        }
        (AwsService::CertificateManager, ExistenceAnswer::ServiceError { code, .. }) => {
            if code == "ResourceNotFoundException" {
                RemoteState::Deleted
            } else {
                RemoteState::Unknown
            }
        }
        // A missing version (ParameterVersionNotFound) is not a deleted parameter.
        (AwsService::ParameterStore, ExistenceAnswer::ServiceError { code, .. }) => {
            if code == "ParameterNotFound" {
                RemoteState::Deleted
            } else {
                RemoteState::Unknown
            }
        }
        (_, ExistenceAnswer::NoAnswer) => RemoteState::Unknown,
    }
}

#[cfg(test)]
#[path = "answer_tests.rs"]
mod tests;
