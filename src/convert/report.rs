//! What a conversion could not carry: one [`Unsupported`] per field, named by its exact path.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

/// Identifies one ESO object in messages: `ExternalSecret team-a/db`, `ClusterSecretStore shared`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectId {
    /// The ESO kind, e.g. `ExternalSecret`.
    pub kind: String,
    /// The namespace, when the manifest names one.
    pub namespace: Option<String>,
    /// `metadata.name` (empty when the manifest has none).
    pub name: String,
}

impl ObjectId {
    /// Reads kind, namespace and name from a manifest.
    pub fn of(doc: &Value) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let metadata = doc.get("metadata");
        Self {
            kind: text(doc.get("kind")).unwrap_or_default(),
            namespace: text(metadata.and_then(|m| m.get("namespace"))).filter(|n| !n.is_empty()),
            name: text(metadata.and_then(|m| m.get("name"))).unwrap_or_default(),
        }
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// One field of one object that secretsync cannot carry, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// The object the field belongs to.
    pub object: ObjectId,
    /// Exact field path, e.g. `spec.dataFrom[1].sourceRef.generatorRef`.
    pub path: String,
    /// Why it is refused.
    pub reason: String,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.object, self.path, self.reason)
    }
}

/// Collects the refusals of one object while it is converted.
#[derive(Debug)]
pub(crate) struct Refusals {
    object: ObjectId,
    items: Vec<Unsupported>,
    notes: Vec<String>,
    fatal: bool,
}

impl Refusals {
    pub(crate) fn new(object: ObjectId) -> Self {
        Self {
            object,
            items: Vec::new(),
            notes: Vec::new(),
            fatal: false,
        }
    }

    /// Records a field without which the object cannot be converted at all (dropping it would
    /// change what is read, from where or with which identity).
    pub(crate) fn refuse_object(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.refuse(path, reason);
        self.fatal = true;
    }

    /// The object being converted.
    pub(crate) fn object(&self) -> &ObjectId {
        &self.object
    }

    /// How many refusals so far (to tell whether a part converted cleanly).
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether a refusal made the whole object unconvertible.
    pub(crate) fn is_fatal(&self) -> bool {
        self.fatal
    }

    /// Records that the field at `path` is not converted.
    pub(crate) fn refuse(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.items.push(Unsupported {
            object: self.object.clone(),
            path: path.into(),
            reason: reason.into(),
        });
    }

    /// Records something the user should know about a field that did convert.
    pub(crate) fn note(&mut self, text: impl Into<String>) {
        self.notes.push(format!("{}: {}", self.object, text.into()));
    }

    /// The refusals and the notes.
    pub(crate) fn finish(self) -> (Vec<Unsupported>, Vec<String>) {
        (self.items, self.notes)
    }
}

/// Appends a map key to a field path: `.name`, or `["tls.crt"]` when the key is not a plain word.
pub(crate) fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// Whether a value counts as unset: null, `""`, `[]`, `{}` or `false` (ESO omits these).
pub(crate) fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Reads the fields of one ESO object level; fields never taken are refused by [`Fields::finish`],
/// so a field this converter does not know is reported, never silently dropped.
pub(crate) struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    path: String,
    taken: BTreeSet<&'static str>,
}

impl<'a> Fields<'a> {
    /// Reads `value` at `path`; a value that is not a mapping is refused.
    pub(crate) fn new(value: &'a Value, path: &str, r: &mut Refusals) -> Self {
        let map = match value {
            Value::Object(m) => Some(m),
            v if is_unset(v) => None,
            _ => {
                r.refuse(path, "expected a mapping");
                None
            }
        };
        Self {
            map,
            path: path.to_string(),
            taken: BTreeSet::new(),
        }
    }

    /// The path of a field of this level.
    pub(crate) fn at(&self, key: &str) -> String {
        join_key(&self.path, key)
    }

    /// The value of `key` unless it is unset; marks the key as handled.
    pub(crate) fn take(&mut self, key: &'static str) -> Option<&'a Value> {
        self.taken.insert(key);
        self.map.and_then(|m| m.get(key)).filter(|v| !is_unset(v))
    }

    /// The string value of `key`; any other type is refused.
    pub(crate) fn string(&mut self, key: &'static str, r: &mut Refusals) -> Option<&'a str> {
        match self.take(key) {
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                r.refuse(self.at(key), "expected a string");
                None
            }
            None => None,
        }
    }

    /// Refuses `key` with `reason` when it is set.
    pub(crate) fn refuse_if_set(&mut self, key: &'static str, reason: &str, r: &mut Refusals) {
        if self.take(key).is_some() {
            r.refuse(self.at(key), reason);
        }
    }

    /// Refuses every set field that was never taken.
    pub(crate) fn finish(self, r: &mut Refusals) {
        let Some(map) = self.map else { return };
        for (key, value) in map {
            if !self.taken.contains(key.as_str()) && !is_unset(value) {
                r.refuse(
                    join_key(&self.path, key),
                    "field not known to the converter; not carried over",
                );
            }
        }
    }
}
