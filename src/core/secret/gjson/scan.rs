//! Lenient scanning of JSON text, token by token, exactly as gjson v1.18.0 scans it (no
//! validation: a malformed document gives what gjson gives, never a panic).

use super::{Kind, Value};

/// A string token whose opening quote is at `i - 1`: (index after it, its raw text with quotes,
/// whether it holds escapes, whether it is closed).
pub(super) fn parse_string(json: &[u8], mut i: usize) -> (usize, &[u8], bool, bool) {
    let s = i;
    while i < json.len() {
        if json[i] > b'\\' {
            i += 1;
            continue;
        }
        if json[i] == b'"' {
            return (i + 1, &json[s - 1..i + 1], false, true);
        }
        if json[i] == b'\\' {
            i += 1;
            while i < json.len() {
                if json[i] == b'"' && !continues_after_quote(json, i, 0) {
                    return (i + 1, &json[s - 1..i + 1], true, true);
                }
                i += 1;
            }
            break;
        }
        i += 1;
    }
    (i, &json[s - 1..], false, false)
}

/// gjson's test at a quote inside an escaped string: the quote does not close the string when it
/// follows a backslash that is itself preceded by an even number of backslashes (down to `floor`).
pub(super) fn continues_after_quote(json: &[u8], i: usize, floor: isize) -> bool {
    if i == 0 || json[i - 1] != b'\\' {
        return false;
    }
    let mut n = 0;
    let mut j = i as isize - 2;
    while j > floor {
        if json[j as usize] != b'\\' {
            break;
        }
        n += 1;
        j -= 1;
    }
    n % 2 == 0
}

/// A number token starting at `i`: (index after it, its text).
pub(super) fn parse_number(json: &[u8], mut i: usize) -> (usize, &[u8]) {
    let s = i;
    i += 1;
    while i < json.len() {
        if json[i] <= b' ' || matches!(json[i], b',' | b']' | b'}') {
            return (i, &json[s..i]);
        }
        i += 1;
    }
    (i, &json[s..])
}

/// A literal (`true`, `false`, `null`) starting at `i`: (index after it, its text).
pub(super) fn parse_literal(json: &[u8], mut i: usize) -> (usize, &[u8]) {
    let s = i;
    i += 1;
    while i < json.len() {
        if !json[i].is_ascii_lowercase() {
            return (i, &json[s..i]);
        }
        i += 1;
    }
    (i, &json[s..])
}

/// gjson's token classes for skipping a value: 2 a quote, 3 an opener, 1 a closer.
fn vchar(c: u8) -> i32 {
    match c {
        b'"' => 2,
        b'{' | b'(' | b'[' => 3,
        b'}' | b')' | b']' => 1,
        _ => 0,
    }
}

/// The whole object or array (or parenthesised group) opening at `i`, nested values skipped:
/// (index after it, its raw text). Unclosed: everything to the end (index one past the end when
/// it ends inside a string, as gjson's).
pub(super) fn parse_squash(json: &[u8], mut i: usize) -> (usize, &[u8]) {
    let s = i;
    i += 1;
    let mut depth: i32 = 1;
    while i < json.len() {
        let c = vchar(json[i]);
        if c == 0 {
            i += 1;
            continue;
        }
        if c == 2 {
            i += 1;
            let s2 = i as isize;
            loop {
                while i < json.len() && json[i] != b'"' {
                    i += 1;
                }
                if i < json.len() && continues_after_quote(json, i, s2 - 1) {
                    i += 1;
                    continue;
                }
                break;
            }
        } else {
            depth += c - 2;
            if depth == 0 {
                i += 1;
                return (i, &json[s..i]);
            }
        }
        i += 1;
    }
    (i, &json[s..])
}

/// The leading string, object, array or group of `json` (gjson's `squash`), or all of it.
pub(super) fn squash(json: &[u8]) -> &[u8] {
    let (mut i, mut depth) = if json.first() != Some(&b'"') {
        (1usize, 1i32)
    } else {
        (0, 0)
    };
    while i < json.len() {
        match json[i] {
            b'"' => {
                i += 1;
                let s2 = i as isize;
                while i < json.len() {
                    if json[i] == b'"' && !continues_after_quote(json, i, s2 - 1) {
                        break;
                    }
                    i += 1;
                }
                if depth == 0 {
                    if i >= json.len() {
                        return json;
                    }
                    return &json[..i + 1];
                }
            }
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => {
                depth -= 1;
                if depth == 0 {
                    return &json[..i + 1];
                }
            }
            _ => {}
        }
        i += 1;
    }
    json
}

/// The rune of four hex digits (0 when they are not hex, as gjson).
fn runeit(hex: &[u8]) -> u32 {
    std::str::from_utf8(&hex[..4])
        .ok()
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}

/// Appends `r` as UTF-8 (U+FFFD for a surrogate or an invalid code point, as Go).
fn push_rune(out: &mut Vec<u8>, r: u32) {
    let c = char::from_u32(r).unwrap_or('\u{FFFD}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// A JSON string's contents (without quotes) unescaped; stops at a control character or a bad
/// escape, as gjson.
pub(super) fn unescape(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let mut i = 0;
    while i < json.len() {
        let c = json[i];
        if c < b' ' {
            return out;
        }
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if i >= json.len() {
            return out;
        }
        match json[i] {
            b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'"' => out.push(b'"'),
            b'u' => {
                if i + 5 > json.len() {
                    return out;
                }
                let mut r = runeit(&json[i + 1..]);
                i += 5;
                if (0xD800..0xE000).contains(&r)
                    && json.len() - i >= 6
                    && json[i] == b'\\'
                    && json[i + 1] == b'u'
                {
                    let r2 = runeit(&json[i + 2..]);
                    r = if (0xD800..0xDC00).contains(&r) && (0xDC00..0xE000).contains(&r2) {
                        0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00)
                    } else {
                        0xFFFD
                    };
                    i += 6;
                }
                push_rune(&mut out, r);
                continue;
            }
            _ => return out,
        }
        i += 1;
    }
    out
}

/// Go's `strconv.ParseFloat(s, 64)` with the error ignored (0 on failure, ±Inf out of range).
pub(super) fn parse_float(s: &[u8]) -> f64 {
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// The leading number of `json` (gjson's `tonum`).
fn tonum(json: &[u8]) -> (&[u8], f64) {
    for i in 1..json.len() {
        let c = json[i];
        if (c <= b'-' && (c <= b' ' || c == b',')) || c == b']' || c == b'}' {
            return (&json[..i], parse_float(&json[..i]));
        }
    }
    (json, parse_float(json))
}

/// The leading lowercase literal of `json` (gjson's `tolit`).
fn tolit(json: &[u8]) -> &[u8] {
    for i in 1..json.len() {
        if !json[i].is_ascii_lowercase() {
            return &json[..i];
        }
    }
    json
}

/// The leading string of `json` (starting with a quote): its raw text and its unescaped value.
fn tostr(json: &[u8]) -> (&[u8], Vec<u8>) {
    let mut i = 1;
    while i < json.len() {
        if json[i] > b'\\' {
            i += 1;
            continue;
        }
        if json[i] == b'"' {
            return (&json[..i + 1], json[1..i].to_vec());
        }
        if json[i] == b'\\' {
            i += 1;
            while i < json.len() {
                if json[i] == b'"' && !continues_after_quote(json, i, 0) {
                    return (&json[..i + 1], unescape(&json[1..i]));
                }
                i += 1;
            }
            let raw = if i + 1 < json.len() {
                &json[..i + 1]
            } else {
                &json[..i]
            };
            return (raw, unescape(&json[1..i]));
        }
        i += 1;
    }
    (json, json[1..].to_vec())
}

/// The first value of `json` (gjson's `Parse`): an object or array takes the rest of the text.
pub(super) fn parse(json: &[u8]) -> Value {
    let mut v = Value::default();
    for (i, &c) in json.iter().enumerate() {
        if c == b'{' || c == b'[' {
            v.kind = Kind::Json;
            v.raw = json[i..].to_vec();
            return v;
        }
        if c <= b' ' {
            continue;
        }
        let rest = &json[i..];
        match c {
            b'+' | b'-' | b'0'..=b'9' | b'i' | b'I' | b'N' => number(&mut v, rest),
            b'n' if rest.len() > 1 && rest[1] != b'u' => number(&mut v, rest),
            b'n' => {
                v.kind = Kind::Null;
                v.raw = tolit(rest).to_vec();
            }
            b't' => {
                v.kind = Kind::True;
                v.raw = tolit(rest).to_vec();
            }
            b'f' => {
                v.kind = Kind::False;
                v.raw = tolit(rest).to_vec();
            }
            b'"' => {
                let (raw, s) = tostr(rest);
                v.kind = Kind::String;
                v.raw = raw.to_vec();
                v.str = s;
            }
            _ => return Value::default(),
        }
        return v;
    }
    v
}

fn number(v: &mut Value, rest: &[u8]) {
    let (raw, num) = tonum(rest);
    v.kind = Kind::Number;
    v.raw = raw.to_vec();
    v.num = num;
}

/// The string token `raw` (with quotes) as a value.
pub(super) fn string_value(raw: &[u8], escaped: bool) -> Value {
    let inner = &raw[1..raw.len() - 1];
    Value {
        kind: Kind::String,
        raw: raw.to_vec(),
        str: if escaped {
            unescape(inner)
        } else {
            inner.to_vec()
        },
        num: 0.0,
    }
}

/// The next value at or after `i` (gjson's `parseAny` with `hit`): (index after it, it, found).
pub(super) fn parse_any(json: &[u8], mut i: usize) -> (usize, Value, bool) {
    while i < json.len() {
        let c = json[i];
        if c == b'{' || c == b'[' {
            let (next, raw) = parse_squash(json, i);
            return (next, Value::json(raw), true);
        }
        if c <= b' ' {
            i += 1;
            continue;
        }
        let number_at = |i: usize| {
            let (next, raw) = parse_number(json, i);
            (next, Value::number(raw), true)
        };
        match c {
            b'"' => {
                let (next, raw, esc, ok) = parse_string(json, i + 1);
                if !ok {
                    return (next, Value::default(), false);
                }
                return (next, string_value(raw, esc), true);
            }
            b'n' if i + 1 < json.len() && json[i + 1] != b'u' => return number_at(i),
            b'n' | b't' | b'f' => {
                let (next, raw) = parse_literal(json, i);
                return (next, Value::literal(c, raw), true);
            }
            b'+' | b'-' | b'0'..=b'9' | b'i' | b'I' | b'N' => return number_at(i),
            _ => {}
        }
        i += 1;
    }
    (i, Value::default(), false)
}

/// Each member (key, value) of an object or element (None, value) of an array, in order; a
/// scalar is its own single element (gjson's `ForEach`).
pub(super) fn for_each(t: &Value) -> Vec<(Option<Value>, Value)> {
    let mut out = Vec::new();
    if !t.exists() {
        return out;
    }
    if t.kind != Kind::Json {
        out.push((None, t.clone()));
        return out;
    }
    let json = &t.raw[..];
    let mut i = 0;
    let mut obj = false;
    loop {
        if i >= json.len() {
            return out;
        }
        if json[i] == b'{' {
            obj = true;
            i += 1;
            break;
        }
        if json[i] == b'[' {
            i += 1;
            break;
        }
        if json[i] > b' ' {
            return out;
        }
        i += 1;
    }
    while i < json.len() {
        let mut key = None;
        if obj {
            if json[i] != b'"' {
                i += 1;
                continue;
            }
            let (next, raw, esc, ok) = parse_string(json, i + 1);
            if !ok {
                return out;
            }
            key = Some(string_value(raw, esc));
            i = next;
        }
        while i < json.len() && (json[i] <= b' ' || json[i] == b',' || json[i] == b':') {
            i += 1;
        }
        let (next, value, ok) = parse_any(json, i);
        if !ok {
            return out;
        }
        out.push((key, value));
        i = next;
        // gjson's loop steps past the character after each value.
        i += 1;
    }
    out
}

/// `json` without the brackets or braces around it (gjson's `unwrap`).
pub(super) fn unwrap_container(json: &[u8]) -> &[u8] {
    let json = trim(json);
    if json.len() >= 2 && (json[0] == b'[' || json[0] == b'{') {
        &json[1..json.len() - 1]
    } else {
        json
    }
}

/// `s` without leading and trailing bytes up to space.
pub(super) fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s
        && *first <= b' '
    {
        s = rest;
    }
    while let [rest @ .., last] = s
        && *last <= b' '
    {
        s = rest;
    }
    s
}
