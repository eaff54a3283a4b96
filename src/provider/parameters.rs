//! Parameter Store through the provider: every call paced and counted (each page too), latest-value
//! reads of ExternalSecrets due together coalesced into GetParameters calls of ten, and value-free
//! change detection from a per-store version index that one DescribeParameters call of fifty names
//! refreshes for many ExternalSecrets at once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use regex::Regex;

use super::batch::{self, Waiter};
use super::parameter_store::{NAMES_PER_FILTER, Page, ParameterStore};
use super::{Provider, ProviderError, ProviderErrorKind, RemoteState, StoreClient};
use crate::api::FindRef;
use crate::core::parameter::{ParameterPick, version_number};
use crate::core::remote::{RemoteSecret, VersionSelector};

/// Most pages one paginated call may take: an endpoint that never stops paging is an error, not a
/// reconcile that never ends.
const MAX_PAGES: usize = 2_000;

/// Pages until the last: every answer matters.
fn all<T>(_: &[T]) -> bool {
    false
}

fn not_parameter_store() -> ProviderError {
    ProviderError::new(
        ProviderErrorKind::Other,
        "internal: not a Parameter Store store",
    )
}

impl Provider {
    fn parameter_store<'a>(
        &self,
        sc: &'a StoreClient,
    ) -> Result<&'a ParameterStore, ProviderError> {
        sc.parameters.as_ref().ok_or_else(not_parameter_store)
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

    /// One parameter as `selector` picks it (GetParameter, decrypted).
    pub(super) async fn parameter_get(
        &self,
        sc: &StoreClient,
        key: &str,
        selector: &VersionSelector,
    ) -> Result<RemoteSecret, ProviderError> {
        let ps = self.parameter_store(sc)?;
        let pick = ParameterPick::of(selector)
            .map_err(|e| ProviderError::new(ProviderErrorKind::Other, format!("{key:?}: {e}")))?;
        sc.pace().await;
        let result = ps.get(key, &pick).await;
        self.count(sc, "GetParameter", &result);
        let secret = result?;
        if let ParameterPick::Version(n) = pick
            && version_number(&secret.version_id) != i64::try_from(n).ok()
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

    /// The latest version of `key`: joins the store configuration's pending GetParameters batch; the
    /// first read of a batch waits [`batch::WINDOW`] and sends it. (A version detection saw is served
    /// from the cache by [`Provider::get_current`] before this.)
    pub(super) async fn parameter_current(
        &self,
        sc: &StoreClient,
        key: &str,
    ) -> Result<RemoteSecret, ProviderError> {
        let selector = VersionSelector::current();
        if self.parameter_batches.is_denied(&sc.scope) {
            return self.parameter_get(sc, key, &selector).await;
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let waiter = Waiter {
            key: key.to_string(),
            expected: None,
            reply,
        };
        self.parameter_batches
            .join_and_send(&sc.scope, waiter, |waiters| {
                self.flush_parameters(sc, waiters)
            })
            .await;
        match answer.await {
            Ok(result) => result,
            // The batch went away without an answer (its leader was cancelled): read alone.
            Err(_) => self.parameter_get(sc, key, &selector).await,
        }
    }

    /// Sends one batch of latest-value reads: lone parameters as GetParameter, the rest as
    /// GetParameters calls of ten. A name the answer does not mention is read alone.
    async fn flush_parameters(&self, sc: &StoreClient, waiters: Vec<Waiter>) {
        let keys: Vec<&str> = waiters.iter().map(|w| w.key.as_str()).collect();
        let mut results: HashMap<String, Result<RemoteSecret, ProviderError>> = HashMap::new();
        for call in batch::group(&keys, self.parameter_batches.max()) {
            if call.len() == 1 {
                continue;
            }
            match self.get_many(sc, &call).await {
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
                            .parameter_get(sc, &w.key, &VersionSelector::current())
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
        keys: &[String],
    ) -> Result<HashMap<String, Result<RemoteSecret, ProviderError>>, ProviderError> {
        let ps = self.parameter_store(sc)?;
        sc.pace().await;
        let result = ps.get_many(keys).await;
        self.count(sc, "GetParameters", &result);
        let answer = result?;
        let mut out = HashMap::new();
        for key in keys {
            let found = answer.found.iter().find(|(name, p)| {
                name == key || p.as_ref().is_ok_and(|p| p.name == *key || p.arn == *key)
            });
            if let Some((_, p)) = found {
                if let Ok(p) = p {
                    self.cache.put(&sc.scope, key, p);
                }
                out.insert(key.clone(), p.clone());
            } else if answer.invalid.contains(key) {
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
    pub async fn parameter_versions(
        &self,
        sc: &StoreClient,
        names: &[String],
        max_age: Duration,
    ) -> Result<HashMap<String, String>, ProviderError> {
        let ps = self.parameter_store(sc)?;
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
            let seen: HashMap<String, String> = self
                .all_pages(
                    sc,
                    "DescribeParameters",
                    |token| ps.versions_page(asked_ref, token),
                    // Every name asked for answered: later pages can only repeat them.
                    |seen| seen.len() >= asked_ref.len(),
                )
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
    /// GetParameter counts as deleted (see [`crate::core::answer::existence`]).
    pub(super) async fn parameters_deleted(
        &self,
        sc: &StoreClient,
        names: &[String],
    ) -> Vec<(String, RemoteState)> {
        let Ok(ps) = self.parameter_store(sc) else {
            return names
                .iter()
                .map(|n| (n.clone(), RemoteState::Unknown))
                .collect();
        };
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
    pub async fn find_parameter_versions(
        &self,
        sc: &StoreClient,
        find: &FindRef,
        regex: Option<&Regex>,
    ) -> Result<Vec<(String, String)>, ProviderError> {
        let ps = self.parameter_store(sc)?;
        let tags = find.tags.clone().unwrap_or_default();
        let path = find.path.as_deref();
        let mut out: Vec<(String, String)> = self
            .all_pages(
                sc,
                "DescribeParameters",
                |t| ps.described_page(path, &tags, t),
                all,
            )
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
        find: &FindRef,
        regex: Option<Regex>,
    ) -> Result<Vec<RemoteSecret>, ProviderError> {
        let ps = self.parameter_store(sc)?;
        let name_ok = |name: &str| regex.as_ref().is_none_or(|re| re.is_match(name));
        let tags = find.tags.clone().unwrap_or_default();
        let tags = &tags;
        let tagged: Option<HashSet<String>> = if tags.is_empty() {
            None
        } else {
            let described = self
                .all_pages(
                    sc,
                    "DescribeParameters",
                    |t| ps.described_page(None, tags, t),
                    all,
                )
                .await?;
            Some(described.into_iter().map(|(name, _)| name).collect())
        };
        let mut out = Vec::new();
        if let Some(path) = &find.path {
            let found = self
                .all_pages(sc, "GetParametersByPath", |t| ps.by_path_page(path, t), all)
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
                    .all_pages(
                        sc,
                        "DescribeParameters",
                        |t| ps.described_page(None, tags, t),
                        all,
                    )
                    .await?
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect(),
            };
            let mut names: Vec<String> = names.into_iter().filter(|n| name_ok(n)).collect();
            names.sort();
            let reads = names.iter().map(|n| self.parameter_current(sc, n));
            for r in futures::future::join_all(reads).await {
                out.push(r?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}
