use super::*;
use crate::api::AwsProvider;
use crate::core::tenancy::session_tags::is_referent;

/// Every kind of `failoverRegions` entry: usable ones in order, and the first refused one named.
#[test]
fn region_names_of_every_partition_match_and_hosts_do_not() {
    let re = match &*REGION {
        Ok(re) => re,
        Err(e) => panic!("REGION_PATTERN: {e}"),
    };
    for ok in [
        "us-east-1",
        "us-gov-west-1",
        "cn-north-1",
        "ap-southeast-5",
        "us-isob-east-1",
        "eusc-de-east-1",
    ] {
        assert!(re.is_match(ok), "{ok}");
    }
    for bad in [
        "x@127.0.0.1:1/",
        "us-east",
        "US-EAST-1",
        "us-east-1.",
        "",
        "useast1",
    ] {
        assert!(!re.is_match(bad), "{bad}");
    }
}

#[test]
fn failover_entries_name_other_regions_once_each() {
    use crate::api::{FailoverRegion, RegionEndpoint};
    let name = |r: &str| FailoverRegion::Name(r.into());
    let with = |r: &str, e: Option<&str>| {
        FailoverRegion::WithEndpoint(RegionEndpoint {
            region: r.into(),
            endpoint: e.map(String::from),
        })
    };
    let x = Some("http://127.0.0.1:9");
    // (entries, store endpoint, Ok(regions) or the words the refusal must contain)
    type Case<'a> = (
        Vec<FailoverRegion>,
        Option<&'a str>,
        Result<Vec<&'a str>, &'a str>,
    );
    let cases: Vec<Case> = vec![
        (vec![], None, Ok(vec![])),
        (
            vec![name("us-west-2"), with("eu-west-1", x)],
            None,
            Ok(vec!["us-west-2", "eu-west-1"]),
        ),
        // Issue 20 #2: the primary's region under another endpoint.
        (
            vec![with("us-east-1", x)],
            None,
            Err("failoverRegions[0]: us-east-1 is already the primary region"),
        ),
        (
            vec![name("us-west-2"), with("us-east-1", x)],
            x,
            Err("failoverRegions[1]: us-east-1 is already the primary region"),
        ),
        (
            vec![name("us-east-1")],
            x,
            Err("is already the primary region"),
        ),
        // The same region twice, with or without another endpoint.
        (
            vec![name("us-west-2"), with("us-west-2", x)],
            None,
            Err("failoverRegions[1]: region us-west-2 is already listed before"),
        ),
        (
            vec![
                with("us-west-2", x),
                with("us-west-2", Some("http://127.0.0.1:8")),
            ],
            None,
            Err("already listed before"),
        ),
        (
            vec![name("us-west-2"), name("us-west-2")],
            None,
            Err("already listed before"),
        ),
        (
            vec![name("x@host:1")],
            None,
            Err("is not an AWS region name"),
        ),
        (
            vec![with("us-west-2", Some("ftp://h"))],
            None,
            Err("must start with https:// or http://"),
        ),
        (
            vec![FailoverRegion::Invalid(serde_json::json!(42))],
            None,
            Err("must be a region name"),
        ),
    ];
    for (entries, endpoint, want) in cases {
        let aws = AwsProvider {
            region: "us-east-1".into(),
            endpoint: endpoint.map(String::from),
            failover_regions: entries.clone(),
            ..Default::default()
        };
        match (failover_regions(&aws), want) {
            (Ok(got), Ok(want)) => assert_eq!(
                got.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
                want,
                "{entries:?}"
            ),
            (Err(e), Err(words)) => {
                assert!(e.message.contains(words), "{entries:?}: {}", e.message)
            }
            (got, want) => panic!("{entries:?}: got {got:?}, want {want:?}"),
        }
    }
}

/// Every credential form, in a SecretStore (of namespace "team-a") and in a ClusterSecretStore, with
/// the namespace each reference names (none / the store's own / another): what is read, from where,
/// or the refusal — decided before any read.
#[test]
fn credentials_over_forms_scopes_and_namespaces() {
    use crate::api::{AwsAuth, AwsSecretRef, SecretKeySelector, ServiceAccountRef};
    use crate::core::access::TenancyPolicy;
    let role = Some("arn:aws:iam::123456789012:role/app".to_string());
    let key = |name: &str, ns: Option<&str>| SecretKeySelector {
        name: name.into(),
        key: "k".into(),
        namespace: ns.map(String::from),
    };
    let secret_ref = |ns: Option<&str>| AwsAuth {
        secret_ref: Some(AwsSecretRef {
            access_key_id: key("creds", ns),
            secret_access_key: key("creds", ns),
            session_token: None,
        }),
        service_account_ref: None,
    };
    let service_account = |ns: Option<&str>| AwsAuth {
        secret_ref: None,
        service_account_ref: Some(ServiceAccountRef {
            name: "reader".into(),
            namespace: ns.map(String::from),
            audiences: vec![],
        }),
    };
    let both = AwsAuth {
        secret_ref: secret_ref(None).secret_ref,
        service_account_ref: service_account(None).service_account_ref,
    };
    let read = |ns: &str, what: &'static str| KeyRead {
        namespace: ns.into(),
        name: "creds".into(),
        key: "k".into(),
        what,
    };
    let keys_in = |ns: &str| CredentialPlan::Static {
        access_key_id: read(ns, "auth.secretRef.accessKeyId"),
        secret_access_key: read(ns, "auth.secretRef.secretAccessKey"),
        session_token: None,
    };
    let tokens_of = |ns: &str| CredentialPlan::WebIdentity {
        namespace: ns.into(),
        name: "reader".into(),
        audiences: vec![STS_AUDIENCE.into()],
    };
    let policy = TenancyPolicy::default();
    let team = Some("team-a");
    // (store namespace, auth, Ok(plan) or the words of the refusal)
    type Case<'a> = (
        Option<&'a str>,
        Option<AwsAuth>,
        Result<CredentialPlan, &'a str>,
    );
    let cases: Vec<Case> = vec![
        (None, None, Ok(CredentialPlan::Default)),
        (team, None, Err("controller's own AWS identity")),
        (team, Some(secret_ref(None)), Ok(keys_in("team-a"))),
        (
            team,
            Some(secret_ref(Some("team-a"))),
            Ok(keys_in("team-a")),
        ),
        (
            team,
            Some(secret_ref(Some("kube-system"))),
            Err("reads credentials only from its own namespace"),
        ),
        (
            None,
            Some(secret_ref(None)),
            Err("names no namespace: this ClusterSecretStore reads it from the namespace of each"),
        ),
        (
            None,
            Some(secret_ref(Some("kube-system"))),
            Ok(keys_in("kube-system")),
        ),
        (team, Some(service_account(None)), Ok(tokens_of("team-a"))),
        (
            team,
            Some(service_account(Some("other"))),
            Err("reads credentials only from its own namespace"),
        ),
        (
            None,
            Some(service_account(None)),
            Err("referent authentication"),
        ),
        (
            None,
            Some(service_account(Some("ops"))),
            Ok(tokens_of("ops")),
        ),
        (team, Some(both.clone()), Err("set only one of")),
        (None, Some(both), Err("set only one of")),
    ];
    // Resolved for an ExternalSecret in team-b: a ClusterSecretStore's reference without a namespace
    // reads team-b's (referent authentication); every other reference reads what it did.
    let reader = Some("team-b");
    let mixed = AwsAuth {
        secret_ref: Some(AwsSecretRef {
            access_key_id: key("creds", Some("ops")),
            secret_access_key: key("creds", None),
            session_token: None,
        }),
        service_account_ref: None,
    };
    let for_reader: Vec<Case> = vec![
        (None, Some(secret_ref(None)), Ok(keys_in("team-b"))),
        (None, Some(service_account(None)), Ok(tokens_of("team-b"))),
        (
            None,
            Some(secret_ref(Some("kube-system"))),
            Ok(keys_in("kube-system")),
        ),
        (
            None,
            Some(mixed),
            Ok(CredentialPlan::Static {
                access_key_id: read("ops", "auth.secretRef.accessKeyId"),
                secret_access_key: read("team-b", "auth.secretRef.secretAccessKey"),
                session_token: None,
            }),
        ),
        // A SecretStore never reads the reader's namespace, only its own.
        (team, Some(secret_ref(None)), Ok(keys_in("team-a"))),
        (
            team,
            Some(secret_ref(Some("team-b"))),
            Err("reads credentials only from its own namespace"),
        ),
        (None, None, Ok(CredentialPlan::Default)),
    ];
    let all = cases
        .into_iter()
        .map(|c| (None, c))
        .chain(for_reader.into_iter().map(|c| (reader, c)));
    for (reader, (store_namespace, auth, want)) in all {
        let aws = AwsProvider {
            region: "us-east-1".into(),
            role: role.clone(),
            auth: auth.clone(),
            ..Default::default()
        };
        assert_eq!(
            is_referent(&aws),
            auth.as_ref().is_some_and(|a| {
                a.secret_ref.as_ref().is_some_and(|r| {
                    r.access_key_id.namespace.is_none() || r.secret_access_key.namespace.is_none()
                }) || a
                    .service_account_ref
                    .as_ref()
                    .is_some_and(|sa| sa.namespace.is_none())
            }),
            "{auth:?}"
        );
        match (
            plan_store(&aws, "s", store_namespace, reader, &policy),
            want,
        ) {
            (Ok(got), Ok(want)) => {
                assert_eq!(got.credentials, want, "{store_namespace:?} {auth:?}")
            }
            (Err(e), Err(words)) => {
                assert!(
                    e.message.contains(words),
                    "{store_namespace:?} {auth:?}: {}",
                    e.message
                )
            }
            (got, want) => panic!("{store_namespace:?} {auth:?}: got {got:?}, want {want:?}"),
        }
    }
}

/// The store's fields checked before credentials: a bad role ARN or region refuses the store.
#[test]
fn bad_role_and_regions_are_refused() {
    let base = AwsProvider {
        region: "us-east-1".into(),
        ..Default::default()
    };
    let policy = crate::core::access::TenancyPolicy::default();
    for (aws, words) in [
        (
            AwsProvider {
                role: Some("admin".into()),
                ..base.clone()
            },
            "is not an IAM role ARN",
        ),
        (
            AwsProvider {
                region: "us-east-1.evil".into(),
                ..base.clone()
            },
            "spec.aws.region",
        ),
    ] {
        let e = plan_store(&aws, "s", None, None, &policy).expect_err(words);
        assert_eq!(e.reason, Reason::StoreNotReady);
        assert!(e.message.contains(words), "{}", e.message);
    }
    assert!(plan_store(&base, "s", None, None, &policy).is_ok());
}

/// A Certificate Manager store refuses what it cannot honour (failover, events, a prefix) instead of
/// ignoring it.
#[test]
fn certificate_manager_stores_refuse_failover_events_and_prefix() {
    let base = AwsProvider {
        region: "us-east-1".into(),
        service: crate::api::AwsService::CertificateManager,
        ..Default::default()
    };
    let policy = crate::core::access::TenancyPolicy::default();
    let with = |f: fn(&mut AwsProvider)| {
        let mut aws = base.clone();
        f(&mut aws);
        aws
    };
    let cases = [
        (
            with(|a| a.failover_regions = serde_json::from_str(r#"["us-west-2"]"#).expect("entry")),
            Some("spec.aws.failoverRegions"),
        ),
        (
            with(|a| a.events = Some(Default::default())),
            Some("spec.aws.events"),
        ),
        (
            with(|a| a.prefix = Some("team-a/".into())),
            Some("spec.aws.prefix"),
        ),
        (with(|a| a.prefix = Some(String::new())), None),
        (base.clone(), None),
    ];
    for (aws, want) in cases {
        match (plan_store(&aws, "s", None, None, &policy), want) {
            (Ok(_), None) => {}
            (Err(e), Some(field)) => {
                assert_eq!(e.reason, Reason::StoreNotReady);
                assert!(e.message.contains(field), "{}", e.message);
                assert!(e.message.contains("CertificateManager"), "{}", e.message);
            }
            (got, want) => panic!("{aws:?}: got {got:?}, want {want:?}"),
        }
    }
    // The same fields on the other services are not this check's business.
    let sm = AwsProvider {
        service: crate::api::AwsService::SecretsManager,
        ..with(|a| a.prefix = Some("team-a/".into()))
    };
    assert!(plan_store(&sm, "s", None, None, &policy).is_ok());
}

/// A read credential: the Secret, the key, UTF-8, trimmed.
#[test]
fn credential_values() {
    let read = KeyRead {
        namespace: "ns".into(),
        name: "creds".into(),
        key: "id".into(),
        what: "auth.secretRef.accessKeyId",
    };
    let data = |v: &[u8]| BTreeMap::from([("id".to_string(), ByteString(v.to_vec()))]);
    let good = data(b"AKIAIOSFODNN7EXAMPLE\n");
    assert_eq!(
        credential_value(Some(Some(&good)), &read).as_deref(),
        Ok("AKIAIOSFODNN7EXAMPLE")
    );
    let not_utf8 = data(&[0xff, 0xfe]);
    let other_key = BTreeMap::from([("other".to_string(), ByteString(b"x".to_vec()))]);
    for (secret, words) in [
        (None, "Secret ns/creds not found"),
        (Some(None), "has no key \"id\""),
        (Some(Some(&other_key)), "has no key \"id\""),
        (Some(Some(&not_utf8)), "is not UTF-8"),
    ] {
        let e = credential_value(secret, &read).expect_err(words);
        assert!(e.message.contains(words), "{}", e.message);
        assert!(
            e.message.starts_with("auth.secretRef.accessKeyId"),
            "{}",
            e.message
        );
    }
}

/// A role chain starts from credentials the store may use: over every scope, credential form, chain
/// (none, `role`, `additionalRoles` only, both) and the admin flag, a namespaced store without
/// `auth` never reaches the controller's identity unless the flag allows it, and the plan carries
/// the chain in ESO's order with the web identity taking its first role.
#[test]
fn role_chains_start_from_credentials_the_store_may_use() {
    use crate::api::{AwsAuth, AwsSecretRef, SecretKeySelector, ServiceAccountRef};
    use crate::core::access::TenancyPolicy;
    const A: &str = "arn:aws:iam::111111111111:role/a";
    const R: &str = "arn:aws:iam::333333333333:role/r";
    let sel = |k: &str| SecretKeySelector {
        name: "creds".into(),
        key: k.into(),
        namespace: None,
    };
    let secret_ref = AwsAuth {
        secret_ref: Some(AwsSecretRef {
            access_key_id: sel("id"),
            secret_access_key: sel("secret"),
            session_token: None,
        }),
        service_account_ref: None,
    };
    let service_account = AwsAuth {
        secret_ref: None,
        service_account_ref: Some(ServiceAccountRef {
            name: "reader".into(),
            namespace: None,
            audiences: vec![],
        }),
    };
    let mut checked = 0;
    for store_namespace in [Some("team-a"), None] {
        for auth in [
            None,
            Some(secret_ref.clone()),
            Some(service_account.clone()),
        ] {
            for (additional, role) in [
                (vec![], None),
                (vec![], Some(R)),
                (vec![A.to_string()], None),
                (vec![A.to_string()], Some(R)),
            ] {
                for flag in [false, true] {
                    checked += 1;
                    let aws = AwsProvider {
                        region: "us-east-1".into(),
                        role: role.map(String::from),
                        additional_roles: additional.clone(),
                        auth: auth.clone(),
                        ..Default::default()
                    };
                    let policy = TenancyPolicy {
                        namespaced_stores_use_controller_identity: flag,
                        allowed_endpoints: vec![],
                    };
                    let got = plan_store(&aws, "s", store_namespace, Some("team-a"), &policy);
                    let roles: Vec<&str> =
                        additional.iter().map(String::as_str).chain(role).collect();
                    let web = auth
                        .as_ref()
                        .is_some_and(|a| a.service_account_ref.is_some());
                    let want = if web && roles.is_empty() {
                        Some(Reason::StoreNotReady)
                    } else if store_namespace.is_some() && auth.is_none() && !flag {
                        Some(Reason::StoreNotAllowed)
                    } else {
                        None
                    };
                    let case = format!("{store_namespace:?} {auth:?} {roles:?} flag={flag}");
                    match (got, want) {
                        (Ok(plan), None) => {
                            assert_eq!(plan.roles.roles(), roles, "{case}");
                            assert_eq!(plan.roles.web_identity.is_some(), web, "{case}");
                        }
                        (Err(e), Some(reason)) => {
                            assert_eq!(e.reason, reason, "{case}: {}", e.message);
                            if reason == Reason::StoreNotAllowed && roles.len() > 1 {
                                assert!(e.message.contains("role chain"), "{}", e.message);
                            }
                        }
                        (got, want) => panic!("{case}: got {got:?}, want {want:?}"),
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 3 * 4 * 2);
}
