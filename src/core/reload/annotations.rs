//! Reading Reloader's annotation values: Go's `strconv.ParseBool`, comma lists of anchored
//! regular expressions, exact-name exclude lists, and Go durations (`pause-period`).

use std::time::Duration;

use regex::{Regex, RegexBuilder};

/// Compiled-program bound of one reload-list item: a larger item (`a{1000}{1000}`) is skipped.
pub const REGEX_SIZE_LIMIT: usize = 1 << 18;
/// Lazy-DFA cache bound of one reload-list item while it matches.
pub const REGEX_DFA_LIMIT: usize = 1 << 18;
/// Parenthesis nesting bound of one reload-list item: a deeper item is skipped.
pub const REGEX_NEST_LIMIT: u32 = 64;
/// How many items of one list are compiled as regular expressions; the rest of the regex items
/// are skipped. Plain names (dots included) are matched without compiling and do not count.
pub const REGEX_ITEMS_PER_LIST: usize = 32;

/// Go's `strconv.ParseBool`: `Some(true)` for 1 t T TRUE true True, `Some(false)` for 0 f F FALSE
/// false False, `None` for anything else.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Whether `name` is named by a Reloader reload list: comma-separated items, each trimmed and
/// matched as `^item$` (an invalid item is skipped, as Reloader does since its fix).
pub fn list_matches(list: &str, name: &str) -> bool {
    let mut compiled = 0usize;
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        if let Some(matched) = plain_match(item, name) {
            if matched {
                return true;
            }
            continue;
        }
        if compiled >= REGEX_ITEMS_PER_LIST {
            continue;
        }
        compiled += 1;
        // The item must stand alone, so that `a)|(b` cannot reopen the anchoring group.
        if build(item).is_none() {
            continue;
        }
        if build(&format!("^(?:{item})$")).is_some_and(|re| re.is_match(name)) {
            return true;
        }
    }
    false
}

/// A regular expression compiled within the size, cache and nesting bounds.
fn build(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .ok()
}

/// An item with no metacharacter but `.` matched without a regex (`.` is any character but a
/// newline, as in RE2); `None` when the item needs the regex engine.
fn plain_match(item: &str, name: &str) -> Option<bool> {
    const META: &[char] = &[
        '\\', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
    ];
    if item.contains(META) {
        return None;
    }
    let mut pattern = item.chars();
    let mut text = name.chars();
    loop {
        match (pattern.next(), text.next()) {
            (None, None) => return Some(true),
            (Some('.'), Some(c)) if c != '\n' => {}
            (Some(p), Some(c)) if p == c && p != '.' => {}
            _ => return Some(false),
        }
    }
}

/// Whether `name` is in an exclude annotation's list: comma-separated exact names, each trimmed
/// (no regular expressions).
pub fn exclude_matches(list: &str, name: &str) -> bool {
    list.split(',').any(|item| item.trim() == name)
}

/// Go's `time.ParseDuration` (`10s`, `1h30m`, `1.5m`); an error names the value's problem.
/// Go accepts a sign: a negative duration is returned as zero (Go's timer fires at once for it).
pub fn go_duration(value: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration {}", shown(value));
    let mut rest = value.as_bytes();
    let mut negative = false;
    if let Some((&sign, tail)) = rest.split_first()
        && (sign == b'-' || sign == b'+')
    {
        negative = sign == b'-';
        rest = tail;
    }
    if rest == b"0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !(rest[0] == b'.' || rest[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let (whole, after) = leading_int(rest).ok_or_else(invalid)?;
        let pre = after.len() != rest.len();
        rest = after;
        let (mut fraction, mut scale, mut post) = (0u64, 1f64, false);
        if let Some((&b'.', tail)) = rest.split_first() {
            let (f, s, after) = leading_fraction(tail);
            post = after.len() != tail.len();
            (fraction, scale, rest) = (f, s, after);
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = rest
            .iter()
            .position(|c| *c == b'.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!("missing unit in duration {}", shown(value)));
        }
        let unit: u64 = match &rest[..unit_len] {
            b"ns" => 1,
            // `us`, `µs` (U+00B5) and `μs` (U+03BC), as Go.
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => return Err(format!("unknown unit in duration {}", shown(value))),
        };
        rest = &rest[unit_len..];
        if whole > LIMIT / unit {
            return Err(invalid());
        }
        let mut nanos = whole * unit;
        if fraction > 0 {
            // Go's own float step: the fraction's nanoseconds, truncated.
            nanos += (fraction as f64 * (unit as f64 / scale)) as u64;
            if nanos > LIMIT {
                return Err(invalid());
            }
        }
        total += nanos;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if negative {
        return Ok(Duration::ZERO);
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(Duration::from_nanos(total))
}

/// Go's `leadingInt`: the leading digits as a number (`None` past 2^63) and the rest.
fn leading_int(text: &[u8]) -> Option<(u64, &[u8])> {
    let digits = text.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut value: u64 = 0;
    for c in &text[..digits] {
        if value > (1 << 63) / 10 {
            return None;
        }
        value = value * 10 + u64::from(c - b'0');
        if value > 1 << 63 {
            return None;
        }
    }
    Some((value, &text[digits..]))
}

/// Go's `leadingFraction`: the leading digits as a fraction `value / scale` (digits past the
/// precision are consumed and dropped) and the rest.
fn leading_fraction(text: &[u8]) -> (u64, f64, &[u8]) {
    let digits = text.iter().take_while(|c| c.is_ascii_digit()).count();
    let (mut value, mut scale, mut overflow) = (0u64, 1f64, false);
    for c in &text[..digits] {
        if overflow {
            continue;
        }
        if value > ((1u64 << 63) - 1) / 10 {
            overflow = true;
            continue;
        }
        let next = value * 10 + u64::from(c - b'0');
        if next > 1 << 63 {
            overflow = true;
            continue;
        }
        value = next;
        scale *= 10.0;
    }
    (value, scale, &text[digits..])
}

/// The value quoted for an error, cut to 64 characters (annotations can be long).
fn shown(value: &str) -> String {
    if value.chars().count() <= 64 {
        format!("{value:?}")
    } else {
        let cut: String = value.chars().take(64).collect();
        format!("{cut:?}…")
    }
}

#[cfg(test)]
#[path = "annotations_tests.rs"]
mod tests;
