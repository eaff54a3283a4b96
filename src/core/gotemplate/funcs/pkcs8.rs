//! PKCS#8 private keys as Go's `x509` writes them (`MarshalPKCS8PrivateKey`) after its checks, and
//! Go's parse-then-marshal round trip of a PKCS#8 key (RSA, EC on P-256/384/521, Ed25519).

use num_bigint::BigUint;

use super::der::{self, Reader, tag};
use super::ec::{CURVES, Curve};

const RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
const EC: &[u64] = &[1, 2, 840, 10045, 2, 1];
const ED25519: &[u64] = &[1, 3, 101, 112];

/// An RSA private key's numbers (CRT values if the source had them).
pub struct Rsa {
    /// Modulus.
    pub n: BigUint,
    /// Public exponent.
    pub e: BigUint,
    /// Private exponent.
    pub d: BigUint,
    /// First prime.
    pub p: BigUint,
    /// Second prime.
    pub q: BigUint,
    /// dP, dQ and qInv as given.
    pub crt: Option<(BigUint, BigUint, BigUint)>,
}

fn algorithm(oid: &[u64], params: &[u8]) -> Vec<u8> {
    der::sequence(&[&der::oid(oid), params])
}

/// A BIT STRING with no unused bits.
pub fn bit_string(b: &[u8]) -> Vec<u8> {
    der::element(tag::BIT_STRING, &[&[0u8][..], b].concat())
}

fn wrap(alg: &[u8], inner: &[u8]) -> Vec<u8> {
    der::sequence(&[
        &[tag::INTEGER, 1, 0],
        alg,
        &der::element(tag::OCTET_STRING, inner),
    ])
}

/// Go's `rsa.PrivateKey.Validate` and `Precompute`, then `MarshalPKCS8PrivateKey`: given CRT
/// values are checked and kept (`d` must agree with them), otherwise they are computed from `d`.
pub fn rsa(k: &Rsa) -> Result<Vec<u8>, String> {
    let Rsa { n, e, d, p, q, .. } = k;
    let one = BigUint::from(1u32);
    let invalid = |what: &str| format!("crypto/rsa: invalid private key ({what})");
    if *p <= one || *q <= one || !p.bit(0) || !q.bit(0) {
        return Err(invalid("primes"));
    }
    if !n.bit(0) || *e < BigUint::from(2u32) || !e.bit(0) || e.bits() > 31 || d >= n {
        return Err(invalid("public part"));
    }
    if p * q != *n {
        return Err(invalid("p * q != n"));
    }
    let (p1, q1) = (p - &one, q - &one);
    let (dp, dq, qinv) = match &k.crt {
        Some(crt) => crt.clone(),
        None => {
            let qinv = (q % p).modinv(p).ok_or_else(|| invalid("primes"))?;
            (d % &p1, d % &q1, qinv)
        }
    };
    let crt_ok = d % &p1 == dp
        && d % &q1 == dq
        && dp < p1
        && dq < q1
        && qinv < *p
        && (&dp * e) % &p1 == one
        && (&dq * e) % &q1 == one
        && (&qinv * q) % p == one;
    if !crt_ok {
        return Err(invalid("CRT values"));
    }
    let ints: Vec<Vec<u8>> = [n, e, d, p, q, &dp, &dq, &qinv]
        .iter()
        .map(|v| der::unsigned(&v.to_bytes_be()))
        .collect();
    let mut parts: Vec<&[u8]> = vec![&[tag::INTEGER, 1, 0]];
    parts.extend(ints.iter().map(Vec::as_slice));
    Ok(wrap(
        &algorithm(RSA, &der::element(tag::NULL, &[])),
        &der::sequence(&parts),
    ))
}

/// The uncompressed point encoding `04 || x || y`.
pub fn point(curve: &Curve, x: &BigUint, y: &BigUint) -> Vec<u8> {
    [vec![4u8], pad(curve, x), pad(curve, y)].concat()
}

fn pad(curve: &Curve, v: &BigUint) -> Vec<u8> {
    let b = v.to_bytes_be();
    [vec![0u8; curve.byte_len().saturating_sub(b.len())], b].concat()
}

/// The PKIX AlgorithmIdentifier of an EC key on `curve`.
pub fn ec_algorithm(curve: &Curve) -> Vec<u8> {
    algorithm(EC, &der::oid(curve.oid))
}

/// Go's `MarshalPKCS8PrivateKey` of an EC key (checked by the caller).
pub fn ec(curve: &Curve, d: &BigUint, x: &BigUint, y: &BigUint) -> Result<Vec<u8>, String> {
    if !curve.valid_scalar(d) {
        return Err("x509: failed to marshal EC private key: invalid private key".into());
    }
    let inner = der::sequence(&[
        &[tag::INTEGER, 1, 1],
        &der::element(tag::OCTET_STRING, &pad(curve, d)),
        &der::element(0xa1, &bit_string(&point(curve, x, y))),
    ]);
    Ok(wrap(&ec_algorithm(curve), &inner))
}

/// Go's `ParsePKCS8PrivateKey` then `MarshalPKCS8PrivateKey`.
pub fn reencode(pkcs8: &[u8]) -> Result<Vec<u8>, String> {
    let bad = |_| "x509: malformed PKCS#8 private key".to_string();
    let mut outer = Reader::new(pkcs8);
    let mut info = outer.sequence().map_err(bad)?;
    if !outer.is_empty() {
        return Err("x509: trailing data after PKCS#8".into());
    }
    info.small_int().map_err(bad)?;
    let mut alg = info.sequence().map_err(bad)?;
    let oid = alg.expect(tag::OID).map_err(bad)?;
    let key = info.expect(tag::OCTET_STRING).map_err(bad)?;
    if oid == der::oid_body(RSA) {
        return rsa(&parse_pkcs1(key)?);
    }
    if oid == der::oid_body(EC) {
        let curve_oid = alg.expect(tag::OID).map_err(bad)?;
        let curve = CURVES
            .iter()
            .find(|c| der::oid_body(c.oid) == curve_oid)
            .ok_or("x509: unsupported elliptic curve")?;
        let mut sec1 = Reader::new(key).sequence().map_err(bad)?;
        if sec1.small_int().map_err(bad)? != 1 {
            return Err("x509: unknown EC private key version".into());
        }
        let d = sec1.expect(tag::OCTET_STRING).map_err(bad)?;
        if d.len() > curve.byte_len() {
            return Err("x509: invalid private key length".into());
        }
        let d = BigUint::from_bytes_be(d);
        if !curve.valid_scalar(&d) {
            return Err("x509: invalid elliptic curve private key value".into());
        }
        let (x, y) = curve.public_key(&d);
        return ec(curve, &d, &x, &y);
    }
    if oid == der::oid_body(ED25519) {
        let seed = Reader::new(key).expect(tag::OCTET_STRING).map_err(bad)?;
        if seed.len() != 32 {
            return Err("x509: invalid Ed25519 private key length".into());
        }
        let inner = der::element(tag::OCTET_STRING, seed);
        return Ok(wrap(&der::sequence(&[&der::oid(ED25519)]), &inner));
    }
    Err("x509: PKCS#8 wrapping contained private key with unknown algorithm".into())
}

/// A two-prime PKCS#1 RSAPrivateKey.
fn parse_pkcs1(der_bytes: &[u8]) -> Result<Rsa, String> {
    let bad = |_| "x509: malformed PKCS#1 private key".to_string();
    let mut outer = Reader::new(der_bytes);
    let mut seq = outer.sequence().map_err(bad)?;
    if seq.small_int().map_err(bad)? != 0 {
        return Err("x509: unsupported private key version (multi-prime keys)".into());
    }
    let mut next = || seq.unsigned().map(BigUint::from_bytes_be).map_err(bad);
    let (n, e, d, p, q) = (next()?, next()?, next()?, next()?, next()?);
    let crt = Some((next()?, next()?, next()?));
    Ok(Rsa { n, e, d, p, q, crt })
}
