//! Benchmark: the number a user feels. The controller runs in-cluster (Helm, the image from
//! `cargo xtask image`, two replicas) on the test bed's node; each sample runs from a rotation
//! (`PutSecretValue`) until a new app Pod is Running and prints the new value. Also the controller
//! Pod's memory from the kubelet's cgroup. Run through `cargo xtask bench`, which writes BENCHMARKS.md.

#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/report.rs"]
mod report;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::helm::{Release, fullname, release_name};
use common::in_cluster::*;
use common::{apply, create_remote, rotate_remote, sm};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams};

const SAMPLES: usize = 5;
const TITLE: &str = "## Rotation to a new app Pod (in-cluster controller, `refreshInterval: 10s`)";

/// The cgroup folder (memory hierarchy) of a container: `pod<uid>/<container id>` under the node's root.
fn container_cgroup(pod_uid: &str, container_id: &str) -> Option<PathBuf> {
    fn find(dir: &Path, name: &str, depth: usize) -> Option<PathBuf> {
        for e in std::fs::read_dir(dir).ok()?.flatten() {
            let path = e.path();
            if !path.is_dir() {
                continue;
            }
            if e.file_name().to_str() == Some(name) {
                return Some(path);
            }
            if depth > 0
                && let Some(found) = find(&path, name, depth - 1)
            {
                return Some(found);
            }
        }
        None
    }
    // The test bed's own cgroup root (derived per checkout; the legacy fixed name for older beds).
    let root_name = common::testbed_env()
        .remove("SECRETSYNC_NODE_CGROUP_ROOT")
        .unwrap_or_else(|| "secretsync-testbed".to_string());
    let root = Path::new("/sys/fs/cgroup/memory").join(root_name);
    let pod = find(&root, &format!("pod{pod_uid}"), 3)?;
    Some(pod.join(container_id)).filter(|p| p.is_dir())
}

fn read_number(path: &Path, key: Option<&str>) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    match key {
        None => text.trim().parse().ok(),
        Some(k) => text
            .lines()
            .find_map(|l| l.strip_prefix(k)?.trim().parse().ok()),
    }
}

#[tokio::main]
async fn main() {
    let client = common::client().await;
    require_node_with_image(&client).await;
    common::install_crds(&client).await;
    let sys = common::namespace(&client, "bench-pod-sys").await;
    let app = common::namespace(&client, "bench-pod-app").await;
    let release = release_name(&sys);
    let sets = helm_values(&app);
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let installed = Release::install_on_node(&release, &sys, &sets, &[&sys, &app]);
    let controllers: Api<Pod> = Api::namespaced(client.clone(), &sys);
    common::wait_for(
        "two controller Pods Ready",
        Duration::from_secs(120),
        || async { Some(ready_controllers(&controllers).await).filter(|r| r.len() == 2) },
    )
    .await;
    let sm = sm();
    let key = format!("{app}/db");
    create_remote(&sm, &key, "bench-pod-0").await;
    let store = format!("bench-{app}");
    apply(&client, &app, &store_and_app(&store, &key, "10s", 0)).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &app);
    let mut seen = BTreeSet::new();
    seen.insert(wait_for_app_printing(&pods, &seen, "env=bench-pod-0").await);
    let mut samples = Vec::new();
    for i in 1..=SAMPLES {
        let value = format!("bench-pod-{i}");
        let t0 = Instant::now();
        rotate_remote(&sm, &key, &value).await;
        let pod = wait_for_app_printing(&pods, &seen, &format!("env={value}")).await;
        samples.push(t0.elapsed());
        println!(
            "sample {i}: rotation → new Pod {pod} printing the new value: {:.2?}",
            t0.elapsed()
        );
        seen.insert(pod);
    }
    samples.sort();
    let (min, med, max) = (
        samples[0].as_secs_f64(),
        samples[samples.len() / 2].as_secs_f64(),
        samples[samples.len() - 1].as_secs_f64(),
    );
    // The leader's memory, as the kubelet accounts it.
    let leases: Api<Lease> = Api::namespaced(client.clone(), &sys);
    let leader = holder(&leases, &format!("{}-leader", fullname(&release)))
        .await
        .expect("a leader");
    let pod = controllers.get(&leader).await.expect("the leader Pod");
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let container_id = pod
        .status
        .and_then(|s| s.container_statuses)
        .and_then(|c| c.into_iter().next())
        .and_then(|c| c.container_id)
        .unwrap_or_default()
        .rsplit("://")
        .next()
        .unwrap_or_default()
        .to_string();
    let cgroup = container_cgroup(&uid, &container_id).expect("the controller container's cgroup");
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let rss = read_number(&cgroup.join("memory.stat"), Some("total_rss ")).unwrap_or(0);
    let peak = read_number(&cgroup.join("memory.max_usage_in_bytes"), None).unwrap_or(0);
    // The same process seen from /proc (its pid from the cgroup): resident set and high-water mark.
    let status = std::fs::read_to_string(cgroup.join("cgroup.procs"))
        .ok()
        .and_then(|p| p.lines().next().map(str::trim).map(String::from))
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| {
                l.strip_prefix(key)?
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or(0)
    };
    let (vm_rss, vm_hwm) = (kib("VmRSS:"), kib("VmHWM:"));
    let image = std::fs::metadata(common::helm::repo().join("target/image/secretsync.tar"))
        .map(|m| mib(m.len()))
        .unwrap_or(0.0);
    let section = format!(
        "{TITLE}\n\n\
         Measured by `cargo xtask bench` on the local test bed with its node: `helm install` of the chart with the image \
         from `cargo xtask image` ({image:.1} MiB archive), two replicas, web identity at the emulator's STS, a \
         ClusterSecretStore without auth; a busybox Deployment reads the Secret as env and file and prints it. \
         {SAMPLES} rotations with `PutSecretValue`, each from the rotation until a new app Pod is Running and prints \
         the new value (the controller's `--rollout-settle` is 1 s here; the default is 5 s).\n\n\
         | measure | min | median | max |\n|---|---|---|---|\n\
         | rotation → new app Pod printing the new value | {min:.1} s | {med:.1} s | {max:.1} s |\n\n\
         Controller Pod memory (the leader, from the kubelet's cgroup `memory.stat` / `memory.max_usage_in_bytes`, \
         after the rotations, one ExternalSecret): anonymous RSS {:.1} MiB, peak usage (anonymous + page cache) \
         {:.1} MiB; the process's own VmRSS {:.1} MiB, VmHWM {:.1} MiB (these also count the binary's mapped code).\n",
        mib(rss),
        mib(peak),
        vm_rss as f64 / 1024.0,
        vm_hwm as f64 / 1024.0
    );
    report::write_section(TITLE, &section);
    println!("{section}");
    drop(installed);
    let stores: Api<secretsync::api::ClusterSecretStore> = Api::all(client.clone());
    let _ = stores.delete(&store, &DeleteParams::default()).await;
    common::delete_namespace(&client, &app).await;
    common::delete_namespace(&client, &sys).await;
}
