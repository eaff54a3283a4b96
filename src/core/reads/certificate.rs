//! AWS Certificate Manager reads, decided here: the certificate's keyed fingerprint (ACM has no
//! version ids), whether the costly ExportCertificate must run, and the bundle ESO builds from an
//! export (`cert \n chain \n key \n`, each part without trailing line breaks, the private key
//! decrypted). Only what an answer may mean is checked in [`crate::core::answer`].

use aws_lc_rs::hmac;

use crate::core::answer::{ExportAnswer, Unusable};
use crate::core::crypto::{pbes2, pem_encode, pem_first};

/// The prefix of a certificate's version identity in `syncedVersions`.
pub const FINGERPRINT_PREFIX: &str = "acm-hmac-sha256:";

/// The version identity of a certificate: HMAC-SHA-256 under `key` of what ESO fingerprints (the
/// certificate and, when not empty, the chain, each without trailing line breaks). Keyed, so status
/// never carries a plain hash of the remote content.
pub fn fingerprint(key: &[u8], certificate: &str, chain: Option<&str>) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(certificate.trim_end_matches(['\r', '\n']).as_bytes());
    if let Some(chain) = chain.map(|c| c.trim_end_matches(['\r', '\n']))
        && !chain.is_empty()
    {
        ctx.update(chain.as_bytes());
    }
    let tag = ctx.sign();
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{FINGERPRINT_PREFIX}{hex}")
}

/// What a refresh of one certificate reference does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportDecision {
    /// The synced certificate is the current one: nothing to read.
    Unchanged,
    /// The current certificate's bundle is cached: served without exporting.
    FromCache,
    /// Export (DescribeCertificate, then ExportCertificate).
    Export,
}

/// Whether the certificate whose GetCertificate answer has `current` fingerprint must be exported,
/// given the fingerprint synced before (`previous`) and whether a bundle of `current` is cached.
pub fn export_decision(previous: Option<&str>, current: &str, cached: bool) -> ExportDecision {
    match (previous, cached) {
        (Some(p), _) if p == current => ExportDecision::Unchanged,
        (_, true) => ExportDecision::FromCache,
        _ => ExportDecision::Export,
    }
}

/// The bundle ESO's GetSecret returns for an export: the certificate, the chain and the decrypted
/// private key (PKCS#8 PEM), each without trailing `\r`/`\n`, joined with `\n`, ending with `\n`.
/// A missing certificate or key, or a key that does not decrypt with `passphrase`, is a malformed
/// answer: never a partial bundle.
pub fn bundle_of(answer: &ExportAnswer<'_>, passphrase: &[u8]) -> Result<String, Unusable> {
    let (Some(cert), Some(key)) = (answer.certificate, answer.private_key) else {
        return Err(Unusable::Malformed(
            "malformed answer: the export lacks the certificate or the private key",
        ));
    };
    let key = decrypt_key(key, passphrase)
        .map_err(|_| Unusable::Malformed("the exported private key could not be decrypted"))?;
    let mut parts = vec![cert.trim_end_matches(['\r', '\n'])];
    if let Some(chain) = answer.chain {
        parts.push(chain.trim_end_matches(['\r', '\n']));
    }
    parts.push(key.trim_end_matches(['\r', '\n']));
    let mut out = parts.join("\n");
    out.push('\n');
    Ok(out)
}

/// An exported key as an unencrypted PKCS#8 PEM (`PRIVATE KEY`), as ESO's `decryptPKCS8PEM` gives it.
fn decrypt_key(pem: &str, passphrase: &[u8]) -> Result<String, String> {
    let (kind, der) = pem_first(pem).ok_or("no PEM block")?;
    match kind.as_str() {
        "PRIVATE KEY" => Ok(pem.to_string()),
        "ENCRYPTED PRIVATE KEY" => Ok(pem_encode(
            "PRIVATE KEY",
            &pbes2::decrypt_pkcs8(&der, passphrase)?,
        )),
        _ => Err("unexpected PEM type".into()),
    }
}

#[cfg(test)]
#[path = "certificate_tests.rs"]
mod tests;
