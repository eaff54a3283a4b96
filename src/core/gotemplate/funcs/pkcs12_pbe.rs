//! The password-based decryption of PKCS#12 contents as go-pkcs12 v0.7.0 does it: PBES2 (PBKDF2
//! with HMAC-SHA-1/256/512, AES-128/192/256-CBC) and the PKCS#12 schemes SHA-1 with 3DES-CBC or
//! RC2-CBC (128 or 40 bits), with the padding checked.

use des::cipher::generic_array::GenericArray;
use des::cipher::{BlockDecrypt, KeyInit};

use super::der::{Reader, oid_body, tag};
use super::pkcs12_kdf::{Hash, pkcs12_kdf, utf8_password};
use crate::core::crypto::pbes2::{iterations, pbes2};

const PBE_3DES: &[u64] = &[1, 2, 840, 113549, 1, 12, 1, 3];
const PBE_RC2_128: &[u64] = &[1, 2, 840, 113549, 1, 12, 1, 5];
const PBE_RC2_40: &[u64] = &[1, 2, 840, 113549, 1, 12, 1, 6];
const PBES2: &[u64] = &[1, 2, 840, 113549, 1, 5, 13];

fn bad(_: String) -> String {
    "pkcs12: malformed encryption parameters".into()
}

/// Decrypts `data` with the AlgorithmIdentifier `alg` (its whole DER) and the BMP password.
pub fn pb_decrypt(alg: &[u8], data: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
    let mut r = Reader::new(alg).sequence().map_err(bad)?;
    let oid = r.expect(tag::OID).map_err(bad)?;
    if data.is_empty() {
        return Err("pkcs12: empty encrypted data".into());
    }
    let (plain, block) = if oid == oid_body(PBES2) {
        (pbes2(&mut r, data, &utf8_password(password))?, 16)
    } else {
        let (key_len, rc2) = if oid == oid_body(PBE_3DES) {
            (24, false)
        } else if oid == oid_body(PBE_RC2_128) {
            (16, true)
        } else if oid == oid_body(PBE_RC2_40) {
            (5, true)
        } else {
            return Err("pkcs12: this encryption algorithm is not supported".into());
        };
        let mut params = r.sequence().map_err(bad)?;
        let salt = params.expect(tag::OCTET_STRING).map_err(bad)?;
        let rounds = iterations(params.small_int().map_err(bad)?)?;
        let key = pkcs12_kdf(Hash::Sha1, salt, password, rounds, 1, key_len);
        let iv = pkcs12_kdf(Hash::Sha1, salt, password, rounds, 2, 8);
        if !data.len().is_multiple_of(8) {
            return Err("pkcs12: input is not a multiple of the block size".into());
        }
        let plain = if rc2 {
            let c = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
            cbc8(data, &iv, |b| c.decrypt_block(b))
        } else {
            let c = des::TdesEde3::new_from_slice(&key).map_err(|_| "pkcs12: 3DES key")?;
            cbc8(data, &iv, |b| c.decrypt_block(b))
        };
        (plain, 8)
    };
    unpad(plain, block)
}

/// CBC decryption with a 64-bit block cipher.
fn cbc8(
    data: &[u8],
    iv: &[u8],
    decrypt: impl Fn(&mut GenericArray<u8, des::cipher::consts::U8>),
) -> Vec<u8> {
    let mut prev = iv.to_vec();
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(8) {
        let mut block = GenericArray::clone_from_slice(chunk);
        decrypt(&mut block);
        out.extend(block.iter().zip(&prev).map(|(a, b)| a ^ b));
        prev = chunk.to_vec();
    }
    out
}

fn unpad(mut plain: Vec<u8>, block: usize) -> Result<Vec<u8>, String> {
    let wrong = || "pkcs12: decryption error, incorrect padding".to_string();
    let n = usize::from(*plain.last().ok_or_else(wrong)?);
    if n == 0 || n > block || plain.len() < n {
        return Err(wrong());
    }
    if plain[plain.len() - n..]
        .iter()
        .any(|&b| usize::from(b) != n)
    {
        return Err(wrong());
    }
    plain.truncate(plain.len() - n);
    Ok(plain)
}
