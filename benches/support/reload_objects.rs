//! The objects of the Reloader side-by-side benchmark: ConfigMaps and Secrets of 4 KiB spread over
//! namespaces, and Deployments annotated `reloader.stakater.com/auto: "true"` that each reference
//! 1–5 of them (envFrom, env, volume, in turn), no two Deployments the same object.

use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Client;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

/// Namespaces the objects are spread over.
pub const NAMESPACES: usize = 10;
/// Deployments.
pub const WORKLOADS: usize = 200;
/// Bytes of data per ConfigMap and Secret.
pub const SIZE: usize = 4096;
/// Requests in flight at once when creating the objects.
pub const CONCURRENCY: usize = 16;
/// The image the Deployments' template names (the test bed's busybox; no Pod runs, see `replicas`).
const IMAGE: &str = "localhost/busybox:testbed";

/// A ConfigMap or a Secret.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A ConfigMap (`cm-NNNNN`).
    ConfigMap,
    /// A Secret (`sec-NNNNN`).
    Secret,
}

/// One object: kind, namespace index, number within the namespace.
#[derive(Clone, Copy, Debug)]
pub struct Obj {
    /// ConfigMap or Secret.
    pub kind: Kind,
    /// Index into the namespaces.
    pub ns: usize,
    /// Number within its namespace.
    pub local: usize,
}

impl Obj {
    /// The object's name.
    pub fn name(&self) -> String {
        match self.kind {
            Kind::ConfigMap => format!("cm-{:05}", self.local),
            Kind::Secret => format!("sec-{:05}", self.local),
        }
    }
}

/// The smallest N (objects of each kind) the layout fits in: every Deployment's objects are distinct.
pub fn min_n() -> usize {
    (WORKLOADS / NAMESPACES) * 3 * NAMESPACES
}

/// Deployment `d`'s name.
pub fn deployment_name(d: usize) -> String {
    format!("d-{d:03}")
}

/// The namespace index of Deployment `d`.
pub fn deployment_ns(d: usize) -> usize {
    d % NAMESPACES
}

/// The objects Deployment `d` references (1 + d % 5 of them: ConfigMap, Secret, ConfigMap, …).
pub fn references(d: usize) -> Vec<Obj> {
    let m = d / NAMESPACES;
    (0..1 + d % 5)
        .map(|j| Obj {
            kind: if j % 2 == 0 {
                Kind::ConfigMap
            } else {
                Kind::Secret
            },
            ns: deployment_ns(d),
            local: m * 3 + j / 2,
        })
        .collect()
}

/// 4 KiB of text naming the object and its version.
pub fn payload(obj: &Obj, version: u64) -> String {
    let mut text = format!("{}-{}-v{version}-", obj.ns, obj.name());
    while text.len() < SIZE {
        text.push('x');
    }
    text.truncate(SIZE);
    text
}

/// The object as created.
fn object(obj: &Obj) -> Value {
    let data = json!({ "data": payload(obj, 0) });
    match obj.kind {
        Kind::ConfigMap => json!({ "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": { "name": obj.name() }, "data": data }),
        Kind::Secret => json!({ "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": { "name": obj.name() }, "stringData": data }),
    }
}

/// Deployment `d`: no replicas (a template change still makes a new ReplicaSet), one container that
/// takes its objects through envFrom, env and a mounted volume in turn.
fn deployment(d: usize) -> Value {
    let name = deployment_name(d);
    let (mut env_from, mut env, mut mounts, mut volumes) = (vec![], vec![], vec![], vec![]);
    for (j, obj) in references(d).iter().enumerate() {
        let (reference, key_ref, volume) = match obj.kind {
            Kind::ConfigMap => ("configMapRef", "configMapKeyRef", "configMap"),
            Kind::Secret => ("secretRef", "secretKeyRef", "secret"),
        };
        let named = match obj.kind {
            Kind::ConfigMap => json!({ "name": obj.name() }),
            Kind::Secret => json!({ "secretName": obj.name() }),
        };
        match j % 3 {
            0 => env_from.push(json!({ reference: { "name": obj.name() } })),
            1 => env.push(json!({ "name": format!("REF_{j}"),
                "valueFrom": { key_ref: { "name": obj.name(), "key": "data" } } })),
            _ => {
                volumes.push(json!({ "name": format!("v{j}"), volume: named }));
                mounts.push(json!({ "name": format!("v{j}"), "mountPath": format!("/ref/{j}") }));
            }
        }
    }
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": name, "annotations": { "reloader.stakater.com/auto": "true" } },
        "spec": {
            "replicas": 0,
            "selector": { "matchLabels": { "bench-app": name } },
            "template": {
                "metadata": { "labels": { "bench-app": name } },
                "spec": {
                    "terminationGracePeriodSeconds": 1,
                    "containers": [{ "name": "app", "image": IMAGE, "imagePullPolicy": "Never",
                        "command": ["sleep", "3600"], "envFrom": env_from, "env": env,
                        "volumeMounts": mounts }],
                    "volumes": volumes
                }
            }
        }
    })
}

/// Creates `objects` (namespace, JSON) with `CONCURRENCY` requests in flight.
async fn create_all<K>(client: &Client, objects: Vec<(String, Value)>)
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + serde::Serialize
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    stream::iter(objects)
        .map(|(ns, value)| {
            let api: Api<K> = Api::namespaced(client.clone(), &ns);
            async move {
                let obj: K = serde_json::from_value(value)
                    .unwrap_or_else(|e| panic!("building an object: {e}"));
                api.create(&PostParams::default(), &obj)
                    .await
                    .unwrap_or_else(|e| panic!("creating an object in {ns}: {e}"));
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
}

/// Creates N ConfigMaps and N Secrets over `namespaces`, then the Deployments; returns the time taken.
pub async fn create_everything(client: &Client, namespaces: &[String], n: usize) -> Duration {
    let start = Instant::now();
    let per_ns = n / NAMESPACES;
    for kind in [Kind::ConfigMap, Kind::Secret] {
        let objects: Vec<(String, Value)> = (0..per_ns)
            .flat_map(|local| (0..NAMESPACES).map(move |ns| Obj { kind, ns, local }))
            .map(|o| (namespaces[o.ns].clone(), object(&o)))
            .collect();
        match kind {
            Kind::ConfigMap => create_all::<ConfigMap>(client, objects).await,
            Kind::Secret => create_all::<Secret>(client, objects).await,
        }
        println!("created {n} {kind:?}s at {:.1?}", start.elapsed());
    }
    let deployments = (0..WORKLOADS)
        .map(|d| (namespaces[deployment_ns(d)].clone(), deployment(d)))
        .collect();
    create_all::<Deployment>(client, deployments).await;
    start.elapsed()
}

/// Writes a new 4 KiB payload (version `version`) into an object.
pub async fn edit(client: &Client, namespaces: &[String], obj: &Obj, version: u64) {
    let ns = &namespaces[obj.ns];
    let data = json!({ "data": payload(obj, version) });
    let pp = PatchParams::default();
    let result = match obj.kind {
        Kind::ConfigMap => Api::<ConfigMap>::namespaced(client.clone(), ns)
            .patch(&obj.name(), &pp, &Patch::Merge(json!({ "data": data })))
            .await
            .map(|_| ()),
        Kind::Secret => Api::<Secret>::namespaced(client.clone(), ns)
            .patch(
                &obj.name(),
                &pp,
                &Patch::Merge(json!({ "stringData": data })),
            )
            .await
            .map(|_| ()),
    };
    result.unwrap_or_else(|e| panic!("editing {ns}/{}: {e}", obj.name()));
}

/// The names of Deployment `name`'s ReplicaSets in `ns`.
pub async fn replicasets(client: &Client, ns: &str, name: &str) -> Vec<String> {
    let api: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
    api.list(&ListParams::default().labels(&format!("bench-app={name}")))
        .await
        .map(|l| l.items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|rs| rs.metadata.name)
        .collect()
}

/// The canary: a ConfigMap and a Secret (`local` 0 in namespace index 0 of its own namespace list)
/// and Deployment 0's shape referencing both, in namespace `ns`.
pub async fn create_canary(client: &Client, ns: &str) {
    let cm = Obj {
        kind: Kind::ConfigMap,
        ns: 0,
        local: 0,
    };
    let secret = Obj {
        kind: Kind::Secret,
        ..cm
    };
    create_all::<ConfigMap>(client, vec![(ns.to_string(), object(&cm))]).await;
    create_all::<Secret>(client, vec![(ns.to_string(), object(&secret))]).await;
    // Deployment 1 references one ConfigMap and one Secret, local 0 of each.
    create_all::<Deployment>(client, vec![(ns.to_string(), deployment(1))]).await;
}

/// Deployment `name`'s `metadata.generation` (each template change adds one: each restart).
pub async fn generation(client: &Client, ns: &str, name: &str) -> i64 {
    Api::<Deployment>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .ok()
        .and_then(|d| d.metadata.generation)
        .unwrap_or(0)
}

/// Waits until the deployment controller has caught up with every Deployment in `namespaces`
/// (observedGeneration = generation), so a new ReplicaSet times the controller under measure and
/// not a backlog; at most 10 minutes.
pub async fn wait_deployments_settled(client: &Client, namespaces: &[String]) {
    let start = Instant::now();
    loop {
        let mut behind = 0;
        for ns in namespaces {
            let list = Api::<Deployment>::namespaced(client.clone(), ns)
                .list(&ListParams::default())
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            behind += list
                .iter()
                .filter(|d| {
                    let observed = d.status.as_ref().and_then(|s| s.observed_generation);
                    observed.is_none() || observed != d.metadata.generation
                })
                .count();
        }
        if behind == 0 {
            println!(
                "deployment controller caught up after {:.1?}",
                start.elapsed()
            );
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "{behind} Deployments still not observed by the deployment controller after 10 minutes"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
