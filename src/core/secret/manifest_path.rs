//! Nested `templateFrom[].target` paths of generic targets (`spec.database.config`,
//! `spec.rules[0].to`), as External Secrets Operator v2.9.0 applies them
//! (runtime/template/v2 `applyToTarget`, `applyParsedToPath`, `parseTargetPath`, `setAtPath`):
//! a `Values` template puts its rendered value, parsed as YAML when it parses, at the path; a
//! `KeysAndValues` template (a literal) parses its rendered YAML and merges a mapping into the
//! mapping already at the path (a single-segment path such as `spec` is replaced whole).

use serde_json::{Map, Value};

use crate::core::reason::{Reason, SyncError};

/// ESO's bound on an index in a path (`maxArrayIndex`).
const MAX_INDEX: usize = 10_000;

/// How a rendered template is written at a path.
#[derive(Clone, PartialEq, Eq)]
pub enum PathValue {
    /// `Values` scope: under `key` (used only by the single segment `spec`: `spec.<key>` as text),
    /// else the value, parsed as YAML when it parses, replaces what is at the path.
    Value {
        /// The template's key.
        key: String,
        /// The rendered value.
        value: Vec<u8>,
    },
    /// `KeysAndValues` scope: the rendered YAML document, merged into a mapping at the path.
    Document(Vec<u8>),
}

/// One rendered template written at a nested path of a generic target.
#[derive(Clone, PartialEq, Eq)]
pub struct PathWrite {
    /// The path as written in `templateFrom[].target`.
    pub path: String,
    /// What is written there.
    pub value: PathValue,
}

impl std::fmt::Debug for PathWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the rendered value: it holds secret data.
        f.debug_struct("PathWrite")
            .field("path", &self.path)
            .finish()
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A mapping key.
    Key(String),
    /// A list index.
    Index(usize),
}

fn bad(path: &str, why: impl std::fmt::Display) -> SyncError {
    SyncError::new(
        Reason::InvalidSpec,
        format!("templateFrom target {path:?}: {why}"),
    )
}

/// Parses a dotted path with optional `[n]` indexes (ESO's `parseTargetPath`, same refusals).
pub fn parse(path: &str) -> Result<Vec<Token>, SyncError> {
    let mut tokens = Vec::new();
    for seg in path.split('.') {
        if seg.is_empty() {
            return Err(bad(path, "empty segment"));
        }
        let (name, mut rest) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if !name.is_empty() {
            tokens.push(Token::Key(name.to_string()));
        }
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                return Err(bad(path, format!("expected '[' near {rest:?}")));
            };
            let Some(end) = inner.find(']') else {
                return Err(bad(path, "unterminated '['"));
            };
            let idx: usize = inner[..end]
                .parse()
                .map_err(|_| bad(path, format!("bad index {:?}", &inner[..end])))?;
            if idx > MAX_INDEX {
                return Err(bad(
                    path,
                    format!("index {idx} exceeds maximum ({MAX_INDEX})"),
                ));
            }
            tokens.push(Token::Index(idx));
            rest = &inner[end + 1..];
        }
    }
    match tokens.first() {
        None => Err(bad(path, "empty path")),
        Some(Token::Index(_)) => Err(bad(path, "path must start with a key")),
        Some(Token::Key(k)) if k == "metadata" || k == "apiVersion" || k == "kind" => Err(bad(
            path,
            "metadata, apiVersion and kind are secretsync's (use target Labels or Annotations)",
        )),
        Some(Token::Key(_)) => Ok(tokens),
    }
}

/// ESO's `tryParseYAML`: the value parsed as YAML, or the text itself when it does not parse.
fn try_yaml(text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Null;
    }
    serde_yaml_ng::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn text(value: &[u8], path: &str) -> Result<String, SyncError> {
    String::from_utf8(value.to_vec()).map_err(|_| {
        SyncError::new(
            Reason::InvalidValue,
            format!("templateFrom target {path:?}: the rendered value is not UTF-8 text"),
        )
    })
}

/// Writes `w` into `root` (the object's fields besides metadata), as ESO does.
pub fn apply(root: &mut Value, w: &PathWrite) -> Result<(), SyncError> {
    let path = w.path.as_str();
    let tokens = parse(path)?;
    let single = tokens.len() == 1;
    match &w.value {
        PathValue::Value { key, value } => {
            let t = text(value, path)?;
            if single && path == "spec" {
                // ESO's `setField(obj, "spec", key, value)`: the key under spec, as text.
                let spec = slot(root, &tokens)?;
                if !spec.is_object() {
                    *spec = Value::Object(Map::new());
                }
                if let Value::Object(m) = spec {
                    m.insert(key.clone(), Value::String(t));
                }
                return Ok(());
            }
            let parsed = try_yaml(&t);
            let at = slot(root, &tokens)?;
            *at = parsed;
        }
        PathValue::Document(doc) => {
            let t = text(doc, path)?;
            let parsed = if t.trim().is_empty() {
                Value::Null
            } else {
                serde_yaml_ng::from_str::<Value>(&t).map_err(|_| {
                    SyncError::new(
                        Reason::TemplateError,
                        format!("templateFrom target {path:?}: the rendered text is not YAML"),
                    )
                })?
            };
            let at = slot(root, &tokens)?;
            match (&mut *at, parsed) {
                (Value::Object(have), Value::Object(new)) if !single => have.extend(new),
                (at, parsed) => *at = parsed,
            }
        }
    }
    Ok(())
}

/// The value at `tokens` under `node`, creating mappings and growing lists (with nulls) on the way,
/// as ESO's `setAtPath`; a scalar in the way is an error.
fn slot<'a>(node: &'a mut Value, tokens: &[Token]) -> Result<&'a mut Value, SyncError> {
    let Some((first, rest)) = tokens.split_first() else {
        return Ok(node);
    };
    let child = match first {
        Token::Key(k) => {
            if node.is_null() {
                *node = Value::Object(Map::new());
            }
            let Value::Object(m) = node else {
                return Err(SyncError::new(
                    Reason::InvalidSpec,
                    format!("templateFrom target: expected a mapping at key {k:?}"),
                ));
            };
            m.entry(k.clone()).or_insert(Value::Null)
        }
        Token::Index(i) => {
            if node.is_null() {
                *node = Value::Array(Vec::new());
            }
            let Value::Array(items) = node else {
                return Err(SyncError::new(
                    Reason::InvalidSpec,
                    format!("templateFrom target: expected a list at index {i}"),
                ));
            };
            if items.len() <= *i {
                items.resize(i + 1, Value::Null);
            }
            &mut items[*i]
        }
    };
    slot(child, rest)
}

#[cfg(test)]
#[path = "manifest_path_tests.rs"]
mod tests;
