//! Expected bytes come from tidwall/gjson v1.18.0 itself (ESO's pinned version), run through
//! ESO's lookup (literal key with escaped dots first, then the path; `Result.String()`), on
//! gjson's documented examples and the value kinds secrets hold.

use super::*;

/// gjson's SYNTAX.md document.
const SYNTAX: &str = r##"{"name":{"first":"Tom","last":"Anderson"},"age":37,"children":["Sara","Alex","Jack"],"fav.movie":"Deer Hunter","friends":[{"first":"Dale","last":"Murphy","age":44,"nets":["ig","fb","tw"]},{"first":"Roger","last":"Craig","age":68,"nets":["fb","tw"]},{"first":"Jane","last":"Murphy","age":47,"nets":["ig","tw"]}]}"##;
/// Dotted keys, escapes, every scalar kind, nested arrays.
const KINDS: &str = r##"{
  "a.b": "literal",
  "a": { "b" : "nested", "c": [1, 2.50, -3e2, null, true, false, "x\"y"] },
  "k\"q": 1, "\u00e9t\u00e9": "summer", "html": "<a&b>", "ls": "\u2028x",
  "nested": { "deep": { "deeper": [ {"v": 1}, {"v": 2, "w": [3, 4]} ] } },
  "str": "{\"id\":1023,\"name\":\"alert\"}", "num": 1.50, "exp": 1e3, "neg": -0, "big": 12345678901234567890
}"##;
/// Objects to join and group, truthy strings.
const SHAPES: &str = r##"{"vals":[{"first":"Tom","age":37},{"age":41}],"group":{"id":[1,2,3],"n":["a","b","c"]},"t":"True","f":"0","z":0,"e":"","arr":[],"obj":{}}"##;

#[test]
fn documented_paths_give_esos_bytes() {
    let docs = [SYNTAX, KINDS, "", SHAPES];
    let table: &[(usize, &str, Option<&str>)] = &[
        (0, r#"name.last"#, Some(r#"Anderson"#)),
        (0, r#"age"#, Some(r#"37"#)),
        (0, r#"children"#, Some(r#"["Sara","Alex","Jack"]"#)),
        (0, r#"children.#"#, Some(r#"3"#)),
        (0, r#"children.1"#, Some(r#"Alex"#)),
        (0, r#"child*.2"#, Some(r#"Jack"#)),
        (0, r#"c?ildren.0"#, Some(r#"Sara"#)),
        (0, r#"fav\.movie"#, Some(r#"Deer Hunter"#)),
        (0, r#"fav.movie"#, Some(r#"Deer Hunter"#)),
        (0, r#"friends.#.first"#, Some(r#"["Dale","Roger","Jane"]"#)),
        (0, r#"friends.1.last"#, Some(r#"Craig"#)),
        (0, r#"friends.#(last=="Murphy").first"#, Some(r#"Dale"#)),
        (
            0,
            r#"friends.#(last=="Murphy")#.first"#,
            Some(r#"["Dale","Jane"]"#),
        ),
        (
            0,
            r#"friends.#(age>45)#.last"#,
            Some(r#"["Craig","Murphy"]"#),
        ),
        (0, r#"friends.#(first%"D*").last"#, Some(r#"Murphy"#)),
        (0, r#"friends.#(first!%"D*").last"#, Some(r#"Craig"#)),
        (
            0,
            r#"friends.#(nets.#(=="fb"))#.first"#,
            Some(r#"["Dale","Roger"]"#),
        ),
        (0, r#"children.@reverse"#, Some(r#"["Jack","Alex","Sara"]"#)),
        (0, r#"children|@reverse|0"#, Some(r#"Jack"#)),
        (
            0,
            r#"{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}"#,
            Some(r#"{"age":37}"#),
        ),
        (0, r#"[name.first,age,children.0]"#, Some(r#"[37]"#)),
        (
            0,
            r#"friends.#.{first,last}"#,
            Some(
                r#"[{"first":"Dale","last":"Murphy"},{"first":"Roger","last":"Craig"},{"first":"Jane","last":"Murphy"}]"#,
            ),
        ),
        (
            0,
            r#"{"name":name.first,"alive":!true}"#,
            Some(r#"{"alive":true}"#),
        ),
        (
            0,
            r#"friends.@dig:first"#,
            Some(r#"["Dale","Roger","Jane"]"#),
        ),
        (
            0,
            r#"name.@tostr"#,
            Some(r#"{"first":"Tom","last":"Anderson"}"#),
        ),
        (0, r#"name|@keys"#, Some(r#"["first","last"]"#)),
        (0, r#"name|@values"#, Some(r#"["Tom","Anderson"]"#)),
        (0, r#"friends.#(age>100).first"#, None),
        (0, r#"friends.#(age>100)#.first"#, Some(r#"[]"#)),
        (
            0,
            r#"friends.#.nets|@flatten"#,
            Some(r#"["ig","fb","tw","fb","tw","ig","tw"]"#),
        ),
        (0, r#"missing"#, None),
        (0, r#"name.middle"#, None),
        (0, r#"friends.9"#, None),
        (1, r#"a.b"#, Some(r#"literal"#)),
        (1, r#"a\.b"#, Some(r#"literal"#)),
        (
            1,
            r#"a.c"#,
            Some(r#"[1, 2.50, -3e2, null, true, false, "x\"y"]"#),
        ),
        (1, r#"a.c.1"#, Some(r#"2.5"#)),
        (1, r#"a.c.2"#, Some(r#"-300"#)),
        (1, r#"a.c.3"#, Some(r#""#)),
        (1, r#"a.c.4"#, Some(r#"true"#)),
        (1, r#"a.c.6"#, Some(r#"x"y"#)),
        (1, r#"str|@fromstr|name"#, Some(r#"alert"#)),
        (1, r#"num"#, Some(r#"1.5"#)),
        (1, r#"exp"#, Some(r#"1000"#)),
        (1, r#"neg"#, Some(r#"-0"#)),
        (1, r#"big"#, Some(r#"12345678901234567890"#)),
        (1, r#"html|@tostr"#, Some(r#""<a&b>""#)),
        (1, r#"ls|@tostr"#, Some(r#""\u2028x""#)),
        (1, r#"été"#, Some(r#"summer"#)),
        (1, r#"k\"q"#, Some(r#"1"#)),
        (1, r#"nested.deep.deeper.#.v"#, Some(r#"[1,2]"#)),
        (1, r#"nested.deep.deeper.#(v==2).w.1"#, Some(r#"4"#)),
        (
            1,
            r#"nested|@ugly"#,
            Some(r#"{"deep":{"deeper":[{"v":1},{"v":2,"w":[3,4]}]}}"#),
        ),
        (1, r#"nested.deep.deeper.#.w|@flatten"#, Some(r#"[3, 4]"#)),
        (3, r#"vals|@join"#, Some(r#"{"first":"Tom","age":41}"#)),
        (
            3,
            r#"vals|@join:{"preserve":true}"#,
            Some(r#"{"first":"Tom","age":37,"age":41}"#),
        ),
        (
            3,
            r#"group|@group"#,
            Some(r#"[{"id":1,"n":"a"},{"id":2,"n":"b"},{"id":3,"n":"c"}]"#),
        ),
        (3, r#"vals.#(~true)#"#, Some(r#"[]"#)),
        (3, r#"t"#, Some(r#"True"#)),
        (3, r#"z"#, Some(r#"0"#)),
        (3, r#"e"#, Some(r#""#)),
        (3, r#"arr"#, Some(r#"[]"#)),
        (3, r#"arr.#"#, Some(r#"0"#)),
        (3, r#"obj"#, Some(r#"{}"#)),
    ];
    for (doc, path, want) in table {
        let got = eso_property(docs[*doc].as_bytes(), path).expect("within budget");
        assert_eq!(
            got.as_deref(),
            want.map(str::as_bytes),
            "path {path:?} on document {doc}"
        );
    }
}

/// ESO reads a property with dots as one literal key first, whatever gjson would make of it.
#[test]
fn a_literal_dotted_key_wins_over_the_path() {
    let doc = br#"{"a.b":"literal","a":{"b":"nested"},"x":{"y.z":"deep-literal"}}"#;
    assert_eq!(eso_property_ok(doc, "a.b"), Some(b"literal".to_vec()));
    assert_eq!(eso_property_ok(doc, r"a\.b"), Some(b"literal".to_vec()));
    assert_eq!(
        eso_property_ok(doc, r"x.y\.z"),
        Some(b"deep-literal".to_vec())
    );
    assert_eq!(eso_property_ok(doc, "x.y.z"), None);
}

/// Values gjson finds in bytes that are not UTF-8 text (a binary secret) come out as stored.
#[test]
fn binary_payloads_are_read_as_bytes() {
    let doc = b"{\"k\":\"\xff\xfe\",\"n\":1}";
    assert_eq!(eso_property_ok(doc, "k"), Some(b"\xff\xfe".to_vec()));
    assert_eq!(eso_property_ok(doc, "n"), Some(b"1".to_vec()));
}

fn eso_property_ok(doc: &[u8], property: &str) -> Option<Vec<u8>> {
    eso_property(doc, property).expect("within budget")
}

/// Each `[@this,@this]` doubles its input: the evaluation stops at its budget, quickly.
#[test]
fn a_path_that_doubles_its_input_stops_at_the_budget() {
    let started = std::time::Instant::now();
    let path = "[@this,@this]|".repeat(60) + "@this";
    assert!(unsupported(&path).is_none());
    assert!(eso_property(br#"{"a":"0123456789"}"#, &path).is_err());
    let tostr = "@tostr|".repeat(100) + "@this";
    assert!(eso_property(br#"{"a":"\\"}"#, &tostr).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // The budget is per evaluation: the next one starts afresh.
    assert_eq!(eso_property_ok(br#"{"a":1}"#, "a"), Some(b"1".to_vec()));
}

#[test]
fn unsupported_constructs_are_named() {
    assert!(unsupported("friends.#.first").is_none());
    assert!(unsupported("name|@tostr").is_none());
    assert!(unsupported("name|@pretty").is_none());
    assert!(unsupported(&"a.".repeat(600)).is_some());
}

/// The longest property evaluated, built to recurse as deep as it can, fits in a small stack.
#[test]
fn the_longest_property_fits_a_small_stack() {
    let half = MAX_PROPERTY_LEN / 2;
    let paths = [
        "@this|".repeat(MAX_PROPERTY_LEN / 6),
        "#.".repeat(half),
        "a.".repeat(half),
        format!("!{}", "[".repeat(MAX_PROPERTY_LEN - 30)) + "|@flatten:{\"deep\":true}",
        "{".repeat(half),
        "#(".repeat(half),
    ];
    // As deep as a secret can nest (serde_json's limit of 128, checked before any lookup).
    let objects = format!("{}1{}", "{\"a\":".repeat(127), "}".repeat(127));
    let arrays = format!("{}1{}", "[".repeat(127), "]".repeat(127));
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            for p in &paths {
                assert!(unsupported(p).is_none(), "{} bytes", p.len());
                for doc in [&objects, &arrays] {
                    let _ = eso_property(doc.as_bytes(), p);
                }
            }
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
}
