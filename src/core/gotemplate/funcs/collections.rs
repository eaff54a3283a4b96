//! sprig's list, dict and default functions (`default`, `empty`, `coalesce`, `ternary`, types).

use std::collections::BTreeMap;

use super::numbers::{int_list, until_step};
use super::{Func, Value, arity, at_least, int_arg, s, string_arg, strval, text};
use crate::core::gotemplate::value::{ListKind, MapKind};

/// The collection functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("list", |a| Ok(Value::list(a.to_vec()))),
    ("tuple", |a| Ok(Value::list(a.to_vec()))),
    ("dict", dict),
    ("get", get),
    ("set", set),
    ("unset", unset),
    ("hasKey", has_key),
    ("pluck", pluck),
    ("keys", keys),
    ("values", values),
    ("pick", |a| pick(a, true)),
    ("omit", |a| pick(a, false)),
    ("merge", |a| merge(a, false)),
    ("mustMerge", |a| merge(a, false)),
    ("mergeOverwrite", |a| merge(a, true)),
    ("mustMergeOverwrite", |a| merge(a, true)),
    ("dig", dig),
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
            t == name || (t.first() == Some(&b'*') && &t[1..] == name),
        ))
    }),
    ("deepCopy", |a| copy_of(&a[0])),
    ("mustDeepCopy", |a| copy_of(&a[0])),
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

/// A `map[string]interface{}` argument; nil is Go's nil map (empty to read).
fn map_arg(v: &Value) -> Result<MapRef, String> {
    match v {
        Value::Map(m, _) => Ok(m.clone()),
        Value::Nil => Ok(MapRef::default()),
        other => Err(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            other.type_name()
        )),
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

fn key(v: &Value) -> String {
    text(&strval(v)).into_owned()
}

fn dict(args: &[Value]) -> Result<Value, String> {
    let mut m = BTreeMap::new();
    for pair in args.chunks(2) {
        m.insert(key(&pair[0]), pair.get(1).cloned().unwrap_or_else(|| s("")));
    }
    Ok(Value::map(m))
}

fn get(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let m = map_arg(&args[0])?;
    let k = text(&string_arg(&args[1])?).into_owned();
    Ok(m.borrow().get(&k).cloned().unwrap_or_else(|| s("")))
}

fn set(args: &[Value]) -> Result<Value, String> {
    if let Value::Nil = args[0] {
        return Err("assignment to entry in nil map".into());
    }
    let m = map_arg(&args[0])?;
    let k = text(&string_arg(&args[1])?).into_owned();
    m.borrow_mut().insert(k, args[2].clone());
    Ok(args[0].clone())
}

fn unset(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let m = map_arg(&args[0])?;
    let k = text(&string_arg(&args[1])?).into_owned();
    m.borrow_mut().remove(&k);
    Ok(Value::Map(m, MapKind::Any))
}

fn has_key(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let m = map_arg(&args[0])?;
    let k = text(&string_arg(&args[1])?).into_owned();
    Ok(Value::Bool(m.borrow().contains_key(&k)))
}

fn pluck(args: &[Value]) -> Result<Value, String> {
    at_least(args, 1)?;
    let k = text(&string_arg(&args[0])?).into_owned();
    let mut out = Vec::new();
    for d in &args[1..] {
        if let Some(v) = map_arg(d)?.borrow().get(&k) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

fn keys(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for d in args {
        out.extend(map_arg(d)?.borrow().keys().map(|k| k.as_bytes().to_vec()));
    }
    Ok(strings_list(out))
}

fn values(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(Value::list(
        map_arg(&args[0])?.borrow().values().cloned().collect(),
    ))
}

fn pick(args: &[Value], keep: bool) -> Result<Value, String> {
    at_least(args, 1)?;
    let m = map_arg(&args[0])?.borrow().clone();
    let named: Vec<String> = args[1..]
        .iter()
        .map(|k| string_arg(k).map(|b| text(&b).into_owned()))
        .collect::<Result<_, _>>()?;
    Ok(Value::map(
        m.into_iter()
            .filter(|(k, _)| named.contains(k) == keep)
            .collect(),
    ))
}

/// mergo's `deepMerge` of two maps (`Merge`, or `MergeWithOverwrite` when `overwrite`), with its
/// quirks: a nil source entry only counts when overwriting, nested maps merge in place, and a
/// non-empty destination entry is kept unless overwriting.
fn merge_into(dst: &MapRef, src: &BTreeMap<String, Value>, overwrite: bool) {
    let dst_was_empty = dst.borrow().is_empty();
    for (k, v) in src {
        let existing = dst.borrow().get(k).cloned();
        match v {
            Value::Nil => {
                if overwrite {
                    dst.borrow_mut().insert(k.clone(), Value::Nil);
                }
                continue;
            }
            Value::Map(src_inner, _) => {
                if let Some(Value::Map(dst_inner, _)) = &existing
                    && !std::rc::Rc::ptr_eq(dst_inner, src_inner)
                {
                    let src_entries = src_inner.borrow().clone();
                    merge_into(dst_inner, &src_entries, overwrite);
                }
            }
            Value::List(..) => {
                let replaced = overwrite || dst_was_empty;
                let kept = match &existing {
                    _ if replaced => v.clone(),
                    Some(Value::Nil) | None => Value::typed_list(Vec::new(), list_kind(v)),
                    Some(e) => e.clone(),
                };
                dst.borrow_mut().insert(k.clone(), kept);
            }
            _ => {}
        }
        if let Some(e) = &existing
            && !empty_value(e)
            && (matches!(v, Value::List(..))
                || (matches!(v, Value::Map(..)) && matches!(e, Value::Map(..))))
        {
            continue;
        }
        if overwrite || existing.as_ref().is_none_or(empty_value) {
            dst.borrow_mut().insert(k.clone(), v.clone());
        }
    }
}

fn list_kind(v: &Value) -> crate::core::gotemplate::value::ListKind {
    match v {
        Value::List(_, k) => *k,
        _ => ListKind::Any,
    }
}

type MapRef = std::rc::Rc<std::cell::RefCell<BTreeMap<String, Value>>>;

fn merge(args: &[Value], overwrite: bool) -> Result<Value, String> {
    at_least(args, 1)?;
    let dst = map_arg(&args[0])?;
    for src in &args[1..] {
        let src = map_arg(src)?.borrow().clone();
        merge_into(&dst, &src, overwrite);
    }
    Ok(Value::Map(dst, MapKind::Any))
}

/// sprig's `dig`: keys must be strings and every step a `map[string]interface{}` (Go's type
/// assertions fail otherwise); a missing key gives the default.
fn dig(args: &[Value]) -> Result<Value, String> {
    if args.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let (path, rest) = args.split_at(args.len() - 2);
    let (default, dict) = (&rest[0], &rest[1]);
    let not_a_map = |v: &Value| {
        format!(
            "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            v.type_name()
        )
    };
    let keys: Vec<String> = path
        .iter()
        .map(|k| match k {
            Value::Str(b) => Ok(text(b).into_owned()),
            other => Err(format!(
                "interface conversion: interface {{}} is {}, not string",
                other.type_name()
            )),
        })
        .collect::<Result<_, _>>()?;
    let mut cur = match dict {
        Value::Map(m, MapKind::Any) => m.clone(),
        other => return Err(not_a_map(other)),
    };
    for (i, k) in keys.iter().enumerate() {
        let step = cur.borrow().get(k).cloned();
        let Some(step) = step else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        cur = match step {
            Value::Map(m, MapKind::Any) => m,
            other => return Err(not_a_map(&other)),
        };
    }
    Ok(default.clone())
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

fn copy_of(v: &Value) -> Result<Value, String> {
    match v {
        Value::Nil => Err("cannot copy nil".into()),
        other => Ok(deep_copy(other)),
    }
}

/// copystructure's `Copy`: maps and slices are copied all the way down.
fn deep_copy(v: &Value) -> Value {
    match v {
        Value::Map(m, kind) => Value::Map(
            std::rc::Rc::new(std::cell::RefCell::new(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), deep_copy(v)))
                    .collect(),
            )),
            *kind,
        ),
        Value::List(l, kind) => Value::typed_list(l.iter().map(deep_copy).collect(), *kind),
        other => other.clone(),
    }
}
