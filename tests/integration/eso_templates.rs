//! ESO's engine-v2 templates on the test bed (`target.template.engineVersion: v2`): Go templates with
//! sprig functions render data, labels and annotations byte for byte; `templateFrom` reads a
//! ConfigMap of the ExternalSecret's own namespace at every refresh; and a careless edit (a function
//! that reads the clock, a missing key, a source in another namespace) is a `TemplateError` with a
//! SyncFailed Event while the Secret keeps exactly what it held.

use std::collections::BTreeMap;

use crate::common;
use common::secret_text;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;
use sha2::Digest;

/// A spec body reading `app` (JSON) into `user` and `pass`, with `template` (YAML under `template:`).
fn body(app: &str, template: &str) -> String {
    format!(
        "  data:\n    - {{ secretKey: user, remoteRef: {{ key: \"{app}\", property: username }} }}\n    - {{ secretKey: pass, remoteRef: {{ key: \"{app}\", property: password }} }}\n  target:\n    template:\n      engineVersion: v2\n{template}"
    )
}

#[tokio::test]
async fn go_templates_render_data_labels_and_annotations_as_eso_does() {
    let (client, ns) = common::setup("tpl-go").await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(
        &sm,
        &app,
        r#"{"username":"Alice","password":"p<&>w","version":"v1.4.2-rc.1"}"#,
    )
    .await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let template = r#"      metadata:
        labels: { owner: "{{ .user | lower }}" }
        annotations: { digest: "{{ .pass | sha256sum | trunc 12 }}" }
      data:
        dsn: "{{ printf \"%s:%s\" .user .pass | b64enc }}"
        json: "{{ dict \"u\" .user \"p\" .pass | toJson }}"
        env: "{{- range $k, $v := . }}{{ $k | upper }}={{ $v | quote }}\n{{ end -}}"
        cond: "{{ if eq .user \"Alice\" }}admin{{ else }}user{{ end }}"
        semver: "{{ (semver .version).Minor }} {{ (semver .version).IncMinor }} {{ (semver .version).LessThan (semver \"1.4.2\") }}"
"#;
    // A third key, `version`, for sprig's `semver` object.
    let version = format!(
        "    - {{ secretKey: version, remoteRef: {{ key: \"{app}\", property: version }} }}\n  target:"
    );
    let spec = body(&app, template).replacen("  target:", &version, 1);
    apply(&client, &ns, &Es::new("go", "aws").body(&spec).yaml()).await;
    wait_ready(&client, &ns, "go", "True", "Synced").await;
    let s = wait_secret(&client, &ns, "go", "rendered", |_| true).await;
    let want: BTreeMap<String, String> = [
        ("dsn", "QWxpY2U6cDwmPnc="),
        ("json", r#"{"p":"p\u003c\u0026\u003ew","u":"Alice"}"#),
        (
            "env",
            "PASS=\"p<&>w\"\nUSER=\"Alice\"\nVERSION=\"v1.4.2-rc.1\"\n",
        ),
        ("cond", "admin"),
        ("semver", "4 1.5.0 true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(secret_text(&s), want);
    let labels = s.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("owner").map(String::as_str), Some("alice"));
    let annotations = s.metadata.annotations.clone().unwrap_or_default();
    let digest: String = sha2::Sha256::digest(b"p<&>w")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        annotations.get("digest").map(String::as_str),
        Some(&digest[..12])
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn template_from_a_configmap_is_read_at_every_refresh_and_only_from_its_own_namespace() {
    let (client, ns) = common::setup("tpl-from").await;
    let other = common::namespace(&client, "tpl-from-other").await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(&sm, &app, r#"{"username":"u","password":"p"}"#).await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let cm = |namespace: &str, text: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: tpl, namespace: {namespace} }}\ndata:\n  conf: \"{text}\"\n"
        )
    };
    // Only the other namespace has the ConfigMap: a template never reads across namespaces.
    apply(&client, &other, &cm(&other, "leaked {{ .user }}")).await;
    let template =
        "      templateFrom:\n        - configMap: { name: tpl, items: [ { key: conf } ] }\n";
    apply(
        &client,
        &ns,
        &Es::new("from", "aws").body(&body(&app, template)).yaml(),
    )
    .await;
    let es = wait_ready(&client, &ns, "from", "False", "TemplateError").await;
    let message = common::ready_message(&es);
    assert!(
        message.contains("configMap \"tpl\": not found in the ExternalSecret's namespace"),
        "{message}"
    );
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    assert!(secrets.get_opt("from").await.expect("reading").is_none());

    // In its own namespace it renders; an edit of the ConfigMap alone is rendered at the next refresh
    // (nothing changed remotely: change detection cannot vouch for a template source). secretsync
    // does not watch ConfigMaps, so the failed ExternalSecret would retry only after its backoff
    // (which grows past the wait on a loaded machine): a force-sync asks for the retry now.
    apply(&client, &ns, &cm(&ns, "v1 {{ .user }}")).await;
    let force = serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": "cm-created" } } });
    Api::<ExternalSecret>::namespaced(client.clone(), &ns)
        .patch("from", &PatchParams::default(), &Patch::Merge(&force))
        .await
        .expect("force-sync");
    wait_secret(&client, &ns, "from", "rendered from the ConfigMap", |s| {
        secret_text(s).get("conf").map(String::as_str) == Some("v1 u")
    })
    .await;
    apply(&client, &ns, &cm(&ns, "v2 {{ .pass }}")).await;
    wait_secret(&client, &ns, "from", "the edited ConfigMap rendered", |s| {
        secret_text(s).get("conf").map(String::as_str) == Some("v2 p")
    })
    .await;
    common::delete_namespace(&client, &other).await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_template_mistake_is_a_template_error_and_the_secret_keeps_what_it_held() {
    let (client, ns) = common::setup("tpl-bad").await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(&sm, &app, r#"{"username":"u","password":"s3cr3t"}"#).await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let good = "      data: { k: \"{{ .user }}-{{ .pass }}\" }\n";
    let mistakes = [
        (
            "clock",
            "      data: { k: \"{{ now }}\" }\n",
            "function \\\"now\\\" is not supported",
        ),
        (
            "missing",
            "      data: { k: \"{{ .usr }}\" }\n",
            "map has no entry for key \\\"usr\\\"",
        ),
        (
            "not-a-map",
            "      templateFrom: [ { literal: \"[{{ .pass }}]\" } ]\n",
            "not a YAML map",
        ),
        (
            "fail",
            "      data: { k: \"{{ fail .pass }}\" }\n",
            "the template called fail",
        ),
        (
            "semver",
            "      data: { k: \"{{ (semver .pass).Minor }}\" }\n",
            "error calling semver: invalid semantic version",
        ),
    ];
    for (name, _, _) in &mistakes {
        apply(
            &client,
            &ns,
            &Es::new(name, "aws").body(&body(&app, good)).yaml(),
        )
        .await;
    }
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let mut before = BTreeMap::new();
    for (name, _, _) in &mistakes {
        wait_ready(&client, &ns, name, "True", "Synced").await;
        before.insert(
            *name,
            wait_secret(&client, &ns, name, "synced", |_| true).await,
        );
    }
    for (name, bad, _) in &mistakes {
        apply(
            &client,
            &ns,
            &Es::new(name, "aws").body(&body(&app, bad)).yaml(),
        )
        .await;
    }
    for (name, _, words) in &mistakes {
        let es = wait_ready(&client, &ns, name, "False", "TemplateError").await;
        let message = common::ready_message(&es);
        let words = words.replace("\\\"", "\"");
        assert!(message.contains(&words), "{name}: {message}");
        assert!(
            !message.contains("s3cr3t"),
            "{name}: a value in the message: {message}"
        );
        common::wait_for_events(&client, &ns, &["SyncFailed TemplateError: ", &words]).await;
        let now = secrets.get(name).await.expect("the Secret is still there");
        assert_eq!(
            now.metadata.uid, before[name].metadata.uid,
            "{name}: same Secret"
        );
        assert_eq!(
            secret_text(&now),
            secret_text(&before[name]),
            "{name}: same data"
        );
    }
    // templateFrom without engine v2 is refused by the API server.
    let plain = "  data:\n    - { secretKey: user, remoteRef: { key: x } }\n  target:\n    template:\n      templateFrom: [ { literal: \"a: b\" } ]\n";
    let bad: ExternalSecret =
        serde_yaml_ng::from_str(&Es::new("plain", "aws").body(plain).yaml()).expect("YAML");
    let refused = Api::<ExternalSecret>::namespaced(client.clone(), &ns)
        .patch(
            "plain",
            &PatchParams::apply("secretsync-tests").force(),
            &Patch::Apply(&bad),
        )
        .await
        .expect_err("refused by the API server");
    assert!(
        refused
            .to_string()
            .contains("templateFrom needs engineVersion: v2"),
        "{refused}"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn rewrite_transforms_and_merges_give_esos_keys_and_a_conflict_keeps_the_secret() {
    let (client, ns) = common::setup("tpl-rewrite").await;
    let sm = sm();
    let a = format!("{ns}/db/a");
    let b = format!("{ns}/db/b");
    create_remote(&sm, &a, r#"{"host": "dba", "port": 5432}"#).await;
    create_remote(&sm, &b, r#"{"host": "dbb", "pass": "yolo"}"#).await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let body = |merge: &str| {
        format!(
            "  dataFrom:\n    - find: {{ name: {{ regexp: \"^{ns}/db/\" }} }}\n      rewrite:\n        - regexp: {{ source: \"^{ns}/db/(.*)$\", target: \"$1\" }}\n        - merge: {merge}\n        - transform: {{ template: \"{{{{ .value | upper }}}}\" }}\n"
        )
    };
    let good = "{ strategy: JSON, into: all, priority: [b], conflictPolicy: Ignore }";
    apply(&client, &ns, &Es::new("rw", "aws").body(&body(good)).yaml()).await;
    wait_ready(&client, &ns, "rw", "True", "Synced").await;
    let s = wait_secret(&client, &ns, "rw", "merged", |_| true).await;
    let want: BTreeMap<String, String> = [
        ("A", r#"{"host": "dba", "port": 5432}"#),
        ("B", r#"{"host": "dbb", "pass": "yolo"}"#),
        ("ALL", r#"{"host":"dbb","pass":"yolo","port":5432}"#),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(secret_text(&s), want);

    // The same merge without `conflictPolicy: Ignore`: both values hold `host`, an error; the
    // Secret keeps what it held.
    let conflict = "{ strategy: JSON, into: all, priority: [b] }";
    apply(
        &client,
        &ns,
        &Es::new("rw", "aws").body(&body(conflict)).yaml(),
    )
    .await;
    let es = wait_ready(&client, &ns, "rw", "False", "InvalidValue").await;
    let message = common::ready_message(&es);
    assert!(message.contains("conflicting members: host"), "{message}");
    common::wait_for_events(
        &client,
        &ns,
        &["SyncFailed InvalidValue: ", "conflicting members: host"],
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let now = secrets.get("rw").await.expect("still there");
    assert_eq!(now.metadata.uid, s.metadata.uid);
    assert_eq!(secret_text(&now), want);
    common::delete_namespace(&client, &ns).await;
}
