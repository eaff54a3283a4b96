//! `fmt` rows, each with the bytes Go's `fmt.Sprintf` gives.

use std::collections::BTreeMap;

use super::*;

fn f(format: &str, args: &[Value]) -> String {
    String::from_utf8(sprintf(format.as_bytes(), args)).expect("utf8")
}

#[test]
fn verbs_match_go() {
    let s = Value::str("ab");
    assert_eq!(
        f("%s-%v-%q", &[s.clone(), s.clone(), s.clone()]),
        "ab-ab-\"ab\""
    );
    assert_eq!(
        f(
            "%5.1f|%x|%q|%v",
            &[
                Value::Float(4.56789),
                Value::Int(255),
                Value::str("a"),
                Value::list(vec![Value::Int(1), Value::str("b")])
            ]
        ),
        "  4.6|ff|\"a\"|[1 b]"
    );
    assert_eq!(f("100%%", &[]), "100%");
}

#[test]
fn collections_print_like_go() {
    let m = Value::map(BTreeMap::from([
        ("b".to_string(), Value::Float(1.0)),
        (
            "a".to_string(),
            Value::list(vec![Value::str("x"), Value::Nil]),
        ),
    ]));
    assert_eq!(printed(&m), b"map[a:[x <nil>] b:1]");
    assert_eq!(printed(&Value::Nil), b"<no value>");
}
