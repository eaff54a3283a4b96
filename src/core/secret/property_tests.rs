use super::*;

fn property_bytes(text: &str, property: &str) -> Option<Vec<u8>> {
    super::property_bytes(text.as_bytes(), property).expect("within budget")
}

fn extract_members(text: &str) -> Option<Vec<(String, Vec<u8>)>> {
    super::extract_members(text.as_bytes())
}

#[test]
fn top_level_keys_including_dotted_names() {
    let v = r#"{ "password": "p", "a.b": "literal", "a": { "b": "nested" } }"#;
    assert_eq!(property_bytes(v, "password"), Some(b"p".to_vec()));
    assert_eq!(property_bytes(v, "a.b"), Some(b"literal".to_vec()));
}

#[test]
fn dotted_paths_and_array_indexes() {
    let v = r#"{ "db": { "primary": { "password": "p1" } }, "hosts": ["h0", "h1"] }"#;
    assert_eq!(
        property_bytes(v, "db.primary.password"),
        Some(b"p1".to_vec())
    );
    assert_eq!(property_bytes(v, "hosts.1"), Some(b"h1".to_vec()));
    assert_eq!(property_bytes(v, "db.replica.password"), None);
    assert_eq!(property_bytes(v, "hosts.9"), None);
    assert_eq!(property_bytes(v, "hosts.x"), None);
    assert_eq!(property_bytes(r#""plain""#, "x"), None);
    assert_eq!(property_bytes("not json", "x"), None);
}

/// ESO's bytes for every kind of JSON value, through `property` and through `extract`.
#[test]
fn every_kind_of_value_has_esos_bytes() {
    let doc = r#"{
  "s": "a \"quoted\"\nline",
  "null": null,
  "int": 5432,
  "neg": -7,
  "dec": 1.50,
  "exp": 1e3,
  "t": true,
  "f": false,
  "obj": {"auths": {"x": { "auth" : "c3R" }}},
  "arr": [ 1, "two" ,null ]
}"#;
    let cases: [(&str, &[u8], &[u8]); 10] = [
        // key, through property, through extract
        ("s", b"a \"quoted\"\nline", b"a \"quoted\"\nline"),
        ("null", b"", b""),
        ("int", b"5432", b"5432"),
        ("neg", b"-7", b"-7"),
        ("dec", b"1.5", b"1.50"),
        ("exp", b"1000", b"1e3"),
        ("t", b"true", b"true"),
        ("f", b"false", b"false"),
        (
            "obj",
            br#"{"auths": {"x": { "auth" : "c3R" }}}"#,
            br#"{"auths": {"x": { "auth" : "c3R" }}}"#,
        ),
        ("arr", br#"[ 1, "two" ,null ]"#, br#"[ 1, "two" ,null ]"#),
    ];
    let extracted: BTreeMap<String, Vec<u8>> = extract_members(doc)
        .expect("an object")
        .into_iter()
        .collect();
    assert_eq!(extracted.len(), cases.len());
    for (key, by_property, by_extract) in cases {
        assert_eq!(
            property_bytes(doc, key).as_deref(),
            Some(by_property),
            "property {key}"
        );
        assert_eq!(
            extracted.get(key).map(Vec::as_slice),
            Some(by_extract),
            "extract {key}"
        );
    }
    // A nested path ends on the raw member too.
    assert_eq!(
        property_bytes(doc, "obj.auths").as_deref(),
        Some(br#"{"x": { "auth" : "c3R" }}"#.as_slice())
    );
    assert_eq!(
        property_bytes(doc, "arr.2").as_deref(),
        Some(b"".as_slice())
    );
}

#[test]
fn extract_needs_an_object() {
    for text in ["[1]", "\"s\"", "5", "null", "nope", ""] {
        assert_eq!(extract_members(text), None, "{text}");
    }
    assert_eq!(extract_members("{}"), Some(Vec::new()));
}
