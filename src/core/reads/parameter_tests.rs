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
