//! Reading a `property` out of a JSON SecretString: a top-level key, or a dotted path.

use serde_json::Value;

/// Looks up `property` in a JSON value: first as one literal top-level key (which may contain dots),
/// then as a dotted path through nested objects (array elements by numeric index).
pub fn lookup<'a>(root: &'a Value, property: &str) -> Option<&'a Value> {
    if let Some(v) = root.as_object().and_then(|o| o.get(property)) {
        return Some(v);
    }
    let mut current = root;
    for part in property.split('.') {
        current = match current {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The bytes a JSON value contributes to a Secret: strings as their text, anything else as JSON text.
pub fn value_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        other => other.to_string().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn top_level_keys_including_dotted_names() {
        let v = json!({ "password": "p", "a.b": "literal", "a": { "b": "nested" } });
        assert_eq!(lookup(&v, "password"), Some(&json!("p")));
        assert_eq!(lookup(&v, "a.b"), Some(&json!("literal")));
    }

    #[test]
    fn dotted_paths_and_array_indexes() {
        let v = json!({ "db": { "primary": { "password": "p1" } }, "hosts": ["h0", "h1"] });
        assert_eq!(lookup(&v, "db.primary.password"), Some(&json!("p1")));
        assert_eq!(lookup(&v, "hosts.1"), Some(&json!("h1")));
        assert_eq!(lookup(&v, "db.replica.password"), None);
        assert_eq!(lookup(&v, "hosts.9"), None);
        assert_eq!(lookup(&v, "hosts.x"), None);
        assert_eq!(lookup(&json!("plain"), "x"), None);
    }

    #[test]
    fn non_string_values_become_json_text() {
        assert_eq!(value_bytes(&json!("s")), b"s");
        assert_eq!(value_bytes(&json!(5432)), b"5432");
        assert_eq!(value_bytes(&json!(true)), b"true");
        assert_eq!(value_bytes(&json!({"a": 1})), br#"{"a":1}"#);
        assert_eq!(value_bytes(&json!(null)), b"null");
    }
}
