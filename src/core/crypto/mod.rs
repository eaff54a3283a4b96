//! Shared cryptography of the pure core: a strict DER reader and writer, Go's PEM encoding, and the
//! password-based decryption (PBES2) that PKCS#12 files and encrypted PKCS#8 keys use. The template
//! functions and the certificate backend both use these; neither imports the other.

pub mod der;
pub mod pbes2;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Go's `pem.Encode` of a block without headers (64-column base64, a final newline).
pub fn pem_encode(kind: &str, bytes: &[u8]) -> String {
    let mut out = format!("-----BEGIN {kind}-----\n");
    let b64 = STANDARD.encode(bytes);
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The type and decoded body of the first PEM block of `text` without headers (None: no block, or a
/// body that is not base64).
pub fn pem_first(text: &str) -> Option<(String, Vec<u8>)> {
    let mut lines = text.lines().map(str::trim);
    let kind = lines.find_map(|l| {
        l.strip_prefix("-----BEGIN ")
            .and_then(|r| r.strip_suffix("-----"))
    })?;
    let end = format!("-----END {kind}-----");
    let mut b64 = String::new();
    for line in lines {
        if line == end {
            return STANDARD.decode(b64).ok().map(|b| (kind.to_string(), b));
        }
        if line.contains(':') {
            return None;
        }
        b64.push_str(line);
    }
    None
}
