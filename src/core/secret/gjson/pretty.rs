//! gjson's `@pretty` modifier: tidwall/pretty v1.2.0's `PrettyOptions` (the version gjson v1.18.0
//! requires), ported step by step so the bytes are ESO's, malformed input included: arrays that fit
//! in `width` stay on one line, objects never do, `sortKeys` orders members by key, then by value.

use std::cmp::Ordering;

use super::scan::{for_each, parse};
use super::{Kind, Value};

/// `@pretty`'s options (tidwall/pretty's `Options`).
struct Options {
    width: i64,
    prefix: Vec<u8>,
    indent: Vec<u8>,
    sort_keys: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            width: 80,
            prefix: Vec::new(),
            indent: b"  ".to_vec(),
            sort_keys: false,
        }
    }
}

/// `json` pretty-printed with the options in `arg` (gjson's `modPretty`).
pub(super) fn pretty(json: &[u8], arg: &[u8]) -> Vec<u8> {
    let mut o = Options::default();
    if !arg.is_empty() {
        for (key, value) in for_each(&parse(arg)) {
            match key.map(|k| k.string()).as_deref() {
                Some(b"sortKeys") => o.sort_keys = value.truthy(),
                Some(b"indent") => o.indent = clean_ws(&value.string()),
                Some(b"prefix") => o.prefix = clean_ws(&value.string()),
                Some(b"width") => o.width = int(&value),
                _ => {}
            }
        }
    }
    let mut buf = Vec::with_capacity(json.len());
    buf.extend_from_slice(&o.prefix);
    let mut p = Printer { json, buf, o: &o };
    p.any(0, true, o.sort_keys, 0, 0, -1);
    let mut buf = p.buf;
    if !buf.is_empty() {
        buf.push(b'\n');
    }
    buf
}

/// gjson's `cleanWS`: `s` itself when it is all whitespace, else only its whitespace.
fn clean_ws(s: &[u8]) -> Vec<u8> {
    let ws = |c: &&u8| matches!(**c, b' ' | b'\t' | b'\n' | b'\r');
    if s.iter().all(|c| ws(&c)) {
        return s.to_vec();
    }
    s.iter().filter(ws).copied().collect()
}

/// gjson's `Result.Int()` (Go's int64 conversions, wrapping where Go's do).
fn int(v: &Value) -> i64 {
    match v.kind {
        Kind::True => 1,
        Kind::String => parse_int(&v.str).unwrap_or(0),
        Kind::Number => {
            if (-9_007_199_254_740_991.0..=9_007_199_254_740_991.0).contains(&v.num) {
                return v.num as i64;
            }
            // Go's int64 conversion of a float out of range (or NaN) gives the minimum on amd64.
            let in_range = v.num >= -(2f64.powi(63)) && v.num < 2f64.powi(63);
            parse_int(&v.raw).unwrap_or(if in_range { v.num as i64 } else { i64::MIN })
        }
        _ => 0,
    }
}

/// gjson's `parseInt`: an optional `-` and ASCII digits, accumulated without overflow checks.
fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.wrapping_mul(10).wrapping_add(i64::from(c - b'0'));
    }
    Some(if neg { n.wrapping_neg() } else { n })
}

/// A member's place while sorting: its key in the input, its line in the output.
#[derive(Clone, Copy, Default)]
struct Pair {
    kstart: usize,
    kend: usize,
    vstart: usize,
    vend: usize,
}

/// The printer's state: the input, the output so far and the options.
struct Printer<'a> {
    json: &'a [u8],
    buf: Vec<u8>,
    o: &'a Options,
}

impl Printer<'_> {
    /// `appendPrettyAny`: the value at or after `i`; returns (next index, last newline, ok).
    fn any(
        &mut self,
        mut i: usize,
        pretty: bool,
        sort: bool,
        tabs: usize,
        nl: usize,
        max: i64,
    ) -> (usize, usize, bool) {
        let json = self.json;
        while i < json.len() {
            let c = json[i];
            if c <= b' ' {
                i += 1;
                continue;
            }
            if c == b'"' {
                return (self.string(i), nl, true);
            }
            if c.is_ascii_digit() || c == b'-' || nan_or_inf(&json[i..]) {
                return (self.number(i), nl, true);
            }
            if c == b'{' || c == b'[' {
                let close = if c == b'{' { b'}' } else { b']' };
                return self.object(i, c, close, pretty, sort, tabs, nl, max);
            }
            let word: &[u8] = match c {
                b't' => b"true",
                b'f' => b"false",
                b'n' => b"null",
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.buf.extend_from_slice(word);
            return (i + word.len(), nl, true);
        }
        (i, nl, true)
    }

    /// `appendPrettyObject` for an object (`{`) or an array (`[`) starting at `i`.
    #[allow(clippy::too_many_arguments)]
    fn object(
        &mut self,
        mut i: usize,
        open: u8,
        close: u8,
        pretty: bool,
        mut sort: bool,
        tabs: usize,
        mut nl: usize,
        max: i64,
    ) -> (usize, usize, bool) {
        let width = self.o.width;
        if width > 0 {
            if pretty && open == b'[' && max == -1 {
                // An array that fits in what is left of the line is printed on it.
                let room = width - (self.buf.len() as i64 - nl as i64);
                if room > 3 {
                    let (s1, s2) = (self.buf.len(), i);
                    let (ni, _, ok) = self.object(i, b'[', b']', false, sort, 0, 0, room);
                    if ok && (self.buf.len() - s1) as i64 <= room {
                        return (ni, nl, true);
                    }
                    self.buf.truncate(s1);
                    i = s2;
                }
            } else if max != -1 && open == b'{' {
                return (i, nl, false);
            }
        }
        let json = self.json;
        self.buf.push(open);
        i += 1;
        let mut pairs: Vec<Pair> = Vec::new();
        let mut n = 0usize;
        while i < json.len() {
            if json[i] <= b' ' {
                i += 1;
                continue;
            }
            if json[i] == close {
                if pretty {
                    if open == b'{' && sort {
                        self.sort_pairs(&mut pairs);
                    }
                    if n > 0 {
                        nl = self.buf.len();
                        self.newline();
                    }
                    if self.buf.last() != Some(&open) {
                        self.tabs(tabs);
                    }
                }
                self.buf.push(close);
                return (i + 1, nl, open != b'{');
            }
            if open == b'[' || json[i] == b'"' {
                if n > 0 {
                    self.buf.push(b',');
                    if width != -1 && open == b'[' {
                        self.buf.push(b' ');
                    }
                }
                let mut p = Pair::default();
                if pretty {
                    nl = self.buf.len();
                    self.newline();
                    if open == b'{' && sort {
                        p.kstart = i;
                        p.vstart = self.buf.len();
                    }
                    self.tabs(tabs + 1);
                }
                if open == b'{' {
                    i = self.string(i);
                    if sort {
                        p.kend = i;
                    }
                    self.buf.push(b':');
                    if pretty {
                        self.buf.push(b' ');
                    }
                }
                let (ni, nnl, ok) = self.any(i, pretty, sort, tabs + 1, nl, max);
                (i, nl) = (ni, nnl);
                if max != -1 && !ok {
                    return (i, nl, false);
                }
                if pretty && open == b'{' && sort {
                    p.vend = self.buf.len();
                    if p.kstart > p.kend || p.vstart > p.vend {
                        sort = false;
                    } else {
                        pairs.push(p);
                    }
                }
                i -= 1;
                n += 1;
            }
            i += 1;
        }
        (i, nl, open != b'{')
    }

    /// Turns a trailing space into a newline, or appends one.
    fn newline(&mut self) {
        match self.buf.last_mut() {
            Some(c) if *c == b' ' => *c = b'\n',
            _ => self.buf.push(b'\n'),
        }
    }

    /// `appendTabs`: the prefix, then `tabs` indents.
    fn tabs(&mut self, tabs: usize) {
        self.buf.extend_from_slice(&self.o.prefix);
        for _ in 0..tabs {
            self.buf.extend_from_slice(&self.o.indent);
        }
    }

    /// `appendPrettyString`: the string at `i` copied as written, up to its closing quote.
    fn string(&mut self, s: usize) -> usize {
        let json = self.json;
        let mut i = s + 1;
        while i < json.len() {
            if json[i] == b'"' {
                let slashes = json[s + 1..i]
                    .iter()
                    .rev()
                    .take_while(|&&c| c == b'\\')
                    .count();
                if slashes % 2 == 1 {
                    i += 1;
                    continue;
                }
                i += 1;
                break;
            }
            i += 1;
        }
        self.buf.extend_from_slice(&json[s..i]);
        i
    }

    /// `appendPrettyNumber`: everything up to whitespace or a delimiter, copied as written.
    fn number(&mut self, s: usize) -> usize {
        let json = self.json;
        let mut i = s + 1;
        while i < json.len() && !(json[i] <= b' ' || matches!(json[i], b',' | b':' | b']' | b'}')) {
            i += 1;
        }
        self.buf.extend_from_slice(&json[s..i]);
        i
    }

    /// `sortPairs`: the members' lines ordered by key, then value (stable), joined by `,\n`.
    fn sort_pairs(&mut self, pairs: &mut [Pair]) {
        let (Some(first), Some(last)) = (pairs.first(), pairs.last()) else {
            return;
        };
        let (vstart, vend) = (first.vstart, last.vend);
        let (json, buf) = (self.json, &self.buf);
        pairs.sort_by(|a, b| {
            let less = |x: &Pair, y: &Pair, by_key: bool| is_less(json, buf, x, y, by_key);
            if less(a, b, true) {
                Ordering::Less
            } else if less(b, a, true) {
                Ordering::Greater
            } else if less(a, b, false) {
                Ordering::Less
            } else if less(b, a, false) {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        });
        let mut lines = Vec::with_capacity(vend - vstart);
        for (n, p) in pairs.iter().enumerate() {
            lines.extend_from_slice(&self.buf[p.vstart..p.vend]);
            if n + 1 < pairs.len() {
                lines.extend_from_slice(b",\n");
            }
        }
        self.buf.truncate(vstart);
        self.buf.extend_from_slice(&lines);
    }
}

/// `isNaNOrInf`: what tidwall/pretty takes for the start of a NaN or infinity.
fn nan_or_inf(s: &[u8]) -> bool {
    matches!(s[0], b'i' | b'I' | b'+' | b'N') || (s[0] == b'n' && s.len() > 1 && s[1] != b'u')
}

/// The order of JSON kinds when sorting values (tidwall/pretty's `jtype`).
fn kind_rank(v: &[u8]) -> u8 {
    match v.first() {
        None | Some(b'n') => 0,
        Some(b'f') => 1,
        Some(b'"') => 3,
        Some(b't') => 4,
        Some(b'[' | b'{') => 5,
        Some(_) => 2,
    }
}

/// `byKeyVal.isLess`: whether member `x` sorts before `y` by key or by value.
fn is_less(json: &[u8], buf: &[u8], x: &Pair, y: &Pair, by_key: bool) -> bool {
    let k1 = &json[x.kstart..x.kend];
    let k2 = &json[y.kstart..y.kend];
    let (v1, v2) = if by_key {
        (k1, k2)
    } else {
        (value_of(buf, x, k1.len()), value_of(buf, y, k2.len()))
    };
    let (t1, t2) = (kind_rank(v1), kind_rank(v2));
    if t1 != t2 {
        return t1 < t2;
    }
    match t1 {
        3 => unquote(v1) < unquote(v2),
        2 => go_parse_float(v1) < go_parse_float(v2),
        _ => v1 < v2,
    }
}

/// A member's printed value: its line without indent, key and colon.
fn value_of<'b>(buf: &'b [u8], p: &Pair, key_len: usize) -> &'b [u8] {
    let line = buf[p.vstart..p.vend].trim_ascii();
    if line.len() > key_len {
        line[key_len + 1..].trim_ascii()
    } else {
        line
    }
}

/// `parsestr`: a JSON string's text (decoded as Go's `json.Unmarshal` does when it has escapes;
/// empty when that fails).
fn unquote(s: &[u8]) -> Vec<u8> {
    for i in 1..s.len() {
        if s[i] == b'\\' {
            return go_unmarshal_string(s).unwrap_or_default();
        }
        if s[i] == b'"' {
            return s[1..i].to_vec();
        }
    }
    Vec::new()
}

/// Go's `json.Unmarshal` of `s` into a string: None unless `s` is exactly one valid JSON string;
/// a lone surrogate escape and invalid UTF-8 become U+FFFD.
fn go_unmarshal_string(s: &[u8]) -> Option<Vec<u8>> {
    let body = s.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let hex = |at: usize| -> Option<u32> {
        let h = body.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16)
            .ok()
            .filter(|_| h.iter().all(u8::is_ascii_hexdigit))
    };
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        match c {
            b'"' | 0..=0x1f => return None,
            b'\\' => {
                let e = *body.get(i + 1)?;
                i += 2;
                let ch = match e {
                    b'"' | b'\\' | b'/' => char::from(e),
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let r = hex(i)?;
                        i += 4;
                        if (0xd800..0xe000).contains(&r) {
                            let low = (body.get(i..i + 2) == Some(b"\\u"))
                                .then(|| hex(i + 2))
                                .flatten()
                                .filter(|l| (0xdc00..0xe000).contains(l) && r < 0xdc00);
                            match low {
                                Some(l) => {
                                    i += 6;
                                    char::from_u32(0x10000 + ((r - 0xd800) << 10) + (l - 0xdc00))
                                        .unwrap_or('\u{fffd}')
                                }
                                None => '\u{fffd}',
                            }
                        } else {
                            char::from_u32(r).unwrap_or('\u{fffd}')
                        }
                    }
                    _ => return None,
                };
                out.push(ch);
            }
            _ => {
                let end = body[i..]
                    .iter()
                    .position(|&b| b == b'\\' || b == b'"' || b < 0x20)
                    .map_or(body.len(), |p| i + p);
                // Go writes one U+FFFD per byte that starts no valid UTF-8 sequence.
                for chunk in body[i..end].utf8_chunks() {
                    out.push_str(chunk.valid());
                    out.extend(chunk.invalid().iter().map(|_| '\u{fffd}'));
                }
                i = end;
            }
        }
    }
    Some(out.into_bytes())
}

/// Go's `strconv.ParseFloat` as pretty uses it: 0 when the text is not a number.
fn go_parse_float(s: &[u8]) -> f64 {
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
#[path = "pretty_tests.rs"]
mod tests;
