//! ESO `ClusterExternalSecret` to secretsync's (same shape; the inner spec is converted).

use serde_json::{Map, Value};

use super::StoreIndex;
use super::durations::is_duration;
use super::external_secret::convert_spec as convert_es_spec;
use super::report::{Fields, Refusals};

/// Converts a ClusterExternalSecret spec; None when nothing convertible remains.
pub(crate) fn convert_spec(spec: &Value, stores: &StoreIndex, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(spec, "spec", r);
    let mut out = Map::new();
    let mut selectors: Vec<Value> = match f.take("namespaceSelectors") {
        Some(Value::Array(items)) => items.iter().filter(|v| !v.is_null()).cloned().collect(),
        Some(_) => {
            r.refuse_object(f.at("namespaceSelectors"), "expected a list");
            Vec::new()
        }
        None => Vec::new(),
    };
    // ESO's deprecated singular selector is one more entry of the list.
    if let Some(sel) = f.take("namespaceSelector") {
        selectors.push(sel.clone());
    }
    if !selectors.is_empty() {
        out.insert("namespaceSelectors".into(), Value::Array(selectors));
    }
    match f.take("namespaces") {
        Some(ns @ Value::Array(items)) if items.iter().all(Value::is_string) => {
            out.insert("namespaces".into(), ns.clone());
        }
        Some(_) => r.refuse_object(f.at("namespaces"), "expected a list of names"),
        None => {}
    }
    if let Some(name) = f.string("externalSecretName", r) {
        out.insert("externalSecretName".into(), name.into());
    }
    if let Some(meta) = f.take("externalSecretMetadata") {
        let mut mf = Fields::new(meta, &f.at("externalSecretMetadata"), r);
        let mut kept = Map::new();
        for key in ["labels", "annotations"] {
            if let Some(v) = mf.take(key) {
                kept.insert(key.into(), v.clone());
            }
        }
        mf.finish(r);
        if !kept.is_empty() {
            out.insert("externalSecretMetadata".into(), Value::Object(kept));
        }
    }
    let inner = f.take("externalSecretSpec");
    let inner_at = f.at("externalSecretSpec");
    match inner {
        Some(spec) => {
            if let Some(converted) = convert_es_spec(spec, &inner_at, None, stores, r) {
                out.insert("externalSecretSpec".into(), converted);
            }
        }
        None => r.refuse_object(inner_at, "required"),
    }
    if let Some(t) = f.string("refreshTime", r) {
        // secretsync's refreshTime has no "0" form.
        if is_duration(t) && t != "0" {
            out.insert("refreshTime".into(), t.into());
        } else {
            r.refuse(
                f.at("refreshTime"),
                format!("{t:?} is not a duration secretsync accepts"),
            );
        }
    }
    f.finish(r);
    (!r.is_fatal()).then_some(Value::Object(out))
}
