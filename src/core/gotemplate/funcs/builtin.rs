//! Go `text/template`'s own functions (sprig's `slice` replaces Go's, as in ESO's function map).

use std::cmp::Ordering;

use super::{Func, Value, arity, at_least, s, text};
use crate::core::gotemplate::printf::{sprint_one, sprintf};
use crate::core::gotemplate::value::MapKind;

/// The builtins.
pub const FUNCS: &[(&str, Func)] = &[
    ("and", and),
    ("or", or),
    ("not", not),
    ("len", len),
    ("index", index),
    ("print", print),
    ("printf", printf),
    ("println", println),
    ("eq", eq),
    ("ne", ne),
    ("lt", lt),
    ("le", le),
    ("gt", gt),
    ("ge", ge),
    ("html", html),
    ("js", js),
    ("urlquery", urlquery),
];

fn and(args: &[Value]) -> Result<Value, String> {
    at_least(args, 1)?;
    Ok(args
        .iter()
        .find(|a| !a.truthy())
        .unwrap_or(&args[args.len() - 1])
        .clone())
}

fn or(args: &[Value]) -> Result<Value, String> {
    at_least(args, 1)?;
    Ok(args
        .iter()
        .find(|a| a.truthy())
        .unwrap_or(&args[args.len() - 1])
        .clone())
}

fn not(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(Value::Bool(!args[0].truthy()))
}

fn len(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    let n = match &args[0] {
        Value::Str(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m, _) => m.borrow().len(),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::Int(n as i64))
}

fn index(args: &[Value]) -> Result<Value, String> {
    at_least(args, 1)?;
    let mut item = args[0].clone();
    for key in &args[1..] {
        item = match (&item, key) {
            (Value::List(l), Value::Int(i)) => usize::try_from(*i)
                .ok()
                .and_then(|i| l.get(i))
                .cloned()
                .ok_or_else(|| format!("index out of range: {i}"))?,
            (Value::Str(b), Value::Int(i)) => usize::try_from(*i)
                .ok()
                .and_then(|i| b.get(i))
                .map(|b| Value::Int(i64::from(*b)))
                .ok_or_else(|| format!("index out of range: {i}"))?,
            (Value::Map(m, kind), Value::Str(k)) => {
                let k = text(k);
                match m.borrow().get(k.as_ref()) {
                    Some(v) => v.clone(),
                    None if *kind == MapKind::Strings => s(""),
                    None => Value::Nil,
                }
            }
            (Value::Map(..), Value::Nil) => Value::Nil,
            (Value::Nil, _) => return Err("index of untyped nil".into()),
            (Value::List(_) | Value::Str(_), k) => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    k.type_name()
                ));
            }
            (Value::Map(..), k) => {
                return Err(format!(
                    "value has type {}; should be string",
                    k.type_name()
                ));
            }
            (other, _) => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// `fmt.Sprint`: a space between operands when neither is a string.
fn print(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = |v: &Value| matches!(v, Value::Str(_));
        if i > 0 && !is_str(a) && !is_str(&args[i - 1]) {
            out.push(b' ');
        }
        out.extend(sprint_one(a));
    }
    Ok(s(out))
}

fn println(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend(sprint_one(a));
    }
    out.push(b'\n');
    Ok(s(out))
}

fn printf(args: &[Value]) -> Result<Value, String> {
    at_least(args, 1)?;
    let format = super::string_arg(&args[0])?;
    Ok(s(sprintf(&format, &args[1..])))
}

/// Go's basic kinds for comparison: ints with ints, floats with floats, strings with strings.
fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, String> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(y))),
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(y)),
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.cmp(y))),
        (Value::Bool(x), Value::Bool(y)) => Ok((x == y).then_some(Ordering::Equal)),
        (Value::Nil, Value::Nil) => Ok((true).then_some(Ordering::Equal)),
        (Value::List(_) | Value::Map(..), _) | (_, Value::List(_) | Value::Map(..)) => {
            Err("non-comparable type".into())
        }
        _ => Err("incompatible types for comparison".into()),
    }
}

fn eq(args: &[Value]) -> Result<Value, String> {
    at_least(args, 2)?;
    for b in &args[1..] {
        if compare(&args[0], b)? == Some(Ordering::Equal) {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn ne(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    Ok(Value::Bool(
        compare(&args[0], &args[1])? != Some(Ordering::Equal),
    ))
}

fn ordered(args: &[Value], ok: fn(Ordering) -> bool) -> Result<Value, String> {
    arity(args, 2)?;
    if matches!(args[0], Value::Bool(_) | Value::Nil) {
        return Err("invalid type for comparison".into());
    }
    Ok(Value::Bool(compare(&args[0], &args[1])?.is_some_and(ok)))
}

fn lt(args: &[Value]) -> Result<Value, String> {
    ordered(args, |o| o == Ordering::Less)
}

fn le(args: &[Value]) -> Result<Value, String> {
    ordered(args, |o| o != Ordering::Greater)
}

fn gt(args: &[Value]) -> Result<Value, String> {
    ordered(args, |o| o == Ordering::Greater)
}

fn ge(args: &[Value]) -> Result<Value, String> {
    ordered(args, |o| o != Ordering::Less)
}

/// The arguments as one string, as Go's escapers see them (`fmt.Sprint`, or the one string).
fn joined(args: &[Value]) -> Vec<u8> {
    match args {
        [Value::Str(b)] => b.to_vec(),
        _ => print(args)
            .ok()
            .and_then(|v| v.as_bytes().map(<[u8]>::to_vec))
            .unwrap_or_default(),
    }
}

fn html(args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    for c in text(&joined(args)).chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Ok(s(out))
}

fn js(args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    for c in text(&joined(args)).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
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

fn urlquery(args: &[Value]) -> Result<Value, String> {
    Ok(s(query_escape(&joined(args))))
}
