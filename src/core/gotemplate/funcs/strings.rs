//! sprig's string functions, with sprig's argument order (the string last, for pipelines).

use super::{Func, Value, arity, case, int_arg, s, string_arg, strval, text};
use crate::core::gotemplate::fmt::quote as go_quote;
use crate::core::gotemplate::value::MapKind;

/// The string functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("trim", |a| {
        unary(a, |v| text(v).trim_matches(is_go_space).into())
    }),
    ("upper", |a| unary(a, |v| case::map(v, case::upper))),
    ("lower", |a| unary(a, |v| case::map(v, case::lower))),
    ("title", |a| unary(a, title)),
    ("untitle", |a| unary(a, untitle)),
    ("nospace", |a| {
        Ok(s(delete_white_space(&string_arg(&a[0])?)))
    }),
    ("toString", |a| {
        arity(a, 1)?;
        Ok(s(strval(&a[0])))
    }),
    ("substr", substr),
    ("trunc", trunc),
    ("abbrev", abbrev),
    ("repeat", repeat),
    ("trimAll", |a| binary(a, trim_set)),
    ("trimall", |a| binary(a, trim_set)),
    ("trimSuffix", |a| {
        binary(a, |suffix, v| v.strip_suffix(suffix).unwrap_or(v).to_vec())
    }),
    ("trimPrefix", |a| {
        binary(a, |prefix, v| v.strip_prefix(prefix).unwrap_or(v).to_vec())
    }),
    ("contains", |a| {
        predicate(a, |sub, v| find(v, sub).is_some())
    }),
    ("hasPrefix", |a| predicate(a, |p, v| v.starts_with(p))),
    ("hasSuffix", |a| predicate(a, |p, v| v.ends_with(p))),
    ("quote", quote),
    ("squote", squote),
    ("cat", cat),
    ("indent", |a| indent(a, false)),
    ("nindent", |a| indent(a, true)),
    ("replace", replace),
    ("plural", plural),
    ("split", |a| split(a, None)),
    ("splitn", splitn),
    ("splitList", split_list),
];

/// Go's `unicode.IsSpace` as `strings.TrimSpace` uses it.
fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

fn unary(args: &[Value], f: impl Fn(&[u8]) -> String) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(s(f(&string_arg(&args[0])?)))
}

fn binary(args: &[Value], f: impl Fn(&[u8], &[u8]) -> Vec<u8>) -> Result<Value, String> {
    arity(args, 2)?;
    Ok(s(f(&string_arg(&args[0])?, &string_arg(&args[1])?)))
}

fn predicate(args: &[Value], f: impl Fn(&[u8], &[u8]) -> bool) -> Result<Value, String> {
    arity(args, 2)?;
    Ok(Value::Bool(f(
        &string_arg(&args[0])?,
        &string_arg(&args[1])?,
    )))
}

/// Byte offset of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Go's `strings.Title`: the first letter of each word in title case; ASCII punctuation and
/// spaces separate words, other symbols do not.
fn title(v: &[u8]) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphabetic() || c.is_numeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut out = String::new();
    let mut prev = ' ';
    for c in text(v).chars() {
        out.push(if is_separator(prev) {
            case::title(c)
        } else {
            c
        });
        prev = c;
    }
    out
}

/// goutils' `Uncapitalize`: the first letter of each whitespace-separated word lower-cased.
fn untitle(v: &[u8]) -> String {
    let mut out = String::new();
    let mut prev_space = true;
    for c in text(v).chars() {
        out.push(if prev_space { case::lower(c) } else { c });
        prev_space = c.is_whitespace();
    }
    out
}

/// goutils' `DeleteWhiteSpace`, which reads the string byte by byte (so each byte of a
/// multi-byte character is written back as its own Latin-1 character, as Go's does).
fn delete_white_space(v: &[u8]) -> Vec<u8> {
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0);
    if !v.iter().any(|b| is_space(*b)) {
        return v.to_vec();
    }
    let mut out = String::new();
    for &b in v {
        if !is_space(b) {
            out.push(char::from(b));
        }
    }
    out.into_bytes()
}

fn trim_set(cut: &[u8], v: &[u8]) -> Vec<u8> {
    let cut = text(cut);
    text(v)
        .trim_matches(|c| cut.contains(c))
        .as_bytes()
        .to_vec()
}

fn substr(args: &[Value]) -> Result<Value, String> {
    arity(args, 3)?;
    let (start, end, v) = (
        int_arg(&args[0])?,
        int_arg(&args[1])?,
        string_arg(&args[2])?,
    );
    let len = v.len() as i64;
    let out = if start < 0 {
        if end < 0 || end > len {
            return Err("slice bounds out of range".into());
        }
        &v[..end as usize]
    } else if end < 0 || end > len {
        if start > len {
            return Err("slice bounds out of range".into());
        }
        &v[start as usize..]
    } else {
        if start > end {
            return Err("slice bounds out of range".into());
        }
        &v[start as usize..end as usize]
    };
    Ok(s(out))
}

fn trunc(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let (c, v) = (int_arg(&args[0])?, string_arg(&args[1])?);
    let len = v.len() as i64;
    let out = if c < 0 && len + c > 0 {
        &v[(len + c) as usize..]
    } else if c >= 0 && len > c {
        &v[..c as usize]
    } else {
        &v[..]
    };
    Ok(s(out))
}

/// sprig's `abbrev` (Apache commons' Abbreviate with offset 0).
fn abbrev(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let (width, v) = (int_arg(&args[0])?, string_arg(&args[1])?);
    if width < 4 || (v.len() as i64) <= width {
        return Ok(s(v));
    }
    let mut out = v[..(width - 3) as usize].to_vec();
    out.extend_from_slice(b"...");
    Ok(s(out))
}

fn repeat(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let (n, v) = (int_arg(&args[0])?, string_arg(&args[1])?);
    let n = usize::try_from(n).map_err(|_| "negative Repeat count".to_string())?;
    if v.len().saturating_mul(n) > 1024 * 1024 {
        return Err("repeat would produce more than 1 MiB".into());
    }
    Ok(s(v.repeat(n)))
}

fn quote(args: &[Value]) -> Result<Value, String> {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !matches!(a, Value::Nil))
        .map(|a| go_quote(&text(&strval(a))))
        .collect();
    Ok(s(parts.join(" ")))
}

fn squote(args: &[Value]) -> Result<Value, String> {
    let parts: Vec<Vec<u8>> = args
        .iter()
        .filter(|a| !matches!(a, Value::Nil))
        .map(|a| {
            let mut out = vec![b'\''];
            out.extend(strval(a));
            out.push(b'\'');
            out
        })
        .collect();
    Ok(s(parts.join(&b' ')))
}

fn cat(args: &[Value]) -> Result<Value, String> {
    let parts: Vec<Vec<u8>> = args
        .iter()
        .filter(|a| !matches!(a, Value::Nil))
        // `fmt.Sprintf("%v ...")`: as `strval`, but a `[]byte` prints as its numbers.
        .map(crate::core::gotemplate::fmt::sprint_one)
        .collect();
    Ok(s(parts.join(&b' ')))
}

fn indent(args: &[Value], newline: bool) -> Result<Value, String> {
    arity(args, 2)?;
    let (n, v) = (int_arg(&args[0])?, string_arg(&args[1])?);
    let n = usize::try_from(n).map_err(|_| "strings: negative Repeat count".to_string())?;
    if n.saturating_mul(v.len().max(1)) > 1024 * 1024 {
        return Err("indent would produce more than 1 MiB".into());
    }
    let pad = " ".repeat(n);
    let mut out = String::new();
    if newline {
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str(&text(&v).replace('\n', &format!("\n{pad}")));
    Ok(s(out))
}

fn replace(args: &[Value]) -> Result<Value, String> {
    arity(args, 3)?;
    let (old, new, src) = (
        string_arg(&args[0])?,
        string_arg(&args[1])?,
        string_arg(&args[2])?,
    );
    Ok(s(replace_all(&src, &old, &new)))
}

/// Go's `strings.Replace(src, old, new, -1)` (an empty `old` inserts between every rune).
fn replace_all(src: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    if old.is_empty() {
        let mut out = new.to_vec();
        for c in text(src).chars() {
            out.extend_from_slice(c.to_string().as_bytes());
            out.extend_from_slice(new);
        }
        return out;
    }
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = find(rest, old) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(new);
        rest = &rest[i + old.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn plural(args: &[Value]) -> Result<Value, String> {
    arity(args, 3)?;
    let (one, many, n) = (
        string_arg(&args[0])?,
        string_arg(&args[1])?,
        int_arg(&args[2])?,
    );
    Ok(s(if n == 1 { one } else { many }))
}

/// Go's `strings.SplitN` (`n < 0`: all parts).
fn split_parts(v: &[u8], sep: &[u8], n: i64) -> Vec<Vec<u8>> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<Vec<u8>> = text(v)
            .chars()
            .map(|c| c.to_string().into_bytes())
            .collect();
        return chars;
    }
    let mut parts = Vec::new();
    let mut rest = v;
    while n < 0 || (parts.len() as i64) < n - 1 {
        match find(rest, sep) {
            Some(i) => {
                parts.push(rest[..i].to_vec());
                rest = &rest[i + sep.len()..];
            }
            None => break,
        }
    }
    parts.push(rest.to_vec());
    parts
}

fn indexed(parts: Vec<Vec<u8>>) -> Value {
    let entries = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), s(p)))
        .collect();
    Value::Map(
        std::rc::Rc::new(std::cell::RefCell::new(entries)),
        MapKind::Strings,
    )
}

fn split(args: &[Value], _n: Option<i64>) -> Result<Value, String> {
    arity(args, 2)?;
    let (sep, v) = (string_arg(&args[0])?, string_arg(&args[1])?);
    Ok(indexed(split_parts(&v, &sep, -1)))
}

fn splitn(args: &[Value]) -> Result<Value, String> {
    arity(args, 3)?;
    let (sep, n, v) = (
        string_arg(&args[0])?,
        int_arg(&args[1])?,
        string_arg(&args[2])?,
    );
    Ok(indexed(split_parts(&v, &sep, n)))
}

fn split_list(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let (sep, v) = (string_arg(&args[0])?, string_arg(&args[1])?);
    Ok(super::collections::strings_list(split_parts(&v, &sep, -1)))
}
