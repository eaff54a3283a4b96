//! sprig's JSON functions, with Go's `encoding/json` output byte for byte (sorted keys, HTML
//! escaping for `toJson`, Go's float format).

use super::{Func, Value, arity, s, string_arg, text};
use crate::core::gotemplate::value::from_json;

/// The JSON functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("fromJson", |a| {
        arity(a, 1)?;
        Ok(parse_json(&string_arg(&a[0])?).unwrap_or(Value::Nil))
    }),
    ("mustFromJson", |a| {
        arity(a, 1)?;
        parse_json(&string_arg(&a[0])?)
    }),
    ("toJson", |a| json_fn(a, true, false)),
    ("mustToJson", |a| json_fn(a, true, false)),
    ("toPrettyJson", |a| json_fn(a, true, true)),
    ("mustToPrettyJson", |a| json_fn(a, true, true)),
    ("toRawJson", |a| json_fn(a, false, false)),
    ("mustToRawJson", |a| json_fn(a, false, false)),
];

/// Go's decoder turns a lone UTF-16 surrogate escape into U+FFFD; serde_json refuses it, so
/// such escapes are rewritten first.
fn fix_surrogates(v: &str) -> std::borrow::Cow<'_, str> {
    let b = v.as_bytes();
    let hex_at = |i: usize| -> Option<u32> {
        (b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u'))
            .then(|| {
                v.get(i + 2..i + 6)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
            })
            .flatten()
    };
    if !v.contains("\\u") {
        return v.into();
    }
    let mut out = String::with_capacity(v.len());
    let (mut i, mut in_string) = (0, false);
    while i < b.len() {
        let c = b[i];
        if in_string && c == b'\\' {
            if let Some(u) = hex_at(i) {
                if (0xd800..0xdc00).contains(&u)
                    && hex_at(i + 6).is_some_and(|l| (0xdc00..0xe000).contains(&l))
                {
                    out.push_str(&v[i..i + 12]);
                    i += 12;
                } else {
                    out.push_str(if (0xd800..0xe000).contains(&u) {
                        "\\ufffd"
                    } else {
                        &v[i..i + 6]
                    });
                    i += 6;
                }
                continue;
            }
            out.push_str(&v[i..(i + 2).min(b.len())]);
            i += 2;
            continue;
        }
        if c == b'"' {
            in_string = !in_string;
        }
        let len = v[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&v[i..i + len]);
        i += len;
    }
    out.into()
}

fn parse_json(v: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(v);
    let parsed: serde_json::Value = serde_json::from_str(&fix_surrogates(&text))
        .map_err(|e| format!("invalid JSON at line {} column {}", e.line(), e.column()))?;
    Ok(from_json(&parsed))
}

fn json_fn(args: &[Value], escape_html: bool, pretty: bool) -> Result<Value, String> {
    arity(args, 1)?;
    let mut out = String::new();
    write_json(&mut out, &args[0], escape_html, pretty.then_some(0));
    Ok(s(out))
}

/// Go's `json.Marshal` (or `MarshalIndent` with two spaces when `indent` is set).
pub fn write_json(out: &mut String, v: &Value, escape_html: bool, indent: Option<usize>) {
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint8(b) => out.push_str(&b.to_string()),
        Value::Uint64(u) => out.push_str(&u.to_string()),
        // `Version.MarshalJSON`: its string.
        Value::Version(v, _) => json_string(out, &v.string(), escape_html),
        Value::Float(f) => out.push_str(&json_float(*f)),
        Value::Str(b) => json_string(out, &text(b), escape_html),
        // `json.Marshal` writes a `[]byte` as base64.
        Value::List(..) if v.as_byte_slice().is_some() => {
            let b = v.as_byte_slice().unwrap_or_default();
            let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b);
            json_string(out, &encoded, escape_html);
        }
        Value::List(items, _) => {
            out.push('[');
            if !items.is_empty() {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if let Some(d) = indent {
                        newline(out, d + 1);
                    }
                    write_json(out, item, escape_html, indent.map(|d| d + 1));
                }
                if let Some(d) = indent {
                    newline(out, d);
                }
            }
            out.push(']');
        }
        Value::Map(m, _) => {
            out.push('{');
            let m = m.borrow();
            if !m.is_empty() {
                for (i, (k, item)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if let Some(d) = indent {
                        newline(out, d + 1);
                    }
                    json_string(out, k, escape_html);
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    write_json(out, item, escape_html, indent.map(|d| d + 1));
                }
                if let Some(d) = indent {
                    newline(out, d);
                }
            }
            out.push('}');
        }
    }
}

/// Go's JSON float: plain digits in [1e-6, 1e21), else an exponent like `1e+21` or `1e-7`.
fn json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let g = format!("{f:e}");
        let (m, e) = g.split_once('e').unwrap_or((&g, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        let width = if e < 0 { 1 } else { 2 };
        return format!("{m}e{sign}{:0width$}", e.abs());
    }
    // Rust's Display is the shortest round-trip digits without an exponent.
    let s = format!("{f}");
    if s == "-0" { "-0".into() } else { s }
}

/// Go's `json.Marshal` of a `map[string]string`: keys in byte order, compact, `<>&` HTML-escaped,
/// U+2028/U+2029 escaped (how ESO encodes a secret's tags).
pub fn marshal_string_map(map: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, k, true);
        out.push(':');
        json_string(&mut out, v, true);
    }
    out.push('}');
    out
}

fn json_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_go_encoding() {
        let v = from_json(&serde_json::json!({"b": [1, 2.5, null, true], "a": "<x&y>\u{2028}"}));
        let mut out = String::new();
        write_json(&mut out, &v, true, None);
        assert_eq!(
            out,
            r#"{"a":"\u003cx\u0026y\u003e\u2028","b":[1,2.5,null,true]}"#
        );
        let mut pretty = String::new();
        write_json(&mut pretty, &v, false, Some(0));
        assert_eq!(
            pretty,
            "{\n  \"a\": \"<x&y>\\u2028\",\n  \"b\": [\n    1,\n    2.5,\n    null,\n    true\n  ]\n}"
        );
        for (f, want) in [
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (123456789.0, "123456789"),
            (0.000001, "0.000001"),
        ] {
            assert_eq!(json_float(f), want);
        }
    }
}
