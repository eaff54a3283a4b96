//! Spec + fetched values → the desired Secret data and the versions it was built from.

use std::collections::BTreeMap;

use crate::api::{
    DecodingStrategy, ExternalSecretSpec, MergePolicy, NullBytePolicy, RemoteRef, TemplateEngine,
};
use crate::core::decode::decode;
use crate::core::duration;
use crate::core::go_template;
use crate::core::keys::Renaming;
use crate::core::naming::is_valid_key;
use crate::core::property::{extract_members, property_bytes};
use crate::core::reason::{Reason, SyncError};
use crate::core::remote::{Fetched, FetchedFrom, RemoteContent, RemoteSecret};
use crate::core::template;
use crate::core::versions::bounded;

/// Largest total size of a Secret's data (keys + values) that the API server accepts.
pub const MAX_SECRET_BYTES: usize = 1024 * 1024;

/// The data to write and the remote versions it came from.
#[derive(Clone, PartialEq, Eq)]
pub struct DesiredData {
    /// Secret key → bytes.
    pub data: BTreeMap<String, Vec<u8>>,
    /// `syncedVersions`: remote key (see [`crate::core::remote::status_key_of`]) → version id.
    pub synced_versions: BTreeMap<String, String>,
    /// Labels and annotations rendered by an engine-v2 template (None: the template's metadata is
    /// written as it is).
    pub rendered_metadata: Option<RenderedMetadata>,
}

/// Labels and annotations an engine-v2 template rendered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderedMetadata {
    /// Labels to set.
    pub labels: BTreeMap<String, String>,
    /// Annotations to set.
    pub annotations: BTreeMap<String, String>,
    /// Templates written at nested paths of a generic target (`templateFrom[].target`), in order.
    pub paths: Vec<crate::core::manifest::path::PathWrite>,
}

impl std::fmt::Debug for DesiredData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesiredData")
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .field("synced_versions", &self.synced_versions)
            .finish()
    }
}

/// Checks what the API server cannot: durations, regular expressions and template syntax.
pub fn validate_spec(spec: &ExternalSecretSpec) -> Result<(), SyncError> {
    duration::parse(&spec.refresh_interval)
        .map_err(|e| SyncError::new(Reason::InvalidSpec, format!("refreshInterval: {e}")))?;
    crate::core::sync_window::parse(spec.sync_windows.as_ref())?;
    for (i, from) in spec.data_from.iter().enumerate() {
        crate::core::rewrite::check(&from.rewrite)
            .map_err(|why| SyncError::new(Reason::InvalidSpec, format!("dataFrom[{i}].{why}")))?;
        if let Some(re) = from.find.as_ref().and_then(|f| f.name.as_ref()) {
            regex::Regex::new(&re.regexp).map_err(|e| {
                SyncError::new(
                    Reason::InvalidSpec,
                    format!(
                        "dataFrom[{i}].find.name.regexp is not a valid regular expression: {e}"
                    ),
                )
            })?;
        }
    }
    let properties = spec
        .data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                format!("data[{i}].remoteRef.property"),
                &d.remote_ref.property,
            )
        })
        .chain(spec.data_from.iter().enumerate().filter_map(|(i, f)| {
            let extract = f.extract.as_ref()?;
            Some((format!("dataFrom[{i}].extract.property"), &extract.property))
        }));
    for (field, property) in properties {
        if let Some(why) = property
            .as_deref()
            .and_then(crate::core::secret::gjson::unsupported)
        {
            return Err(SyncError::new(
                Reason::InvalidSpec,
                format!("{field} {why}"),
            ));
        }
    }
    if let Some(i) = spec
        .data
        .iter()
        .position(|d| d.remote_ref.conversion_strategy.is_some())
    {
        return Err(SyncError::new(
            Reason::InvalidSpec,
            format!(
                "data[{i}].remoteRef.conversionStrategy: renames the keys of dataFrom[].extract and \
                 dataFrom[].find only; data[].secretKey names its key"
            ),
        ));
    }
    let named =
        spec.data
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("data[{i}].remoteRef"), &d.remote_ref))
            .chain(spec.data_from.iter().enumerate().filter_map(|(i, f)| {
                Some((format!("dataFrom[{i}].extract"), f.extract.as_ref()?))
            }));
    for (at, r) in named {
        if r.fetches_metadata() && (r.version_stage.is_some() || r.version_id.is_some()) {
            return Err(SyncError::new(
                Reason::InvalidSpec,
                format!(
                    "{at}: metadataPolicy: Fetch reads the tags, which belong to the secret, not to \
                     a version: leave out versionStage and versionId"
                ),
            ));
        }
    }
    if let Some(t) = &spec.target.template {
        match t.engine_version.unwrap_or_default() {
            TemplateEngine::Minijinja => template::check(&t.data)?,
            TemplateEngine::V2 => go_template::check(t)?,
        }
        if !t.template_from.is_empty() && t.engine_version != Some(TemplateEngine::V2) {
            return Err(SyncError::new(
                Reason::InvalidSpec,
                "target.template.templateFrom needs engineVersion: v2",
            ));
        }
        if let Some(meta) = &t.metadata {
            for (field, keys) in [("labels", &meta.labels), ("annotations", &meta.annotations)] {
                if let Some(key) = keys
                    .keys()
                    .find(|k| crate::core::naming::is_reserved_key(k))
                {
                    return Err(SyncError::new(
                        Reason::InvalidSpec,
                        format!(
                            "target.template.metadata.{field} sets {key:?}: keys under {} are secretsync's own \
                             ownership and sync records, never taken from a template",
                            crate::core::naming::RESERVED_PREFIX
                        ),
                    ));
                }
            }
        }
    }
    if let Some(why) = crate::core::plan::policy::refused_combination(&spec.target) {
        return Err(SyncError::new(Reason::InvalidSpec, why));
    }
    if let Some(name) = &spec.target.name
        && !is_dns_subdomain(name)
    {
        return Err(SyncError::new(
            Reason::InvalidSpec,
            format!(
                "target.name {name:?} is not a valid Secret name (lowercase alphanumerics, '-' and '.', \
                 at most 253 characters, starting and ending alphanumeric)"
            ),
        ));
    }
    Ok(())
}

/// Whether `name` is a valid Kubernetes object name (RFC 1123 DNS subdomain).
pub fn is_dns_subdomain(name: &str) -> bool {
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    !name.is_empty()
        && name.len() <= 253
        && edge_ok(name.chars().next())
        && edge_ok(name.chars().last())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// `property` is not in the remote secret's JSON.
fn property_not_found(what: &str, property: &str, secret: &RemoteSecret) -> SyncError {
    SyncError::new(
        Reason::PropertyNotFound,
        format!(
            "{what}: property {property:?} not found in remote secret {:?}",
            secret.name
        ),
    )
}

/// The JSON payload a `property` or `extract` reads: the SecretString, or a SecretBinary holding
/// JSON (as ESO reads it); checked to be JSON.
fn json_payload<'a>(secret: &'a RemoteSecret, what: &str) -> Result<&'a [u8], SyncError> {
    let bytes = secret.content.as_bytes();
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return Ok(bytes);
    }
    let kind = match &secret.content {
        RemoteContent::String(_) => "is not JSON",
        RemoteContent::Binary(_) => "is binary, not JSON",
    };
    Err(SyncError::new(
        Reason::InvalidValue,
        format!("{what}: remote secret {:?} {kind}", secret.name),
    ))
}

/// `property` read from `secret` as ESO reads it.
fn property_of(secret: &RemoteSecret, property: &str, what: &str) -> Result<Vec<u8>, SyncError> {
    property_bytes(json_payload(secret, what)?, property)
        .map_err(|why| {
            SyncError::new(
                Reason::InvalidValue,
                format!("{what}: property {property:?}: {why}"),
            )
        })?
        .ok_or_else(|| property_not_found(what, property, secret))
}

/// The keys and values a `find` gives: each secret's whole value under a key made from its name —
/// secretsync's naming, or with `rewrite`/`conversionStrategy` ESO's (the whole name, renamed).
fn found(
    find: &crate::api::FindRef,
    rewrite: &[crate::api::Rewrite],
    secrets: &[RemoteSecret],
    what: &str,
) -> Result<BTreeMap<String, Vec<u8>>, SyncError> {
    let renamed: BTreeMap<String, Vec<u8>> = if rewrite.is_empty() {
        let by_name = secrets.iter().map(|s| (s.name.clone(), s));
        let native =
            |name: &str, s: &&RemoteSecret| crate::core::parameter::find_key_of(name, &s.arn);
        Renaming::of(find.conversion_strategy)
            .apply_or(by_name, native)
            .map(|m| {
                m.into_iter()
                    .map(|(k, s)| (k, s.content.as_bytes().to_vec()))
                    .collect()
            })
    } else {
        let by_name = secrets
            .iter()
            .map(|s| (s.name.clone(), s.content.as_bytes().to_vec()))
            .collect();
        crate::core::rewrite::apply(rewrite, by_name)
    }
    .map_err(|why| {
        SyncError::new(
            Reason::InvalidValue,
            format!("{what}: remote secrets {why}"),
        )
    })?;
    renamed
        .into_iter()
        .map(|(key, raw)| {
            let what = format!("{what} key {key:?}");
            let value = decoded(find.decoding_strategy, find.null_byte_policy, &raw, &what)?;
            Ok((key, value))
        })
        .collect()
}

/// A value decoded by `strategy`, then checked against `nulls` (ESO's order).
fn decoded(
    strategy: DecodingStrategy,
    nulls: NullBytePolicy,
    raw: &[u8],
    what: &str,
) -> Result<Vec<u8>, SyncError> {
    let value = decode(strategy, raw)
        .map_err(|why| SyncError::new(Reason::InvalidValue, format!("{what}: value {why}")))?;
    if nulls == NullBytePolicy::Fail && value.contains(&0) {
        return Err(SyncError::new(
            Reason::InvalidValue,
            format!("{what}: the value holds a NUL byte (nullBytePolicy: Fail)"),
        ));
    }
    Ok(value)
}

/// The versions a sync of `spec` records (unbounded): each read by its `syncedVersions` key, each
/// `find` match by its name. Used by [`compute`], and per store when entries name their own.
pub fn versions_of(spec: &ExternalSecretSpec, fetched: &Fetched) -> BTreeMap<String, String> {
    let mut versions = BTreeMap::new();
    let record =
        |versions: &mut BTreeMap<String, String>, remote: &RemoteRef, secret: &RemoteSecret| {
            versions.insert(
                crate::core::remote::status_key_of(remote),
                secret.version_id.clone(),
            );
        };
    for (from, got) in spec.data_from.iter().zip(&fetched.data_from) {
        match (from.extract.as_ref(), got) {
            (Some(remote), FetchedFrom::Extract(secret)) => record(&mut versions, remote, secret),
            (_, FetchedFrom::Find(secrets)) => {
                for secret in secrets {
                    versions.insert(secret.name.clone(), secret.version_id.clone());
                }
            }
            _ => {}
        }
    }
    for (item, secret) in spec.data.iter().zip(&fetched.data) {
        record(&mut versions, &item.remote_ref, secret);
    }
    versions
}

/// Every top-level key of a JSON object (optionally below `property`) as Secret data, renamed by
/// `rewrite` (or, without one, the conversion strategy) before decoding.
fn extract(
    remote: &RemoteRef,
    secret: &RemoteSecret,
    rewrite: &[crate::api::Rewrite],
    what: &str,
) -> Result<BTreeMap<String, Vec<u8>>, SyncError> {
    let object = match &remote.property {
        Some(p) => property_of(secret, p, what)?,
        None => json_payload(secret, what)?.to_vec(),
    };
    let members = extract_members(&object).ok_or_else(|| {
        SyncError::new(
            Reason::InvalidValue,
            format!(
                "{what}: remote secret {:?} is not a JSON object",
                secret.name
            ),
        )
    })?;
    let renamed = if rewrite.is_empty() {
        Renaming::of(remote.conversion_strategy).apply(members)
    } else {
        crate::core::rewrite::apply(rewrite, members.into_iter().collect())
    }
    .map_err(|why| SyncError::new(Reason::InvalidValue, format!("{what}: keys {why}")))?;
    renamed
        .into_iter()
        .map(|(k, v)| {
            let what = format!("{what} key {k:?}");
            let bytes = decoded(remote.decoding_strategy, remote.null_byte_policy, &v, &what)?;
            Ok((k, bytes))
        })
        .collect()
}

/// Computes the Secret data: `dataFrom` entries in order, then `data` entries (later entries win),
/// then the template (which replaces the data, or merges over it with `mergePolicy: Merge`).
pub fn compute(spec: &ExternalSecretSpec, fetched: &Fetched) -> Result<DesiredData, SyncError> {
    if fetched.data.len() != spec.data.len() || fetched.data_from.len() != spec.data_from.len() {
        return Err(SyncError::new(
            Reason::ProviderError,
            "internal: fetched values do not match the spec; retrying",
        ));
    }
    let mut data = BTreeMap::new();

    for (i, (from, got)) in spec.data_from.iter().zip(&fetched.data_from).enumerate() {
        match (from.extract.as_ref(), from.find.as_ref(), got) {
            (Some(remote), _, FetchedFrom::Extract(secret)) => {
                let what = format!("dataFrom[{i}].extract");
                data.extend(extract(remote, secret, &from.rewrite, &what)?);
            }
            (_, Some(_), FetchedFrom::Find(secrets)) if secrets.is_empty() => {
                // No match is a failure, never an empty Secret: the keys it held stay.
                return Err(SyncError::new(
                    Reason::SecretNotFound,
                    format!("dataFrom[{i}].find matched nothing"),
                ));
            }
            (_, Some(find), FetchedFrom::Find(secrets)) => {
                let what = format!("dataFrom[{i}].find");
                data.extend(found(find, &from.rewrite, secrets, &what)?);
            }
            _ => {
                return Err(SyncError::new(
                    Reason::ProviderError,
                    format!("internal: dataFrom[{i}] fetched the wrong shape; retrying"),
                ));
            }
        }
    }

    for (item, secret) in spec.data.iter().zip(&fetched.data) {
        let remote = &item.remote_ref;
        let what = format!(
            "data[{}] (secretKey {:?})",
            item.secret_key, item.secret_key
        );
        let raw = match &remote.property {
            None => secret.content.as_bytes().to_vec(),
            Some(p) => property_of(secret, p, &what)?,
        };
        data.insert(
            item.secret_key.clone(),
            decoded(
                remote.decoding_strategy,
                remote.null_byte_policy,
                &raw,
                &what,
            )?,
        );
    }

    let mut rendered_metadata = None;
    match spec.target.template.as_ref() {
        Some(t) if t.engine_version == Some(TemplateEngine::V2) => {
            let rendered = go_template::render(t, &data, &fetched.template_sources)?;
            if go_template::has_data_templates(t) {
                data = merged(t.merge_policy, data, rendered.data);
            }
            rendered_metadata = Some(RenderedMetadata {
                labels: rendered.labels,
                annotations: rendered.annotations,
                paths: rendered.paths,
            });
        }
        Some(t) if !t.data.is_empty() => {
            let rendered = template::render(&t.data, &data)?;
            data = merged(t.merge_policy, data, rendered);
        }
        _ => {}
    }

    if let Some(bad) = data.keys().find(|k| !is_valid_key(k)) {
        return Err(SyncError::new(
            Reason::InvalidValue,
            format!(
                "{bad:?} is not a valid Secret key (allowed: [-._a-zA-Z0-9]+, at most 253 characters)"
            ),
        ));
    }
    let size: usize = data.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_SECRET_BYTES {
        return Err(SyncError::new(
            Reason::SizeLimitExceeded,
            format!("the Secret would hold {size} bytes; the limit is {MAX_SECRET_BYTES}"),
        ));
    }
    Ok(DesiredData {
        data,
        synced_versions: bounded(versions_of(spec, fetched)),
        rendered_metadata,
    })
}

/// Templated keys alone (`Replace`), or over the fetched keys (`Merge`).
fn merged(
    policy: MergePolicy,
    mut fetched: BTreeMap<String, Vec<u8>>,
    rendered: BTreeMap<String, Vec<u8>>,
) -> BTreeMap<String, Vec<u8>> {
    match policy {
        MergePolicy::Replace => rendered,
        MergePolicy::Merge => {
            fetched.extend(rendered);
            fetched
        }
    }
}

#[cfg(test)]
#[path = "desired_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "desired_gjson_tests.rs"]
mod gjson_tests;

#[cfg(test)]
#[path = "desired_metadata_tests.rs"]
mod metadata_tests;
