//! secretsync as users install it: `helm install` of the chart with the image `cargo xtask image` built,
//! two controller Pods on the test bed's node (one leader), an IRSA-shaped identity (a projected
//! ServiceAccount token with audience `sts.amazonaws.com` plus `AWS_ROLE_ARN` and
//! `AWS_WEB_IDENTITY_TOKEN_FILE`, as the EKS webhook injects them) exchanged at the emulator's STS, a
//! ClusterSecretStore without `auth`, and a busybox app that prints the secret. Then a rotation, the
//! leader Pod deleted during another rotation, `helm upgrade` and `helm uninstall`.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::helm::{Release, fullname, release_name};
use common::in_cluster::*;
use common::prometheus::Prometheus;
use common::workloads::replicasets;
use common::{apply, create_remote, has, rotate_remote, wait_secret};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Pod, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, ListParams};

#[tokio::test]
async fn helm_install_runs_two_replicas_with_web_identity_and_the_app_rolls_once_per_rotation() {
    let client = common::client().await;
    require_node_with_image(&client).await;
    common::install_crds(&client).await;
    let sys = common::namespace(&client, "e2e-sys").await;
    let app = common::namespace(&client, "e2e-app").await;
    let release = release_name(&sys);
    let sets = helm_values(&app);
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let mut installed = Release::install_on_node(&release, &sys, &sets, &[&sys, &app]);

    // Two controller Pods Running and Ready (readiness is /readyz), one of them leading.
    let controllers: Api<Pod> = Api::namespaced(client.clone(), &sys);
    let ready = common::wait_for(
        "two controller Pods Ready",
        Duration::from_secs(120),
        || async { Some(ready_controllers(&controllers).await).filter(|r| r.len() == 2) },
    )
    .await;
    let leases: Api<Lease> = Api::namespaced(client.clone(), &sys);
    let lease = format!("{}-leader", fullname(&release));
    let leader = common::wait_for("a leader", Duration::from_secs(60), || async {
        holder(&leases, &lease).await.filter(|h| ready.contains(h))
    })
    .await;

    // A ClusterSecretStore without auth uses the controller's own (web) identity.
    let sm = common::sm();
    let key = format!("{app}/db");
    create_remote(&sm, &key, "e2e-pw-1").await;
    let store = format!("e2e-{app}");
    apply(&client, &app, &store_and_app(&store, &key, "2s", 60)).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &app);
    let mut seen = BTreeSet::new();
    let first = wait_for_app_printing(&pods, &seen, "env=e2e-pw-1").await;
    seen.insert(first.clone());

    // Rotation: the app rolls once; the new Pod prints the new value; the old Pod's file changed too.
    rotate_remote(&sm, &key, "e2e-pw-2").await;
    let second = wait_for_app_printing(&pods, &seen, "env=e2e-pw-2").await;
    seen.insert(second);
    assert_eq!(replicasets(&client, &app).await.get("app"), Some(&2));
    // The old Pod (kept a minute by minReadySeconds) sees its mounted file change at the next kubelet sync;
    // its environment keeps the value it started with.
    common::wait_for(
        "the old Pod's mounted file to change",
        Duration::from_secs(60),
        || async {
            let log = logs(&pods, &first).await;
            log.contains("file=e2e-pw-2").then_some(())
        },
    )
    .await;
    assert!(logs(&pods, &first).await.contains("env=e2e-pw-1"));

    // A real Prometheus scrapes both controller Pods; every dashboard query returns data.
    let targets: Vec<String> = controllers
        .list(&ListParams::default().labels("app.kubernetes.io/name=secretsync"))
        .await
        .expect("listing controller Pods")
        .items
        .into_iter()
        .filter_map(|p| p.status?.pod_ip)
        .map(|ip| format!("{ip}:8080"))
        .collect();
    let prometheus = Prometheus::start(&sys, &targets).await;
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::helm::chart().join("files/dashboard.json"))
            .expect("dashboard.json"),
    )
    .expect("dashboard JSON");
    for panel in dashboard["panels"].as_array().into_iter().flatten() {
        let expr = panel["targets"][0]["expr"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let title = panel["title"].as_str().unwrap_or_default().to_string();
        common::wait_for(
            &format!("data for the dashboard panel {title:?} ({expr})"),
            Duration::from_secs(60),
            || {
                let expr = expr.clone();
                let prometheus = &prometheus;
                async move { prometheus.query(&expr).filter(|r| !r.is_empty()) }
            },
        )
        .await;
    }
    drop(prometheus);

    // The leader Pod goes away during the next rotation: the standby takes over and the app still
    // rolls exactly once.
    rotate_remote(&sm, &key, "e2e-pw-3").await;
    controllers
        .delete(&leader, &DeleteParams::default())
        .await
        .expect("deleting the leader Pod");
    // The leader gives the lease up on SIGTERM; the standby (or the Pod replacing the leader, whichever
    // asks first) takes it, well within the 15 s lease duration.
    let new_leader = common::wait_for(
        "another replica to lead",
        Duration::from_secs(20),
        || async {
            holder(&leases, &lease)
                .await
                .filter(|h| !h.is_empty() && *h != leader)
        },
    )
    .await;
    eprintln!("leader {leader} deleted; {new_leader} leads now");
    wait_for_app_printing(&pods, &seen, "env=e2e-pw-3").await;
    wait_secret(&client, &app, "app-secret", "third value", |s| {
        has(s, "password", "e2e-pw-3")
    })
    .await;
    assert_eq!(
        replicasets(&client, &app).await.get("app"),
        Some(&3),
        "one roll per rotation, failover included"
    );

    // Upgrade (a value change) keeps it running; uninstall keeps the CRDs and the synced Secret.
    let out = installed.upgrade(&["logLevel=info"]);
    assert!(out.contains("STATUS: deployed"), "helm upgrade:\n{out}");
    common::wait_for(
        "two controller Pods Ready after the upgrade",
        Duration::from_secs(120),
        || async { Some(ready_controllers(&controllers).await).filter(|r| r.len() == 2) },
    )
    .await;
    installed.uninstall();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    assert!(
        crds.get_opt("externalsecrets.secretsync.io")
            .await
            .ok()
            .flatten()
            .is_some(),
        "helm uninstall removed the CRD"
    );
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &app);
    assert!(
        secrets.get_opt("app-secret").await.ok().flatten().is_some(),
        "helm uninstall removed the synced Secret"
    );
    let stores: Api<secretsync::api::ClusterSecretStore> = Api::all(client.clone());
    let _ = stores.delete(&store, &DeleteParams::default()).await;
    common::delete_namespace(&client, &app).await;
    common::delete_namespace(&client, &sys).await;
}
