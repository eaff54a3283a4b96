use super::*;
use crate::api::RewriteRegexp;

fn rw(source: &str, target: &str) -> Rewrite {
    Rewrite {
        regexp: RewriteRegexp {
            source: source.into(),
            target: target.into(),
        },
    }
}

#[test]
fn conversion_replaces_what_a_key_may_not_hold_as_eso_does() {
    use ConversionStrategy::{Default, Unicode};
    let cases = [
        ("/app/db", Default, "_app_db"),
        ("/app/db", Unicode, "_U002f_app_U002f_db"),
        ("a b@c", Default, "a_b_c"),
        ("a b@c", Unicode, "a_U0020_b_U0040_c"),
        ("ok-key_1.x", Default, "ok-key_1.x"),
        ("ok-key_1.x", Unicode, "ok-key_1.x"),
        // Letters and digits of any script are kept (the API server then refuses them).
        ("café٣", Default, "café٣"),
        ("😀", Unicode, "_U1f600_"),
        ("😀", Default, "_"),
        ("", Default, ""),
    ];
    for (key, strategy, want) in cases {
        assert_eq!(convert_key(key, strategy), want, "{key} {strategy:?}");
    }
}

#[test]
fn rewrites_apply_in_order_with_go_style_groups() {
    let cases: Vec<(Vec<Rewrite>, &str, &str)> = vec![
        // ESO's e2e: every key gets a prefix.
        (vec![rw("(.*)", "my_$1")], "username", "my_username"),
        // `$1_x` names group `1_x` (none: empty, as in Go); `${1}_x` is group 1 then `_x`.
        (vec![rw("^(a)", "$1_x")], "abc", "bc"),
        (vec![rw("^(a)", "${1}_x")], "abc", "a_xbc"),
        (vec![rw("^(?P<p>db)-", "${p}_")], "db-host", "db_host"),
        // Each on the previous result; a key no expression matches stays.
        (
            vec![rw("-", "_"), rw("^", "APP_")],
            "db-host-name",
            "APP_db_host_name",
        ),
        (vec![rw("^zzz", "y")], "key", "key"),
    ];
    for (rewrites, key, want) in cases {
        let got = Renaming::of(&rewrites, None)
            .apply([(key.to_string(), ())])
            .expect("renamed");
        assert_eq!(got.keys().collect::<Vec<_>>(), vec![want], "{rewrites:?}");
    }
}

#[test]
fn a_rewrite_wins_over_conversion_and_nothing_renames_without_either() {
    let rewrites = [rw("/", "-")];
    let strategy = Some(ConversionStrategy::Default);
    let entries = || [("/a/b".to_string(), 1)];
    let keys = |r: Renaming<'_>| {
        r.apply(entries())
            .expect("renamed")
            .into_keys()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(Renaming::of(&rewrites, strategy)), vec!["-a-b"]);
    assert_eq!(keys(Renaming::of(&[], strategy)), vec!["_a_b"]);
    assert_eq!(keys(Renaming::of(&[], None)), vec!["/a/b"]);
    assert!(!Renaming::of(&[], None).renames());
    // Without a renaming, the caller's own naming (find's) applies.
    let native = Renaming::of(&[], None)
        .apply_or(entries(), |k, _| {
            k.trim_start_matches('/').replace('/', "_")
        })
        .expect("named");
    assert_eq!(native.into_keys().collect::<Vec<_>>(), vec!["a_b"]);
}

#[test]
fn two_keys_that_become_one_are_an_error_never_an_overwrite() {
    let rewrites = [rw("[0-9]", "")];
    let entries = [("a1".to_string(), 1), ("a2".to_string(), 2)];
    assert_eq!(
        Renaming::of(&rewrites, None).apply(entries.clone()),
        Err(KeyError::Collision {
            first: "a1".into(),
            second: "a2".into(),
            key: "a".into()
        })
    );
    let converted = [("a/b".to_string(), 1), ("a@b".to_string(), 2)];
    let err = Renaming::of(&[], Some(ConversionStrategy::Default))
        .apply(converted)
        .expect_err("collision");
    assert_eq!(err.to_string(), r#""a/b" and "a@b" both map to key "a_b""#);
    // Unicode keeps them apart.
    let converted = [("a/b".to_string(), 1), ("a@b".to_string(), 2)];
    assert_eq!(
        Renaming::of(&[], Some(ConversionStrategy::Unicode))
            .apply(converted)
            .expect("distinct")
            .len(),
        2
    );
}

#[test]
fn an_invalid_expression_is_named() {
    let rewrites = [rw("ok", "x"), rw("(", "y")];
    let err = check_rewrites(&rewrites).expect_err("invalid");
    assert!(
        err.starts_with("rewrite[1].regexp.source is not a valid regular expression"),
        "{err}"
    );
    assert!(matches!(
        Renaming::of(&rewrites, None).apply([("k".to_string(), ())]),
        Err(KeyError::Rewrite(_))
    ));
}
