//! The Certificate Manager backend with mocked clients: the export runs only for a certificate whose
//! bundle is neither synced nor cached, every call is counted, and refused answers never give a value.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_acm::Client;
use aws_sdk_acm::config::retry::RetryConfig;
use aws_sdk_acm::operation::describe_certificate::DescribeCertificateOutput;
use aws_sdk_acm::operation::export_certificate::ExportCertificateOutput;
use aws_sdk_acm::operation::get_certificate::GetCertificateOutput;
use aws_sdk_acm::types::{CertificateDetail, CertificateExport, CertificateOptions};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

use super::*;
use crate::api::{ChangeDetection, ExternalSecretSpec};
use crate::core::remote::{RemoteContent, VersionSelector};
use crate::metrics::Metrics;

const ARN: &str = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const CHAIN: &str = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n";

fn get_certificate(cert: &'static str) -> Rule {
    mock!(Client::get_certificate).then_output(move || {
        GetCertificateOutput::builder()
            .certificate(cert)
            .certificate_chain(CHAIN)
            .build()
    })
}

fn describe(arn: &'static str, export: CertificateExport) -> Rule {
    mock!(Client::describe_certificate).then_output(move || {
        DescribeCertificateOutput::builder()
            .certificate(
                CertificateDetail::builder()
                    .certificate_arn(arn)
                    .options(CertificateOptions::builder().export(export.clone()).build())
                    .build(),
            )
            .build()
    })
}

fn export() -> Rule {
    mock!(Client::export_certificate)
        .match_requests(|r| r.passphrase().is_some_and(|p| p.as_ref().len() == 32))
        .then_output(|| {
            ExportCertificateOutput::builder()
                .certificate(CERT)
                .certificate_chain(CHAIN)
                .private_key(KEY)
                .build()
        })
}

fn store(rules: &[&Rule]) -> StoreClient {
    let client = mock_client!(aws_sdk_acm, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()));
    StoreClient::certificate_manager(client, "SecretStore/ns/acm#1")
}

fn provider() -> Provider {
    Provider::new(Metrics::new().expect("metrics")).with_fingerprint_key(b"digest key")
}

fn calls(p: &Provider, operation: &str, outcome: &str) -> u64 {
    p.metrics
        .aws_api_calls
        .with_label_values(&["SecretStore/ns/acm", operation, outcome])
        .get()
}

fn spec() -> ExternalSecretSpec {
    serde_json::from_value(serde_json::json!({
        "secretStoreRef": { "name": "acm" },
        "refreshInterval": "1h",
        "data": [ { "secretKey": "tls.pem", "remoteRef": { "key": ARN } } ]
    }))
    .expect("spec")
}

#[tokio::test]
async fn the_export_runs_once_per_certificate_and_idle_refreshes_only_get_it() {
    let (get, desc, exp) = (
        get_certificate(CERT),
        describe(ARN, CertificateExport::Enabled),
        export(),
    );
    let sc = store(&[&get, &desc, &exp]);
    let p = provider();
    let first = p.get_current(&sc, ARN, None).await.expect("reads");
    let want = format!(
        "{}\n{}\n{}\n",
        CERT.trim_end(),
        CHAIN.trim_end(),
        KEY.trim_end()
    );
    assert_eq!(first.content, RemoteContent::String(want));
    assert!(first.version_id.starts_with("acm-hmac-sha256:"));
    // Another ExternalSecret reading it: GetCertificate, then the cached bundle.
    let second = p.get_current(&sc, ARN, None).await.expect("reads");
    assert_eq!(second, first);
    assert_eq!(
        (exp.num_calls(), desc.num_calls(), get.num_calls()),
        (1, 1, 2)
    );

    // Detection: the synced fingerprint is the current one, nothing to read; another is a read.
    let spec = spec();
    let status_key = crate::core::reads::references::References::of(&spec).named[0]
        .status_key
        .clone();
    for (previous, unchanged) in [
        (first.version_id.as_str(), true),
        ("acm-hmac-sha256:00", false),
    ] {
        let previous = BTreeMap::from([(status_key.clone(), previous.to_string())]);
        let ask = Detect {
            spec: &spec,
            previous: &previous,
            interval: Duration::from_secs(3600),
            change_detection: ChangeDetection::ListSecrets,
        };
        assert_eq!(p.detect(&sc, &ask, &|_| {}).await.unchanged, unchanged);
    }
    assert_eq!(exp.num_calls(), 1, "detection never exports");
    assert_eq!(calls(&p, "GetCertificate", "success"), 4);
    assert_eq!(calls(&p, "DescribeCertificate", "success"), 1);
    assert_eq!(calls(&p, "ExportCertificate", "success"), 1);
    // ACM bills certificates, not calls.
    let cost = p
        .metrics
        .aws_estimated_cost_usd
        .with_label_values(&["SecretStore/ns/acm", "ExportCertificate"])
        .get();
    assert_eq!(cost, 0.0);
}

#[tokio::test]
async fn refused_answers_give_no_value_and_no_export() {
    let other = "arn:aws:acm:eu-west-1:123456789012:certificate/other";
    // (DescribeCertificate rule, message part)
    let cases = [
        (describe(ARN, CertificateExport::Disabled), "not exportable"),
        (
            describe(other, CertificateExport::Enabled),
            "another certificate",
        ),
    ];
    for (desc, part) in cases {
        let (get, exp) = (get_certificate(CERT), export());
        let sc = store(&[&get, &desc, &exp]);
        let p = provider();
        let err = p.get_current(&sc, ARN, None).await.unwrap_err();
        assert_eq!(err.kind, ProviderErrorKind::Other, "{err:?}");
        assert!(err.message.contains(part), "{}", err.message);
        assert!(!err.message.contains("MII"), "no value in {}", err.message);
        assert_eq!(exp.num_calls(), 0);
        assert_eq!(calls(&p, "DescribeCertificate", "error"), 1);
    }
    // No certificate in GetCertificate's answer: malformed, nothing else asked.
    let empty =
        mock!(Client::get_certificate).then_output(|| GetCertificateOutput::builder().build());
    let (desc, exp) = (describe(ARN, CertificateExport::Enabled), export());
    let sc = store(&[&empty, &desc, &exp]);
    let err = provider().get_current(&sc, ARN, None).await.unwrap_err();
    assert!(err.message.contains("no certificate"), "{}", err.message);
    assert_eq!((desc.num_calls(), exp.num_calls()), (0, 0));
    // A version or tags cannot be read from a certificate.
    let sc = store(&[&get_certificate(CERT)]);
    let p = provider();
    assert!(
        p.get(&sc, ARN, &VersionSelector::Id("1".into()))
            .await
            .is_err()
    );
    assert!(p.get_tags(&sc, ARN).await.is_err());
}
