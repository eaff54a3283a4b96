//! The NIST curves P-256/384/521 (the ones JWK names) as Go's `crypto/ecdsa` checks keys on them: a
//! public point must lie on the curve, a private scalar must be below the group order; the public
//! point of a parsed private key is derived from the scalar.

use num_bigint::BigUint;

/// A short Weierstrass curve y² = x³ − 3x + b over GF(p).
pub struct Curve {
    /// The JWK name (`P-256`).
    pub name: &'static str,
    /// The named curve's OID arcs.
    pub oid: &'static [u64],
    /// The field and scalar size in bits.
    pub bits: u64,
    p: &'static str,
    n: &'static str,
    b: &'static str,
    gx: &'static str,
    gy: &'static str,
}

/// The curves a JWK may name.
pub const CURVES: &[Curve] = &[
    Curve {
        name: "P-256",
        oid: &[1, 2, 840, 10045, 3, 1, 7],
        bits: 256,
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    },
    Curve {
        name: "P-384",
        oid: &[1, 3, 132, 0, 34],
        bits: 384,
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        gx: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
        gy: "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
    },
    Curve {
        name: "P-521",
        oid: &[1, 3, 132, 0, 35],
        bits: 521,
        p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        b: "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
        gx: "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
        gy: "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
    },
];

fn hex(s: &str) -> BigUint {
    BigUint::parse_bytes(s.as_bytes(), 16).unwrap_or_default()
}

impl Curve {
    /// The curve with this JWK name.
    pub fn by_name(name: &str) -> Option<&'static Curve> {
        CURVES.iter().find(|c| c.name == name)
    }

    /// The size of a coordinate or scalar in bytes.
    pub fn byte_len(&self) -> usize {
        self.bits.div_ceil(8) as usize
    }

    /// Whether (x, y) is a point of the curve with coordinates below p.
    pub fn on_curve(&self, x: &BigUint, y: &BigUint) -> bool {
        let p = hex(self.p);
        if *x >= p || *y >= p {
            return false;
        }
        let rhs = (x * x % &p * x + &p * 3u32 - x * 3u32 % &p + hex(self.b)) % &p;
        y * y % &p == rhs
    }

    /// Whether d is a valid private scalar (0 < d < n); Go does not check that it generates
    /// the public point.
    pub fn valid_scalar(&self, d: &BigUint) -> bool {
        *d != BigUint::ZERO && *d < hex(self.n)
    }
}

impl Curve {
    /// The public point d·G (Go derives it when it parses a private key).
    pub fn public_key(&self, d: &BigUint) -> (BigUint, BigUint) {
        let p = hex(self.p);
        let g = (hex(self.gx), hex(self.gy), BigUint::from(1u32));
        let mut acc: Point = (BigUint::ZERO, BigUint::from(1u32), BigUint::ZERO);
        for i in (0..d.bits()).rev() {
            acc = double(&acc, &p);
            if d.bit(i) {
                acc = add(&acc, &g, &p);
            }
        }
        if acc.2 == BigUint::ZERO {
            return (BigUint::ZERO, BigUint::ZERO);
        }
        let zinv = acc.2.modpow(&(&p - 2u32), &p);
        let z2 = &zinv * &zinv % &p;
        let z3 = &z2 * &zinv % &p;
        (acc.0 * z2 % &p, acc.1 * z3 % &p)
    }
}

/// A point in Jacobian coordinates (z = 0 is the point at infinity).
type Point = (BigUint, BigUint, BigUint);

fn sub(a: &BigUint, b: &BigUint, p: &BigUint) -> BigUint {
    (a + p - b % p) % p
}

/// Point doubling for a = −3.
fn double(pt: &Point, p: &BigUint) -> Point {
    let (x, y, z) = pt;
    if *z == BigUint::ZERO || *y == BigUint::ZERO {
        return (BigUint::ZERO, BigUint::from(1u32), BigUint::ZERO);
    }
    let z2 = z * z % p;
    let m = (sub(x, &z2, p) * ((x + &z2) % p) * 3u32) % p;
    let y2 = y * y % p;
    let s = x * &y2 * 4u32 % p;
    let x3 = sub(&(&m * &m % p), &(&s * 2u32 % p), p);
    let y3 = sub(&(&m * sub(&s, &x3, p) % p), &(&y2 * &y2 * 8u32 % p), p);
    let z3 = y * z * 2u32 % p;
    (x3, y3, z3)
}

/// Point addition.
fn add(a: &Point, b: &Point, p: &BigUint) -> Point {
    if a.2 == BigUint::ZERO {
        return b.clone();
    }
    if b.2 == BigUint::ZERO {
        return a.clone();
    }
    let (z1s, z2s) = (&a.2 * &a.2 % p, &b.2 * &b.2 % p);
    let u1 = &a.0 * &z2s % p;
    let u2 = &b.0 * &z1s % p;
    let s1 = &a.1 * &z2s % p * &b.2 % p;
    let s2 = &b.1 * &z1s % p * &a.2 % p;
    if u1 == u2 {
        return if s1 == s2 {
            double(a, p)
        } else {
            (BigUint::ZERO, BigUint::from(1u32), BigUint::ZERO)
        };
    }
    let h = sub(&u2, &u1, p);
    let r = sub(&s2, &s1, p);
    let h2 = &h * &h % p;
    let h3 = &h2 * &h % p;
    let u1h2 = &u1 * &h2 % p;
    let x3 = sub(&sub(&(&r * &r % p), &h3, p), &(&u1h2 * 2u32 % p), p);
    let y3 = sub(&(&r * sub(&u1h2, &x3, p) % p), &(&s1 * &h3 % p), p);
    let z3 = &a.2 * &b.2 % p * &h % p;
    (x3, y3, z3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_on_their_curves_and_scalars_are_below_the_order() {
        for c in CURVES {
            let (gx, gy) = (hex(c.gx), hex(c.gy));
            assert!(c.on_curve(&gx, &gy), "{}", c.name);
            assert!(!c.on_curve(&gx, &(&gy + 1u32)), "{}", c.name);
            assert!(c.valid_scalar(&BigUint::from(1u32)), "{}", c.name);
            assert!(!c.valid_scalar(&hex(c.n)), "{}", c.name);
            assert_eq!(c.public_key(&BigUint::from(1u32)), (gx.clone(), gy.clone()));
            let (x2, y2) = c.public_key(&BigUint::from(2u32));
            assert!(c.on_curve(&x2, &y2), "{}", c.name);
            assert!(x2 != gx, "{}", c.name);
        }
    }
}
