//! ESO's store `prefix` and `remoteRef.metadataPolicy: Fetch` on the real test bed, each with
//! ESO v2.9.0's semantics: the Secret holds what ESO would write, a rotation below the prefix is
//! followed, and a careless edit is reported with its own reason and Event while the Secret keeps
//! exactly what it held.

use aws_sdk_ssm::types::ParameterType;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

use crate::common;
use common::scenario::{Es, Scenario, Store};
use common::secret_data;
use common::{create_remote, rotate_remote, sm, testbed_var, wait_for_events};

/// Applies the `bad` edit of ExternalSecret `es` (synced before) and checks the reason, the Event and
/// that Secret `es` is the same object with the same data.
async fn mistake(s: &Scenario, bad: &Es, name: &str, reason: &str, words: &str) {
    let secrets: Api<Secret> = Api::namespaced(s.client.clone(), &s.ns);
    let before = secrets.get(name).await.expect("synced before the edit");
    s.es(bad).await;
    let message = s.ready(name, "False", reason).await;
    assert!(message.contains(words), "{name}: {message}");
    wait_for_events(
        &s.client,
        &s.ns,
        &[&format!("SyncFailed {reason}: "), words],
    )
    .await;
    let now = secrets.get(name).await.expect("the Secret is still there");
    assert_eq!(now.metadata.uid, before.metadata.uid, "{name}: same Secret");
    assert_eq!(secret_data(&now), secret_data(&before), "{name}: same data");
}

#[tokio::test]
async fn a_store_prefix_reads_below_it_and_a_key_leaving_it_is_refused() {
    let mut s = Scenario::new("eso-prefix").await;
    let ns = s.ns.clone();
    let sm = sm();
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    create_remote(&sm, &format!("{ns}/db"), r#"{"user":"u-1"}"#).await;
    create_remote(&sm, &format!("{ns}/app"), r#"{"a":"1","b":"2"}"#).await;
    create_remote(&sm, &format!("{ns}/found"), "f-1").await;
    let ssm = common::ssm::client();
    common::ssm::put(&ssm, &format!("/{ns}/plain"), ParameterType::String, "p-1").await;

    s.store(&Store::secrets_manager("sm", &endpoint).with(&format!("prefix: \"{ns}/\"")))
        .await;
    s.store(&Store::parameter_store("ps", &endpoint).with(&format!("prefix: \"/{ns}/\"")))
        .await;
    s.start_operator().await;
    let named = Es::new("named", "sm").key_ref("user", "db", ", property: user");
    let extract = Es::new("extract", "sm").body("  dataFrom:\n    - extract: { key: app }\n");
    // A find is not prefixed: its pattern sees, and its keys are, full names (ESO's rule).
    let found = Es::new("found", "sm").body(&format!(
        "  dataFrom:\n    - find: {{ name: {{ regexp: \"^{ns}/found$\" }}, conversionStrategy: Default }}\n"
    ));
    let param = Es::new("param", "ps").key("value", "plain");
    for es in [&named, &extract, &found, &param] {
        s.es(es).await;
    }
    for es in ["named", "extract", "found", "param"] {
        s.ready(es, "True", "Synced").await;
    }
    s.value("named", "user", "u-1").await;
    s.value("extract", "a", "1").await;
    s.value("extract", "b", "2").await;
    s.value("found", &format!("{ns}_found"), "f-1").await;
    s.value("param", "value", "p-1").await;
    // syncedVersions names the secret the store read: its full name.
    let status = s
        .get_es("named")
        .await
        .and_then(|e| e.status)
        .expect("status");
    assert!(
        status.synced_versions.contains_key(&format!("{ns}/db")),
        "{:?}",
        status.synced_versions
    );

    // A rotation below the prefix is followed (change detection sees the full name).
    rotate_remote(&sm, &format!("{ns}/db"), r#"{"user":"u-2"}"#).await;
    s.value("named", "user", "u-2").await;

    // Keys that would leave the prefix: refused, the Secret kept.
    let arn = Es::new("named", "sm").key_ref(
        "user",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:other",
        ", property: user",
    );
    mistake(
        &s,
        &arn,
        "named",
        "InvalidSpec",
        "an ARN cannot be read with the store's prefix",
    )
    .await;
    let dotdot = Es::new("extract", "sm").body("  dataFrom:\n    - extract: { key: ../other }\n");
    mistake(
        &s,
        &dotdot,
        "extract",
        "InvalidSpec",
        "a `..` segment would leave the prefix",
    )
    .await;
    s.finish(&["u-1", "u-2", "f-1", "p-1"]).await;
}

/// Tags `name` (Secrets Manager) with `key: value`.
async fn tag(sm: &aws_sdk_secretsmanager::Client, name: &str, key: &str, value: &str) {
    sm.tag_resource()
        .secret_id(name)
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key(key)
                .value(value)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("TagResource {name}: {e:?}"));
}

#[tokio::test]
async fn metadata_fetch_reads_the_tags_as_eso_does_and_follows_their_changes() {
    let mut s = Scenario::new("eso-metadata").await;
    let ns = s.ns.clone();
    let sm = sm();
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let db = format!("{ns}/db");
    create_remote(&sm, &db, r#"{"user":"u-1"}"#).await;
    tag(&sm, &db, "team", "payments").await;
    tag(&sm, &db, "cost.center", "42").await;
    tag(&sm, &db, "aws:owner", "ops").await;
    let ssm = common::ssm::client();
    let param = format!("/{ns}/param");
    common::ssm::put(&ssm, &param, ParameterType::String, "p-1").await;
    common::ssm::tag(&ssm, &param, "env", "prod").await;

    s.store(&Store::secrets_manager("sm", &endpoint)).await;
    s.store(&Store::parameter_store("ps", &endpoint)).await;
    s.start_operator().await;
    let fetch = ", metadataPolicy: Fetch";
    // The whole tags object, one tag (a dotted key found as ESO finds it), and the value beside them.
    let mixed = Es::new("mixed", "sm")
        .key_ref("all", &db, fetch)
        .key_ref("team", &db, &format!("{fetch}, property: team"))
        .key_ref("cost", &db, &format!("{fetch}, property: cost.center"))
        .key_ref("user", &db, ", property: user");
    let extract = Es::new("extract", "sm").body(&format!(
        "  dataFrom:\n    - extract: {{ key: \"{db}\", metadataPolicy: Fetch, conversionStrategy: Default }}\n"
    ));
    let ps = Es::new("ps", "ps").body(&format!(
        "  dataFrom:\n    - extract: {{ key: \"{param}\", metadataPolicy: Fetch }}\n"
    ));
    for es in [&mixed, &extract, &ps] {
        s.es(es).await;
    }
    for es in ["mixed", "extract", "ps"] {
        s.ready(es, "True", "Synced").await;
    }
    // Go's json.Marshal of the tags: keys sorted, compact.
    s.value(
        "mixed",
        "all",
        r#"{"aws:owner":"ops","cost.center":"42","team":"payments"}"#,
    )
    .await;
    s.value("mixed", "team", "payments").await;
    s.value("mixed", "cost", "42").await;
    s.value("mixed", "user", "u-1").await;
    s.value("extract", "aws_owner", "ops").await;
    s.value("extract", "team", "payments").await;
    s.value("ps", "env", "prod").await;
    let status = s
        .get_es("mixed")
        .await
        .and_then(|e| e.status)
        .expect("status");
    let keys: Vec<&String> = status.synced_versions.keys().collect();
    assert_eq!(
        keys,
        [&db, &format!("{db}#tags")],
        "the value and the tags apart"
    );

    // A tag change makes no new version: every refresh reads the tags, and the Secret follows.
    tag(&sm, &db, "team", "billing").await;
    common::ssm::tag(&ssm, &param, "env", "staging").await;
    s.value("mixed", "team", "billing").await;
    s.value("extract", "team", "billing").await;
    s.value("ps", "env", "staging").await;

    // Mistakes: a tag that is not there, a version next to Fetch. Reported, the Secret kept.
    let absent = Es::new("mixed", "sm").key_ref("team", &db, &format!("{fetch}, property: owner"));
    mistake(
        &s,
        &absent,
        "mixed",
        "PropertyNotFound",
        "property \"owner\" not found",
    )
    .await;
    let versioned = Es::new("extract", "sm").body(&format!(
        "  dataFrom:\n    - extract: {{ key: \"{db}\", metadataPolicy: Fetch, versionStage: AWSPREVIOUS }}\n"
    ));
    mistake(
        &s,
        &versioned,
        "extract",
        "InvalidSpec",
        "dataFrom[0].extract: metadataPolicy: Fetch reads the tags",
    )
    .await;
    s.finish(&["u-1"]).await;
}
