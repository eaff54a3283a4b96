//! Templates calling the URL, certificate, JWK and PKCS#12 functions carry over unchanged; those
//! still refused are left out naming why.

use serde_json::json;

use crate::convert::convert;

/// Every ported function converts; each still refused is named in the report.
#[test]
fn ported_functions_convert_and_the_rest_stay_refused() {
    let ported = [
        "{{ (urlParse .dsn).hostname }}",
        "{{ urlJoin (dict \"scheme\" \"https\" \"host\" .host) }}",
        "{{ filterCertChain \"leaf\" .chain }}",
        "{{ certSANs .cert | join \",\" }}",
        "{{ .jwk | jwkPublicKeyPem }}",
        "{{ .jwk | jwkPrivateKeyPem }}",
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct | b64dec) .key }}",
        "{{ decryptAES .pw .ct }}",
        "{{ .p12 | b64dec | pkcs12key }}",
        "{{ .p12 | b64dec | pkcs12certPass .pw }}",
        "{{ derivePassword 1 \"long\" .pw .user \"example.com\" }}",
    ];
    let refused = [
        "{{ pemToPkcs12 .cert .key }}",
        "{{ fullPemToPkcs12Pass .cert .key .pw }}",
        "{{ pemTruststoreToPKCS12 .ca }}",
    ];
    let mut data = serde_json::Map::new();
    for (i, t) in ported.iter().chain(refused.iter()).enumerate() {
        data.insert(format!("k{i}"), json!(t));
    }
    let doc = json!({
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "db", "namespace": "a"},
        "spec": {
            "secretStoreRef": {"name": "aws"},
            "target": {"template": {"engineVersion": "v2", "data": data}},
            "data": [{"secretKey": "dsn", "remoteRef": {"key": "prod/db"}}]
        }
    });
    let converted = convert(&[doc]);
    let o = &converted.objects[0];
    let out = o.output.as_ref().expect("converted");
    let t = &out["spec"]["target"]["template"]["data"];
    for (i, want) in ported.iter().enumerate() {
        assert_eq!(t[format!("k{i}")], *want, "{:?}", o.unsupported);
    }
    for i in ported.len()..ported.len() + refused.len() {
        let key = format!("k{i}");
        assert!(t.get(&key).is_none());
        assert!(
            o.unsupported
                .iter()
                .any(|u| u.path.ends_with(&key) && u.reason.contains("salts randomly")),
            "{:?}",
            o.unsupported
        );
    }
}
