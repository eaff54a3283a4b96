//! ESO's `toYaml` and `fromYaml` (sigs.k8s.io/yaml: JSON's types, go-yaml's output style).

use super::{Func, Value, arity, s, text};
use crate::core::gotemplate::fmt::format_g as format_float_g;

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

/// Writes `v` in go-yaml's block style at `indent` spaces.
fn emit(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Map(m, _) if !m.borrow().is_empty() => {
            let pad = " ".repeat(indent);
            for (k, item) in m.borrow().iter() {
                out.push_str(&pad);
                out.push_str(&scalar_string(k, indent));
                out.push(':');
                nested(out, item, indent, false);
            }
        }
        Value::List(items, _) if !items.is_empty() => {
            let pad = " ".repeat(indent);
            for item in items.iter() {
                out.push_str(&pad);
                out.push('-');
                nested(out, item, indent, true);
            }
        }
        other => {
            out.push_str(&" ".repeat(indent));
            out.push_str(&scalar(other, indent));
            out.push('\n');
        }
    }
}

/// A value after `key:` or `-`: collections on the next lines, scalars on the same line.
fn nested(out: &mut String, item: &Value, indent: usize, in_list: bool) {
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
        Value::List(l, _) if !l.is_empty() => {
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
            out.push_str(&scalar(other, indent));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint8(b) => b.to_string(),
        Value::Float(f) => {
            let mut json = String::new();
            super::json::write_json(&mut json, &Value::Float(*f), false, None);
            match json.parse::<i64>() {
                Ok(i) => i.to_string(),
                Err(_) => format_float_g(*f),
            }
        }
        Value::Str(b) => scalar_string(&text(b), indent),
        Value::Map(..) => "{}".into(),
        Value::List(..) => "[]".into(),
    }
}

/// Whether a plain scalar would read back as something other than this string.
fn resolves_to_other_type(s: &str) -> bool {
    const WORDS: [&str; 22] = [
        "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    WORDS.contains(&s)
        || matches!(
            s,
            "y" | "Y" | "n" | "N" | ".inf" | ".Inf" | ".INF" | "-.inf" | ".nan" | ".NaN"
        )
        || s.parse::<f64>().is_ok()
        || s.strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn plain_allowed(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let second_blank = s.chars().nth(1).is_none_or(|c| c == ' ');
    !(s.starts_with(' ')
        || s.ends_with(' ')
        || "#,[]{}&*!|>'\"%@`".contains(first)
        || ("-?:".contains(first) && second_blank)
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control()))
}

fn scalar_string(s: &str, indent: usize) -> String {
    if s.contains('\n') && !s.chars().any(|c| c.is_control() && c != '\n') && !s.starts_with(' ') {
        let chomp = if !s.ends_with('\n') {
            "-"
        } else if s.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        let pad = " ".repeat(indent + 2);
        let body: Vec<String> = s
            .trim_end_matches('\n')
            .split('\n')
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{pad}{l}")
                }
            })
            .collect();
        let trailing = if chomp == "+" {
            "\n".repeat(s.len() - s.trim_end_matches('\n').len() - 1)
        } else {
            String::new()
        };
        return format!("|{chomp}\n{}{trailing}", body.join("\n"));
    }
    if s.is_empty() || resolves_to_other_type(s) {
        return format!("\"{s}\"");
    }
    if plain_allowed(s) {
        return s.to_string();
    }
    if !s.chars().any(|c| c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    crate::core::gotemplate::fmt::quote(s)
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
        assert_eq!(v.printed(), b"map[a:1 b:[x true]]");
        let bad = from_yaml(&[s("a: [")]).expect("returns a map");
        assert!(bad.entries().contains_key("Error"));
    }
}
