//! `target.template` with `engineVersion: v2`: ESO's `ApplyTemplate` over the fetched keys, in ESO's
//! order: `templateFrom` entries (ConfigMap, Secret, literal; `Values` or `KeysAndValues`), then
//! `data`, then the labels' and annotations' values. Pure: the shell reads the ConfigMaps and Secrets
//! named by `templateFrom` ([`TemplateSources`]) before this runs.

use std::collections::BTreeMap;

use crate::api::{DecodingStrategy, SecretTemplate, TemplateScope, TemplateTarget};
use crate::core::decode::decode;
use crate::core::gotemplate;
use crate::core::manifest::path::{PathValue, PathWrite};
use crate::core::naming::is_reserved_key;
use crate::core::reason::{Reason, SyncError};

/// The ConfigMaps' and Secrets' data that `templateFrom` names, read from the ExternalSecret's
/// namespace (absent: the object does not exist).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateSources {
    /// ConfigMap name → its data.
    pub config_maps: BTreeMap<String, BTreeMap<String, String>>,
    /// Secret name → its data.
    pub secrets: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
}

/// What the templates produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Secret keys from templates.
    pub data: BTreeMap<String, Vec<u8>>,
    /// Labels: the template's own (rendered) and those `templateFrom` targets at labels.
    pub labels: BTreeMap<String, String>,
    /// Annotations, likewise.
    pub annotations: BTreeMap<String, String>,
    /// Templates rendered for nested paths of a generic target, in order.
    pub paths: Vec<PathWrite>,
}

/// ESO's "no template" test: without `data` or `templateFrom` the fetched keys are kept whatever
/// `mergePolicy` says.
pub fn has_data_templates(t: &SecretTemplate) -> bool {
    !t.data.is_empty() || !t.template_from.is_empty()
}

/// Names of the ConfigMaps and Secrets `templateFrom` reads.
pub fn source_names(t: &SecretTemplate) -> (Vec<String>, Vec<String>) {
    let config_maps = t
        .template_from
        .iter()
        .filter_map(|f| f.config_map.as_ref().map(|c| c.name.clone()))
        .collect();
    let secrets = t
        .template_from
        .iter()
        .filter_map(|f| f.secret.as_ref().map(|c| c.name.clone()))
        .collect();
    (config_maps, secrets)
}

/// Whether `templateFrom` reads ConfigMaps or Secrets of the cluster (anything but literals): change
/// detection cannot vouch for those, so such a spec reads its values at every refresh.
pub fn reads_cluster_objects(t: Option<&SecretTemplate>) -> bool {
    t.is_some_and(|t| t.template_from.iter().any(|f| f.literal.is_none()))
}

fn error(what: &str, why: impl std::fmt::Display) -> SyncError {
    SyncError::new(Reason::TemplateError, format!("{what}: {why}"))
}

/// Checks every inline template (data, labels, annotations, literals) parses: typos and refused
/// functions fail before any AWS call.
pub fn check(t: &SecretTemplate) -> Result<(), SyncError> {
    for (k, v) in &t.data {
        gotemplate::parse(v).map_err(|e| error(&format!("template.data[{k:?}]"), e))?;
    }
    if let Some(meta) = &t.metadata {
        for (field, map) in [("labels", &meta.labels), ("annotations", &meta.annotations)] {
            for (k, v) in map {
                gotemplate::parse(v)
                    .map_err(|e| error(&format!("template.metadata.{field}[{k:?}]"), e))?;
            }
        }
    }
    for (i, from) in t.template_from.iter().enumerate() {
        if let Some(literal) = &from.literal {
            gotemplate::parse(literal)
                .map_err(|e| error(&format!("template.templateFrom[{i}].literal"), e))?;
        }
    }
    Ok(())
}

/// Where rendered keys go.
struct Out<'a> {
    rendered: &'a mut Rendered,
}

impl Out<'_> {
    fn put(
        &mut self,
        target: TemplateTarget,
        key: String,
        value: Vec<u8>,
        what: &str,
    ) -> Result<(), SyncError> {
        if matches!(target, TemplateTarget::Labels | TemplateTarget::Annotations)
            && is_reserved_key(&key)
        {
            return Err(error(
                what,
                format!("renders the key {key:?}, which is secretsync's own"),
            ));
        }
        match target {
            TemplateTarget::Data => {
                self.rendered.data.insert(key, value);
            }
            TemplateTarget::Labels => {
                self.rendered.labels.insert(key, lossy(value));
            }
            TemplateTarget::Annotations => {
                self.rendered.annotations.insert(key, lossy(value));
            }
            TemplateTarget::Path(path) => self.rendered.paths.push(PathWrite {
                path,
                value: PathValue::Value { key, value },
            }),
        }
        Ok(())
    }
}

fn lossy(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn render_one(
    source: &str,
    data: &BTreeMap<String, Vec<u8>>,
    what: &str,
) -> Result<Vec<u8>, SyncError> {
    gotemplate::render(source, data).map_err(|e| error(what, e))
}

fn decoded(
    strategy: Option<DecodingStrategy>,
    value: Vec<u8>,
    what: &str,
) -> Result<Vec<u8>, SyncError> {
    match strategy {
        None | Some(DecodingStrategy::None) => Ok(value),
        Some(s) => decode(s, &value).map_err(|why| {
            SyncError::new(
                Reason::InvalidValue,
                format!("{what}: the rendered value {why}"),
            )
        }),
    }
}

/// `KeysAndValues`: the rendered text is a YAML map of strings (as ESO unmarshals it into
/// `map[string]string`: a number or bool value is an error, null is "").
fn keys_and_values(text: &[u8], what: &str) -> Result<Vec<(String, Vec<u8>)>, SyncError> {
    let text =
        std::str::from_utf8(text).map_err(|_| error(what, "the rendered text is not UTF-8"))?;
    let parsed: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|_| {
        error(
            what,
            "the rendered text is not a YAML map of `key: value` lines",
        )
    })?;
    let map = match parsed {
        serde_yaml_ng::Value::Mapping(m) => m,
        serde_yaml_ng::Value::Null => return Ok(Vec::new()),
        _ => {
            return Err(error(
                what,
                "the rendered text is not a YAML map of `key: value` lines",
            ));
        }
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let key = match k {
            serde_yaml_ng::Value::String(s) => s,
            serde_yaml_ng::Value::Number(n) => n.to_string(),
            serde_yaml_ng::Value::Bool(b) => b.to_string(),
            _ => return Err(error(what, "a rendered key is not a string")),
        };
        let value = match v {
            serde_yaml_ng::Value::String(s) => s.into_bytes(),
            serde_yaml_ng::Value::Null => Vec::new(),
            _ => {
                return Err(error(
                    what,
                    format!("the value of rendered key {key:?} is not a string (quote it)"),
                ));
            }
        };
        out.push((key, value));
    }
    Ok(out)
}

/// Applies the template to the fetched keys, as ESO's engine v2 does.
pub fn render(
    t: &SecretTemplate,
    data: &BTreeMap<String, Vec<u8>>,
    sources: &TemplateSources,
) -> Result<Rendered, SyncError> {
    let mut rendered = Rendered::default();
    let mut out = Out {
        rendered: &mut rendered,
    };
    for (i, from) in t.template_from.iter().enumerate() {
        let strategy = from.values_decoding_strategy;
        let mut items: Vec<(String, Vec<u8>, TemplateScope)> = Vec::new();
        if let Some(cm) = &from.config_map {
            let what = format!("templateFrom[{i}].configMap {:?}", cm.name);
            let found = sources
                .config_maps
                .get(&cm.name)
                .ok_or_else(|| error(&what, "not found in the ExternalSecret's namespace"))?;
            for item in &cm.items {
                let v = found
                    .get(&item.key)
                    .ok_or_else(|| error(&what, format!("has no key {:?}", item.key)))?;
                items.push((item.key.clone(), v.clone().into_bytes(), item.template_as));
            }
        }
        if let Some(sec) = &from.secret {
            let what = format!("templateFrom[{i}].secret {:?}", sec.name);
            let found = sources
                .secrets
                .get(&sec.name)
                .ok_or_else(|| error(&what, "not found in the ExternalSecret's namespace"))?;
            for item in &sec.items {
                let v = found
                    .get(&item.key)
                    .ok_or_else(|| error(&what, format!("has no key {:?}", item.key)))?;
                items.push((item.key.clone(), v.clone(), item.template_as));
            }
        }
        if let Some(literal) = &from.literal {
            items.push((
                String::new(),
                literal.clone().into_bytes(),
                TemplateScope::KeysAndValues,
            ));
        }
        for (key, source, scope) in items {
            let what = if key.is_empty() {
                format!("templateFrom[{i}].literal")
            } else {
                format!("templateFrom[{i}] key {key:?}")
            };
            let source = std::str::from_utf8(&source)
                .map_err(|_| error(&what, "the template is not UTF-8"))?;
            let text = render_one(source, data, &what)?;
            if let (TemplateTarget::Path(path), TemplateScope::KeysAndValues) =
                (&from.target, scope)
            {
                // ESO parses the whole rendered document and merges it at the path.
                out.rendered.paths.push(PathWrite {
                    path: path.clone(),
                    value: PathValue::Document(text),
                });
                continue;
            }
            match scope {
                TemplateScope::Values => {
                    let value = decoded(strategy, text, &what)?;
                    out.put(from.target.clone(), key, value, &what)?;
                }
                TemplateScope::KeysAndValues => {
                    for (k, v) in keys_and_values(&text, &what)? {
                        let value = decoded(strategy, v, &what)?;
                        out.put(from.target.clone(), k, value, &what)?;
                    }
                }
            }
        }
    }
    for (k, source) in &t.data {
        let what = format!("template.data[{k:?}]");
        let value = render_one(source, data, &what)?;
        out.put(TemplateTarget::Data, k.clone(), value, &what)?;
    }
    if let Some(meta) = &t.metadata {
        for (target, field, map) in [
            (TemplateTarget::Labels, "labels", &meta.labels),
            (
                TemplateTarget::Annotations,
                "annotations",
                &meta.annotations,
            ),
        ] {
            for (k, source) in map {
                let what = format!("template.metadata.{field}[{k:?}]");
                let value = render_one(source, data, &what)?;
                out.put(target.clone(), k.clone(), value, &what)?;
            }
        }
    }
    Ok(rendered)
}

#[cfg(test)]
#[path = "go_template_tests.rs"]
mod tests;
