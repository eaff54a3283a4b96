//! ESO's `pkcs12key`, `pkcs12keyPass`, `pkcs12cert` and `pkcs12certPass`: a PKCS#12 file (its raw
//! bytes, usually `b64dec`ed) decoded as go-pkcs12 v0.7.0's `DecodeChain` does (MAC with SHA-1,
//! SHA-256 or SHA-512; PBES2/AES, SHA-1/3DES or SHA-1/RC2 encryption), then the key as PKCS#8 PEM or
//! the certificates as PEM ordered leaf → root when they form one chain.

use super::der::{Reader, oid_body, tag};
use super::pem::encode;
use super::pkcs12_kdf::{Hash, pkcs12_kdf};
use super::pkcs12_pbe::pb_decrypt;
use super::{Func, Value, arity, pkcs8, s, string_arg, x509};
use crate::core::crypto::pbes2::iterations;

/// The PKCS#12 decoding functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("pkcs12key", |a| one_arg(a, key_pem)),
    ("pkcs12keyPass", |a| two_args(a, key_pem)),
    ("pkcs12cert", |a| one_arg(a, cert_pem)),
    ("pkcs12certPass", |a| two_args(a, cert_pem)),
];

fn one_arg(a: &[Value], f: fn(&str, &[u8]) -> Result<String, String>) -> Result<Value, String> {
    arity(a, 1)?;
    Ok(s(f("", &string_arg(&a[0])?)?))
}

fn two_args(a: &[Value], f: fn(&str, &[u8]) -> Result<String, String>) -> Result<Value, String> {
    arity(a, 2)?;
    let pass = string_arg(&a[0])?;
    let pass = std::str::from_utf8(&pass)
        .map_err(|_| "the password is not UTF-8")?
        .to_string();
    Ok(s(f(&pass, &string_arg(&a[1])?)?))
}

fn key_pem(pass: &str, pfx: &[u8]) -> Result<String, String> {
    let (key, _) = decode_chain(pfx, pass)
        .map_err(|e| format!("unable to decode pkcs12 with password: {e}"))?;
    Ok(encode("PRIVATE KEY", &key))
}

fn cert_pem(pass: &str, pfx: &[u8]) -> Result<String, String> {
    let (_, certs) = decode_chain(pfx, pass)
        .map_err(|e| format!("unable to decode pkcs12 certificate with password: {e}"))?;
    let pem: String = certs.iter().map(|c| encode("CERTIFICATE", c)).collect();
    // ESO orders the chain when it can and keeps the file's order otherwise.
    Ok(super::certs::ordered_pem(pem.as_bytes()).unwrap_or(pem))
}

fn malformed(_: String) -> String {
    "pkcs12: error reading P12 data".into()
}

/// go-pkcs12's `DecodeChain`: (the key re-marshalled as PKCS#8, [certificate, CA certificates...]).
fn decode_chain(pfx: &[u8], pass: &str) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    let mut password = bmp_zero_terminated(pass)?;
    let mut top = Reader::new(pfx);
    let mut pdu = top.sequence().map_err(malformed)?;
    if !top.is_empty() {
        return Err("pkcs12: trailing data found".into());
    }
    if pdu.small_int().map_err(malformed)? != 3 {
        return Err("can only decode v3 PFX PDU's".into());
    }
    let mut auth_safe = pdu.sequence().map_err(malformed)?;
    if auth_safe.expect(tag::OID).map_err(malformed)? != oid_body(DATA) {
        return Err("only password-protected PFX is implemented".into());
    }
    let content = explicit_octets(&mut auth_safe)?;
    match pdu.optional(tag::SEQUENCE).map_err(malformed)? {
        None if password == [0, 0] => {}
        None => return Err("pkcs12: no MAC in data".into()),
        Some(mac) => {
            if let Err(e) = verify_mac(mac, content, &password) {
                if e != INCORRECT || password != [0, 0] {
                    return Err(e);
                }
                password = Vec::new();
                verify_mac(mac, content, &password)?;
            }
        }
    }
    let mut safes = Reader::new(content).sequence().map_err(malformed)?;
    let mut bags: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut count = 0;
    while !safes.is_empty() {
        count += 1;
        let mut ci = safes.sequence().map_err(malformed)?;
        let kind = ci.expect(tag::OID).map_err(malformed)?;
        let data = if kind == oid_body(DATA) {
            explicit_octets(&mut ci)?.to_vec()
        } else if kind == oid_body(ENCRYPTED_DATA) {
            let body = ci.expect(0xa0).map_err(malformed)?;
            let mut ed = Reader::new(body).sequence().map_err(malformed)?;
            if ed.small_int().map_err(malformed)? != 0 {
                return Err("only version 0 of EncryptedData is supported".into());
            }
            let mut eci = ed.sequence().map_err(malformed)?;
            eci.expect(tag::OID).map_err(malformed)?;
            let alg = eci.element().map_err(malformed)?.2;
            let encrypted = eci.optional(0x80).map_err(malformed)?.unwrap_or_default();
            pb_decrypt(alg, encrypted, &password)?
        } else {
            return Err(
                "only data and encryptedData content types are supported in authenticated safe"
                    .into(),
            );
        };
        let mut list = Reader::new(&data).sequence().map_err(malformed)?;
        while !list.is_empty() {
            let mut bag = list.sequence().map_err(malformed)?;
            let id = bag.expect(tag::OID).map_err(malformed)?.to_vec();
            let value = bag.expect(0xa0).map_err(malformed)?.to_vec();
            bags.push((id, value));
        }
    }
    if !(1..=2).contains(&count) {
        return Err("expected between 1 and 2 items in the authenticated safe".into());
    }
    let mut key: Option<Vec<u8>> = None;
    let mut certs = Vec::new();
    for (id, value) in bags {
        if id == oid_body(CERT_BAG) {
            let mut bag = Reader::new(&value).sequence().map_err(malformed)?;
            if bag.expect(tag::OID).map_err(malformed)? != oid_body(X509_CERT) {
                return Err("only X509 certificates are supported in cert bags".into());
            }
            let der = explicit_octets(&mut bag)?;
            x509::parse(der)?;
            certs.push(der.to_vec());
        } else if id == oid_body(KEY_BAG) || id == oid_body(SHROUDED_KEY_BAG) {
            if key.is_some() {
                return Err("pkcs12: expected exactly one key bag".into());
            }
            let pkcs8 = if id == oid_body(KEY_BAG) {
                Reader::new(&value).element().map_err(malformed)?.2.to_vec()
            } else {
                let mut info = Reader::new(&value).sequence().map_err(malformed)?;
                let alg = info.element().map_err(malformed)?.2;
                let data = info.expect(tag::OCTET_STRING).map_err(malformed)?;
                pb_decrypt(alg, data, &password)
                    .map_err(|e| format!("pkcs12: error decrypting PKCS#8 shrouded key bag: {e}"))?
            };
            key = Some(pkcs8::reencode(&pkcs8)?);
        }
    }
    if certs.is_empty() {
        return Err("pkcs12: certificate missing".into());
    }
    let key = key.ok_or("pkcs12: private key missing")?;
    Ok((key, certs))
}

const DATA: &[u64] = &[1, 2, 840, 113549, 1, 7, 1];
const ENCRYPTED_DATA: &[u64] = &[1, 2, 840, 113549, 1, 7, 6];
const KEY_BAG: &[u64] = &[1, 2, 840, 113549, 1, 12, 10, 1, 1];
const SHROUDED_KEY_BAG: &[u64] = &[1, 2, 840, 113549, 1, 12, 10, 1, 2];
const CERT_BAG: &[u64] = &[1, 2, 840, 113549, 1, 12, 10, 1, 3];
const X509_CERT: &[u64] = &[1, 2, 840, 113549, 1, 9, 22, 1];
const INCORRECT: &str = "pkcs12: decryption password incorrect";

/// `[0] EXPLICIT OCTET STRING`.
fn explicit_octets<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], String> {
    let body = r.expect(0xa0).map_err(malformed)?;
    let mut inner = Reader::new(body);
    let octets = inner.expect(tag::OCTET_STRING).map_err(malformed)?;
    if !inner.is_empty() {
        return Err("pkcs12: trailing data found".into());
    }
    Ok(octets)
}

/// UCS-2 big-endian with a terminating zero, as PKCS#12 passwords are.
fn bmp_zero_terminated(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(2 * s.len() + 2);
    for c in s.chars() {
        let c = u16::try_from(u32::from(c))
            .map_err(|_| "pkcs12: string contains characters that cannot be encoded in UCS-2")?;
        out.extend(c.to_be_bytes());
    }
    out.extend([0, 0]);
    Ok(out)
}

fn verify_mac(mac_data: &[u8], message: &[u8], password: &[u8]) -> Result<(), String> {
    let mut md = Reader::new(mac_data);
    let mut info = md.sequence().map_err(malformed)?;
    let mut alg = info.sequence().map_err(malformed)?;
    let oid = alg.expect(tag::OID).map_err(malformed)?;
    let digest = info.expect(tag::OCTET_STRING).map_err(malformed)?;
    let salt = md.expect(tag::OCTET_STRING).map_err(malformed)?;
    let rounds = if md.is_empty() {
        1
    } else {
        md.small_int().map_err(malformed)?
    };
    let h = if oid == oid_body(&[1, 3, 14, 3, 2, 26]) {
        Hash::Sha1
    } else if oid == oid_body(&[2, 16, 840, 1, 101, 3, 4, 2, 1]) {
        Hash::Sha256
    } else if oid == oid_body(&[2, 16, 840, 1, 101, 3, 4, 2, 3]) {
        Hash::Sha512
    } else {
        return Err("MAC digest algorithm not supported here (PBMAC1 is not)".into());
    };
    let key = pkcs12_kdf(h, salt, password, iterations(rounds)?, 3, h.sizes().0);
    if h.hmac(&key, message) != digest {
        return Err(INCORRECT.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kdf_matches_rfc_7292_and_passwords_are_ucs2() {
        assert_eq!(
            bmp_zero_terminated("a\u{e9}").unwrap(),
            [0, 0x61, 0, 0xe9, 0, 0]
        );
        assert!(bmp_zero_terminated("\u{1f600}").is_err());
        assert_eq!(
            super::super::pkcs12_kdf::utf8_password(&[0, 0x61, 0, 0xe9, 0, 0]),
            "a\u{e9}".as_bytes()
        );
        // Two rounds of the derivation give distinct, deterministic bytes of the asked size.
        let a = pkcs12_kdf(Hash::Sha1, b"salt", b"\0p\0\0", 2, 1, 24);
        let b = pkcs12_kdf(Hash::Sha1, b"salt", b"\0p\0\0", 2, 2, 24);
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert_eq!(a, pkcs12_kdf(Hash::Sha1, b"salt", b"\0p\0\0", 2, 1, 24));
    }

    #[test]
    fn bad_files_fail_naming_the_problem_never_the_bytes() {
        let secret = "hunter2hunter2";
        let cases = [
            (
                one_arg(&[Value::str(secret)], key_pem),
                "error reading P12 data",
            ),
            (
                two_args(
                    &[Value::str(secret), Value::str("\u{30}\u{3}\u{2}\u{1}\u{2}")],
                    cert_pem,
                ),
                "v3 PFX",
            ),
            (
                iterations(crate::core::crypto::pbes2::MAX_ITERATIONS + 1).map(|_| Value::Nil),
                "iteration count",
            ),
        ];
        for (got, want) in cases {
            let err = got.unwrap_err();
            assert!(err.contains(want), "{err}");
            assert!(!err.contains(secret), "{err}");
        }
    }
}
