//! Keyed digest (HMAC-SHA256) of a Secret's managed content, stored as an annotation for drift
//! detection. Keyed, so it reveals nothing about low-entropy values to anyone without the key.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Prefix of every digest value, naming the algorithm.
pub const PREFIX: &str = "hmac-sha256:";

/// HMAC-SHA256 over the type, the synced-versions annotation and the sorted keys and values
/// (all length-prefixed), hex-encoded.
pub fn digest(
    key: &[u8],
    secret_type: &str,
    versions: &str,
    data: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC accepts keys of any length; this branch is unreachable but must not panic.
        <Hmac<Sha256> as KeyInit>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable!())
    });
    let mut field = |bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    field(secret_type.as_bytes());
    field(versions.as_bytes());
    for (k, v) in data {
        field(k.as_bytes());
        field(v);
    }
    let out = mac.finalize().into_bytes();
    let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn stable_and_sensitive_to_every_part() {
        let d = data(&[("a", "1"), ("b", "2")]);
        let base = digest(b"key", "Opaque", "v", &d);
        assert_eq!(base, digest(b"key", "Opaque", "v", &d));
        assert!(base.starts_with(PREFIX));
        assert_ne!(base, digest(b"other", "Opaque", "v", &d));
        assert_ne!(base, digest(b"key", "kubernetes.io/tls", "v", &d));
        assert_ne!(
            base,
            digest(b"key", "Opaque", "v", &data(&[("a", "1"), ("b", "3")]))
        );
        // Length prefixes keep ("ab","") and ("a","b") apart.
        assert_ne!(
            digest(b"key", "Opaque", "v", &data(&[("ab", "")])),
            digest(b"key", "Opaque", "v", &data(&[("a", "b")]))
        );
    }

    #[test]
    fn is_not_a_plain_hash_of_the_value() {
        let d = data(&[("password", "hunter2")]);
        assert!(!digest(b"k", "Opaque", "v", &d).contains("hunter2"));
    }
}
