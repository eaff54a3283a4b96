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
    /// When it was started: the oldest moment its entries may describe, so its age counts from here.
    pub listed_at: Option<Instant>,
    /// How many ListSecrets pages it took.
    pub pages: usize,
    /// The name-filter values it was narrowed to (None: every secret of the account).
    pub filter: Option<Vec<String>>,
    by_name: HashMap<String, ListedSecret>,
    arn_to_name: HashMap<String, String>,
}

impl Listing {
    /// Builds a listing from its entries and the filter it was taken with.
    pub fn new(entries: Vec<ListedSecret>, pages: usize, filter: Option<Vec<String>>) -> Self {
        let arn_to_name = entries
            .iter()
            .map(|e| (e.arn.clone(), e.name.clone()))
            .collect();
        Self {
            listed_at: Some(Instant::now()),
            pages,
            filter,
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

    /// Dates the listing from `started` (when its first page was asked for) instead of its completion.
    pub fn started_at(mut self, started: Instant) -> Self {
        self.listed_at = Some(started);
        self
    }

    /// Names and ARNs in `page` (of a newer listing) whose versions differ from this listing's, or
    /// that are new to it. Only what this listing could have shown counts: a name newly inside a
    /// widened filter is not a change.
    pub fn changed_in(&self, page: &[ListedSecret]) -> Vec<String> {
        page.iter()
            .filter(|e| self.covers(Some(&e.name)))
            .filter(|e| self.get(&e.name).is_none_or(|p| p.versions != e.versions))
            .flat_map(|e| [e.name.clone(), e.arn.clone()])
            .collect()
    }

    /// Every entry.
    pub fn entries(&self) -> impl Iterator<Item = &ListedSecret> {
        self.by_name.values()
    }

    /// Whether it holds every secret whose name starts with `prefix` (None: any name at all), so a
    /// `find` may be answered from it.
    pub fn covers(&self, prefix: Option<&str>) -> bool {
        match (&self.filter, prefix) {
            (None, _) => true,
            (Some(values), Some(p)) => values.iter().any(|v| p.starts_with(v.as_str())),
            (Some(_), None) => false,
        }
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
    /// Parameter Store: each parameter's latest Version as DescribeParameters last saw it (None: not
    /// there), and when.
    parameters: HashMap<String, (Instant, Option<String>)>,
    /// Literal prefixes of the `find`s seen (None: a find with none).
    finds: HashSet<Option<String>>,
}

/// The index of one store configuration.
#[derive(Default)]
pub struct ScopeIndex {
    /// Held while listing, so concurrent callers wait for one listing.
    pub(crate) refresh: tokio::sync::Mutex<()>,
    /// Held while describing parameters, so concurrent callers find their names in the answer.
    pub(crate) describe: tokio::sync::Mutex<()>,
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

    /// The last listing, however old (what a new listing's pages are compared with).
    pub fn last_listing(&self) -> Option<Arc<Listing>> {
        self.lock().listing.clone()
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

    /// A parameter's latest version identity as seen at most `max_age` ago (`Some(None)`: it was not there).
    pub fn parameter_version(&self, name: &str, max_age: Duration) -> Option<Option<String>> {
        self.lock()
            .parameters
            .get(name)
            .filter(|(at, _)| at.elapsed() <= max_age)
            .map(|(_, v)| v.clone())
    }

    /// Records a DescribeParameters answer about `asked`: the Version of each name in `seen`, and
    /// absence for the others.
    pub fn set_parameter_versions(&self, asked: &[String], seen: &HashMap<String, String>) {
        let now = Instant::now();
        let mut s = self.lock();
        for name in asked {
            s.parameters
                .insert(name.clone(), (now, seen.get(name).cloned()));
        }
    }

    /// Up to `n` referenced parameter names outside `skip` that were described least recently (never
    /// first): the names a DescribeParameters call fills its spare filter values with, so one call
    /// serves many ExternalSecrets. ARNs are left out (the Name filter takes names only).
    pub fn stalest_parameters(&self, skip: &HashSet<&str>, n: usize) -> Vec<String> {
        let s = self.lock();
        let mut candidates: Vec<(Option<Instant>, &String)> = s
            .referenced
            .iter()
            .filter(|name| !name.starts_with("arn:") && !skip.contains(name.as_str()))
            .map(|name| (s.parameters.get(name).map(|(at, _)| *at), name))
            .collect();
        candidates.sort();
        candidates
            .into_iter()
            .take(n)
            .map(|(_, name)| name.clone())
            .collect()
    }

    /// Notes secret names and `find` prefixes ExternalSecrets of this configuration reference;
    /// returns how many names there are.
    pub fn note_referenced(&self, names: &[String], finds: &[Option<String>]) -> usize {
        let mut s = self.lock();
        for n in names {
            if !s.referenced.contains(n) {
                s.referenced.insert(n.clone());
            }
        }
        for f in finds {
            if !s.finds.contains(f) {
                s.finds.insert(f.clone());
            }
        }
        s.referenced.len()
    }

    /// Name-filter values narrowing the next listing to what is referenced (None: list everything).
    pub fn listing_filter(&self) -> Option<Vec<String>> {
        let s = self.lock();
        crate::core::name_filter::listing_prefixes(
            s.referenced.iter().map(String::as_str),
            s.finds.iter().map(Option::as_deref),
        )
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
        let l = Listing::new(vec![entry("a"), entry("b")], 1, None);
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
            .set_listing(Listing::new(vec![entry("x")], 1, None));
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
        assert_eq!(s.note_referenced(&["a".into(), "b".into()], &[]), 2);
        assert_eq!(s.note_referenced(&["a".into()], &[]), 2);
        assert_eq!(s.listing_filter(), Some(vec!["a".into(), "b".into()]));
        s.note_referenced(&[], &[Some("team/".into())]);
        assert_eq!(
            s.listing_filter(),
            Some(vec!["a".into(), "b".into(), "team/".into()])
        );
        s.note_referenced(&[], &[None]);
        assert_eq!(
            s.listing_filter(),
            None,
            "a find without a prefix needs everything"
        );
    }

    #[test]
    fn changes_are_found_page_by_page_against_the_last_listing() {
        let with = |name: &str, v: &str| ListedSecret {
            versions: [(v.to_string(), vec!["AWSCURRENT".to_string()])].into(),
            ..entry(name)
        };
        let previous = Listing::new(vec![with("a", "1"), with("b", "1")], 1, None);
        assert!(previous.changed_in(&[with("a", "1")]).is_empty());
        let mut changed = previous.changed_in(&[with("a", "1"), with("b", "2"), with("c", "1")]);
        changed.sort();
        assert_eq!(changed, ["arn:b", "arn:c", "b", "c"]);
        // A stage moved without a new version is a change too.
        let moved = ListedSecret {
            versions: [("1".to_string(), vec!["AWSPREVIOUS".to_string()])].into(),
            ..entry("a")
        };
        assert_eq!(previous.changed_in(&[moved]), ["a", "arn:a"]);
        // Narrowed to "a": a later listing that widens the filter does not report the newly covered names.
        let narrow = Listing::new(vec![with("a", "1")], 1, Some(vec!["a".into()]));
        assert_eq!(
            narrow.changed_in(&[with("a", "2"), with("b", "2")]),
            ["a", "arn:a"]
        );
    }

    #[test]
    fn age_counts_from_the_start_of_the_listing() {
        let started = Instant::now() - Duration::from_secs(30);
        let l = Listing::new(vec![], 1, None).started_at(started);
        assert!(l.fresh(Duration::from_secs(31)));
        assert!(!l.fresh(Duration::from_secs(29)));
    }

    #[test]
    fn a_narrowed_listing_answers_only_finds_it_covers() {
        let full = Listing::new(vec![], 1, None);
        assert!(full.covers(None) && full.covers(Some("x/")));
        let narrow = Listing::new(vec![], 1, Some(vec!["team-a/".into()]));
        assert!(narrow.covers(Some("team-a/db")));
        assert!(!narrow.covers(Some("team-b/")));
        assert!(!narrow.covers(Some("team-")));
        assert!(!narrow.covers(None));
    }

    #[test]
    fn parameter_versions_age_and_the_stalest_names_fill_a_call() {
        let s = ScopeIndex::default();
        let names: Vec<String> = ["/a", "/b", "/c", "arn:aws:ssm:us-east-1:1:parameter/d"]
            .map(String::from)
            .to_vec();
        s.note_referenced(&names, &[]);
        let none = HashSet::new();
        // Never described: all but the ARN, in name order.
        assert_eq!(s.stalest_parameters(&none, 10), vec!["/a", "/b", "/c"]);
        let seen = HashMap::from([("/a".to_string(), "3@t".to_string())]);
        s.set_parameter_versions(&["/a".into(), "/b".into()], &seen);
        assert_eq!(
            s.parameter_version("/a", Duration::from_secs(60)),
            Some(Some("3@t".to_string()))
        );
        assert_eq!(
            s.parameter_version("/b", Duration::from_secs(60)),
            Some(None)
        );
        assert_eq!(s.parameter_version("/c", Duration::from_secs(60)), None);
        assert_eq!(s.parameter_version("/a", Duration::ZERO), None, "too old");
        // The undescribed name comes first, then the oldest answers; `skip` is left out.
        assert_eq!(s.stalest_parameters(&none, 1), vec!["/c"]);
        let skip = HashSet::from(["/c"]);
        assert_eq!(s.stalest_parameters(&skip, 10).len(), 2);
        assert!(!s.stalest_parameters(&skip, 10).contains(&"/c".to_string()));
    }
}
