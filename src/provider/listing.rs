//! Secrets Manager listings and change detection: the shared, narrowed ListSecrets listing of a store
//! configuration, DescribeSecret answers, detection from either, and `find` over a listing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};

use super::backend::{Detect, Detected, find_prefix, find_regex, references};
use super::index::Listing;
use super::regions::RegionClient;
use super::secrets_manager::{Ask, SmRegions};
use super::{LIST_PAGE_SIZE, Provider, ProviderError, ProviderErrorKind, StoreClient, error};
use crate::api::FindRef;
use crate::core::change::{
    Detection, ListedSecret, VersionStages, detection, expected_record, find_in, find_matches,
    resolve,
};
use crate::core::name_filter::literal_prefix;
use crate::core::reads::references::References;
use crate::core::remote::{RemoteSecret, VersionSelector};

impl Provider {
    /// Every secret of the account (only names starting with one of `prefixes` when given): paginated
    /// ListSecrets, 100 per page. Returns the entries and the number of pages; `on_page` sees each
    /// page's entries as soon as it arrives.
    async fn list_all(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        prefixes: Option<&[String]>,
        mut on_page: impl FnMut(&[ListedSecret]) + Send,
    ) -> Result<(Vec<ListedSecret>, usize), ProviderError> {
        let mut entries = Vec::new();
        let mut pages = 0usize;
        let mut token: Option<String> = None;
        // Page tokens belong to one region: the first page picks it (failing over if need be), the
        // rest follow it there.
        let mut pinned: Option<RegionClient<aws_sdk_secretsmanager::Client>> = None;
        loop {
            let ask = |rc: RegionClient<aws_sdk_secretsmanager::Client>| {
                let token = token.clone();
                async move {
                    sc.pace().await;
                    let mut req = rc
                        .client
                        .list_secrets()
                        .max_results(LIST_PAGE_SIZE)
                        .set_next_token(token);
                    if let Some(values) = prefixes.filter(|p| !p.is_empty()) {
                        req = req.filters(
                            Filter::builder()
                                .key(FilterNameStringType::Name)
                                .set_values(Some(values.to_vec()))
                                .build(),
                        );
                    }
                    let result = req
                        .send()
                        .await
                        .map_err(|e| error::classify(e, "ListSecrets", "*"));
                    self.count(sc, "ListSecrets", &result);
                    result.map(|page| (page, rc))
                }
            };
            let (page, rc) = match pinned.clone() {
                Some(rc) => ask(rc).await?,
                None => regions.call(ask).await?,
            };
            pinned = Some(rc);
            pages += 1;
            let first_of_page = entries.len();
            for entry in page.secret_list() {
                let Some(name) = entry.name() else { continue };
                entries.push(ListedSecret {
                    name: name.to_string(),
                    arn: entry.arn().unwrap_or_default().to_string(),
                    versions: entry
                        .secret_versions_to_stages()
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                    tags: entry
                        .tags()
                        .iter()
                        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                        .collect(),
                });
            }
            on_page(&entries[first_of_page..]);
            token = page.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
        Ok((entries, pages))
    }

    /// The store configuration's shared listing, started at most `max_age` ago. Concurrent callers
    /// wait for one listing. A denial is remembered (the caller falls back to DescribeSecret).
    /// `None`: another reconcile is listing right now; come back shortly rather than hold a
    /// reconcile slot (new and changed ExternalSecrets keep moving meanwhile).
    /// `on_changes` gets, page by page as the new listing arrives, the names and ARNs whose versions
    /// differ from the previous listing's, so their readers refresh without waiting for the last page.
    pub(super) async fn listing(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        max_age: Duration,
        on_changes: &(dyn Fn(Vec<String>) + Send + Sync),
    ) -> Result<Option<Arc<Listing>>, ProviderError> {
        let idx = self.index.scope(&sc.scope);
        if let Some(l) = idx.fresh_listing(max_age) {
            return Ok(Some(l));
        }
        let Ok(_one_at_a_time) = idx.refresh.try_lock() else {
            return Ok(None);
        };
        if let Some(l) = idx.fresh_listing(max_age) {
            return Ok(Some(l));
        }
        let filter = idx.listing_filter();
        let previous = idx.last_listing();
        let started = Instant::now();
        let on_page = |page: &[ListedSecret]| {
            if let Some(previous) = previous.as_deref() {
                let changed = previous.changed_in(page);
                if !changed.is_empty() {
                    on_changes(changed);
                }
            }
        };
        match self.list_all(sc, regions, filter.as_deref(), on_page).await {
            Ok((entries, pages)) => {
                tracing::debug!(
                    scope = %sc.scope,
                    pages,
                    entries = entries.len(),
                    name_filters = filter.as_ref().map_or(0, Vec::len),
                    "listed the store's secrets"
                );
                Ok(Some(idx.set_listing(
                    Listing::new(entries, pages, filter).started_at(started),
                )))
            }
            Err(e) => {
                if e.kind == ProviderErrorKind::AccessDenied {
                    idx.set_list_denied(&e.message);
                }
                Err(e)
            }
        }
    }

    /// One secret's versions from DescribeSecret (cached per configuration for `max_age`); None when
    /// the secret is not there or scheduled for deletion.
    pub(super) async fn describe_versions(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        name: &str,
        max_age: Duration,
    ) -> Result<Option<VersionStages>, ProviderError> {
        let idx = self.index.scope(&sc.scope);
        if let Some(v) = idx.described(name, max_age) {
            return Ok(v);
        }
        let versions = self.describe(sc, regions, name, Ask::Failover).await?;
        idx.set_described(name, versions.clone());
        Ok(versions)
    }

    /// What the index of a store configuration knows for choosing a detection method:
    /// (ListSecrets denied, pages of the last listing, secret names referenced so far incl. `names`).
    /// `finds` are the literal prefixes of the ExternalSecret's `find`s (None: one without).
    pub fn detection_facts(
        &self,
        sc: &StoreClient,
        names: &[String],
        finds: &[Option<String>],
    ) -> (bool, Option<usize>, usize) {
        let idx = self.index.scope(&sc.scope);
        let referenced = idx.note_referenced(names, finds);
        (idx.list_denied(), idx.listing_pages(), referenced)
    }

    /// Detects whether anything an ExternalSecret reads changed since it was synced, using a listing
    /// started at most one interval ago (so a store lists at most once per interval) or DescribeSecret
    /// answers younger than a refresh. Any doubt (an error, an unlisted secret) means "read".
    pub(super) async fn secret_detect(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        ask: &Detect<'_>,
        announce: &(dyn Fn(Vec<String>) + Send + Sync),
    ) -> Detected {
        let (names, finds) = references(&References::of(ask.spec));
        let uses_find = !finds.is_empty();
        let (denied, pages, referenced) = self.detection_facts(sc, &names, &finds);
        let mut mode = detection(ask.change_detection, denied, pages, referenced, uses_find);
        let mut out = Detected::default();
        if mode == Detection::List {
            match self.listing(sc, regions, ask.interval, announce).await {
                Ok(Some(l)) => out.hints.listing = Some(l),
                Ok(None) => {
                    out.later = true;
                    return out;
                }
                Err(e) if e.kind == ProviderErrorKind::AccessDenied => {
                    out.list_denied = Some(e.message);
                    mode = detection(ask.change_detection, true, pages, referenced, uses_find);
                }
                Err(_) => return Detected::read_everything(),
            }
        }
        match mode {
            Detection::Read => return Detected::read_everything(),
            Detection::List => {}
            Detection::Describe => {
                let max_age = ask.interval.mul_f64(crate::core::refresh::DUE_FRACTION);
                for name in &names {
                    match self.describe_versions(sc, regions, name, max_age).await {
                        Ok(Some(v)) => {
                            out.hints.described.insert(name.clone(), v);
                        }
                        Ok(None) | Err(_) => {
                            return Detected {
                                list_denied: out.list_denied,
                                ..Detected::read_everything()
                            };
                        }
                    }
                }
            }
        }
        let hints = &out.hints;
        let lookup = |key: &str| {
            hints
                .listing
                .as_ref()
                .and_then(|l| l.get(key))
                .map(|e| e.versions.clone())
                .or_else(|| hints.described.get(key).cloned())
        };
        let find = |f: &FindRef| {
            hints
                .listing
                .as_ref()
                .filter(|l| l.covers(find_prefix(f).as_deref()))
                .and_then(|l| find_in(f, l.entries()))
        };
        out.unchanged = expected_record(ask.spec, &lookup, &find).as_ref() == Some(ask.previous);
        out
    }

    /// The matches of `find` with their AWSCURRENT values: from `listing` when given, else from a
    /// fresh (server-side narrowed) ListSecrets. Unchanged versions come from the value cache.
    pub(super) async fn secret_find(
        &self,
        sc: &StoreClient,
        regions: &SmRegions,
        find: &FindRef,
        listing: Option<&Listing>,
    ) -> Result<Vec<RemoteSecret>, ProviderError> {
        let regex = find_regex(find)?;
        let fresh;
        // `find.path` is a name prefix on Secrets Manager (as ESO reads it); else the pattern's.
        let prefix = find
            .path
            .clone()
            .or_else(|| find.name.as_ref().and_then(|n| literal_prefix(&n.regexp)));
        // A shared listing narrowed to other names may lack some matches: then list for this find.
        let entries: Vec<&ListedSecret> = match listing.filter(|l| l.covers(prefix.as_deref())) {
            Some(l) => l.entries().collect(),
            None => {
                let values = prefix.map(|p| vec![p]);
                fresh = self
                    .list_all(sc, regions, values.as_deref(), |_| {})
                    .await?
                    .0;
                fresh.iter().collect()
            }
        };
        let mut matches: Vec<(String, Option<String>)> = entries
            .into_iter()
            .filter(|e| find_matches(find, regex.as_ref(), e))
            .map(|e| {
                (
                    e.name.clone(),
                    resolve(&e.versions, &VersionSelector::current()),
                )
            })
            .collect();
        matches.sort();
        matches.dedup();
        let mut out = Vec::with_capacity(matches.len());
        let reads = matches
            .iter()
            .map(|(name, current)| self.get_current(sc, name, current.as_deref()));
        for r in futures::future::join_all(reads).await {
            out.push(r?);
        }
        Ok(out)
    }
}
