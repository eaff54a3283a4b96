//! Which stores an ExternalSecret may use (security invariant 3), decided without I/O.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::core::{Selector, SelectorExt};

use crate::api::{ClusterSecretStoreCondition, SecretStoreRef, StoreKind};
use crate::core::reason::{Reason, SyncError};

/// What a cluster admin allows namespaced SecretStores (tenants) to do with the controller's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenancyPolicy {
    /// Namespaced stores may use the controller's own AWS identity (and chain roles from it).
    pub namespaced_stores_use_controller_identity: bool,
    /// Endpoints a namespaced store may send requests signed with the controller's identity to.
    pub allowed_endpoints: Vec<String>,
}

/// Who made a store: a tenant (namespaced SecretStore) or a cluster admin (ClusterSecretStore).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreScope {
    /// A namespaced SecretStore, written by whoever may write in that namespace.
    Namespaced,
    /// A ClusterSecretStore, written by a cluster admin.
    Cluster,
}

/// Which credentials a store's `spec.aws.auth` names (only what the spec says; nothing is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialRef {
    /// No `auth`: the controller's own identity (SDK default chain).
    None,
    /// `auth.secretRef`: the store's own static keys.
    SecretRef,
    /// `auth.serviceAccountRef`: the store's own ServiceAccount, exchanged for `role`.
    ServiceAccountRef,
}

/// The identity-relevant part of a store's spec.
#[derive(Debug, Clone, Copy)]
pub struct StoreIdentity<'a> {
    /// Who made the store.
    pub scope: StoreScope,
    /// Which credentials it names.
    pub credentials: CredentialRef,
    /// How many roles it assumes (`spec.aws.additionalRoles` and `spec.aws.role`).
    pub roles: usize,
    /// `spec.aws.endpoint`, if set.
    pub endpoint: Option<&'a str>,
    /// `auth.serviceAccountRef.audiences` is empty or exactly `sts.amazonaws.com`.
    pub sts_audience_only: bool,
}

/// Whether `endpoint` is in the admin allow-list (exact match, ignoring trailing slashes).
pub fn endpoint_allowed(policy: &TenancyPolicy, endpoint: &str) -> bool {
    let want = endpoint.trim().trim_end_matches('/');
    policy
        .allowed_endpoints
        .iter()
        .any(|a| !a.trim().is_empty() && a.trim().trim_end_matches('/') == want)
}

/// Security invariant 9: may this store act with this identity at this endpoint?
/// A namespaced store uses the controller's own identity (directly or to assume `role` or a chain
/// of roles: every chain starts from the base credentials) only when
/// the admin flag allows it, and then sends such requests only to an allow-listed endpoint (or the
/// admin's default one, when it sets none). Stores with their own credentials and ClusterSecretStores
/// are not restricted.
pub fn check_identity(store: &StoreIdentity<'_>, policy: &TenancyPolicy) -> Result<(), SyncError> {
    if store.credentials == CredentialRef::ServiceAccountRef && store.roles == 0 {
        return Err(SyncError::new(
            Reason::StoreNotReady,
            "auth.serviceAccountRef needs role",
        ));
    }
    if store.scope == StoreScope::Namespaced
        && store.credentials == CredentialRef::ServiceAccountRef
    {
        // The controller mints these tokens; a tenant must not turn that into tokens for other
        // audiences (e.g. the API server) or ship them to an endpoint of its choosing.
        if !store.sts_audience_only {
            return Err(SyncError::new(
                Reason::StoreNotAllowed,
                "a namespaced SecretStore may only request ServiceAccount tokens for the audience \
                 sts.amazonaws.com; remove auth.serviceAccountRef.audiences",
            ));
        }
        if let Some(endpoint) = store.endpoint
            && !endpoint_allowed(policy, endpoint)
        {
            return Err(SyncError::new(
                Reason::StoreNotAllowed,
                format!(
                    "spec.aws.endpoint {endpoint:?} would receive ServiceAccount tokens the controller mints; \
                     remove the endpoint (STS and Secrets Manager are then reached the standard way), or have \
                     a cluster admin add it to --allowed-endpoints"
                ),
            ));
        }
    }
    if store.scope == StoreScope::Cluster || store.credentials != CredentialRef::None {
        return Ok(());
    }
    let what = match store.roles {
        0 => "use the controller's own AWS identity",
        1 => "assume its role with the controller's own AWS identity",
        _ => {
            "assume its role chain (spec.aws.additionalRoles) from the controller's own AWS identity"
        }
    };
    if !policy.namespaced_stores_use_controller_identity {
        return Err(SyncError::new(
            Reason::StoreNotAllowed,
            format!(
                "a namespaced SecretStore without spec.aws.auth would {what}; give it its own credentials \
                 (auth.secretRef, or auth.serviceAccountRef with role), use a ClusterSecretStore, or have a \
                 cluster admin start the controller with --namespaced-stores-use-controller-identity \
                 (single-tenant clusters only)"
            ),
        ));
    }
    match store.endpoint {
        Some(endpoint) if !endpoint_allowed(policy, endpoint) => Err(SyncError::new(
            Reason::StoreNotAllowed,
            format!(
                "spec.aws.endpoint {endpoint:?} would receive requests signed with the controller's own AWS \
                 identity; give the SecretStore its own credentials (auth.secretRef, or \
                 auth.serviceAccountRef with role), or have a cluster admin add the endpoint to \
                 --allowed-endpoints"
            ),
        )),
        _ => Ok(()),
    }
}

/// Refuses a `secretStoreRef` that names a namespace other than the ExternalSecret's own.
pub fn check_store_ref(es_namespace: &str, store_ref: &SecretStoreRef) -> Result<(), SyncError> {
    match store_ref.namespace.as_deref() {
        Some(ns) if ns != es_namespace => Err(SyncError::new(
            Reason::StoreNotAllowed,
            format!(
                "secretStoreRef names namespace {ns:?}; an ExternalSecret may only use a SecretStore in its own \
                 namespace ({es_namespace:?}) or a ClusterSecretStore that admits it"
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether a ClusterSecretStore's conditions admit a namespace with these labels.
/// No conditions admit every namespace; otherwise any one matching condition admits it, and a
/// condition matches when every field it sets matches.
pub fn namespace_admitted(
    conditions: &[ClusterSecretStoreCondition],
    namespace: &str,
    labels: &BTreeMap<String, String>,
) -> bool {
    conditions.is_empty()
        || conditions.iter().any(|c| {
            let by_name = c
                .namespaces
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == namespace));
            let by_labels = c
                .namespace_selector
                .as_ref()
                .is_none_or(|sel| selector_matches(sel, labels));
            let by_pattern = c.namespace_regexes.as_ref().is_none_or(|patterns| {
                patterns
                    .iter()
                    .any(|p| regex::Regex::new(p).is_ok_and(|re| re.is_match(namespace)))
            });
            let any_field = c.namespaces.is_some()
                || c.namespace_selector.is_some()
                || c.namespace_regexes.is_some();
            any_field && by_name && by_labels && by_pattern
        })
}

/// Kubernetes label-selector semantics (matchLabels and matchExpressions, all must hold), by
/// `kube::core::Selector`; a selector it cannot parse (see [`selector_problem`]) matches nothing.
pub fn selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    Selector::try_from(selector.clone()).is_ok_and(|s| s.matches(labels))
}

/// What is wrong with a label selector the API server would reject as a selector but stores in a
/// custom resource anyway (unknown operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist`
/// with values, a key or value no label can have), or `None`. [`selector_matches`] reads such a
/// selector as "matches nothing", which is safe for an admission rule but never a reason to delete
/// anything.
pub fn selector_problem(selector: &LabelSelector) -> Option<String> {
    for (k, v) in selector.match_labels.iter().flatten() {
        if !is_label_key(k) {
            return Some(format!("matchLabels: {k:?} is not a valid label key"));
        }
        if !is_label_value(v) {
            return Some(format!(
                "matchLabels[{k:?}]: {v:?} is not a valid label value"
            ));
        }
    }
    selector
        .match_expressions
        .iter()
        .flatten()
        .enumerate()
        .find_map(|(i, e)| {
            let values = e.values.as_deref().unwrap_or_default();
            let problem = if !is_label_key(&e.key) {
                "has a key that is not a valid label key".to_string()
            } else if let Some(bad) = values.iter().find(|v| !is_label_value(v)) {
                format!("has {bad:?}, not a valid label value")
            } else {
                match e.operator.as_str() {
                    "In" | "NotIn" if values.is_empty() => {
                        format!("operator {:?} needs at least one value", e.operator)
                    }
                    "Exists" | "DoesNotExist" if !values.is_empty() => {
                        format!("operator {:?} takes no values", e.operator)
                    }
                    "In" | "NotIn" | "Exists" | "DoesNotExist" => return None,
                    _ => format!(
                        "operator {:?} is not one of In, NotIn, Exists, DoesNotExist",
                        e.operator
                    ),
                }
            };
            Some(format!("matchExpressions[{i}] (key {:?}) {problem}", e.key))
        })
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name of 1 to 63 characters.
fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    prefix.is_none_or(crate::core::desired::is_dns_subdomain)
        && !name.is_empty()
        && is_label_value(name)
}

/// A label value: empty, or up to 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
fn is_label_value(v: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    v.is_empty()
        || (v.len() <= 63
            && alnum(v.chars().next())
            && alnum(v.chars().last())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
}

/// The error for a ClusterSecretStore that does not admit the namespace.
pub fn not_admitted(store: &str, namespace: &str) -> SyncError {
    SyncError::new(
        Reason::StoreNotAllowed,
        format!(
            "ClusterSecretStore {store:?} does not admit namespace {namespace:?} (see its spec.conditions)"
        ),
    )
}

/// Human name of a store reference, e.g. `SecretStore "aws"`.
pub fn describe_store(store_ref: &SecretStoreRef) -> String {
    let kind = match store_ref.kind {
        StoreKind::SecretStore => "SecretStore",
        StoreKind::ClusterSecretStore => "ClusterSecretStore",
    };
    format!("{kind} {:?}", store_ref.name)
}

/// The store identity an ExternalSecret's `secretStoreRef` resolves to (`SecretStore/<ns>/<name>` or
/// `ClusterSecretStore/<name>`), as the controller's store resolution names it.
pub fn store_id_of(es: &crate::api::ExternalSecret) -> String {
    use kube::ResourceExt;
    let r = &es.spec.secret_store_ref;
    match r.kind {
        StoreKind::SecretStore => format!(
            "SecretStore/{}/{}",
            es.namespace().unwrap_or_default(),
            r.name
        ),
        StoreKind::ClusterSecretStore => format!("ClusterSecretStore/{}", r.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn by_names(names: &[&str]) -> ClusterSecretStoreCondition {
        ClusterSecretStoreCondition {
            namespaces: Some(names.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    fn by_labels(pairs: &[(&str, &str)]) -> ClusterSecretStoreCondition {
        ClusterSecretStoreCondition {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(labels(pairs)),
                match_expressions: None,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn no_conditions_admit_everyone() {
        assert!(namespace_admitted(&[], "any", &labels(&[])));
    }

    #[test]
    fn any_condition_admits() {
        let conds = vec![by_names(&["team-a"]), by_labels(&[("tenant", "b")])];
        assert!(namespace_admitted(&conds, "team-a", &labels(&[])));
        assert!(namespace_admitted(
            &conds,
            "team-x",
            &labels(&[("tenant", "b")])
        ));
        assert!(!namespace_admitted(
            &conds,
            "team-x",
            &labels(&[("tenant", "c")])
        ));
        assert!(!namespace_admitted(&conds, "team-b", &labels(&[])));
    }

    #[test]
    fn fields_of_one_condition_must_all_match() {
        let mut c = by_names(&["team-a"]);
        c.namespace_selector = by_labels(&[("tenant", "a")]).namespace_selector;
        assert!(namespace_admitted(
            std::slice::from_ref(&c),
            "team-a",
            &labels(&[("tenant", "a")])
        ));
        assert!(!namespace_admitted(
            std::slice::from_ref(&c),
            "team-a",
            &labels(&[])
        ));
        // An empty condition admits nothing (the API server also rejects it).
        let empty = ClusterSecretStoreCondition::default();
        assert!(!namespace_admitted(&[empty], "team-a", &labels(&[])));
    }

    /// `namespaceRegexes`: any pattern matches (unanchored unless anchored, as in ESO), together with
    /// the condition's other fields; an invalid or empty list admits nothing.
    #[test]
    fn namespace_regexes_admit_by_pattern() {
        let by_patterns = |p: &[&str]| ClusterSecretStoreCondition {
            namespace_regexes: Some(p.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        let cases: [(&[&str], &str, bool); 9] = [
            (&["^team-"], "team-a", true),
            (&["^team-"], "my-team-a", false),
            (&["team"], "my-team-a", true),
            (&["^a$", "^b$"], "b", true),
            (&["^a$", "^b$"], "ab", false),
            (&["(unclosed"], "team-a", false),
            (&["(unclosed", "^team"], "team-a", true),
            (&[], "team-a", false),
            (&[".*"], "kube-system", true),
        ];
        for (patterns, ns, admitted) in cases {
            assert_eq!(
                namespace_admitted(&[by_patterns(patterns)], ns, &labels(&[])),
                admitted,
                "{patterns:?} {ns}"
            );
        }
        // With another field of the same condition: both must match.
        let mut c = by_patterns(&["^team-"]);
        c.namespace_selector = by_labels(&[("tenant", "a")]).namespace_selector;
        let c = std::slice::from_ref(&c);
        assert!(namespace_admitted(c, "team-a", &labels(&[("tenant", "a")])));
        assert!(!namespace_admitted(c, "team-a", &labels(&[])));
        assert!(!namespace_admitted(c, "ops", &labels(&[("tenant", "a")])));
    }

    #[test]
    fn match_expressions() {
        let req = |op: &str, values: &[&str]| LabelSelectorRequirement {
            key: "env".into(),
            operator: op.into(),
            values: Some(values.iter().map(|s| s.to_string()).collect()),
        };
        let sel = |r| LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![r]),
        };
        let prod = labels(&[("env", "prod")]);
        let none = labels(&[]);
        assert!(selector_matches(&sel(req("In", &["prod", "stage"])), &prod));
        assert!(!selector_matches(&sel(req("In", &["dev"])), &prod));
        assert!(selector_matches(&sel(req("NotIn", &["dev"])), &prod));
        assert!(selector_matches(&sel(req("NotIn", &["dev"])), &none));
        assert!(selector_matches(&sel(req("Exists", &[])), &prod));
        assert!(!selector_matches(&sel(req("Exists", &[])), &none));
        assert!(selector_matches(&sel(req("DoesNotExist", &[])), &none));
        assert!(!selector_matches(&sel(req("Bogus", &[])), &prod));
    }

    #[test]
    fn store_ref_namespace_must_be_own() {
        let mut r = SecretStoreRef {
            name: "aws".into(),
            ..Default::default()
        };
        assert!(check_store_ref("team-a", &r).is_ok());
        r.namespace = Some("team-a".into());
        assert!(check_store_ref("team-a", &r).is_ok());
        r.namespace = Some("team-b".into());
        let e = check_store_ref("team-a", &r).expect_err("cross-namespace");
        assert_eq!(e.reason, Reason::StoreNotAllowed);
    }

    #[test]
    fn identity_table() {
        use CredentialRef as C;
        use StoreScope as S;
        const EP: &str = "http://127.0.0.1:4566";
        let scopes = [S::Namespaced, S::Cluster];
        let creds = [C::None, C::SecretRef, C::ServiceAccountRef];
        let mut checked = 0;
        for scope in scopes {
            for credentials in creds {
                for roles in [0, 1, 3] {
                    for endpoint in [None, Some(EP)] {
                        for listed in [false, true] {
                            for flag in [false, true] {
                                for sts_audience_only in [true, false] {
                                    let policy = TenancyPolicy {
                                        namespaced_stores_use_controller_identity: flag,
                                        allowed_endpoints: if listed {
                                            vec![format!("{EP}/")]
                                        } else {
                                            vec!["https://vpce.example".into()]
                                        },
                                    };
                                    let store = StoreIdentity {
                                        scope,
                                        credentials,
                                        roles,
                                        endpoint,
                                        sts_audience_only,
                                    };
                                    let tenant_token = scope == S::Namespaced
                                        && credentials == C::ServiceAccountRef;
                                    let want = if credentials == C::ServiceAccountRef && roles == 0
                                    {
                                        Some(Reason::StoreNotReady)
                                    } else if tenant_token
                                        && (!sts_audience_only || (endpoint.is_some() && !listed))
                                    {
                                        Some(Reason::StoreNotAllowed)
                                    } else if scope == S::Cluster || credentials != C::None {
                                        None
                                    } else if !flag || (endpoint.is_some() && !listed) {
                                        Some(Reason::StoreNotAllowed)
                                    } else {
                                        None
                                    };
                                    let got = check_identity(&store, &policy).err();
                                    assert_eq!(
                                        got.as_ref().map(|e| e.reason),
                                        want,
                                        "{store:?} flag={flag} listed={listed}"
                                    );
                                    if let Some(e) = got
                                        && e.reason == Reason::StoreNotAllowed
                                    {
                                        let setting = if tenant_token && !sts_audience_only {
                                            "audience"
                                        } else if flag || tenant_token {
                                            "--allowed-endpoints"
                                        } else {
                                            "--namespaced-stores-use-controller-identity"
                                        };
                                        assert!(e.message.contains(setting), "{}", e.message);
                                    }
                                    checked += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 2 * 3 * 3 * 2 * 2 * 2 * 2);
    }

    #[test]
    fn endpoint_allow_list_matches_exactly_modulo_trailing_slash() {
        let policy = TenancyPolicy {
            namespaced_stores_use_controller_identity: true,
            allowed_endpoints: vec!["https://vpce-1.example/".into(), " ".into()],
        };
        assert!(endpoint_allowed(&policy, "https://vpce-1.example"));
        assert!(endpoint_allowed(&policy, "https://vpce-1.example/"));
        assert!(!endpoint_allowed(&policy, "https://vpce-1.example.evil"));
        assert!(!endpoint_allowed(&policy, "http://vpce-1.example"));
        assert!(!endpoint_allowed(&policy, ""));
    }
}
