//! AWS Certificate Manager as a store's service, on the real test bed (moto serves ACM, including
//! ExportCertificate): a certificate ARN syncs to ESO's exact bundle (certificate, chain, decrypted
//! private key), idle refreshes ask GetCertificate only (no export), and a certificate that is not
//! exportable, missing, or re-imported as not exportable keeps the previous Secret with a clear
//! condition and Event; dataFrom is refused at the spec check. Fingerprints are keyed (never a plain
//! hash in status) and survive a controller restart (no export after it).

use crate::common;

use std::time::Duration;

use aws_sdk_acm::primitives::Blob;
use aws_sdk_acm::types::{CertificateExport, CertificateOptions};
use common::operator::Operator;
use common::scenario::Es;
use common::{apply, aws_creds_yaml, testbed_var, wait_for_events, wait_ready, wait_secret};

/// An ACM client for the test bed's moto.
fn acm() -> aws_sdk_acm::Client {
    use aws_sdk_acm::config::{Credentials, Region};
    let config = aws_sdk_acm::Config::builder()
        .behavior_version(aws_sdk_acm::config::BehaviorVersion::latest())
        .endpoint_url(testbed_var("AWS_ENDPOINT_URL"))
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .build();
    aws_sdk_acm::Client::from_conf(config)
}

/// A certificate for `domain` whose export option is `export`; returns its ARN.
async fn request(acm: &aws_sdk_acm::Client, domain: &str, export: CertificateExport) -> String {
    acm.request_certificate()
        .domain_name(domain)
        .options(CertificateOptions::builder().export(export).build())
        .send()
        .await
        .unwrap_or_else(|e| panic!("RequestCertificate {domain}: {e:?}"))
        .certificate_arn()
        .unwrap_or_default()
        .to_string()
}

/// ESO's bundle of `arn`, built here from moto's own answers: `cert \n chain \n key \n`.
async fn expected_bundle(acm: &aws_sdk_acm::Client, arn: &str) -> String {
    let pass = b"integration-test-passphrase-0123".to_vec();
    let out = acm
        .export_certificate()
        .certificate_arn(arn)
        .passphrase(Blob::new(pass.clone()))
        .send()
        .await
        .expect("ExportCertificate");
    let (kind, der) = secretsync::core::crypto::pem_first(out.private_key().unwrap_or_default())
        .expect("a PEM private key");
    assert_eq!(kind, "ENCRYPTED PRIVATE KEY");
    let key = secretsync::core::crypto::pbes2::decrypt_pkcs8(&der, &pass).expect("decrypts");
    let key = secretsync::core::crypto::pem_encode("PRIVATE KEY", &key);
    let trim = |s: &str| s.trim_end_matches(['\r', '\n']).to_string();
    format!(
        "{}\n{}\n{}\n",
        trim(out.certificate().unwrap_or_default()),
        trim(out.certificate_chain().unwrap_or_default()),
        trim(&key)
    )
}

fn store_yaml(name: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {name} }}\nspec:\n  aws:\n    service: CertificateManager\n    region: us-east-1\n    endpoint: \"{}\"\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n",
        testbed_var("AWS_ENDPOINT_URL")
    )
}

fn value(secret: &k8s_openapi::api::core::v1::Secret, key: &str) -> Option<String> {
    secret
        .data
        .as_ref()?
        .get(key)
        .map(|b| String::from_utf8_lossy(&b.0).into_owned())
}

#[tokio::test]
async fn a_certificate_syncs_as_esos_bundle_and_idle_refreshes_never_export() {
    let (client, ns) = common::setup("acm").await;
    let acm = acm();
    let arn = request(
        &acm,
        &format!("{ns}.example.com"),
        CertificateExport::Enabled,
    )
    .await;
    let locked = request(
        &acm,
        &format!("locked.{ns}.example.com"),
        CertificateExport::Disabled,
    )
    .await;
    let missing = arn
        .rsplit_once('/')
        .map(|(a, _)| format!("{a}/00000000-0000-0000-0000-000000000000"))
        .unwrap_or_default();
    let bundle = expected_bundle(&acm, &arn).await;
    let yaml = [
        aws_creds_yaml(),
        store_yaml("acm"),
        Es::new("tls", "acm")
            .interval("1s")
            .key("tls.pem", &arn)
            .yaml(),
        Es::new("locked", "acm")
            .interval("1h")
            .key("tls.pem", &locked)
            .yaml(),
        Es::new("missing", "acm")
            .interval("1h")
            .key("tls.pem", &missing)
            .yaml(),
        store_yaml("acm-failover").replace(
            "    service: CertificateManager\n",
            "    service: CertificateManager\n    failoverRegions: [us-west-2]\n",
        ),
        Es::new("failover", "acm-failover")
            .interval("1h")
            .key("tls.pem", &arn)
            .yaml(),
        Es::new("find", "acm")
            .interval("1h")
            .body("  dataFrom:\n    - find: { name: { regexp: \".*\" } }\n")
            .yaml(),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;

    // ESO's exact bytes.
    wait_secret(&client, &ns, "tls", "holds the bundle", |s| {
        value(s, "tls.pem").as_deref() == Some(bundle.as_str())
    })
    .await;
    wait_ready(&client, &ns, "tls", "True", "Synced").await;

    // Bad input: each says why, with an Event, and writes no Secret.
    let es = wait_ready(&client, &ns, "locked", "False", "ProviderError").await;
    assert!(
        common::ready_message(&es).contains("not exportable"),
        "{}",
        common::ready_message(&es)
    );
    wait_ready(&client, &ns, "missing", "False", "SecretNotFound").await;
    let es = wait_ready(&client, &ns, "find", "False", "InvalidSpec").await;
    assert!(
        common::ready_message(&es).contains("dataFrom[0]"),
        "{}",
        common::ready_message(&es)
    );
    wait_for_events(&client, &ns, &["ProviderError", "not exportable"]).await;
    let es = wait_ready(&client, &ns, "failover", "False", "StoreNotReady").await;
    assert!(
        common::ready_message(&es).contains("spec.aws.failoverRegions"),
        "{}",
        common::ready_message(&es)
    );
    for name in ["locked", "missing", "find", "failover"] {
        let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(client.clone(), &ns);
        assert!(
            secrets.get_opt(name).await.ok().flatten().is_none(),
            "{name}: no Secret"
        );
    }

    // Idle: refreshes ask GetCertificate, never ExportCertificate.
    let store = format!("store=\"SecretStore/{ns}/acm\"");
    let calls = |op_name: &str| {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[&store, &format!("operation=\"{op_name}\"")],
        )
    };
    let exports = calls("ExportCertificate");
    let gets = calls("GetCertificate");
    assert!(exports >= 1.0, "the first sync exported");
    common::wait_for("three idle refreshes", Duration::from_secs(60), || {
        let n = calls("GetCertificate");
        async move { (n >= gets + 3.0).then_some(()) }
    })
    .await;
    assert_eq!(
        calls("ExportCertificate"),
        exports,
        "an idle refresh exports nothing"
    );

    // The synced version is a keyed fingerprint, never ESO's plain SHA-256 of the certificate.
    let es = wait_ready(&client, &ns, "tls", "True", "Synced").await;
    let versions = es.status.map(|s| s.synced_versions).unwrap_or_default();
    let synced: Vec<&String> = versions.values().collect();
    assert_eq!(synced.len(), 1, "{versions:?}");
    assert!(synced[0].starts_with("acm-hmac-sha256:"), "{versions:?}");
    let got = acm
        .get_certificate()
        .certificate_arn(&arn)
        .send()
        .await
        .expect("GetCertificate");
    let plain = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!(
            "{}{}",
            got.certificate().unwrap_or_default().trim_end(),
            got.certificate_chain().unwrap_or_default().trim_end()
        )
        .as_bytes(),
    );
    let plain: String = plain.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert!(!synced[0].contains(&plain), "{versions:?}");

    // No line of the private key in the controller's log (both runs).
    let key_line = bundle
        .lines()
        .skip_while(|l| !l.contains("BEGIN PRIVATE KEY"))
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert!(!key_line.is_empty());
    op.assert_log_free_of(&[&key_line]);
    // A restarted controller keys fingerprints the same way (the digest key): it exports nothing.
    drop(op);
    let op = Operator::start(&ns).await;
    let calls = |op_name: &str| {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[&store, &format!("operation=\"{op_name}\"")],
        )
    };
    common::wait_for(
        "three refreshes after a restart",
        Duration::from_secs(60),
        || {
            let n = calls("GetCertificate");
            async move { (n >= 3.0).then_some(()) }
        },
    )
    .await;
    assert_eq!(calls("ExportCertificate"), 0.0, "a restart exports nothing");

    // The certificate is re-imported (moto makes an imported certificate not exportable): the change
    // is seen, the export refused, and the Secret keeps the previous bundle.
    acm.import_certificate()
        .certificate_arn(&arn)
        .certificate(Blob::new(REIMPORT_CERT))
        .private_key(Blob::new(REIMPORT_KEY))
        .send()
        .await
        .expect("ImportCertificate");
    let es = wait_ready(&client, &ns, "tls", "False", "ProviderError").await;
    assert!(
        common::ready_message(&es).contains("not exportable"),
        "{}",
        common::ready_message(&es)
    );
    let secret = wait_secret(&client, &ns, "tls", "keeps the bundle", |_| true).await;
    assert_eq!(value(&secret, "tls.pem").as_deref(), Some(bundle.as_str()));
    op.assert_log_free_of(&[&key_line]);
    common::delete_namespace(&client, &ns).await;
}

/// A self-signed certificate (CN reimported.example.com) and its key, to re-import over a certificate.
const REIMPORT_CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIDIzCCAgugAwIBAgIUFGXj4f/i/wdW8m3+YVJo+NP7S0cwDQYJKoZIhvcNAQEL\nBQAwITEfMB0GA1UEAwwWcmVpbXBvcnRlZC5leGFtcGxlLmNvbTAeFw0yNjEyMDgw\nMDIyNDBaFw0zNjEyMDUwMDIyNDBaMCExHzAdBgNVBAMMFnJlaW1wb3J0ZWQuZXhh\nbXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCwBNGrlJt4\nI2C7xfqolT/Oum/AOBd//JTNuLVfh/0noDjZn8DiqF3rW7dJrqaBV6Z9iZ6ItUJo\n8XFQabWbbcLgdy7MOsgBYEW7MBBuMXS8bZyaFIpsdOHKf1+un/iD3qJJszRZXncx\nsmK6uDjSnh32pI30eaCWVTXISWZixrReAimNFYAOdyPkVrZUxUmdgiyqk6ZzArRp\niv612lSLoUcFuRNLxxg9mdTerl3SJn9AE7NAD9UHfPaqtT96X+kpdUAHHowCuwTU\nOxJTNxyvmE9y0lbAnnkbaTxMWRFcm8CObAPUzjC5453e6pwgQInF8RWwEU9wNuXT\nZGskhVtxgC/9AgMBAAGjUzBRMB0GA1UdDgQWBBRZOe5JU8faBnELDLUyrGIMJuVj\ngDAfBgNVHSMEGDAWgBRZOe5JU8faBnELDLUyrGIMJuVjgDAPBgNVHRMBAf8EBTAD\nAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQB60GrX5ZeVbOcKOFSudtaPB5ELD8QfzobD\n9MHC9Ct8jG3j7bvfJnOCji+PGMWMDdJUC0+ABjSi8Ijfscw5IyVwuxxPxJsXjc7B\nPWxNoO/XW9UnPMjDWDP2UWWocHApL53KFtHbT7BuguqqN4ob85Eoot7CgYrx4XYy\nBYdcVUauXPRv9ebAfm48qgLDFDmwm5qrdCoBssH6E+S5m34UcFctM12KYxcqcUnm\npNIb/zJYFn9vpLRZ/8I0acUKZJuVXJkLPkQAlnHCeKxBLS0ihF8aFctahXSnh9tJ\nY+WUHnS99IjI0wAGDMwbGSszeKXXDnO3fVjNvy2PCc0HBi621E6e\n-----END CERTIFICATE-----\n";
/// The key of [`REIMPORT_CERT`].
const REIMPORT_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCwBNGrlJt4I2C7\nxfqolT/Oum/AOBd//JTNuLVfh/0noDjZn8DiqF3rW7dJrqaBV6Z9iZ6ItUJo8XFQ\nabWbbcLgdy7MOsgBYEW7MBBuMXS8bZyaFIpsdOHKf1+un/iD3qJJszRZXncxsmK6\nuDjSnh32pI30eaCWVTXISWZixrReAimNFYAOdyPkVrZUxUmdgiyqk6ZzArRpiv61\n2lSLoUcFuRNLxxg9mdTerl3SJn9AE7NAD9UHfPaqtT96X+kpdUAHHowCuwTUOxJT\nNxyvmE9y0lbAnnkbaTxMWRFcm8CObAPUzjC5453e6pwgQInF8RWwEU9wNuXTZGsk\nhVtxgC/9AgMBAAECggEAD2JccQKsE/QDoGXNYq6oxQjGe6ZrZ2RMHS7nq1HXbn8y\neNLdqPHOQ6PggTAinWtrwc0lbg1poIJ5xO14Uf1l6vh/vpnkoToo3hN1XCw2Z8Gs\nzkq9Tn1ovqojUr/omJ380TQ4fxcik9Vji65OSRpIxCXdwmBfCMSpzrebm0aCvTSN\n5MZadWjzsmxIHFd6XLR6VD0gOEzY/YLQsxTylOn+syKXghL0MIy1YwEciNDZvWv7\n7++fMgpppLuDUdDWSkNJ5rFYSHc+Ct+eib065MI39csO0qLCIvk9eJ/c1wObck5F\nGBZfnCm9HVNUCYdIBkFRubc38o3WxaDmTiUtvSusAQKBgQDp+0XZl4bKJLpcFDGE\ngVA2C8tVai3QKLnlkZrYQthm5t5SfD7NkA+K8mXNVTDDAIvrwOViSBehM12uFkSH\neXkWASxuaPFZdQHr4/a/6RQYR7FmPYOYReu+PdsmfDHzog0YAg1bb/5zHKseu6dK\n2fIS0NsOGibuB5G3883cVk406QKBgQDAlTJdtyTcGbZXAasRb+ls70D3aBGdtkcq\nwVBk9fzqQo0MZqme5rTtsKQdoYvJ6XbqAMthguY96BhH21cWG4jZfNy1eaFVd6P9\n+LyUdo5fkfdCIn995W29naC2Xj+AJSSrLnyOYcpLVkAk3PEhtqmPQBBIDN1+ysPd\nbEVEXUcF9QKBgQDFLur4qsf/BuC+xI3OeyPbyCi9fNPK/uda3lA+PGceoSVvIiHT\nHrraf9jnKAoF7Cn+rfshzluLkDw8f6uU9/vhXW/SREJQ/1h1MRI7PPOgWprX7LM/\n2n0HQB212yhFh6W9O82B52nqHJjhN4eOfwmQbc6NneB87IgTHDW6oEkcMQKBgDSP\nw/peBRppjiG7G9Sbhcsslb+w0LYJzOy3bFjR5qCNX2/WCU+MSi9hebl4oO2P4dvG\nMbxAfNTCpvXdwKwRAc3STW7ebpEkIUcs/1NJ9FvTO/f58HANEWGiRv3fRVeVS6fI\n/UfjGtJrDQDCqLF56FdntcnkcQOtFb42UcVx6/ONAoGBAIxXIhiAL/xlpXF1dKOY\nLSaePnk2PXw26j+pI3Ez2TkzBkaW0FL2RNfUeBhorWkK2w4ZL58DKoRVTyU+til7\nkKEjBJf5MMX6DIE46AJD62ji73lLNE/NsIzs6OZJYGyGqbY17BY1qRGNYa85N4MC\npWicc3ylXHzHzR0lp7pys4Pu\n-----END PRIVATE KEY-----\n";
