//! The Reloader-compatible engine on the real test bed, for ConfigMaps and Secrets secretsync does
//! not write: Reloader's annotations restart a Deployment exactly once per change set (a new
//! ReplicaSet), never on first sight, on a label-only edit or a no-op write; an explicit list matches
//! by regular expression without a reference; a ConfigMap edited in a loop restarts once per settle
//! window; and a change made while the controller was down restarts once at start.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Client;
use kube::api::{Api, Patch, PatchParams};

use crate::common;
use common::operator::Operator;
use common::workloads::{NO_NODE, deployment, replicasets};
use common::{apply, never_within, wait_for};

const STATE: &str = "secretsync.io/reload-state";

pub(crate) fn config_map(name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: {name} }}\ndata: {{ key: \"{value}\" }}\n"
    )
}

fn secret(name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{ name: {name} }}\nstringData: {{ key: \"{value}\" }}\n"
    )
}

/// A pod spec using ConfigMap `cm` through envFrom (no ConfigMap: `-`) and Secret `s` through a
/// mounted volume (no Secret: `-`).
pub(crate) fn pod(cm: &str, s: &str) -> String {
    let env = if cm == "-" {
        String::new()
    } else {
        format!(", envFrom: [ {{ configMapRef: {{ name: {cm} }} }} ]")
    };
    let (mount, volumes) = if s == "-" {
        (String::new(), String::new())
    } else {
        (
            ", volumeMounts: [ { name: s, mountPath: /s } ]".to_string(),
            format!("\n      volumes: [ {{ name: s, secret: {{ secretName: {s} }} }} ]"),
        )
    };
    format!(
        "{NO_NODE}      containers: [ {{ name: app, image: localhost/busybox:testbed, imagePullPolicy: Never{env}{mount} }} ]{volumes}"
    )
}

/// Sets ConfigMap `name`'s data key to `value` (a no-op when it already holds it).
pub(crate) async fn set_cm(client: &Client, ns: &str, name: &str, value: &str) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    let patch = serde_json::json!({ "data": { "key": value } });
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap_or_else(|e| panic!("editing ConfigMap {name}: {e}"));
}

/// Waits until every listed Deployment recorded its reload state (first sight handled).
pub(crate) async fn wait_recorded(client: &Client, ns: &str, names: &[&str]) {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    for name in names {
        wait_for(
            &format!("Deployment {name} to record its reload state"),
            Duration::from_secs(30),
            || async {
                let d = api.get(name).await.ok()?;
                d.metadata.annotations?.get(STATE).map(|_| ())
            },
        )
        .await;
    }
}

/// Waits until the ReplicaSet counts are exactly `want`, then checks they stay so past a settle window.
pub(crate) async fn replicasets_become(client: &Client, ns: &str, want: &[(&str, usize)]) {
    let want: BTreeMap<String, usize> = want.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    wait_for(
        &format!("ReplicaSets {want:?}"),
        Duration::from_secs(40),
        || async {
            let got = replicasets(client, ns).await;
            want.iter()
                .all(|(k, v)| got.get(k) == Some(v))
                .then_some(())
        },
    )
    .await;
    never_within("another ReplicaSet", Duration::from_secs(5), || async {
        let got = replicasets(client, ns).await;
        want.iter()
            .any(|(k, v)| got.get(k) != Some(v))
            .then_some(got)
    })
    .await;
}

#[tokio::test]
async fn reloader_annotations_restart_once_per_change_set_for_any_config_map_or_secret() {
    let (client, ns) = common::setup("reload-engine").await;
    let mut op = Operator::start(&ns).await;
    let yaml = [
        config_map("app-config", "v1"),
        config_map("app-extra", "v1"),
        config_map("unused", "v1"),
        secret("tls", "v1"),
        deployment("auto", "reloader.stakater.com/auto: \"true\"", &pod("app-config", "tls")),
        deployment(
            "typed",
            "configmap.reloader.stakater.com/auto: \"true\"",
            &pod("app-config", "tls"),
        ),
        // An explicit list is a regular expression and needs no reference.
        deployment(
            "listed",
            "configmap.reloader.stakater.com/reload: \"app-e.*\"",
            &pod("-", "-"),
        ),
        deployment("plain", "", &pod("app-config", "tls")),
        // Excluded by name, although `auto` would restart it.
        deployment(
            "excluded",
            "reloader.stakater.com/auto: \"true\", configmaps.exclude.reloader.stakater.com/reload: \"app-config\"",
            &pod("app-config", "-"),
        ),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;
    wait_recorded(&client, &ns, &["auto", "typed", "listed", "excluded"]).await;
    // First sight restarts nothing.
    let one = [
        ("auto", 1),
        ("typed", 1),
        ("listed", 1),
        ("plain", 1),
        ("excluded", 1),
    ];
    replicasets_become(&client, &ns, &one).await;

    // A label-only edit and a no-op write restart nothing.
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let label = serde_json::json!({ "metadata": { "labels": { "touched": "yes" } } });
    cms.patch("app-config", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .expect("label edit");
    set_cm(&client, &ns, "app-config", "v1").await;
    replicasets_become(&client, &ns, &one).await;

    // A data change: each Deployment using it restarts once.
    set_cm(&client, &ns, "app-config", "v2").await;
    replicasets_become(
        &client,
        &ns,
        &[
            ("auto", 2),
            ("typed", 2),
            ("listed", 1),
            ("plain", 1),
            ("excluded", 1),
        ],
    )
    .await;

    // A Secret another tool writes: `auto` restarts for it, the ConfigMap-only annotation does not.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let patch = serde_json::json!({ "stringData": { "key": "v2" } });
    secrets
        .patch("tls", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("secret edit");
    replicasets_become(
        &client,
        &ns,
        &[
            ("auto", 3),
            ("typed", 2),
            ("listed", 1),
            ("plain", 1),
            ("excluded", 1),
        ],
    )
    .await;

    // The listed one restarts for the object its expression names; two objects of one change set
    // restart a workload using both once.
    set_cm(&client, &ns, "app-extra", "v2").await;
    set_cm(&client, &ns, "app-config", "v3").await;
    replicasets_become(
        &client,
        &ns,
        &[
            ("auto", 4),
            ("typed", 3),
            ("listed", 2),
            ("plain", 1),
            ("excluded", 1),
        ],
    )
    .await;

    // A ConfigMap edited 100 times within seconds: one restart per settle window, not 100.
    let before = replicasets(&client, &ns)
        .await
        .get("auto")
        .copied()
        .unwrap_or(0);
    let looped = std::time::Instant::now();
    for i in 0..100 {
        set_cm(&client, &ns, "app-config", &format!("loop-{i}")).await;
    }
    // One change set per settle window (`--reload-settle`, 1 s) the loop spanned, and the last one.
    let windows = looped.elapsed().as_secs() as usize + 2;
    // Wait until the count has stayed the same for a settle window and more.
    let start = std::time::Instant::now();
    let mut last = (before, start);
    loop {
        let n = replicasets(&client, &ns)
            .await
            .get("auto")
            .copied()
            .unwrap_or(0);
        if n != last.0 {
            last = (n, std::time::Instant::now());
        } else if n > before && last.1.elapsed() > Duration::from_secs(6) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the loop's restarts never settled"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let after = replicasets(&client, &ns)
        .await
        .get("auto")
        .copied()
        .unwrap_or(0);
    assert!(
        after - before <= windows,
        "100 edits restarted Deployment auto {} times (want at most one per settle window: {windows})",
        after - before
    );

    // A change made while the controller is down restarts once when it starts again.
    op.stop();
    let settled = replicasets(&client, &ns).await;
    set_cm(&client, &ns, "app-config", "while-down").await;
    let _op = Operator::start(&ns).await;
    let plus = |name: &'static str, n: usize| (name, settled.get(name).copied().unwrap_or(0) + n);
    replicasets_become(
        &client,
        &ns,
        &[
            plus("auto", 1),
            plus("typed", 1),
            plus("listed", 0),
            plus("plain", 0),
        ],
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}

/// `deployment.reloader.stakater.com/pause-period`: a restart pauses the Deployment (with
/// `paused-at`), a second change within the period only changes the paused template, and when the
/// period ends the Deployment is resumed and rolls out once.
#[tokio::test]
async fn a_pause_period_coalesces_changes_into_one_rollout() {
    let (client, ns) = common::setup("reload-pause").await;
    let _op = Operator::start(&ns).await;
    let yaml = [
        config_map("cfg", "v1"),
        deployment(
            "paused",
            "reloader.stakater.com/auto: \"true\", deployment.reloader.stakater.com/pause-period: \"6s\"",
            &pod("cfg", "-"),
        ),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;
    wait_recorded(&client, &ns, &["paused"]).await;
    replicasets_become(&client, &ns, &[("paused", 1)]).await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    set_cm(&client, &ns, "cfg", "v2").await;
    wait_for("the Deployment paused", Duration::from_secs(30), || async {
        let d = api.get("paused").await.ok()?;
        let paused = d.spec.as_ref()?.paused == Some(true);
        let at = d
            .metadata
            .annotations?
            .contains_key("deployment.reloader.stakater.com/paused-at");
        (paused && at).then_some(())
    })
    .await;
    set_cm(&client, &ns, "cfg", "v3").await;
    wait_for(
        "the Deployment resumed",
        Duration::from_secs(40),
        || async {
            let d = api.get("paused").await.ok()?;
            let resumed = d.spec.as_ref()?.paused != Some(true);
            let at = d
                .metadata
                .annotations
                .unwrap_or_default()
                .contains_key("deployment.reloader.stakater.com/paused-at");
            (resumed && !at).then_some(())
        },
    )
    .await;
    // Two changes, one rollout.
    replicasets_become(&client, &ns, &[("paused", 2)]).await;
    common::delete_namespace(&client, &ns).await;
}

/// A rotation of a Secret secretsync writes and a change of a ConfigMap in the same settle window
/// restart a workload using both once: the rotation's batch takes the ConfigMap's change set along
/// (one patch with both markers).
#[tokio::test]
async fn a_rotation_and_a_config_map_change_together_restart_once() {
    use common::{create_remote, has, rotate_remote, sm, testbed_var, wait_secret};
    let (client, ns) = common::setup("reload-merge").await;
    let sm = sm();
    let db = format!("{ns}/db");
    create_remote(&sm, &db, "merge-1").await;
    let _op = Operator::start(&ns).await;
    let both = format!(
        "{NO_NODE}      containers: [ {{ name: app, image: localhost/busybox:testbed, imagePullPolicy: Never, envFrom: [ {{ secretRef: {{ name: db }} }}, {{ configMapRef: {{ name: cfg }} }} ] }} ]"
    );
    let yaml = [
        common::store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
        common::single_key_es("db", "aws", "1s", &db, ""),
        config_map("cfg", "v1"),
        deployment("both", "reloader.stakater.com/auto: \"true\"", &both),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;
    wait_secret(&client, &ns, "db", "first sync", |s| {
        has(s, "password", "merge-1")
    })
    .await;
    wait_recorded(&client, &ns, &["both"]).await;
    replicasets_become(&client, &ns, &[("both", 1)]).await;
    // The rotation is written; while its batch settles, the ConfigMap changes too.
    rotate_remote(&sm, &db, "merge-2").await;
    wait_secret(&client, &ns, "db", "the rotation", |s| {
        has(s, "password", "merge-2")
    })
    .await;
    set_cm(&client, &ns, "cfg", "v2").await;
    replicasets_become(&client, &ns, &[("both", 2)]).await;
    let d: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let template = d
        .get("both")
        .await
        .expect("both")
        .spec
        .and_then(|s| s.template.metadata)
        .and_then(|m| m.annotations)
        .unwrap_or_default();
    assert!(
        template.contains_key("secretsync.io/rollout-marker")
            && template.contains_key("secretsync.io/reload-marker"),
        "both markers in the one restart: {template:?}"
    );
    common::delete_namespace(&client, &ns).await;
}
