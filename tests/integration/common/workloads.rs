//! Workload manifests and observations for rollout tests.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use kube::Client;
use kube::api::{Api, ListParams};

/// A Deployment manifest; `uses` is the pod spec fragment (YAML, indented for `spec.template.spec`).
pub fn deployment(name: &str, annotations: &str, pod: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  annotations: {{ {annotations} }}\nspec:\n  selector: {{ matchLabels: {{ app: {name} }} }}\n  template:\n    metadata: {{ labels: {{ app: {name} }} }}\n    spec:\n{pod}\n"
    )
}

/// A StatefulSet manifest.
pub fn statefulset(name: &str, annotations: &str, pod: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\n  annotations: {{ {annotations} }}\nspec:\n  serviceName: {name}\n  selector: {{ matchLabels: {{ app: {name} }} }}\n  template:\n    metadata: {{ labels: {{ app: {name} }} }}\n    spec:\n{pod}\n"
    )
}

/// A DaemonSet manifest.
pub fn daemonset(name: &str, annotations: &str, pod: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: {name}\n  annotations: {{ {annotations} }}\nspec:\n  selector: {{ matchLabels: {{ app: {name} }} }}\n  template:\n    metadata: {{ labels: {{ app: {name} }} }}\n    spec:\n{pod}\n"
    )
}

/// Keeps a rollout test's Pods off the test bed's node (they stay Pending, as on a control plane
/// without nodes): rollout tests look at Deployments and ReplicaSets, and running a Pod for each would
/// only cost time. Images are local only (`imagePullPolicy: Never`): nothing is ever pulled.
pub const NO_NODE: &str = "      nodeSelector: { secretsync.io/test-node: none }
";

/// The container every rollout test's pod spec runs (`{extra}` adds fields to it).
fn container(extra: &str) -> String {
    format!("{{ name: app, image: localhost/busybox:testbed, imagePullPolicy: Never{extra} }}")
}

/// A pod spec with one container and no reference to any Secret.
pub fn plain_pod() -> String {
    format!("{NO_NODE}      containers: [ {} ]", container(""))
}

/// A pod spec reading the Secret through `envFrom`.
pub fn env_from_pod(secret: &str) -> String {
    format!(
        "{NO_NODE}      containers: [ {} ]",
        container(&format!(
            ", envFrom: [ {{ secretRef: {{ name: {secret} }} }} ]"
        ))
    )
}

/// A pod spec reading one key through `env.valueFrom.secretKeyRef`.
pub fn env_pod(secret: &str) -> String {
    format!(
        "{NO_NODE}      containers: [ {} ]",
        container(&format!(
            ", env: [ {{ name: P, valueFrom: {{ secretKeyRef: {{ name: {secret}, key: password }} }} }} ]"
        ))
    )
}

/// A pod spec mounting the Secret as a volume.
pub fn volume_pod(secret: &str) -> String {
    format!(
        "{NO_NODE}      containers: [ {} ]\n      volumes: [ {{ name: s, secret: {{ secretName: {secret} }} }} ]",
        container("")
    )
}

/// A pod spec mounting the Secret through a projected volume, in an init container's namespace.
pub fn projected_pod(secret: &str) -> String {
    format!(
        "{NO_NODE}      containers: [ {} ]\n      volumes: [ {{ name: p, projected: {{ sources: [ {{ secret: {{ name: {secret} }} }} ] }} }} ]",
        container("")
    )
}

/// ReplicaSets per Deployment name.
pub async fn replicasets(client: &Client, ns: &str) -> BTreeMap<String, usize> {
    let api: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
    let mut out = BTreeMap::new();
    for rs in api
        .list(&ListParams::default())
        .await
        .map(|l| l.items)
        .unwrap_or_default()
    {
        for o in rs
            .metadata
            .owner_references
            .iter()
            .flatten()
            .filter(|o| o.kind == "Deployment")
        {
            *out.entry(o.name.clone()).or_insert(0) += 1;
        }
    }
    out
}

/// Pod-template annotations of every Deployment, StatefulSet and DaemonSet (`Kind/name` → annotations).
pub async fn template_annotations(
    client: &Client,
    ns: &str,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let lp = ListParams::default();
    let pick = |t: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>| {
        t.and_then(|m| m.annotations).unwrap_or_default()
    };
    for d in Api::<Deployment>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .map(|l| l.items)
        .unwrap_or_default()
    {
        out.insert(
            format!("Deployment/{}", d.metadata.name.clone().unwrap_or_default()),
            pick(d.spec.map(|s| s.template.metadata).unwrap_or_default()),
        );
    }
    for d in Api::<StatefulSet>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .map(|l| l.items)
        .unwrap_or_default()
    {
        out.insert(
            format!(
                "StatefulSet/{}",
                d.metadata.name.clone().unwrap_or_default()
            ),
            pick(d.spec.map(|s| s.template.metadata).unwrap_or_default()),
        );
    }
    for d in Api::<DaemonSet>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .map(|l| l.items)
        .unwrap_or_default()
    {
        out.insert(
            format!("DaemonSet/{}", d.metadata.name.clone().unwrap_or_default()),
            pick(d.spec.map(|s| s.template.metadata).unwrap_or_default()),
        );
    }
    out
}
