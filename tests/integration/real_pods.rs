//! Real Pods on the test bed's node read the synced Secret, as a mounted file and as an environment
//! variable, and print it: after a rotation the app rolls exactly once and its new Pod prints the new
//! value, while a Pod that is not restarted sees its mounted file change in place (kubelet sync).

use crate::common;

use std::collections::BTreeSet;

use common::in_cluster::{logs, wait_for_pod_printing};
use common::operator::Operator;
use common::workloads::replicasets;
use common::{apply, create_remote, has, rotate_remote, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Client;
use kube::api::Api;

/// The busybox program of the test Pods: the env value once, then the mounted file every second.
const PRINT: &str =
    r#"echo "env=$P"; while true; do echo "file=$(cat /s/password)"; sleep 1; done"#;

fn pod_spec(indent: &str) -> String {
    format!(
        "{indent}terminationGracePeriodSeconds: 1\n\
         {indent}containers:\n\
         {indent}  - name: app\n\
         {indent}    image: localhost/busybox:testbed\n\
         {indent}    imagePullPolicy: Never\n\
         {indent}    command: [ sh, -c, '{PRINT}' ]\n\
         {indent}    env: [ {{ name: P, valueFrom: {{ secretKeyRef: {{ name: app-secret, key: password }} }} }} ]\n\
         {indent}    volumeMounts: [ {{ name: s, mountPath: /s }} ]\n\
         {indent}volumes: [ {{ name: s, secret: {{ secretName: app-secret }} }} ]\n"
    )
}

/// Fails (with how to start it) unless the test bed's node is Ready.
async fn require_node(client: &Client) {
    let nodes: Api<Node> = Api::all(client.clone());
    let ready = nodes
        .get_opt("localhost")
        .await
        .ok()
        .flatten()
        .is_some_and(|n| {
            n.status
                .and_then(|s| s.conditions)
                .unwrap_or_default()
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        });
    assert!(
        ready,
        "the test bed has no Ready node `localhost`: start it with `cargo xtask testbed up` \
         (not `--no-node`) and `source target/testbed/env`"
    );
}

#[tokio::test]
async fn pods_print_the_synced_secret_and_the_app_rolls_once_on_rotation() {
    let (client, ns) = common::setup("pods").await;
    require_node(&client).await;
    let sm = common::sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "pod-pw-1").await;
    let _op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &format!(
            "{}---\n{}",
            common::store_yaml("aws", &common::testbed_var("AWS_ENDPOINT_URL")),
            common::single_key_es("app", "aws", "2s", &key, "  target: { name: app-secret }\n")
        ),
    )
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    apply(
        &client,
        &ns,
        &format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  annotations: {{ secretsync.io/reload: \"true\" }}\n\
             spec:\n  selector: {{ matchLabels: {{ app: app }} }}\n  template:\n    metadata: {{ labels: {{ app: app }} }}\n    spec:\n{}---\n\
             apiVersion: v1\nkind: Pod\nmetadata: {{ name: bystander, labels: {{ app: bystander }} }}\nspec:\n{}",
            pod_spec("      "),
            pod_spec("  ")
        ),
    )
    .await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let first = wait_for_pod_printing(&pods, "app=app", &BTreeSet::new(), "env=pod-pw-1").await;
    assert!(logs(&pods, &first).await.contains("file=pod-pw-1"));
    wait_for_pod_printing(&pods, "app=bystander", &BTreeSet::new(), "file=pod-pw-1").await;

    rotate_remote(&sm, &key, "pod-pw-2").await;
    wait_secret(&client, &ns, "app-secret", "rotated", |s| {
        has(s, "password", "pod-pw-2")
    })
    .await;
    // The app rolls: a new Pod prints the new value from its environment and its file.
    let second = wait_for_pod_printing(
        &pods,
        "app=app",
        &BTreeSet::from([first.clone()]),
        "env=pod-pw-2",
    )
    .await;
    assert!(logs(&pods, &second).await.contains("file=pod-pw-2"));
    // The Pod nobody restarts sees its mounted file change in place; its environment stays.
    wait_for_pod_printing(&pods, "app=bystander", &BTreeSet::new(), "file=pod-pw-2").await;
    assert!(logs(&pods, "bystander").await.contains("env=pod-pw-1"));
    // Exactly once: the rollout is long done (a new Pod ran and printed) and there are two ReplicaSets.
    let rs = replicasets(&client, &ns).await;
    assert_eq!(rs.get("app"), Some(&2), "ReplicaSets: {rs:?}");
    common::delete_namespace(&client, &ns).await;
}
