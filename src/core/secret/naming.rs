//! Secret key rules: which keys are valid, and how `find` turns secret names into keys.

/// Longest key a Secret accepts.
pub const MAX_KEY_LEN: usize = 253;

/// Whether `key` is a valid Secret data key: `[-._a-zA-Z0-9]+`, at most 253 characters.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key != "."
        && key != ".."
        && !key.starts_with("..")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// The Secret key `find` uses for a remote secret name: every character outside `[-._a-zA-Z0-9]`
/// becomes `_` (so `prod/shared/api-key` becomes `prod_shared_api-key`).
pub fn key_for_secret_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Prefix of the labels and annotations only secretsync itself sets on a Secret (ownership marks, the
/// digest, synced versions): a template may not set them, or it could forge a hand-over.
pub const RESERVED_PREFIX: &str = "secretsync.io/";

/// Whether a label or annotation key is secretsync's own (see [`RESERVED_PREFIX`]).
pub fn is_reserved_key(key: &str) -> bool {
    key.starts_with(RESERVED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_keys() {
        for ok in ["password", "DATABASE_URL", "tls.crt", "a-b_c.d", "0"] {
            assert!(is_valid_key(ok), "{ok}");
        }
        for bad in ["", "a/b", "a b", "ключ", ".", "..", &"x".repeat(254)] {
            assert!(!is_valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn find_names_map_to_keys() {
        assert_eq!(
            key_for_secret_name("prod/shared/api-key"),
            "prod_shared_api-key"
        );
        assert_eq!(key_for_secret_name("a+b=c@d"), "a_b_c_d");
        assert_eq!(key_for_secret_name("plain.name"), "plain.name");
        assert!(is_valid_key(&key_for_secret_name(
            "any/name+with=odd@chars"
        )));
    }
}
