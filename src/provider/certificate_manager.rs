//! AWS Certificate Manager calls, one request each (the provider paces and counts them):
//! GetCertificate (the certificate and chain, no key), DescribeCertificate (its export option) and
//! ExportCertificate (with a passphrase; the costly, rate-limited call). Every answer goes through
//! the checks of [`crate::core::answer`]; errors map onto the provider's kinds.

use aws_sdk_acm::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_acm::primitives::Blob;

use super::error::{ProviderError, classify_service, is_regional, service_error};
use crate::api::AwsService;
use crate::core::answer::{
    CertificateAnswer, DescribeCertificateAnswer, ExistenceAnswer, ExportAnswer, Unusable,
    certificate_of, existence, exportable,
};
use crate::core::certificate::{bundle_of, fingerprint};
use crate::core::deletion::RemoteState;

/// The service's name in messages.
const SERVICE: &str = "Certificate Manager";

/// Characters of an export passphrase: ESO's set (no `#`, `$` or `%`, which ACM refuses).
const PASSPHRASE_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Reads Certificate Manager with one client.
#[derive(Clone)]
pub struct CertificateManager {
    client: aws_sdk_acm::Client,
}

impl super::regions::RegionalClient for CertificateManager {
    /// A certificate ARN names one certificate in one region: it is read as written.
    fn key_in(key: &str, _region: &str) -> String {
        key.to_string()
    }
}

/// The provider error for an answer the checks refused (never a value, never a deletion).
pub(super) fn unusable(why: Unusable, operation: &str, arn: &str) -> ProviderError {
    ProviderError::new(
        super::ProviderErrorKind::Other,
        format!("{operation} {arn:?}: {}", why.explain()),
    )
}

fn classify<E>(
    err: SdkError<E, aws_sdk_acm::config::http::HttpResponse>,
    op: &str,
    arn: &str,
) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (kind, detail) = classify_service(
        &err,
        SERVICE,
        &["ResourceNotFoundException"],
        &["ThrottlingException", "RequestInProgressException"],
    );
    ProviderError {
        regional: is_regional(&err, kind),
        ..ProviderError::new(kind, format!("{op} {arn:?}: {detail}"))
    }
}

/// A random export passphrase of 32 characters of [`PASSPHRASE_CHARS`], as ESO makes it.
fn passphrase() -> Result<Vec<u8>, ProviderError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| {
        ProviderError::new(
            super::ProviderErrorKind::Other,
            "no randomness for an export passphrase",
        )
    })?;
    Ok(bytes
        .iter()
        .map(|b| PASSPHRASE_CHARS[usize::from(*b) % PASSPHRASE_CHARS.len()])
        .collect())
}

impl CertificateManager {
    /// Wraps a client.
    pub fn new(client: aws_sdk_acm::Client) -> Self {
        Self { client }
    }

    /// The keyed fingerprint of certificate `arn` now (GetCertificate; no private key is read).
    pub async fn fingerprint(&self, key: &[u8], arn: &str) -> Result<String, ProviderError> {
        let out = self
            .client
            .get_certificate()
            .certificate_arn(arn)
            .send()
            .await
            .map_err(|e| classify(e, "GetCertificate", arn))?;
        let answer = CertificateAnswer {
            certificate: out.certificate(),
            chain: out.certificate_chain(),
        };
        let (cert, chain) =
            certificate_of(&answer).map_err(|why| unusable(why, "GetCertificate", arn))?;
        Ok(fingerprint(key, cert, chain))
    }

    /// Whether certificate `arn` may be exported (DescribeCertificate names it, `Options.Export` is
    /// ENABLED).
    pub async fn check_exportable(&self, arn: &str) -> Result<(), ProviderError> {
        let out = self
            .client
            .describe_certificate()
            .certificate_arn(arn)
            .send()
            .await
            .map_err(|e| classify(e, "DescribeCertificate", arn))?;
        let detail = out.certificate();
        let answer = DescribeCertificateAnswer {
            arn: detail.and_then(|d| d.certificate_arn()),
            export: detail
                .and_then(|d| d.options())
                .and_then(|o| o.export())
                .map(|e| e.as_str()),
        };
        exportable(arn, &answer).map_err(|why| unusable(why, "DescribeCertificate", arn))
    }

    /// Exports certificate `arn` with a fresh passphrase: (the fingerprint of what was exported, the
    /// PEM bundle ESO builds).
    pub async fn export(&self, key: &[u8], arn: &str) -> Result<(String, String), ProviderError> {
        let pass = passphrase()?;
        let out = self
            .client
            .export_certificate()
            .certificate_arn(arn)
            .passphrase(Blob::new(pass.clone()))
            .send()
            .await
            .map_err(|e| classify(e, "ExportCertificate", arn))?;
        let answer = ExportAnswer {
            certificate: out.certificate(),
            chain: out.certificate_chain(),
            private_key: out.private_key(),
        };
        let bundle =
            bundle_of(&answer, &pass).map_err(|why| unusable(why, "ExportCertificate", arn))?;
        let version = fingerprint(key, answer.certificate.unwrap_or_default(), answer.chain);
        Ok((version, bundle))
    }

    /// Whether certificate `arn` itself still exists, as [`existence`] reads a GetCertificate
    /// answer: only ACM's own ResourceNotFoundException is a deletion.
    pub async fn exists(&self, arn: &str) -> RemoteState {
        let result = self
            .client
            .get_certificate()
            .certificate_arn(arn)
            .send()
            .await;
        let answer = match &result {
            Ok(out) => ExistenceAnswer::Answered {
                entity: out.certificate().is_some(),
                deleted_date: false,
            },
            Err(e) => service_error(e).unwrap_or(ExistenceAnswer::NoAnswer),
        };
        existence(AwsService::CertificateManager, answer)
    }
}
