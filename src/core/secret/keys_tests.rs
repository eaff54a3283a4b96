use super::*;

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
fn conversion_applies_only_when_set_and_otherwise_the_callers_naming() {
    let entries = || [("/a/b".to_string(), 1)];
    let keys = |r: Renaming| {
        r.apply(entries())
            .expect("renamed")
            .into_keys()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(Renaming::of(Some(ConversionStrategy::Default))),
        vec!["_a_b"]
    );
    assert_eq!(keys(Renaming::of(None)), vec!["/a/b"]);
    // Without a renaming, the caller's own naming (find's) applies.
    let native = Renaming::of(None)
        .apply_or(entries(), |k, _| {
            k.trim_start_matches('/').replace('/', "_")
        })
        .expect("named");
    assert_eq!(native.into_keys().collect::<Vec<_>>(), vec!["a_b"]);
}

#[test]
fn two_keys_that_become_one_are_an_error_never_an_overwrite() {
    let converted = [("a/b".to_string(), 1), ("a@b".to_string(), 2)];
    let err = Renaming::of(Some(ConversionStrategy::Default))
        .apply(converted)
        .expect_err("collision");
    assert_eq!(err.to_string(), r#""a/b" and "a@b" both map to key "a_b""#);
    // Unicode keeps them apart.
    let converted = [("a/b".to_string(), 1), ("a@b".to_string(), 2)];
    assert_eq!(
        Renaming::of(Some(ConversionStrategy::Unicode))
            .apply(converted)
            .expect("distinct")
            .len(),
        2
    );
}
