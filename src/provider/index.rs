//! The version index of one store configuration: what a paginated ListSecrets (or DescribeSecret)
//! said about each secret's versions, shared by every ExternalSecret of that configuration. Refreshes are
//! coalesced: concurrent callers wait for one listing instead of starting their own.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::core::change::{ListedSecret, VersionStages};

/// One complete listing.
#[derive(Debug, Default)]
pub struct Listing {
    /// When it was taken.
    pub listed_at: Option<Instant>,
    /// How many ListSecrets pages it took.
    pub pages: usize,
    by_name: HashMap<String, ListedSecret>,
    arn_to_name: HashMap<String, String>,
}

impl Listing {
    /// Builds a listing from its entries.
    pub fn new(entries: Vec<ListedSecret>, pages: usize) -> Self {
        let arn_to_name = entries
            .iter()
            .map(|e| (e.arn.clone(), e.name.clone()))
            .collect();
        Self {
            listed_at: Some(Instant::now()),
            pages,
            by_name: entries.into_iter().map(|e| (e.name.clone(), e)).collect(),
            arn_to_name,
        }
    }

    /// The entry for a secret name or ARN.
    pub fn get(&self, key: &str) -> Option<&ListedSecret> {
        self.by_name.get(key).or_else(|| {
            self.arn_to_name
                .get(key)
                .and_then(|name| self.by_name.get(name))
        })
    }

    /// Every entry.
    pub fn entries(&self) -> impl Iterator<Item = &ListedSecret> {
        self.by_name.values()
    }

    fn fresh(&self, max_age: Duration) -> bool {
        self.listed_at.is_some_and(|t| t.elapsed() <= max_age)
    }
}

/// What is known about one store configuration.
#[derive(Default)]
struct ScopeState {
    listing: Option<Arc<Listing>>,
    list_denied: Option<String>,
    described: HashMap<String, (Instant, Option<VersionStages>)>,
    referenced: HashSet<String>,
}

/// The index of one store configuration.
#[derive(Default)]
pub struct ScopeIndex {
    /// Held while listing, so concurrent callers wait for one listing.
    pub(crate) refresh: tokio::sync::Mutex<()>,
    state: Mutex<ScopeState>,
}

impl ScopeIndex {
    fn lock(&self) -> std::sync::MutexGuard<'_, ScopeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current listing if it is at most `max_age` old.
    pub fn fresh_listing(&self, max_age: Duration) -> Option<Arc<Listing>> {
        self.lock().listing.clone().filter(|l| l.fresh(max_age))
    }

    /// Replaces the listing.
    pub fn set_listing(&self, listing: Listing) -> Arc<Listing> {
        let listing = Arc::new(listing);
        self.lock().listing = Some(listing.clone());
        listing
    }

    /// Pages the last listing took.
    pub fn listing_pages(&self) -> Option<usize> {
        self.lock().listing.as_ref().map(|l| l.pages)
    }

    /// Records that ListSecrets is denied (message for status), once.
    pub fn set_list_denied(&self, why: &str) -> bool {
        let mut s = self.lock();
        let first = s.list_denied.is_none();
        s.list_denied = Some(why.to_string());
        first
    }

    /// Whether ListSecrets was denied.
    pub fn list_denied(&self) -> bool {
        self.lock().list_denied.is_some()
    }

    /// A DescribeSecret answer at most `max_age` old (`Some(None)`: the secret is not there).
    pub fn described(&self, name: &str, max_age: Duration) -> Option<Option<VersionStages>> {
        self.lock()
            .described
            .get(name)
            .filter(|(at, _)| at.elapsed() <= max_age)
            .map(|(_, v)| v.clone())
    }

    /// Records a DescribeSecret answer.
    pub fn set_described(&self, name: &str, versions: Option<VersionStages>) {
        self.lock()
            .described
            .insert(name.to_string(), (Instant::now(), versions));
    }

    /// Notes secret names ExternalSecrets of this configuration reference; returns how many there are.
    pub fn note_referenced(&self, names: &[String]) -> usize {
        let mut s = self.lock();
        for n in names {
            if !s.referenced.contains(n) {
                s.referenced.insert(n.clone());
            }
        }
        s.referenced.len()
    }
}

/// Index per store configuration scope.
#[derive(Default)]
pub struct VersionIndex {
    scopes: Mutex<HashMap<Arc<str>, Arc<ScopeIndex>>>,
}

impl VersionIndex {
    /// The index of a scope (created empty on first use). Scopes of earlier configurations of the same
    /// store (same `store_id#` prefix) are dropped.
    pub fn scope(&self, scope: &Arc<str>) -> Arc<ScopeIndex> {
        let mut scopes = self.scopes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = scopes.get(scope) {
            return s.clone();
        }
        if let Some((store, _)) = scope.split_once('#') {
            let prefix = format!("{store}#");
            scopes.retain(|k, _| !k.starts_with(&prefix));
        }
        let s = Arc::new(ScopeIndex::default());
        scopes.insert(scope.clone(), s.clone());
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> ListedSecret {
        ListedSecret {
            name: name.into(),
            arn: format!("arn:{name}"),
            ..Default::default()
        }
    }

    #[test]
    fn lookups_by_name_and_arn_and_freshness() {
        let l = Listing::new(vec![entry("a"), entry("b")], 1);
        assert_eq!(l.get("a").map(|e| e.name.as_str()), Some("a"));
        assert_eq!(l.get("arn:b").map(|e| e.name.as_str()), Some("b"));
        assert!(l.get("c").is_none());
        assert!(l.fresh(Duration::from_secs(60)));
        assert!(!Listing::default().fresh(Duration::from_secs(60)));
    }

    #[test]
    fn scopes_are_separate_and_old_configurations_dropped() {
        let idx = VersionIndex::default();
        let a1: Arc<str> = "SecretStore/ns/a#1".into();
        let a2: Arc<str> = "SecretStore/ns/a#2".into();
        let b: Arc<str> = "SecretStore/ns/b#1".into();
        idx.scope(&a1)
            .set_listing(Listing::new(vec![entry("x")], 1));
        assert!(
            idx.scope(&b)
                .fresh_listing(Duration::from_secs(60))
                .is_none()
        );
        assert!(
            idx.scope(&a1)
                .fresh_listing(Duration::from_secs(60))
                .is_some()
        );
        assert!(
            idx.scope(&a2)
                .fresh_listing(Duration::from_secs(60))
                .is_none()
        );
        assert!(
            idx.scope(&a1)
                .fresh_listing(Duration::from_secs(60))
                .is_none(),
            "a new configuration of a store drops the old one's listing"
        );
    }

    #[test]
    fn denial_is_reported_once_and_references_counted() {
        let s = ScopeIndex::default();
        assert!(s.set_list_denied("no"));
        assert!(!s.set_list_denied("no"));
        assert!(s.list_denied());
        assert_eq!(s.note_referenced(&["a".into(), "b".into()]), 2);
        assert_eq!(s.note_referenced(&["a".into()]), 2);
    }
}
