//! `decodingStrategy`: turning a fetched value into the bytes written to the Secret.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use crate::api::DecodingStrategy;

/// Decodes `raw` with `strategy`. `Err` carries no value, only what went wrong.
pub fn decode(strategy: DecodingStrategy, raw: &[u8]) -> Result<Vec<u8>, &'static str> {
    let trimmed = raw.trim_ascii();
    match strategy {
        DecodingStrategy::None => Ok(raw.to_vec()),
        DecodingStrategy::Base64 => STANDARD
            .decode(trimmed)
            .or_else(|_| STANDARD_NO_PAD.decode(trimmed))
            .map_err(|_| "is not valid base64"),
        DecodingStrategy::Base64Url => URL_SAFE
            .decode(trimmed)
            .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
            .map_err(|_| "is not valid base64url"),
        DecodingStrategy::Auto => Ok(decode(DecodingStrategy::Base64, raw)
            .or_else(|_| decode(DecodingStrategy::Base64Url, raw))
            .unwrap_or_else(|_| raw.to_vec())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_keeps_bytes() {
        assert_eq!(
            decode(DecodingStrategy::None, b"aGk="),
            Ok(b"aGk=".to_vec())
        );
    }

    #[test]
    fn base64_with_and_without_padding() {
        assert_eq!(
            decode(DecodingStrategy::Base64, b"aGk="),
            Ok(b"hi".to_vec())
        );
        assert_eq!(decode(DecodingStrategy::Base64, b"aGk"), Ok(b"hi".to_vec()));
        assert_eq!(
            decode(DecodingStrategy::Base64, b" aGk=\n"),
            Ok(b"hi".to_vec())
        );
        assert!(decode(DecodingStrategy::Base64, b"not base64!").is_err());
    }

    #[test]
    fn base64url_alphabet() {
        assert_eq!(
            decode(DecodingStrategy::Base64Url, b"-_8"),
            Ok(vec![0xfb, 0xff])
        );
        assert!(decode(DecodingStrategy::Base64, b"-_8").is_err());
    }

    #[test]
    fn auto_falls_back_to_raw() {
        assert_eq!(decode(DecodingStrategy::Auto, b"aGk="), Ok(b"hi".to_vec()));
        assert_eq!(decode(DecodingStrategy::Auto, b"-_8"), Ok(vec![0xfb, 0xff]));
        assert_eq!(
            decode(DecodingStrategy::Auto, b"plain text!"),
            Ok(b"plain text!".to_vec())
        );
    }
}
