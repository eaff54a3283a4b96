//! The reload engine against hostile and large inputs, with a cluster-wide controller: a tenant that
//! lists (and references) a ConfigMap name another namespace also has restarts only for its own
//! namespace's object; a 1 MiB ConfigMap restarts its workload once per change; a workload using 500
//! ConfigMaps restarts once when one of them changes.

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::Api;

use crate::common;
use crate::reloader_engine::{config_map, pod, replicasets_become, set_cm, wait_recorded};
use common::operator::Operator;
use common::workloads::{NO_NODE, deployment};
use common::{apply, wait_for};

#[tokio::test]
async fn tenants_big_objects_and_many_references_restart_once_and_only_at_home() {
    let (client, a) = common::setup("reload-adv-a").await;
    let b = common::namespace(&client, "reload-adv-b").await;
    let _op = Operator::start_cluster_wide("reload-adversary").await;

    // A tenant (a) lists and uses "shared"; b has a ConfigMap of that name too.
    apply(&client, &b, &config_map("shared", "b1")).await;
    let big = "x".repeat(1_000_000);
    let many: Vec<String> = (0..500).map(|i| format!("many-{i}")).collect();
    let projected: String = many
        .iter()
        .map(|n| format!("{{ configMap: {{ name: {n} }} }}"))
        .collect::<Vec<_>>()
        .join(", ");
    let many_pod = format!(
        "{NO_NODE}      containers: [ {{ name: app, image: localhost/busybox:testbed, imagePullPolicy: Never, volumeMounts: [ {{ name: p, mountPath: /p }} ] }} ]\n      volumes: [ {{ name: p, projected: {{ sources: [ {projected} ] }} }} ]"
    );
    // 500 ConfigMaps, created a few at a time.
    futures::stream::iter(many.clone())
        .for_each_concurrent(16, |n| {
            let client = client.clone();
            let a = a.clone();
            async move { apply(&client, &a, &config_map(&n, "1")).await }
        })
        .await;
    let big_pod = format!(
        "{NO_NODE}      containers: [ {{ name: app, image: localhost/busybox:testbed, imagePullPolicy: Never, volumeMounts: [ {{ name: b, mountPath: /b }} ] }} ]\n      volumes: [ {{ name: b, configMap: {{ name: big }} }} ]"
    );
    let yaml = [
        config_map("shared", "a1"),
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: big }}\ndata: {{ key: \"{big}\" }}\n"),
        deployment(
            "tenant",
            "configmap.reloader.stakater.com/reload: \"shared\", reloader.stakater.com/auto: \"true\"",
            &pod("shared", "-"),
        ),
        deployment("big", "reloader.stakater.com/auto: \"true\"", &big_pod),
        deployment("many", "configmap.reloader.stakater.com/auto: \"true\"", &many_pod),
    ]
    .join("---\n");
    apply(&client, &a, &yaml).await;
    wait_recorded(&client, &a, &["tenant", "big", "many"]).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &a);
    let state = deployments
        .get("many")
        .await
        .expect("many")
        .metadata
        .annotations
        .unwrap_or_default()
        .get("secretsync.io/reload-state")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        state.split(',').count(),
        500,
        "one keyed digest per ConfigMap used"
    );
    let one = [("tenant", 1), ("big", 1), ("many", 1)];
    replicasets_become(&client, &a, &one).await;

    // The other namespace's "shared" changes: nothing here.
    set_cm(&client, &b, "shared", "b2").await;
    replicasets_become(&client, &a, &one).await;
    // Its own does: once.
    set_cm(&client, &a, "shared", "a2").await;
    replicasets_become(&client, &a, &[("tenant", 2), ("big", 1), ("many", 1)]).await;

    // The 1 MiB ConfigMap changes (its last byte): once.
    let mut bigger = big.clone();
    bigger.pop();
    bigger.push('y');
    set_cm(&client, &a, "big", &bigger).await;
    // One of 500 changes: once.
    set_cm(&client, &a, "many-250", "2").await;
    replicasets_become(&client, &a, &[("tenant", 2), ("big", 2), ("many", 2)]).await;
    wait_for("the namespaces to go", Duration::from_secs(5), || async {
        Some(())
    })
    .await;
    common::delete_namespace(&client, &b).await;
    common::delete_namespace(&client, &a).await;
}
