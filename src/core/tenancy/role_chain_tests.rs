use super::*;
use crate::api::SessionTag;

const A: &str = "arn:aws:iam::111111111111:role/a";
const B: &str = "arn:aws:iam::222222222222:role/b";
const R: &str = "arn:aws:iam::333333333333:role/r";
/// A SecretStore `s` in `team-a`.
const WHO: SessionFor<'static> = SessionFor {
    kind: crate::api::StoreKind::SecretStore,
    store: "s",
    namespace: Some("team-a"),
};

fn tag(k: &str, v: &str) -> SessionTag {
    SessionTag {
        key: k.into(),
        value: v.into(),
    }
}

fn aws(
    additional: &[&str],
    role: Option<&str>,
    external_id: Option<&str>,
    tags: &[(&str, &str)],
    transitive: &[&str],
) -> AwsProvider {
    AwsProvider {
        region: "us-east-1".into(),
        role: role.map(String::from),
        external_id: external_id.map(String::from),
        additional_roles: additional.iter().map(|r| r.to_string()).collect(),
        session_tags: tags.iter().map(|(k, v)| tag(k, v)).collect(),
        transitive_tag_keys: transitive.iter().map(|k| k.to_string()).collect(),
        ..Default::default()
    }
}

/// One step as (role, external id, tag keys, transitive keys), for compact expectations.
type Step<'a> = (&'a str, Option<&'a str>, Vec<&'a str>, Vec<&'a str>);

fn steps(chain: &RoleChain) -> Vec<Step<'_>> {
    chain
        .assume
        .iter()
        .map(|s| {
            (
                s.role.as_str(),
                s.external_id.as_deref(),
                s.session_tags.iter().map(|(k, _)| k.as_str()).collect(),
                s.transitive_tag_keys.iter().map(String::as_str).collect(),
            )
        })
        .collect()
}

/// Every combination of base credentials, chain length, role, external id, tags and transitive
/// keys: ESO's order (additional roles bare, `role` last with external id, tags and transitive
/// keys), the web identity taking the first role, and exactly the refusals the CRD also makes.
#[test]
fn chain_table_over_every_input() {
    let mut checked = 0;
    for web_identity in [false, true] {
        for additional in [&[][..], &[A][..], &[A, B][..]] {
            for role in [None, Some(R)] {
                for external_id in [None, Some("ext-1")] {
                    for (tags, transitive) in [
                        (&[][..], &[][..]),
                        (&[("team", "a"), ("env", "prod")][..], &[][..]),
                        (&[("team", "a"), ("env", "prod")][..], &["team"][..]),
                    ] {
                        checked += 1;
                        let spec = aws(additional, role, external_id, tags, transitive);
                        let got = plan_role_chain(&spec, web_identity, &WHO);
                        let mut all: Vec<&str> = additional.to_vec();
                        all.extend(role);
                        // The refusals, in the order they are checked.
                        if !tags.is_empty() && role.is_none() {
                            let e = got.expect_err("tags without role");
                            assert!(e.message.contains("requires spec.aws.role"), "{e:?}");
                            continue;
                        }
                        if web_identity && all.is_empty() {
                            let e = got.expect_err("web identity without a role");
                            assert!(e.message.contains("needs role"), "{e:?}");
                            continue;
                        }
                        if web_identity && additional.is_empty() && !tags.is_empty() {
                            let e = got.expect_err("tags on the web identity");
                            assert!(e.message.contains("need spec.aws.additionalRoles"), "{e:?}");
                            continue;
                        }
                        let chain = got.unwrap_or_else(|e| panic!("{spec:?}: {e:?}"));
                        assert_eq!(chain.roles(), all, "{spec:?}");
                        assert_eq!(chain.len(), all.len());
                        let (wi, rest) = match web_identity {
                            true => (Some(all[0]), &all[1..]),
                            false => (None, &all[..]),
                        };
                        assert_eq!(chain.web_identity.as_ref().map(|(r, _)| r.as_str()), wi);
                        let want: Vec<Step> = rest
                            .iter()
                            .map(|&r| match role {
                                // Only `role`, last, carries the external id and tags.
                                Some(last) if r == last => (
                                    r,
                                    external_id,
                                    tags.iter().map(|(k, _)| *k).collect(),
                                    transitive.to_vec(),
                                ),
                                _ => (r, None, vec![], vec![]),
                            })
                            .collect();
                        assert_eq!(steps(&chain), want, "{spec:?} web_identity={web_identity}");
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 3 * 2 * 2 * 3);
}

#[test]
fn fields_name_each_step() {
    let chain = plan_role_chain(&aws(&[A, B], Some(R), None, &[], &[]), true, &WHO).expect("valid");
    assert_eq!(
        chain.web_identity,
        Some((A.to_string(), "spec.aws.additionalRoles[0]".to_string()))
    );
    let fields: Vec<&str> = chain.assume.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, ["spec.aws.additionalRoles[1]", "spec.aws.role"]);
    assert!(RoleChain::default().is_empty());
}

/// Each bad input is refused with the field and what is wrong, never silently dropped.
#[test]
fn bad_chains_are_refused_naming_the_field() {
    let long_key = "k".repeat(129);
    let long_value = "v".repeat(257);
    let max_key = "k".repeat(128);
    let max_value = "v".repeat(256);
    let many_tags: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
    let fifty: Vec<(String, String)> = (0..50).map(|i| (format!("k{i}"), "v".into())).collect();
    let as_refs =
        |t: &[(String, String)]| -> Vec<SessionTag> { t.iter().map(|(k, v)| tag(k, v)).collect() };
    let with_tags = |tags: Vec<SessionTag>, transitive: &[&str]| AwsProvider {
        session_tags: tags,
        transitive_tag_keys: transitive.iter().map(|k| k.to_string()).collect(),
        ..aws(&[], Some(R), None, &[], &[])
    };
    // (spec, None when accepted, else words of the refusal)
    let cases: Vec<(AwsProvider, Option<&str>)> = vec![
        (
            aws(&[A, "arn:aws:iam::1:role/x"], Some(R), None, &[], &[]),
            Some("spec.aws.additionalRoles[1] \"arn:aws:iam::1:role/x\" is not an IAM role ARN"),
        ),
        (
            aws(&[], Some("reader"), None, &[], &[]),
            Some("spec.aws.role \"reader\" is not an IAM role ARN"),
        ),
        (
            aws(&[A, A, A, A, A, A], Some(R), None, &[], &[]),
            Some("additionalRoles has 6 roles; at most 5"),
        ),
        (aws(&[A, A, A, A, A], Some(R), None, &[], &[]), None),
        (
            aws(
                &[],
                Some("arn:aws-us-gov:iam::123456789012:role/x"),
                None,
                &[],
                &[],
            ),
            None,
        ),
        (
            with_tags(as_refs(&many_tags), &[]),
            Some("51 tags; STS takes at most 50"),
        ),
        (with_tags(as_refs(&fifty), &[]), None),
        (
            with_tags(vec![tag("", "v")], &[]),
            Some("sessionTags[0]: key must have 1 to 128"),
        ),
        (
            with_tags(vec![tag(&long_key, "v")], &[]),
            Some("key must have 1 to 128"),
        ),
        (with_tags(vec![tag(&max_key, &max_value)], &[]), None),
        (
            with_tags(vec![tag("k", &long_value)], &[]),
            Some("more than 256 characters"),
        ),
        (with_tags(vec![tag("a;b", "v")], &[]), Some("may hold only")),
        (
            with_tags(vec![tag("k", "v\n")], &[]),
            Some("the value of \"k\" may hold only"),
        ),
        (
            with_tags(vec![tag("AWS:x", "v")], &[]),
            Some("aws:, which AWS reserves"),
        ),
        (
            with_tags(vec![tag("Team", "a"), tag("team", "b")], &[]),
            Some("sessionTags[1]: key \"team\" is already used (ignoring case"),
        ),
        (
            with_tags(
                vec![
                    tag("équipe", "été"),
                    tag("k 1", "a b:c/d=e+f-g@h_i.j"),
                    tag("e", ""),
                ],
                &[],
            ),
            None,
        ),
        (
            with_tags(vec![tag("team", "a")], &["Team"]),
            Some("transitiveTagKeys[0] \"Team\" is not the key of a spec.aws.sessionTags entry"),
        ),
        (
            aws(&[], Some(R), None, &[], &["team"]),
            Some("transitiveTagKeys[0] \"team\" is not the key"),
        ),
    ];
    for (spec, want) in cases {
        let got = plan_role_chain(&spec, false, &WHO);
        match want {
            None => {
                got.unwrap_or_else(|e| panic!("{spec:?}: {e:?}"));
            }
            Some(words) => {
                let e = got.expect_err(words);
                assert_eq!(e.reason, Reason::StoreNotReady);
                assert!(e.message.contains(words), "{words}: {}", e.message);
            }
        }
    }
    // A key listed twice as transitive is sent once.
    let chain = plan_role_chain(
        &with_tags(vec![tag("team", "a")], &["team", "team"]),
        false,
        &WHO,
    )
    .expect("valid");
    assert_eq!(chain.assume[0].transitive_tag_keys, ["team"]);
}
