//! Change detection without reading values: which version each reference resolves to in a listing (or
//! a DescribeSecret answer), the record a sync would produce from it, and which detection method to use.

use std::collections::BTreeMap;

use regex::Regex;

use crate::api::{ChangeDetection, ExternalSecretSpec, FindRef};
use crate::core::references::References;
use crate::core::remote::VersionSelector;
use crate::core::versions::bounded;

/// One secret's versions as Secrets Manager lists them: version id → staging labels.
pub type VersionStages = BTreeMap<String, Vec<String>>;

/// A `find`'s matches: (secret name, AWSCURRENT version id).
pub type FindMatches = Vec<(String, String)>;

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListedSecret {
    /// The secret's name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Version id → stages.
    pub versions: VersionStages,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// The version id a selector resolves to: the version carrying the stage, or the pinned id if it exists.
pub fn resolve(versions: &VersionStages, selector: &VersionSelector) -> Option<String> {
    match selector {
        VersionSelector::Id(id) => versions.contains_key(id).then(|| id.clone()),
        VersionSelector::Stage(stage) => versions
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == stage))
            .map(|(id, _)| id.clone()),
    }
}

/// Whether a listed secret matches a `find` (name prefix `path`, name regexp and every tag).
pub fn find_matches(find: &FindRef, regex: Option<&Regex>, entry: &ListedSecret) -> bool {
    find.path
        .as_ref()
        .is_none_or(|p| entry.name.starts_with(p.as_str()))
        && regex.is_none_or(|r| r.is_match(&entry.name))
        && find
            .tags
            .iter()
            .flatten()
            .all(|(k, v)| entry.tags.get(k) == Some(v))
}

/// The `find` matches in a complete listing: (name, AWSCURRENT version id), sorted by name. None when a
/// match has no AWSCURRENT version (an incomplete rotation: read to find out).
pub fn find_in<'a>(
    find: &FindRef,
    listing: impl Iterator<Item = &'a ListedSecret>,
) -> Option<FindMatches> {
    let regex = match find.name.as_ref() {
        Some(n) => Some(Regex::new(&n.regexp).ok()?),
        None => None,
    };
    let mut out = Vec::new();
    for entry in listing.filter(|e| find_matches(find, regex.as_ref(), e)) {
        let current = resolve(&entry.versions, &VersionSelector::current())?;
        out.push((entry.name.clone(), current));
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// The synced-versions record the spec would produce from these versions, without reading a value.
/// `lookup` gives a referenced secret's versions (by name or ARN), `find` the matches of a `find`. None
/// when anything is unknown (not listed, a stage nowhere, no match data): then the values must be read.
pub fn expected_record(
    spec: &ExternalSecretSpec,
    lookup: &dyn Fn(&str) -> Option<VersionStages>,
    find: &dyn Fn(&FindRef) -> Option<FindMatches>,
) -> Option<BTreeMap<String, String>> {
    let refs = References::of(spec);
    let mut record = BTreeMap::new();
    for (_, f) in &refs.finds {
        let matches = find(f)?;
        if matches.is_empty() {
            return None;
        }
        record.extend(matches);
    }
    for r in &refs.named {
        // Tags have no version: only a read tells whether they changed.
        if r.remote.fetches_metadata() {
            return None;
        }
        let v = resolve(&lookup(r.key())?, &r.selector)?;
        record.insert(r.status_key.clone(), v);
    }
    Some(bounded(record))
}

/// How one refresh detects changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// Look the versions up in the store's shared listing.
    List,
    /// Ask DescribeSecret for each referenced secret.
    Describe,
    /// Read every value (no detection).
    Read,
}

/// Picks the detection method: the store's setting; DescribeSecret when ListSecrets is denied or when a
/// full listing costs more pages than the secrets it would describe (a big account, few references);
/// a `find` needs a listing (with DescribeSecret it reads as before).
pub fn detection(
    configured: ChangeDetection,
    list_denied: bool,
    listing_pages: Option<usize>,
    referenced: usize,
    uses_find: bool,
) -> Detection {
    let describe = match configured {
        ChangeDetection::None => return Detection::Read,
        ChangeDetection::DescribeSecret => true,
        ChangeDetection::ListSecrets => {
            list_denied || (!uses_find && listing_pages.is_some_and(|p| p > referenced.max(1)))
        }
    };
    match (describe, uses_find) {
        (false, _) => Detection::List,
        (true, false) => Detection::Describe,
        (true, true) => Detection::Read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ExternalSecretData, ExternalSecretDataFrom, NameMatcher, RemoteRef};

    fn stages(pairs: &[(&str, &[&str])]) -> VersionStages {
        pairs
            .iter()
            .map(|(id, s)| (id.to_string(), s.iter().map(|x| x.to_string()).collect()))
            .collect()
    }

    fn listed(name: &str, pairs: &[(&str, &[&str])], tags: &[(&str, &str)]) -> ListedSecret {
        ListedSecret {
            name: name.into(),
            arn: format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}-AbCdEf"),
            versions: stages(pairs),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn spec(data: &[(&str, Option<&str>, Option<&str>)], find: Option<&str>) -> ExternalSecretSpec {
        ExternalSecretSpec {
            secret_store_ref: Default::default(),
            refresh_interval: "1m".into(),
            refresh_policy: Default::default(),
            sync_windows: None,
            target: Default::default(),
            data: data
                .iter()
                .map(|(k, stage, id)| ExternalSecretData {
                    source_ref: None,
                    secret_key: "x".into(),
                    remote_ref: RemoteRef {
                        key: k.to_string(),
                        version_stage: stage.map(String::from),
                        version_id: id.map(String::from),
                        ..Default::default()
                    },
                })
                .collect(),
            data_from: find
                .map(|re| {
                    vec![ExternalSecretDataFrom {
                        source_ref: None,
                        rewrite: Vec::new(),
                        extract: None,
                        find: Some(FindRef {
                            name: Some(NameMatcher { regexp: re.into() }),
                            ..Default::default()
                        }),
                    }]
                })
                .unwrap_or_default(),
            rollout_restart_targets: vec![],
        }
    }

    #[test]
    fn resolves_stages_and_pins() {
        let v = stages(&[("v2", &["AWSCURRENT"]), ("v1", &["AWSPREVIOUS", "blue"])]);
        assert_eq!(
            resolve(&v, &VersionSelector::current()).as_deref(),
            Some("v2")
        );
        assert_eq!(
            resolve(&v, &VersionSelector::Stage("blue".into())).as_deref(),
            Some("v1")
        );
        assert_eq!(
            resolve(&v, &VersionSelector::Stage("AWSPENDING".into())),
            None
        );
        assert_eq!(
            resolve(&v, &VersionSelector::Id("v1".into())).as_deref(),
            Some("v1")
        );
        assert_eq!(resolve(&v, &VersionSelector::Id("gone".into())), None);
    }

    /// What changed: the expected record equals the synced one only when nothing moved.
    #[test]
    fn expected_record_table() {
        let index: BTreeMap<String, ListedSecret> = [
            listed(
                "db",
                &[("d2", &["AWSCURRENT"]), ("d1", &["AWSPREVIOUS"])],
                &[],
            ),
            listed("app/a", &[("a1", &["AWSCURRENT"])], &[("team", "x")]),
            listed("app/b", &[("b1", &["AWSCURRENT"])], &[]),
            listed("pending", &[("p1", &[])], &[]),
        ]
        .into_iter()
        .map(|e| (e.name.clone(), e))
        .collect();
        let lookup = |k: &str| {
            index
                .values()
                .find(|e| e.name == k || e.arn == k)
                .map(|e| e.versions.clone())
        };
        let find = |f: &FindRef| find_in(f, index.values());
        let rec = |pairs: &[(&str, &str)]| -> Option<BTreeMap<String, String>> {
            Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let arn = index["db"].arn.clone();
        type Case<'a> = (
            ExternalSecretSpec,
            Option<BTreeMap<String, String>>,
            &'a str,
        );
        let cases: Vec<Case> = vec![
            (
                spec(&[("db", None, None)], None),
                rec(&[("db", "d2")]),
                "current",
            ),
            (
                spec(&[("db", Some("AWSPREVIOUS"), None)], None),
                rec(&[("db@AWSPREVIOUS", "d1")]),
                "stage",
            ),
            (
                spec(&[("db", None, Some("d1"))], None),
                rec(&[("db@d1", "d1")]),
                "pinned",
            ),
            (spec(&[("db", None, Some("zz"))], None), None, "pin gone"),
            (spec(&[("nope", None, None)], None), None, "not listed"),
            (
                spec(&[("pending", None, None)], None),
                None,
                "no AWSCURRENT",
            ),
            (
                spec(&[(&arn, None, None)], None),
                rec(&[(&arn, "d2")]),
                "by ARN",
            ),
            (
                spec(&[("db", None, None)], Some("^app/")),
                rec(&[("app/a", "a1"), ("app/b", "b1"), ("db", "d2")]),
                "find + data",
            ),
            (spec(&[], Some("^none/")), None, "find matched nothing"),
            (spec(&[], Some("(")), None, "bad regexp"),
        ];
        for (s, want, what) in cases {
            assert_eq!(expected_record(&s, &lookup, &find), want, "{what}");
        }
    }

    #[test]
    fn find_filters_by_tags() {
        let all = [
            listed("app/a", &[("a1", &["AWSCURRENT"])], &[("team", "x")]),
            listed("app/b", &[("b1", &["AWSCURRENT"])], &[("team", "y")]),
        ];
        let f = FindRef {
            name: Some(NameMatcher {
                regexp: "^app/".into(),
            }),
            tags: Some([("team".to_string(), "x".to_string())].into()),
            ..Default::default()
        };
        assert_eq!(
            find_in(&f, all.iter()),
            Some(vec![("app/a".to_string(), "a1".to_string())])
        );
    }

    #[test]
    fn detection_table() {
        use ChangeDetection as C;
        use Detection as D;
        let cases = [
            (C::None, false, None, 5, false, D::Read),
            (C::None, true, Some(1), 5, true, D::Read),
            (C::ListSecrets, false, None, 5, false, D::List),
            (C::ListSecrets, false, Some(3), 5, false, D::List),
            (C::ListSecrets, false, Some(500), 10, false, D::Describe),
            (C::ListSecrets, false, Some(500), 10, true, D::List),
            (C::ListSecrets, true, Some(1), 10, false, D::Describe),
            (C::ListSecrets, true, None, 10, true, D::Read),
            (C::DescribeSecret, false, None, 10, false, D::Describe),
            (C::DescribeSecret, false, None, 10, true, D::Read),
        ];
        for (configured, denied, pages, referenced, find, want) in cases {
            assert_eq!(
                detection(configured, denied, pages, referenced, find),
                want,
                "{configured:?} denied={denied} pages={pages:?} refs={referenced} find={find}"
            );
        }
    }
}
