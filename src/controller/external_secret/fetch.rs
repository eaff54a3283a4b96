//! Reads every remote value an ExternalSecret needs through the provider, walking its
//! [`References`].

use crate::api::ExternalSecretSpec;
use crate::core::reason::{Reason, SyncError};
use crate::core::references::{FromRef, References};
use crate::core::remote::{Fetched, FetchedFrom, VersionSelector};

pub use crate::provider::Hints;
use crate::provider::{Provider, ProviderError, ProviderErrorKind, StoreClient};

/// Maps a provider failure to the reason shown on the ExternalSecret.
pub fn to_sync_error(e: ProviderError) -> SyncError {
    let reason = match e.kind {
        ProviderErrorKind::NotFound => Reason::SecretNotFound,
        ProviderErrorKind::AccessDenied | ProviderErrorKind::Credentials => Reason::AccessDenied,
        ProviderErrorKind::Throttled => Reason::Throttled,
        ProviderErrorKind::Other => Reason::ProviderError,
    };
    SyncError::new(reason, e.message)
}

/// Fetches `spec.data` and `spec.dataFrom` (`refs`: the spec's references), aligned with the spec. Identical reads are done once; with
/// hints, values are read by the version id detection saw (cache first).
pub async fn fetch_all(
    provider: &Provider,
    sc: &StoreClient,
    spec: &ExternalSecretSpec,
    refs: &References<'_>,
    hints: &Hints,
) -> Result<Fetched, SyncError> {
    let mut memo: Vec<((String, VersionSelector), crate::core::remote::RemoteSecret)> = Vec::new();
    let mut get = async |key: &str,
                         sel: VersionSelector|
           -> Result<crate::core::remote::RemoteSecret, SyncError> {
        if let Some((_, hit)) = memo.iter().find(|((k, s), _)| k == key && *s == sel) {
            return Ok(hit.clone());
        }
        let hinted = hints.version(key, &sel);
        let got = if sel.is_current() {
            // AWSCURRENT reads of ExternalSecrets due together go out as one batch.
            provider.get_current(sc, key, hinted.as_deref()).await
        } else {
            let read = match hinted {
                Some(id) => VersionSelector::Id(id),
                None => sel.clone(),
            };
            provider.get(sc, key, &read).await
        }
        .map_err(to_sync_error)?;
        memo.push(((key.to_string(), sel), got.clone()));
        Ok(got)
    };
    let from = refs.data_from();
    if from.len() != spec.data_from.len() {
        return Err(SyncError::new(
            Reason::InvalidSpec,
            "a dataFrom entry needs extract or find",
        ));
    }
    // Tags (`metadataPolicy: Fetch`) are read apart, once per name: only the references asking for them
    // cost the extra call.
    let mut tags: Vec<(String, crate::core::remote::RemoteSecret)> = Vec::new();
    let mut read = async |r: &crate::core::references::NamedRef<'_>| {
        if !r.remote.fetches_metadata() {
            return get(r.key(), r.selector.clone()).await;
        }
        if let Some((_, hit)) = tags.iter().find(|(k, _)| k == r.key()) {
            return Ok(hit.clone());
        }
        let got = provider
            .get_tags(sc, r.key())
            .await
            .map_err(to_sync_error)?;
        tags.push((r.key().to_string(), got.clone()));
        Ok(got)
    };
    let mut fetched = Fetched::default();
    for r in refs.data() {
        fetched.data.push(read(r).await?);
    }
    for entry in from {
        fetched.data_from.push(match entry {
            FromRef::Extract(r) => FetchedFrom::Extract(read(r).await?),
            FromRef::Find(find) => FetchedFrom::Find(
                provider
                    .find(sc, find, hints.listing.as_deref())
                    .await
                    .map_err(to_sync_error)?,
            ),
        });
    }
    Ok(fetched)
}
