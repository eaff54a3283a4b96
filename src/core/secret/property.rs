//! Reading values out of a JSON secret with External Secrets Operator's bytes: a `property` is a
//! gjson path evaluated as ESO evaluates it ([`crate::core::secret::gjson`]), and `extract` takes
//! the members of an object as ESO's `GetSecretMap` does (strings unescaped, `null` empty, other
//! values as stored, whitespace and key order kept).

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use super::gjson;

/// The members of a JSON object, or None when `text` is not one.
fn members(text: &[u8]) -> Option<BTreeMap<String, &RawValue>> {
    serde_json::from_slice(text).ok()
}

/// The bytes a stored JSON member (`raw`, its exact text) contributes to a Secret through
/// `extract`: a string's unescaped text, nothing for `null`, anything else as stored.
pub fn scalar_bytes(raw: &str) -> Vec<u8> {
    let raw = raw.trim();
    if raw.starts_with('"') {
        return serde_json::from_str::<String>(raw)
            .map(String::into_bytes)
            .unwrap_or_else(|_| raw.as_bytes().to_vec());
    }
    if raw == "null" {
        return Vec::new();
    }
    raw.as_bytes().to_vec()
}

/// The bytes of `property` in the payload `text` as ESO reads them (see [`gjson::eso_property`]):
/// None when it is not there; Err when evaluating it is over budget.
pub fn property_bytes(text: &[u8], property: &str) -> Result<Option<Vec<u8>>, String> {
    gjson::eso_property(text, property)
}

/// The members `extract` takes from the JSON object `text`, each as its bytes; None when that is
/// not a JSON object.
pub fn extract_members(text: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let m = members(text)?;
    Some(
        m.into_iter()
            .map(|(k, v)| (k, scalar_bytes(v.get())))
            .collect(),
    )
}

#[cfg(test)]
#[path = "property_tests.rs"]
mod tests;
