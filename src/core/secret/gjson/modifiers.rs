//! gjson's `@` modifiers and `!` literals. Every modifier of gjson v1.18.0 is known by name (so
//! paths split the same way) and applied.

use super::scan::{for_each, parse, parse_squash, squash, unwrap_container};
use super::valid::valid;
use super::{Value, get};

/// gjson v1.18.0's modifier names.
const MODIFIERS: [&[u8]; 13] = [
    b"pretty", b"ugly", b"reverse", b"this", b"flatten", b"join", b"valid", b"keys", b"values",
    b"tostr", b"fromstr", b"group", b"dig",
];

/// Whether `name` is one of gjson's modifiers.
pub(super) fn is_modifier(name: &[u8]) -> bool {
    MODIFIERS.contains(&name)
}

/// A `!literal` at the start of `path`: (the path after it, the literal's JSON).
pub(super) fn exec_static(path: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let name = &path[1..];
    if let Some(&c) = name.first()
        && matches!(c, b'{' | b'[' | b'"' | b'+' | b'-' | b'0'..=b'9')
    {
        let (_, res) = parse_squash(name, 0);
        return Some((name[res.len()..].to_vec(), res.to_vec()));
    }
    let (out, name) = match path[1..].iter().position(|&c| c == b'|' || c == b'.') {
        Some(p) => (path[p + 1..].to_vec(), &path[1..p + 1]),
        None => (Vec::new(), &path[1..]),
    };
    match name.to_ascii_lowercase().as_slice() {
        b"true" | b"false" | b"null" | b"nan" | b"inf" => Some((out, name.to_vec())),
        _ => None,
    }
}

/// An `@modifier[:arg]` at the start of `path` applied to `json`: (the path after it, the result).
pub(super) fn exec_modifier(json: &[u8], path: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut name = &path[1..];
    let mut out: &[u8] = &[];
    let mut has_args = false;
    for i in 1..path.len() {
        match path[i] {
            b':' => {
                out = &path[i + 1..];
                name = &path[1..i];
                has_args = !out.is_empty();
                break;
            }
            b'|' | b'.' => {
                out = &path[i..];
                name = &path[1..i];
                break;
            }
            _ => {}
        }
    }
    if !is_modifier(name) {
        return None;
    }
    let mut args: &[u8] = &[];
    if has_args {
        let mut parsed = false;
        if matches!(out[0], b'{' | b'[' | b'"') && parse(out).exists() {
            args = squash(out);
            out = &out[args.len()..];
            parsed = true;
        }
        if !parsed {
            let mut i = 0;
            while i < out.len() {
                if out[i] == b'|' {
                    break;
                }
                if matches!(out[i], b'{' | b'[' | b'"' | b'(') {
                    i += squash(&out[i..]).len() - 1;
                }
                i += 1;
            }
            args = &out[..i];
            out = &out[i..];
        }
    }
    let result = match name {
        b"this" => json.to_vec(),
        b"pretty" => super::pretty::pretty(json, args),
        b"ugly" => ugly(json),
        b"reverse" => reverse(json),
        b"flatten" => flatten(json, args),
        b"join" => join(json, args),
        b"valid" => {
            if valid(json) {
                json.to_vec()
            } else {
                Vec::new()
            }
        }
        b"keys" => keys(json),
        b"values" => values(json),
        b"tostr" => append_json_string(Vec::new(), json),
        b"fromstr" => {
            if valid(json) {
                parse(json).string()
            } else {
                Vec::new()
            }
        }
        b"group" => group(json),
        _ => dig(json, args),
    };
    Some((out.to_vec(), result))
}

/// The boolean field `field` of the JSON object `arg` (gjson reads option objects this way).
fn option(arg: &[u8], field: &[u8]) -> bool {
    let mut on = false;
    for (k, v) in for_each(&parse(arg)) {
        if k.is_some_and(|k| k.string() == field) {
            on = v.truthy();
        }
    }
    on
}

/// `json` without whitespace outside strings (tidwall/pretty's `Ugly`).
fn ugly(src: &[u8]) -> Vec<u8> {
    let mut dst = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        if src[i] > b' ' {
            dst.push(src[i]);
            if src[i] == b'"' {
                i += 1;
                while i < src.len() {
                    dst.push(src[i]);
                    if src[i] == b'"' {
                        let mut j = i - 1;
                        while src[j] == b'\\' {
                            j -= 1;
                        }
                        if (i - j) % 2 != 0 {
                            break;
                        }
                    }
                    i += 1;
                }
            }
        }
        i += 1;
    }
    dst
}

fn reverse(json: &[u8]) -> Vec<u8> {
    let res = parse(json);
    if !res.is_array() && !res.is_object() {
        return json.to_vec();
    }
    let items = for_each(&res);
    let (open, close) = if res.is_array() {
        (b'[', b']')
    } else {
        (b'{', b'}')
    };
    let mut out = vec![open];
    for (n, (k, v)) in items.iter().rev().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        if let (b'{', Some(k)) = (open, k) {
            out.extend_from_slice(&k.raw);
            out.push(b':');
        }
        out.extend_from_slice(&v.raw);
    }
    out.push(close);
    out
}

fn flatten(json: &[u8], arg: &[u8]) -> Vec<u8> {
    let res = parse(json);
    if !res.is_array() {
        return json.to_vec();
    }
    let deep = !arg.is_empty() && option(arg, b"deep");
    let mut out = vec![b'['];
    let mut idx = 0;
    for (_, v) in for_each(&res) {
        let raw = if v.is_array() {
            if deep {
                unwrap_container(&flatten(&v.raw, arg)).to_vec()
            } else {
                unwrap_container(&v.raw).to_vec()
            }
        } else {
            v.raw.clone()
        };
        let raw = trim_space(&raw);
        if !raw.is_empty() {
            if idx > 0 {
                out.push(b',');
            }
            out.extend_from_slice(raw);
            idx += 1;
        }
    }
    out.push(b']');
    out
}

/// Go's `strings.TrimSpace` for the ASCII whitespace JSON can hold.
fn trim_space(s: &[u8]) -> &[u8] {
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = s.iter().position(|c| !is_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|c| !is_space(c))
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

fn keys(json: &[u8]) -> Vec<u8> {
    let v = parse(json);
    if !v.exists() {
        return b"[]".to_vec();
    }
    let obj = v.is_object();
    let mut out = vec![b'['];
    for (n, (k, _)) in for_each(&v).into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        match (obj, k) {
            (true, Some(k)) => out.extend_from_slice(&k.raw),
            _ => out.extend_from_slice(b"null"),
        }
    }
    out.push(b']');
    out
}

fn values(json: &[u8]) -> Vec<u8> {
    let v = parse(json);
    if !v.exists() {
        return b"[]".to_vec();
    }
    if v.is_array() {
        return json.to_vec();
    }
    let mut out = vec![b'['];
    for (n, (_, value)) in for_each(&v).into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&value.raw);
    }
    out.push(b']');
    out
}

fn join(json: &[u8], arg: &[u8]) -> Vec<u8> {
    let res = parse(json);
    if !res.is_array() {
        return json.to_vec();
    }
    let preserve = !arg.is_empty() && option(arg, b"preserve");
    let mut out = vec![b'{'];
    if preserve {
        let mut idx = 0;
        for (_, v) in for_each(&res) {
            if !v.is_object() {
                continue;
            }
            if idx > 0 {
                out.push(b',');
            }
            out.extend_from_slice(unwrap_container(&v.raw));
            idx += 1;
        }
    } else {
        let mut order: Vec<Value> = Vec::new();
        let mut latest: std::collections::HashMap<Vec<u8>, Value> = Default::default();
        for (_, v) in for_each(&res) {
            if !v.is_object() {
                continue;
            }
            for (k, value) in for_each(&v) {
                let Some(k) = k else { continue };
                let name = k.string();
                if !latest.contains_key(&name) {
                    order.push(k);
                }
                latest.insert(name, value);
            }
        }
        for (n, k) in order.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&k.raw);
            out.push(b':');
            if let Some(v) = latest.get(&k.string()) {
                out.extend_from_slice(&v.raw);
            }
        }
    }
    out.push(b'}');
    out
}

fn group(json: &[u8]) -> Vec<u8> {
    let res = parse(json);
    if !res.is_object() {
        return Vec::new();
    }
    let mut all: Vec<Vec<u8>> = Vec::new();
    for (k, v) in for_each(&res) {
        let Some(k) = k else { continue };
        if !v.is_array() {
            continue;
        }
        for (idx, (_, item)) in for_each(&v).into_iter().enumerate() {
            if idx == all.len() {
                all.push(Vec::new());
            }
            all[idx].push(b',');
            all[idx].extend_from_slice(&k.raw);
            all[idx].push(b':');
            all[idx].extend_from_slice(&item.raw);
        }
    }
    let mut out = vec![b'['];
    for (n, item) in all.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.push(b'{');
        out.extend_from_slice(&item[1..]);
        out.push(b'}');
    }
    out.push(b']');
    out
}

/// Every value `path` finds at any depth, parents first (gjson's `@dig`).
fn dig(json: &[u8], path: &[u8]) -> Vec<u8> {
    fn descend(all: &mut Vec<Value>, parent: &Value, path: &[u8], depth: usize) {
        let res = get(&parent.raw, path);
        if res.exists() {
            all.push(res);
        }
        if depth < 128 && (parent.is_array() || parent.is_object()) {
            for (_, v) in for_each(parent) {
                descend(all, &v, path, depth + 1);
            }
        }
    }
    let mut all = Vec::new();
    descend(&mut all, &parse(json), path, 0);
    let mut out = vec![b'['];
    for (n, v) in all.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&v.raw);
    }
    out.push(b']');
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `s` as a JSON string appended to `dst` (gjson's `AppendJSONString`, HTML characters escaped).
pub(super) fn append_json_string(mut dst: Vec<u8>, s: &[u8]) -> Vec<u8> {
    dst.push(b'"');
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            0x08 => dst.extend_from_slice(b"\\b"),
            0x0c => dst.extend_from_slice(b"\\f"),
            b'\n' => dst.extend_from_slice(b"\\n"),
            b'\r' => dst.extend_from_slice(b"\\r"),
            b'\t' => dst.extend_from_slice(b"\\t"),
            c if c < b' ' || matches!(c, b'<' | b'>' | b'&') => {
                dst.extend_from_slice(b"\\u00");
                dst.push(HEX[usize::from(c >> 4)]);
                dst.push(HEX[usize::from(c & 0xf)]);
            }
            b'\\' => dst.extend_from_slice(b"\\\\"),
            b'"' => dst.extend_from_slice(b"\\\""),
            c if c > 127 => {
                let end = (i + 4).min(s.len());
                let ch = (i + 2..=end)
                    .find_map(|e| std::str::from_utf8(&s[i..e]).ok())
                    .and_then(|t| t.chars().next());
                match ch {
                    None => {
                        dst.extend_from_slice(b"\\ufffd");
                        i += 1;
                        continue;
                    }
                    Some('\u{2028}') => dst.extend_from_slice(b"\\u2028"),
                    Some('\u{2029}') => dst.extend_from_slice(b"\\u2029"),
                    Some(ch) => dst.extend_from_slice(&s[i..i + ch.len_utf8()]),
                }
                i += ch.map_or(1, char::len_utf8);
                continue;
            }
            c => dst.push(c),
        }
        i += 1;
    }
    dst.push(b'"');
    dst
}
