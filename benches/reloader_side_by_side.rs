//! Benchmark: Stakater Reloader and secretsync side by side over the same objects — N Secrets + N
//! ConfigMaps of 4 KiB over 10 namespaces and 200 Deployments annotated `reloader.stakater.com/auto`,
//! each referencing 1–5 of them. Each controller runs out of cluster in turn, behind its own counting
//! proxy to the apiserver; measured: resident memory after 60 s idle, apiserver requests in those
//! 60 s, one edited ConfigMap → a new ReplicaSet (p50/p99), and new ReplicaSets per Deployment when
//! three of its objects are edited at once. `SECRETSYNC_BENCH_RELOADER_N` sets N (default 10000).
//! Run through `cargo xtask bench` (which builds Reloader and writes the section of BENCHMARKS.md).

#[path = "support/api_proxy.rs"]
mod api_proxy;
#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/reload_objects.rs"]
mod objects;
#[path = "support/reload_report.rs"]
mod reload_report;
#[path = "support/report.rs"]
mod report;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use api_proxy::ApiProxy;
use kube::Client;
use objects::{Kind, Obj};
use reload_report::{
    CHANGE_SETS, IDLE, QUIET, RELOADER_VERSION, SAMPLES, SECRETSYNC_FLAGS, Side, TITLE,
};

/// A flag only secretsync's Reloader-compatible engine has: without it, its side is not run.
const ENGINE_FLAG: &str = "--reloader-reload-on-create";

/// The shared state of a run.
struct Bench {
    client: Client,
    namespaces: Vec<String>,
    canary_ns: String,
    version: AtomicU64,
    logs: PathBuf,
}

impl Bench {
    /// A version number never used before (payloads always change).
    fn next_version(&self) -> u64 {
        self.version.fetch_add(1, Ordering::Relaxed)
    }
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("SECRETSYNC_BENCH_RELOADER_N")
        .map(|v| {
            v.parse()
                .unwrap_or_else(|e| panic!("SECRETSYNC_BENCH_RELOADER_N: {v:?}: {e}"))
        })
        .unwrap_or(10_000);
    assert!(
        n >= objects::min_n() && n.is_multiple_of(objects::NAMESPACES),
        "SECRETSYNC_BENCH_RELOADER_N must be a multiple of {} and at least {}",
        objects::NAMESPACES,
        objects::min_n()
    );
    let reloader = std::env::var("SECRETSYNC_RELOADER_BIN").unwrap_or_else(|_| {
        panic!("SECRETSYNC_RELOADER_BIN is not set: run through `cargo xtask bench`, which builds Reloader")
    });
    let (client, scratch) = common::setup("bench-rl-setup").await;
    common::delete_namespace(&client, &scratch).await;
    let mut namespaces = Vec::new();
    for _ in 0..objects::NAMESPACES {
        namespaces.push(common::namespace(&client, "bench-rl").await);
    }
    let canary_ns = common::namespace(&client, "bench-rl-canary").await;
    objects::create_canary(&client, &canary_ns).await;
    let created = objects::create_everything(&client, &namespaces, n).await;
    println!("created everything in {created:.1?}");
    let logs = PathBuf::from(common::testbed_var("SECRETSYNC_TESTBED_DIR")).join("logs");
    let bench = Bench {
        client,
        namespaces,
        canary_ns,
        version: AtomicU64::new(1),
        logs,
    };
    let reloader_side = run_reloader(&bench, &reloader).await;
    let secretsync_side = run_secretsync(&bench).await;
    let section = reload_report::section(n, created, &reloader_side, &secretsync_side);
    report::write_section(TITLE, &section);
    println!("{section}");
    for ns in bench.namespaces.iter().chain([&bench.canary_ns]) {
        common::delete_namespace(&bench.client, ns).await;
    }
}

/// A command's stdout and stderr into one new file.
fn log_to(cmd: &mut Command, path: &Path) {
    if let Ok(file) = std::fs::File::create(path)
        && let Ok(err) = file.try_clone()
    {
        cmd.stdout(file).stderr(err);
    }
}

/// Reloader with its default strategy (env-vars), watching every namespace, in a network namespace
/// of its own (it listens on :9090 of every interface).
async fn run_reloader(bench: &Bench, binary: &str) -> Side {
    println!("== Reloader {RELOADER_VERSION}");
    let binary = binary.to_string();
    let log = bench.logs.join("reloader-bench.log");
    let make = move |kubeconfig: &Path| {
        let mut cmd = Command::new(&binary);
        cmd.args(["--reload-strategy=env-vars", "--log-level=info"])
            .env("KUBECONFIG", kubeconfig)
            .env_remove("KUBERNETES_NAMESPACE");
        log_to(&mut cmd, &log);
        cmd
    };
    let kubeconfig = bench.logs.join("reloader-bench.kubeconfig");
    settle(bench).await;
    let (proxy, child) = api_proxy::start_behind_proxy(&bench.client, kubeconfig, true, make).await;
    measure(bench, proxy, child).await
}

/// secretsync's side: the release controller watching every namespace, when its Reloader engine is
/// in the binary; else why not.
async fn run_secretsync(bench: &Bench) -> Result<Side, String> {
    let binary = common::operator::binary();
    let help = Command::new(&binary)
        .args(["controller", "--help"])
        .output()
        .map_err(|e| format!("running {binary}: {e}"))?;
    if !String::from_utf8_lossy(&help.stdout).contains(ENGINE_FLAG) {
        return Err(format!(
            "not run: this secretsync binary has no Reloader-compatible engine yet (no `{ENGINE_FLAG}`)"
        ));
    }
    println!("== secretsync ({binary})");
    let extra: Vec<String> = std::env::var("SECRETSYNC_BENCH_RELOADER_ARGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let port = common::operator::free_port();
    let log = bench.logs.join("secretsync-reloader-bench.log");
    let make = move |kubeconfig: &Path| {
        let mut cmd = Command::new(&binary);
        cmd.args(["controller", "--metrics-addr", &format!("127.0.0.1:{port}")])
            .args(SECRETSYNC_FLAGS)
            .args(&extra)
            .env("KUBECONFIG", kubeconfig)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(
                ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]
                    .map(|k| (k, common::testbed_var(k))),
            );
        log_to(&mut cmd, &log);
        cmd
    };
    let kubeconfig = bench.logs.join("secretsync-reloader-bench.kubeconfig");
    settle(bench).await;
    let (proxy, child) =
        api_proxy::start_behind_proxy(&bench.client, kubeconfig, false, make).await;
    Ok(measure(bench, proxy, child).await)
}

/// Waits until the deployment controller has caught up with every Deployment of the run.
async fn settle(bench: &Bench) {
    let mut all = bench.namespaces.clone();
    all.push(bench.canary_ns.clone());
    objects::wait_deployments_settled(&bench.client, &all).await;
}

/// Fails with the log's path when the controller has exited.
fn alive(child: &mut Child, what: &str) {
    if let Ok(Some(status)) = child.try_wait() {
        panic!("{what} exited early ({status}); see its log in the test bed's logs folder");
    }
}

/// Runs every measure on a started controller, then stops it.
async fn measure(bench: &Bench, proxy: ApiProxy, mut child: Child) -> Side {
    let started = Instant::now();
    let pid = child.id();
    ready(bench, &mut child, Kind::ConfigMap).await;
    ready(bench, &mut child, Kind::Secret).await;
    let ready = started.elapsed();
    let startup = proxy.counts();
    println!(
        "reacting {ready:.1?} after the start; requests so far: {}",
        api_proxy::detail(&startup)
    );
    quiet(&proxy).await;
    let before = proxy.counts();
    tokio::time::sleep(IDLE).await;
    let idle = api_proxy::diff(&before, &proxy.counts());
    let (hwm_kib, rss_kib) = memory(pid);
    println!(
        "idle {IDLE:?}: {}; VmRSS {rss_kib} KiB, VmHWM {hwm_kib} KiB",
        api_proxy::detail(&idle)
    );
    let mut latencies = Vec::new();
    for i in 0..SAMPLES {
        alive(&mut child, "the controller");
        let took = single_change(bench, i).await;
        println!("sample {i}: edit → new ReplicaSet {took:.2?}");
        latencies.push(took);
    }
    latencies.sort();
    let (restarts, new_replicasets) = change_sets(bench).await;
    println!("restarts per change set: {restarts:?}; new ReplicaSets: {new_replicasets:?}");
    alive(&mut child, "the controller");
    let _ = child.kill();
    let _ = child.wait();
    Side {
        ready,
        startup,
        rss_kib,
        hwm_kib,
        idle,
        latencies,
        restarts,
        new_replicasets,
        isolated: proxy.isolated,
    }
}

/// Waits until the controller has sent no request for 5 s (done with the canary), polling every
/// second, for at most 60 s.
async fn quiet(proxy: &ApiProxy) {
    let start = Instant::now();
    let (mut last, mut since) = (proxy.counts(), Instant::now());
    while since.elapsed() < Duration::from_secs(5) && start.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = proxy.counts();
        if now != last {
            (last, since) = (now, Instant::now());
        }
    }
    println!("controller quiet after {:.1?}", start.elapsed());
}

/// Polls every 50 ms until Deployment `name` in `ns` has a ReplicaSet not in `before`, for at most
/// `deadline`; returns whether it did.
async fn new_replicaset(
    client: &Client,
    ns: &str,
    name: &str,
    before: &BTreeSet<String>,
    deadline: Duration,
) -> bool {
    let start = Instant::now();
    while start.elapsed() < deadline {
        let now = objects::replicasets(client, ns, name).await;
        if now.iter().any(|rs| !before.contains(rs)) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Edits the canary's object of `kind` until an edit restarts the canary Deployment (the controller
/// has listed everything and reacts), for at most 15 minutes.
async fn ready(bench: &Bench, child: &mut Child, kind: Kind) {
    let obj = Obj {
        kind,
        ns: 0,
        local: 0,
    };
    let name = objects::deployment_name(1);
    let canary = [bench.canary_ns.clone()];
    let start = Instant::now();
    loop {
        alive(child, "the controller");
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "the controller did not react to a canary edit within 15 minutes"
        );
        let before: BTreeSet<String> = objects::replicasets(&bench.client, &canary[0], &name)
            .await
            .into_iter()
            .collect();
        objects::edit(&bench.client, &canary, &obj, bench.next_version()).await;
        let window = Duration::from_secs(5);
        if new_replicaset(&bench.client, &canary[0], &name, &before, window).await {
            return;
        }
    }
}

/// Edits the first ConfigMap of Deployment `i` and times it to a new ReplicaSet of that Deployment.
async fn single_change(bench: &Bench, i: usize) -> Duration {
    let d = i % objects::WORKLOADS;
    let (ns, name) = (
        &bench.namespaces[objects::deployment_ns(d)],
        objects::deployment_name(d),
    );
    let obj = objects::references(d)[0];
    let before: BTreeSet<String> = objects::replicasets(&bench.client, ns, &name)
        .await
        .into_iter()
        .collect();
    let start = Instant::now();
    objects::edit(&bench.client, &bench.namespaces, &obj, bench.next_version()).await;
    let deadline = Duration::from_secs(120);
    assert!(
        new_replicaset(&bench.client, ns, &name, &before, deadline).await,
        "no new ReplicaSet of {ns}/{name} within {deadline:?} after editing {}",
        obj.name()
    );
    start.elapsed()
}

/// The Deployments of the change sets: ones with at least three objects, after the sampled ones.
fn change_set_deployments() -> Vec<usize> {
    (SAMPLES..objects::WORKLOADS)
        .filter(|d| objects::references(*d).len() >= 3)
        .take(CHANGE_SETS)
        .collect()
}

/// Deployment `d`'s generation and ReplicaSet names.
async fn state_of(bench: &Bench, d: usize) -> (i64, BTreeSet<String>) {
    let ns = &bench.namespaces[objects::deployment_ns(d)];
    let name = objects::deployment_name(d);
    let generation = objects::generation(&bench.client, ns, &name).await;
    let rs = objects::replicasets(&bench.client, ns, &name).await;
    (generation, rs.into_iter().collect())
}

/// Edits three objects of each change-set Deployment at once, waits until every one has restarted
/// and neither its generation nor its ReplicaSets changed for `QUIET`; returns the restarts
/// (generation increments) and the new ReplicaSets per Deployment.
async fn change_sets(bench: &Bench) -> (Vec<usize>, Vec<usize>) {
    let ds = change_set_deployments();
    let states = || futures::future::join_all(ds.iter().map(|d| state_of(bench, *d)));
    let before = states().await;
    let edits = ds.iter().flat_map(|d| {
        objects::references(*d)
            .into_iter()
            .take(3)
            .map(|obj| (obj, bench.next_version()))
            .collect::<Vec<_>>()
    });
    futures::future::join_all(edits.map(|(obj, v)| async move {
        objects::edit(&bench.client, &bench.namespaces, &obj, v).await
    }))
    .await;
    let start = Instant::now();
    let (mut last, mut since) = (None, Instant::now());
    loop {
        let now = states().await;
        let counts: (Vec<usize>, Vec<usize>) = now
            .iter()
            .zip(&before)
            .map(|((g, rs), (g0, rs0))| ((g - g0).max(0) as usize, rs.difference(rs0).count()))
            .unzip();
        if last.as_ref() != Some(&counts) {
            (last, since) = (Some(counts.clone()), Instant::now());
        }
        if counts.0.iter().all(|c| *c >= 1) && since.elapsed() >= QUIET {
            return counts;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "change sets not settled within 300 s: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// (VmHWM, VmRSS) of a process in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}
