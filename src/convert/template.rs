//! `target.template`: ESO's engine v2 templates are carried over unchanged and rendered by
//! secretsync's Go template engine (`engineVersion: v2`), so they give the same bytes; a template
//! that engine refuses (a function reading the clock, randomness or the environment, or one not
//! supported yet) is refused here with the reason, entry by entry.

use serde_json::{Map, Value};

use super::report::{Fields, Refusals, join_key};
use crate::core::gotemplate;

/// Converts `target.template` (its `type` was read by the target's converter); `generic`: the
/// target is a generic one (`target.manifest`), where `templateFrom` may target a nested path.
pub(crate) fn secret_template(
    v: &Value,
    path: &str,
    generic: bool,
    r: &mut Refusals,
) -> Map<String, Value> {
    let mut f = Fields::new(v, path, r);
    let mut out = Map::new();
    f.take("type");
    match f.string("engineVersion", r) {
        None | Some("v2") => {}
        Some(other) => r.refuse_object(
            f.at("engineVersion"),
            format!(
                "{other}: only ESO's engine v2 (Go text/template with sprig) is rendered; engine v1 \
                 was removed from ESO"
            ),
        ),
    }
    out.insert("engineVersion".into(), "v2".into());
    if let Some(m) = f.take("metadata") {
        let meta = metadata(m, &f.at("metadata"), r);
        if !meta.is_empty() {
            out.insert("metadata".into(), Value::Object(meta));
        }
    }
    match f.string("mergePolicy", r) {
        Some(p @ ("Replace" | "Merge")) => {
            out.insert("mergePolicy".into(), p.into());
        }
        Some(other) => r.refuse(f.at("mergePolicy"), format!("unknown value {other:?}")),
        None => {}
    }
    if let Some(data) = f.take("data") {
        let kept = templates(data, &f.at("data"), r);
        if !kept.is_empty() {
            out.insert("data".into(), Value::Object(kept));
        }
    }
    if let Some(list) = f.take("templateFrom") {
        let at = f.at("templateFrom");
        match list.as_array() {
            Some(items) => {
                let kept: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| template_from(item, &format!("{at}[{i}]"), generic, r))
                    .collect();
                if !kept.is_empty() {
                    out.insert("templateFrom".into(), Value::Array(kept));
                }
            }
            None => r.refuse(at, "expected a list"),
        }
    }
    f.finish(r);
    out
}

/// Checks one template with secretsync's Go template engine.
fn checked(source: &str, at: &str, r: &mut Refusals) -> bool {
    match gotemplate::parse(source) {
        Ok(_) => true,
        Err(e) => {
            r.refuse(at, format!("template: {e}"));
            false
        }
    }
}

/// A map of key → template; entries the engine refuses are left out.
fn templates(v: &Value, at: &str, r: &mut Refusals) -> Map<String, Value> {
    let mut kept = Map::new();
    let Some(map) = v.as_object() else {
        r.refuse(at, "expected a mapping");
        return kept;
    };
    for (key, value) in map {
        let key_at = join_key(at, key);
        match value.as_str() {
            Some(s) if checked(s, &key_at, r) => {
                kept.insert(key.clone(), s.into());
            }
            Some(_) => {}
            None => r.refuse(key_at, "expected a string"),
        }
    }
    kept
}

/// `template.metadata`: labels and annotations (templates in engine v2), finalizers.
fn metadata(m: &Value, at: &str, r: &mut Refusals) -> Map<String, Value> {
    let mut mf = Fields::new(m, at, r);
    let mut meta = Map::new();
    for key in ["labels", "annotations"] {
        let key_at = mf.at(key);
        if let Some(map) = mf.take(key) {
            let kept = templates(map, &key_at, r);
            if !kept.is_empty() {
                meta.insert(key.into(), Value::Object(kept));
            }
        }
    }
    let fin_at = mf.at("finalizers");
    if let Some(list) = mf.take("finalizers") {
        match list.as_array().filter(|l| l.iter().all(Value::is_string)) {
            Some(l) if !l.is_empty() => {
                meta.insert("finalizers".into(), Value::Array(l.clone()));
                r.note(format!(
                    "{fin_at}: ESO never takes a finalizer off the Secret; secretsync takes one off \
                     when it is removed from the template"
                ));
            }
            Some(_) => {}
            None => r.refuse(fin_at, "expected a list of strings"),
        }
    }
    mf.finish(r);
    meta
}

/// One `templateFrom` entry; None when it is refused (left out whole).
fn template_from(v: &Value, at: &str, generic: bool, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(v, at, r);
    let mut out = Map::new();
    let mut ok = true;
    for kind in ["configMap", "secret"] {
        if let Some(src) = f.take(kind) {
            match source_ref(src, &f.at(kind), r) {
                Some(s) => {
                    out.insert(kind.into(), s);
                }
                None => ok = false,
            }
        }
    }
    if let Some(literal) = f.string("literal", r) {
        ok &= checked(literal, &f.at("literal"), r);
        out.insert("literal".into(), literal.into());
    }
    match f.string("target", r) {
        None => {}
        Some(t) => match t.to_ascii_lowercase().as_str() {
            // ESO matches the three top-level targets case-insensitively.
            "data" => {
                out.insert("target".into(), "Data".into());
            }
            "labels" => {
                out.insert("target".into(), "Labels".into());
            }
            "annotations" => {
                out.insert("target".into(), "Annotations".into());
            }
            // A nested path of a generic target, kept as written (ESO keeps its case too).
            _ if generic && !out.contains_key("literal") => {
                r.refuse(
                    f.at("target"),
                    format!(
                        "{t}: a nested path takes a literal template (ESO writes nothing at a \
                         nested path from configMap or secret items)"
                    ),
                );
                ok = false;
            }
            _ if generic => match crate::core::manifest::path::parse(t) {
                Ok(_) => {
                    let path = if t.eq_ignore_ascii_case("spec") {
                        "spec"
                    } else {
                        t
                    };
                    out.insert("target".into(), path.into());
                }
                Err(e) => {
                    r.refuse(f.at("target"), e.message);
                    ok = false;
                }
            },
            _ => {
                r.refuse(
                    f.at("target"),
                    format!(
                        "{t}: a Secret's targets are Data, Labels and Annotations; a nested path \
                         is only for generic targets (target.manifest)"
                    ),
                );
                ok = false;
            }
        },
    }
    match f.string("valuesDecodingStrategy", r) {
        None => {}
        Some(s @ ("None" | "Base64" | "Base64URL" | "Auto")) => {
            out.insert("valuesDecodingStrategy".into(), s.into());
        }
        Some(other) => {
            r.refuse(
                f.at("valuesDecodingStrategy"),
                format!("unknown value {other:?}"),
            );
            ok = false;
        }
    }
    let sources = ["configMap", "secret", "literal"]
        .iter()
        .filter(|k| out.contains_key(**k))
        .count();
    if sources != 1 {
        r.refuse(at, "set exactly one of configMap, secret or literal");
        ok = false;
    }
    f.finish(r);
    ok.then_some(Value::Object(out))
}

/// `configMap`/`secret` of a `templateFrom` entry: its name and items, each template checked.
fn source_ref(v: &Value, at: &str, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(v, at, r);
    let name = f.string("name", r).map(String::from);
    let items = f.take("items").and_then(Value::as_array).cloned();
    f.finish(r);
    let (Some(name), Some(items)) = (name, items) else {
        r.refuse(at, "needs a name and items");
        return None;
    };
    let mut kept = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_at = format!("{at}.items[{i}]");
        let mut fi = Fields::new(item, &item_at, r);
        let key = fi.string("key", r).map(String::from);
        let scope = fi.string("templateAs", r).map(String::from);
        fi.finish(r);
        let Some(key) = key else {
            r.refuse(item_at, "needs a key");
            return None;
        };
        let mut o = Map::new();
        o.insert("key".into(), key.into());
        match scope.as_deref() {
            None => {}
            Some(s @ ("Values" | "KeysAndValues")) => {
                o.insert("templateAs".into(), s.into());
            }
            Some(other) => {
                r.refuse(
                    format!("{item_at}.templateAs"),
                    format!("unknown value {other:?}"),
                );
                return None;
            }
        }
        kept.push(Value::Object(o));
    }
    let mut out = Map::new();
    out.insert("name".into(), name.into());
    out.insert("items".into(), Value::Array(kept));
    r.note(format!(
        "{at}: read from the ExternalSecret's namespace at every refresh (secretsync needs `get` on \
         configmaps, as ESO does); the templates in it are checked when they are rendered"
    ));
    Some(Value::Object(out))
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
