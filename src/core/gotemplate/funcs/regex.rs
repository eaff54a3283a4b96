//! sprig's regular expression functions with Go's `regexp` semantics: Perl classes (`\d \w \s
//! \b`) are ASCII as in RE2, `Split` and `FindAll` skip an empty match right after a match, and
//! `regexMatch` is false (not an error) for a bad pattern.

use super::collections::strings_list;
use super::{Func, Value, int_arg, s, string_arg, text};

/// The regex functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("regexMatch", |a| {
        let hay = string_arg(&a[1])?;
        Ok(Value::Bool(
            compile(&string_arg(&a[0])?).is_ok_and(|re| re.is_match(&text(&hay))),
        ))
    }),
    ("mustRegexMatch", |a| {
        let re = compile(&string_arg(&a[0])?)?;
        Ok(Value::Bool(re.is_match(&text(&string_arg(&a[1])?))))
    }),
    ("regexFind", find),
    ("mustRegexFind", find),
    ("regexFindAll", find_all),
    ("mustRegexFindAll", find_all),
    ("regexReplaceAll", |a| replace(a, false)),
    ("mustRegexReplaceAll", |a| replace(a, false)),
    ("regexReplaceAllLiteral", |a| replace(a, true)),
    ("mustRegexReplaceAllLiteral", |a| replace(a, true)),
    ("regexSplit", split),
    ("mustRegexSplit", split),
    ("regexQuoteMeta", |a| Ok(s(quote_meta(&string_arg(&a[0])?)))),
];

/// Go's `regexp.QuoteMeta`.
fn quote_meta(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    for &b in v {
        if br"\.+*?()|[]{}^$".contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// Rewrites RE2's ASCII-only Perl classes for Rust's Unicode-aware engine.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let replacement = match (next, in_class) {
                    ('d', false) => Some("[0-9]"),
                    ('D', false) => Some("[^0-9]"),
                    ('w', false) => Some("[0-9A-Za-z_]"),
                    ('W', false) => Some("[^0-9A-Za-z_]"),
                    ('s', false) => Some("[\\t\\n\\f\\r ]"),
                    ('S', false) => Some("[^\\t\\n\\f\\r ]"),
                    ('b', false) => Some("(?-u:\\b)"),
                    ('B', false) => Some("(?-u:\\B)"),
                    ('d', true) => Some("0-9"),
                    ('w', true) => Some("0-9A-Za-z_"),
                    ('s', true) => Some("\\t\\n\\f\\r "),
                    _ => None,
                };
                match replacement {
                    Some(r) => out.push_str(r),
                    None => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if chars.peek() == Some(&':') => {
                out.push('[');
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// Compiles a Go regular expression.
pub fn compile(pattern: &[u8]) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(&translate(&text(pattern)))
        .size_limit(1 << 20)
        .build()
        .map_err(|_| "invalid regular expression".to_string())
}

/// Go's `FindAllStringIndex(s, n)`: matches, without an empty one right after a match.
fn matches(re: &regex::Regex, hay: &str, n: i64) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    for m in re.find_iter(hay) {
        if out.len() >= limit {
            break;
        }
        if m.start() == m.end() && out.last().is_some_and(|(_, e)| *e == m.start()) {
            continue;
        }
        out.push((m.start(), m.end()));
    }
    out
}

fn find(args: &[Value]) -> Result<Value, String> {
    let re = compile(&string_arg(&args[0])?)?;
    let hay = string_arg(&args[1])?;
    let hay = text(&hay);
    Ok(s(re.find(&hay).map(|m| m.as_str()).unwrap_or("")))
}

fn find_all(args: &[Value]) -> Result<Value, String> {
    let re = compile(&string_arg(&args[0])?)?;
    let hay = string_arg(&args[1])?;
    let n = int_arg(&args[2])?;
    let hay = text(&hay);
    if n == 0 {
        return Ok(strings_list(Vec::new()));
    }
    Ok(strings_list(
        matches(&re, &hay, n)
            .into_iter()
            .map(|(a, b)| hay.as_bytes()[a..b].to_vec())
            .collect(),
    ))
}

fn replace(args: &[Value], literal: bool) -> Result<Value, String> {
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

/// Go's `Regexp.Split`.
fn split(args: &[Value]) -> Result<Value, String> {
    let re = compile(&string_arg(&args[0])?)?;
    let hay = string_arg(&args[1])?;
    let n = int_arg(&args[2])?;
    let hay = text(&hay);
    if n == 0 {
        return Ok(strings_list(Vec::new()));
    }
    if !re.as_str().is_empty() && hay.is_empty() {
        return Ok(strings_list(vec![Vec::new()]));
    }
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (a, b) in matches(&re, &hay, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = a;
        if b != 0 {
            parts.push(hay.as_bytes()[beg..end].to_vec());
        }
        beg = b;
    }
    if end != hay.len() {
        parts.push(hay.as_bytes()[beg..].to_vec());
    }
    Ok(strings_list(parts))
}
