//! ESO `data[]`, `dataFrom[]` and their remote references to secretsync's.

use serde_json::{Map, Value, json};

use super::report::{Fields, Refusals};
use super::version::{VersionField, map_version};
use crate::api::AwsService;

/// Characters that make an ESO `property` a gjson query (wildcards, modifiers, escapes) rather than
/// a plain key or dotted path.
const GJSON_SPECIAL: [char; 6] = ['*', '?', '#', '|', '@', '\\'];

/// Whether a Parameter Store key is an ARN or a plain parameter name (no `:version` suffix).
fn is_parameter_key(key: &str) -> bool {
    key.starts_with("arn:")
        || key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/'))
}

/// Converts `spec.data[i]`; None (with refusals) when the entry cannot be carried faithfully.
pub(crate) fn data_entry(
    v: &Value,
    path: &str,
    service: Option<AwsService>,
    r: &mut Refusals,
) -> Option<Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    let secret_key = f.string("secretKey", r);
    match secret_key {
        Some(k) if crate::core::naming::is_valid_key(k) => {}
        Some(k) => r.refuse(
            f.at("secretKey"),
            format!("{k:?} is not a Secret key ([-._a-zA-Z0-9]+)"),
        ),
        None => r.refuse(f.at("secretKey"), "required"),
    }
    let remote = match f.take("remoteRef") {
        Some(remote) => remote_ref(remote, &f.at("remoteRef"), service, r),
        None => {
            r.refuse(f.at("remoteRef"), "required");
            None
        }
    };
    if let Some(source) = f.take("sourceRef") {
        source_ref(source, &f.at("sourceRef"), r);
    }
    f.finish(r);
    (r.len() == before).then(|| json!({ "secretKey": secret_key, "remoteRef": remote }))
}

/// Converts `spec.dataFrom[i]`; None (with refusals) when the entry cannot be carried faithfully.
pub(crate) fn data_from_entry(
    v: &Value,
    path: &str,
    service: Option<AwsService>,
    r: &mut Refusals,
) -> Option<Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    if let Some(source) = f.take("sourceRef") {
        source_ref(source, &f.at("sourceRef"), r);
    }
    f.refuse_if_set(
        "rewrite",
        "key rewriting is not supported (the Secret's keys would differ)",
        r,
    );
    let extract = f.take("extract").map(|e| (e, f.at("extract")));
    let find = f.take("find").map(|e| (e, f.at("find")));
    f.finish(r);
    let out = match (extract, find) {
        (Some((e, at)), None) => remote_ref(e, &at, service, r).map(|e| json!({ "extract": e })),
        (None, Some((e, at))) => find_ref(e, &at, service, r).map(|e| json!({ "find": e })),
        (Some(_), Some(_)) => {
            r.refuse(path, "set exactly one of extract or find");
            None
        }
        (None, None) if r.len() == before => {
            r.refuse(path, "neither extract nor find is set");
            None
        }
        (None, None) => None,
    };
    out.filter(|_| r.len() == before)
}

/// Refuses a `sourceRef` (generators, or a per-entry store).
fn source_ref(v: &Value, path: &str, r: &mut Refusals) {
    let mut f = Fields::new(v, path, r);
    f.refuse_if_set("generatorRef", "generators are not supported", r);
    f.refuse_if_set(
        "storeRef",
        "a per-entry store is not supported; secretsync reads every entry from spec.secretStoreRef \
         (split the entries into one ExternalSecret per store)",
        r,
    );
    f.finish(r);
}

/// Converts a `remoteRef` or `extract`; None when any of its fields has no faithful form.
fn remote_ref(
    v: &Value,
    path: &str,
    service: Option<AwsService>,
    r: &mut Refusals,
) -> Option<Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    let mut out = Map::new();
    match f.string("key", r) {
        Some(key) if service == Some(AwsService::ParameterStore) && !is_parameter_key(key) => {
            r.refuse(
                f.at("key"),
                format!(
                    "{key:?} is not a parameter name or ARN (write a version in remoteRef.version, not \
                     after a colon in the key)"
                ),
            );
        }
        Some(key) => {
            out.insert("key".into(), key.into());
        }
        None => r.refuse(f.at("key"), "required"),
    }
    if let Some(property) = f.string("property", r) {
        if property.contains(GJSON_SPECIAL) {
            r.refuse(
                f.at("property"),
                format!(
                    "{property:?} is a gjson query; secretsync reads a top-level key or a dotted path"
                ),
            );
        } else {
            out.insert("property".into(), property.into());
        }
    }
    if let Some(version) = f.string("version", r) {
        match map_version(version, service) {
            Ok(VersionField::Id(id)) => {
                out.insert("versionId".into(), id.into());
            }
            Ok(VersionField::Stage(stage)) => {
                out.insert("versionStage".into(), stage.into());
            }
            Err(e) => r.refuse(f.at("version"), e),
        }
    }
    if let Some(d) = decoding(&mut f, r) {
        out.insert("decodingStrategy".into(), d.into());
    }
    enum_default(
        &mut f,
        "metadataPolicy",
        "None",
        "reading the secret's tags instead of its value is not supported",
        r,
    );
    common_defaults(&mut f, r);
    f.finish(r);
    (r.len() == before).then_some(Value::Object(out))
}

/// Converts a `dataFrom[].find`; None when any of its fields has no faithful form.
fn find_ref(v: &Value, path: &str, service: Option<AwsService>, r: &mut Refusals) -> Option<Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    let mut out = Map::new();
    match service {
        Some(AwsService::SecretsManager) => {}
        Some(AwsService::ParameterStore) => r.refuse(
            path,
            "ESO names each found parameter's key after its full name with the leading '/' as '_' \
             (/app/db: _app_db), secretsync without it (app_db): the Secret's keys would differ",
        ),
        None => r.refuse(
            path,
            "the keys find writes depend on the store's service (ESO and secretsync name Parameter \
             Store keys differently), and the store is not among the converted manifests; convert \
             the store together with this object, or name its service (--service or \
             --store-service)",
        ),
    }
    if f.take("path").is_some() && service == Some(AwsService::SecretsManager) {
        r.refuse(
            f.at("path"),
            "ESO reads find.path on Secrets Manager as a name prefix; secretsync reads find.path \
             only from Parameter Store (express the prefix in find.name.regexp)",
        );
    }
    if let Some(name) = f.take("name") {
        let mut n = Fields::new(name, &f.at("name"), r);
        match n.string("regexp", r) {
            Some(re) if regex::Regex::new(re).is_ok() => {
                out.insert("name".into(), json!({ "regexp": re }));
            }
            Some(re) => r.refuse(
                n.at("regexp"),
                format!("{re:?} is not a regular expression secretsync (Rust regex) accepts"),
            ),
            None => r.refuse(n.at("regexp"), "required"),
        }
        n.finish(r);
    }
    if let Some(tags) = f.take("tags") {
        match tags
            .as_object()
            .filter(|m| m.values().all(Value::is_string))
        {
            Some(m) => {
                out.insert("tags".into(), Value::Object(m.clone()));
            }
            None => r.refuse(f.at("tags"), "expected a map of strings"),
        }
    }
    if let Some(d) = decoding(&mut f, r) {
        out.insert("decodingStrategy".into(), d.into());
    }
    common_defaults(&mut f, r);
    f.finish(r);
    if out.is_empty() && r.len() == before {
        r.refuse(path, "find needs name, tags or path");
    }
    (r.len() == before).then_some(Value::Object(out))
}

/// `decodingStrategy`: None (the default) is omitted; Base64, Base64URL and Auto are kept.
fn decoding(f: &mut Fields<'_>, r: &mut Refusals) -> Option<&'static str> {
    match f.string("decodingStrategy", r)? {
        "None" => None,
        "Base64" => Some("Base64"),
        "Base64URL" => Some("Base64URL"),
        "Auto" => Some("Auto"),
        other => {
            r.refuse(f.at("decodingStrategy"), format!("unknown value {other:?}"));
            None
        }
    }
}

/// Fields shared by remote references and finds that secretsync has only in their default form.
fn common_defaults(f: &mut Fields<'_>, r: &mut Refusals) {
    enum_default(
        f,
        "conversionStrategy",
        "Default",
        "only Default is supported (Unicode key conversion is not)",
        r,
    );
    enum_default(
        f,
        "nullBytePolicy",
        "Ignore",
        "only Ignore is supported (secretsync has no null byte policy)",
        r,
    );
}

/// Accepts `key` when absent or `default`; refuses any other value with `reason`.
pub(crate) fn enum_default(
    f: &mut Fields<'_>,
    key: &'static str,
    default: &str,
    reason: &str,
    r: &mut Refusals,
) {
    if let Some(v) = f.string(key, r).filter(|v| *v != default) {
        r.refuse(f.at(key), format!("{v}: {reason}"));
    }
}
