//! sprig's encoding, hashing, JSON, regular expression and path functions, ESO's `filterPEM`,
//! and `fail`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest;

use super::{Func, Value, arity, int_arg, s, string_arg, text};
use crate::core::gotemplate::value::from_json;

/// The encoding functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("b64enc", |a| {
        bytes_fn(a, |v| STANDARD.encode(v).into_bytes())
    }),
    ("b64dec", |a| bytes_fn(a, b64dec)),
    ("b32enc", |a| bytes_fn(a, |v| base32_encode(v).into_bytes())),
    ("b32dec", |a| {
        bytes_fn(a, |v| base32_decode(v).unwrap_or_else(|e| e.into_bytes()))
    }),
    ("hexdec", |a| bytes_fn(a, hexdec)),
    ("sha1sum", |a| {
        bytes_fn(a, |v| hex(&sha1::Sha1::digest(v)).into_bytes())
    }),
    ("sha256sum", |a| {
        bytes_fn(a, |v| hex(&sha2::Sha256::digest(v)).into_bytes())
    }),
    ("sha512sum", |a| {
        bytes_fn(a, |v| hex(&sha2::Sha512::digest(v)).into_bytes())
    }),
    ("adler32sum", |a| {
        bytes_fn(a, |v| adler32(v).to_string().into_bytes())
    }),
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
    ("regexMatch", |a| regex_match(a)),
    ("mustRegexMatch", |a| regex_match(a)),
    ("regexFind", |a| regex_find(a)),
    ("mustRegexFind", |a| regex_find(a)),
    ("regexFindAll", |a| regex_find_all(a)),
    ("mustRegexFindAll", |a| regex_find_all(a)),
    ("regexReplaceAll", |a| regex_replace(a, false)),
    ("mustRegexReplaceAll", |a| regex_replace(a, false)),
    ("regexReplaceAllLiteral", |a| regex_replace(a, true)),
    ("mustRegexReplaceAllLiteral", |a| regex_replace(a, true)),
    ("regexSplit", |a| regex_split(a)),
    ("mustRegexSplit", |a| regex_split(a)),
    ("regexQuoteMeta", |a| {
        bytes_fn(a, |v| regex::escape(&text(v)).into_bytes())
    }),
    ("base", |a| {
        bytes_fn(a, |v| path_base(&text(v)).into_bytes())
    }),
    ("osBase", |a| {
        bytes_fn(a, |v| path_base(&text(v)).into_bytes())
    }),
    ("dir", |a| bytes_fn(a, |v| path_dir(&text(v)).into_bytes())),
    ("osDir", |a| {
        bytes_fn(a, |v| path_dir(&text(v)).into_bytes())
    }),
    ("clean", |a| {
        bytes_fn(a, |v| path_clean(&text(v)).into_bytes())
    }),
    ("osClean", |a| {
        bytes_fn(a, |v| path_clean(&text(v)).into_bytes())
    }),
    ("ext", |a| bytes_fn(a, |v| path_ext(&text(v)).into_bytes())),
    ("osExt", |a| {
        bytes_fn(a, |v| path_ext(&text(v)).into_bytes())
    }),
    ("isAbs", |a| {
        arity(a, 1)?;
        Ok(Value::Bool(string_arg(&a[0])?.starts_with(b"/")))
    }),
    ("osIsAbs", |a| {
        arity(a, 1)?;
        Ok(Value::Bool(string_arg(&a[0])?.starts_with(b"/")))
    }),
    ("filterPEM", filter_pem),
    // The message is the template author's; it may quote values, so it is not repeated.
    ("fail", |_| Err("the template called fail".into())),
];

fn bytes_fn(args: &[Value], f: impl Fn(&[u8]) -> Vec<u8>) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(s(f(&string_arg(&args[0])?)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sprig's `b64dec`: on bad input, Go's error text instead of a value.
fn b64dec(v: &[u8]) -> Vec<u8> {
    match STANDARD.decode(v) {
        Ok(bytes) => bytes,
        Err(_) => {
            let at = v
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
                .unwrap_or(v.len() - v.len() % 4);
            format!("illegal base64 data at input byte {at}").into_bytes()
        }
    }
}

fn hexdec(v: &[u8]) -> Vec<u8> {
    if v.len() % 2 == 1 {
        return b"encoding/hex: odd length hex string".to_vec();
    }
    let mut out = Vec::with_capacity(v.len() / 2);
    for pair in v.chunks(2) {
        match u8::from_str_radix(&String::from_utf8_lossy(pair), 16) {
            Ok(b) => out.push(b),
            Err(_) => {
                let bad = if pair[0].is_ascii_hexdigit() {
                    pair[1]
                } else {
                    pair[0]
                };
                return format!(
                    "encoding/hex: invalid byte: U+{:04X} {:?}",
                    bad, bad as char
                )
                .into_bytes();
            }
        }
    }
    out
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(v: &[u8]) -> String {
    let mut out = String::new();
    for chunk in v.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(B32[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base32_decode(v: &[u8]) -> Result<Vec<u8>, String> {
    let bad = |i: usize| format!("illegal base32 data at input byte {i}");
    if !v.len().is_multiple_of(8) {
        return Err(bad(v.len() - v.len() % 8));
    }
    let mut out = Vec::new();
    for (c, chunk) in v.chunks(8).enumerate() {
        let pad = chunk.iter().rev().take_while(|b| **b == b'=').count();
        let mut n: u64 = 0;
        for (i, b) in chunk[..8 - pad].iter().enumerate() {
            let d = B32
                .iter()
                .position(|x| x == b)
                .ok_or_else(|| bad(c * 8 + i))?;
            n |= (d as u64) << (35 - i * 5);
        }
        let bytes = match pad {
            0 => 5,
            1 => 4,
            3 => 3,
            4 => 2,
            6 => 1,
            _ => return Err(bad(c * 8 + 8 - pad)),
        };
        out.extend_from_slice(&n.to_be_bytes()[3..3 + bytes]);
    }
    Ok(out)
}

fn adler32(v: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in v {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn parse_json(v: &[u8]) -> Result<Value, String> {
    let parsed: serde_json::Value = serde_json::from_slice(v)
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
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)),
        Value::Str(b) => json_string(out, &text(b), escape_html),
        Value::List(items) => {
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

fn compile(pattern: &[u8]) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(&text(pattern))
        .size_limit(1 << 20)
        .build()
        .map_err(|_| "invalid regular expression".to_string())
}

fn regex_match(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let re = compile(&string_arg(&args[0])?)?;
    Ok(Value::Bool(re.is_match(&text(&string_arg(&args[1])?))))
}

fn regex_find(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let re = compile(&string_arg(&args[0])?)?;
    let hay = string_arg(&args[1])?;
    let hay = text(&hay);
    Ok(s(re.find(&hay).map(|m| m.as_str()).unwrap_or("")))
}

fn regex_find_all(args: &[Value]) -> Result<Value, String> {
    arity(args, 3)?;
    let re = compile(&string_arg(&args[0])?)?;
    let hay = string_arg(&args[1])?;
    let n = int_arg(&args[2])?;
    let hay = text(&hay);
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    Ok(Value::list(
        re.find_iter(&hay)
            .take(limit)
            .map(|m| s(m.as_str()))
            .collect(),
    ))
}

fn regex_replace(args: &[Value], literal: bool) -> Result<Value, String> {
    arity(args, 3)?;
    let re = compile(&string_arg(&args[0])?)?;
    let (hay, repl) = (string_arg(&args[1])?, string_arg(&args[2])?);
    let (hay, repl) = (text(&hay), text(&repl));
    let out = if literal {
        re.replace_all(&hay, regex::NoExpand(&repl))
    } else {
        re.replace_all(&hay, repl.as_ref())
    };
    Ok(s(out.as_bytes()))
}

fn regex_split(args: &[Value]) -> Result<Value, String> {
    arity(args, 3)?;
    let re = compile(&string_arg(&args[0])?)?;
    let hay = string_arg(&args[1])?;
    let n = int_arg(&args[2])?;
    let hay = text(&hay);
    let parts: Vec<Value> = match usize::try_from(n) {
        Ok(0) => Vec::new(),
        Ok(n) => re.splitn(&hay, n).map(s).collect(),
        Err(_) => re.split(&hay).map(s).collect(),
    };
    Ok(Value::list(parts))
}

/// Go's `path.Clean`.
pub fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

fn path_ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return p[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

/// ESO's `filterPEM`: the blocks of one type, re-encoded as Go's `pem.Encode` writes them.
fn filter_pem(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let want = text(&string_arg(&args[0])?).into_owned();
    let input = string_arg(&args[1])?;
    let input = text(&input).into_owned();
    let mut rest = match input.find("-----BEGIN") {
        Some(i) => &input[i..],
        None => &input[..],
    };
    let mut out = String::new();
    while let Some((kind, body, after)) = next_pem_block(rest) {
        rest = after;
        if kind.eq_ignore_ascii_case(&want) {
            out.push_str(&format!("-----BEGIN {kind}-----\n"));
            let b64 = STANDARD.encode(&body);
            for line in b64.as_bytes().chunks(64) {
                out.push_str(&String::from_utf8_lossy(line));
                out.push('\n');
            }
            out.push_str(&format!("-----END {kind}-----\n"));
        }
    }
    if out.is_empty() && !rest.trim().is_empty() {
        return Err("error filtering pem: found junk".into());
    }
    Ok(s(out))
}

/// The next PEM block without headers: (type, decoded body, the text after it).
fn next_pem_block(input: &str) -> Option<(String, Vec<u8>, &str)> {
    let start = input.find("-----BEGIN ")?;
    let after_begin = &input[start + 11..];
    let type_end = after_begin.find("-----")?;
    let kind = after_begin[..type_end].to_string();
    let body_start = &after_begin[type_end + 5..];
    let end_marker = format!("-----END {kind}-----");
    let end = body_start.find(&end_marker)?;
    let b64: String = body_start[..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let body = STANDARD.decode(b64.as_bytes()).ok()?;
    let rest = &body_start[end + end_marker.len()..];
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .unwrap_or(rest);
    Some((kind, body, rest))
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

    #[test]
    fn paths_match_go() {
        assert_eq!(path_clean("a//b/../c/."), "a/c");
        assert_eq!(path_clean("/../x"), "/x");
        assert_eq!(path_clean(""), ".");
        assert_eq!(path_base("/a/b/"), "b");
        assert_eq!(path_dir("/a/b/c"), "/a/b");
        assert_eq!(path_dir("c"), ".");
        assert_eq!(path_ext("x/y.tar.gz"), ".gz");
    }

    #[test]
    fn base32_and_hashes() {
        assert_eq!(base32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(base32_encode(b"hi"), "NBUQ====");
        assert_eq!(base32_decode(b"NBUQ====").expect("decodes"), b"hi");
        assert_eq!(adler32(b"Wikipedia"), 300_286_872);
        assert_eq!(
            hex(&sha2::Sha256::digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
