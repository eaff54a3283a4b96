//! Rotation restarts: exactly once per new synced version, never otherwise (real controller-manager).

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::moto::Moto;
use common::operator::Operator;
use common::workloads::*;
use common::{apply, create_remote, has, rotate_remote, sm_at, wait_ready, wait_secret};
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;

const MARKER: &str = secretsync::core::rollout::MARKER_ANNOTATION;

async fn request_force_sync(client: &Client, ns: &str, value: &str) -> Api<ExternalSecret> {
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let patch =
        serde_json::json!({ "metadata": { "annotations": { "secretsync.io/force-sync": value } } });
    ess.patch("app", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("force-sync");
    ess
}

/// Asks for a force-sync and waits until it succeeded: `status.lastForceSync` is `value` (recorded
/// only by a sync that read the remote values for it).
async fn force_sync(client: &Client, ns: &str, value: &str) {
    let ess = request_force_sync(client, ns, value).await;
    common::wait_for(
        &format!("force-sync {value} to be honoured"),
        Duration::from_secs(30),
        || {
            let ess = ess.clone();
            async move {
                let status = ess.get("app").await.ok()?.status?;
                (status.last_force_sync.as_deref() == Some(value)).then_some(())
            }
        },
    )
    .await;
}

/// Asks for a force-sync that must fail, and waits until Ready is False with `reason` (`app` was
/// Ready=True before, so the condition comes from this force-sync's reconcile).
async fn force_sync_failing(client: &Client, ns: &str, value: &str, reason: &str) {
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let ready = ess
        .get("app")
        .await
        .ok()
        .and_then(|e| e.status)
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"));
    assert!(
        ready.as_ref().is_some_and(|c| c.status == "True"),
        "app was not Ready before force-sync {value}: {ready:?}"
    );
    request_force_sync(client, ns, value).await;
    wait_ready(client, ns, "app", "False", reason).await;
}

async fn wait_rs(client: &Client, ns: &str, want: &[(&str, usize)]) {
    let want: BTreeMap<String, usize> = want.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    common::wait_for(
        &format!("ReplicaSets {want:?}"),
        Duration::from_secs(30),
        || async {
            let have = replicasets(client, ns).await;
            want.iter()
                .all(|(k, v)| have.get(k) == Some(v))
                .then_some(())
        },
    )
    .await;
}

/// Waits until every listed Deployment has exactly the given ReplicaSet count, then checks that they
/// stay so for 3 s: time for the controller-manager to act on any template change (it makes the new
/// ReplicaSet within a second).
async fn assert_rs_stable(client: &Client, ns: &str, want: &[(&str, usize)]) {
    wait_rs(client, ns, want).await;
    common::never_within(
        &format!("a ReplicaSet count other than {want:?}"),
        Duration::from_secs(3),
        || async {
            let have = replicasets(client, ns).await;
            want.iter()
                .any(|(k, v)| have.get(*k) != Some(v))
                .then_some(have)
        },
    )
    .await;
}

fn marker_of(all: &BTreeMap<String, BTreeMap<String, String>>, workload: &str) -> Option<String> {
    all.get(workload).and_then(|a| a.get(MARKER)).cloned()
}

#[tokio::test]
async fn restarts_exactly_once_per_rotation() {
    let (client, ns) = common::setup("rotate").await;
    let mut moto = Moto::start(&[]).await;
    let sm = sm_at(&moto.endpoint(), None);
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "rotate-pw-1").await;
    let op = Operator::start(&ns).await;
    let reload = "secretsync.io/reload: \"true\"";
    let manifests = [
        deployment("api", "", &plain_pod()),
        deployment("worker", reload, &env_from_pod("app-secret")),
        deployment("bystander", reload, &plain_pod()),
        deployment(
            "excluded",
            "secretsync.io/reload: \"false\"",
            &env_pod("app-secret"),
        ),
        statefulset("db", reload, &volume_pod("app-secret")),
        daemonset("agent", reload, &projected_pod("app-secret")),
        format!(
            r#"{}---
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: app }}
spec:
  secretStoreRef: {{ name: aws }}
  refreshInterval: 1h
  target: {{ name: app-secret }}
  data:
    - {{ secretKey: password, remoteRef: {{ key: "{key}" }} }}
  rolloutRestartTargets:
    - {{ kind: Deployment, name: api }}
    - {{ kind: Deployment, name: excluded }}
"#,
            common::store_yaml("aws", &moto.endpoint())
        ),
    ];
    for m in &manifests {
        apply(&client, &ns, m).await;
    }
    wait_secret(&client, &ns, "app-secret", "first sync", |s| {
        has(s, "password", "rotate-pw-1")
    })
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    let one = [("api", 1), ("worker", 1), ("bystander", 1), ("excluded", 1)];
    assert_rs_stable(&client, &ns, &one).await;
    let t = template_annotations(&client, &ns).await;
    assert!(
        t.values().all(|a| !a.contains_key(MARKER)),
        "the first sync restarted something: {t:?}"
    );

    // Rotation: every user restarts once.
    rotate_remote(&sm, &key, "rotate-pw-2").await;
    force_sync(&client, &ns, "1").await;
    wait_secret(&client, &ns, "app-secret", "rotated", |s| {
        has(s, "password", "rotate-pw-2")
    })
    .await;
    let two = [("api", 2), ("worker", 2), ("bystander", 1), ("excluded", 1)];
    assert_rs_stable(&client, &ns, &two).await;
    let t1 = template_annotations(&client, &ns).await;
    let m1 = marker_of(&t1, "Deployment/api").expect("api marker");
    for w in ["Deployment/worker", "StatefulSet/db", "DaemonSet/agent"] {
        assert_eq!(marker_of(&t1, w).as_deref(), Some(m1.as_str()), "{w}");
    }
    for w in ["Deployment/bystander", "Deployment/excluded"] {
        assert_eq!(marker_of(&t1, w), None, "{w} must never be touched");
    }
    // The status is written right after the patches: wait for it to list the restarts.
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let status = common::wait_for(
        "status to list the restarted workloads",
        Duration::from_secs(30),
        || {
            let ess = ess.clone();
            async move {
                let status = ess.get("app").await.ok()?.status?;
                (status.restarted_workloads.len() == 4).then_some(status)
            }
        },
    )
    .await;
    assert!(status.last_rotation_time.is_some());
    let mut restarted = status.restarted_workloads.clone();
    restarted.sort();
    assert_eq!(
        restarted,
        vec![
            "DaemonSet/agent",
            "Deployment/api",
            "Deployment/worker",
            "StatefulSet/db"
        ]
    );
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        4.0
    );
    // The excluded listed workload is reported too.
    common::wait_for_events(&client, &ns, &["RolloutRestarted", "RolloutSkipped"]).await;

    // A no-op refresh, a hand edit (repaired), and an operator restart: no restart.
    force_sync(&client, &ns, "2").await;
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(client.clone(), &ns);
    let edit = serde_json::json!({ "data": { "password": "ZWRpdGVk" } });
    secrets
        .patch("app-secret", &PatchParams::default(), &Patch::Merge(&edit))
        .await
        .expect("hand edit");
    wait_secret(&client, &ns, "app-secret", "repaired", |s| {
        has(s, "password", "rotate-pw-2")
    })
    .await;
    drop(op);
    let op = Operator::start(&ns).await;
    common::wait_for(
        "a reconcile after the operator restart",
        Duration::from_secs(30),
        || async {
            (op.metric_sum(
                "secretsync_reconcile_duration_seconds_count",
                &["ExternalSecret"],
            ) >= 1.0)
                .then_some(())
        },
    )
    .await;
    force_sync(&client, &ns, "3").await;
    assert_rs_stable(&client, &ns, &two).await;
    assert_eq!(
        template_annotations(&client, &ns).await,
        t1,
        "templates changed without a rotation"
    );

    // Two rotations in quick succession: two restarts, two different markers.
    rotate_remote(&sm, &key, "rotate-pw-3").await;
    force_sync(&client, &ns, "4").await;
    rotate_remote(&sm, &key, "rotate-pw-4").await;
    force_sync(&client, &ns, "5").await;
    assert_rs_stable(
        &client,
        &ns,
        &[("api", 4), ("worker", 4), ("bystander", 1), ("excluded", 1)],
    )
    .await;
    let m3 =
        marker_of(&template_annotations(&client, &ns).await, "StatefulSet/db").expect("db marker");
    assert_ne!(m3, m1);
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        8.0
    );

    // The provider down: Ready=False, the Secret stays, nothing restarts.
    moto.stop();
    force_sync_failing(&client, &ns, "6", "ProviderError").await;
    wait_ready(&client, &ns, "app", "False", "ProviderError").await;
    assert_rs_stable(
        &client,
        &ns,
        &[("api", 4), ("worker", 4), ("bystander", 1), ("excluded", 1)],
    )
    .await;
    wait_secret(&client, &ns, "app-secret", "unchanged", |s| {
        has(s, "password", "rotate-pw-4")
    })
    .await;
    op.assert_log_free_of(&["rotate-pw-1", "rotate-pw-2", "rotate-pw-3", "rotate-pw-4"]);
    common::delete_namespace(&client, &ns).await;
}
