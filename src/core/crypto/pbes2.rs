//! PBES2 (RFC 8018: PBKDF2 with HMAC-SHA-1/256/512, AES-128/192/256-CBC) as go-pkcs12 v0.7.0 and
//! youmark/pkcs8 decrypt it, and the encrypted PKCS#8 private keys (EncryptedPrivateKeyInfo) that
//! AWS Certificate Manager exports.

use aws_lc_rs::cipher::{
    AES_128, AES_192, AES_256, DecryptingKey, DecryptionContext, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::pbkdf2;

use super::der::{Reader, oid_body, tag};

/// Iteration counts above this are refused (Go has no limit; one file could stall a refresh).
pub const MAX_ITERATIONS: u64 = 10_000_000;

const PBES2: &[u64] = &[1, 2, 840, 113549, 1, 5, 13];
const PBKDF2: &[u64] = &[1, 2, 840, 113549, 1, 5, 12];

fn bad(_: String) -> String {
    "pkcs12: malformed encryption parameters".into()
}

/// An iteration count within 1..=[`MAX_ITERATIONS`].
pub fn iterations(n: u64) -> Result<u32, String> {
    if n == 0 || n > MAX_ITERATIONS {
        return Err(format!(
            "pkcs12: iteration count out of range (1 to {MAX_ITERATIONS})"
        ));
    }
    u32::try_from(n).map_err(|_| "pkcs12: iteration count out of range".to_string())
}

/// The DER of an encrypted PKCS#8 key (EncryptedPrivateKeyInfo with PBES2) decrypted with
/// `password`: the PKCS#8 PrivateKeyInfo DER, padding checked. Errors name the problem, never bytes.
pub fn decrypt_pkcs8(der: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
    let mut info = Reader::new(der).sequence().map_err(bad)?;
    let mut alg = info.sequence().map_err(bad)?;
    if alg.expect(tag::OID).map_err(bad)? != oid_body(PBES2) {
        return Err("only PBES2-encrypted PKCS#8 keys are supported".into());
    }
    let data = info.expect(tag::OCTET_STRING).map_err(bad)?;
    if data.is_empty() {
        return Err("empty encrypted key".into());
    }
    let plain = pbes2(&mut alg, data, password)?;
    let n = usize::from(*plain.last().ok_or("decryption error, incorrect padding")?);
    if n == 0
        || n > 16
        || plain.len() < n
        || plain[plain.len() - n..]
            .iter()
            .any(|&b| usize::from(b) != n)
    {
        return Err("decryption error, incorrect padding (wrong passphrase?)".into());
    }
    Ok(plain[..plain.len() - n].to_vec())
}

/// The PBES2 parameters that follow the algorithm OID in `r`, applied to `data` (unpadding is the
/// caller's).
pub fn pbes2(r: &mut Reader, data: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
    let mut params = r.sequence().map_err(bad)?;
    let mut kdf = params.sequence().map_err(bad)?;
    if kdf.expect(tag::OID).map_err(bad)? != oid_body(PBKDF2) {
        return Err("pkcs12: only PBKDF2 is supported for PBES2".into());
    }
    let mut kp = kdf.sequence().map_err(bad)?;
    let salt = kp
        .optional(tag::OCTET_STRING)
        .map_err(bad)?
        .ok_or("only octet string salts are supported for pbes2/pbkdf2")?;
    let rounds = iterations(kp.small_int().map_err(bad)?)?;
    if kp.peek_tag() == Some(tag::INTEGER) {
        kp.small_int().map_err(bad)?;
    }
    let prf = match kp.optional(tag::SEQUENCE).map_err(bad)? {
        None => pbkdf2::PBKDF2_HMAC_SHA1,
        Some(prf) => {
            let id = Reader::new(prf).expect(tag::OID).map_err(bad)?;
            if id == oid_body(&[1, 2, 840, 113549, 2, 9]) {
                pbkdf2::PBKDF2_HMAC_SHA256
            } else if id == oid_body(&[1, 2, 840, 113549, 2, 11]) {
                pbkdf2::PBKDF2_HMAC_SHA512
            } else if id == oid_body(&[1, 2, 840, 113549, 2, 7]) {
                pbkdf2::PBKDF2_HMAC_SHA1
            } else {
                return Err("pkcs12: this PBES2 PRF is not supported".into());
            }
        }
    };
    let mut enc = params.sequence().map_err(bad)?;
    let enc_oid = enc.expect(tag::OID).map_err(bad)?;
    let (alg, key_len) = if enc_oid == oid_body(&[2, 16, 840, 1, 101, 3, 4, 1, 42]) {
        (&AES_256, 32)
    } else if enc_oid == oid_body(&[2, 16, 840, 1, 101, 3, 4, 1, 22]) {
        (&AES_192, 24)
    } else if enc_oid == oid_body(&[2, 16, 840, 1, 101, 3, 4, 1, 2]) {
        (&AES_128, 16)
    } else {
        return Err("pkcs12: this PBES2 cipher is not supported".into());
    };
    let iv = enc.expect(tag::OCTET_STRING).map_err(bad)?;
    let iv: [u8; 16] = iv
        .try_into()
        .map_err(|_| "pkcs12: the AES IV is not 16 bytes")?;
    let rounds = std::num::NonZeroU32::new(rounds).ok_or("pkcs12: zero iterations")?;
    let mut key = vec![0u8; key_len];
    pbkdf2::derive(prf, rounds, salt, password, &mut key);
    if !data.len().is_multiple_of(16) {
        return Err("pkcs12: input is not a multiple of the block size".into());
    }
    let cipher = UnboundCipherKey::new(alg, &key)
        .and_then(DecryptingKey::cbc)
        .map_err(|_| "pkcs12: AES key")?;
    let mut buf = data.to_vec();
    let plain = cipher
        .decrypt(&mut buf, DecryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(|_| "pkcs12: AES decryption failed")?;
    Ok(plain.to_vec())
}
