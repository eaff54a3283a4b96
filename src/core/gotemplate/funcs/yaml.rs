//! ESO's `toYaml` and `fromYaml` (sigs.k8s.io/yaml: JSON's types, go-yaml's output style).

use std::collections::BTreeMap;

use super::{Func, Value, arity, s, text, yaml_emit};
use crate::core::gotemplate::fmt::format_g as format_float_g;
use crate::core::gotemplate::value::ListKind;

/// The YAML functions.
pub const FUNCS: &[(&str, Func)] = &[("toYaml", to_yaml), ("fromYaml", from_yaml)];

fn to_yaml(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    // sigs.k8s.io/yaml goes through JSON and go-yaml's reader, which fails (so toYaml gives
    // "") on non-finite numbers and on characters YAML does not allow unescaped.
    if !yaml_safe(&args[0]) {
        return Ok(s(""));
    }
    let mut out = String::new();
    emit(&mut out, &args[0], 0);
    Ok(s(out.trim_end_matches('\n')))
}

fn from_yaml(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    let input = super::strval(&args[0]);
    Ok(super::yaml_load::from_yaml(&text(&input)))
}

/// Whether go-yaml can read back the JSON of `v`: finite numbers, and strings without the
/// characters its reader refuses (JSON leaves DEL, C1 controls and the BOM unescaped).
fn yaml_safe(v: &Value) -> bool {
    let text_ok = |t: &str| {
        !t.chars().any(|c| {
            matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
        })
    };
    match v {
        Value::Float(f) => f.is_finite(),
        Value::Str(b) => text_ok(&text(b)),
        Value::List(l, _) => l.iter().all(yaml_safe),
        Value::Map(m, _) => m.borrow().iter().all(|(k, v)| text_ok(k) && yaml_safe(v)),
        _ => true,
    }
}

/// A map's entries in go-yaml's key order.
fn sorted(m: &BTreeMap<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.sort_by(|(a, _), (b, _)| {
        if yaml_emit::natural_less(a, b) {
            std::cmp::Ordering::Less
        } else if yaml_emit::natural_less(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    entries
}

/// Writes `v` in go-yaml's block style at `indent` spaces.
fn emit(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Map(m, _) if !m.borrow().is_empty() => {
            let pad = " ".repeat(indent);
            let m = m.borrow();
            for (k, item) in sorted(&m) {
                out.push_str(&pad);
                let key = yaml_emit::scalar(k, indent, indent + 2, true);
                let column = indent + key.chars().count() + 1;
                out.push_str(&key);
                out.push(':');
                nested(out, item, indent, column, false);
            }
        }
        Value::List(items, kind) if !items.is_empty() && *kind != ListKind::Bytes => {
            let pad = " ".repeat(indent);
            for item in items.iter() {
                out.push_str(&pad);
                out.push('-');
                nested(out, item, indent, indent + 1, true);
            }
        }
        other => {
            out.push_str(&" ".repeat(indent));
            out.push_str(&scalar(other, indent, indent + 2));
            out.push('\n');
        }
    }
}

/// A value after `key:` or `-` (ending at `column`): collections on the next lines, scalars on
/// the same line.
fn nested(out: &mut String, item: &Value, indent: usize, column: usize, in_list: bool) {
    match item {
        Value::Map(m, _) if !m.borrow().is_empty() => {
            if in_list {
                // go-yaml writes the first entry on the dash's line.
                let mut inner = String::new();
                emit(&mut inner, item, indent + 2);
                out.push(' ');
                out.push_str(inner.trim_start_matches(' '));
            } else {
                out.push('\n');
                emit(out, item, indent + 2);
            }
        }
        Value::List(l, kind) if !l.is_empty() && *kind != ListKind::Bytes => {
            if in_list {
                // go-yaml writes a list in a list on the dash's line: `- - 1`.
                let mut inner = String::new();
                emit(&mut inner, item, indent + 2);
                out.push(' ');
                out.push_str(inner.trim_start_matches(' '));
            } else {
                // Lists under a key are not indented further.
                out.push('\n');
                emit(out, item, indent);
            }
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, column + 1, indent + 2));
            out.push('\n');
        }
    }
}

/// A scalar as go-yaml writes the value JSON gave it.
fn scalar(v: &Value, column: usize, indent: usize) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint8(b) => b.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Version(v, _) => yaml_emit::scalar(&v.string(), column, indent, false),
        Value::Float(f) => {
            // go-yaml reads JSON's number text: an int64 or uint64 prints as such.
            let mut json = String::new();
            super::json::write_json(&mut json, &Value::Float(*f), false, None);
            if let Ok(i) = json.parse::<i64>() {
                i.to_string()
            } else if json.parse::<u64>().is_ok() {
                json
            } else {
                format_float_g(*f)
            }
        }
        Value::Str(b) => yaml_emit::scalar(&text(b), column, indent, false),
        Value::Map(..) => "{}".into(),
        // JSON gives a `[]byte` as base64.
        Value::List(..) if v.as_byte_slice().is_some() => yaml_emit::scalar(
            &base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                v.as_byte_slice().unwrap_or_default(),
            ),
            column,
            indent,
            false,
        ),
        Value::List(..) => "[]".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::gotemplate::value::from_json;

    fn yaml(v: serde_json::Value) -> String {
        let out = to_yaml(&[from_json(&v)]).expect("renders");
        String::from_utf8(out.as_bytes().unwrap_or_default().to_vec()).expect("utf8")
    }

    #[test]
    fn to_yaml_matches_go_yaml_style() {
        assert_eq!(
            yaml(serde_json::json!({"b": [1, "two"], "a": {"x": "true", "y": 2.5}, "c": "a: b"})),
            "a:\n  x: \"true\"\n  \"y\": 2.5\nb:\n- 1\n- two\nc: 'a: b'"
        );
        assert_eq!(
            yaml(serde_json::json!({"k": "l1\nl2"})),
            "k: |-\n  l1\n  l2"
        );
        assert_eq!(yaml(serde_json::json!({"k": ""})), "k: \"\"");
        assert_eq!(
            yaml(serde_json::json!([{"a": 1, "b": 2}])),
            "- a: 1\n  b: 2"
        );
    }

    #[test]
    fn from_yaml_gives_json_types() {
        let v = from_yaml(&[s("a: 1\nb: [x, true]\n")]).expect("parses");
        assert_eq!(
            crate::core::gotemplate::fmt::printed(&v),
            b"map[a:1 b:[x true]]"
        );
        let bad = from_yaml(&[s("a: [")]).expect("returns a map");
        assert!(bad.entries().contains_key("Error"));
    }
}
