//! go-yaml v2's resolution of plain scalars (YAML 1.1: `yes`/`no`/`on`/`off` booleans, `_` in
//! numbers, `0b`/`0x`/octal integers, timestamps kept as strings).

use crate::core::gotemplate::number::{parse_float, parse_int0};

/// go-yaml v2's decoded values.
#[derive(Clone)]
pub enum Go {
    /// `nil`.
    Null,
    /// A bool.
    Bool(bool),
    /// An int.
    Int(i64),
    /// A uint64.
    Uint(u64),
    /// A float64.
    Float(f64),
    /// A string.
    Str(String),
    /// A slice.
    Seq(Vec<Go>),
    /// A map (keys in document order).
    Map(Vec<(Go, Go)>),
}

/// go-yaml v2's `resolve` of a plain scalar.
pub fn resolve(v: &str) -> Go {
    match v {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Go::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Go::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Go::Null,
        ".nan" | ".NaN" | ".NAN" => return Go::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Go::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Go::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match v.as_bytes()[0] {
        b'.' => {
            if let Some(f) = parse_float(v) {
                return Go::Float(f);
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            let plain = v.replace('_', "");
            if let Some(i) = parse_int0(&plain) {
                return Go::Int(i);
            }
            if !plain.starts_with(['+', '-'])
                && let Some(u) = crate::core::gotemplate::number::Number::parse(&plain)
                    .ok()
                    .and_then(|n| n.uint)
                    .filter(|_| !plain.contains(['.', 'e', 'E']))
            {
                return Go::Uint(u);
            }
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return Go::Float(f);
            }
        }
        _ => {}
    }
    Go::Str(v.to_string())
}

/// What a plain scalar reads back as, for the emitter's choice of quoting.
pub enum Plain {
    /// The same string.
    Str,
    /// Something else (a number, bool, null or timestamp).
    Other,
}

/// go-yaml v2's `resolve("", s)` reduced to "is it a string".
pub fn resolve_plain(s: &str) -> Plain {
    match resolve(s) {
        Go::Str(_) if !is_timestamp(s) => Plain::Str,
        _ => Plain::Other,
    }
}

/// go-yaml v2's `parseTimestamp`: `YYYY-M-D`, optionally with a time (`T`/`t` and a zone, or a
/// space and no zone), valid as a calendar date.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let num = |i: &mut usize, max_len: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < max_len && b[*i].is_ascii_digit() {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].parse().ok()).flatten()
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = num(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i, 2) else {
        return false;
    };
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    let (Some(h), true) = (num(&mut i, 2), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let (Some(m), true) = (num(&mut i, 2), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let Some(sec) = num(&mut i, 2) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone = &s[i..];
    if sep == b' ' {
        return zone.is_empty();
    }
    zone == "Z"
        || (zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':'
            && zone[1..3]
                .bytes()
                .chain(zone[4..6].bytes())
                .all(|c| c.is_ascii_digit()))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exp_ok
}
