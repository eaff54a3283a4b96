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
#[path = "parameter_tests.rs"]
mod tests;
