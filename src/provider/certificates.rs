//! The Certificate Manager backend: a certificate ARN read as ESO reads it, every call paced and
//! counted, in the primary region (a certificate ARN names its region). ACM has no version ids: a
//! certificate's version identity is its keyed fingerprint ([`crate::core::certificate`]), taken
//! from GetCertificate, so an idle refresh never exports; the costly ExportCertificate runs only
//! for a certificate whose bundle is neither synced nor cached. No `find`, no tags (ESO implements
//! neither; the spec check refuses them first).

use super::backend::{Detect, Detected};
use super::certificate_manager::CertificateManager;
use super::regions::Regions;
use super::{Provider, ProviderError, ProviderErrorKind, RemoteState, StoreClient};
use crate::core::certificate::{ExportDecision, export_decision};
use crate::core::reads::references::References;
use crate::core::remote::{RemoteContent, RemoteSecret, VersionSelector};

/// The regions of a Certificate Manager store configuration (the primary only).
pub(super) type AcmRegions = Regions<CertificateManager>;

impl Provider {
    /// The current fingerprint of certificate `arn` (one GetCertificate).
    async fn certificate_fingerprint(
        &self,
        sc: &StoreClient,
        regions: &AcmRegions,
        arn: &str,
    ) -> Result<String, ProviderError> {
        let key = &self.fingerprint_key;
        regions
            .call(|rc| async move {
                sc.pace().await;
                let result = rc.client.fingerprint(key, arn).await;
                self.count(sc, "GetCertificate", &result);
                result
            })
            .await
    }

    /// Certificate Manager detection: each referenced certificate's GetCertificate fingerprint
    /// against the one synced; any doubt means "read".
    pub(super) async fn certificate_detect(
        &self,
        sc: &StoreClient,
        regions: &AcmRegions,
        ask: &Detect<'_>,
    ) -> Detected {
        let references = References::of(ask.spec);
        if !references.finds.is_empty() {
            return Detected::read_everything();
        }
        for r in &references.named {
            let Ok(current) = self.certificate_fingerprint(sc, regions, r.key()).await else {
                return Detected::read_everything();
            };
            let previous = ask.previous.get(&r.status_key).map(String::as_str);
            if export_decision(previous, &current, false) != ExportDecision::Unchanged {
                return Detected::read_everything();
            }
        }
        Detected {
            unchanged: true,
            ..Detected::default()
        }
    }

    /// The bundle of certificate `arn` now: GetCertificate's fingerprint, then the cached bundle
    /// of that fingerprint, or DescribeCertificate (must be exportable) and ExportCertificate.
    pub(super) async fn certificate_get(
        &self,
        sc: &StoreClient,
        regions: &AcmRegions,
        arn: &str,
        selector: &VersionSelector,
    ) -> Result<RemoteSecret, ProviderError> {
        if !selector.is_current() {
            return Err(ProviderError::not_supported_by_acm(
                "a versionId or versionStage",
            ));
        }
        let current = self.certificate_fingerprint(sc, regions, arn).await?;
        let cached = self.cache.get(&sc.scope, arn, &current);
        if export_decision(None, &current, cached.is_some()) == ExportDecision::FromCache
            && let Some(hit) = cached
        {
            return Ok(hit);
        }
        let key = &self.fingerprint_key;
        let (version, bundle) = regions
            .call(|rc| async move {
                sc.pace().await;
                let described = rc.client.check_exportable(arn).await;
                self.count(sc, "DescribeCertificate", &described);
                described?;
                sc.pace().await;
                let exported = rc.client.export(key, arn).await;
                self.count(sc, "ExportCertificate", &exported);
                exported
            })
            .await?;
        let secret = RemoteSecret {
            name: arn.to_string(),
            arn: arn.to_string(),
            version_id: version,
            content: RemoteContent::String(bundle),
        };
        self.cache.put(&sc.scope, arn, &secret);
        Ok(secret)
    }

    /// Whether each certificate is confirmed gone: only ACM's own ResourceNotFoundException to a
    /// GetCertificate counts (see [`crate::core::answer::existence`]).
    pub(super) async fn certificates_deleted(
        &self,
        sc: &StoreClient,
        regions: &AcmRegions,
        arns: &[String],
    ) -> Vec<(String, RemoteState)> {
        let acm = &regions.primary().client;
        let mut out = Vec::with_capacity(arns.len());
        for arn in arns {
            sc.pace().await;
            let state = acm.exists(arn).await;
            let counted: Result<(), ProviderError> = match state {
                RemoteState::Present => Ok(()),
                RemoteState::Deleted => Err(ProviderError::new(ProviderErrorKind::NotFound, "")),
                RemoteState::Unknown => Err(ProviderError::new(ProviderErrorKind::Other, "")),
            };
            self.count(sc, "GetCertificate", &counted);
            out.push((arn.clone(), state));
        }
        out
    }
}
