//! PKCS#12's key derivation (RFC 7292 appendix B), the hashes it and the MACs use, and the
//! BMPString password as UTF-8, shared by the MAC check and the PBE decryption.

use hmac::Mac;
use num_bigint::BigUint;
use sha2::Digest;

/// The password back as UTF-8 (PBES2 uses it so).
pub(super) fn utf8_password(bmp: &[u8]) -> Vec<u8> {
    let units: Vec<u16> = bmp
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units).into_bytes()
}

/// The hashes PKCS#12 MACs and key derivation use.
#[derive(Clone, Copy)]
pub(super) enum Hash {
    Sha1,
    Sha256,
    Sha512,
}

impl Hash {
    pub(super) fn sum(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
    pub(super) fn sizes(self) -> (usize, usize) {
        match self {
            Hash::Sha1 => (20, 64),
            Hash::Sha256 => (32, 64),
            Hash::Sha512 => (64, 128),
        }
    }
    pub(super) fn hmac(self, key: &[u8], msg: &[u8]) -> Vec<u8> {
        fn run<M: Mac + hmac::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
            let mut m =
                <M as hmac::KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        match self {
            Hash::Sha1 => run::<hmac::Hmac<sha1::Sha1>>(key, msg),
            Hash::Sha256 => run::<hmac::Hmac<sha2::Sha256>>(key, msg),
            Hash::Sha512 => run::<hmac::Hmac<sha2::Sha512>>(key, msg),
        }
    }
}

/// RFC 7292 appendix B key derivation.
pub(super) fn pkcs12_kdf(
    h: Hash,
    salt: &[u8],
    password: &[u8],
    rounds: u32,
    id: u8,
    size: usize,
) -> Vec<u8> {
    let (u, v) = h.sizes();
    let fill = |p: &[u8]| -> Vec<u8> {
        if p.is_empty() {
            return Vec::new();
        }
        let len = v * p.len().div_ceil(v);
        p.iter().copied().cycle().take(len).collect()
    };
    let mut i_buf = [fill(salt), fill(password)].concat();
    let d = vec![id; v];
    let c = size.div_ceil(u);
    let mut a = Vec::with_capacity(c * u);
    for round in 0..c {
        let mut ai = h.sum(&[&d[..], &i_buf[..]].concat());
        for _ in 1..rounds {
            ai = h.sum(&ai);
        }
        a.extend_from_slice(&ai);
        if round + 1 < c {
            let b: Vec<u8> = ai.iter().copied().cycle().take(v).collect();
            let b = BigUint::from_bytes_be(&b) + 1u32;
            for chunk in i_buf.chunks_mut(v) {
                let sum = (BigUint::from_bytes_be(chunk) + &b).to_bytes_be();
                let tail = &sum[sum.len().saturating_sub(v)..];
                chunk.fill(0);
                chunk[v - tail.len()..].copy_from_slice(tail);
            }
        }
    }
    a.truncate(size);
    a
}
