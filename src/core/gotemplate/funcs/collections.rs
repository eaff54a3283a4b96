//! sprig's list, dict and default functions (`default`, `empty`, `coalesce`, `ternary`, types).

use super::numbers::{int_list, until_step};
use super::{Func, Value, arity, at_least, int_arg, s, string_arg, strval};
use crate::core::gotemplate::value::ListKind;

/// The collection functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("list", |a| Ok(Value::list(a.to_vec()))),
    ("tuple", |a| Ok(Value::list(a.to_vec()))),
    ("append", push),
    ("push", push),
    ("mustAppend", push),
    ("mustPush", push),
    ("prepend", prepend),
    ("mustPrepend", prepend),
    ("first", |a| ends(a, |l| l.first().cloned())),
    ("mustFirst", |a| ends(a, |l| l.first().cloned())),
    ("last", |a| ends(a, |l| l.last().cloned())),
    ("mustLast", |a| ends(a, |l| l.last().cloned())),
    ("rest", |a| {
        sub(a, |l| l.get(1..).unwrap_or_default().to_vec())
    }),
    ("mustRest", |a| {
        sub(a, |l| l.get(1..).unwrap_or_default().to_vec())
    }),
    ("initial", |a| {
        sub(a, |l| l[..l.len().saturating_sub(1)].to_vec())
    }),
    ("mustInitial", |a| {
        sub(a, |l| l[..l.len().saturating_sub(1)].to_vec())
    }),
    ("reverse", |a| sub(a, |l| l.iter().rev().cloned().collect())),
    ("mustReverse", |a| {
        sub(a, |l| l.iter().rev().cloned().collect())
    }),
    ("uniq", |a| sub(a, uniq)),
    ("mustUniq", |a| sub(a, uniq)),
    ("compact", |a| {
        sub(a, |l| {
            l.iter().filter(|v| !empty_value(v)).cloned().collect()
        })
    }),
    ("mustCompact", |a| {
        sub(a, |l| {
            l.iter().filter(|v| !empty_value(v)).cloned().collect()
        })
    }),
    ("without", without),
    ("mustWithout", without),
    ("has", has),
    ("mustHas", has),
    ("slice", slice),
    ("mustSlice", slice),
    ("concat", concat),
    ("chunk", chunk),
    ("mustChunk", chunk),
    ("sortAlpha", sort_alpha),
    ("join", join),
    ("toStrings", |a| {
        arity(a, 1)?;
        Ok(strings_list(strslice(&a[0])))
    }),
    ("until", |a| {
        let n = int_arg(&a[0])?;
        Ok(int_list(until_step(0, n, if n < 0 { -1 } else { 1 })?))
    }),
    ("untilStep", |a| {
        Ok(int_list(until_step(
            int_arg(&a[0])?,
            int_arg(&a[1])?,
            int_arg(&a[2])?,
        )?))
    }),
    ("default", default),
    ("empty", |a| {
        arity(a, 1)?;
        Ok(Value::Bool(empty_value(&a[0])))
    }),
    ("coalesce", |a| {
        Ok(a.iter()
            .find(|v| !empty_value(v))
            .cloned()
            .unwrap_or(Value::Nil))
    }),
    ("all", |a| {
        Ok(Value::Bool(a.iter().all(|v| !empty_value(v))))
    }),
    ("any", |a| {
        Ok(Value::Bool(a.iter().any(|v| !empty_value(v))))
    }),
    ("ternary", |a| {
        arity(a, 3)?;
        match a[2] {
            Value::Bool(b) => Ok(if b { a[0].clone() } else { a[1].clone() }),
            ref other => Err(format!(
                "wrong type for value; expected bool; got {}",
                other.type_name()
            )),
        }
    }),
    ("deepEqual", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(a[0] == a[1]))
    }),
    ("typeOf", |a| {
        arity(a, 1)?;
        Ok(s(a[0].type_name()))
    }),
    ("typeIs", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(
            string_arg(&a[0])? == a[1].type_name().as_bytes(),
        ))
    }),
    ("typeIsLike", |a| {
        arity(a, 2)?;
        let t = string_arg(&a[0])?;
        let name = a[1].type_name().as_bytes();
        Ok(Value::Bool(
            t == name || (name.first() == Some(&b'*') && name[1..] == t),
        ))
    }),
    ("hello", |_| Ok(s("Hello!"))),
    ("kindOf", |a| {
        arity(a, 1)?;
        Ok(s(a[0].kind_name()))
    }),
    ("kindIs", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(
            string_arg(&a[0])? == a[1].kind_name().as_bytes(),
        ))
    }),
];

/// sprig's `empty`: nil, false, 0, "" and empty collections.
pub fn empty_value(v: &Value) -> bool {
    !v.truthy()
}

/// sprig's `strslice`: a list's non-nil items as strings; nil → none; anything else → itself.
pub fn strslice(v: &Value) -> Vec<Vec<u8>> {
    match v {
        Value::List(l, _) => l
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(strval)
            .collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// A slice argument of sprig's list functions (any slice type; nil or anything else fails).
fn list_arg(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::List(l, _) => Ok(l.to_vec()),
        Value::Nil => Err("the list is nil".into()),
        other => Err(format!("Cannot use type {} as a list", other.kind_name())),
    }
}

fn push(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let mut l = list_arg(&args[0])?;
    l.push(args[1].clone());
    Ok(Value::list(l))
}

fn prepend(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let mut l = list_arg(&args[0])?;
    l.insert(0, args[1].clone());
    Ok(Value::list(l))
}

fn ends(args: &[Value], f: fn(&[Value]) -> Option<Value>) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(f(&list_arg(&args[0])?).unwrap_or(Value::Nil))
}

fn sub(args: &[Value], f: fn(&[Value]) -> Vec<Value>) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(Value::list(f(&list_arg(&args[0])?)))
}

fn uniq(l: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in l {
        if !out.iter().any(|o| o.deep_equal(v)) {
            out.push(v.clone());
        }
    }
    out
}

fn without(args: &[Value]) -> Result<Value, String> {
    at_least(args, 1)?;
    let l = list_arg(&args[0])?;
    Ok(Value::list(
        l.into_iter()
            .filter(|v| !args[1..].iter().any(|o| o.deep_equal(v)))
            .collect(),
    ))
}

fn has(args: &[Value]) -> Result<Value, String> {
    if let Value::Nil = args[1] {
        return Ok(Value::Bool(false));
    }
    Ok(Value::Bool(
        list_arg(&args[1])?.iter().any(|v| v.deep_equal(&args[0])),
    ))
}

/// sprig's `slice`: `list[start:end]` of any slice, keeping its type; nil for an empty list.
fn slice(args: &[Value]) -> Result<Value, String> {
    let (items, kind) = match &args[0] {
        Value::List(l, k) => (l.to_vec(), *k),
        other => {
            return Err(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            ));
        }
    };
    if items.is_empty() {
        return Ok(Value::Nil);
    }
    let start = args.get(1).map(super::numbers::to_int64).unwrap_or(0);
    let end = args
        .get(2)
        .map(super::numbers::to_int64)
        .unwrap_or(items.len() as i64);
    let (Ok(a), Ok(b)) = (usize::try_from(start), usize::try_from(end)) else {
        return Err("slice bounds out of range".into());
    };
    let part = items.get(a..b).ok_or("slice bounds out of range")?;
    Ok(Value::typed_list(part.to_vec(), kind))
}

fn concat(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for l in args {
        match l {
            Value::List(items, _) => out.extend(items.iter().cloned()),
            other => return Err(format!("Cannot concat type {} as list", other.kind_name())),
        }
    }
    Ok(Value::list(out))
}

/// sprig's `chunk`, including what its float arithmetic does with sizes below 1.
fn chunk(args: &[Value]) -> Result<Value, String> {
    let size = int_arg(&args[0])?;
    let l = list_arg(&args[1])?;
    let len = l.len() as i64;
    if size == 0 {
        return Err("chunk size must not be zero".into());
    }
    let count = ((len - 1) as f64 / size as f64).floor() as i64 + 1;
    if count < 0 {
        return Err("chunk size out of range".into());
    }
    let mut out = Vec::new();
    for i in 0..count {
        let mut clen = size;
        if i == count - 1 {
            clen = (len as f64 % size as f64).floor() as i64;
            if clen == 0 {
                clen = size;
            }
        }
        let clen = usize::try_from(clen).map_err(|_| "chunk size out of range")?;
        let from = (i * size) as usize;
        let part = l.get(from..from + clen).ok_or("chunk index out of range")?;
        out.push(Value::list(part.to_vec()));
    }
    Ok(Value::typed_list(out, ListKind::Lists))
}

fn sort_alpha(args: &[Value]) -> Result<Value, String> {
    let mut items = match &args[0] {
        Value::List(..) => strslice(&args[0]),
        other => vec![strval(other)],
    };
    items.sort();
    Ok(strings_list(items))
}

/// A `[]string` value.
pub fn strings_list(items: Vec<Vec<u8>>) -> Value {
    Value::typed_list(items.into_iter().map(s).collect(), ListKind::Strings)
}

fn join(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let sep = string_arg(&args[0])?;
    Ok(s(strslice(&args[1]).join(&sep[..])))
}

fn default(args: &[Value]) -> Result<Value, String> {
    at_least(args, 1)?;
    match args.get(1) {
        Some(given) if !empty_value(given) => Ok(given.clone()),
        _ => Ok(args[0].clone()),
    }
}
