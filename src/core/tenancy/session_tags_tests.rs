use std::collections::BTreeMap;

use super::*;
use crate::api::{AwsAuth, AwsSecretRef, SecretKeySelector, SessionTag};
use crate::core::tenancy::role_chain::plan_role_chain;

const R: &str = "arn:aws:iam::333333333333:role/r";
const POLICIES: [SessionTagsPolicy; 3] = [
    SessionTagsPolicy::None,
    SessionTagsPolicy::Simple,
    SessionTagsPolicy::Custom,
];
const KINDS: [StoreKind; 2] = [StoreKind::SecretStore, StoreKind::ClusterSecretStore];

fn custom(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn store(policy: SessionTagsPolicy, referent: bool) -> AwsProvider {
    let sel = |name: &str, ns: Option<&str>| SecretKeySelector {
        name: name.into(),
        key: "k".into(),
        namespace: ns.map(String::from),
    };
    let ns = (!referent).then_some("creds");
    AwsProvider {
        region: "us-east-1".into(),
        role: Some(R.into()),
        session_tags_policy: policy,
        custom_session_tags: match policy {
            SessionTagsPolicy::Custom => custom(&[("team", "payments"), ("empty", "")]),
            _ => BTreeMap::new(),
        },
        session_tags: match policy {
            SessionTagsPolicy::None => vec![SessionTag {
                key: "team".into(),
                value: "fixed".into(),
            }],
            _ => Vec::new(),
        },
        auth: Some(AwsAuth {
            secret_ref: Some(AwsSecretRef {
                access_key_id: sel("id", ns),
                secret_access_key: sel("secret", ns),
                session_token: None,
            }),
            service_account_ref: None,
        }),
        ..Default::default()
    }
}

fn kind_name(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::SecretStore => "SecretStore",
        StoreKind::ClusterSecretStore => "ClusterSecretStore",
    }
}

/// Tags per policy × store kind × reading namespace: the controller's three name the reader, the
/// store and its kind; Custom adds its non-empty tags; None sends the store's own.
#[test]
fn tags_per_policy_kind_and_namespace() {
    let mut checked = 0;
    for policy in POLICIES {
        for kind in KINDS {
            for namespace in ["team-a", "team-b"] {
                checked += 1;
                let who = SessionFor {
                    kind,
                    store: "shared",
                    namespace: Some(namespace),
                };
                let got = role_session_tags(&store(policy, false), &who).expect("valid");
                let got: Vec<(&str, &str)> =
                    got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let mut want: Vec<(&str, &str)> = match policy {
                    SessionTagsPolicy::None => vec![("team", "fixed")],
                    _ => vec![
                        ("esoNamespace", namespace),
                        ("esoStoreName", "shared"),
                        ("esoStoreKind", kind_name(kind)),
                    ],
                };
                if policy == SessionTagsPolicy::Custom {
                    // `empty` has no value: ESO leaves it out.
                    want.push(("team", "payments"));
                }
                assert_eq!(got, want, "{policy:?} {kind:?} {namespace}");
            }
        }
    }
    assert_eq!(checked, 12);
    // A ClusterSecretStore checked without a reader cannot name one.
    let e = role_session_tags(
        &store(SessionTagsPolicy::Simple, false),
        &SessionFor {
            kind: StoreKind::ClusterSecretStore,
            store: "shared",
            namespace: None,
        },
    )
    .expect_err("no reader");
    assert!(e.message.contains("none is known here"), "{e:?}");
}

/// Who may use a session: the store identity keys the clients, batches and caches. Over every
/// kind × policy × credentials, two readers share an identity only when every session the store
/// takes for them is the same (same role chain, same tags): one namespace's session, and so its
/// answers, never serve another.
#[test]
fn readers_share_a_store_identity_only_when_they_share_every_session() {
    let mut checked = 0;
    for kind in KINDS {
        for policy in POLICIES {
            for referent in [false, true] {
                let aws = store(policy, referent);
                let chain = |ns: &str| {
                    plan_role_chain(
                        &aws,
                        false,
                        &SessionFor {
                            kind,
                            store: "shared",
                            namespace: Some(ns),
                        },
                    )
                    .expect("valid")
                };
                let (id_a, id_b) = (
                    store_id(kind, "shared", "team-a", &aws),
                    store_id(kind, "shared", "team-b", &aws),
                );
                let want_a = match (kind, policy, referent) {
                    (StoreKind::SecretStore, _, _) => "SecretStore/team-a/shared",
                    (StoreKind::ClusterSecretStore, SessionTagsPolicy::None, false) => {
                        "ClusterSecretStore/shared"
                    }
                    (StoreKind::ClusterSecretStore, _, _) => "ClusterSecretStore/shared/for/team-a",
                };
                assert_eq!(id_a, want_a, "{kind:?} {policy:?} referent={referent}");
                if id_a == id_b {
                    assert_eq!(
                        chain("team-a"),
                        chain("team-b"),
                        "{kind:?} {policy:?}: a shared identity with different sessions"
                    );
                    assert!(!referent, "referent credentials are each namespace's own");
                }
                // Under a policy, each namespace's session names that namespace alone.
                if !policy.is_none() {
                    assert_ne!(id_a, id_b);
                    for ns in ["team-a", "team-b"] {
                        let tags = &chain(ns).assume[0].session_tags;
                        assert!(
                            tags.contains(&("esoNamespace".into(), ns.into())),
                            "{tags:?}"
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 12);
}

/// The keys the controller sets are refused wherever a store could set them (any case), and the
/// policy's other rules are refused with the field named.
#[test]
fn reserved_keys_and_bad_combinations_are_refused() {
    let who = SessionFor {
        kind: StoreKind::ClusterSecretStore,
        store: "shared",
        namespace: Some("team-a"),
    };
    let tag = |k: &str, v: &str| SessionTag {
        key: k.into(),
        value: v.into(),
    };
    let base = AwsProvider {
        region: "us-east-1".into(),
        role: Some(R.into()),
        ..Default::default()
    };
    let with = |f: &dyn Fn(&mut AwsProvider)| {
        let mut a = base.clone();
        f(&mut a);
        a
    };
    let cases: Vec<(AwsProvider, Option<&str>)> = vec![
        (base.clone(), None),
        (
            with(&|a| a.session_tags = vec![tag("esoNamespace", "team-b")]),
            Some("sessionTags[0]: key \"esoNamespace\" is set by the controller"),
        ),
        (
            with(&|a| a.session_tags = vec![tag("ok", "1"), tag("ESOSTORENAME", "x")]),
            Some("sessionTags[1]: key \"ESOSTORENAME\" is set by the controller"),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Custom;
                a.custom_session_tags = custom(&[("esoStoreKind", "SecretStore")]);
            }),
            Some(
                "customSessionTags[\"esoStoreKind\"]: key \"esoStoreKind\" is set by the controller",
            ),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Custom;
                a.custom_session_tags = custom(&[("esonamespace", "team-b")]);
            }),
            Some("is set by the controller"),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Custom;
                a.custom_session_tags = custom(&[("a;b", "x")]);
            }),
            Some("customSessionTags[\"a;b\"]: key \"a;b\" may hold only"),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Custom;
                a.custom_session_tags = (0..48).map(|i| (format!("k{i}"), "v".into())).collect();
            }),
            Some("51 session tags; STS takes at most 50"),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Custom;
                a.custom_session_tags = (0..47).map(|i| (format!("k{i}"), "v".into())).collect();
            }),
            None,
        ),
        (
            with(&|a| a.custom_session_tags = custom(&[("team", "a")])),
            Some("customSessionTags are sent only with sessionTagsPolicy: Custom"),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Simple;
                a.custom_session_tags = custom(&[("team", "a")]);
            }),
            Some("only with sessionTagsPolicy: Custom"),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Simple;
                a.session_tags = vec![tag("team", "a")];
            }),
            Some("sessionTagsPolicy Simple replaces spec.aws.sessionTags"),
        ),
        (
            with(&|a| {
                a.session_tags_policy = SessionTagsPolicy::Simple;
                a.role = None;
            }),
            Some("sessionTagsPolicy Simple requires spec.aws.role"),
        ),
    ];
    for (aws, want) in cases {
        let got = role_session_tags(&aws, &who);
        match want {
            None => {
                got.unwrap_or_else(|e| panic!("{aws:?}: {e:?}"));
            }
            Some(words) => {
                let e = got.expect_err(words);
                assert_eq!(e.reason, Reason::StoreNotReady);
                assert!(e.message.contains(words), "{words}: {}", e.message);
            }
        }
    }
    for key in [
        "esoNamespace",
        "ESONAMESPACE",
        "esoStoreName",
        "esostorekind",
    ] {
        assert!(is_controller_key(key), "{key}");
    }
    assert!(!is_controller_key("esoNamespaces"));
}

/// Transitive keys may name the policy's tags; the web identity's exchange carries none.
#[test]
fn the_chain_carries_the_policy_tags_on_role_only() {
    let who = SessionFor {
        kind: StoreKind::ClusterSecretStore,
        store: "shared",
        namespace: Some("team-a"),
    };
    let aws = AwsProvider {
        region: "us-east-1".into(),
        role: Some(R.into()),
        additional_roles: vec!["arn:aws:iam::111111111111:role/a".into()],
        session_tags_policy: SessionTagsPolicy::Simple,
        transitive_tag_keys: vec!["esoNamespace".into()],
        ..Default::default()
    };
    let chain = plan_role_chain(&aws, false, &who).expect("valid");
    assert!(chain.assume[0].session_tags.is_empty());
    assert_eq!(chain.assume[1].session_tags.len(), 3);
    assert_eq!(chain.assume[1].transitive_tag_keys, ["esoNamespace"]);
    let bad = AwsProvider {
        transitive_tag_keys: vec!["team".into()],
        ..aws.clone()
    };
    let e = plan_role_chain(&bad, false, &who).expect_err("unknown transitive key");
    assert!(
        e.message
            .contains("\"team\" is not the key of a tag spec.aws.sessionTagsPolicy sends"),
        "{e:?}"
    );
    let web = AwsProvider {
        additional_roles: Vec::new(),
        transitive_tag_keys: Vec::new(),
        ..aws
    };
    let e = plan_role_chain(&web, true, &who).expect_err("tags on the web identity");
    assert!(
        e.message
            .contains("spec.aws.sessionTagsPolicy needs spec.aws.additionalRoles"),
        "{e:?}"
    );
}

/// A ClusterSecretStore whose sessions are each namespace's own has no one session to read an event
/// queue with: refused; a SecretStore (one namespace) keeps its queue.
#[test]
fn an_event_queue_needs_one_session() {
    use crate::core::access::TenancyPolicy;
    use crate::core::tenancy::store_plan::plan_store;
    let aws = AwsProvider {
        events: Some(crate::api::AwsEvents {
            sqs_queue_url: "https://sqs.us-east-1.amazonaws.com/111122223333/q".into(),
            region: None,
            endpoint: None,
        }),
        ..store(SessionTagsPolicy::Simple, false)
    };
    let policy = TenancyPolicy::default();
    let e = plan_store(&aws, "shared", None, Some("team-a"), &policy).expect_err("refused");
    assert!(
        e.message.contains("spec.aws.events needs one session"),
        "{e:?}"
    );
    let own = AwsProvider {
        auth: Some(AwsAuth {
            secret_ref: Some(AwsSecretRef {
                access_key_id: SecretKeySelector {
                    name: "c".into(),
                    key: "id".into(),
                    namespace: None,
                },
                secret_access_key: SecretKeySelector {
                    name: "c".into(),
                    key: "secret".into(),
                    namespace: None,
                },
                session_token: None,
            }),
            service_account_ref: None,
        }),
        ..aws.clone()
    };
    plan_store(&own, "s", Some("team-a"), None, &policy).expect("a SecretStore keeps its queue");
    let none = AwsProvider {
        session_tags_policy: SessionTagsPolicy::None,
        session_tags: Vec::new(),
        ..aws
    };
    plan_store(&none, "shared", None, None, &policy).expect("no policy: one session");
}
