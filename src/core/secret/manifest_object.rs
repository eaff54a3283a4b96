//! The desired generic target object and its drift: the values land where ESO puts them (`.data`
//! of a ConfigMap, or of any kind when templated; `.spec.data` of other kinds without a template;
//! nested `templateFrom` paths where they say), with secretsync's ownership marks, the synced
//! versions and the keyed drift digest on its annotations, exactly as on a Secret target.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Map, Value};

use super::path;
use super::{GenericTarget, LAST_APPLIED, annotation, created_by, state_of};
use crate::api::ExternalSecretSpec;
use crate::core::desired::DesiredData;
use crate::core::digest;
use crate::core::plan::policy::claim;
use crate::core::plan::write::ABSENT_PRECONDITION;
use crate::core::reason::{Reason, SyncError};
use crate::core::target::{
    DIGEST_ANNOTATION, FIELD_MANAGER, Marks, OWNER_ANNOTATION, VERSIONS_ANNOTATION, Writer,
    is_reserved_key, target_name,
};

/// The "type" the keyed digest of a ConfigMap covers (a Secret's covers its type).
const CONFIG_MAP_DIGEST: &str = "ConfigMap";

/// Where the values (the data keys) of `target` go: `.data` for a ConfigMap and for any templated
/// target (ESO's template engine writes `data`), `.spec.data` for other kinds without a template.
pub fn values_field(target: &GenericTarget, templated: bool) -> &'static [&'static str] {
    if target.is_config_map() || templated {
        &["data"]
    } else {
        &["spec", "data"]
    }
}

/// The "type" the digest binds: a ConfigMap's is its kind (as written since ConfigMaps were
/// supported), another kind's is `apiVersion/kind`.
fn digest_kind(target: &GenericTarget) -> String {
    if target.is_config_map() {
        CONFIG_MAP_DIGEST.into()
    } else {
        format!("{}/{}", target.api_version(), target.kind)
    }
}

fn field<'a>(root: &'a Value, at: &[&str]) -> Option<&'a Value> {
    at.iter().try_fold(root, |v, k| v.get(k))
}

fn field_mut<'a>(root: &'a mut Value, at: &[&str]) -> &'a mut Value {
    at.iter().fold(root, |v, k| {
        if !v.is_object() {
            *v = Value::Object(Map::new());
        }
        match v {
            Value::Object(m) => m.entry(k.to_string()).or_insert(Value::Null),
            // Just made an object.
            other => other,
        }
    })
}

/// Labels and annotations for the target, as ESO's generic targets take them: the template's
/// metadata when there is a template (rendered by engine v2), else the ExternalSecret's own labels
/// and annotations. secretsync's reserved keys and kubectl's last-applied record are never copied.
fn source_metadata(
    spec: &ExternalSecretSpec,
    desired: &DesiredData,
    es_meta: &ObjectMeta,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let keep = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        m.iter()
            .filter(|(k, _)| !is_reserved_key(k) && k.as_str() != LAST_APPLIED)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let Some(template) = spec.target.template.as_ref() else {
        return (
            keep(&es_meta.labels.clone().unwrap_or_default()),
            keep(&es_meta.annotations.clone().unwrap_or_default()),
        );
    };
    if let Some(r) = &desired.rendered_metadata {
        return (keep(&r.labels), keep(&r.annotations));
    }
    if template.engine_version == Some(crate::api::TemplateEngine::V2) {
        // Unrendered engine-v2 metadata is a template, never a label value.
        return (BTreeMap::new(), BTreeMap::new());
    }
    let m = template.metadata.clone().unwrap_or_default();
    (keep(&m.labels), keep(&m.annotations))
}

/// The object to apply (server-side) for `desired` over `existing` (as checked; None: there is
/// none), carrying the checked object's resourceVersion as its precondition. A value that is not
/// UTF-8 text is refused (`InvalidValue`, naming the key only): generic targets hold text.
pub fn desired_object(
    writer: &Writer,
    spec: &ExternalSecretSpec,
    kind: &GenericTarget,
    desired: &DesiredData,
    digest_key: &[u8],
    es_meta: &ObjectMeta,
    existing: Option<&ObjectMeta>,
) -> Result<DynamicObject, SyncError> {
    let target = &spec.target;
    let name = target_name(writer, target);
    let mut values = Map::new();
    for (k, v) in &desired.data {
        let text = String::from_utf8(v.clone()).map_err(|_| {
            SyncError::new(
                Reason::InvalidValue,
                format!(
                    "key {k:?} is not UTF-8 text; {} {name:?} holds text only (use a Secret \
                     target, or decode the value to text)",
                    kind.kind
                ),
            )
        })?;
        values.insert(k.clone(), Value::String(text));
    }
    let mut root = Value::Object(Map::new());
    let templated = target.template.is_some();
    if !templated || !values.is_empty() {
        *field_mut(&mut root, values_field(kind, templated)) = Value::Object(values);
    }
    for w in desired.rendered_metadata.iter().flat_map(|r| &r.paths) {
        path::apply(&mut root, w)?;
    }
    let creator = claim(target.creation_policy, state_of(writer, existing)).as_creator();
    let created_by_writer = existing.is_some_and(|m| created_by(writer, m));
    let (mut labels, mut annotations) = source_metadata(spec, desired, es_meta);
    let bound = if creator {
        digest_kind(kind)
    } else {
        String::new()
    };
    let marks = Marks {
        writer,
        policy: target.creation_policy,
        creator: creator || created_by_writer,
        bound: &bound,
    };
    let owner_references = marks.apply(desired, digest_key, &mut labels, &mut annotations);
    let resource_version = existing
        .and_then(|m| m.resource_version.clone())
        .unwrap_or_else(|| ABSENT_PRECONDITION.into());
    let gvk = GroupVersionKind::gvk(&kind.group, &kind.version, &kind.kind);
    let mut obj = DynamicObject::new(&name, &ApiResource::from_gvk(&gvk)).within(&writer.namespace);
    obj.metadata = ObjectMeta {
        name: Some(name),
        namespace: Some(writer.namespace.clone()),
        labels: Some(labels),
        annotations: Some(annotations),
        owner_references,
        resource_version: Some(resource_version),
        ..Default::default()
    };
    obj.data = root;
    Ok(obj)
}

/// Keys under the values field that secretsync set by server-side apply (the managedFields).
fn owned_keys(m: &ObjectMeta, at: &[&str]) -> BTreeSet<String> {
    m.managed_fields
        .iter()
        .flatten()
        .filter(|f| {
            f.manager.as_deref() == Some(FIELD_MANAGER) && f.operation.as_deref() == Some("Apply")
        })
        .filter_map(|f| {
            let fields = &f.fields_v1.as_ref()?.0;
            at.iter()
                .try_fold(fields, |v, k| v.get(format!("f:{k}")))?
                .as_object()
                .cloned()
        })
        .flat_map(|d| {
            d.keys()
                .filter_map(|k| k.strip_prefix("f:"))
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether the existing object still holds exactly what secretsync last wrote to its keys (the
/// digest annotation over the keys it owns). False means drift, or never written.
pub fn digest_matches(
    existing: &DynamicObject,
    kind: &GenericTarget,
    templated: bool,
    digest_key: &[u8],
) -> bool {
    let m = &existing.metadata;
    let Some(recorded) = annotation(m, DIGEST_ANNOTATION) else {
        return false;
    };
    let at = values_field(kind, templated);
    let mut current = BTreeMap::new();
    for key in owned_keys(m, at) {
        match field(&existing.data, at).and_then(|d| d.get(&key)) {
            Some(Value::String(v)) => {
                current.insert(key, v.clone().into_bytes());
            }
            _ => return false,
        }
    }
    let versions = annotation(m, VERSIONS_ANNOTATION).unwrap_or_default();
    digest::digest(digest_key, &digest_kind(kind), versions, &current) == recorded
        || digest::digest(digest_key, "", versions, &current) == recorded
}

/// The synced versions recorded on an object secretsync wrote (trust it only when
/// [`digest_matches`]).
pub fn recorded_versions(existing: &DynamicObject) -> BTreeMap<String, String> {
    annotation(&existing.metadata, VERSIONS_ANNOTATION)
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

/// Whether every field of `want` is in `have` with the same value (mappings compared key by key,
/// anything else whole): what a server-side apply of `want` would leave unchanged.
fn subset(want: &Value, have: Option<&Value>) -> bool {
    match (want, have) {
        (Value::Object(w), Some(Value::Object(h))) => w.iter().all(|(k, v)| subset(v, h.get(k))),
        (Value::Null, None) => true,
        (w, Some(h)) => w == h,
        (_, None) => false,
    }
}

/// Whether applying `desired` would change the existing object (a no-op reconcile writes nothing);
/// `at` is the values field ([`values_field`]).
pub fn needs_write(existing: Option<&DynamicObject>, desired: &DynamicObject, at: &[&str]) -> bool {
    let Some(existing) = existing else {
        return true;
    };
    let want = field(&desired.data, at).and_then(Value::as_object);
    if owned_keys(&existing.metadata, at)
        .iter()
        .any(|k| !want.is_some_and(|w| w.contains_key(k)))
        || !subset(&desired.data, Some(&existing.data))
    {
        return true;
    }
    let meta_subset = |want: &Option<BTreeMap<String, String>>,
                       have: &Option<BTreeMap<String, String>>| {
        want.iter()
            .flatten()
            .all(|(k, v)| have.as_ref().and_then(|h| h.get(k)) == Some(v))
    };
    let (d, e) = (&desired.metadata, &existing.metadata);
    if !meta_subset(&d.labels, &e.labels) || !meta_subset(&d.annotations, &e.annotations) {
        return true;
    }
    let have_owners = e.owner_references.clone().unwrap_or_default();
    let want_owners = d.owner_references.clone().unwrap_or_default();
    let missing = want_owners
        .iter()
        .any(|o| !have_owners.iter().any(|h| h.uid == o.uid));
    let writer = annotation(d, OWNER_ANNOTATION);
    let stale = want_owners.is_empty()
        && have_owners.iter().any(|h| {
            h.kind == "ExternalSecret"
                && h.api_version.starts_with("secretsync.io/")
                && Some(h.name.as_str()) == writer
        });
    missing || stale
}

#[cfg(test)]
#[path = "manifest_object_tests.rs"]
mod tests;
