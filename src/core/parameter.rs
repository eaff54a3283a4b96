//! SSM Parameter Store references as plain data (groundwork for `spec.aws.service: ParameterStore`):
//! the name GetParameter is asked for, whether a value-free refresh (DescribeParameters' versions) shows
//! a change, and the Secret keys `find` gives parameters.

use std::collections::{BTreeMap, HashMap};

use crate::core::naming::key_for_secret_name;
use crate::core::remote::VersionSelector;

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

/// Whether every reference is still at the version that was synced, judged from DescribeParameters'
/// versions (name → latest Version) without reading a value. Labels always count as changed (a label
/// can move without a new Version); a pinned version never changes once synced; anything unknown
/// (not synced yet, not described) counts as changed.
pub fn unchanged(
    refs: &[ParameterRef],
    previous: &BTreeMap<String, String>,
    described: &HashMap<String, i64>,
) -> bool {
    refs.iter().all(|r| {
        let synced = previous.get(&r.status_key);
        match &r.pick {
            ParameterPick::Label(_) => false,
            ParameterPick::Version(n) => synced == Some(&n.to_string()),
            ParameterPick::Latest => match (synced, described.get(&r.name)) {
                (Some(s), Some(v)) => *s == v.to_string(),
                _ => false,
            },
        }
    })
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
        let previous: BTreeMap<String, String> = [("/a", "3"), ("/b@2", "2"), ("/c@prod", "5")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let described: HashMap<String, i64> = [
            ("/a".to_string(), 3),
            ("/b".to_string(), 7),
            ("/c".to_string(), 5),
        ]
        .into();
        let latest = r("/a", ParameterPick::Latest);
        let pinned = r("/b@2", ParameterPick::Version(2));
        let label = r("/c@prod", ParameterPick::Label("prod".into()));
        let cases: Vec<(Vec<ParameterRef>, HashMap<String, i64>, bool)> = vec![
            (vec![latest.clone()], described.clone(), true),
            (
                vec![latest.clone(), pinned.clone()],
                described.clone(),
                true,
            ),
            // A new latest version.
            (vec![latest.clone()], [("/a".to_string(), 4)].into(), false),
            // Not described (deleted, or not visible): read.
            (vec![latest.clone()], HashMap::new(), false),
            // A pinned version never changes, whatever the latest is.
            (vec![pinned.clone()], HashMap::new(), true),
            // Labels are always re-read.
            (
                vec![latest.clone(), label.clone()],
                described.clone(),
                false,
            ),
            // Never synced: read.
            (
                vec![r("/new", ParameterPick::Latest)],
                [("/new".to_string(), 1)].into(),
                false,
            ),
            (
                vec![r("/b@9", ParameterPick::Version(9))],
                described.clone(),
                false,
            ),
            // Nothing referenced: nothing changed.
            (vec![], HashMap::new(), true),
        ];
        for (i, (refs, described, want)) in cases.into_iter().enumerate() {
            assert_eq!(unchanged(&refs, &previous, &described), want, "case {i}");
        }
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
