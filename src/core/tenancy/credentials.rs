//! Checking credential strings read from a Secret before a client is built, without I/O.

use crate::core::reason::{Reason, SyncError};

/// Checks one credential value (already trimmed): non-empty, visible ASCII only. The error names
/// `field` (e.g. `auth.secretRef.sessionToken`) and never the value.
pub fn check_credential(field: &str, value: &str) -> Result<(), SyncError> {
    let problem = if value.is_empty() {
        Some("is empty")
    } else if value.chars().any(|c| c.is_control()) {
        Some("contains a control character (e.g. a newline)")
    } else if value.chars().any(char::is_whitespace) {
        Some("contains whitespace")
    } else if !value.is_ascii() {
        Some("contains a non-ASCII character")
    } else {
        None
    };
    match problem {
        Some(p) => Err(SyncError::new(
            Reason::StoreNotReady,
            format!("invalid credentials: {field} {p}; the value is not shown"),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_values_pass() {
        assert!(check_credential("auth.secretRef.accessKeyId", "AKIAEXAMPLE0001").is_ok());
        assert!(check_credential("auth.secretRef.secretAccessKey", "ab+/cd=ef").is_ok());
    }

    #[test]
    fn bad_values_say_invalid_credentials_and_name_the_field_not_the_value() {
        for (value, why) in [
            ("", "empty"),
            ("FwoGZX\nIvYXdzEL", "control character"),
            ("tok\ren", "control character"),
            ("tok\0en", "control character"),
            ("tok en", "whitespace"),
            ("tok\u{a0}en", "whitespace"),
            ("tokén", "non-ASCII"),
        ] {
            let e = check_credential("auth.secretRef.sessionToken", value)
                .expect_err("a bad value is refused");
            assert_eq!(e.reason, Reason::StoreNotReady);
            assert!(
                e.message.starts_with("invalid credentials: "),
                "{}",
                e.message
            );
            assert!(e.message.contains("auth.secretRef.sessionToken"));
            assert!(e.message.contains(why), "{value:?}: {}", e.message);
            if !value.is_empty() {
                assert!(!e.message.contains(value));
            }
        }
    }
}
