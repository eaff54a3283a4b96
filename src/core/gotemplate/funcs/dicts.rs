//! sprig's dict functions: `dict`, `get`, `set`, `unset`, `hasKey`, `pluck`, `keys`, `values`,
//! `pick`, `omit`, mergo's `merge`/`mergeOverwrite`, `dig` and copystructure's `deepCopy`.

use std::collections::BTreeMap;

use super::collections::{empty_value, strings_list};
use super::{Func, Value, arity, at_least, s, string_arg, strval, text};
use crate::core::gotemplate::value::{ListKind, MapKind};

/// The dict functions.
pub const FUNCS: &[(&str, Func)] = &[
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
    ("deepCopy", |a| copy_of(&a[0])),
    ("mustDeepCopy", |a| copy_of(&a[0])),
];

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
        // A struct's unexported fields are not copied: a semantic version comes back as zero.
        Value::Version(_, pointer) => Value::Version(
            std::rc::Rc::new(crate::core::gotemplate::value::SemVer {
                major: 0,
                minor: 0,
                patch: 0,
                pre: String::new(),
                meta: String::new(),
                original: String::new(),
            }),
            *pointer,
        ),
        other => other.clone(),
    }
}
