//! ESO `ExternalSecret` spec to secretsync's (also the `externalSecretSpec` of a ClusterExternalSecret).

use serde_json::{Map, Value, json};

use super::StoreIndex;
use super::durations::{go_duration, is_duration};
use super::remote_ref::{data_entry, data_from_entry};
use super::report::{Fields, Refusals};
use super::template::secret_template;

/// Converts an ESO ExternalSecret spec found at `path`. `namespace` is the object's namespace
/// (None inside a ClusterExternalSecret), used to find its store among the converted manifests.
/// None when nothing convertible remains (the refusals say why).
pub(crate) fn convert_spec(
    spec: &Value,
    path: &str,
    namespace: Option<&str>,
    stores: &StoreIndex,
    r: &mut Refusals,
) -> Option<Value> {
    let mut f = Fields::new(spec, path, r);
    let mut out = Map::new();
    let mut service = None;
    match f.take("secretStoreRef") {
        Some(v) => {
            if let Some((store_ref, svc)) =
                secret_store_ref(v, &f.at("secretStoreRef"), namespace, stores, r)
            {
                out.insert("secretStoreRef".into(), store_ref);
                service = svc;
            }
        }
        // ESO lets every entry name its own store instead: the first one becomes the default.
        None => match first_entry_store(spec, path) {
            Some((v, at)) => {
                if let Some((store_ref, svc)) = secret_store_ref(v, &at, namespace, stores, r) {
                    r.note(format!(
                        "{path}.secretStoreRef: not set; every entry names its store, and the first \
                         ({at}) is written as spec.secretStoreRef (secretsync requires one)"
                    ));
                    out.insert("secretStoreRef".into(), store_ref);
                    service = svc;
                }
            }
            None => r.refuse_object(
                f.at("secretStoreRef"),
                "required unless every data and dataFrom entry names its store in sourceRef.storeRef",
            ),
        },
    }
    if let Some(interval) = f.string("refreshInterval", r) {
        if is_duration(interval) {
            out.insert("refreshInterval".into(), interval.into());
        } else if let Some(same) = go_duration(interval) {
            r.note(format!(
                "{}: {interval:?} is written {same:?} (the same duration in secretsync's syntax)",
                f.at("refreshInterval")
            ));
            out.insert("refreshInterval".into(), same.into());
        } else {
            r.refuse(
                f.at("refreshInterval"),
                format!("{interval:?} is not a duration secretsync accepts (e.g. 30s, 15m, 1h, 0)"),
            );
        }
    }
    if let Some(policy) = f.string("refreshPolicy", r) {
        if ["Periodic", "CreatedOnce", "OnChange"].contains(&policy) {
            out.insert("refreshPolicy".into(), policy.into());
        } else {
            r.refuse(f.at("refreshPolicy"), format!("unknown value {policy:?}"));
        }
    }
    if let Some(w) = f.take("syncWindows")
        && let Some(w) = super::sync_windows::sync_windows(w, &f.at("syncWindows"), r)
    {
        out.insert("syncWindows".into(), w);
    }
    if let Some(t) = f.take("target") {
        let target = target(t, &f.at("target"), r);
        if !target.is_empty() {
            out.insert("target".into(), Value::Object(target));
        }
    }
    let source =
        |v: &Value, at: &str, r: &mut Refusals| entry_store(v, at, namespace, stores, service, r);
    let data: Vec<Value> = entries(&mut f, "data", r)
        .filter_map(|(v, at)| {
            let (src, svc) = source(v, &at, r)?;
            data_entry(v, &at, svc, src, r)
        })
        .collect();
    let data_from: Vec<Value> = entries(&mut f, "dataFrom", r)
        .filter_map(|(v, at)| {
            let (src, svc) = source(v, &at, r)?;
            data_from_entry(v, &at, svc, src, r)
        })
        .collect();
    f.finish(r);
    if data.is_empty() && data_from.is_empty() {
        r.refuse_object(path, "no data or dataFrom entry left to sync");
    }
    per_entry_stores(&out, &data, &data_from, path, r);
    if !data.is_empty() {
        out.insert("data".into(), Value::Array(data));
    }
    if !data_from.is_empty() {
        out.insert("dataFrom".into(), Value::Array(data_from));
    }
    (!r.is_fatal()).then_some(Value::Object(out))
}

/// What entries naming their own store (`sourceRef.storeRef`) mean here, said in notes (with
/// `deletionPolicy: Delete` or `Merge`: how a deletion is confirmed across the stores).
fn per_entry_stores(
    out: &Map<String, Value>,
    data: &[Value],
    data_from: &[Value],
    path: &str,
    r: &mut Refusals,
) {
    let default = out.get("secretStoreRef");
    let other = |e: &Value| {
        e.get("sourceRef")
            .and_then(|s| s.get("storeRef"))
            .is_some_and(|s| Some(s) != default)
    };
    if !data.iter().chain(data_from).any(other) {
        return;
    }
    r.note(format!(
        "{path}: entries read through their own sourceRef.storeRef; each store passes the checks \
         spec.secretStoreRef passes (a SecretStore of the ExternalSecret's namespace, a \
         ClusterSecretStore whose conditions admit it), and if any store cannot be read nothing is \
         written and the condition names that store, as ESO fails the whole sync"
    ));
    let policy = out
        .get("target")
        .and_then(|t| t.get("deletionPolicy"))
        .and_then(Value::as_str);
    if let Some(p @ ("Delete" | "Merge")) = policy {
        r.note(format!(
            "{path}.target.deletionPolicy: {p} with entries of several stores acts only once every \
             remote secret of every store is confirmed deleted by its own store, each store is the \
             one the Secret was synced from, and the grace period has passed; a store that cannot \
             be asked keeps the Secret (ESO drops a missing secret's keys at once, and deletes the \
             Secret once no data is left)"
        ));
    }
}

/// The items of list field `key` with their paths; a non-list is refused.
fn entries<'a>(
    f: &mut Fields<'a>,
    key: &'static str,
    r: &mut Refusals,
) -> impl Iterator<Item = (&'a Value, String)> + use<'a> {
    let at = f.at(key);
    let items = match f.take(key) {
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            r.refuse(at.clone(), "expected a list");
            &[]
        }
        None => &[],
    };
    items
        .iter()
        .enumerate()
        .map(move |(i, v)| (v, format!("{at}[{i}]")))
}

/// The `storeRef` of the first entry (`dataFrom` first, as they merge) when every entry names one.
fn first_entry_store<'a>(spec: &'a Value, path: &str) -> Option<(&'a Value, String)> {
    let list = |key: &str| spec.get(key).and_then(Value::as_array);
    let entries: Vec<(&Value, String)> = ["dataFrom", "data"]
        .into_iter()
        .flat_map(|key| {
            list(key)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, e)| (e, format!("{path}.{key}[{i}].sourceRef.storeRef")))
        })
        .collect();
    let stores: Option<Vec<(&Value, String)>> = entries
        .into_iter()
        .map(|(e, at)| Some((e.get("sourceRef")?.get("storeRef")?, at)))
        .collect();
    stores?.into_iter().next()
}

/// An entry's store: its converted `sourceRef` and that store's service, or (no `sourceRef`) the
/// default store's service; None (refused) when its `sourceRef` cannot be carried.
fn entry_store(
    v: &Value,
    at: &str,
    namespace: Option<&str>,
    stores: &StoreIndex,
    default: Option<crate::api::AwsService>,
    r: &mut Refusals,
) -> Option<(Option<Value>, Option<crate::api::AwsService>)> {
    let Some(source) = v.get("sourceRef").filter(|s| !s.is_null()) else {
        return Some((None, default));
    };
    let path = format!("{at}.sourceRef");
    let store = super::remote_ref::source_store(source, &path, r)?;
    let (store_ref, service) =
        secret_store_ref(store, &format!("{path}.storeRef"), namespace, stores, r)?;
    Some((Some(json!({ "storeRef": store_ref })), service))
}

/// Converts `secretStoreRef` and finds the store's service among the converted manifests.
fn secret_store_ref(
    v: &Value,
    path: &str,
    namespace: Option<&str>,
    stores: &StoreIndex,
    r: &mut Refusals,
) -> Option<(Value, Option<crate::api::AwsService>)> {
    let mut f = Fields::new(v, path, r);
    let name = f.string("name", r);
    let kind = f.string("kind", r);
    f.finish(r);
    let Some(name) = name else {
        r.refuse_object(format!("{path}.name"), "required");
        return None;
    };
    let kind = match kind {
        None | Some("SecretStore") => None,
        Some("ClusterSecretStore") => Some("ClusterSecretStore"),
        Some(other) => {
            r.refuse_object(
                format!("{path}.kind"),
                format!("unknown store kind {other:?}"),
            );
            return None;
        }
    };
    let kind_name = kind.unwrap_or("SecretStore");
    let service = match kind {
        Some(k) => stores.service(k, None, name),
        None => stores.service("SecretStore", namespace, name),
    }
    .or_else(|| {
        let (service, note) = stores.assumed_service(kind_name, name)?;
        r.note(note);
        Some(service)
    });
    let mut out = json!({ "name": name });
    if let (Some(k), Some(o)) = (kind, out.as_object_mut()) {
        o.insert("kind".into(), k.into());
    }
    Some((out, service))
}

/// Converts `spec.target` (ESO's `template.type` becomes secretsync's `target.type`).
fn target(v: &Value, path: &str, r: &mut Refusals) -> Map<String, Value> {
    let mut f = Fields::new(v, path, r);
    let mut out = Map::new();
    if let Some(name) = f.string("name", r) {
        out.insert("name".into(), name.into());
    }
    let template = f.take("template").map(|t| (t, f.at("template")));
    // ESO's generic targets ignore the Secret-only fields (type, immutable).
    let generic = v.get("manifest").is_some();
    if let Some(Value::String(t)) = template.as_ref().and_then(|(t, _)| t.get("type")) {
        if generic {
            r.note(format!(
                "{path}.template.type {t:?} is not used by a generic target (target.manifest); \
                 dropped, as ESO ignores it there"
            ));
        } else if t == "kubernetes.io/service-account-token" {
            r.refuse(
                format!("{path}.template.type"),
                "secretsync never writes service-account-token Secrets",
            );
        } else if !t.is_empty() {
            out.insert("type".into(), t.as_str().into());
        }
    }
    let creation = f.string("creationPolicy", r);
    match creation {
        Some(p @ ("Owner" | "Merge" | "Orphan" | "CreateOrMerge" | "None")) => {
            out.insert("creationPolicy".into(), p.into());
        }
        Some(other) => r.refuse_object(
            f.at("creationPolicy"),
            format!(
                "{other} is not supported (secretsync has Owner, Merge, Orphan, CreateOrMerge and None)"
            ),
        ),
        None => {}
    }
    match f.string("deletionPolicy", r) {
        Some("Delete") if creation.is_some_and(|c| c != "Owner") => r.refuse(
            f.at("deletionPolicy"),
            "Delete requires creationPolicy Owner in secretsync (ESO does not delete it either); \
             the Secret is kept (Retain)",
        ),
        Some("Merge") if creation == Some("None") => r.refuse(
            f.at("deletionPolicy"),
            "Merge with creationPolicy None has no Secret to remove keys from (ESO refuses it \
             too); the Secret is kept (Retain)",
        ),
        Some("Merge") if generic => r.note(
            "deletionPolicy Merge on a generic target (target.manifest) becomes Retain: secretsync \
             keeps the ConfigMap as it is when remote secrets are deleted (ESO writes it with the \
             remaining data)",
        ),
        Some(p @ ("Retain" | "Delete" | "Merge")) => {
            match p {
                // A generic target's note says what Delete does there.
                "Delete" if generic => {}
                "Delete" => r.note(
                    "deletionPolicy Delete: secretsync deletes the Secret only once every remote \
                     secret is confirmed deleted and the grace period (--deletion-grace-period) has passed",
                ),
                "Merge" => r.note(
                    "deletionPolicy Merge: secretsync removes this ExternalSecret's keys only once \
                     every remote secret is confirmed deleted and the grace period \
                     (--deletion-grace-period) has passed (ESO drops each missing secret's keys at once)",
                ),
                _ => {}
            }
            out.insert("deletionPolicy".into(), p.into());
        }
        Some(other) => r.refuse(
            f.at("deletionPolicy"),
            format!(
                "{other} is not supported (secretsync has Retain, Delete and Merge); the Secret is kept (Retain)"
            ),
        ),
        None => {}
    }
    match f.take("immutable") {
        Some(Value::Bool(true)) if matches!(creation, Some("Merge" | "CreateOrMerge")) => r
            .refuse_object(
                f.at("immutable"),
                format!(
                    "immutable with creationPolicy {} would make someone else's Secret immutable; \
                     secretsync refuses it",
                    creation.unwrap_or_default()
                ),
            ),
        Some(Value::Bool(true)) if generic => r.note(
            "immutable is not used by a generic target (target.manifest); dropped, as ESO ignores \
             it there",
        ),
        Some(Value::Bool(true)) => {
            out.insert("immutable".into(), true.into());
        }
        Some(Value::Bool(false)) | None => {}
        Some(_) => r.refuse(f.at("immutable"), "expected true or false"),
    }
    if let Some(m) = f.take("manifest") {
        manifest(m, &f.at("manifest"), &mut out, r);
    }
    f.finish(r);
    if let Some((t, at)) = template {
        let t = secret_template(t, &at, generic, r);
        if !t.is_empty() {
            out.insert("template".into(), Value::Object(t));
        }
    }
    out
}

/// Converts `target.manifest` (ESO's generic targets): any namespaced kind converts, with notes on
/// what secretsync does differently; the kinds secretsync's core refuses (a `v1` Secret, a
/// cluster-scoped core kind, secretsync's own kinds, a malformed apiVersion) are refused with its
/// reason.
fn manifest(m: &Value, path: &str, out: &mut Map<String, Value>, r: &mut Refusals) {
    let mut f = Fields::new(m, path, r);
    let api_version = f.string("apiVersion", r).unwrap_or_default().to_string();
    let kind = f.string("kind", r).unwrap_or_default().to_string();
    f.finish(r);
    let reference = json!({ "apiVersion": api_version, "kind": kind });
    let spec = serde_json::from_value::<crate::api::ExternalSecretSpec>(json!({
        "secretStoreRef": { "name": "-" },
        "target": { "manifest": reference },
    }));
    let admitted = match spec {
        Ok(spec) => crate::core::manifest::admit(&spec, true).map_err(|e| e.message),
        Err(e) => Err(e.to_string()),
    };
    let target = match admitted {
        Ok(Some(t)) => t,
        Ok(None) => return,
        Err(why) => return r.refuse_object(path, why),
    };
    out.insert("manifest".into(), reference);
    let common = "the controller must run with --unsafe-allow-generic-targets (Helm value \
                  genericTargets.enabled), as ESO's flag; an existing object this ExternalSecret \
                  did not create is refused with creationPolicy Owner or Orphan (ESO overwrites \
                  it; use Merge to write only its keys); a remote deletion keeps the object (with \
                  deletionPolicy Delete it goes with the ExternalSecret, by its ownerReference); \
                  the drift annotation is secretsync's keyed secretsync.io/data-hmac, not \
                  reconcile.external-secrets.io/data-hash; a value that is not UTF-8 text is refused";
    if target.is_config_map() {
        r.note(format!("target.manifest v1 ConfigMap: {common}"));
    } else {
        r.note(format!(
            "target.manifest {api_version} {kind}: {common}; the controller needs get, create and \
             patch on this kind (Helm value genericTargets.extraResources), and refuses a \
             cluster-scoped kind or one the API server does not serve; without a template the \
             values land in .spec.data (as ESO), with one in .data; server-side apply keeps \
             fields others set at a nested templateFrom path (ESO merges them into its update \
             too, but replaces a single-segment path such as spec whole)"
        ));
    }
}
