//! Renaming the keys a `dataFrom` entry without `rewrite` produces, with External Secrets Operator's
//! `conversionStrategy` (characters a Secret key may not hold are replaced); `rewrite` is in
//! [`rewrite`](super::rewrite). Two keys that end up the same are an error, never a silent overwrite.

use std::collections::BTreeMap;

use crate::api::ConversionStrategy;

/// Whether ESO keeps a character in a key: a letter or a digit of any script, `-`, `.` or `_`.
fn kept(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || matches!(c, '-' | '.' | '_')
}

/// A key under `strategy`: every other character becomes `_` (Default) or `_U<hex>_` (Unicode,
/// lowercase hex of at least four digits).
pub fn convert_key(key: &str, strategy: ConversionStrategy) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if kept(c) {
            out.push(c);
        } else {
            match strategy {
                ConversionStrategy::Default => out.push('_'),
                ConversionStrategy::Unicode => out.push_str(&format!("_U{:04x}_", c as u32)),
            }
        }
    }
    out
}

/// Why keys could not be renamed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Two source keys (or secret names) end up as one key.
    #[error("{first:?} and {second:?} both map to key {key:?}")]
    Collision {
        /// The source key renamed first.
        first: String,
        /// The other source key.
        second: String,
        /// The key both became.
        key: String,
    },
    /// A rewrite's expression does not compile.
    #[error("{0}")]
    Rewrite(String),
}

/// How one `dataFrom` entry without `rewrite` names its keys.
#[derive(Debug, Clone, Copy)]
pub enum Renaming {
    /// Keys stay as produced.
    Keep,
    /// `conversionStrategy`.
    Convert(ConversionStrategy),
}

impl Renaming {
    /// The entry's conversion strategy, else none.
    pub fn of(conversion: Option<ConversionStrategy>) -> Self {
        match conversion {
            Some(s) => Renaming::Convert(s),
            None => Renaming::Keep,
        }
    }

    /// Renames every key of `entries` (source key → value), keeping keys as they are without a
    /// renaming; two source keys renamed to one key are an error naming both.
    pub fn apply<V>(
        &self,
        entries: impl IntoIterator<Item = (String, V)>,
    ) -> Result<BTreeMap<String, V>, KeyError> {
        self.apply_or(entries, |k, _| k.to_string())
    }

    /// [`Renaming::apply`], naming keys with `native` when the entry has no renaming.
    pub fn apply_or<V>(
        &self,
        entries: impl IntoIterator<Item = (String, V)>,
        native: impl Fn(&str, &V) -> String,
    ) -> Result<BTreeMap<String, V>, KeyError> {
        let mut out = BTreeMap::new();
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        for (key, value) in entries {
            let renamed = match self {
                Renaming::Keep => native(&key, &value),
                Renaming::Convert(s) => convert_key(&key, *s),
            };
            if let Some(first) = origin.insert(renamed.clone(), key.clone()) {
                return Err(KeyError::Collision {
                    first,
                    second: key,
                    key: renamed,
                });
            }
            out.insert(renamed, value);
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
