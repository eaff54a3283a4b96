//! ESO `data[]`, `dataFrom[]` and their remote references to secretsync's.

use serde_json::{Map, Value, json};

use super::report::{Fields, Refusals};
use super::version::{VersionField, map_version};
use crate::api::AwsService;

/// Whether a Parameter Store key is an ARN or a plain parameter name (no `:version` suffix).
fn is_parameter_key(key: &str) -> bool {
    key.starts_with("arn:")
        || key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/'))
}

/// Converts `spec.data[i]`; None (with refusals) when the entry cannot be carried faithfully.
/// `source` is its converted `sourceRef` (the caller reads it: it decides the entry's service).
pub(crate) fn data_entry(
    v: &Value,
    path: &str,
    service: Option<AwsService>,
    source: Option<Value>,
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
        Some(remote) => remote_ref(remote, &f.at("remoteRef"), service, Keys::Named, r),
        None => {
            r.refuse(f.at("remoteRef"), "required");
            None
        }
    };
    f.take("sourceRef");
    f.finish(r);
    (r.len() == before).then(|| {
        with_source(
            json!({ "secretKey": secret_key, "remoteRef": remote }),
            source,
        )
    })
}

/// Converts `spec.dataFrom[i]`; None (with refusals) when the entry cannot be carried faithfully.
/// `source` is its converted `sourceRef` (the caller reads it: it decides the entry's service).
pub(crate) fn data_from_entry(
    v: &Value,
    path: &str,
    service: Option<AwsService>,
    source: Option<Value>,
    r: &mut Refusals,
) -> Option<Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    f.take("sourceRef");
    let rewrite = f
        .take("rewrite")
        .map(|v| rewrites(v, &f.at("rewrite"), r))
        .unwrap_or_default();
    // ESO renames the keys by `rewrite` when there is one, else by `conversionStrategy`.
    let keys = if rewrite.is_empty() {
        Keys::Converted
    } else {
        Keys::Rewritten
    };
    let extract = f.take("extract").map(|e| (e, f.at("extract")));
    let find = f.take("find").map(|e| (e, f.at("find")));
    f.finish(r);
    let with_rewrite = |mut entry: Value| {
        if !rewrite.is_empty() {
            entry["rewrite"] = Value::Array(rewrite.clone());
        }
        with_source(entry, source.clone())
    };
    if service == Some(AwsService::CertificateManager) && r.len() == before {
        r.refuse(
            path,
            "ESO's Certificate Manager implements neither extract (GetSecretMap) nor find \
             (GetAllSecrets): read each certificate with data[].remoteRef.key = its ARN",
        );
        return None;
    }
    let out = match (extract, find) {
        (Some((e, at)), None) => {
            remote_ref(e, &at, service, keys, r).map(|e| with_rewrite(json!({ "extract": e })))
        }
        (None, Some((e, at))) => {
            find_ref(e, &at, service, keys, r).map(|e| with_rewrite(json!({ "find": e })))
        }
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

/// How ESO names the keys of a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// `data[].secretKey` names the key: `conversionStrategy` has no effect.
    Named,
    /// `extract`/`find` keys renamed by `conversionStrategy` (ESO's default: Default).
    Converted,
    /// `extract`/`find` keys renamed by the entry's `rewrite`: `conversionStrategy` has no effect.
    Rewritten,
}

/// Converts `dataFrom[].rewrite`: `regexp`, `transform` (its Go template checked by secretsync's
/// engine) and `merge` carry over as they are; an item setting more than one is refused (ESO would
/// silently use only one of them).
fn rewrites(v: &Value, path: &str, r: &mut Refusals) -> Vec<Value> {
    let Some(items) = v.as_array() else {
        r.refuse(path, "expected a list");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let ops = ["regexp", "transform", "merge"]
            .iter()
            .filter(|k| item.get(**k).is_some_and(|v| !v.is_null()))
            .count();
        if ops > 1 {
            r.refuse(at, "set exactly one of regexp, transform or merge");
            continue;
        }
        let mut f = Fields::new(item, &at, r);
        if let Some(t) = f.take("transform") {
            let mut g = Fields::new(t, &f.at("transform"), r);
            match g.string("template", r) {
                Some(tpl) => match crate::core::gotemplate::parse(tpl) {
                    Ok(_) => out.push(json!({ "transform": { "template": tpl } })),
                    Err(e) => r.refuse(g.at("template"), format!("template: {e}")),
                },
                None => r.refuse(g.at("template"), "required"),
            }
            g.finish(r);
        }
        if let Some(m) = f.take("merge")
            && let Some(merge) = rewrite_merge(m, &f.at("merge"), r)
        {
            out.push(json!({ "merge": merge }));
        }
        if let Some(re) = f.take("regexp") {
            let mut g = Fields::new(re, &f.at("regexp"), r);
            let source = g.string("source", r);
            let target = g.string("target", r);
            match (source, target) {
                (Some(source), Some(target)) if regex::Regex::new(source).is_ok() => {
                    out.push(json!({ "regexp": { "source": source, "target": target } }));
                }
                (Some(source), Some(_)) => r.refuse(
                    g.at("source"),
                    format!("{source:?} is not a regular expression secretsync accepts"),
                ),
                (None, _) => r.refuse(g.at("source"), "required"),
                (_, None) => r.refuse(g.at("target"), "required"),
            }
            g.finish(r);
        }
        f.finish(r);
    }
    out
}

/// `rewrite[].merge`, field by field (ESO's enums; `into` is required with `strategy: JSON`).
fn rewrite_merge(v: &Value, path: &str, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(v, path, r);
    let mut out = serde_json::Map::new();
    let mut ok = true;
    for (key, allowed) in [
        ("strategy", &["Extract", "JSON"][..]),
        ("priorityPolicy", &["Strict", "IgnoreNotFound"][..]),
        ("conflictPolicy", &["Error", "Ignore"][..]),
    ] {
        match f.string(key, r) {
            None => {}
            Some(v) if allowed.contains(&v) => {
                out.insert(key.into(), v.into());
            }
            Some(other) => {
                r.refuse(f.at(key), format!("unknown value {other:?}"));
                ok = false;
            }
        }
    }
    if let Some(into) = f.string("into", r).filter(|i| !i.is_empty()) {
        out.insert("into".into(), into.into());
    }
    if out.get("strategy").and_then(Value::as_str) == Some("JSON") && !out.contains_key("into") {
        r.refuse(f.at("into"), "required with strategy JSON");
        ok = false;
    }
    if let Some(p) = f.take("priority") {
        match p.as_array().filter(|l| l.iter().all(Value::is_string)) {
            Some(l) => {
                out.insert("priority".into(), Value::Array(l.clone()));
            }
            None => {
                r.refuse(f.at("priority"), "expected a list of strings");
                ok = false;
            }
        }
    }
    f.finish(r);
    ok.then_some(Value::Object(out))
}

/// The entry with its converted `sourceRef`, if it has one.
fn with_source(mut entry: Value, source: Option<Value>) -> Value {
    if let Some(source) = source {
        entry["sourceRef"] = source;
    }
    entry
}

/// The `storeRef` of an entry's `sourceRef` (`v`, at `path`), refusing generators; None with a
/// refusal when there is no store to read.
pub(crate) fn source_store<'a>(v: &'a Value, path: &str, r: &mut Refusals) -> Option<&'a Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    f.refuse_if_set(
        "generatorRef",
        "generators are not supported (a later issue)",
        r,
    );
    let store = f.take("storeRef");
    f.finish(r);
    if store.is_none() && r.len() == before {
        r.refuse(path, "needs storeRef (generatorRef is not supported)");
    }
    store.filter(|_| r.len() == before)
}

/// Converts a `remoteRef` or `extract`; None when any of its fields has no faithful form.
fn remote_ref(
    v: &Value,
    path: &str,
    service: Option<AwsService>,
    keys: Keys,
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
    let acm = service == Some(AwsService::CertificateManager);
    if acm {
        // ESO's Certificate Manager GetSecret reads remoteRef.key alone (the whole PEM bundle).
        for (field, what) in [("property", "property"), ("version", "version")] {
            if f.take(field).is_some() {
                r.note(format!(
                    "{}: ESO's Certificate Manager ignores remoteRef.{what} (it reads the whole \
                     certificate bundle); dropped",
                    f.at(field)
                ));
            }
        }
    }
    if let Some(property) = f.string("property", r).filter(|_| !acm) {
        if let Some(why) = crate::core::secret::gjson::unsupported(property) {
            r.refuse(f.at("property"), format!("{property:?} {why}"));
        } else {
            out.insert("property".into(), property.into());
        }
    }
    if let Some(version) = f.string("version", r).filter(|_| !acm) {
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
    match f.string("metadataPolicy", r) {
        None | Some("None") => {}
        Some("Fetch") => metadata_fetch(&mut out, &f.at("version"), service, r),
        Some(other) => r.refuse(
            f.at("metadataPolicy"),
            format!("{other}: not a metadataPolicy (None or Fetch)"),
        ),
    }
    if let Some(c) = conversion(&mut f, keys, r) {
        out.insert("conversionStrategy".into(), c.into());
    }
    if let Some(n) = null_bytes(&mut f, r) {
        out.insert("nullBytePolicy".into(), n.into());
    }
    f.finish(r);
    (r.len() == before).then_some(Value::Object(out))
}

/// `metadataPolicy: Fetch` (read the tags, as ESO: DescribeSecret or ListTagsForResource). ESO's
/// Secrets Manager ignores `version` there (tags belong to the secret): left out with a note. Its
/// Parameter Store asks for the tags of `name:version`, which names no taggable resource: refused.
/// Its Certificate Manager ignores the policy (the bundle is read): left out with a note.
fn metadata_fetch(
    out: &mut Map<String, Value>,
    version_at: &str,
    service: Option<AwsService>,
    r: &mut Refusals,
) {
    if service == Some(AwsService::CertificateManager) {
        r.note(format!(
            "{}.metadataPolicy is left out: ESO's Certificate Manager reads no tags and returns the \
             certificate bundle with metadataPolicy: Fetch, as secretsync does without it",
            version_at.trim_end_matches(".version")
        ));
        return;
    }
    out.insert("metadataPolicy".into(), "Fetch".into());
    let version = out
        .remove("versionId")
        .or_else(|| out.remove("versionStage"));
    match (version, service) {
        (None, _) => {}
        (Some(_), Some(AwsService::SecretsManager)) => r.note(format!(
            "{version_at} is left out: with metadataPolicy: Fetch ESO reads the secret's tags, which \
             have no version, and ignores it"
        )),
        (Some(_), Some(AwsService::ParameterStore | AwsService::CertificateManager)) => r.refuse(
            version_at,
            "with metadataPolicy: Fetch ESO asks Parameter Store for the tags of `name:version`, which \
             names no taggable resource (its read fails)",
        ),
        (Some(_), None) => r.refuse(
            version_at,
            "with metadataPolicy: Fetch its meaning depends on the store's service (ignored on \
             SecretsManager, a failing read on ParameterStore), and the store is not in the input",
        ),
    }
}

/// Converts a `dataFrom[].find`; None when any of its fields has no faithful form.
fn find_ref(
    v: &Value,
    path: &str,
    service: Option<AwsService>,
    keys: Keys,
    r: &mut Refusals,
) -> Option<Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    let mut out = Map::new();
    if let Some(p) = f.string("path", r) {
        // A parameter path (below it) or a secret name prefix: the same names when it ends with '/'.
        match service {
            Some(_) => {
                out.insert("path".into(), p.into());
            }
            None if p.ends_with('/') => {
                out.insert("path".into(), p.into());
            }
            None => r.refuse(
                f.at("path"),
                "find.path without a trailing '/' means a parameter path or a secret name prefix \
                 depending on the store's service, and the store is not among the converted \
                 manifests; convert the store together with this object, or name its service \
                 (--service or --store-service)",
            ),
        }
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
    if out.contains_key("name") && out.contains_key("tags") {
        match service {
            Some(AwsService::SecretsManager) => {}
            Some(AwsService::CertificateManager) => {}
            Some(AwsService::ParameterStore) => {
                out.remove("tags");
                r.note(format!(
                    "{}: ESO ignores find.tags on Parameter Store when find.name is set; dropped",
                    f.at("tags")
                ));
            }
            None => r.refuse(
                f.at("tags"),
                "ESO ignores find.tags next to find.name on Parameter Store but not on Secrets \
                 Manager, and the store is not among the converted manifests; convert the store \
                 together with this object, or name its service (--service or --store-service)",
            ),
        }
    }
    if let Some(d) = decoding(&mut f, r) {
        out.insert("decodingStrategy".into(), d.into());
    }
    let renames = out.contains_key("name") || out.contains_key("tags") || out.contains_key("path");
    if let Some(c) = conversion(&mut f, keys, r).filter(|_| renames) {
        out.insert("conversionStrategy".into(), c.into());
    }
    if let Some(n) = null_bytes(&mut f, r) {
        out.insert("nullBytePolicy".into(), n.into());
    }
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

/// `conversionStrategy`: what ESO renames keys with. Written out for `extract` and `find` without a
/// `rewrite` (Default when absent, as ESO defaults it), dropped where ESO ignores it.
fn conversion(f: &mut Fields<'_>, keys: Keys, r: &mut Refusals) -> Option<&'static str> {
    let value = match f.string("conversionStrategy", r) {
        None | Some("Default") => "Default",
        Some("Unicode") => "Unicode",
        Some(other) => {
            r.refuse(
                f.at("conversionStrategy"),
                format!("unknown value {other:?}"),
            );
            return None;
        }
    };
    (keys == Keys::Converted).then_some(value)
}

/// `nullBytePolicy`: Ignore (ESO's default) is left out, Fail carried over.
fn null_bytes(f: &mut Fields<'_>, r: &mut Refusals) -> Option<&'static str> {
    match f.string("nullBytePolicy", r)? {
        "Ignore" => None,
        "Fail" => Some("Fail"),
        other => {
            r.refuse(f.at("nullBytePolicy"), format!("unknown value {other:?}"));
            None
        }
    }
}
