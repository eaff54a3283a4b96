//! Generic targets (`target.manifest`, ESO's `--unsafe-allow-generic-targets`) on the real test bed:
//! a ConfigMap target plain and templated, a remote rotation reaching it, a foreign ConfigMap never
//! adopted (and untouched), Merge writing only its keys, a bad edit that leaves the ConfigMap as it
//! was, garbage collection only of what it created, and without the flag nothing written at all.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::{
    apply, create_remote, never_within, rotate_remote, sm, wait_for, wait_for_events, wait_ready,
};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use secretsync::api::ExternalSecret;

const FLAG: &str = "--unsafe-allow-generic-targets";

fn manifest_target(name: &str, extra: &str) -> String {
    format!("target: {{ name: {name}, manifest: {{ apiVersion: v1, kind: ConfigMap }}{extra} }}")
}

fn data_of(cm: &ConfigMap) -> BTreeMap<String, String> {
    cm.data.clone().unwrap_or_default()
}

async fn wait_config_map(
    client: &Client,
    ns: &str,
    name: &str,
    what: &str,
    cond: impl Fn(&ConfigMap) -> bool,
) -> ConfigMap {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    wait_for(
        &format!("ConfigMap {ns}/{name}: {what}"),
        Duration::from_secs(30),
        || {
            let api = api.clone();
            let name = name.to_string();
            let ok = &cond;
            async move { api.get_opt(&name).await.ok().flatten().filter(|c| ok(c)) }
        },
    )
    .await
}

fn has(cm: &ConfigMap, key: &str, value: &str) -> bool {
    data_of(cm).get(key).map(String::as_str) == Some(value)
}

/// Panics if the ConfigMap's data, owners or resourceVersion change within a few seconds.
async fn stays(client: &Client, ns: &str, name: &str, before: &ConfigMap) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    never_within(
        &format!("a change to ConfigMap {name}"),
        Duration::from_secs(4),
        || {
            let api = api.clone();
            async move {
                let now = api.get_opt(name).await.ok().flatten();
                let same = now.as_ref().is_some_and(|c| {
                    c.metadata.resource_version == before.metadata.resource_version
                        && c.data == before.data
                });
                (!same).then_some(now.map(|c| c.metadata))
            }
        },
    )
    .await;
}

#[tokio::test]
async fn config_map_targets_sync_rotate_and_take_over_nothing() {
    let (client, ns) = common::setup("generic").await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(
        &sm,
        &app,
        r#"{"username":"gen-user-1","host":"gen-host-1"}"#,
    )
    .await;
    let op = Operator::start_with(&ns, "generic", &[FLAG], &[]).await;
    common::apply_test_store(&client, &ns).await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);

    // Plain: the values land in .data; Owner gives an ownerReference; deletionPolicy Delete.
    let plain = Es::new("plain", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest_target("plain-cm", ", deletionPolicy: Delete"));
    apply(&client, &ns, &plain.yaml()).await;
    let cm = wait_config_map(&client, &ns, "plain-cm", "user synced", |c| {
        has(c, "user", "gen-user-1")
    })
    .await;
    assert_eq!(data_of(&cm).len(), 1);
    let owners = cm.metadata.owner_references.clone().unwrap_or_default();
    assert!(
        owners
            .iter()
            .any(|o| o.kind == "ExternalSecret" && o.name == "plain"),
        "{owners:?}"
    );
    let es = wait_ready(&client, &ns, "plain", "True", "Synced").await;
    assert!(
        common::ready_message(&es).contains("ConfigMap \"plain-cm\""),
        "{}",
        common::ready_message(&es)
    );
    wait_for_events(&client, &ns, &["Created ConfigMap"]).await;
    // Refreshing every second with nothing changed writes nothing; an edit of its key is repaired.
    let synced = cms.get("plain-cm").await.expect("plain-cm");
    stays(&client, &ns, "plain-cm", &synced).await;
    cms.patch(
        "plain-cm",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({ "data": { "user": "tampered" } })),
    )
    .await
    .expect("editing plain-cm");
    wait_config_map(&client, &ns, "plain-cm", "repaired", |c| {
        has(c, "user", "gen-user-1")
    })
    .await;

    // Templated (engine v2): template data, a templateFrom literal and template labels.
    let templated = Es::new("templated", "aws")
        .body(&format!(
            "  dataFrom:\n    - extract: {{ key: \"{app}\" }}\n  target:\n    name: templated-cm\n    manifest: {{ apiVersion: v1, kind: ConfigMap }}\n    template:\n      engineVersion: v2\n      metadata: {{ labels: {{ app: web }} }}\n      data:\n        url: \"postgres://{{{{ .username }}}}@{{{{ .host }}}}:5432/app\"\n      templateFrom:\n        - literal: \"host_upper: {{{{ .host | upper }}}}\"\n"
        ));
    apply(&client, &ns, &templated.yaml()).await;
    let cm = wait_config_map(&client, &ns, "templated-cm", "templated", |c| {
        has(c, "url", "postgres://gen-user-1@gen-host-1:5432/app")
    })
    .await;
    assert_eq!(
        data_of(&cm),
        BTreeMap::from([
            ("host_upper".to_string(), "GEN-HOST-1".to_string()),
            (
                "url".to_string(),
                "postgres://gen-user-1@gen-host-1:5432/app".to_string()
            ),
        ])
    );
    let labels = cm.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("app").map(String::as_str), Some("web"));

    // A remote rotation reaches both ConfigMaps.
    rotate_remote(
        &sm,
        &app,
        r#"{"username":"gen-user-2","host":"gen-host-1"}"#,
    )
    .await;
    wait_config_map(&client, &ns, "plain-cm", "rotated", |c| {
        has(c, "user", "gen-user-2")
    })
    .await;
    wait_config_map(&client, &ns, "templated-cm", "rotated", |c| {
        has(c, "url", "postgres://gen-user-2@gen-host-1:5432/app")
    })
    .await;

    // A bad edit (kind Secret through the generic path): refused, the ConfigMap keeps what it held.
    let before = cms.get("templated-cm").await.expect("templated-cm");
    let bad = Es::new("templated", "aws")
        .key_ref("user", &app, ", property: username")
        .with("target: { name: templated-cm, manifest: { apiVersion: v1, kind: Secret } }");
    apply(&client, &ns, &bad.yaml()).await;
    wait_ready(&client, &ns, "templated", "False", "InvalidSpec").await;
    wait_for_events(
        &client,
        &ns,
        &["InvalidSpec: target.manifest names a v1 Secret"],
    )
    .await;
    stays(&client, &ns, "templated-cm", &before).await;

    // A ConfigMap someone else made is never taken over, and stays exactly as it was.
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: theirs }\ndata: { mine: keep }\n",
    )
    .await;
    let theirs = cms.get("theirs").await.expect("theirs");
    let grab = Es::new("grab", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest_target("theirs", ", deletionPolicy: Delete"));
    apply(&client, &ns, &grab.yaml()).await;
    wait_ready(&client, &ns, "grab", "False", "TargetConflict").await;
    wait_for_events(
        &client,
        &ns,
        &["exists and was not created by this ExternalSecret"],
    )
    .await;
    stays(&client, &ns, "theirs", &theirs).await;

    // Merge writes only its own key into someone else's ConfigMap.
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared }\ndata: { other: stays }\n",
    )
    .await;
    let merge = Es::new("merge", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest_target("shared", ", creationPolicy: Merge"));
    apply(&client, &ns, &merge.yaml()).await;
    let shared = wait_config_map(&client, &ns, "shared", "merged", |c| {
        has(c, "user", "gen-user-2")
    })
    .await;
    assert!(has(&shared, "other", "stays"));
    assert!(shared.metadata.owner_references.is_none());

    // Deleting the ExternalSecrets: the ConfigMap it created goes with it (ownerReference); the
    // ones it did not create stay as they were.
    let es_api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    for name in ["plain", "grab", "merge"] {
        es_api
            .delete(name, &DeleteParams::default())
            .await
            .unwrap_or_else(|e| panic!("deleting {name}: {e}"));
    }
    wait_for(
        "plain-cm garbage-collected",
        Duration::from_secs(30),
        || {
            let cms = cms.clone();
            async move {
                cms.get_opt("plain-cm")
                    .await
                    .ok()
                    .flatten()
                    .is_none()
                    .then_some(())
            }
        },
    )
    .await;
    stays(&client, &ns, "theirs", &theirs).await;
    let shared_now = cms.get("shared").await.expect("shared stays");
    assert!(has(&shared_now, "other", "stays"));

    op.assert_log_free_of(&["gen-user-1", "gen-user-2", "gen-host-1", "GEN-HOST-1"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn without_the_flag_a_generic_target_is_refused_and_nothing_written() {
    let (client, ns) = common::setup("generic-off").await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(&sm, &app, r#"{"username":"off-user"}"#).await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let es = Es::new("off", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest_target("off-cm", ""));
    apply(&client, &ns, &es.yaml()).await;
    let es = wait_ready(&client, &ns, "off", "False", "InvalidSpec").await;
    assert!(
        common::ready_message(&es).contains(FLAG),
        "{}",
        common::ready_message(&es)
    );
    wait_for_events(&client, &ns, &["generic targets are disabled", FLAG]).await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    never_within("ConfigMap off-cm created", Duration::from_secs(3), || {
        let cms = cms.clone();
        async move {
            cms.get_opt("off-cm")
                .await
                .ok()
                .flatten()
                .map(|c| c.metadata)
        }
    })
    .await;
    common::delete_namespace(&client, &ns).await;
}

/// ESO's manifest for a ConfigMap generic target without a template; `__NS__` is the namespace.
const ESO_CONFIG_MAP: &str = r#"
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: { name: rt-gen, namespace: __NS__ }
spec:
  provider:
    aws:
      service: SecretsManager
      region: us-east-1
      auth:
        secretRef:
          accessKeyIDSecretRef: { name: aws-creds, key: access-key-id }
          secretAccessKeySecretRef: { name: aws-creds, key: secret-access-key }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: settings
  namespace: __NS__
  labels: { app: web }
  annotations: { team: payments }
spec:
  refreshInterval: 1h
  secretStoreRef: { name: rt-gen, kind: SecretStore }
  target:
    name: settings-cm
    manifest: { apiVersion: v1, kind: ConfigMap }
  data:
  - secretKey: user
    remoteRef: { key: "__NS__/app", property: username }
  dataFrom:
  - extract: { key: "__NS__/flags" }
"#;

#[tokio::test]
async fn a_converted_eso_config_map_target_holds_what_eso_writes() {
    let (client, ns) = common::setup("generic-rt").await;
    let sm = sm();
    create_remote(&sm, &format!("{ns}/app"), r#"{"username":"rt-user"}"#).await;
    create_remote(&sm, &format!("{ns}/flags"), r#"{"beta":"on","level":"3"}"#).await;
    let out = crate::convert_roundtrip::convert(&[], Some(&ESO_CONFIG_MAP.replace("__NS__", &ns)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("--unsafe-allow-generic-targets"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let _op = Operator::start_with(&ns, "generic-rt", &[FLAG], &[]).await;
    apply(&client, &ns, &common::aws_creds_yaml()).await;
    for doc in crate::convert_roundtrip::output_objects(&stdout, &endpoint) {
        let yaml = serde_yaml_ng::to_string(&doc).expect("YAML");
        apply(&client, &ns, &yaml).await;
    }
    // ESO's createSimpleManifest: every key as text in .data; without a template the
    // ExternalSecret's own labels and annotations are copied.
    let cm = wait_config_map(&client, &ns, "settings-cm", "synced", |c| {
        has(c, "user", "rt-user")
    })
    .await;
    assert_eq!(
        data_of(&cm),
        BTreeMap::from([
            ("beta".to_string(), "on".to_string()),
            ("level".to_string(), "3".to_string()),
            ("user".to_string(), "rt-user".to_string()),
        ])
    );
    let labels = cm.metadata.labels.clone().unwrap_or_default();
    let annotations = cm.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(labels.get("app").map(String::as_str), Some("web"));
    assert_eq!(
        annotations.get("team").map(String::as_str),
        Some("payments")
    );
    wait_ready(&client, &ns, "settings", "True", "Synced").await;
    common::delete_namespace(&client, &ns).await;
}
