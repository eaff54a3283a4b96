//! SSM Parameter Store references as plain data (groundwork for `spec.aws.service: ParameterStore`):
//! the name GetParameter is asked for, whether a value-free refresh (DescribeParameters' versions, by
//! name or below a `find`'s path) shows a change, and the Secret keys `find` gives parameters.

use std::collections::{BTreeMap, HashMap};

use crate::core::naming::key_for_secret_name;
use crate::core::remote::VersionSelector;
use crate::core::versions::bounded;

/// Longest parameter label SSM accepts.
const MAX_LABEL: usize = 100;

/// How a reference picks a parameter version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterPick {
    /// The latest version (no `versionStage`/`versionId`, or `versionStage: AWSCURRENT`).
    Latest,
    /// A version number (`versionId`): immutable.
    Version(u64),
    /// A label (`versionStage`): may move to another version without changing the latest Version.
    Label(String),
}

impl ParameterPick {
    /// What `selector` means for a parameter, or why it cannot be one.
    pub fn of(selector: &VersionSelector) -> Result<Self, String> {
        match selector {
            s if s.is_current() => Ok(Self::Latest),
            VersionSelector::Id(id) => match id.parse::<u64>() {
                Ok(n) if n > 0 => Ok(Self::Version(n)),
                _ => Err(format!(
                    "versionId {id:?} is not a parameter version number (1, 2, ...)"
                )),
            },
            VersionSelector::Stage(label) => {
                let valid = !label.is_empty()
                    && label.len() <= MAX_LABEL
                    && label
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    && !label.starts_with(|c: char| c.is_ascii_digit());
                if valid {
                    Ok(Self::Label(label.clone()))
                } else {
                    Err(format!(
                        "versionStage {label:?} is not a parameter label (letters, digits, '.', '-', '_'; \
                         not starting with a digit; at most {MAX_LABEL} characters)"
                    ))
                }
            }
        }
    }

    /// The `Name` GetParameter is asked for: `name`, `name:<version>` or `name:<label>`.
    pub fn request_name(&self, name: &str) -> String {
        match self {
            Self::Latest => name.to_string(),
            Self::Version(n) => format!("{name}:{n}"),
            Self::Label(l) => format!("{name}:{l}"),
        }
    }
}

/// One reference of an ExternalSecret to a parameter: its `syncedVersions` key, name and pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterRef {
    /// The `syncedVersions` key it was recorded under.
    pub status_key: String,
    /// Parameter name (or ARN).
    pub name: String,
    /// Which version.
    pub pick: ParameterPick,
}

/// A parameter version's identity: its Version number and its `LastModifiedDate` (RFC 3339, in
/// milliseconds), e.g. `3@2026-12-07T03:21:05.123Z`. The number alone is not an identity: a parameter
/// deleted and created again (a Terraform replace) starts again at version 1 with another value. Just
/// the number when the answer carries no date.
pub fn version_identity(number: i64, modified_millis: Option<i64>) -> String {
    match modified_millis.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()) {
        Some(t) => format!("{number}@{}", t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")),
        None => number.to_string(),
    }
}

/// The Version number of a version identity (`3@...` or a bare `3`).
pub fn version_number(identity: &str) -> Option<i64> {
    identity.split('@').next()?.parse().ok()
}

/// Whether every reference is still at the version that was synced, judged from DescribeParameters'
/// answers (name → latest version identity) without reading a value. Labels always count as changed
/// (a label can move without a new Version). A pinned version counts as unchanged only while it is
/// still the latest with the synced identity (DescribeParameters tells nothing about older versions,
/// and a re-created parameter reuses their numbers). Anything unknown (not synced yet, not described)
/// counts as changed.
pub fn unchanged(
    refs: &[ParameterRef],
    previous: &BTreeMap<String, String>,
    described: &HashMap<String, String>,
) -> bool {
    refs.iter().all(|r| {
        let synced = previous.get(&r.status_key);
        let latest = described.get(&r.name);
        match (&r.pick, synced, latest) {
            (ParameterPick::Label(_), _, _) => false,
            (ParameterPick::Version(n), Some(s), Some(l)) => {
                version_number(l) == i64::try_from(*n).ok() && *s == *l
            }
            (ParameterPick::Latest, Some(s), Some(l)) => *s == *l,
            _ => false,
        }
    })
}

/// Like [`unchanged`], for a spec with `find`s too: `finds` holds each `find`'s matches as
/// DescribeParameters lists them now ((name, latest version identity), no value read). Unchanged only
/// when the record a sync would write from these answers is exactly the synced one (so a parameter
/// that appeared under a path, left it, or has a new version is read); a `find` that matches nothing
/// is read (a sync decides what that means).
pub fn unchanged_including_finds(
    refs: &[ParameterRef],
    previous: &BTreeMap<String, String>,
    described: &HashMap<String, String>,
    finds: &[Vec<(String, String)>],
) -> bool {
    if finds.is_empty() {
        return unchanged(refs, previous, described);
    }
    let mut expected = BTreeMap::new();
    for r in refs {
        let Some(latest) = described.get(&r.name) else {
            return false;
        };
        let still = match &r.pick {
            ParameterPick::Label(_) => false,
            ParameterPick::Latest => true,
            ParameterPick::Version(n) => version_number(latest) == i64::try_from(*n).ok(),
        };
        if !still {
            return false;
        }
        expected.insert(r.status_key.clone(), latest.clone());
    }
    for matches in finds {
        if matches.is_empty() {
            return false;
        }
        expected.extend(matches.iter().cloned());
    }
    bounded(expected) == *previous
}

/// The Secret key a `find` gives a parameter: the name without its leading `/`, other characters
/// outside `[-._a-zA-Z0-9]` (such as the path's `/`) as `_`.
pub fn find_key(name: &str) -> String {
    key_for_secret_name(name.trim_start_matches('/'))
}

/// The Secret key `find` gives a remote secret: [`find_key`] for a parameter (an SSM ARN), the
/// Secrets Manager naming otherwise.
pub fn find_key_of(name: &str, arn: &str) -> String {
    if arn.contains(":ssm:") {
        find_key(name)
    } else {
        key_for_secret_name(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(s: &str) -> VersionSelector {
        VersionSelector::Stage(s.into())
    }

    fn id(s: &str) -> VersionSelector {
        VersionSelector::Id(s.into())
    }

    #[test]
    fn selectors_become_picks_and_request_names() {
        let cases: [(VersionSelector, Result<&str, &str>); 11] = [
            (VersionSelector::current(), Ok("/app/db")),
            (id("3"), Ok("/app/db:3")),
            (stage("prod"), Ok("/app/db:prod")),
            (stage("blue-2.green_x"), Ok("/app/db:blue-2.green_x")),
            (id("0"), Err("is not a parameter version number")),
            (id("-1"), Err("is not a parameter version number")),
            (id("abc"), Err("is not a parameter version number")),
            (id("3a"), Err("is not a parameter version number")),
            (stage("2prod"), Err("is not a parameter label")),
            (stage("a:b"), Err("is not a parameter label")),
            (stage(""), Err("is not a parameter label")),
        ];
        for (selector, want) in cases {
            let got = ParameterPick::of(&selector).map(|p| p.request_name("/app/db"));
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{selector:?}"),
                (Err(g), Err(w)) => assert!(g.contains(w), "{selector:?}: {g}"),
                (g, w) => panic!("{selector:?}: got {g:?}, want {w:?}"),
            }
        }
        assert!(ParameterPick::of(&stage(&"x".repeat(101))).is_err());
    }

    #[test]
    fn unchanged_only_when_every_reference_is_at_its_synced_version() {
        let r = |key: &str, pick: ParameterPick| ParameterRef {
            status_key: key.into(),
            name: key.split('@').next().unwrap_or(key).into(),
            pick,
        };
        const T1: &str = "2026-12-07T03:00:00.000Z";
        const T2: &str = "2026-12-07T04:00:00.000Z";
        let at = |n: i64, t: &str| format!("{n}@{t}");
        let map = |entries: &[(&str, String)]| -> HashMap<String, String> {
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
        };
        let previous: BTreeMap<String, String> = [
            ("/a".to_string(), at(3, T1)),
            ("/b@2".to_string(), at(2, T1)),
            ("/c@prod".to_string(), at(5, T1)),
            ("/legacy".to_string(), "3".to_string()),
        ]
        .into();
        let latest = r("/a", ParameterPick::Latest);
        let pinned = r("/b@2", ParameterPick::Version(2));
        let label = r("/c@prod", ParameterPick::Label("prod".into()));
        let described = map(&[("/a", at(3, T1)), ("/b", at(2, T1)), ("/c", at(5, T1))]);
        type Case<'a> = (&'a str, Vec<ParameterRef>, HashMap<String, String>, bool);
        let cases: Vec<Case<'_>> = vec![
            (
                "latest, same identity",
                vec![latest.clone()],
                described.clone(),
                true,
            ),
            (
                "latest and pinned (still the latest)",
                vec![latest.clone(), pinned.clone()],
                described.clone(),
                true,
            ),
            (
                "a new latest version",
                vec![latest.clone()],
                map(&[("/a", at(4, T2))]),
                false,
            ),
            (
                "deleted and re-created: the same number, another time",
                vec![latest.clone()],
                map(&[("/a", at(3, T2))]),
                false,
            ),
            (
                "not described (deleted, or not visible)",
                vec![latest.clone()],
                HashMap::new(),
                false,
            ),
            (
                "pinned, the parameter moved on: older versions cannot be described",
                vec![pinned.clone()],
                map(&[("/b", at(7, T2))]),
                false,
            ),
            (
                "pinned, re-created at the same number",
                vec![pinned.clone()],
                map(&[("/b", at(2, T2))]),
                false,
            ),
            (
                "pinned, not described",
                vec![pinned.clone()],
                HashMap::new(),
                false,
            ),
            (
                "labels are always re-read",
                vec![latest.clone(), label.clone()],
                described.clone(),
                false,
            ),
            (
                "never synced",
                vec![r("/new", ParameterPick::Latest)],
                map(&[("/new", at(1, T1))]),
                false,
            ),
            (
                "pinned to a version never synced",
                vec![r("/b@9", ParameterPick::Version(9))],
                described.clone(),
                false,
            ),
            (
                "a record without times is read once to gain them",
                vec![r("/legacy", ParameterPick::Latest)],
                map(&[("/legacy", at(3, T1))]),
                false,
            ),
            ("nothing referenced", vec![], HashMap::new(), true),
        ];
        for (what, refs, described, want) in cases {
            assert_eq!(unchanged(&refs, &previous, &described), want, "{what}");
        }
    }

    #[test]
    fn a_find_is_unchanged_only_when_its_matches_are_the_synced_record() {
        const T1: &str = "2026-12-07T03:00:00.000Z";
        const T2: &str = "2026-12-07T04:00:00.000Z";
        let at = |n: i64, t: &str| format!("{n}@{t}");
        let pairs = |entries: &[(&str, String)]| -> Vec<(String, String)> {
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
        };
        let latest = ParameterRef {
            status_key: "/a".into(),
            name: "/a".into(),
            pick: ParameterPick::Latest,
        };
        let pinned = ParameterRef {
            status_key: "/a@3".into(),
            name: "/a".into(),
            pick: ParameterPick::Version(3),
        };
        let label = ParameterRef {
            status_key: "/a@prod".into(),
            name: "/a".into(),
            pick: ParameterPick::Label("prod".into()),
        };
        let found = pairs(&[("/app/x", at(1, T1)), ("/app/y", at(2, T1))]);
        let synced = |extra: &[(&str, String)]| -> BTreeMap<String, String> {
            found
                .iter()
                .cloned()
                .chain(extra.iter().map(|(k, v)| (k.to_string(), v.clone())))
                .collect()
        };
        let described: HashMap<String, String> = [("/a".to_string(), at(3, T1))].into();
        // A record too big to keep per key is compared in its compacted form.
        let many: Vec<(String, String)> = (0..300)
            .map(|i| (format!("/big/p{i:03}"), at(1, T1)))
            .collect();
        let many_synced = bounded(many.iter().cloned().collect());
        let mut many_rotated = many.clone();
        many_rotated[7].1 = at(2, T2);
        type Case<'a> = (
            &'a str,
            Vec<ParameterRef>,
            BTreeMap<String, String>,
            Vec<Vec<(String, String)>>,
            bool,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "the same matches",
                vec![],
                synced(&[]),
                vec![found.clone()],
                true,
            ),
            (
                "a match has a new version",
                vec![],
                synced(&[]),
                vec![pairs(&[("/app/x", at(2, T2)), ("/app/y", at(2, T1))])],
                false,
            ),
            (
                "a match was re-created (same number, another time)",
                vec![],
                synced(&[]),
                vec![pairs(&[("/app/x", at(1, T2)), ("/app/y", at(2, T1))])],
                false,
            ),
            (
                "a new parameter under the path",
                vec![],
                synced(&[]),
                vec![pairs(&[
                    ("/app/x", at(1, T1)),
                    ("/app/y", at(2, T1)),
                    ("/app/z", at(1, T2)),
                ])],
                false,
            ),
            (
                "a parameter left the path",
                vec![],
                synced(&[]),
                vec![pairs(&[("/app/x", at(1, T1))])],
                false,
            ),
            (
                "nothing matches any more: a sync decides",
                vec![],
                BTreeMap::new(),
                vec![vec![]],
                false,
            ),
            (
                "a find beside an unchanged latest reference",
                vec![latest.clone()],
                synced(&[("/a", at(3, T1))]),
                vec![found.clone()],
                true,
            ),
            (
                "a find beside a pin that is still the latest",
                vec![pinned.clone()],
                synced(&[("/a@3", at(3, T1))]),
                vec![found.clone()],
                true,
            ),
            (
                "a find beside a reference with a new version",
                vec![latest.clone()],
                synced(&[("/a", at(2, T1))]),
                vec![found.clone()],
                false,
            ),
            (
                "a find beside a label: labels are always re-read",
                vec![label.clone()],
                synced(&[("/a@prod", at(3, T1))]),
                vec![found.clone()],
                false,
            ),
            (
                "a find beside a reference not described",
                vec![ParameterRef {
                    status_key: "/gone".into(),
                    name: "/gone".into(),
                    pick: ParameterPick::Latest,
                }],
                synced(&[("/gone", at(1, T1))]),
                vec![found.clone()],
                false,
            ),
            (
                "never synced",
                vec![],
                BTreeMap::new(),
                vec![found.clone()],
                false,
            ),
            (
                "a compacted record, unchanged",
                vec![],
                many_synced.clone(),
                vec![many.clone()],
                true,
            ),
            (
                "a compacted record, one version rotated",
                vec![],
                many_synced.clone(),
                vec![many_rotated],
                false,
            ),
        ];
        for (what, refs, previous, finds, want) in cases {
            assert_eq!(
                unchanged_including_finds(&refs, &previous, &described, &finds),
                want,
                "{what}"
            );
        }
        // Without a find, the rule is [`unchanged`]'s.
        let previous: BTreeMap<String, String> = [("/a".to_string(), at(3, T1))].into();
        assert!(unchanged_including_finds(
            &[latest],
            &previous,
            &described,
            &[]
        ));
    }

    #[test]
    fn version_identities_carry_the_modification_time() {
        assert_eq!(
            version_identity(3, Some(1_796_613_665_123)),
            "3@2026-12-07T03:21:05.123Z"
        );
        assert_eq!(version_identity(3, Some(0)), "3@1970-01-01T00:00:00.000Z");
        assert_eq!(version_identity(7, None), "7");
        assert_eq!(version_number("3@2026-12-07T03:21:05.123Z"), Some(3));
        assert_eq!(version_number("12"), Some(12));
        assert_eq!(version_number("x@y"), None);
    }

    #[test]
    fn find_keys_drop_the_leading_slash_and_flatten_the_path() {
        assert_eq!(find_key("/app/prod/db"), "app_prod_db");
        assert_eq!(find_key("plain"), "plain");
        assert_eq!(find_key("//double"), "double");
        assert_eq!(find_key("/a b/c"), "a_b_c");
        let ssm = "arn:aws:ssm:us-east-1:1:parameter/app/db";
        assert_eq!(find_key_of("/app/db", ssm), "app_db");
        assert_eq!(
            find_key_of(
                "/app/db",
                "arn:aws:secretsmanager:us-east-1:1:secret:/app/db-AbCdEf"
            ),
            "_app_db"
        );
    }
}
