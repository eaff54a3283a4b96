//! sprig's encoding, hashing, regular expression and path functions, ESO's `filterPEM`, and `fail`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest;

use super::go_base64::base64_decode;
use super::{Func, Value, arity, s, string_arg, text};

/// The encoding functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("b64enc", |a| {
        bytes_fn(a, |v| STANDARD.encode(v).into_bytes())
    }),
    ("b64dec", |a| bytes_fn(a, b64dec)),
    ("b32enc", |a| bytes_fn(a, |v| base32_encode(v).into_bytes())),
    ("b32dec", |a| {
        bytes_fn(a, |v| base32_decode(v).unwrap_or_else(|e| e.into_bytes()))
    }),
    ("hexdec", |a| bytes_fn(a, hexdec)),
    ("sha1sum", |a| {
        bytes_fn(a, |v| hex(&sha1::Sha1::digest(v)).into_bytes())
    }),
    ("sha256sum", |a| {
        bytes_fn(a, |v| hex(&sha2::Sha256::digest(v)).into_bytes())
    }),
    ("sha512sum", |a| {
        bytes_fn(a, |v| hex(&sha2::Sha512::digest(v)).into_bytes())
    }),
    ("adler32sum", |a| {
        bytes_fn(a, |v| adler32(v).to_string().into_bytes())
    }),
    ("base", |a| {
        bytes_fn(a, |v| path_base(&text(v)).into_bytes())
    }),
    ("osBase", |a| {
        bytes_fn(a, |v| path_base(&text(v)).into_bytes())
    }),
    ("dir", |a| bytes_fn(a, |v| path_dir(&text(v)).into_bytes())),
    ("osDir", |a| {
        bytes_fn(a, |v| path_dir(&text(v)).into_bytes())
    }),
    ("clean", |a| {
        bytes_fn(a, |v| path_clean(&text(v)).into_bytes())
    }),
    ("osClean", |a| {
        bytes_fn(a, |v| path_clean(&text(v)).into_bytes())
    }),
    ("ext", |a| bytes_fn(a, |v| path_ext(&text(v)).into_bytes())),
    ("osExt", |a| {
        bytes_fn(a, |v| path_ext(&text(v)).into_bytes())
    }),
    ("isAbs", |a| {
        arity(a, 1)?;
        Ok(Value::Bool(string_arg(&a[0])?.starts_with(b"/")))
    }),
    ("osIsAbs", |a| {
        arity(a, 1)?;
        Ok(Value::Bool(string_arg(&a[0])?.starts_with(b"/")))
    }),
    ("filterPEM", filter_pem),
    // The message is the template author's; it may quote values, so it is not repeated.
    ("fail", |_| Err("the template called fail".into())),
];

fn bytes_fn(args: &[Value], f: impl Fn(&[u8]) -> Vec<u8>) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(s(f(&string_arg(&args[0])?)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sprig's `b64dec`: on bad input, Go's error text instead of a value.
fn b64dec(v: &[u8]) -> Vec<u8> {
    base64_decode(v)
        .unwrap_or_else(|at| format!("illegal base64 data at input byte {at}").into_bytes())
}

/// Go's `hex.DecodeString`; on bad input, Go's error text instead of a value.
fn hexdec(v: &[u8]) -> Vec<u8> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let invalid = |c: u8| {
        let r = char::from(c);
        let shown = if super::super::fmt::is_print(r) {
            format!(" '{r}'")
        } else {
            String::new()
        };
        format!("encoding/hex: invalid byte: U+{:04X}{shown}", c).into_bytes()
    };
    let mut out = Vec::with_capacity(v.len() / 2);
    let mut j = 1;
    while j < v.len() {
        let (p, q) = (v[j - 1], v[j]);
        let Some(a) = digit(p) else {
            return invalid(p);
        };
        let Some(b) = digit(q) else {
            return invalid(q);
        };
        out.push((a << 4) | b);
        j += 2;
    }
    if v.len() % 2 == 1 {
        if digit(v[j - 1]).is_none() {
            return invalid(v[j - 1]);
        }
        return b"encoding/hex: odd length hex string".to_vec();
    }
    out
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(v: &[u8]) -> String {
    let mut out = String::new();
    for chunk in v.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(B32[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString` (newlines dropped first), with Go's error offsets.
fn base32_decode(input: &[u8]) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = input
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    let bad = |i: usize| format!("illegal base32 data at input byte {i}");
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::new();
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut dbuf = [0u8; 8];
        let mut dlen = 8;
        let mut j = 0;
        while j < 8 {
            let Some((&c, tail)) = rest.split_first() else {
                return Err(bad(olen - rest.len() - j));
            };
            rest = tail;
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 8 - 1 {
                    return Err(bad(olen));
                }
                for k in 0..8 - 1 - j {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(bad(olen - rest.len() + k - 1));
                    }
                }
                dlen = j;
                end = true;
                if matches!(dlen, 1 | 3 | 6) {
                    return Err(bad(olen - rest.len() - 1));
                }
                break;
            }
            let d = B32
                .iter()
                .position(|x| *x == c)
                .ok_or_else(|| bad(olen - rest.len() - 1))?;
            dbuf[j] = d as u8;
            j += 1;
        }
        let n = dbuf.iter().fold(0u64, |acc, d| (acc << 5) | u64::from(*d));
        let bytes = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(&n.to_be_bytes()[3..3 + bytes]);
    }
    Ok(out)
}

fn adler32(v: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in v {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// Go's `path.Clean`.
pub fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

fn path_ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return p[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

/// ESO's `filterPEM`: the blocks of one type (compared case-insensitively), re-encoded as Go's
/// `pem.Encode` writes them; input without any block of the type but with text left is "junk".
fn filter_pem(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let want = string_arg(&args[0])?;
    let input = string_arg(&args[1])?;
    let mut data = super::pem::trim_junk(&input);
    let mut out = Vec::new();
    while let Some((block, rest)) = super::pem::decode(data) {
        data = rest;
        if equal_fold(&block.kind, &want) {
            out.extend(super::pem::encode_block(&block));
        }
    }
    if out.is_empty() && !data.is_empty() {
        return Err("error filtering pem: found junk".into());
    }
    Ok(s(out))
}

/// Go's `strings.EqualFold` (simple case folding of each rune).
fn equal_fold(a: &[u8], b: &[u8]) -> bool {
    let fold = |c: char| super::case::lower(super::case::upper(c));
    let (a, b) = (text(a), text(b));
    a.chars().map(fold).eq(b.chars().map(fold))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_go() {
        assert_eq!(path_clean("a//b/../c/."), "a/c");
        assert_eq!(path_clean("/../x"), "/x");
        assert_eq!(path_clean(""), ".");
        assert_eq!(path_base("/a/b/"), "b");
        assert_eq!(path_dir("/a/b/c"), "/a/b");
        assert_eq!(path_dir("c"), ".");
        assert_eq!(path_ext("x/y.tar.gz"), ".gz");
    }

    #[test]
    fn base32_and_hashes() {
        assert_eq!(base32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(base32_encode(b"hi"), "NBUQ====");
        assert_eq!(base32_decode(b"NBUQ====").expect("decodes"), b"hi");
        assert_eq!(adler32(b"Wikipedia"), 300_286_872);
        assert_eq!(
            hex(&sha2::Sha256::digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
