//! The Secrets Manager backend: values by version (GetSecretValue), AWSCURRENT reads coalesced into
//! BatchGetSecretValue calls, DescribeSecret answers (deletion, the failover guard's evidence), each
//! in the region that serves (see [`super::regions`]). Listings and `find` are in `listing`.

use std::collections::HashMap;

use aws_sdk_secretsmanager::Client as SmClient;

use super::regions::{RegionClient, Regions};
use super::{Provider, ProviderError, ProviderErrorKind, StoreClient, batch, error};
use crate::api::AwsService;
use crate::core::answer::{
    ExistenceAnswer, TagsAnswer, Unusable, ValueAnswer, existence, tags_of, value_of,
};
use crate::core::change::VersionStages;
use crate::core::deletion::RemoteState;
use crate::core::remote::{RemoteSecret, TAGS_VERSION, VersionSelector};

/// The regions of a Secrets Manager store configuration.
pub(super) type SmRegions = Regions<SmClient>;

/// The provider error for an answer [`value_of`] refused: a valueless version is not found (never a
/// blank), a malformed answer is a provider error (never a value, never a deletion).
fn unusable(why: Unusable, what: &str) -> ProviderError {
    let kind = match why {
        Unusable::NoValue => ProviderErrorKind::NotFound,
        Unusable::Malformed(_) | Unusable::NotExportable => ProviderErrorKind::Other,
    };
    ProviderError::new(kind, format!("{what}: {}", why.explain()))
}

/// A DescribeSecret result as [`existence`] reads it.
fn existence_answer<E>(
    result: &Result<
        aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput,
        aws_sdk_secretsmanager::error::SdkError<
            E,
            aws_sdk_secretsmanager::config::http::HttpResponse,
        >,
    >,
) -> ExistenceAnswer<'_>
where
    E: aws_sdk_secretsmanager::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(d) => ExistenceAnswer::Answered {
            entity: d.name().is_some() || d.arn().is_some(),
            deleted_date: d.deleted_date().is_some(),
        },
        Err(e) => error::service_error(e).unwrap_or(ExistenceAnswer::NoAnswer),
    }
}

/// Which regions a DescribeSecret may ask.
#[derive(Clone, Copy)]
pub(super) enum Ask {
    /// The primary only (a deletion is confirmed there or nowhere).
    PrimaryOnly,
    /// The serving region, failing over as reads do.
    Failover,
    /// As [`Ask::Failover`], without moving the failover state (the guard's check).
    Unrecorded,
}

impl Provider {
    /// Reads one version of one secret (GetSecretValue, sending the stage explicitly) and fills the
    /// cache. (Version-id reads are served from the cache by [`Provider::get`] before this.)
    pub(super) async fn secret_get(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        key: &str,
        selector: &VersionSelector,
    ) -> Result<RemoteSecret, ProviderError> {
        let out = regions
            .call(|rc| async move {
                sc.pace().await;
                let mut req = rc.client.get_secret_value().secret_id(rc.key(key));
                req = match selector {
                    VersionSelector::Stage(stage) => req.version_stage(stage),
                    VersionSelector::Id(id) => req.version_id(id),
                };
                let result = req
                    .send()
                    .await
                    .map_err(|e| error::classify(e, "GetSecretValue", key));
                self.count(sc, "GetSecretValue", &result);
                result
            })
            .await?;
        let answer = ValueAnswer {
            entity: true,
            version: out.version_id(),
            text: out.secret_string(),
            binary: out.secret_binary().map(|b| b.as_ref()),
        };
        let (version_id, content) = value_of(AwsService::SecretsManager, &answer)
            .map_err(|why| unusable(why, &format!("GetSecretValue {key:?} ({selector:?})")))?;
        if let VersionSelector::Id(id) = selector
            && *id != version_id
        {
            return Err(ProviderError::new(
                ProviderErrorKind::Other,
                format!("asked for version {id} of {key:?} but got version {version_id}"),
            ));
        }
        let secret = RemoteSecret {
            name: out.name().unwrap_or(key).to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            version_id,
            content,
        };
        self.cache.put(&sc.scope, key, &secret);
        Ok(secret)
    }

    /// Reads the tags of `key` (`metadataPolicy: Fetch`, as ESO: one DescribeSecret) as ESO's JSON
    /// value, through the one check of [`tags_of`]. Not cached: tags have no version.
    pub(super) async fn secret_tags(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        key: &str,
    ) -> Result<RemoteSecret, ProviderError> {
        let out = regions
            .call(|rc| async move {
                sc.pace().await;
                let result = rc
                    .client
                    .describe_secret()
                    .secret_id(rc.key(key))
                    .send()
                    .await
                    .map_err(|e| error::classify(e, "DescribeSecret", key));
                self.count(sc, "DescribeSecret", &result);
                result
            })
            .await?;
        let answer = TagsAnswer {
            entity: out.name().is_some() || out.arn().is_some(),
            tags: out.tags().iter().map(|t| (t.key(), t.value())).collect(),
        };
        let content = tags_of(&answer)
            .map_err(|why| unusable(why, &format!("DescribeSecret {key:?} (tags)")))?;
        Ok(RemoteSecret {
            name: out.name().unwrap_or(key).to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            version_id: TAGS_VERSION.to_string(),
            content,
        })
    }

    /// Reads AWSCURRENT of `key`: joins the store configuration's pending batch (see [`batch`]); the
    /// first read of a batch waits [`batch::WINDOW`] and then sends it. `expected`: the version
    /// detection saw (a batch answer with another version is not used; a cached one is served by
    /// [`Provider::get_current`] before this).
    pub(super) async fn secret_current(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        key: &str,
        expected: Option<&str>,
    ) -> Result<RemoteSecret, ProviderError> {
        let selector = match expected {
            Some(id) => VersionSelector::Id(id.to_string()),
            None => VersionSelector::current(),
        };
        if self.batches.is_denied(&sc.scope) {
            return self.get(sc, key, &selector).await;
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let waiter = batch::Waiter {
            key: key.to_string(),
            expected: expected.map(String::from),
            reply,
        };
        self.batches
            .join_and_send(&sc.scope, waiter, |waiters| {
                self.flush(sc, regions, waiters)
            })
            .await;
        match answer.await {
            Ok(result) => result,
            // The batch went away without an answer (its leader was cancelled): read alone.
            Err(_) => self.get(sc, key, &selector).await,
        }
    }

    /// Sends one batch: lone secrets as GetSecretValue, the rest as BatchGetSecretValue calls.
    async fn flush(&self, sc: &StoreClient, regions: &SmRegions, waiters: Vec<batch::Waiter>) {
        let keys: Vec<&str> = waiters.iter().map(|w| w.key.as_str()).collect();
        let mut results: HashMap<String, Result<RemoteSecret, ProviderError>> = HashMap::new();
        for call in batch::group(&keys, self.batches.max()) {
            if call.len() == 1 {
                continue;
            }
            match self.batch_get(sc, regions, &call).await {
                Ok(found) => results.extend(found),
                Err(e) if e.kind == ProviderErrorKind::AccessDenied => {
                    self.batches.deny(&sc.scope);
                }
                Err(e) => {
                    for k in &call {
                        results.insert(k.clone(), Err(e.clone()));
                    }
                }
            }
        }
        // Reads outside a batch, once per (secret, expected version) however many wait for it.
        let mut alone: HashMap<(String, Option<String>), Result<RemoteSecret, ProviderError>> =
            HashMap::new();
        for w in waiters {
            let usable = match results.get(&w.key) {
                Some(Ok(r)) => w.expected.as_ref().is_none_or(|e| *e == r.version_id),
                Some(Err(_)) => true,
                None => false,
            };
            let result = match results.get(&w.key) {
                Some(r) if usable => r.clone(),
                // Not in a batch (alone, denied, or another version came back): read it by itself.
                _ => {
                    let read = (w.key.clone(), w.expected.clone());
                    match alone.get(&read) {
                        Some(r) => r.clone(),
                        None => {
                            let selector = match &w.expected {
                                Some(id) => VersionSelector::Id(id.clone()),
                                None => VersionSelector::current(),
                            };
                            let r = self.get(sc, &w.key, &selector).await;
                            alone.insert(read, r.clone());
                            r
                        }
                    }
                }
            };
            let _ = w.reply.send(result);
        }
    }

    /// One BatchGetSecretValue call: per requested key, its AWSCURRENT value or its own error; keys
    /// the answer does not mention are left out (read one by one).
    async fn batch_get(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        keys: &[String],
    ) -> Result<HashMap<String, Result<RemoteSecret, ProviderError>>, ProviderError> {
        let (out, asked) = regions
            .call(|rc| async move {
                sc.pace().await;
                let asked: Vec<String> = keys.iter().map(|k| rc.key(k)).collect();
                let result = rc
                    .client
                    .batch_get_secret_value()
                    .set_secret_id_list(Some(asked.clone()))
                    .send()
                    .await
                    .map_err(|e| error::classify(e, "BatchGetSecretValue", &keys.join(",")));
                self.count(sc, "BatchGetSecretValue", &result);
                result.map(|out| (out, asked))
            })
            .await?;
        let mut found = HashMap::new();
        for (key, asked) in keys.iter().zip(&asked) {
            let entry = out.secret_values().iter().find(|v| {
                v.name() == Some(key.as_str())
                    || v.arn() == Some(key.as_str())
                    || v.arn() == Some(asked.as_str())
            });
            if let Some(v) = entry {
                let answer = ValueAnswer {
                    entity: true,
                    version: v.version_id(),
                    text: v.secret_string(),
                    binary: v.secret_binary().map(|b| b.as_ref()),
                };
                // An entry without a usable value is read alone, which says why.
                let Ok((version_id, content)) = value_of(AwsService::SecretsManager, &answer)
                else {
                    continue;
                };
                let secret = RemoteSecret {
                    name: v.name().unwrap_or(key).to_string(),
                    arn: v.arn().unwrap_or_default().to_string(),
                    version_id,
                    content,
                };
                self.cache.put(&sc.scope, key, &secret);
                found.insert(key.clone(), Ok(secret));
            } else if let Some(e) = out.errors().iter().find(|e| {
                e.secret_id() == Some(key.as_str()) || e.secret_id() == Some(asked.as_str())
            }) {
                let code = e.error_code().unwrap_or_default();
                let kind = error::kind_of_code(code, e.message().unwrap_or_default());
                if kind != ProviderErrorKind::Other {
                    found.insert(
                        key.clone(),
                        Err(ProviderError::new(
                            kind,
                            format!("BatchGetSecretValue {key:?}: {code}"),
                        )),
                    );
                }
            }
        }
        Ok(found)
    }

    /// Asks Secrets Manager (DescribeSecret, in the primary region) whether each named secret itself
    /// still exists: only a well-formed ResourceNotFoundException or a `DeletedDate` counts as deleted.
    pub(super) async fn secrets_deleted(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        names: &[String],
    ) -> Vec<(String, RemoteState)> {
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let state = match self.describe(sc, regions, name, Ask::PrimaryOnly).await {
                Ok(None) => RemoteState::Deleted,
                Ok(Some(_)) => RemoteState::Present,
                Err(_) => RemoteState::Unknown,
            };
            out.push((name.clone(), state));
        }
        out
    }

    /// One DescribeSecret call: the secret's versions, or None when Secrets Manager itself says it is
    /// gone (a well-formed ResourceNotFoundException, or a `DeletedDate`). Any other failure is an error.
    pub(super) async fn describe(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        name: &str,
        how: Ask,
    ) -> Result<Option<VersionStages>, ProviderError> {
        self.describe_where(sc, regions, name, how)
            .await
            .map(|(_, versions)| versions)
    }

    /// One uncached DescribeSecret in the region that answers first (failing over as reads do),
    /// with who answered: None for the primary (by position), else the failover region's name.
    pub(super) async fn describe_answered_by_in(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        name: &str,
    ) -> Result<(Option<String>, Option<VersionStages>), ProviderError> {
        self.describe_where(sc, regions, name, Ask::Unrecorded)
            .await
            .map(|((index, region), versions)| ((index != 0).then_some(region), versions))
    }

    /// [`Self::describe`] with the region that answered (position, 0: the primary; and name).
    async fn describe_where(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        name: &str,
        how: Ask,
    ) -> Result<((usize, String), Option<VersionStages>), ProviderError> {
        let ask = |rc: RegionClient<SmClient>| async move {
            sc.pace().await;
            let result = rc
                .client
                .describe_secret()
                .secret_id(rc.key(name))
                .send()
                .await;
            let state = existence(AwsService::SecretsManager, existence_answer(&result));
            let result = result.map_err(|e| error::classify(e, "DescribeSecret", name));
            self.count(sc, "DescribeSecret", &result);
            match (state, result) {
                (RemoteState::Deleted, _) => Ok(None),
                (RemoteState::Present, Ok(d)) => Ok(Some(
                    d.version_ids_to_stages()
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                )),
                (_, Err(e)) => Err(e),
                (_, Ok(_)) => Err(ProviderError::new(
                    ProviderErrorKind::Other,
                    format!(
                        "DescribeSecret {name:?}: malformed answer: HTTP success without the secret"
                    ),
                )),
            }
        };
        // Only the primary region may say a secret is gone: a replica region that lacks it (or answers
        // while the primary is down) proves nothing about the secret itself.
        let ask = |rc: RegionClient<SmClient>| {
            let who = (rc.index, rc.region.clone());
            let answer = ask(rc);
            async move { answer.await.map(|versions| (who, versions)) }
        };
        match how {
            Ask::PrimaryOnly => ask(regions.primary().clone()).await,
            Ask::Failover => regions.call(ask).await,
            Ask::Unrecorded => regions.call_unrecorded(ask).await,
        }
    }
}
