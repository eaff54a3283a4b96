//! Renaming the keys a `dataFrom` entry produces, with External Secrets Operator's rules: `rewrite`
//! (regular expressions, applied in order) or, without one, `conversionStrategy` (characters a Secret
//! key may not hold are replaced). Two keys that end up the same are an error, never a silent overwrite.

use std::collections::BTreeMap;

use crate::api::{ConversionStrategy, Rewrite};

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

/// Checks each rewrite's regular expression; the error names the first invalid one.
pub fn check_rewrites(rewrites: &[Rewrite]) -> Result<(), String> {
    compile(rewrites).map(|_| ())
}

/// The compiled rewrites, in order; the error names the first invalid one.
fn compile(rewrites: &[Rewrite]) -> Result<Vec<(regex::Regex, &str)>, String> {
    rewrites
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let re = regex::Regex::new(&r.regexp.source).map_err(|e| {
                format!("rewrite[{i}].regexp.source is not a valid regular expression: {e}")
            })?;
            Ok((re, r.regexp.target.as_str()))
        })
        .collect()
}

/// A key after every rewrite in order (each on the previous result); a key no expression matches
/// stays as it is.
fn rewrite_key(key: &str, compiled: &[(regex::Regex, &str)]) -> String {
    let mut current = key.to_string();
    for (re, target) in compiled {
        current = re.replace_all(&current, *target).into_owned();
    }
    current
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

/// How one `dataFrom` entry renames its keys.
#[derive(Debug, Clone, Copy)]
pub enum Renaming<'a> {
    /// Keys stay as produced.
    Keep,
    /// `rewrite`, in order.
    Rewrite(&'a [Rewrite]),
    /// `conversionStrategy`.
    Convert(ConversionStrategy),
}

impl<'a> Renaming<'a> {
    /// The renaming of an entry: `rewrite` when it has one, else its conversion strategy, else none.
    pub fn of(rewrites: &'a [Rewrite], conversion: Option<ConversionStrategy>) -> Self {
        match (rewrites.is_empty(), conversion) {
            (false, _) => Renaming::Rewrite(rewrites),
            (true, Some(s)) => Renaming::Convert(s),
            (true, None) => Renaming::Keep,
        }
    }

    /// Whether keys are renamed at all.
    pub fn renames(&self) -> bool {
        !matches!(self, Renaming::Keep)
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
        let compiled = match self {
            Renaming::Rewrite(r) => compile(r).map_err(KeyError::Rewrite)?,
            _ => Vec::new(),
        };
        let mut out = BTreeMap::new();
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        for (key, value) in entries {
            let renamed = match self {
                Renaming::Keep => native(&key, &value),
                Renaming::Rewrite(_) => rewrite_key(&key, &compiled),
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
