//! ClusterExternalSecret as plain data: which namespaces match, and what to do in each — create,
//! update, keep, report a conflict, or delete. Only ExternalSecrets this ClusterExternalSecret created
//! (its label and its uid as owner) are ever updated or deleted; anything else is a conflict.

pub mod objects;
pub mod schedule;
pub mod status;

use std::collections::{BTreeMap, BTreeSet};

use crate::api::ClusterExternalSecretSpec;
use crate::core::access::{selector_matches, selector_problem};
use crate::core::desired::is_dns_subdomain;

/// Label on each generated ExternalSecret naming its ClusterExternalSecret.
pub const CLUSTER_EXTERNAL_SECRET_LABEL: &str = "secretsync.io/cluster-external-secret";

/// The value of [`CLUSTER_EXTERNAL_SECRET_LABEL`] for a ClusterExternalSecret: its name, or when the
/// name is longer than a label value may be (63), a digest of it.
pub fn label_value(name: &str) -> String {
    if name.len() <= 63 {
        return name.to_string();
    }
    use sha2::{Digest, Sha256};
    format!(
        "sha256-{}",
        crate::core::versions::hex(&Sha256::digest(name.as_bytes())[..12])
    )
}

/// A namespace as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceInfo {
    /// Its name.
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Being deleted: never a place to create anything.
    pub terminating: bool,
}

/// Whether `ns` is one of the spec's namespaces: by name, or by labels matching any selector
/// (`namespaceSelectors` and the deprecated `namespaceSelector`). Terminating namespaces never match.
pub fn matches(spec: &ClusterExternalSecretSpec, ns: &NamespaceInfo) -> bool {
    !ns.terminating
        && (spec.namespaces.contains(&ns.name)
            || spec
                .namespace_selectors
                .iter()
                .chain(spec.namespace_selector.as_ref())
                .any(|s| selector_matches(s, &ns.labels)))
}

/// The ExternalSecret name each namespace gets.
pub fn external_secret_name<'a>(spec: &'a ClusterExternalSecretSpec, ces_name: &'a str) -> &'a str {
    spec.external_secret_name.as_deref().unwrap_or(ces_name)
}

/// An ExternalSecret this ClusterExternalSecret created (its label and owner uid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Its spec, labels and annotations are what the ClusterExternalSecret asks for.
    pub current: bool,
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Create the ExternalSecret in this namespace (fails if one appeared meanwhile).
    Create(String),
    /// Bring our ExternalSecret in this namespace back to the spec.
    Update(String),
    /// Our ExternalSecret here is as specified.
    Keep(String),
    /// An ExternalSecret of that name exists here and is not ours: left alone, reported.
    Conflict(String),
    /// Delete our ExternalSecret (namespace, name): the namespace stopped matching or the name changed.
    Delete(String, String),
}

/// What makes the spec unusable, or `None`: a selector that is not a valid selector (which would
/// otherwise match nothing and delete every copy), an ExternalSecret spec every copy would refuse,
/// or an ExternalSecret name the API server refuses.
pub fn spec_problem(spec: &ClusterExternalSecretSpec, ces_name: &str) -> Option<String> {
    let selectors = spec
        .namespace_selectors
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("namespaceSelectors[{i}]"), s))
        .chain(
            spec.namespace_selector
                .iter()
                .map(|s| ("namespaceSelector".to_string(), s)),
        );
    for (path, selector) in selectors {
        if let Some(problem) = selector_problem(selector) {
            return Some(format!("{path}.{problem}"));
        }
    }
    if let Err(e) = crate::core::desired::validate_spec(&spec.external_secret_spec) {
        return Some(format!("externalSecretSpec: {}", e.message));
    }
    let name = external_secret_name(spec, ces_name);
    (!is_dns_subdomain(name)).then(|| {
        format!(
            "externalSecretName {name:?} is not a valid object name (lowercase alphanumerics, '-' and \
             '.', at most 253 characters, starting and ending alphanumeric)"
        )
    })
}

/// The plan, or the spec's problem ([`spec_problem`]) and no step at all: an invalid spec never
/// creates, updates or deletes anything.
pub fn checked_plan(
    spec: &ClusterExternalSecretSpec,
    ces_name: &str,
    matching: &BTreeSet<String>,
    owned: &[Owned],
    foreign: &BTreeSet<String>,
) -> Result<Vec<Step>, String> {
    match spec_problem(spec, ces_name) {
        Some(problem) => Err(problem),
        None => Ok(plan(
            matching,
            external_secret_name(spec, ces_name),
            owned,
            foreign,
        )),
    }
}

/// The plan: for each matching namespace, create / update / keep / conflict; then delete every
/// ExternalSecret of ours that is in a namespace that no longer matches or under an old name.
/// `foreign`: namespaces where an ExternalSecret named `name` exists that is not ours.
pub fn plan(
    matching: &BTreeSet<String>,
    name: &str,
    owned: &[Owned],
    foreign: &BTreeSet<String>,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for ns in matching {
        let ours = owned.iter().find(|o| o.namespace == *ns && o.name == name);
        steps.push(match ours {
            Some(o) if o.current => Step::Keep(ns.clone()),
            Some(_) => Step::Update(ns.clone()),
            None if foreign.contains(ns) => Step::Conflict(ns.clone()),
            None => Step::Create(ns.clone()),
        });
    }
    for o in owned {
        if !matching.contains(&o.namespace) || o.name != name {
            steps.push(Step::Delete(o.namespace.clone(), o.name.clone()));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

    fn ns(name: &str, labels: &[(&str, &str)], terminating: bool) -> NamespaceInfo {
        NamespaceInfo {
            name: name.into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            terminating,
        }
    }

    fn selector(k: &str, v: &str) -> LabelSelector {
        LabelSelector {
            match_labels: Some([(k.to_string(), v.to_string())].into()),
            ..Default::default()
        }
    }

    #[test]
    fn namespaces_match_by_name_or_any_selector_never_while_terminating() {
        let spec = ClusterExternalSecretSpec {
            namespaces: vec!["listed".into()],
            namespace_selectors: vec![selector("team", "a")],
            namespace_selector: Some(selector("legacy", "yes")),
            ..serde_json::from_value(serde_json::json!({
                "externalSecretSpec": { "secretStoreRef": { "name": "s" }, "data": [] }
            }))
            .expect("spec")
        };
        for (n, want) in [
            (ns("listed", &[], false), true),
            (ns("other", &[("team", "a")], false), true),
            (ns("other", &[("legacy", "yes")], false), true),
            (ns("other", &[("team", "b")], false), false),
            (ns("other", &[], false), false),
            (ns("listed", &[("team", "a")], true), false),
        ] {
            assert_eq!(matches(&spec, &n), want, "{n:?}");
        }
    }

    fn owned(ns: &str, name: &str, current: bool) -> Owned {
        Owned {
            namespace: ns.into(),
            name: name.into(),
            current,
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// Every combination for one namespace: matching or not × nothing / ours current / ours stale /
    /// ours under an old name / someone else's.
    #[test]
    fn every_namespace_state_gets_the_right_step() {
        use Step::*;
        let d = |ns: &str, name: &str| Delete(ns.into(), name.into());
        // (matching, owned, foreign, steps)
        type Case = (bool, Vec<Owned>, bool, Vec<Step>);
        let cases: Vec<Case> = vec![
            (true, vec![], false, vec![Create("a".into())]),
            (
                true,
                vec![owned("a", "es", true)],
                false,
                vec![Keep("a".into())],
            ),
            (
                true,
                vec![owned("a", "es", false)],
                false,
                vec![Update("a".into())],
            ),
            (true, vec![], true, vec![Conflict("a".into())]),
            (
                true,
                vec![owned("a", "old", true)],
                false,
                vec![Create("a".into()), d("a", "old")],
            ),
            (
                true,
                vec![owned("a", "old", true)],
                true,
                vec![Conflict("a".into()), d("a", "old")],
            ),
            (false, vec![], false, vec![]),
            (false, vec![], true, vec![]),
            (
                false,
                vec![owned("a", "es", true)],
                false,
                vec![d("a", "es")],
            ),
            (
                false,
                vec![owned("a", "es", false)],
                false,
                vec![d("a", "es")],
            ),
            (
                false,
                vec![owned("a", "old", true)],
                true,
                vec![d("a", "old")],
            ),
        ];
        for (matching, ours, foreign, want) in cases {
            let matching = if matching { set(&["a"]) } else { set(&[]) };
            let foreign = if foreign { set(&["a"]) } else { set(&[]) };
            assert_eq!(
                plan(&matching, "es", &ours, &foreign),
                want,
                "matching {matching:?}, ours {ours:?}, foreign {foreign:?}"
            );
        }
    }

    #[test]
    fn an_invalid_spec_plans_nothing_not_a_deletion_of_every_copy() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
        let expr = |op: &str, values: Option<Vec<&str>>| LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "team".into(),
                operator: op.into(),
                values: values.map(|v| v.into_iter().map(String::from).collect()),
            }]),
            ..Default::default()
        };
        let base: ClusterExternalSecretSpec = serde_json::from_value(serde_json::json!({
            "externalSecretSpec": { "secretStoreRef": { "name": "s" }, "data": [] }
        }))
        .expect("spec");
        let owned_copy = vec![Owned {
            namespace: "a".into(),
            name: "es".into(),
            current: true,
        }];
        /// (selector, in the legacy field, externalSecretName, part of the problem expected)
        type Case<'a> = (
            Option<LabelSelector>,
            bool,
            Option<&'a str>,
            Option<&'a str>,
        );
        let cases: Vec<Case> = vec![
            (Some(expr("In", Some(vec!["a"]))), false, None, None),
            (Some(expr("NotIn", Some(vec!["a"]))), false, None, None),
            (Some(expr("Exists", None)), false, None, None),
            (Some(expr("DoesNotExist", Some(vec![]))), false, None, None),
            (Some(selector("team", "a")), false, Some("db.creds"), None),
            (
                Some(expr("in", Some(vec!["a"]))),
                false,
                None,
                Some("operator \"in\""),
            ),
            (
                Some(expr("Equals", Some(vec!["a"]))),
                false,
                None,
                Some("not one of"),
            ),
            (
                Some(expr("In", None)),
                false,
                None,
                Some("needs at least one value"),
            ),
            (
                Some(expr("NotIn", Some(vec![]))),
                false,
                None,
                Some("needs at least one value"),
            ),
            (
                Some(expr("Exists", Some(vec!["a"]))),
                false,
                None,
                Some("takes no values"),
            ),
            (
                Some(expr("in", Some(vec!["a"]))),
                true,
                None,
                Some("namespaceSelector."),
            ),
            (
                None,
                false,
                Some("DB-Creds"),
                Some("externalSecretName \"DB-Creds\""),
            ),
            (None, false, Some(""), Some("externalSecretName")),
            (None, false, Some("a_b"), Some("externalSecretName")),
            (
                None,
                false,
                Some("bad-interval"),
                Some("externalSecretSpec: refreshInterval"),
            ),
            (
                Some(selector("team", "a,b")),
                false,
                None,
                Some("not a valid label value"),
            ),
            (
                Some(selector("team ", "a")),
                false,
                None,
                Some("not a valid label key"),
            ),
            (
                Some(selector("", "a")),
                false,
                None,
                Some("not a valid label key"),
            ),
            (
                Some(selector("Example.com/x", "a")),
                false,
                None,
                Some("not a valid label key"),
            ),
            (Some(selector("example.com/team", "")), false, None, None),
            (
                Some(selector("a/b/c", "x")),
                false,
                None,
                Some("not a valid label key"),
            ),
            (
                Some(expr("In", Some(vec!["a b"]))),
                false,
                None,
                Some("not a valid label value"),
            ),
            (
                Some(expr("In", Some(vec!["x".repeat(64).as_str()]))),
                false,
                None,
                Some("label value"),
            ),
            (
                Some(expr("In", Some(vec!["ok", "-bad"]))),
                false,
                None,
                Some("\"-bad\""),
            ),
        ];
        for (sel, legacy, name, problem) in cases {
            let mut spec = base.clone();
            if name == Some("bad-interval") {
                spec.external_secret_spec.refresh_interval = "1x".into();
            }
            spec.external_secret_name = name.map(String::from);
            match (sel, legacy) {
                (Some(s), true) => spec.namespace_selector = Some(s),
                (Some(s), false) => spec.namespace_selectors = vec![selector("x", "y"), s],
                (None, _) => {}
            }
            // Nothing matches: a valid spec deletes the copy, an invalid one touches nothing.
            let got = checked_plan(&spec, "es", &set(&[]), &owned_copy, &set(&[]));
            match problem {
                None => assert!(got.is_ok(), "{spec:?}: {got:?}"),
                Some(part) => {
                    let e = got.expect_err("invalid spec planned steps");
                    assert!(e.contains(part), "{e}");
                }
            }
        }
    }

    #[test]
    fn long_names_get_a_valid_label_value() {
        assert_eq!(label_value("short"), "short");
        let long = "x".repeat(200);
        let v = label_value(&long);
        assert!(v.len() <= 63 && v.starts_with("sha256-"), "{v}");
        assert_ne!(v, label_value(&"y".repeat(200)));
    }

    #[test]
    fn someone_elses_external_secret_is_never_deleted_or_updated() {
        // A thousand namespaces, each with a foreign ExternalSecret, matching or not: only conflicts.
        let all: Vec<String> = (0..1000).map(|i| format!("ns{i}")).collect();
        let foreign: BTreeSet<String> = all.iter().cloned().collect();
        let matching: BTreeSet<String> = all.iter().step_by(2).cloned().collect();
        let steps = plan(&matching, "es", &[], &foreign);
        assert_eq!(steps.len(), 500);
        assert!(steps.iter().all(|s| matches!(s, Step::Conflict(_))));
    }
}
