//! Every way of describing remote data ends up as the right bytes in the Secret (real apiserver + moto).

use crate::common;

use base64::Engine;
use common::operator::Operator;
use common::{apply, create_remote, has, rotate_remote, sm, text, wait_ready, wait_secret};

fn store(_ns: &str) -> String {
    common::store_yaml("aws", &common::testbed_var("AWS_ENDPOINT_URL"))
}

#[tokio::test]
async fn data_and_data_from_forms_write_the_expected_bytes() {
    let (client, ns) = common::setup("forms").await;
    let sm = sm();
    let p = format!("{ns}/");
    let db_value =
        r#"{"username":"app","password":"pw-forms-1","db":{"host":"db.internal","port":5432}}"#;
    create_remote(&sm, &format!("{p}db"), db_value).await;
    create_remote(&sm, &format!("{p}token"), "token-forms-plain").await;
    create_remote(&sm, &format!("{p}shared/api-key"), "apikey-forms-1").await;
    create_remote(&sm, &format!("{p}shared/other"), "other-forms-1").await;
    create_remote(&sm, &format!("{p}unshared"), "unshared-forms-1").await;
    sm.tag_resource()
        .secret_id(format!("{p}shared/api-key"))
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("team")
                .value("a")
                .build(),
        )
        .send()
        .await
        .expect("TagResource");
    let binary = vec![0u8, 159, 146, 150, 255];
    sm.create_secret()
        .name(format!("{p}cert"))
        .secret_binary(aws_sdk_secretsmanager::primitives::Blob::new(
            binary.clone(),
        ))
        .send()
        .await
        .expect("CreateSecret binary");
    let b64 = base64::engine::general_purpose::STANDARD.encode("decoded-forms-1");
    create_remote(&sm, &format!("{p}encoded"), &b64).await;

    let op = Operator::start(&ns).await;
    apply(&client, &ns, &store(&ns)).await;
    apply(
        &client,
        &ns,
        &format!(
            r#"
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: data-forms }}
spec:
  secretStoreRef: {{ name: aws }}
  refreshInterval: 1h
  target: {{ name: data-forms-secret }}
  data:
    - {{ secretKey: whole, remoteRef: {{ key: "{p}token" }} }}
    - {{ secretKey: password, remoteRef: {{ key: "{p}db", property: password }} }}
    - {{ secretKey: host, remoteRef: {{ key: "{p}db", property: db.host }} }}
    - {{ secretKey: port, remoteRef: {{ key: "{p}db", property: db.port }} }}
    - {{ secretKey: cert, remoteRef: {{ key: "{p}cert" }} }}
    - {{ secretKey: decoded, remoteRef: {{ key: "{p}encoded", decodingStrategy: Base64 }} }}
---
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: extract }}
spec:
  secretStoreRef: {{ name: aws }}
  dataFrom:
    - extract: {{ key: "{p}db" }}
---
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: find }}
spec:
  secretStoreRef: {{ name: aws }}
  dataFrom:
    - find: {{ name: {{ regexp: "^{p}shared/" }} }}
---
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: find-tags }}
spec:
  secretStoreRef: {{ name: aws }}
  dataFrom:
    - find: {{ name: {{ regexp: "^{p}" }}, tags: {{ team: a }} }}
---
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: templated }}
spec:
  secretStoreRef: {{ name: aws }}
  target:
    template:
      metadata: {{ labels: {{ app: api }} }}
      data: {{ DATABASE_URL: "postgres://{{{{ username }}}}:{{{{ password }}}}@{{{{ host }}}}:5432/app" }}
  data:
    - {{ secretKey: username, remoteRef: {{ key: "{p}db", property: username }} }}
    - {{ secretKey: password, remoteRef: {{ key: "{p}db", property: password }} }}
    - {{ secretKey: host, remoteRef: {{ key: "{p}db", property: db.host }} }}
"#
        ),
    )
    .await;

    let s = wait_secret(&client, &ns, "data-forms-secret", "synced", |s| {
        has(s, "whole", "token-forms-plain")
    })
    .await;
    assert_eq!(text(&s, "password"), "pw-forms-1");
    assert_eq!(text(&s, "host"), "db.internal");
    assert_eq!(text(&s, "port"), "5432");
    assert_eq!(text(&s, "decoded"), "decoded-forms-1");
    assert_eq!(
        s.data
            .as_ref()
            .and_then(|d| d.get("cert"))
            .map(|b| b.0.clone()),
        Some(binary)
    );
    assert_eq!(s.type_.as_deref(), Some("Opaque"));
    let es = wait_ready(&client, &ns, "data-forms", "True", "Synced").await;
    let versions = es.status.map(|s| s.synced_versions).unwrap_or_default();
    assert!(
        versions.contains_key(&format!("{p}db")) && versions.contains_key(&format!("{p}cert")),
        "{versions:?}"
    );

    let s = wait_secret(&client, &ns, "extract", "extracted", |s| {
        has(s, "username", "app")
    })
    .await;
    assert_eq!(text(&s, "password"), "pw-forms-1");
    assert_eq!(text(&s, "db"), r#"{"host":"db.internal","port":5432}"#);

    let s = wait_secret(&client, &ns, "find", "found", |s| {
        s.data.as_ref().is_some_and(|d| d.len() == 2)
    })
    .await;
    let prefix = p.replace('/', "_");
    assert_eq!(
        text(&s, &format!("{prefix}shared_api-key")),
        "apikey-forms-1"
    );
    assert_eq!(text(&s, &format!("{prefix}shared_other")), "other-forms-1");

    let s = wait_secret(&client, &ns, "find-tags", "found by tag", |s| {
        s.data.is_some()
    })
    .await;
    let keys: Vec<String> = s
        .data
        .as_ref()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    assert_eq!(keys, vec![format!("{prefix}shared_api-key")]);

    let s = wait_secret(&client, &ns, "templated", "rendered", |s| s.data.is_some()).await;
    assert_eq!(
        text(&s, "DATABASE_URL"),
        "postgres://app:pw-forms-1@db.internal:5432/app"
    );
    assert_eq!(
        s.data.as_ref().map(|d| d.len()),
        Some(1),
        "Replace keeps only templated keys"
    );
    assert_eq!(
        s.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("app"))
            .map(String::as_str),
        Some("api")
    );

    op.assert_log_free_of(&[
        "pw-forms-1",
        "token-forms-plain",
        "apikey-forms-1",
        "other-forms-1",
        "decoded-forms-1",
    ]);
    let events = common::wait_for_events(&client, &ns, &["Synced"]).await;
    assert!(
        !events.contains("pw-forms-1"),
        "an Event contains a secret value"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn version_stages_and_pinned_versions() {
    let (client, ns) = common::setup("versions").await;
    let sm = sm();
    let key = format!("{ns}/rotating");
    let v1 = create_remote(&sm, &key, "version-one-val").await;
    let v2 = rotate_remote(&sm, &key, "version-two-val").await;
    let _op = Operator::start(&ns).await;
    apply(&client, &ns, &store(&ns)).await;
    apply(
        &client,
        &ns,
        &format!(
            r#"
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: versions }}
spec:
  secretStoreRef: {{ name: aws }}
  data:
    - {{ secretKey: current, remoteRef: {{ key: "{key}" }} }}
    - {{ secretKey: previous, remoteRef: {{ key: "{key}", versionStage: AWSPREVIOUS }} }}
    - {{ secretKey: pinned, remoteRef: {{ key: "{key}", versionId: "{v1}" }} }}
"#
        ),
    )
    .await;
    let s = wait_secret(&client, &ns, "versions", "synced", |s| s.data.is_some()).await;
    assert_eq!(text(&s, "current"), "version-two-val");
    assert_eq!(text(&s, "previous"), "version-one-val");
    assert_eq!(text(&s, "pinned"), "version-one-val");
    let es = wait_ready(&client, &ns, "versions", "True", "Synced").await;
    let versions = es.status.map(|s| s.synced_versions).unwrap_or_default();
    assert_eq!(versions.get(&key), Some(&v2));
    assert_eq!(versions.get(&format!("{key}@AWSPREVIOUS")), Some(&v1));
    assert_eq!(versions.get(&format!("{key}@{v1}")), Some(&v1));
    common::delete_namespace(&client, &ns).await;
}
