//! Go `text/template`'s own functions (sprig's `slice` replaces Go's, as in ESO's function map).

use super::{Func, Value, s, text};
use crate::core::gotemplate::fmt::{is_print, runes, sprint, sprintf, sprintln};
use crate::core::gotemplate::value::MapKind;

/// The builtins (`and`/`or` are evaluated lazily by the executor; these are for piped calls).
pub const FUNCS: &[(&str, Func)] = &[
    ("and", |a| {
        Ok(a.iter()
            .find(|v| !v.truthy())
            .or(a.last())
            .cloned()
            .unwrap_or(Value::Nil))
    }),
    ("or", |a| {
        Ok(a.iter()
            .find(|v| v.truthy())
            .or(a.last())
            .cloned()
            .unwrap_or(Value::Nil))
    }),
    ("not", |a| Ok(Value::Bool(!a[0].truthy()))),
    ("len", len),
    ("index", index),
    ("print", |a| Ok(s(sprint(a)))),
    ("printf", |a| {
        Ok(s(sprintf(a[0].as_bytes().unwrap_or_default(), &a[1..])))
    }),
    ("println", |a| Ok(s(sprintln(a)))),
    ("eq", eq),
    ("ne", |a| Ok(Value::Bool(!equal(&a[0], &a[1])?))),
    ("lt", |a| Ok(Value::Bool(less(&a[0], &a[1])?))),
    ("le", |a| {
        Ok(Value::Bool(less(&a[0], &a[1])? || equal(&a[0], &a[1])?))
    }),
    ("gt", |a| {
        Ok(Value::Bool(!(less(&a[0], &a[1])? || equal(&a[0], &a[1])?)))
    }),
    ("ge", |a| Ok(Value::Bool(!less(&a[0], &a[1])?))),
    ("html", html),
    ("js", js),
    ("urlquery", |a| Ok(s(query_escape(&joined(a))))),
];

fn len(args: &[Value]) -> Result<Value, String> {
    let n = match &args[0] {
        Value::Str(b) => b.len(),
        Value::List(l, _) => l.len(),
        Value::Map(m, _) => m.borrow().len(),
        Value::Nil => return Err("len of nil pointer".into()),
        // Go dereferences a pointer first.
        Value::Version(..) => return Err("len of type semver.Version".into()),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::Int(n as i64))
}

/// Go's `indexArg`: an integer index within `cap`.
fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x = match index {
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        v => v
            .as_int()
            .ok_or_else(|| format!("cannot index slice/array with type {}", v.type_name()))?,
    };
    usize::try_from(x)
        .ok()
        .filter(|x| *x <= cap)
        .ok_or_else(|| "index out of range".to_string())
}

fn index(args: &[Value]) -> Result<Value, String> {
    let mut item = args[0].clone();
    if let Value::Nil = item {
        return Err("index of untyped nil".into());
    }
    for key in &args[1..] {
        item = match &item {
            Value::List(l, _) => {
                let i = index_arg(key, l.len())?;
                l.get(i)
                    .cloned()
                    .ok_or_else(|| "index out of range".to_string())?
            }
            Value::Str(b) => {
                let i = index_arg(key, b.len())?;
                Value::Uint8(*b.get(i).ok_or_else(|| "index out of range".to_string())?)
            }
            Value::Map(m, kind) => {
                let k = match key {
                    Value::Str(k) => text(k).into_owned(),
                    Value::Nil => return Err("value is nil; should be of type string".into()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                match m.borrow().get(&k) {
                    Some(v) => v.clone(),
                    None if *kind == MapKind::Strings => s(""),
                    None => Value::Nil,
                }
            }
            Value::Nil => return Err("index of nil pointer".into()),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// Go's basic kinds for comparison.
#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    Str,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint8(_) | Value::Uint64(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::Str(_) => Kind::Str,
        _ => Kind::Invalid,
    }
}

/// An integer of any Go integer type, exactly (a `uint64` above `i64::MAX` included).
fn wide(v: &Value) -> Option<i128> {
    match v {
        Value::Uint64(u) => Some(i128::from(*u)),
        other => other.as_int().map(i128::from),
    }
}

/// Go's `eq` for two values.
fn equal(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int | Kind::Uint, Kind::Int | Kind::Uint) => Ok(wide(a) == wide(b)),
            _ if matches!(a, Value::Nil) || matches!(b, Value::Nil) => Ok(false),
            _ => Err(format!(
                "incompatible types for comparison: {} and {}",
                a.type_name(),
                b.type_name()
            )),
        };
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ if k1 != Kind::Invalid => wide(a) == wide(b),
        (Value::Nil, _) | (_, Value::Nil) => matches!(a, Value::Nil) == matches!(b, Value::Nil),
        // Pointers compare by address, the structs `Inc*`/`Set*` return by their fields.
        (Value::Version(x, true), Value::Version(y, true)) => std::rc::Rc::ptr_eq(x, y),
        (Value::Version(x, false), Value::Version(y, false)) => x == y,
        (Value::List(..), Value::Map(..)) | (Value::Map(..), Value::List(..)) => {
            return Err("non-comparable types".into());
        }
        _ => return Err("non-comparable type".into()),
    })
}

fn eq(args: &[Value]) -> Result<Value, String> {
    if args.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    for b in &args[1..] {
        if equal(&args[0], b)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

/// Go's `lt`.
fn less(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int | Kind::Uint, Kind::Int | Kind::Uint) => Ok(wide(a) < wide(b)),
            _ => Err(format!(
                "incompatible types for comparison: {} and {}",
                a.type_name(),
                b.type_name()
            )),
        };
    }
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::Str(x), Value::Str(y)) => Ok(x < y),
        (Value::Bool(_), _) => Err("invalid type for comparison".into()),
        _ => Ok(wide(a) < wide(b)),
    }
}

/// The arguments as one string, as Go's escapers see them (`evalArgs`).
fn joined(args: &[Value]) -> Vec<u8> {
    if let [Value::Str(b)] = args {
        return b.to_vec();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Nil => s("<no value>"),
            other => other.clone(),
        })
        .collect();
    sprint(&printable)
}

fn html(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for &b in &joined(args) {
        match b {
            b'"' => out.extend_from_slice(b"&#34;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            0 => out.extend_from_slice("\u{fffd}".as_bytes()),
            b => out.push(b),
        }
    }
    Ok(s(out))
}

fn js(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for (c, raw) in runes(&joined(args)) {
        match c {
            Some('\\') => out.extend_from_slice(b"\\\\"),
            Some('\'') => out.extend_from_slice(b"\\'"),
            Some('"') => out.extend_from_slice(b"\\\""),
            Some('<') => out.extend_from_slice(b"\\u003C"),
            Some('>') => out.extend_from_slice(b"\\u003E"),
            Some('&') => out.extend_from_slice(b"\\u0026"),
            Some('=') => out.extend_from_slice(b"\\u003D"),
            Some(c) if c < ' ' => {
                out.extend_from_slice(format!("\\u00{:02X}", c as u32).as_bytes())
            }
            Some(c) if !c.is_ascii() && !is_print(c) => {
                out.extend_from_slice(format!("\\u{:04X}", c as u32).as_bytes())
            }
            _ => out.extend_from_slice(raw),
        }
    }
    Ok(s(out))
}

/// Go's `url.QueryEscape`.
pub fn query_escape(input: &[u8]) -> String {
    let mut out = String::new();
    for &b in input {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
