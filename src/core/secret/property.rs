//! Reading values out of a JSON SecretString with External Secrets Operator's bytes: a `property`
//! (a top-level key, which may contain dots, else a dotted path with array indexes) and the members
//! `extract` takes. Strings are unescaped, `null` is empty, objects and arrays are their text exactly
//! as stored (whitespace and key order kept), numbers as the path reads them (see [`scalar_bytes`]).

use std::collections::BTreeMap;

use serde_json::value::RawValue;

/// One JSON value as stored (its exact text).
type Raw<'a> = &'a RawValue;

/// The members of a JSON object, or None when `text` is not one.
fn members(text: &str) -> Option<BTreeMap<String, Raw<'_>>> {
    serde_json::from_str(text).ok()
}

/// The elements of a JSON array, or None when `text` is not one.
fn elements(text: &str) -> Option<Vec<Raw<'_>>> {
    serde_json::from_str(text).ok()
}

/// Looks up `property` in the JSON document `text`: first as one literal top-level key, then as a
/// dotted path through objects (array elements by numeric index). The value's text as stored.
pub fn lookup<'a>(text: &'a str, property: &str) -> Option<&'a str> {
    let root = members(text);
    if let Some(v) = root.as_ref().and_then(|m| m.get(property)) {
        return Some(v.get());
    }
    let mut current: &'a str = text;
    for part in property.split('.') {
        current = if let Some(m) = members(current) {
            m.get(part)?.get()
        } else if let Some(items) = elements(current) {
            items.get(part.parse::<usize>().ok()?)?.get()
        } else {
            return None;
        };
    }
    Some(current)
}

/// How a number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// As stored (`extract`).
    AsStored,
    /// An integer literal as stored, any other number in its shortest plain decimal form
    /// (`1.50` → `1.5`, `1e3` → `1000`), as a `property` path reads it.
    Normalised,
}

/// The bytes a stored JSON value (`raw`, its exact text) contributes to a Secret: a string's
/// unescaped text, nothing for `null`, anything else as stored (numbers per `numbers`).
pub fn scalar_bytes(raw: &str, numbers: Numbers) -> Vec<u8> {
    let raw = raw.trim();
    if raw.starts_with('"') {
        return serde_json::from_str::<String>(raw)
            .map(String::into_bytes)
            .unwrap_or_else(|_| raw.as_bytes().to_vec());
    }
    if raw == "null" {
        return Vec::new();
    }
    let is_number = raw.starts_with(|c: char| c == '-' || c.is_ascii_digit());
    if is_number && numbers == Numbers::Normalised {
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        if !digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(f) = raw.parse::<f64>()
        {
            return format!("{f}").into_bytes();
        }
    }
    raw.as_bytes().to_vec()
}

/// The bytes of `property` in `text` (see [`lookup`]); None when it is not there.
pub fn property_bytes(text: &str, property: &str) -> Option<Vec<u8>> {
    lookup(text, property).map(|raw| scalar_bytes(raw, Numbers::Normalised))
}

/// The members `extract` takes from the JSON object `text` (below `property` when given), each as
/// its bytes; None when that is not a JSON object (or the property is missing: see the error).
pub fn extract_members(text: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let m = members(text)?;
    Some(
        m.into_iter()
            .map(|(k, v)| (k, scalar_bytes(v.get(), Numbers::AsStored)))
            .collect(),
    )
}

#[cfg(test)]
#[path = "property_tests.rs"]
mod tests;
