//! Benchmark: N ExternalSecrets with `refreshInterval: 1m` on the test bed, in two shapes — (a) N
//! ExternalSecrets over N distinct JSON secrets, one `property` each; (b) N ExternalSecrets over 100
//! shared secrets. For each it measures first sync against a plain-client floor, AWS calls and
//! kube-apiserver requests per idle interval, 100 new ExternalSecrets while the N refresh (against an
//! idle controller), rotation latency, and the controller's memory high-water mark.
//!
//! `SECRETSYNC_BENCH_N` lists the sizes (comma-separated, default `1000`). `10000` works but takes long
//! (creating the remote secrets and the first sync dominate: plan on an hour or more on 2 cores).
//! Each run starts a private moto and a controller scoped to the run's namespace. The apiserver counts
//! every client's requests: run it when nothing else uses the test bed (it is not part of CI).
//! Run through `cargo xtask bench`, which writes the section of BENCHMARKS.md.

#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/report.rs"]
mod report;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use secretsync::api::ExternalSecret;
use serde_json::{Value, json};

use common::moto::Moto;
use common::operator::Operator;

const TITLE: &str = "## Scale (N ExternalSecrets, refreshInterval 1m)";
/// Requests in flight at once when the bench creates its inputs.
const CONCURRENCY: usize = 16;
/// Requests in flight at once for the floor: the controller's default `--concurrency`.
const FLOOR_CONCURRENCY: usize = 64;
const SHARED: usize = 100;
const NEW: usize = 100;
const ROTATED: usize = 10;
const INTERVAL: Duration = Duration::from_secs(60);
/// One interval plus its ±10% jitter and a margin, before the idle window starts.
const SETTLE: Duration = Duration::from_secs(75);
const MANAGER: &str = "secretsync-bench";
const KUBE_RESOURCES: [&str; 6] = [
    "secrets",
    "secretstores",
    "clustersecretstores",
    "namespaces",
    "externalsecrets",
    "events",
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Shape {
    Distinct,
    Shared,
}

impl Shape {
    fn describe(self, n: usize) -> String {
        match self {
            Shape::Distinct => format!("(a) {n} ExternalSecrets over {n} distinct secrets"),
            Shape::Shared => format!("(b) {n} ExternalSecrets over {SHARED} shared secrets"),
        }
    }

    /// Remote secrets to create: every ExternalSecret's, the 100 new ones' included.
    fn remote_count(self, n: usize) -> usize {
        match self {
            Shape::Distinct => n + NEW,
            Shape::Shared => SHARED,
        }
    }

    /// The remote key ExternalSecret `i` reads (and remote secret `i` for `i < remote_count`).
    fn key(self, i: usize) -> String {
        match self {
            Shape::Distinct => format!("scale/s{i:05}"),
            Shape::Shared => format!("scale/shared/{:03}", i % SHARED),
        }
    }
}

/// Per-interval counters, keyed by a display label.
type Counts = BTreeMap<String, f64>;

struct Idle {
    aws: Counts,
    kube: BTreeMap<(String, String), f64>,
    /// The controller's own apiserver requests (`secretsync_kube_api_requests_total`), by "verb resource".
    own: Counts,
}

struct RunResult {
    n: usize,
    shape: Shape,
    floor: Floor,
    /// kube-apiserver and moto CPU seconds during the first sync (controller start to all Ready).
    sync_testbed_cpu: TestBedCpu,
    create: Duration,
    first_sync: Duration,
    /// AWS calls from the controller's start until all N were Ready.
    sync_calls: Counts,
    /// apiserver requests from the controller's start until all N were Ready.
    sync_kube: BTreeMap<(String, String), f64>,
    /// The controller's own apiserver requests from its start until all N were Ready.
    sync_own: Counts,
    /// CPU seconds the controller used from its start until all N were Ready.
    sync_cpu: f64,
    idle: Idle,
    new_busy: Duration,
    new_idle: Duration,
    rotation: Vec<Duration>,
    hwm_kib: u64,
    rss_kib: u64,
}

#[tokio::main]
async fn main() {
    let sizes = sizes();
    let binary = common::operator::binary();
    println!("scale bench: N = {sizes:?}, controller binary {binary}");
    let (client, scratch) = common::setup("bench-scale-setup").await;
    common::delete_namespace(&client, &scratch).await;
    let mut results = Vec::new();
    for &n in &sizes {
        for shape in [Shape::Distinct, Shape::Shared] {
            let r = run(&client, n, shape).await;
            println!("{}", table(&r));
            results.push(r);
        }
    }
    let section = section(&results, &binary);
    report::write_section(TITLE, &section);
    println!("{section}");
}

/// The sizes from `SECRETSYNC_BENCH_N` (default 1000).
fn sizes() -> Vec<usize> {
    let text = std::env::var("SECRETSYNC_BENCH_N").unwrap_or_else(|_| "1000".into());
    let sizes: Vec<usize> = text
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|e| panic!("SECRETSYNC_BENCH_N: {s:?}: {e}"))
        })
        .collect();
    assert!(
        sizes.iter().all(|&n| n >= SHARED),
        "SECRETSYNC_BENCH_N: each N must be at least {SHARED}"
    );
    sizes
}

/// One size and shape, from an empty moto to the idle-controller baseline.
async fn run(client: &Client, n: usize, shape: Shape) -> RunResult {
    println!("== {}", shape.describe(n));
    wait_for_quiet(client).await;
    let moto = Moto::start(&[]).await;
    let sm = common::sm_at(&moto.endpoint(), None);
    create_remotes(&sm, shape, n).await;
    let floor = measure_floor(client, shape, n).await;
    println!(
        "floor: {:.1?}; with the status write: {:.1?}",
        floor.secrets, floor.with_status
    );
    let ns = common::namespace(client, "bench-scale").await;
    common::apply(client, &ns, &common::store_yaml("aws", &moto.endpoint())).await;
    let (op, create, first_sync, sync_kube, sync_testbed_cpu) =
        first_sync(client, &ns, shape, n, &moto).await;
    let sync_cpu = cpu_seconds(op.pid());
    let sync_calls = aws_calls(&op);
    let sync_own = own_requests(&op);
    println!("first sync: {first_sync:.1?} (creating beforehand: {create:.1?})");
    tokio::time::sleep(SETTLE).await;
    let idle = measure_idle(client, &op).await;
    let new_busy = new_batch(client, &ns, shape, n).await;
    println!("100 new while refreshing: {new_busy:.1?}");
    let rotation = rotate(client, &ns, &sm, shape).await;
    let (hwm_kib, rss_kib) = memory(op.pid());
    drop(op);
    delete_namespace_and_wait(client, &ns).await;
    let new_idle = idle_baseline(client, &moto, shape, n).await;
    println!("100 new on an idle controller: {new_idle:.1?}");
    RunResult {
        n,
        shape,
        floor,
        sync_testbed_cpu,
        create,
        first_sync,
        sync_calls,
        sync_kube,
        sync_own,
        sync_cpu,
        idle,
        new_busy,
        new_idle,
        rotation,
        hwm_kib,
        rss_kib,
    }
}

/// Starts the controller on `ns` with info logging (debug logging at scale measures the logger).
async fn start_operator(ns: &str) -> Operator {
    Operator::start_with(ns, "", &[], &[("RUST_LOG", "info")]).await
}

/// The JSON value of remote secret `i` at `version` (0 = created, 1 = rotated).
fn remote_value(i: usize, version: u32) -> String {
    json!({ "value": format!("v{version}-{i}"), "other": "unused" }).to_string()
}

/// Creates every remote secret of the run, `CONCURRENCY` at a time.
async fn create_remotes(sm: &aws_sdk_secretsmanager::Client, shape: Shape, n: usize) {
    let start = Instant::now();
    stream::iter(0..shape.remote_count(n))
        .map(|i| async move { common::create_remote(sm, &shape.key(i), &remote_value(i, 0)).await })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    println!(
        "created {} remote secrets in {:.1?}",
        shape.remote_count(n),
        start.elapsed()
    );
}

/// The name of ExternalSecret `i` and of its target Secret.
fn es_name(i: usize) -> String {
    format!("es-{i:05}")
}

/// The value ExternalSecret `i` syncs while nothing is rotated.
fn synced_value(shape: Shape, i: usize) -> String {
    match shape {
        Shape::Distinct => format!("v0-{i}"),
        Shape::Shared => format!("v0-{}", i % SHARED),
    }
}

/// ExternalSecret `i`, labelled with its batch, reading property `value` of its remote key.
fn es_object(shape: Shape, i: usize, batch: &str) -> (String, Value) {
    let obj = json!({
        "apiVersion": "secretsync.io/v1alpha1",
        "kind": "ExternalSecret",
        "metadata": { "name": es_name(i), "labels": { "bench-batch": batch } },
        "spec": {
            "secretStoreRef": { "name": "aws" },
            "refreshInterval": "1m",
            "data": [{ "secretKey": "value", "remoteRef": { "key": shape.key(i), "property": "value" } }]
        }
    });
    (es_name(i), obj)
}

/// The Secret the controller writes for ExternalSecret `i`, as a plain client would apply it.
fn secret_object(shape: Shape, i: usize) -> (String, Value) {
    let value = k8s_openapi::ByteString(synced_value(shape, i).into_bytes());
    let obj = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": { "name": es_name(i) },
        "type": "Opaque",
        "data": { "value": value }
    });
    (es_name(i), obj)
}

/// Server-side applies every object, `CONCURRENCY` at a time; returns the wall time.
async fn apply_all<K>(api: &Api<K>, objects: Vec<(String, Value)>) -> Duration
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    apply_all_at(api, objects, CONCURRENCY).await
}

/// Server-side applies every object, `in_flight` at a time; returns the wall time.
async fn apply_all_at<K>(api: &Api<K>, objects: Vec<(String, Value)>, in_flight: usize) -> Duration
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let pp = PatchParams::apply(MANAGER);
    let start = Instant::now();
    stream::iter(objects)
        .map(|(name, obj)| {
            let (api, pp) = (api.clone(), pp.clone());
            async move {
                api.patch(&name, &pp, &Patch::Apply(&obj))
                    .await
                    .unwrap_or_else(|e| panic!("applying {name}: {e}"));
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>()
        .await;
    start.elapsed()
}

/// The floors of a first sync, measured with a plain client in fresh namespaces.
struct Floor {
    /// Applying the same N Secrets (the floor).
    secrets: Duration,
    /// kube-apiserver CPU seconds spent on it.
    secrets_cpu: f64,
    /// Applying each Secret and then the status of its (pre-created) ExternalSecret: the two writes
    /// the API contract needs per ExternalSecret (Ready is on the status).
    with_status: Duration,
    /// kube-apiserver CPU seconds spent on it.
    with_status_cpu: f64,
}

/// The floors: a plain client applying the same N Secrets in a fresh namespace; then, in another,
/// each Secret followed by the status the controller writes for it.
async fn measure_floor(client: &Client, shape: Shape, n: usize) -> Floor {
    let ns = common::namespace(client, "bench-floor").await;
    let api: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let objects = (0..n).map(|i| secret_object(shape, i)).collect();
    let cpu0 = apiserver_cpu_seconds();
    let secrets = apply_all_at(&api, objects, FLOOR_CONCURRENCY).await;
    let secrets_cpu = apiserver_cpu_seconds() - cpu0;
    delete_namespace_and_wait(client, &ns).await;

    // No controller watches this namespace: the ExternalSecrets only carry the statuses applied here.
    let ns = common::namespace(client, "bench-floor-status").await;
    let secrets_api: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let es_api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    apply_all(
        &es_api,
        (0..n).map(|i| es_object(shape, i, "floor")).collect(),
    )
    .await;
    let pp = PatchParams::apply(MANAGER).force();
    let cpu0 = apiserver_cpu_seconds();
    let start = Instant::now();
    stream::iter(0..n)
        .map(|i| {
            let (secrets_api, es_api, pp) = (secrets_api.clone(), es_api.clone(), pp.clone());
            async move {
                let (name, secret) = secret_object(shape, i);
                secrets_api
                    .patch(&name, &pp, &Patch::Apply(&secret))
                    .await
                    .unwrap_or_else(|e| panic!("applying Secret {name}: {e}"));
                es_api
                    .patch_status(&name, &pp, &Patch::Apply(&floor_status(shape, i)))
                    .await
                    .unwrap_or_else(|e| panic!("applying the status of {name}: {e}"));
            }
        })
        .buffer_unordered(FLOOR_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let with_status = start.elapsed();
    let with_status_cpu = apiserver_cpu_seconds() - cpu0;
    delete_namespace_and_wait(client, &ns).await;
    Floor {
        secrets,
        secrets_cpu,
        with_status,
        with_status_cpu,
    }
}

/// A status like the one the controller writes after a first sync (Ready, versions, source, times).
fn floor_status(shape: Shape, i: usize) -> Value {
    let now = jiff::Timestamp::now().to_string();
    json!({
        "apiVersion": "secretsync.io/v1alpha1",
        "kind": "ExternalSecret",
        "status": {
            "conditions": [{
                "type": "Ready",
                "status": "True",
                "reason": "Synced",
                "message": format!("Secret {:?} holds 1 remote version(s)", es_name(i)),
                "lastTransitionTime": now,
                "observedGeneration": 1
            }],
            "observedGeneration": 1,
            "refreshTime": now,
            "syncedVersions": { shape.key(i): "00000000-0000-0000-0000-000000000001" },
            "syncedFrom": "SecretStore/aws region=us-east-1"
        }
    })
}

/// The test bed's kube-apiserver CPU seconds (utime + stime from /proc: it runs on this machine, and
/// its /metrics carries no process metrics). Panics if no kube-apiserver process is found.
fn apiserver_cpu_seconds() -> f64 {
    let pid = std::fs::read_dir("/proc")
        .unwrap_or_else(|e| panic!("reading /proc: {e}"))
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "kube-apiserver")
        })
        .unwrap_or_else(|| panic!("no kube-apiserver process: is the test bed up?"));
    cpu_seconds(pid)
}

/// Deletes a namespace and waits until the namespace controller has removed it.
async fn delete_namespace_and_wait(client: &Client, ns: &str) {
    // Secrets first: a namespace deleted with thousands of Secrets owned by its ExternalSecrets leaves
    // the garbage collector looking each one up (a GET per Secret at kube-controller-manager's client
    // rate, minutes at N = 10,000), which would land in the next run's measurements.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let start = Instant::now();
    let _ = secrets
        .delete_collection(&DeleteParams::default(), &ListParams::default())
        .await;
    while !secrets
        .list_metadata(&ListParams::default().limit(1))
        .await
        .is_ok_and(|l| l.items.is_empty())
    {
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "Secrets of {ns} still there after 15 minutes"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    common::delete_namespace(client, ns).await;
    let api: Api<Namespace> = Api::all(client.clone());
    while !matches!(api.get_opt(ns).await, Ok(None)) {
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "namespace {ns} still there after 15 minutes"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    wait_for_quiet(client).await;
}

/// Waits until no client has read a Secret for 10 s (what a deleted namespace leaves behind is done),
/// so the next measurement sees only its own requests.
async fn wait_for_quiet(client: &Client) {
    let secret_gets = |counts: &BTreeMap<(String, String), f64>| {
        counts
            .iter()
            .filter(|((verb, resource), _)| verb == "GET" && resource == "secrets")
            .map(|(_, v)| *v)
            .sum::<f64>()
    };
    let start = Instant::now();
    let mut last = secret_gets(&apiserver_requests(client).await);
    loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let now = secret_gets(&apiserver_requests(client).await);
        if now == last {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(1800),
            "other clients still read Secrets after 30 minutes ({} GETs in the last 10 s)",
            now - last
        );
        last = now;
    }
    println!("test bed quiet after {:.1?}", start.elapsed());
}

/// Creates the N ExternalSecrets with no controller running, then starts the controller and times it
/// until all are Ready (a watch sees each Ready condition as it is written). Returns the controller,
/// the creation time, the first sync, the apiserver requests made during it and the CPU the test
/// bed's kube-apiserver and moto spent in it.
async fn first_sync(
    client: &Client,
    ns: &str,
    shape: Shape,
    n: usize,
    moto: &Moto,
) -> (
    Operator,
    Duration,
    Duration,
    BTreeMap<(String, String), f64>,
    TestBedCpu,
) {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let create = apply_all(
        &api,
        (0..n).map(|i| es_object(shape, i, "initial")).collect(),
    )
    .await;
    let deadline = Duration::from_secs(300 + n as u64 / 5);
    let kube0 = apiserver_requests(client).await;
    let moto_cpu = || moto.pid().map_or(0.0, cpu_seconds);
    let (apiserver0, moto0) = (apiserver_cpu_seconds(), moto_cpu());
    let start = Instant::now();
    let watch = tokio::spawn(watch_all_ready(api, "initial", n, deadline));
    let op = start_operator(ns).await;
    watch
        .await
        .unwrap_or_else(|e| panic!("watching the first sync: {e}"));
    let took = start.elapsed();
    let cpu = TestBedCpu {
        apiserver: apiserver_cpu_seconds() - apiserver0,
        moto: moto_cpu() - moto0,
    };
    let kube = diff(&kube0, &apiserver_requests(client).await);
    (op, create, took, kube, cpu)
}

/// CPU seconds the test bed's processes spent during a measurement.
struct TestBedCpu {
    /// kube-apiserver.
    apiserver: f64,
    /// The run's moto_server (the Secrets Manager emulator; on AWS this work is not on the cluster).
    moto: f64,
}

/// Watches a batch until `count` of its ExternalSecrets are Ready.
async fn watch_all_ready(api: Api<ExternalSecret>, batch: &str, count: usize, deadline: Duration) {
    use kube::runtime::{WatchStreamExt, watcher};
    let config = watcher::Config::default().labels(&format!("bench-batch={batch}"));
    let mut ready = std::collections::HashSet::new();
    let mut events = std::pin::pin!(watcher(api.clone(), config).applied_objects());
    let wait = async {
        while ready.len() < count {
            match events.next().await {
                Some(Ok(es)) if is_ready(&es) => {
                    ready.insert(es.metadata.name.unwrap_or_default());
                }
                Some(_) => {}
                None => break,
            }
        }
    };
    if tokio::time::timeout(deadline, wait).await.is_err() {
        let items = api
            .list(&ListParams::default().labels(&format!("bench-batch={batch}")))
            .await
            .map(|l| l.items)
            .unwrap_or_default();
        panic!(
            "{batch}: not all {count} Ready after {deadline:?}: {:?}",
            reasons(&items)
        );
    }
}

/// Whether an ExternalSecret's Ready condition is True.
fn is_ready(es: &ExternalSecret) -> bool {
    es.status.as_ref().is_some_and(|s| {
        s.conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True")
    })
}

/// Ready reasons of a batch, counted (for the timeout message).
fn reasons(list: &[ExternalSecret]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for es in list {
        let reason = es
            .status
            .as_ref()
            .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
            .map_or("no status".to_string(), |c| {
                format!("{}/{}", c.status, c.reason)
            });
        *out.entry(reason).or_insert(0) += 1;
    }
    out
}

/// Parses a Prometheus label set `a="x",b="y"`.
fn parse_labels(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once("=\"") {
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = after.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => value.extend(chars.next().map(|(_, c)| c)),
                '"' => {
                    end = i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        out.insert(key.trim_start_matches(',').trim().to_string(), value);
        rest = &after[end..];
    }
    out
}

/// Every sample of `metric` in a text exposition, as (labels, value).
fn samples(text: &str, metric: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    text.lines()
        .filter_map(|l| l.strip_prefix(metric)?.strip_prefix('{'))
        .filter_map(|l| {
            let (labels, value) = l.rsplit_once("} ")?;
            Some((parse_labels(labels), value.trim().parse().ok()?))
        })
        .collect()
}

/// The controller's AWS calls by operation (failed outcomes labelled).
fn aws_calls(op: &Operator) -> Counts {
    let mut out = Counts::new();
    for (labels, v) in samples(&op.metrics(), "secretsync_aws_api_calls_total") {
        let operation = labels.get("operation").cloned().unwrap_or_default();
        let key = match labels.get("outcome").map(String::as_str) {
            Some("success") | None => operation,
            Some(outcome) => format!("{operation} ({outcome})"),
        };
        *out.entry(key).or_insert(0.0) += v;
    }
    out
}

/// "verb resource n, ..." of the counts that are not zero, or "none".
fn own_line(own: &Counts) -> String {
    let parts: Vec<String> = own
        .iter()
        .filter(|(_, v)| **v > 0.0)
        .map(|(k, v)| format!("{k} {}", int(*v)))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// The controller's own apiserver requests by "verb resource" (`secretsync_kube_api_requests_total`;
/// watches count when opened).
fn own_requests(op: &Operator) -> Counts {
    let mut out = Counts::new();
    for (labels, v) in samples(&op.metrics(), "secretsync_kube_api_requests_total") {
        let get = |k: &str| labels.get(k).cloned().unwrap_or_default();
        *out.entry(format!("{} {}", get("verb"), get("resource")))
            .or_insert(0.0) += v;
    }
    out
}

/// The apiserver's request counts by (verb, resource[/subresource]) for the resources we follow.
async fn apiserver_requests(client: &Client) -> BTreeMap<(String, String), f64> {
    let req = http::Request::get("/metrics")
        .body(Vec::new())
        .unwrap_or_else(|e| panic!("building the /metrics request: {e}"));
    let text = client
        .request_text(req)
        .await
        .unwrap_or_else(|e| panic!("reading the apiserver's /metrics: {e}"));
    let mut out = BTreeMap::new();
    for (labels, v) in samples(&text, "apiserver_request_total") {
        let get = |k: &str| labels.get(k).cloned().unwrap_or_default();
        if !KUBE_RESOURCES.contains(&get("resource").as_str()) {
            continue;
        }
        let resource = match get("subresource").as_str() {
            "" => get("resource"),
            sub => format!("{}/{sub}", get("resource")),
        };
        *out.entry((get("verb"), resource)).or_insert(0.0) += v;
    }
    out
}

/// `after - before`, keeping only keys that moved.
fn diff<K: Ord + Clone>(before: &BTreeMap<K, f64>, after: &BTreeMap<K, f64>) -> BTreeMap<K, f64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0.0)))
        .filter(|(_, d)| *d != 0.0)
        .collect()
}

/// AWS calls and apiserver requests over exactly one idle interval.
async fn measure_idle(client: &Client, op: &Operator) -> Idle {
    let (aws0, kube0, own0) = (
        aws_calls(op),
        apiserver_requests(client).await,
        own_requests(op),
    );
    tokio::time::sleep(INTERVAL).await;
    let (aws1, kube1, own1) = (
        aws_calls(op),
        apiserver_requests(client).await,
        own_requests(op),
    );
    let idle = Idle {
        aws: diff(&aws0, &aws1),
        kube: diff(&kube0, &kube1),
        own: diff(&own0, &own1),
    };
    println!(
        "idle interval: AWS {:?}\n  apiserver {:?}\n  the controller's own {:?}",
        idle.aws, idle.kube, idle.own
    );
    idle
}

/// Creates 100 new ExternalSecrets (indices N..N+100) and times them to all Ready.
async fn new_batch(client: &Client, ns: &str, shape: Shape, n: usize) -> Duration {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let start = Instant::now();
    apply_all(
        &api,
        (n..n + NEW).map(|i| es_object(shape, i, "new")).collect(),
    )
    .await;
    watch_all_ready(api, "new", NEW, Duration::from_secs(300)).await;
    start.elapsed()
}

/// The same 100 new ExternalSecrets on a fresh controller in a fresh namespace.
async fn idle_baseline(client: &Client, moto: &Moto, shape: Shape, n: usize) -> Duration {
    let ns = common::namespace(client, "bench-idle").await;
    common::apply(client, &ns, &common::store_yaml("aws", &moto.endpoint())).await;
    let op = start_operator(&ns).await;
    let took = new_batch(client, &ns, shape, n).await;
    drop(op);
    delete_namespace_and_wait(client, &ns).await;
    took
}

/// Rotates remote secret `k` and times until ExternalSecret `k`'s Secret holds the new value.
async fn rotate_one(
    secrets: Api<Secret>,
    sm: &aws_sdk_secretsmanager::Client,
    shape: Shape,
    k: usize,
) -> Duration {
    let expected = format!("v1-{k}");
    let start = Instant::now();
    common::rotate_remote(sm, &shape.key(k), &remote_value(k, 1)).await;
    loop {
        let secret = secrets.get_opt(&es_name(k)).await.ok().flatten();
        if secret.is_some_and(|s| common::has(&s, "value", &expected)) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "rotation of {} not synced within 300 s",
            shape.key(k)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Rotates 10 remote secrets at once; returns each one's latency, sorted.
async fn rotate(
    client: &Client,
    ns: &str,
    sm: &aws_sdk_secretsmanager::Client,
    shape: Shape,
) -> Vec<Duration> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let mut latencies =
        futures::future::join_all((0..ROTATED).map(|k| rotate_one(secrets.clone(), sm, shape, k)))
            .await;
    latencies.sort();
    println!("rotation latencies: {latencies:.1?}");
    latencies
}

/// Every apiserver request counted, watches excluded.
fn kube_total(counts: &BTreeMap<(String, String), f64>) -> f64 {
    counts
        .iter()
        .filter(|((verb, _), _)| verb != "WATCH")
        .map(|(_, v)| v)
        .sum()
}

/// `VERB resource: count` for every request counted, watches excluded.
fn kube_line(counts: &BTreeMap<(String, String), f64>) -> String {
    counts
        .iter()
        .filter(|((verb, _), _)| verb != "WATCH")
        .map(|((verb, resource), v)| format!("{verb} {resource} {}", int(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// User + system CPU seconds a process has used (Linux clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// (VmHWM, VmRSS) of a process in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/status: {e}"));
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Seconds with one decimal.
fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// A counter difference as an integer (no "-0").
fn int(v: f64) -> i64 {
    v.round() as i64
}

/// "✓" when a goal holds, "✗" otherwise.
fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// Sum of the idle AWS calls whose operation is one of `ops` (any outcome).
fn aws_sum(idle: &Idle, ops: &[&str]) -> f64 {
    idle.aws
        .iter()
        .filter(|(k, _)| ops.iter().any(|op| k.split(' ').next() == Some(*op)))
        .map(|(_, v)| v)
        .sum()
}

/// Sum of the idle apiserver requests with one of `verbs` on one of `resources` (no subresource).
fn kube_sum(idle: &Idle, verbs: &[&str], resources: &[&str]) -> f64 {
    idle.kube
        .iter()
        .filter(|((verb, res), _)| {
            verbs.contains(&verb.as_str()) && resources.contains(&res.as_str())
        })
        .map(|(_, v)| v)
        .sum()
}

const WRITE_VERBS: [&str; 6] = [
    "PATCH",
    "APPLY",
    "PUT",
    "POST",
    "DELETE",
    "DELETECOLLECTION",
];

/// Every write on the followed resources, subresources (status) included.
fn kube_writes(idle: &Idle) -> f64 {
    idle.kube
        .iter()
        .filter(|((verb, _), _)| WRITE_VERBS.contains(&verb.as_str()))
        .map(|(_, v)| v)
        .sum()
}

/// The controller's memory goal at N, from the issue.
fn memory_goal_mib(n: usize) -> Option<u64> {
    match n {
        ..=1000 => Some(64),
        1001..=10000 => Some(256),
        _ => None,
    }
}

/// The rows of the main table: measure, measured, goal.
fn summary_rows(r: &RunResult) -> Vec<[String; 3]> {
    let n = r.n;
    let lists = aws_sum(&r.idle, &["ListSecrets"]);
    let reads = aws_sum(&r.idle, &["GetSecretValue", "BatchGetSecretValue"]);
    let list_goal = n.div_ceil(100) + 5;
    let gets = kube_sum(&r.idle, &["GET"], &KUBE_RESOURCES[..4]);
    let writes = kube_writes(&r.idle);
    let sync_ratio = r.first_sync.as_secs_f64() / r.floor.secrets.as_secs_f64().max(0.001);
    let status_ratio = r.first_sync.as_secs_f64() / r.floor.with_status.as_secs_f64().max(0.001);
    let new_ratio = r.new_busy.as_secs_f64() / r.new_idle.as_secs_f64().max(0.001);
    let p50 = r.rotation[r.rotation.len() / 2];
    let max = r.rotation[r.rotation.len() - 1];
    let rot_goal = INTERVAL + Duration::from_secs(2);
    let hwm_mib = r.hwm_kib as f64 / 1024.0;
    let mem_goal = memory_goal_mib(n);
    vec![
        [
            format!("first sync: controller started on {n} new ExternalSecrets → all Ready"),
            format!(
                "{} ({sync_ratio:.2}× floor) {}",
                secs(r.first_sync),
                mark(sync_ratio <= 1.5)
            ),
            "≤ 1.5× floor".into(),
        ],
        [
            format!(
                "floor: plain client applies the {n} Secrets (SSA, {FLOOR_CONCURRENCY} at a time)"
            ),
            format!(
                "{} (kube-apiserver CPU {:.1} s)",
                secs(r.floor.secrets),
                r.floor.secrets_cpu
            ),
            "—".into(),
        ],
        [
            format!(
                "floor with the status write: each Secret, then its ExternalSecret's status (SSA, {FLOOR_CONCURRENCY} at a time)"
            ),
            format!(
                "{} (kube-apiserver CPU {:.1} s); first sync = {status_ratio:.2}× this",
                secs(r.floor.with_status),
                r.floor.with_status_cpu
            ),
            "—".into(),
        ],
        [
            "kube-apiserver CPU during the first sync (controller start → all Ready); moto's"
                .into(),
            format!(
                "{:.1} s; moto {:.1} s",
                r.sync_testbed_cpu.apiserver, r.sync_testbed_cpu.moto
            ),
            "—".into(),
        ],
        [
            "apiserver requests per ExternalSecret during the first sync (the floor makes 1)"
                .into(),
            format!(
                "{:.2} ({})",
                kube_total(&r.sync_kube) / n as f64,
                kube_line(&r.sync_kube)
            ),
            "—".into(),
        ],
        [
            "of which the controller's own requests (`secretsync_kube_api_requests_total`)".into(),
            own_line(&r.sync_own),
            "—".into(),
        ],
        [
            "controller CPU time during the first sync (2 cores shared with the test bed)".into(),
            format!("{:.1} s", r.sync_cpu),
            "—".into(),
        ],
        [
            format!("creating the {n} ExternalSecrets beforehand ({CONCURRENCY} at a time)"),
            secs(r.create),
            "—".into(),
        ],
        [
            "AWS `ListSecrets` per idle interval".into(),
            format!("{} {}", int(lists), mark(lists <= list_goal as f64)),
            format!("≤ ceil(N/100)+5 = {list_goal}"),
        ],
        [
            "AWS `GetSecretValue` + `BatchGetSecretValue` per idle interval".into(),
            format!("{} {}", int(reads), mark(reads == 0.0)),
            "0".into(),
        ],
        [
            "apiserver GETs of Secrets, stores, Namespaces per idle interval".into(),
            format!("{} {}", int(gets), mark(gets == 0.0)),
            "0".into(),
        ],
        [
            "of which the controller's own requests (`secretsync_kube_api_requests_total`)".into(),
            own_line(&r.idle.own),
            "—".into(),
        ],
        [
            "apiserver writes (all followed resources) per idle interval".into(),
            format!("{} {}", int(writes), mark(writes <= (n / 5) as f64)),
            format!("≤ N/5 = {}", n / 5),
        ],
        [
            format!("{NEW} new ExternalSecrets → all Ready, while the {n} refresh"),
            format!(
                "{} ({new_ratio:.2}× idle) {}",
                secs(r.new_busy),
                mark(new_ratio <= 2.0)
            ),
            "≤ 2× idle controller".into(),
        ],
        [
            format!("the same {NEW} on an idle controller (fresh namespace)"),
            secs(r.new_idle),
            "—".into(),
        ],
        [
            format!("rotation of {ROTATED} secrets → Secret updated, p50 / max"),
            format!("{} / {} {}", secs(p50), secs(max), mark(max <= rot_goal)),
            format!("≤ one listing interval + 2 s = {}", secs(rot_goal)),
        ],
        [
            "controller RSS high-water mark (VmHWM); VmRSS at the end".into(),
            format!(
                "{hwm_mib:.1} MiB; {:.1} MiB {}",
                r.rss_kib as f64 / 1024.0,
                mem_goal.map_or("", |g| mark(hwm_mib <= g as f64))
            ),
            mem_goal.map_or("—".into(), |g| format!("≤ {g} MiB at N = {n}")),
        ],
    ]
}

/// The apiserver requests of the idle interval as a resource × verb table.
fn kube_table(idle: &Idle) -> String {
    let mut resources: Vec<String> = KUBE_RESOURCES.iter().map(|s| s.to_string()).collect();
    for (_, res) in idle.kube.keys() {
        if !resources.contains(res) {
            resources.push(res.clone());
        }
    }
    let mut out = String::from(
        "| resource | GET | LIST | PATCH | APPLY | other verbs |\n|---|---|---|---|---|---|\n",
    );
    for res in &resources {
        let count = |verb: &str| {
            idle.kube
                .get(&(verb.to_string(), res.clone()))
                .copied()
                .unwrap_or(0.0)
        };
        let other: Vec<String> = idle
            .kube
            .iter()
            .filter(|((verb, r), _)| {
                r == res && !["GET", "LIST", "PATCH", "APPLY"].contains(&verb.as_str())
            })
            .map(|((verb, _), v)| format!("{verb} {}", int(*v)))
            .collect();
        let _ = writeln!(
            out,
            "| {res} | {} | {} | {} | {} | {} |",
            int(count("GET")),
            int(count("LIST")),
            int(count("PATCH")),
            int(count("APPLY")),
            if other.is_empty() {
                "—".into()
            } else {
                other.join(", ")
            }
        );
    }
    out
}

/// AWS calls by operation, as text.
fn aws_line(calls: &Counts) -> String {
    if calls.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = calls
        .iter()
        .map(|(k, v)| format!("`{k}` {}", int(*v)))
        .collect();
    parts.join(", ")
}

/// One run's tables.
fn table(r: &RunResult) -> String {
    let mut out = format!(
        "### N = {}: {}\n\n| measure | measured | goal |\n|---|---|---|\n",
        r.n,
        r.shape.describe(r.n)
    );
    for [a, b, c] in summary_rows(r) {
        let _ = writeln!(out, "| {a} | {b} | {c} |");
    }
    let _ = write!(
        out,
        "\nAWS calls during the first sync (controller start → all Ready): {}. AWS calls in the idle interval, by operation: {}.\n\nkube-apiserver requests in the idle interval (every client of the test bed; WATCH counts watches opened):\n\n{}",
        aws_line(&r.sync_calls),
        aws_line(&r.idle.aws),
        kube_table(&r.idle)
    );
    out.push_str(&others_note(&r.idle));
    out
}

/// A warning when other clients used the apiserver in the idle window (the bench itself creates no
/// namespace then, so a namespace creation is someone else's).
fn others_note(idle: &Idle) -> String {
    let created = idle
        .kube
        .get(&("POST".to_string(), "namespaces".to_string()))
        .copied()
        .unwrap_or(0.0);
    if created == 0.0 {
        return String::new();
    }
    format!(
        "
**Other clients used the test bed during this window** (they created {} namespaces), so these \
         apiserver counts include their requests: they bound the controller's from above.\n",
        int(created)
    )
}

/// `later / earlier`, and whether it grows no faster than `scale` (10% slack).
fn growth(earlier: f64, later: f64, scale: f64) -> String {
    let ratio = later / earlier.max(f64::MIN_POSITIVE);
    let verdict = if ratio <= scale * 1.1 {
        "linear or better"
    } else {
        "worse than linear"
    };
    format!("×{ratio:.2} ({verdict})")
}

/// Memory and calls from the smallest to the largest N, per shape, when more than one N ran.
fn growth_note(results: &[RunResult]) -> String {
    let mut out = String::new();
    for shape in [Shape::Distinct, Shape::Shared] {
        let runs: Vec<&RunResult> = results.iter().filter(|r| r.shape == shape).collect();
        let (Some(a), Some(b)) = (
            runs.iter().min_by_key(|r| r.n),
            runs.iter().max_by_key(|r| r.n),
        ) else {
            continue;
        };
        if a.n == b.n {
            continue;
        }
        let scale = b.n as f64 / a.n as f64;
        let lists = |r: &RunResult| aws_sum(&r.idle, &["ListSecrets"]);
        let _ = writeln!(
            out,
            "- shape {} N {} → {} (×{scale:.0}): VmHWM {}, idle `ListSecrets` {}, first sync {}.",
            if shape == Shape::Distinct {
                "(a)"
            } else {
                "(b)"
            },
            a.n,
            b.n,
            growth(a.hwm_kib as f64, b.hwm_kib as f64, scale),
            growth(lists(a), lists(b), scale),
            growth(
                a.first_sync.as_secs_f64(),
                b.first_sync.as_secs_f64(),
                scale
            ),
        );
    }
    if out.is_empty() {
        return "Only one N ran, so there is no growth to report; run `SECRETSYNC_BENCH_N=1000,10000 cargo xtask bench` for 1k → 10k.\n".into();
    }
    format!("Growth from the smallest to the largest N:\n\n{out}")
}

/// The whole BENCHMARKS.md section.
fn section(results: &[RunResult], binary: &str) -> String {
    let bin = binary
        .rsplit("/target/")
        .next()
        .map_or(binary.to_string(), |b| format!("target/{b}"));
    let mut out = format!(
        "{TITLE}\n\n\
         Measured by `cargo xtask bench` (`benches/scale.rs`) on the local test bed (kube-apiserver + \
         kube-controller-manager on 127.0.0.1, 2 cores shared with the test bed), controller `{bin}` \
         (release) started with `--namespace <bench namespace>` and `RUST_LOG=info`, a private moto per run, \
         one SecretStore with its own keys. N is set by `SECRETSYNC_BENCH_N` (comma-separated, default \
         1000); `10000` works but takes long (an hour or more on 2 cores). Each ExternalSecret reads \
         `property: value` of a JSON secret with `refreshInterval: 1m`. First sync: the N ExternalSecrets are \
         created with no controller running ({CONCURRENCY} server-side applies in flight), then the clock \
         runs from starting the controller until a watch has seen every one Ready (the case of installing \
         or restarting secretsync on a cluster full of ExternalSecrets, and the controller's own throughput); \
         the floor is a plain client applying the same N Secrets with the controller's default concurrency \
         ({FLOOR_CONCURRENCY} in flight). Each first sync also needs the ExternalSecret's status written \
         (the API's Ready condition), so a second floor applies each Secret and then that status to \
         pre-created ExternalSecrets in a namespace no controller watches; Events go out in the background \
         (at most 50/s). The controller's own apiserver requests come from its \
         `secretsync_kube_api_requests_total`. The idle interval starts {} s after all \
         were Ready and lasts exactly {} s; AWS calls come from the controller's \
         `secretsync_aws_api_calls_total`, apiserver requests from its `apiserver_request_total` (secrets, \
         secretstores, clustersecretstores, namespaces, externalsecrets), which counts every client: run the \
         bench when nothing else uses the test bed. The {NEW} new ExternalSecrets are created right after the \
         idle interval; their idle baseline is a fresh controller in a fresh namespace against the same moto. \
         Rotation puts a new value into {ROTATED} secrets at once and polls their Secrets every 250 ms.\n\n",
        SETTLE.as_secs(),
        INTERVAL.as_secs()
    );
    for r in results {
        out.push_str(&table(r));
        out.push('\n');
    }
    out.push_str(&growth_note(results));
    out
}
