//! `dataFrom[].rewrite`: ESO's rewrite operations on an entry's keys and values, applied in order —
//! `regexp` and `transform` rename keys, `merge` combines JSON values. Two keys renamed to one are
//! an error here (ESO overwrites silently), never a lost value.

use std::collections::BTreeMap;

use crate::api::{MergeConflictPolicy, MergePriorityPolicy, MergeStrategy, Rewrite, RewriteMerge};
use crate::core::gotemplate;
use crate::core::keys::KeyError;

/// One compiled operation.
enum Op<'a> {
    Regexp(regex::Regex, &'a str),
    Transform(gotemplate::Template),
    Merge(&'a RewriteMerge),
}

/// Compiles the operations; the error names the first invalid one.
fn compile(rewrites: &[Rewrite]) -> Result<Vec<Op<'_>>, String> {
    rewrites
        .iter()
        .enumerate()
        .map(|(i, r)| match (&r.regexp, &r.transform, &r.merge) {
            (Some(re), None, None) => regex::Regex::new(&re.source)
                .map(|c| Op::Regexp(c, re.target.as_str()))
                .map_err(|e| {
                    format!("rewrite[{i}].regexp.source is not a valid regular expression: {e}")
                }),
            (None, Some(t), None) => gotemplate::parse(&t.template)
                .map(Op::Transform)
                .map_err(|e| format!("rewrite[{i}].transform.template: {e}")),
            (None, None, Some(m)) => {
                if m.strategy == MergeStrategy::Json && m.into.is_empty() {
                    Err(format!("rewrite[{i}].merge: strategy JSON needs `into`"))
                } else {
                    Ok(Op::Merge(m))
                }
            }
            _ => Err(format!(
                "rewrite[{i}]: set exactly one of regexp, transform or merge"
            )),
        })
        .collect()
}

/// Checks every operation (regular expressions compile, templates parse, merge settings).
pub fn check(rewrites: &[Rewrite]) -> Result<(), String> {
    compile(rewrites).map(|_| ())
}

/// Applies the operations in order to an entry's keys and raw values (decoding comes after, as in
/// ESO).
pub fn apply(
    rewrites: &[Rewrite],
    entries: BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, Vec<u8>>, KeyError> {
    let ops = compile(rewrites).map_err(KeyError::Rewrite)?;
    let mut current = entries;
    for (i, op) in ops.iter().enumerate() {
        current = match op {
            Op::Regexp(re, target) => {
                rename(current, |k| Ok(re.replace_all(k, *target).into_owned()))?
            }
            Op::Transform(t) => rename(current, |k| {
                let data = BTreeMap::from([("value".to_string(), k.as_bytes().to_vec())]);
                let out = gotemplate::execute_lenient(t, &data)
                    .map_err(|e| KeyError::Rewrite(format!("rewrite[{i}].transform: {e}")))?;
                Ok(String::from_utf8_lossy(&out).into_owned())
            })?,
            Op::Merge(m) => merge(m, current)
                .map_err(|e| KeyError::Rewrite(format!("rewrite[{i}].merge: {e}")))?,
        };
    }
    // ESO drops a key that became empty.
    current.remove("");
    Ok(current)
}

/// Renames every key; two keys becoming one is an error naming both.
fn rename(
    entries: BTreeMap<String, Vec<u8>>,
    f: impl Fn(&str) -> Result<String, KeyError>,
) -> Result<BTreeMap<String, Vec<u8>>, KeyError> {
    let mut out = BTreeMap::new();
    let mut origin: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in entries {
        let renamed = f(&key)?;
        if let Some(first) = origin.insert(renamed.clone(), key.clone()) {
            return Err(KeyError::Collision {
                first,
                second: key,
                key: renamed,
            });
        }
        out.insert(renamed, value);
    }
    Ok(out)
}

/// ESO's `RewriteMerge`: each value is a JSON object; members merge in key order with the
/// `priority` keys last; `Extract` makes each member a key, `JSON` writes the object to `into`.
fn merge(
    m: &RewriteMerge,
    entries: BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut order: Vec<&String> = entries.keys().filter(|k| !m.priority.contains(k)).collect();
    order.extend(m.priority.iter());
    let mut merged: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut conflicts: Vec<String> = Vec::new();
    for key in order {
        let Some(value) = entries.get(key) else {
            match m.priority_policy {
                MergePriorityPolicy::IgnoreNotFound => continue,
                MergePriorityPolicy::Strict => {
                    return Err(format!("key {key:?} not found in the entry"));
                }
            }
        };
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(value)
            .map_err(|_| format!("the value of key {key:?} is not a JSON object"))?;
        for (member, v) in object {
            if merged.insert(member.clone(), v).is_some() {
                conflicts.push(member);
            }
        }
    }
    if m.conflict_policy == MergeConflictPolicy::Error && !conflicts.is_empty() {
        return Err(format!("conflicting members: {}", conflicts.join(", ")));
    }
    match m.strategy {
        MergeStrategy::Extract => Ok(merged
            .into_iter()
            .map(|(k, v)| (k, byte_value(&v)))
            .collect()),
        MergeStrategy::Json => {
            let object = serde_json::Value::Object(merged.into_iter().collect());
            let text = gotemplate::to_json(&gotemplate::from_json(&object), false);
            let mut out = entries;
            out.insert(m.into.clone(), text.into_bytes());
            Ok(out)
        }
    }
}

/// ESO's `GetByteValue` of a merged member: strings as they are, numbers in plain decimal, objects
/// and arrays as Go's JSON, null as nothing.
fn byte_value(v: &serde_json::Value) -> Vec<u8> {
    match v {
        serde_json::Value::String(s) => s.clone().into_bytes(),
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Bool(b) => b.to_string().into_bytes(),
        serde_json::Value::Number(n) => format!("{}", n.as_f64().unwrap_or(0.0)).into_bytes(),
        other => gotemplate::to_json(&gotemplate::from_json(other), true).into_bytes(),
    }
}

#[cfg(test)]
#[path = "rewrite_tests.rs"]
mod tests;
