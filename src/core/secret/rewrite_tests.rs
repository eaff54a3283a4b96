//! ESO's own rewrite cases (runtime/esutils/utils_test.go `TestRewrite`, `TestRewriteMerge`) with
//! their expected maps, and secretsync's rule that two keys renamed to one are an error.

use super::*;
use crate::api::{RewriteRegexp, RewriteTransform};

fn rw(source: &str, target: &str) -> Rewrite {
    Rewrite {
        regexp: Some(RewriteRegexp {
            source: source.into(),
            target: target.into(),
        }),
        ..Default::default()
    }
}

fn tf(template: &str) -> Rewrite {
    Rewrite {
        transform: Some(RewriteTransform {
            template: template.into(),
        }),
        ..Default::default()
    }
}

fn mg(m: RewriteMerge) -> Rewrite {
    Rewrite {
        merge: Some(m),
        ..Default::default()
    }
}

/// A case: its name (or the expected error), the operations, the input and the expected output.
type Case<'a> = (
    &'a str,
    Vec<Rewrite>,
    BTreeMap<String, Vec<u8>>,
    BTreeMap<String, Vec<u8>>,
);
/// An error case: the operations, the input and words of the error.
type ErrorCase<'a> = (Vec<Rewrite>, BTreeMap<String, Vec<u8>>, &'a str);

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect()
}

#[test]
fn esos_rewrite_cases() {
    let ignore = MergeConflictPolicy::Ignore;
    let cases: Vec<Case> = vec![
        (
            "using double merge",
            vec![
                mg(RewriteMerge {
                    strategy: MergeStrategy::Json,
                    conflict_policy: ignore,
                    into: "merged".into(),
                    priority: vec!["a".into()],
                    ..Default::default()
                }),
                mg(RewriteMerge {
                    conflict_policy: ignore,
                    priority: vec!["b".into()],
                    ..Default::default()
                }),
            ],
            map(&[
                ("a", r#"{"host": "dba", "pass": "yola", "port": 123}"#),
                ("b", r#"{"host": "dbb", "pass": "yolb"}"#),
            ]),
            map(&[("host", "dbb"), ("pass", "yolb"), ("port", "123")]),
        ),
        (
            "using regexp and merge",
            vec![
                rw("db/(.*)", "$1"),
                mg(RewriteMerge {
                    strategy: MergeStrategy::Json,
                    conflict_policy: ignore,
                    into: "merged".into(),
                    priority: vec!["a".into()],
                    ..Default::default()
                }),
            ],
            map(&[
                ("db/a", r#"{"host": "dba.example.com"}"#),
                ("db/b", r#"{"host": "dbb.example.com", "pass": "yolo"}"#),
            ]),
            map(&[
                ("a", r#"{"host": "dba.example.com"}"#),
                ("b", r#"{"host": "dbb.example.com", "pass": "yolo"}"#),
                ("merged", r#"{"host":"dba.example.com","pass":"yolo"}"#),
            ]),
        ),
        (
            "using transform rewrite operation to create env var format keys",
            vec![
                rw("my/(.*?)/bar/(.*)", "$1-$2"),
                tf(r#"{{ .value | upper | replace "-" "_" }}"#),
            ],
            map(&[("my/app/bar/key", "bar")]),
            map(&[("APP_KEY", "bar")]),
        ),
        (
            "using empty merge",
            vec![mg(RewriteMerge::default())],
            map(&[
                (
                    "mongo-credentials",
                    r#"{"username": "foz", "password": "baz"}"#,
                ),
                (
                    "redis-credentials",
                    r#"{"host": "redis.example.com", "port": "6379"}"#,
                ),
            ]),
            map(&[
                ("username", "foz"),
                ("password", "baz"),
                ("host", "redis.example.com"),
                ("port", "6379"),
            ]),
        ),
        (
            "using priority",
            vec![mg(RewriteMerge {
                conflict_policy: ignore,
                priority: vec!["mongo-credentials".into(), "redis-credentials".into()],
                ..Default::default()
            })],
            map(&[
                (
                    "redis-credentials",
                    r#"{"host": "redis.example.com", "port": "6379"}"#,
                ),
                (
                    "mongo-credentials",
                    r#"{"username": "foz", "password": "baz"}"#,
                ),
                (
                    "other-credentials",
                    r#"{"key": "value", "host": "other.example.com"}"#,
                ),
            ]),
            map(&[
                ("username", "foz"),
                ("password", "baz"),
                ("host", "redis.example.com"),
                ("port", "6379"),
                ("key", "value"),
            ]),
        ),
        (
            "using priority with keys not in input and ignore policy",
            vec![mg(RewriteMerge {
                conflict_policy: ignore,
                priority: vec!["non-existent-key".into(), "mongo-credentials".into()],
                priority_policy: MergePriorityPolicy::IgnoreNotFound,
                ..Default::default()
            })],
            map(&[
                (
                    "mongo-credentials",
                    r#"{"username": "foz", "password": "baz"}"#,
                ),
                (
                    "redis-credentials",
                    r#"{"host": "redis.example.com", "port": "6379"}"#,
                ),
            ]),
            map(&[
                ("username", "foz"),
                ("password", "baz"),
                ("host", "redis.example.com"),
                ("port", "6379"),
            ]),
        ),
        (
            "using JSON strategy",
            vec![mg(RewriteMerge {
                strategy: MergeStrategy::Json,
                into: "credentials".into(),
                ..Default::default()
            })],
            map(&[
                (
                    "mongo-credentials",
                    r#"{"username": "foz", "password": "baz"}"#,
                ),
                (
                    "redis-credentials",
                    r#"{"host": "redis.example.com", "port": "6379"}"#,
                ),
            ]),
            map(&[
                (
                    "mongo-credentials",
                    r#"{"username": "foz", "password": "baz"}"#,
                ),
                (
                    "redis-credentials",
                    r#"{"host": "redis.example.com", "port": "6379"}"#,
                ),
                (
                    "credentials",
                    r#"{"host":"redis.example.com","password":"baz","port":"6379","username":"foz"}"#,
                ),
            ]),
        ),
        (
            "members of other types become bytes as ESO writes them",
            vec![mg(RewriteMerge::default())],
            map(&[(
                "a",
                r#"{"n": 1e21, "f": 0.5, "t": true, "z": null, "o": {"b": "<x>"}, "l": [1, "a"]}"#,
            )]),
            map(&[
                ("n", "1000000000000000000000"),
                ("f", "0.5"),
                ("t", "true"),
                ("z", ""),
                ("o", r#"{"b":"\u003cx\u003e"}"#),
                ("l", r#"[1,"a"]"#),
            ]),
        ),
        (
            "a transform that leaves a key empty drops it, and a missing key prints <no value>",
            vec![tf(
                "{{ if eq .value \"drop\" }}{{ else }}{{ .value }}-{{ .other }}{{ end }}",
            )],
            map(&[("drop", "x"), ("keep", "y")]),
            map(&[("keep-<no value>", "y")]),
        ),
    ];
    for (name, rewrites, input, want) in cases {
        assert_eq!(apply(&rewrites, input).expect(name), want, "{name}");
    }
}

#[test]
fn esos_error_cases_and_secretsyncs_collision_rule() {
    let strict = RewriteMerge {
        conflict_policy: MergeConflictPolicy::Ignore,
        priority: vec!["non-existent-key".into(), "mongo-credentials".into()],
        ..Default::default()
    };
    let creds = map(&[
        (
            "mongo-credentials",
            r#"{"username": "foz", "password": "baz"}"#,
        ),
        (
            "redis-credentials",
            r#"{"username": "redis", "port": "6379"}"#,
        ),
    ]);
    let cases: Vec<ErrorCase> = vec![
        (
            vec![mg(strict)],
            creds.clone(),
            "key \"non-existent-key\" not found",
        ),
        (
            vec![mg(RewriteMerge::default())],
            creds.clone(),
            "conflicting members: username",
        ),
        (
            vec![mg(RewriteMerge::default())],
            map(&[("a", "not json")]),
            "the value of key \"a\" is not a JSON object",
        ),
        (
            vec![mg(RewriteMerge {
                strategy: MergeStrategy::Json,
                ..Default::default()
            })],
            creds.clone(),
            "strategy JSON needs `into`",
        ),
        (
            vec![rw("[0-9]", "")],
            map(&[("a1", "1"), ("a2", "2")]),
            "\"a1\" and \"a2\" both map to key \"a\"",
        ),
        (
            vec![tf("x")],
            map(&[("a", "1"), ("b", "2")]),
            "both map to key \"x\"",
        ),
        (
            vec![rw("ok", "x"), rw("(", "y")],
            map(&[("k", "v")]),
            "rewrite[1].regexp.source is not a valid",
        ),
        (
            vec![tf("{{ now }}")],
            map(&[("k", "v")]),
            "rewrite[0].transform.template",
        ),
        (
            vec![Rewrite::default()],
            map(&[("k", "v")]),
            "exactly one of regexp, transform or merge",
        ),
    ];
    for (rewrites, input, want) in cases {
        let err = apply(&rewrites, input).expect_err(want).to_string();
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(check(&[rw("(", "x")]).is_err());
    assert!(check(&[tf("{{ .value | upper }}"), rw("a", "b")]).is_ok());
}

#[test]
fn regexp_rewrites_apply_in_order_with_go_style_groups() {
    let cases: Vec<(Vec<Rewrite>, &str, &str)> = vec![
        (vec![rw("(.*)", "my_$1")], "username", "my_username"),
        // `$1_x` names group `1_x` (none: empty, as in Go); `${1}_x` is group 1 then `_x`.
        (vec![rw("^(a)", "$1_x")], "abc", "bc"),
        (vec![rw("^(a)", "${1}_x")], "abc", "a_xbc"),
        (vec![rw("^(?P<p>db)-", "${p}_")], "db-host", "db_host"),
        (
            vec![rw("-", "_"), rw("^", "APP_")],
            "db-host-name",
            "APP_db_host_name",
        ),
        (vec![rw("^zzz", "y")], "key", "key"),
    ];
    for (rewrites, key, want) in cases {
        let got = apply(&rewrites, map(&[(key, "v")])).expect("renamed");
        assert_eq!(got.keys().collect::<Vec<_>>(), vec![want], "{rewrites:?}");
    }
}
