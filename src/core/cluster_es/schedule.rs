//! The ClusterExternalSecret reconcile's decisions after the plan: which of the plan's deletions run
//! now, and when to reconcile again.

use std::collections::BTreeSet;
use std::time::Duration;

use super::Step;
use crate::api::ClusterExternalSecretSpec;

/// `refreshTime` when unset, zero or unparsable.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(60);
/// Shortest `refreshTime` honoured.
pub const MIN_REFRESH: Duration = Duration::from_secs(1);

/// How often the ClusterExternalSecret is reconciled (`refreshTime`, default [`DEFAULT_REFRESH`],
/// at least [`MIN_REFRESH`]).
pub fn refresh_every(spec: &ClusterExternalSecretSpec) -> Duration {
    spec.refresh_time
        .as_deref()
        .and_then(|t| crate::core::duration::parse(t).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(DEFAULT_REFRESH)
        .max(MIN_REFRESH)
}

/// The plan's deletions (namespace, name) to carry out now, after its creates and updates ran: a copy
/// in a namespace that no longer matches goes; a copy under an old name in a namespace that still
/// matches stays until the copy under the new name is in place there (`provisioned`), so a rename
/// that fails to create never leaves the namespace without its Secret's source.
pub fn deletions_now<'a>(
    steps: &'a [Step],
    matching: &BTreeSet<String>,
    provisioned: &[String],
) -> Vec<(&'a str, &'a str)> {
    steps
        .iter()
        .filter_map(|step| match step {
            Step::Delete(ns, old) => Some((ns.as_str(), old.as_str())),
            _ => None,
        })
        .filter(|(ns, _)| !matching.contains(*ns) || provisioned.iter().any(|p| p == ns))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(refresh_time: Option<&str>) -> ClusterExternalSecretSpec {
        ClusterExternalSecretSpec {
            refresh_time: refresh_time.map(String::from),
            ..serde_json::from_value(serde_json::json!({
                "externalSecretSpec": {"secretStoreRef": {"name": "s"}}
            }))
            .expect("a minimal spec")
        }
    }

    #[test]
    fn refresh_time_over_its_forms() {
        let s = Duration::from_secs;
        for (given, expected) in [
            (None, DEFAULT_REFRESH),
            (Some("0s"), DEFAULT_REFRESH),
            (Some("soon"), DEFAULT_REFRESH),
            (Some(""), DEFAULT_REFRESH),
            (Some("10ms"), MIN_REFRESH),
            (Some("1s"), s(1)),
            (Some("5m"), s(300)),
            (Some("1h"), s(3600)),
        ] {
            assert_eq!(refresh_every(&spec(given)), expected, "{given:?}");
        }
    }

    /// Every (still matching?, provisioned there?) combination for a deletion, with the other steps
    /// never deleting anything.
    #[test]
    fn deletions_over_matching_and_provisioned() {
        let del = |ns: &str| Step::Delete(ns.into(), "old".into());
        for still_matching in [false, true] {
            for provisioned_there in [false, true] {
                let steps = vec![
                    Step::Create("a".into()),
                    Step::Update("b".into()),
                    Step::Keep("c".into()),
                    Step::Conflict("d".into()),
                    del("x"),
                ];
                let matching: BTreeSet<String> = ["a", "b", "c", "d"]
                    .into_iter()
                    .chain(still_matching.then_some("x"))
                    .map(String::from)
                    .collect();
                let provisioned: Vec<String> = ["a", "b", "c"]
                    .into_iter()
                    .chain(provisioned_there.then_some("x"))
                    .map(String::from)
                    .collect();
                let got = deletions_now(&steps, &matching, &provisioned);
                let expected: Vec<(&str, &str)> = if !still_matching || provisioned_there {
                    vec![("x", "old")]
                } else {
                    vec![]
                };
                assert_eq!(
                    got, expected,
                    "matching {still_matching}, provisioned {provisioned_there}"
                );
            }
        }
    }
}
