//! ESO's `rsaDecrypt` (RSA-OAEP with a PEM private key) and sprig's `decryptAES` (AES-256-CBC
//! with the IV in front, as sprig's `encryptAES` writes it). Errors never quote key or data bytes.

use aws_lc_rs::cipher::{AES_256, DecryptingKey, DecryptionContext, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA512_MGF1SHA512, OaepPrivateDecryptingKey,
    PrivateDecryptingKey,
};

use super::der::{self, Reader, tag};
use super::go_base64::base64_decode;
use super::pem::decode;
use super::{Func, Value, arity, s, string_arg};

/// The decryption functions.
pub const FUNCS: &[(&str, Func)] = &[("rsaDecrypt", rsa_decrypt), ("decryptAES", decrypt_aes)];

const RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];

fn rsa_decrypt(args: &[Value]) -> Result<Value, String> {
    arity(args, 4)?;
    let scheme = string_arg(&args[0])?;
    let hash = string_arg(&args[1])?;
    let input = string_arg(&args[2])?;
    let key = string_arg(&args[3])?;
    match &scheme[..] {
        b"None" => return Ok(s(input)),
        b"RSA-OAEP" => {}
        _ => return Err("decryption scheme is not supported (None and RSA-OAEP are)".into()),
    }
    let (block, _) = decode(&key).ok_or("failed to decode PEM block")?;
    let key = private_key(&block.bytes)?;
    let algorithm = match &hash[..] {
        b"SHA1" => &OAEP_SHA1_MGF1SHA1,
        b"SHA512" => &OAEP_SHA512_MGF1SHA512,
        _ => &OAEP_SHA256_MGF1SHA256,
    };
    let key = OaepPrivateDecryptingKey::new(key).map_err(|_| "could not parse RSA private key")?;
    let mut out = vec![0u8; key.min_output_size()];
    let plain = key
        .decrypt(algorithm, &input, &mut out, None)
        .map_err(|_| "error decrypting data with RSA")?;
    Ok(s(plain))
}

/// ESO's `parsePrivateKey` narrowed to RSA: PKCS#1 or PKCS#8 (2048 to 8192 bits).
fn private_key(der_bytes: &[u8]) -> Result<PrivateDecryptingKey, String> {
    if is_pkcs1(der_bytes) {
        let wrapped = der::sequence(&[
            &[tag::INTEGER, 1, 0],
            &der::sequence(&[&der::oid(RSA), &der::element(tag::NULL, &[])]),
            &der::element(tag::OCTET_STRING, der_bytes),
        ]);
        return PrivateDecryptingKey::from_pkcs8(&wrapped)
            .map_err(|e| format!("could not parse RSA private key: {e}"));
    }
    PrivateDecryptingKey::from_pkcs8(der_bytes)
        .map_err(|e| format!("could not parse RSA private key: {e}"))
}

/// A PKCS#1 RSAPrivateKey starts with version 0 and the modulus (PKCS#8 has an AlgorithmIdentifier
/// second, SEC 1 an OCTET STRING).
fn is_pkcs1(der_bytes: &[u8]) -> bool {
    let Ok(mut seq) = Reader::new(der_bytes).sequence() else {
        return false;
    };
    seq.small_int().is_ok() && seq.peek_tag() == Some(tag::INTEGER)
}

fn decrypt_aes(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let password = string_arg(&args[0])?;
    let crypt64 = string_arg(&args[1])?;
    if crypt64.is_empty() {
        return Ok(s(""));
    }
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password[..n]);
    let crypt =
        base64_decode(&crypt64).map_err(|at| format!("illegal base64 data at input byte {at}"))?;
    if crypt.len() <= 16 || !crypt.len().is_multiple_of(16) {
        return Err("the ciphertext is not whole AES blocks after the IV".into());
    }
    let (iv, body) = crypt.split_at(16);
    let mut iv16 = [0u8; 16];
    iv16.copy_from_slice(iv);
    let cipher = UnboundCipherKey::new(&AES_256, &key)
        .and_then(DecryptingKey::cbc)
        .map_err(|_| "AES key")?;
    let mut buf = body.to_vec();
    let plain = cipher
        .decrypt(&mut buf, DecryptionContext::Iv128(FixedLength::from(iv16)))
        .map_err(|_| "AES decryption failed")?;
    // sprig drops as many bytes as the last one says, without checking the padding.
    let pad = usize::from(plain[plain.len() - 1]);
    let keep = plain
        .len()
        .checked_sub(pad)
        .ok_or("the padding is longer than the data")?;
    Ok(s(&plain[..keep]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_problem_never_the_data() {
        let secret = "hunter2hunter2hunter2";
        let args = |v: &[&str]| v.iter().map(Value::str).collect::<Vec<_>>();
        let cases = [
            (
                rsa_decrypt(&args(&["RSA-OAEP", "SHA1", secret, "no pem"])),
                "failed to decode PEM",
            ),
            (
                rsa_decrypt(&args(&[secret, "SHA1", "x", "y"])),
                "scheme is not supported",
            ),
            (
                rsa_decrypt(&args(&[
                    "RSA-OAEP",
                    "SHA1",
                    secret,
                    "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                ])),
                "could not parse RSA private key",
            ),
            (decrypt_aes(&args(&[secret, "AAAA"])), "whole AES blocks"),
        ];
        for (got, want) in cases {
            let err = got.unwrap_err();
            assert!(err.contains(want), "{err}");
            assert!(!err.contains(secret), "{err}");
        }
    }
}
