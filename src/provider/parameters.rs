//! The Parameter Store backend: every call paced and counted (each page too), in the region that
//! serves (see [`super::regions`]); latest-value reads of ExternalSecrets due together coalesced into
//! GetParameters calls of ten; value-free change detection from a per-store version index that one
//! DescribeParameters call of fifty names refreshes for many ExternalSecrets at once. Every answer of
//! a failover region carries that region in its version identity
//! ([`crate::core::failover::answered_in`]): Parameter Store does not replicate, so such a version is
//! never taken for the primary's (see [`crate::core::failover::parameters`]).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use regex::Regex;

use super::backend::{Detect, Detected};
use super::batch::{self, Waiter};
use super::parameter_store::{NAMES_PER_FILTER, Page, ParameterStore};
use super::regions::{RegionClient, Regions};
use super::{Provider, ProviderError, ProviderErrorKind, RemoteState, StoreClient};
use crate::api::FindRef;
use crate::core::failover::{answered_in, without_region};
use crate::core::parameter::{self, ParameterPick, ParameterRef, version_number};
use crate::core::reads::references::References;
use crate::core::remote::{RemoteSecret, VersionSelector};

/// The regions of a Parameter Store store configuration.
pub(super) type PsRegions = Regions<ParameterStore>;

/// Most pages one paginated call may take: an endpoint that never stops paging is an error, not a
/// reconcile that never ends.
const MAX_PAGES: usize = 2_000;

/// Pages until the last: every answer matters.
fn all<T>(_: &[T]) -> bool {
    false
}

/// A value as answered in `rc`'s region: a failover region's answer carries the region in its
/// version identity.
fn in_region(mut secret: RemoteSecret, rc: &RegionClient<ParameterStore>) -> RemoteSecret {
    if let Some(region) = rc.failover_region() {
        secret.version_id = answered_in(&secret.version_id, region);
    }
    secret
}

/// (name, version identity) pairs as answered in `rc`'s region (see [`in_region`]).
fn identities_in_region(
    items: Vec<(String, String)>,
    rc: &RegionClient<ParameterStore>,
) -> Vec<(String, String)> {
    match rc.failover_region() {
        None => items,
        Some(region) => items
            .into_iter()
            .map(|(name, identity)| (name, answered_in(&identity, region)))
            .collect(),
    }
}

impl Provider {
    /// Parameter Store detection: DescribeParameters gives each referenced parameter's latest version
    /// identity (number and modification time) without its value, and each `find`'s matches with
    /// theirs; labels are always re-read (a label can move without a new Version).
    pub(super) async fn parameter_detect(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        ask: &Detect<'_>,
    ) -> Detected {
        let references = References::of(ask.spec);
        let mut refs = Vec::new();
        for r in &references.named {
            let Ok(pick) = ParameterPick::of(&r.selector) else {
                return Detected::read_everything();
            };
            refs.push(ParameterRef {
                status_key: r.status_key.clone(),
                name: r.key().to_string(),
                pick,
            });
        }
        // DescribeParameters filters by name only: a reference by ARN is read at each refresh. A
        // pinned version is described too: it is unchanged only while it is still the latest, untouched.
        let mut latest: Vec<String> = refs
            .iter()
            .filter(|r| !matches!(r.pick, ParameterPick::Label(_)) && !r.name.starts_with("arn:"))
            .map(|r| r.name.clone())
            .collect();
        latest.sort();
        latest.dedup();
        let described = if latest.is_empty() {
            Default::default()
        } else {
            match self
                .parameter_versions(sc, regions, &latest, ask.interval)
                .await
            {
                Ok(v) => v,
                Err(_) => return Detected::read_everything(),
            }
        };
        // A `find` (below a path, by tags, by name): DescribeParameters lists its matches' versions.
        let mut finds = Vec::new();
        for &(_, f) in &references.finds {
            let regex = match f.name.as_ref().map(|n| Regex::new(&n.regexp)) {
                None => None,
                Some(Ok(re)) => Some(re),
                Some(Err(_)) => return Detected::read_everything(),
            };
            match self
                .find_parameter_versions(sc, regions, f, regex.as_ref())
                .await
            {
                Ok(matches) => finds.push(matches),
                Err(_) => return Detected::read_everything(),
            }
        }
        Detected {
            unchanged: parameter::unchanged_including_finds(
                &refs,
                ask.previous,
                &described,
                &finds,
            ),
            ..Detected::default()
        }
    }

    /// Every page of a paginated call (or the pages until `enough` holds for what came so far), each
    /// paced and counted as one `operation` call.
    async fn all_pages<T, F, Fut>(
        &self,
        sc: &StoreClient,
        operation: &str,
        mut page: F,
        enough: impl Fn(&[T]) -> bool,
    ) -> Result<Vec<T>, ProviderError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, ProviderError>>,
    {
        let mut out = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            sc.pace().await;
            let result = page(token.take()).await;
            self.count(sc, operation, &result);
            let (items, next) = result?;
            out.extend(items);
            match next {
                Some(t) if !t.is_empty() && !enough(&out) => token = Some(t),
                _ => return Ok(out),
            }
        }
        Err(ProviderError::new(
            ProviderErrorKind::Other,
            format!("{operation} did not finish within {MAX_PAGES} pages"),
        ))
    }

    /// One parameter as `selector` picks it (GetParameter, decrypted), in the region that serves.
    pub(super) async fn parameter_get(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        key: &str,
        selector: &VersionSelector,
    ) -> Result<RemoteSecret, ProviderError> {
        let pick = ParameterPick::of(selector)
            .map_err(|e| ProviderError::new(ProviderErrorKind::Other, format!("{key:?}: {e}")))?;
        let pick = &pick;
        let secret = regions
            .call(|rc| async move {
                sc.pace().await;
                let result = rc.client.get(&rc.key(key), pick).await;
                self.count(sc, "GetParameter", &result);
                result.map(|s| in_region(s, &rc))
            })
            .await?;
        if let ParameterPick::Version(n) = pick
            && version_number(without_region(&secret.version_id)) != i64::try_from(*n).ok()
        {
            return Err(ProviderError::new(
                ProviderErrorKind::Other,
                format!(
                    "GetParameter {key:?}: asked for version {n} but the answer is version {}",
                    secret.version_id
                ),
            ));
        }
        self.cache.put(&sc.scope, key, &secret);
        Ok(secret)
    }

    /// Reads the tags of parameter `key` (`metadataPolicy: Fetch`, as ESO: one ListTagsForResource)
    /// as ESO's JSON value, through the one check of [`crate::core::answer::tags_of`]. Not cached.
    pub(super) async fn parameter_tags(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        key: &str,
    ) -> Result<RemoteSecret, ProviderError> {
        let tags = regions
            .call(|rc| async move {
                sc.pace().await;
                let result = rc.client.tags(&rc.key(key)).await;
                self.count(sc, "ListTagsForResource", &result);
                result
            })
            .await?;
        let answer = crate::core::answer::TagsAnswer {
            entity: true,
            tags: tags
                .iter()
                .map(|(k, v)| (k.as_deref(), v.as_deref()))
                .collect(),
        };
        let content = crate::core::answer::tags_of(&answer).map_err(|why| {
            ProviderError::new(
                ProviderErrorKind::Other,
                format!("ListTagsForResource {key:?}: {}", why.explain()),
            )
        })?;
        Ok(RemoteSecret {
            name: key.to_string(),
            arn: String::new(),
            version_id: crate::core::remote::TAGS_VERSION.to_string(),
            content,
        })
    }

    /// The latest version of `key`: joins the store configuration's pending GetParameters batch; the
    /// first read of a batch waits [`batch::WINDOW`] and sends it. (A version detection saw is served
    /// from the cache by [`Provider::get_current`] before this.)
    pub(super) async fn parameter_current(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        key: &str,
    ) -> Result<RemoteSecret, ProviderError> {
        let selector = VersionSelector::current();
        if self.parameter_batches.is_denied(&sc.scope) {
            return self.parameter_get(sc, regions, key, &selector).await;
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let waiter = Waiter {
            key: key.to_string(),
            expected: None,
            reply,
        };
        self.parameter_batches
            .join_and_send(&sc.scope, waiter, |waiters| {
                self.flush_parameters(sc, regions, waiters)
            })
            .await;
        match answer.await {
            Ok(result) => result,
            // The batch went away without an answer (its leader was cancelled): read alone.
            Err(_) => self.parameter_get(sc, regions, key, &selector).await,
        }
    }

    /// Sends one batch of latest-value reads: lone parameters as GetParameter, the rest as
    /// GetParameters calls of ten. A name the answer does not mention is read alone.
    async fn flush_parameters(&self, sc: &StoreClient, regions: &PsRegions, waiters: Vec<Waiter>) {
        let keys: Vec<&str> = waiters.iter().map(|w| w.key.as_str()).collect();
        let mut results: HashMap<String, Result<RemoteSecret, ProviderError>> = HashMap::new();
        for call in batch::group(&keys, self.parameter_batches.max()) {
            if call.len() == 1 {
                continue;
            }
            match self.get_many(sc, regions, &call).await {
                Ok(found) => results.extend(found),
                Err(e) if e.kind == ProviderErrorKind::AccessDenied => {
                    self.parameter_batches.deny(&sc.scope);
                }
                Err(e) => results.extend(call.iter().map(|k| (k.clone(), Err(e.clone())))),
            }
        }
        let mut alone: HashMap<String, Result<RemoteSecret, ProviderError>> = HashMap::new();
        for w in waiters {
            let result = match results.get(&w.key) {
                Some(r) => r.clone(),
                None => match alone.get(&w.key) {
                    Some(r) => r.clone(),
                    None => {
                        let r = self
                            .parameter_get(sc, regions, &w.key, &VersionSelector::current())
                            .await;
                        alone.insert(w.key.clone(), r.clone());
                        r
                    }
                },
            };
            let _ = w.reply.send(result);
        }
    }

    /// One GetParameters call: per requested key its latest value, or NotFound when Parameter Store
    /// lists it as invalid; keys the answer does not mention are left out.
    async fn get_many(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        keys: &[String],
    ) -> Result<HashMap<String, Result<RemoteSecret, ProviderError>>, ProviderError> {
        let (answer, rc, asked) = regions
            .call(|rc| async move {
                sc.pace().await;
                let asked: Vec<String> = keys.iter().map(|k| rc.key(k)).collect();
                let result = rc.client.get_many(&asked).await;
                self.count(sc, "GetParameters", &result);
                result.map(|a| (a, rc, asked))
            })
            .await?;
        let mut out = HashMap::new();
        for (key, asked) in keys.iter().zip(&asked) {
            let found = answer.found.iter().find(|(name, p)| {
                name == key
                    || name == asked
                    || p.as_ref()
                        .is_ok_and(|p| p.name == *key || p.arn == *key || p.arn == *asked)
            });
            if let Some((_, p)) = found {
                let p = p.clone().map(|p| in_region(p, &rc));
                if let Ok(p) = &p {
                    self.cache.put(&sc.scope, key, p);
                }
                out.insert(key.clone(), p);
            } else if answer.invalid.contains(asked) {
                out.insert(
                    key.clone(),
                    Err(ProviderError::new(
                        ProviderErrorKind::NotFound,
                        format!("GetParameters {key:?}: parameter not found"),
                    )),
                );
            }
        }
        Ok(out)
    }

    /// The latest version identity of each of `names` (absent: not there) as seen at most `max_age` ago,
    /// without reading a value. Names the store's index has no fresh answer for are described, with
    /// the call's spare filter values filled by the store's least recently described parameters, so
    /// one DescribeParameters call serves up to fifty ExternalSecrets.
    pub(super) async fn parameter_versions(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        names: &[String],
        max_age: Duration,
    ) -> Result<HashMap<String, String>, ProviderError> {
        let idx = self.index.scope(&sc.scope);
        let known = |out: &mut HashMap<String, String>| -> Vec<String> {
            let mut missing = Vec::new();
            for name in names {
                match idx.parameter_version(name, max_age) {
                    Some(Some(v)) => {
                        out.insert(name.clone(), v);
                    }
                    Some(None) => {}
                    None => missing.push(name.clone()),
                }
            }
            missing
        };
        let mut out = HashMap::new();
        if known(&mut out).is_empty() {
            return Ok(out);
        }
        // One describer at a time per store: whoever waited may find its names answered meanwhile.
        let _turn = idx.describe.lock().await;
        let missing = known(&mut out);
        for chunk in missing.chunks(NAMES_PER_FILTER) {
            let mut asked = chunk.to_vec();
            let skip: HashSet<&str> = chunk.iter().map(String::as_str).collect();
            asked.extend(idx.stalest_parameters(&skip, NAMES_PER_FILTER - chunk.len()));
            let asked_ref = &asked;
            let seen: HashMap<String, String> = regions
                .call(|rc| async move {
                    self.all_pages(
                        sc,
                        "DescribeParameters",
                        |token| rc.client.versions_page(asked_ref, token),
                        // Every name asked for answered: later pages can only repeat them.
                        |seen| seen.len() >= asked_ref.len(),
                    )
                    .await
                    .map(|items| identities_in_region(items, &rc))
                })
                .await?
                .into_iter()
                .collect();
            idx.set_parameter_versions(&asked, &seen);
            out.extend(
                chunk
                    .iter()
                    .filter_map(|n| seen.get(n).map(|v| (n.clone(), v.clone()))),
            );
        }
        Ok(out)
    }

    /// Whether each of `names` is confirmed gone: only Parameter Store's own ParameterNotFound to a
    /// GetParameter in the primary region counts as deleted (see [`crate::core::answer::existence`]);
    /// a failover region is never asked (it holds other parameters, and a missing one there proves
    /// nothing about the primary's).
    pub(super) async fn parameters_deleted(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        names: &[String],
    ) -> Vec<(String, RemoteState)> {
        let ps = &regions.primary().client;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            sc.pace().await;
            let state = ps.exists(name).await;
            let counted: Result<(), ProviderError> = match state {
                RemoteState::Present => Ok(()),
                RemoteState::Deleted => Err(ProviderError::new(ProviderErrorKind::NotFound, "")),
                RemoteState::Unknown => Err(ProviderError::new(ProviderErrorKind::Other, "")),
            };
            self.count(sc, "GetParameter", &counted);
            out.push((name.clone(), state));
        }
        out
    }

    /// What a Parameter Store `find` matches now, without reading a value: (name, latest version
    /// identity) of the parameters below `path` and carrying `tags` (DescribeParameters), narrowed by
    /// `name.regexp`, sorted by name.
    pub(super) async fn find_parameter_versions(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        find: &FindRef,
        regex: Option<&Regex>,
    ) -> Result<Vec<(String, String)>, ProviderError> {
        let tags = find.tags.clone().unwrap_or_default();
        let mut out: Vec<(String, String)> = self
            .described(sc, regions, find.path.as_deref(), &tags)
            .await?
            .into_iter()
            .filter(|(name, _)| regex.is_none_or(|re| re.is_match(name)))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Parameter Store `find`: the parameters below `path` (GetParametersByPath, decrypted), or else
    /// those carrying `tags` (DescribeParameters), narrowed by `name.regexp`; latest versions.
    pub(super) async fn find_parameters(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        find: &FindRef,
        regex: Option<Regex>,
    ) -> Result<Vec<RemoteSecret>, ProviderError> {
        let name_ok = |name: &str| regex.as_ref().is_none_or(|re| re.is_match(name));
        let tags = find.tags.clone().unwrap_or_default();
        let tags = &tags;
        let tagged: Option<HashSet<String>> = if tags.is_empty() {
            None
        } else {
            let described = self.described(sc, regions, None, tags).await?;
            Some(described.into_iter().map(|(name, _)| name).collect())
        };
        let mut out = Vec::new();
        if let Some(path) = &find.path {
            let found = regions
                .call(|rc| async move {
                    self.all_pages(
                        sc,
                        "GetParametersByPath",
                        |t| rc.client.by_path_page(path, t),
                        all,
                    )
                    .await
                    .map(|found| {
                        found
                            .into_iter()
                            .map(|p| in_region(p, &rc))
                            .collect::<Vec<_>>()
                    })
                })
                .await?;
            for p in found {
                if name_ok(&p.name) && tagged.as_ref().is_none_or(|t| t.contains(&p.name)) {
                    self.cache.put(&sc.scope, &p.name.clone(), &p);
                    out.push(p);
                }
            }
        } else {
            let names = match tagged {
                Some(t) => t.into_iter().collect::<Vec<_>>(),
                None => self
                    .described(sc, regions, None, tags)
                    .await?
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect(),
            };
            let mut names: Vec<String> = names.into_iter().filter(|n| name_ok(n)).collect();
            names.sort();
            let reads = names.iter().map(|n| self.parameter_current(sc, regions, n));
            for r in futures::future::join_all(reads).await {
                out.push(r?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Every DescribeParameters page of the parameters below `path` (recursive; every path when None)
    /// carrying all `tags`, in the region that serves: (name, version identity) pairs, no value read.
    async fn described(
        &self,
        sc: &StoreClient,
        regions: &PsRegions,
        path: Option<&str>,
        tags: &std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<(String, String)>, ProviderError> {
        regions
            .call(|rc| async move {
                self.all_pages(
                    sc,
                    "DescribeParameters",
                    |t| rc.client.described_page(path, tags, t),
                    all,
                )
                .await
                .map(|items| identities_in_region(items, &rc))
            })
            .await
    }
}
