//! ESO's certificate, JWK, PKCS#12 and URL template functions on the test bed: a Secrets Manager
//! secret holding a JWK, a PEM bundle, a PKCS#12 keystore and a DSN renders into the bytes ESO
//! v2.9.0 renders (recorded from it in `fixtures/crypto_templates.json`); a malformed key later is
//! a `TemplateError` naming the function, with a SyncFailed Event, and the Secret keeps what it held.

use std::collections::BTreeMap;

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, rotate_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

fn data_of(s: &Secret) -> BTreeMap<String, String> {
    s.data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), String::from_utf8_lossy(&v.0).into_owned()))
        .collect()
}

const TEMPLATE: &str = r#"      data:
        key: "{{ .jwk | jwkPrivateKeyPem }}"
        pub: "{{ .jwkpub | jwkPublicKeyPem }}"
        leaf: "{{ filterCertChain \"leaf\" .chain }}"
        root: "{{ filterCertChain \"root\" .chain }}"
        sans: "{{ certSANs .chain | join \",\" }}"
        host: "{{ (urlParse .dsn).hostname }}"
        p12key: "{{ .p12 | b64dec | pkcs12keyPass \"s3cret\" }}"
        p12cert: "{{ .p12 | b64dec | pkcs12certPass \"s3cret\" }}"
"#;

#[tokio::test]
async fn jwk_pkcs12_certificate_and_url_functions_render_esos_bytes_and_a_bad_key_keeps_the_secret()
{
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/crypto_templates.json")).expect("fixture");
    let (client, ns) = common::setup("tpl-crypto").await;
    let sm = sm();
    let remote = format!("{ns}/keys");
    let mut value = fixture["data"].clone();
    create_remote(&sm, &remote, &value.to_string()).await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let data: String = ["jwk", "jwkpub", "chain", "dsn", "p12"]
        .iter()
        .map(|p| {
            format!(
                "    - {{ secretKey: {p}, remoteRef: {{ key: \"{remote}\", property: {p} }} }}\n"
            )
        })
        .collect();
    let body =
        format!("  data:\n{data}  target:\n    template:\n      engineVersion: v2\n{TEMPLATE}");
    apply(&client, &ns, &Es::new("crypto", "aws").body(&body).yaml()).await;
    wait_ready(&client, &ns, "crypto", "True", "Synced").await;
    let before = wait_secret(&client, &ns, "crypto", "rendered", |_| true).await;
    let want: BTreeMap<String, String> = fixture["want"]
        .as_object()
        .expect("want")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(data_of(&before), want);

    // The key is replaced by one whose point is off the curve: ESO fails too.
    let jwk: serde_json::Value =
        serde_json::from_str(value["jwk"].as_str().unwrap_or_default()).expect("jwk");
    let mut bad = jwk.clone();
    bad["y"] = serde_json::Value::String("AQAB".into());
    value["jwk"] = serde_json::Value::String(bad.to_string());
    rotate_remote(&sm, &remote, &value.to_string()).await;
    let es = wait_ready(&client, &ns, "crypto", "False", "TemplateError").await;
    let message = common::ready_message(&es);
    assert!(message.contains("jwkPrivateKeyPem"), "{message}");
    assert!(
        message.contains("invalid elliptic curve public key"),
        "{message}"
    );
    let d = jwk["d"].as_str().unwrap_or_default();
    assert!(!message.contains(d), "key bytes in the message: {message}");
    common::wait_for_events(
        &client,
        &ns,
        &["SyncFailed TemplateError: ", "jwkPrivateKeyPem"],
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let now = secrets
        .get("crypto")
        .await
        .expect("the Secret is still there");
    assert_eq!(now.metadata.uid, before.metadata.uid);
    assert_eq!(data_of(&now), want, "the Secret keeps what it held");
    common::delete_namespace(&client, &ns).await;
}
