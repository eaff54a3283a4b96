//! Walking a JSON document along a gjson path (gjson v1.18.0's `parseObject`, `parseArray` and
//! `queryMatches`), value by value without building a tree.

use super::path::{ArrayPath, parse_array_path, parse_object_path, split_possible_pipe};
use super::scan::{
    parse_any, parse_literal, parse_number, parse_squash, parse_string, string_value,
};
use super::{Kind, Value, get, wildcard};

/// The document, the value found so far and a pipe still to apply to it.
pub(super) struct Ctx<'a> {
    pub json: &'a [u8],
    pub value: Value,
    pub pipe: Vec<u8>,
    pub piped: bool,
}

/// The key of an object member starting after its opening quote at `i`: (index after it, key,
/// escaped, closed).
fn object_key(json: &[u8], i: usize) -> (usize, &[u8], bool, bool) {
    let (next, raw, esc, ok) = parse_string(json, i);
    if ok {
        (next, &raw[1..raw.len() - 1], esc, true)
    } else {
        (next, &json[i..], false, false)
    }
}

/// Looks up `path` in the object whose `{` is just before `i`.
pub(super) fn parse_object(c: &mut Ctx<'_>, mut i: usize, path: &[u8]) -> (usize, bool) {
    let rp = parse_object_path(path);
    if !rp.more && rp.piped {
        c.pipe = rp.pipe.clone();
        c.piped = true;
    }
    let json = c.json;
    while i < json.len() {
        let mut found = None;
        while i < json.len() {
            if json[i] == b'"' {
                let (next, key, kesc, ok) = object_key(json, i + 1);
                i = next;
                found = Some((key, kesc, ok));
                break;
            }
            if json[i] == b'}' {
                return (i + 1, false);
            }
            i += 1;
        }
        let Some((key, kesc, true)) = found else {
            return (i, false);
        };
        let key = if kesc {
            super::scan::unescape(key)
        } else {
            key.to_vec()
        };
        let pmatch = if rp.wild {
            wildcard::match_limit(&key, &rp.part)
        } else {
            rp.part == key
        };
        let mut hit = pmatch && !rp.more;
        while i < json.len() {
            let ch = json[i];
            let mut num = false;
            match ch {
                b'"' => {
                    let (next, raw, vesc, ok) = parse_string(json, i + 1);
                    i = next;
                    if !ok {
                        return (i, false);
                    }
                    if hit {
                        c.value = string_value(raw, vesc);
                        return (i, true);
                    }
                }
                b'{' | b'[' => {
                    if pmatch && !hit {
                        let (next, h) = if ch == b'{' {
                            parse_object(c, i + 1, &rp.path)
                        } else {
                            parse_array(c, i + 1, &rp.path)
                        };
                        i = next;
                        hit = h;
                        if hit {
                            return (i, true);
                        }
                    } else {
                        let (next, raw) = parse_squash(json, i);
                        i = next;
                        if hit {
                            c.value = Value::json(raw);
                            return (i, true);
                        }
                    }
                }
                b'n' if i + 1 < json.len() && json[i + 1] != b'u' => num = true,
                b'n' | b't' | b'f' => {
                    let (next, raw) = parse_literal(json, i);
                    i = next;
                    if hit {
                        c.value = Value::literal(ch, raw);
                        return (i, true);
                    }
                }
                b'+' | b'-' | b'0'..=b'9' | b'i' | b'I' | b'N' => num = true,
                _ => {
                    i += 1;
                    continue;
                }
            }
            if num {
                let (next, raw) = parse_number(json, i);
                i = next;
                if hit {
                    c.value = Value::number(raw);
                    return (i, true);
                }
            }
            break;
        }
    }
    (i, false)
}

/// Whether gjson reads `s` (lowercased) as a true (Some(true)) or false boolean.
fn parse_bool(s: &[u8]) -> Option<bool> {
    match s.to_ascii_lowercase().as_slice() {
        b"1" | b"t" | b"true" => Some(true),
        b"0" | b"f" | b"false" => Some(false),
        _ => None,
    }
}

/// Whether `value` satisfies the query of `rp` (gjson's `queryMatches`).
fn query_matches(rp: &ArrayPath, value: &Value) -> bool {
    let mut rpv: &[u8] = &rp.query.value;
    let coerced;
    let mut value = value;
    if let [b'~', rest @ ..] = rpv {
        let ish = match rest {
            b"*" => Some(value.exists()),
            b"null" => Some(value.kind == Kind::Null),
            b"true" => Some(match value.kind {
                Kind::True => true,
                Kind::String => parse_bool(&value.str) == Some(true),
                Kind::Number => value.num != 0.0,
                _ => false,
            }),
            b"false" => Some(match value.kind {
                Kind::Null | Kind::False => true,
                Kind::String => parse_bool(&value.str) == Some(false),
                Kind::Number => value.num == 0.0,
                _ => false,
            }),
            _ => None,
        };
        coerced = match ish {
            Some(b) => {
                rpv = b"true";
                Value::literal(if b { b't' } else { b'f' }, b"")
            }
            None => {
                rpv = b"";
                Value::default()
            }
        };
        value = &coerced;
    }
    if !value.exists() {
        return false;
    }
    let op: &[u8] = &rp.query.op;
    if op.is_empty() {
        return true;
    }
    match value.kind {
        Kind::String => {
            let s: &[u8] = &value.str;
            match op {
                b"=" => s == rpv,
                b"!=" => s != rpv,
                b"<" => s < rpv,
                b"<=" => s <= rpv,
                b">" => s > rpv,
                b">=" => s >= rpv,
                b"%" => wildcard::match_limit(s, rpv),
                b"!%" => !wildcard::match_limit(s, rpv),
                _ => false,
            }
        }
        Kind::Number => {
            let n = super::scan::parse_float(rpv);
            match op {
                b"=" => value.num == n,
                b"!=" => value.num != n,
                b"<" => value.num < n,
                b"<=" => value.num <= n,
                b">" => value.num > n,
                b">=" => value.num >= n,
                _ => false,
            }
        }
        Kind::True => match op {
            b"=" => rpv == b"true",
            b"!=" => rpv != b"true",
            b">" => rpv == b"false",
            b">=" => true,
            _ => false,
        },
        Kind::False => match op {
            b"=" => rpv == b"false",
            b"!=" => rpv != b"false",
            b"<" => rpv == b"true",
            b"<=" => true,
            _ => false,
        },
        _ => false,
    }
}

/// State of one array walk.
struct ArrayWalk {
    rp: ArrayPath,
    multires: Vec<u8>,
}

impl ArrayWalk {
    /// Applies the query to one element; true when the walk is over (first match found).
    fn query(&mut self, c: &mut Ctx<'_>, qval: Value) -> bool {
        if self.rp.query.all && self.multires.is_empty() {
            self.multires.push(b'[');
        }
        let res = if qval.kind == Kind::Json {
            qval.get(&self.rp.query.path)
        } else {
            if !self.rp.query.path.is_empty() {
                return false;
            }
            qval.clone()
        };
        if !query_matches(&self.rp, &res) {
            return false;
        }
        let res = if self.rp.more {
            if let Some((left, right)) = split_possible_pipe(&self.rp.path) {
                self.rp.path = left;
                c.pipe = right;
                c.piped = true;
            }
            qval.get(&self.rp.path)
        } else {
            qval
        };
        if self.rp.query.all {
            let raw = if res.raw.is_empty() {
                res.string()
            } else {
                res.raw.clone()
            };
            if !raw.is_empty() {
                if self.multires.len() > 1 {
                    self.multires.push(b',');
                }
                self.multires.extend_from_slice(&raw);
            }
            false
        } else {
            c.value = res;
            true
        }
    }
}

/// Looks up `path` in the array whose `[` is just before `i`.
pub(super) fn parse_array(c: &mut Ctx<'_>, mut i: usize, path: &[u8]) -> (usize, bool) {
    let rp = parse_array_path(path);
    let partidx: Option<usize> = if rp.arrch { None } else { parse_uint(&rp.part) };
    if !rp.more && rp.piped {
        c.pipe = rp.pipe.clone();
        c.piped = true;
    }
    let mut w = ArrayWalk {
        rp,
        multires: Vec::new(),
    };
    let json = c.json;
    let mut h: usize = 0;
    let mut alog: Vec<usize> = Vec::new();
    let (mut pmatch, mut hit) = (false, false);
    while i < json.len() + 1 {
        if !w.rp.arrch {
            pmatch = partidx == Some(h);
            hit = pmatch && !w.rp.more;
        }
        h += 1;
        if w.rp.alogok {
            alog.push(i);
        }
        loop {
            if i > json.len() {
                break;
            }
            let ch = if i == json.len() { b']' } else { json[i] };
            let mut num = false;
            match ch {
                b'"' => {
                    let (next, raw, vesc, ok) = parse_string(json, i + 1);
                    i = next;
                    if !ok {
                        return (i, false);
                    }
                    if w.rp.query.on {
                        if w.query(c, string_value(raw, vesc)) {
                            return (i, true);
                        }
                    } else if hit {
                        if w.rp.alogok {
                            break;
                        }
                        c.value = string_value(raw, vesc);
                        return (i, true);
                    }
                }
                b'{' | b'[' => {
                    if pmatch && !hit {
                        let (next, hh) = if ch == b'{' {
                            parse_object(c, i + 1, &w.rp.path)
                        } else {
                            parse_array(c, i + 1, &w.rp.path)
                        };
                        i = next;
                        hit = hh;
                        if hit {
                            if w.rp.alogok {
                                break;
                            }
                            return (i, true);
                        }
                    } else {
                        let (next, raw) = parse_squash(json, i);
                        i = next;
                        if w.rp.query.on {
                            if w.query(c, Value::json(raw)) {
                                return (i, true);
                            }
                        } else if hit {
                            if w.rp.alogok {
                                break;
                            }
                            c.value = Value::json(raw);
                            return (i, true);
                        }
                    }
                }
                b'n' if i + 1 < json.len() && json[i + 1] != b'u' => num = true,
                b'n' | b't' | b'f' => {
                    let (next, raw) = parse_literal(json, i);
                    i = next;
                    let lit = Value::literal(ch, raw);
                    if w.rp.query.on {
                        if w.query(c, lit) {
                            return (i, true);
                        }
                    } else if hit {
                        if w.rp.alogok {
                            break;
                        }
                        c.value = lit;
                        return (i, true);
                    }
                }
                b'+' | b'-' | b'0'..=b'9' | b'i' | b'I' | b'N' => num = true,
                b']' => return close_array(c, &mut w, i, h, &alog),
                _ => {
                    i += 1;
                    continue;
                }
            }
            if num {
                let (next, raw) = parse_number(json, i);
                i = next;
                let n = Value::number(raw);
                if w.rp.query.on {
                    if w.query(c, n) {
                        return (i, true);
                    }
                } else if hit {
                    if w.rp.alogok {
                        break;
                    }
                    c.value = n;
                    return (i, true);
                }
            }
            break;
        }
    }
    (i, false)
}

/// At the closing `]` (index `i`) of an array walk: `#` counts, `#.path` collects, a `#(..)#`
/// query returns what it gathered.
fn close_array(
    c: &mut Ctx<'_>,
    w: &mut ArrayWalk,
    i: usize,
    h: usize,
    alog: &[usize],
) -> (usize, bool) {
    let json = c.json;
    if w.rp.arrch && w.rp.part == b"#" {
        if w.rp.alogok {
            if let Some((left, right)) = split_possible_pipe(&w.rp.alogkey) {
                w.rp.alogkey = left;
                c.pipe = right;
                c.piped = true;
            }
            let mut out = vec![b'['];
            let mut k = 0;
            for &start in alog {
                let mut idx = start;
                while idx < json.len() && matches!(json[idx], b' ' | b'\t' | b'\r' | b'\n') {
                    idx += 1;
                }
                if idx < json.len() && json[idx] != b']' {
                    let (_, res, ok) = parse_any(json, idx);
                    if ok {
                        let res = res.get(&w.rp.alogkey);
                        if res.exists() {
                            if k > 0 {
                                out.push(b',');
                            }
                            if res.raw.is_empty() {
                                out.extend_from_slice(&res.string());
                            } else {
                                out.extend_from_slice(&res.raw);
                            }
                            k += 1;
                        }
                    }
                }
            }
            out.push(b']');
            if !super::produced(out.len()) {
                return (i + 1, false);
            }
            c.value = Value {
                kind: Kind::Json,
                raw: out,
                ..Value::default()
            };
            return (i + 1, true);
        }
        let n = h - 1;
        c.value = Value {
            kind: Kind::Number,
            raw: n.to_string().into_bytes(),
            num: n as f64,
            ..Value::default()
        };
        return (i + 1, true);
    }
    if !c.value.exists() {
        if !w.multires.is_empty() {
            let mut raw = std::mem::take(&mut w.multires);
            raw.push(b']');
            if !super::produced(raw.len()) {
                return (i + 1, false);
            }
            c.value = Value::json(&raw);
        } else if w.rp.query.all {
            c.value = Value::json(b"[]");
        }
    }
    (i + 1, false)
}

/// A non-negative decimal index (gjson's `parseUint`); None for anything else.
fn parse_uint(s: &[u8]) -> Option<usize> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: usize = 0;
    for &d in s {
        n = n.wrapping_mul(10).wrapping_add(usize::from(d - b'0'));
    }
    Some(n)
}

/// Walks `json` along `path` from its first object or array (the plain part of gjson's `Get`).
pub(super) fn walk(json: &[u8], path: &[u8]) -> Value {
    let mut c = Ctx {
        json,
        value: Value::default(),
        pipe: Vec::new(),
        piped: false,
    };
    if path.len() >= 2 && path[0] == b'.' && path[1] == b'.' {
        parse_array(&mut c, 0, &path[2..]);
    } else {
        for (i, &ch) in json.iter().enumerate() {
            if ch == b'{' {
                parse_object(&mut c, i + 1, path);
                break;
            }
            if ch == b'[' {
                parse_array(&mut c, i + 1, path);
                break;
            }
        }
    }
    if c.piped {
        return get(&c.value.raw, &c.pipe);
    }
    c.value
}
