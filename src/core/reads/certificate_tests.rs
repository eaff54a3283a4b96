use super::*;
use crate::core::answer::{
    CertificateAnswer, DescribeCertificateAnswer, certificate_of, exportable,
};

const PASS: &[u8] = b"abcdefghijklmnopqrstuvwxyz012345";
const ENCRYPTED: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIH0MF8GCSqGSIb3DQEFDTBSMDEGCSqGSIb3DQEFDDAkBBAivSyy70Wy1H/oQoub
pt+TAgIIADAMBggqhkiG9w0CCQUAMB0GCWCGSAFlAwQBKgQQFaxUF565ntSO01Rl
1XqxqgSBkM69NZ9e4xBzAH25qxqLkLaucBQA3bs8Ve6tg8kkCLZhc2q1Vq+vkF21
HOKl/zycqhtwUZTi57d1qyYvl6rYu04Z2OUMqZrg0d0qxsXPD/w6fl+dFMkjHYxg
Xih0mcvHkWtjBdxvdahyxJRZ4l/7K5gN0BdOip4EJhg+Jn1tCxtdpFXUHlyFpeJu
xzR74ryFIg==
-----END ENCRYPTED PRIVATE KEY-----\n";
const PLAIN: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3+Gyy2c3o+1LT9WK
kvk47iwvkP6j18O9bKXPiMkQhTmhRANCAAQHMXT4Y1cUUpQc0YJc4ohWV3FAJf/z
/oJryY+uUNd4n6+7oKtqpRkIbI5AoBlnlRb5JzVWA/njrtJeP3vBif8P
-----END PRIVATE KEY-----\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const CHAIN: &str = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\r\n";
const ARN: &str = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";

#[test]
fn export_runs_only_for_a_certificate_neither_synced_nor_cached() {
    use ExportDecision::*;
    // (previous, current, cached, expected)
    let cases = [
        (None, "a", false, Export),
        (None, "a", true, FromCache),
        (Some("a"), "a", false, Unchanged),
        (Some("a"), "a", true, Unchanged),
        (Some("b"), "a", false, Export),
        (Some("b"), "a", true, FromCache),
    ];
    for (previous, current, cached, want) in cases {
        assert_eq!(
            export_decision(previous, current, cached),
            want,
            "{previous:?} {current} {cached}"
        );
    }
}

#[test]
fn fingerprints_are_keyed_and_follow_what_eso_fingerprints() {
    let f = |key: &[u8], cert: &str, chain: Option<&str>| fingerprint(key, cert, chain);
    let base = f(b"k1", CERT, Some(CHAIN));
    assert!(base.starts_with(FINGERPRINT_PREFIX));
    // Trailing line breaks do not count; an empty chain is no chain (as ESO's fingerprint).
    assert_eq!(base, f(b"k1", CERT.trim_end(), Some(CHAIN.trim_end())));
    assert_eq!(f(b"k1", CERT, None), f(b"k1", CERT, Some("\n")));
    // Another key, certificate or chain: another fingerprint.
    assert_ne!(base, f(b"k2", CERT, Some(CHAIN)));
    assert_ne!(base, f(b"k1", CHAIN, Some(CHAIN)));
    assert_ne!(base, f(b"k1", CERT, None));
    // Keyed: not the plain SHA-256 ESO uses.
    let plain = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{}{}", CERT.trim_end(), CHAIN.trim_end()).as_bytes(),
    );
    let hex: String = plain.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert!(!base.contains(&hex));
}

#[test]
fn the_bundle_is_esos_cert_chain_and_decrypted_key() {
    let answer = ExportAnswer {
        certificate: Some(CERT),
        chain: Some(CHAIN),
        private_key: Some(ENCRYPTED),
    };
    let want = format!(
        "{}\n{}\n{}\n",
        CERT.trim_end(),
        CHAIN.trim_end(),
        PLAIN.trim_end()
    );
    assert_eq!(bundle_of(&answer, PASS).as_deref(), Ok(want.as_str()));
    // No chain: two parts. An unencrypted key passes through (as ESO).
    let answer = ExportAnswer {
        chain: None,
        private_key: Some(PLAIN),
        ..answer
    };
    let want = format!("{}\n{}\n", CERT.trim_end(), PLAIN.trim_end());
    assert_eq!(bundle_of(&answer, PASS).as_deref(), Ok(want.as_str()));
}

#[test]
fn a_bad_export_is_malformed_never_a_partial_bundle() {
    let good = ExportAnswer {
        certificate: Some(CERT),
        chain: Some(CHAIN),
        private_key: Some(ENCRYPTED),
    };
    let cases = [
        (
            ExportAnswer {
                certificate: None,
                ..good
            },
            PASS,
            "lacks",
        ),
        (
            ExportAnswer {
                private_key: None,
                ..good
            },
            PASS,
            "lacks",
        ),
        (
            good,
            b"wrong-passphrase-wrong-passphrase".as_slice(),
            "decrypted",
        ),
        (
            ExportAnswer {
                private_key: Some("not pem"),
                ..good
            },
            PASS,
            "decrypted",
        ),
        (
            ExportAnswer {
                private_key: Some(CERT),
                ..good
            },
            PASS,
            "decrypted",
        ),
    ];
    for (answer, pass, want) in cases {
        let err = bundle_of(&answer, pass).unwrap_err();
        assert!(
            err.explain().contains(want),
            "{answer:?}: {}",
            err.explain()
        );
        assert!(
            !err.explain().contains("MII"),
            "no value in {}",
            err.explain()
        );
    }
}

#[test]
fn certificate_answers_are_checked_once() {
    // GetCertificate: (certificate, ok)
    for (certificate, ok) in [
        (Some(CERT), true),
        (None, false),
        (Some(""), false),
        (Some(" \n"), false),
    ] {
        let answer = CertificateAnswer {
            certificate,
            chain: None,
        };
        assert_eq!(certificate_of(&answer).is_ok(), ok, "{certificate:?}");
    }
    // DescribeCertificate: (arn, export, expected)
    let other = "arn:aws:acm:eu-west-1:123456789012:certificate/other";
    let cases = [
        (Some(ARN), Some("ENABLED"), Ok(())),
        (Some(ARN), Some("DISABLED"), Err(Unusable::NotExportable)),
        (Some(ARN), None, Err(Unusable::NotExportable)),
        (
            Some(other),
            Some("ENABLED"),
            Err(Unusable::Malformed(
                "malformed answer: it describes another certificate",
            )),
        ),
        (
            None,
            Some("ENABLED"),
            Err(Unusable::Malformed("malformed answer: no certificate")),
        ),
        (
            Some(""),
            Some("ENABLED"),
            Err(Unusable::Malformed("malformed answer: no certificate")),
        ),
    ];
    for (arn, export, want) in cases {
        let answer = DescribeCertificateAnswer { arn, export };
        assert_eq!(exportable(ARN, &answer), want, "{arn:?} {export:?}");
    }
}
