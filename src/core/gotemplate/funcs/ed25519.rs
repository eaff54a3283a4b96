//! The Ed25519 public key of a seed (RFC 8032 section 5.1.5), which jwx derives to check a private
//! JWK's `x` before ESO's `jwkPrivateKeyPem` marshals it.

use num_bigint::BigUint;
use sha2::Digest;

fn p() -> BigUint {
    (BigUint::from(1u32) << 255u32) - 19u32
}

fn inv(v: &BigUint, p: &BigUint) -> BigUint {
    v.modpow(&(p - 2u32), p)
}

fn num(s: &str) -> BigUint {
    BigUint::parse_bytes(s.as_bytes(), 10).unwrap_or_default()
}

/// Affine point addition on −x² + y² = 1 + d·x²·y² (complete, so it also doubles).
fn add(
    a: &(BigUint, BigUint),
    b: &(BigUint, BigUint),
    d: &BigUint,
    p: &BigUint,
) -> (BigUint, BigUint) {
    let (x1, y1) = a;
    let (x2, y2) = b;
    let t = d * x1 % p * x2 % p * y1 % p * y2 % p;
    let x3 = (x1 * y2 + y1 * x2) % p * inv(&((BigUint::from(1u32) + &t) % p), p) % p;
    let y3 = (y1 * y2 + x1 * x2) % p * inv(&((BigUint::from(1u32) + p - &t) % p), p) % p;
    (x3, y3)
}

/// The 32-byte public key of a 32-byte seed.
pub fn public_key(seed: &[u8]) -> Vec<u8> {
    let p = p();
    let d = (p.clone() - 121665u32) * inv(&BigUint::from(121666u32), &p) % &p;
    let h = sha2::Sha512::digest(seed);
    let mut a = [0u8; 32];
    a.copy_from_slice(&h[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    let scalar = BigUint::from_bytes_le(&a);
    let base = (
        num("15112221349535400772501151409588531511454012693041857206046113283949847762202"),
        num("46316835694926478169428394003475163141307993866256225615783033603165251855960"),
    );
    let mut acc = (BigUint::ZERO, BigUint::from(1u32));
    for i in (0..scalar.bits()).rev() {
        acc = add(&acc, &acc, &d, &p);
        if scalar.bit(i) {
            acc = add(&acc, &base, &d, &p);
        }
    }
    let mut out = acc.1.to_bytes_le();
    out.resize(32, 0);
    if acc.0.bit(0) {
        out[31] |= 0x80;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_8032_test_1() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let public = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assert_eq!(public_key(&seed), public);
    }
}
