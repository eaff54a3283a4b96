//! Benchmark: 1,000 ExternalSecrets on one Parameter Store store (one SecureString each, the store's
//! default rate limit of 20 requests/s): first-sync time and AWS calls by operation, then the calls of
//! an idle refresh interval. Run through `cargo xtask bench` (BENCHMARKS.md);
//! `SECRETSYNC_BENCH_PS_N` changes the count.

#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/report.rs"]
mod report;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_ssm::types::ParameterType;
use common::operator::Operator;
use common::{apply, aws_creds_yaml, testbed_var};
use futures::{StreamExt, stream};
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;
use serde_json::json;

const TITLE: &str = "## Parameter Store at scale";
/// The ExternalSecrets' refresh interval; the idle window is two of them.
const INTERVAL_SECONDS: u64 = 30;

fn count() -> usize {
    std::env::var("SECRETSYNC_BENCH_PS_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// Parameter Store calls by operation (failed calls as "operation (outcome)").
fn calls(op: &Operator) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in op.metrics().lines() {
        let Some(rest) = line.strip_prefix("secretsync_aws_api_calls_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let label = |name: &str| {
            labels
                .split(',')
                .find_map(|l| l.strip_prefix(&format!("{name}=\"")))
                .map(|v| v.trim_end_matches('"').to_string())
                .unwrap_or_default()
        };
        let key = match label("outcome").as_str() {
            "success" => label("operation"),
            other => format!("{} ({other})", label("operation")),
        };
        *out.entry(key).or_insert(0.0) += value.parse::<f64>().unwrap_or(0.0);
    }
    out
}

fn diff(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0.0)))
        .filter(|(_, v)| *v > 0.0)
        .collect()
}

fn line(counts: &BTreeMap<String, f64>, per: f64) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, v)| format!("{k} {}", (v / per).round()))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn ready_count(api: &Api<ExternalSecret>) -> usize {
    api.list(&Default::default())
        .await
        .map(|l| {
            l.items
                .iter()
                .filter(|es| {
                    es.status.as_ref().is_some_and(|s| {
                        s.conditions
                            .iter()
                            .any(|c| c.type_ == "Ready" && c.status == "True")
                    })
                })
                .count()
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let n = count();
    let (client, ns) = common::setup("bench-ps").await;
    let ssm = common::ssm::client();
    let name = |i: usize| format!("/bench/{ns}/p{i:05}");
    stream::iter(0..n)
        .map(|i| {
            let ssm = ssm.clone();
            let name = name(i);
            async move { common::ssm::put(&ssm, &name, ParameterType::SecureString, "v1").await }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &[
            aws_creds_yaml(),
            common::ssm::store_yaml("ssm", &testbed_var("AWS_ENDPOINT_URL")),
        ]
        .join("---\n"),
    )
    .await;
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let pp = PatchParams::apply("bench");
    let start = Instant::now();
    stream::iter(0..n)
        .map(|i| {
            let (api, pp) = (api.clone(), pp.clone());
            let es = json!({
                "apiVersion": "secretsync.io/v1alpha1", "kind": "ExternalSecret",
                "metadata": { "name": format!("es-{i:05}") },
                "spec": {
                    "secretStoreRef": { "name": "ssm" },
                    "refreshInterval": format!("{INTERVAL_SECONDS}s"),
                    "data": [ { "secretKey": "value", "remoteRef": { "key": name(i) } } ]
                }
            });
            async move {
                api.patch(&format!("es-{i:05}"), &pp, &Patch::Apply(&es))
                    .await
                    .unwrap_or_else(|e| panic!("applying es-{i:05}: {e}"));
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    let applied = start.elapsed();
    loop {
        let ready = ready_count(&api).await;
        if ready == n {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "only {ready} of {n} Ready after 600 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let first_sync = start.elapsed();
    let first = calls(&op);
    println!(
        "first sync of {n}: {:.1} s (applied in {:.1} s); calls: {}",
        first_sync.as_secs_f64(),
        applied.as_secs_f64(),
        line(&first, 1.0)
    );

    // Idle: nothing changes for two intervals.
    let window = Duration::from_secs(2 * INTERVAL_SECONDS);
    let idle_start = Instant::now();
    while idle_start.elapsed() < window {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let idle = diff(&first, &calls(&op));
    println!(
        "idle, per {INTERVAL_SECONDS} s interval: {}",
        line(&idle, 2.0)
    );

    let report = format!(
        "{TITLE}\n\n\
         Measured by `cargo xtask bench` on the local test bed (release build, 2 cores, moto serving SSM). \
         {n} ExternalSecrets, each reading one SecureString parameter (latest version), on one \
         `service: ParameterStore` store with the default rate limit (20 requests/s, below the ~40 TPS standard \
         throughput quota), `refreshInterval: {INTERVAL_SECONDS}s`. Every page counts as a call; moto answers \
         DescribeParameters in pages of 10 whatever `MaxResults` says (AWS: up to 50), so a fifty-name call is five \
         calls here.\n\n\
         | measure | result |\n|---|---|\n\
         | first sync, all {n} Ready | {:.1} s (the ExternalSecrets applied in {:.1} s) |\n\
         | AWS calls during the first sync | {} |\n\
         | AWS calls per idle refresh interval (averaged over two) | {} |\n\
         | value reads (GetParameter/GetParameters/GetParametersByPath) while idle | {} |\n\n\
         One GetParameter per ExternalSecret would be {n} calls, at least {:.0} s at 20 requests/s; reads due \
         together go out as GetParameters calls of ten. One DescribeParameters per ExternalSecret would be {n} calls \
         per interval; each call names fifty parameters (the caller's own, then the store's least recently described \
         ones) and the answers serve every ExternalSecret whose parameters they cover for one interval.\n",
        first_sync.as_secs_f64(),
        applied.as_secs_f64(),
        line(&first, 1.0),
        line(&idle, 2.0),
        idle.iter()
            .filter(|(k, _)| k.starts_with("GetParameter"))
            .map(|(_, v)| v)
            .sum::<f64>()
            + 0.0,
        n as f64 / 20.0,
    );
    report::write_section(TITLE, &report);
    println!("{report}");
    common::delete_namespace(&client, &ns).await;
}
