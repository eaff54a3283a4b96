//! `secretsync convert`: External Secrets Operator (ESO) manifests to secretsync manifests.
//!
//! Pure: manifests in (as [`serde_json::Value`]), converted manifests and a list of
//! [`Unsupported`] fields out. ESO's `external-secrets.io/v1` and `v1beta1` ExternalSecret,
//! SecretStore, ClusterSecretStore and ClusterExternalSecret with the AWS provider convert; every
//! field without a faithful secretsync form is reported with its exact path. Documents of other
//! kinds are skipped with a note; ServiceAccounts among them are read for ESO's `jwt` auth.

pub mod cli;
mod cluster_external_secret;
mod durations;
mod external_secret;
#[cfg(test)]
mod generic_target_tests;
mod nesting;
mod remote_ref;
mod report;
mod store;
mod store_roles;
mod sync_windows;
mod template;
#[cfg(test)]
mod tests;
pub mod version;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

pub use report::{ObjectId, Unsupported};

use crate::api::AwsService;
use report::Refusals;

/// ESO API versions this converter reads.
pub const ESO_API_VERSIONS: [&str; 2] = ["external-secrets.io/v1", "external-secrets.io/v1beta1"];

/// The API version of every converted object.
pub const SECRETSYNC_API_VERSION: &str = "secretsync.io/v1alpha1";

/// ESO kinds this converter reads.
const ESO_KINDS: [&str; 4] = [
    "ExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
    "ClusterExternalSecret",
];

/// Annotation kubectl writes with the whole applied ESO object; never carried over.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Errors reading or writing manifests (refused fields are not errors: see [`Unsupported`]).
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// A document is not valid YAML.
    #[error("document {index}: {source}")]
    Yaml {
        /// 1-based position of the document in its stream.
        index: usize,
        /// The parser's error.
        source: serde_yaml_ng::Error,
    },
    /// A document nests flow collections deeper than the parser accepts.
    #[error(
        "document nests `[`/`{{` more than {} levels deep (line {}, column {}): refused before parsing",
        nesting::MAX_FLOW_DEPTH, .0.line, .0.column
    )]
    TooDeep(nesting::TooDeep),
    /// A converted object could not be rendered as YAML.
    #[error("rendering YAML: {0}")]
    Render(#[from] serde_yaml_ng::Error),
}

/// The result of converting one ESO object.
#[derive(Debug)]
pub struct Converted {
    /// The ESO object.
    pub object: ObjectId,
    /// The secretsync object; None when nothing convertible remains.
    pub output: Option<Value>,
    /// Fields not carried over, in document order.
    pub unsupported: Vec<Unsupported>,
    /// Differences in behaviour worth knowing about fields that did convert.
    pub notes: Vec<String>,
}

/// The result of converting a set of manifests.
#[derive(Debug, Default)]
pub struct Conversion {
    /// One entry per ESO object, in input order.
    pub objects: Vec<Converted>,
    /// Notes about documents that are not ESO objects and were skipped.
    pub skipped: Vec<String>,
}

impl Conversion {
    /// Every unsupported field of every object.
    pub fn unsupported(&self) -> impl Iterator<Item = &Unsupported> {
        self.objects.iter().flat_map(|o| o.unsupported.iter())
    }
}

/// A ServiceAccount's annotations that ESO's `jwt` auth reads.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServiceAccountInfo {
    /// `eks.amazonaws.com/role-arn`.
    pub(crate) role_arn: Option<String>,
    /// `eks.amazonaws.com/audience`.
    pub(crate) audience: Option<String>,
}

/// The stores and ServiceAccounts among the input, so references to them can be resolved.
#[derive(Debug, Default)]
pub(crate) struct StoreIndex {
    /// (kind, namespace, name) → service; ClusterSecretStores have no namespace.
    services: BTreeMap<(String, Option<String>, String), AwsService>,
    /// Services of stores not among the input, from the command line.
    assumed: AssumedServices,
    /// (namespace, name) → annotations.
    accounts: BTreeMap<(Option<String>, String), ServiceAccountInfo>,
}

/// Services of stores that are not among the converted manifests (app repositories rarely hold the
/// platform team's stores), from the command line: `--store-service` per store, else `--service`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssumedServices {
    /// `--service`: every store not among the input.
    pub all: Option<AwsService>,
    /// `--store-service [ClusterSecretStore/]NAME=SERVICE`: (cluster store, name) → service.
    pub by_store: BTreeMap<(bool, String), AwsService>,
}

impl AssumedServices {
    /// Parses one `--store-service` value: `NAME=SERVICE`, `SecretStore/NAME=SERVICE` or
    /// `ClusterSecretStore/NAME=SERVICE`.
    pub fn parse_store(value: &str) -> Result<((bool, String), AwsService), String> {
        let (store, service) = value
            .split_once('=')
            .ok_or_else(|| format!("{value:?}: expected [ClusterSecretStore/]NAME=SERVICE"))?;
        let (cluster, name) = match store.split_once('/') {
            None => (false, store),
            Some(("SecretStore", name)) => (false, name),
            Some(("ClusterSecretStore", name)) => (true, name),
            Some((kind, _)) => {
                return Err(format!(
                    "{value:?}: store kind {kind:?} is not SecretStore or ClusterSecretStore"
                ));
            }
        };
        if name.is_empty() {
            return Err(format!("{value:?}: the store name is empty"));
        }
        Ok(((cluster, name.to_string()), parse_service(service)?))
    }
}

/// Parses a service name as ESO writes it (`SecretsManager`, `ParameterStore`, `CertificateManager`).
pub fn parse_service(value: &str) -> Result<AwsService, String> {
    match value {
        "SecretsManager" => Ok(AwsService::SecretsManager),
        "ParameterStore" => Ok(AwsService::ParameterStore),
        "CertificateManager" => Ok(AwsService::CertificateManager),
        other => Err(format!(
            "{other:?} is not a service (SecretsManager, ParameterStore or CertificateManager)"
        )),
    }
}

impl StoreIndex {
    fn build(docs: &[Value], assumed: &AssumedServices) -> Self {
        let mut index = Self {
            assumed: assumed.clone(),
            ..Self::default()
        };
        for doc in docs {
            let id = ObjectId::of(doc);
            let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            if id.kind == "ServiceAccount" && api == "v1" {
                let annotation = |k: &str| {
                    doc.pointer("/metadata/annotations")
                        .and_then(|a| a.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                index.accounts.insert(
                    (id.namespace.clone(), id.name.clone()),
                    ServiceAccountInfo {
                        role_arn: annotation(store::ROLE_ARN_ANNOTATION),
                        audience: annotation(store::AUDIENCE_ANNOTATION),
                    },
                );
            }
            let service = doc
                .pointer("/spec/provider/aws/service")
                .cloned()
                .and_then(|s| AwsService::deserialize(s).ok());
            if let (true, Some(service)) = (ESO_API_VERSIONS.contains(&api), service) {
                let ns = (id.kind == "SecretStore")
                    .then(|| id.namespace.clone())
                    .flatten();
                index.services.insert((id.kind, ns, id.name), service);
            }
        }
        index
    }

    /// The service of a store; `namespace` None for a SecretStore looks in every namespace (a
    /// ClusterExternalSecret's store) and answers only when all same-named stores agree.
    pub(crate) fn service(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<AwsService> {
        let mut found = self
            .services
            .iter()
            .filter(|((k, ns, n), _)| {
                k == kind && n == name && (namespace.is_none() || ns.as_deref() == namespace)
            })
            .map(|(_, s)| *s);
        let first = found.next()?;
        found.all(|s| s == first).then_some(first)
    }

    /// The service of a store not among the input, from the command line, with the note saying so.
    pub(crate) fn assumed_service(&self, kind: &str, name: &str) -> Option<(AwsService, String)> {
        let cluster = kind == "ClusterSecretStore";
        let (service, from) = match self.assumed.by_store.get(&(cluster, name.to_string())) {
            Some(s) => (*s, "--store-service"),
            None => (self.assumed.all?, "--service"),
        };
        let note = format!(
            "{kind} {name:?} is not among the converted manifests; its service {} is taken from \
             {from} (check that the store really uses it)",
            service.display_name()
        );
        Some((service, note))
    }

    /// The annotations of a ServiceAccount among the input.
    pub(crate) fn service_account(
        &self,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&ServiceAccountInfo> {
        self.accounts
            .get(&(namespace.map(str::to_string), name.to_string()))
    }
}

/// Parses a multi-document YAML stream; empty documents are dropped and `kind: List` is expanded.
pub fn parse_stream(text: &str) -> Result<Vec<Value>, ConvertError> {
    nesting::check_flow_depth(text, nesting::MAX_FLOW_DEPTH).map_err(ConvertError::TooDeep)?;
    let mut docs = Vec::new();
    for (i, doc) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(doc).map_err(|source| ConvertError::Yaml {
            index: i + 1,
            source,
        })?;
        match value {
            Value::Null => {}
            Value::Object(ref m) if m.get("kind") == Some(&json!("List")) => {
                let items = m.get("items").and_then(Value::as_array);
                docs.extend(items.into_iter().flatten().cloned());
            }
            v => docs.push(v),
        }
    }
    Ok(docs)
}

/// Converts every ESO object among `docs`; stores and ServiceAccounts among them resolve references.
pub fn convert(docs: &[Value]) -> Conversion {
    convert_with(docs, &AssumedServices::default())
}

/// [`convert`], with the services of stores not among `docs` taken from `assumed`.
pub fn convert_with(docs: &[Value], assumed: &AssumedServices) -> Conversion {
    let index = StoreIndex::build(docs, assumed);
    let mut out = Conversion::default();
    for doc in docs {
        let id = ObjectId::of(doc);
        let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let eso_group = api.starts_with("external-secrets.io/")
            || api.starts_with("generators.external-secrets.io/");
        if ESO_API_VERSIONS.contains(&api) && ESO_KINDS.contains(&id.kind.as_str()) {
            out.objects.push(convert_object(doc, id, &index));
        } else if eso_group {
            let mut r = Refusals::new(id.clone());
            let reason = if ESO_KINDS.contains(&id.kind.as_str()) {
                format!("{api} is not supported (external-secrets.io/v1 and v1beta1 are)")
            } else {
                format!("{api} {} has no secretsync equivalent", id.kind)
            };
            r.refuse_object("apiVersion", reason);
            let (unsupported, notes) = r.finish();
            out.objects.push(Converted {
                object: id,
                output: None,
                unsupported,
                notes,
            });
        } else if id.kind != "ServiceAccount" || api != "v1" {
            let what = if api.is_empty() && id.kind.is_empty() {
                "a document without apiVersion and kind".to_string()
            } else {
                format!("{api} {id}")
            };
            out.skipped
                .push(format!("{what}: not an External Secrets Operator object"));
        } else {
            out.skipped
                .push(format!("v1 {id}: read for jwt auth, not converted"));
        }
    }
    out
}

fn convert_object(doc: &Value, id: ObjectId, index: &StoreIndex) -> Converted {
    let mut r = Refusals::new(id.clone());
    let empty = Value::Null;
    let spec = doc.get("spec").unwrap_or(&empty);
    let ns = id.namespace.as_deref();
    let spec = match id.kind.as_str() {
        "ExternalSecret" => external_secret::convert_spec(spec, "spec", ns, index, &mut r),
        "SecretStore" => store::convert_spec(spec, false, ns, index, &mut r),
        "ClusterSecretStore" => store::convert_spec(spec, true, None, index, &mut r),
        _ => cluster_external_secret::convert_spec(spec, index, &mut r),
    };
    let output = spec.map(|spec| {
        json!({
            "apiVersion": SECRETSYNC_API_VERSION,
            "kind": id.kind,
            "metadata": metadata(doc),
            "spec": spec,
        })
    });
    let (unsupported, mut notes) = r.finish();
    if output.is_none() {
        notes.clear();
    }
    Converted {
        object: id,
        output,
        unsupported,
        notes,
    }
}

/// Name, namespace, labels and annotations; fields the API server fills in are dropped.
fn metadata(doc: &Value) -> Value {
    let mut out = Map::new();
    let meta = doc.get("metadata");
    for key in ["name", "namespace", "labels", "annotations"] {
        let Some(v) = meta
            .and_then(|m| m.get(key))
            .filter(|v| !report::is_unset(v))
        else {
            continue;
        };
        let mut v = v.clone();
        if let Some(a) = v.as_object_mut().filter(|_| key == "annotations") {
            a.remove(LAST_APPLIED);
            if a.is_empty() {
                continue;
            }
        }
        out.insert(key.into(), v);
    }
    Value::Object(out)
}

/// The file `--out` writes an object to: `<kind>-<namespace>-<name>.yaml` (lower-case kind;
/// cluster-scoped objects have no namespace part).
pub fn file_name(object: &ObjectId) -> String {
    let kind = object.kind.to_lowercase();
    match &object.namespace {
        Some(ns) => format!("{kind}-{ns}-{}.yaml", object.name),
        None => format!("{kind}-{}.yaml", object.name),
    }
}

/// Renders objects as a multi-document YAML stream (each document starts with `---`), fields in
/// the order of secretsync's README (see [`FIELD_ORDER`]).
pub fn render_stream<'a>(
    objects: impl IntoIterator<Item = &'a Value>,
) -> Result<String, ConvertError> {
    let mut out = String::new();
    for o in objects {
        out.push_str("---\n");
        out.push_str(&serde_yaml_ng::to_string(&ordered(o, false)?)?);
    }
    Ok(out)
}

/// Field order of rendered objects: these keys first, in this order; other keys after, sorted.
const FIELD_ORDER: [&str; 55] = [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "name",
    "namespace",
    "labels",
    "annotations",
    // ClusterExternalSecret
    "namespaceSelectors",
    "namespaces",
    "externalSecretName",
    "externalSecretMetadata",
    "refreshTime",
    "externalSecretSpec",
    // ExternalSecret
    "secretStoreRef",
    "refreshInterval",
    "refreshPolicy",
    "syncWindows",
    "windows",
    "schedule",
    "duration",
    "target",
    "data",
    "dataFrom",
    "type",
    "creationPolicy",
    "deletionPolicy",
    "template",
    "mergePolicy",
    "secretKey",
    "remoteRef",
    "extract",
    "find",
    "key",
    "property",
    "versionStage",
    "versionId",
    "path",
    "tags",
    "decodingStrategy",
    // stores
    "aws",
    "conditions",
    "service",
    "region",
    "additionalRoles",
    "role",
    "externalId",
    "sessionTags",
    "transitiveTagKeys",
    "auth",
    "secretRef",
    "serviceAccountRef",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
];

/// Maps whose keys are user data (label names, template keys, tags): kept sorted, never reordered.
const USER_MAPS: [&str; 5] = ["labels", "annotations", "data", "tags", "matchLabels"];

fn ordered(v: &Value, user_map: bool) -> Result<serde_yaml_ng::Value, ConvertError> {
    Ok(match v {
        Value::Object(map) => {
            // `kind` leads a manifest but follows `name` in a reference (`secretStoreRef`).
            let top = map.contains_key("apiVersion");
            let rank = |k: &str| {
                let k = if k == "kind" && !top { "name" } else { k };
                let pos = FIELD_ORDER
                    .iter()
                    .position(|f| *f == k)
                    .filter(|_| !user_map);
                pos.unwrap_or(FIELD_ORDER.len())
            };
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
            let mut out = serde_yaml_ng::Mapping::new();
            for k in keys {
                let child = ordered(
                    &map[k.as_str()],
                    USER_MAPS.contains(&k.as_str()) && map[k.as_str()].is_object(),
                )?;
                out.insert(serde_yaml_ng::Value::String(k.clone()), child);
            }
            serde_yaml_ng::Value::Mapping(out)
        }
        Value::Array(items) => serde_yaml_ng::Value::Sequence(
            items
                .iter()
                .map(|i| ordered(i, false))
                .collect::<Result<_, _>>()?,
        ),
        scalar => serde_yaml_ng::to_value(scalar)?,
    })
}
