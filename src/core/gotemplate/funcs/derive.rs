//! sprig's `derivePassword`: the Master Password algorithm (scrypt with N=32768, r=8, p=2 over the
//! user, then HMAC-SHA-256 over the site and counter picking a template's characters). It is
//! deterministic, so the Secret only changes when an input does; each call costs 32 MiB and some
//! CPU time.

use aws_lc_rs::{hmac, pbkdf2};

use super::{Func, Value, arity, s, string_arg};

/// The password derivation function.
pub const FUNCS: &[(&str, Func)] = &[("derivePassword", derive_password)];

const SEED: &[u8] = b"com.lyndir.masterpassword";

fn templates(kind: &[u8]) -> Option<&'static [&'static str]> {
    Some(match kind {
        b"maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        b"long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        b"medium" => &["CvcnoCvc", "CvcCvcno"],
        b"short" => &["Cvcn"],
        b"basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        b"pin" => &["nnnn"],
        _ => return None,
    })
}

fn characters(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

fn derive_password(args: &[Value]) -> Result<Value, String> {
    arity(args, 5)?;
    let counter = args[0]
        .as_int()
        .and_then(|c| u32::try_from(c).ok())
        .ok_or("wrong type for value; expected uint32")?;
    let kind = string_arg(&args[1])?;
    let password = string_arg(&args[2])?;
    let user = string_arg(&args[3])?;
    let site = string_arg(&args[4])?;
    // sprig returns its error text as the password; it names only the type.
    let Some(templates) = templates(&kind) else {
        let mut out = b"cannot find password template ".to_vec();
        out.extend_from_slice(&kind);
        return Ok(s(out));
    };
    let len32 = |v: &[u8]| (v.len() as u32).to_be_bytes();
    let salt = [SEED, &len32(&user), &user].concat();
    let key = scrypt(&password, &salt)?;
    let message = [SEED, &len32(&site), &site, &counter.to_be_bytes()].concat();
    let seed = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), &message);
    let seed = seed.as_ref();
    let template = templates[usize::from(seed[0]) % templates.len()].as_bytes();
    let out: Vec<u8> = template
        .iter()
        .enumerate()
        .map(|(i, &class)| {
            let chars = characters(class);
            chars[usize::from(seed[i + 1]) % chars.len()]
        })
        .collect();
    Ok(s(out))
}

const N: usize = 32768;
const R: usize = 8;
const P: usize = 2;
/// 32-bit words in one scrypt block (128·r bytes).
const WORDS: usize = 32 * R;

/// scrypt (RFC 7914) with sprig's parameters and a 64-byte key.
fn scrypt(password: &[u8], salt: &[u8]) -> Result<Vec<u8>, String> {
    let one = std::num::NonZeroU32::MIN;
    let mut b = vec![0u8; P * 128 * R];
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, one, salt, password, &mut b);
    let mut v = Vec::new();
    v.try_reserve_exact(N * WORDS)
        .map_err(|_| "derivePassword: out of memory")?;
    v.resize(N * WORDS, 0u32);
    for chunk in b.chunks_mut(128 * R) {
        let mut x: Vec<u32> = chunk
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        for i in 0..N {
            v[i * WORDS..(i + 1) * WORDS].copy_from_slice(&x);
            x = block_mix(&x);
        }
        for _ in 0..N {
            let j = x[WORDS - 16] as usize % N;
            for (a, b) in x.iter_mut().zip(&v[j * WORDS..(j + 1) * WORDS]) {
                *a ^= b;
            }
            x = block_mix(&x);
        }
        for (out, w) in chunk.chunks_mut(4).zip(&x) {
            out.copy_from_slice(&w.to_le_bytes());
        }
    }
    let mut key = vec![0u8; 64];
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, one, &b, password, &mut key);
    Ok(key)
}

fn block_mix(b: &[u32]) -> Vec<u32> {
    let mut x = [0u32; 16];
    x.copy_from_slice(&b[WORDS - 16..]);
    let mut out = vec![0u32; WORDS];
    for i in 0..2 * R {
        for (a, w) in x.iter_mut().zip(&b[i * 16..(i + 1) * 16]) {
            *a ^= w;
        }
        salsa20_8(&mut x);
        let at = if i % 2 == 0 { i / 2 } else { R + i / 2 };
        out[at * 16..(at + 1) * 16].copy_from_slice(&x);
    }
    out
}

fn salsa20_8(b: &mut [u32; 16]) {
    let mut x = *b;
    let q = |x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize| {
        x[b] ^= x[a].wrapping_add(x[d]).rotate_left(7);
        x[c] ^= x[b].wrapping_add(x[a]).rotate_left(9);
        x[d] ^= x[c].wrapping_add(x[b]).rotate_left(13);
        x[a] ^= x[d].wrapping_add(x[c]).rotate_left(18);
    };
    for _ in 0..4 {
        q(&mut x, 0, 4, 8, 12);
        q(&mut x, 5, 9, 13, 1);
        q(&mut x, 10, 14, 2, 6);
        q(&mut x, 15, 3, 7, 11);
        q(&mut x, 0, 1, 2, 3);
        q(&mut x, 5, 6, 7, 4);
        q(&mut x, 10, 11, 8, 9);
        q(&mut x, 15, 12, 13, 14);
    }
    for (o, a) in b.iter_mut().zip(x) {
        *o = o.wrapping_add(a);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn salsa_and_every_template_class_are_as_sprig_has_them() {
        // RFC 7914 section 8: Salsa20/8 of its test vector (the first words).
        let input: [u8; 64] = std::array::from_fn(|i| {
            b"\x7e\x87\x9a\x21\x4f\x3e\xc9\x86\x7c\xa9\x40\xe6\x41\x71\x8f\x26\xba\xee\x55\x5b\x8c\x61\xc1\xb5\x0d\xf8\x46\x11\x6d\xcd\x3b\x1d\xee\x24\xf3\x19\xdf\x9b\x3d\x85\x14\x12\x1e\x4b\x5a\xc5\xaa\x32\x76\x02\x1d\x29\x09\xc7\x48\x29\xed\xeb\xc6\x8d\xb8\xb8\xc2\x5e"[i]
        });
        let mut x: [u32; 16] = std::array::from_fn(|i| {
            u32::from_le_bytes([
                input[4 * i],
                input[4 * i + 1],
                input[4 * i + 2],
                input[4 * i + 3],
            ])
        });
        salsa20_8(&mut x);
        assert_eq!(x[0].to_le_bytes(), [0xa4, 0x1f, 0x85, 0x9c]);
        for kind in ["maximum", "long", "medium", "short", "basic", "pin"] {
            let all = templates(kind.as_bytes()).unwrap();
            assert!(
                all.iter()
                    .all(|t| t.bytes().all(|c| !characters(c).is_empty()))
            );
        }
        assert!(templates(b"nope").is_none());
    }

    #[test]
    fn a_template_calls_it_about_ten_times_at_most() {
        // An unknown password type returns before scrypt, so only the fuel is spent here.
        let calls = |n: usize| {
            let t = format!(
                "{{{{ range until {n} }}}}{{{{ derivePassword 1 \"nope\" \"\" \"\" \"\" }}}}{{{{ end }}}}"
            );
            crate::core::gotemplate::render(&t, &BTreeMap::new())
        };
        assert!(calls(5).is_ok());
        let err = calls(20).unwrap_err();
        assert!(err.contains("loop limit"), "{err}");
    }
}
