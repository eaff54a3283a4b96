//! Benchmark: rotation with event-driven refresh (`spec.aws.events`, `refreshInterval: 1h`) to the Secret
//! updated and to a new ReplicaSet, over 20 rotations; and failover, from the primary region's failure
//! to the first sync served by the replica region. Run through `cargo xtask bench` (BENCHMARKS.md).

#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/report.rs"]
mod report;

use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::types::ReplicaRegionType;
use common::events::EventQueue;
use common::forwarder::Forwarder;
use common::operator::Operator;
use common::workloads::{deployment, env_from_pod, replicasets};
use common::{apply, aws_creds_yaml, has, rotate_remote, sm, testbed_var, wait_secret};
use kube::{Api, Client};
use secretsync::api::ExternalSecret;

const ROTATIONS: usize = 20;
const FAILOVERS: usize = 5;
const TITLE: &str = "## Rotation with events, and failover";

fn store(name: &str, endpoint: &str, extra: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {name} }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n{extra}"
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64()
}

async fn wait_replicasets(client: &Client, ns: &str, more_than: usize, since: Instant) {
    loop {
        if replicasets(client, ns)
            .await
            .get("api")
            .copied()
            .unwrap_or(0)
            > more_than
        {
            return;
        }
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "no new ReplicaSet within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// p50 / p99 / max of rotation → Secret and rotation → ReplicaSet with events.
async fn events(client: &Client, ns: &str) -> (Vec<Duration>, Vec<Duration>) {
    let queue = EventQueue::create(ns);
    let sm = sm();
    let key = format!("{ns}/pw");
    common::create_remote(&sm, &key, "ev-0").await;
    let events = format!(
        "    events: {{ sqsQueueUrl: \"{}\", endpoint: \"{}\" }}\n",
        queue.url,
        testbed_var("AWS_ENDPOINT_URL")
    );
    let yaml = [
        aws_creds_yaml(),
        store("aws", &testbed_var("AWS_ENDPOINT_URL"), &events),
        common::single_key_es("app", "aws", "1h", &key, ""),
        deployment(
            "api",
            "secretsync.io/reload: \"true\"",
            &env_from_pod("app"),
        ),
    ]
    .join("---\n");
    apply(client, ns, &yaml).await;
    wait_secret(client, ns, "app", "first sync", |s| {
        has(s, "password", "ev-0")
    })
    .await;
    // Measure once the queue is being read (the reader starts within seconds of the store).
    common::events::wait_events_condition(client, ns, "aws", "True", "Receiving").await;
    let (mut to_secret, mut to_rs) = (Vec::new(), Vec::new());
    for i in 1..=ROTATIONS {
        let before = replicasets(client, ns)
            .await
            .get("api")
            .copied()
            .unwrap_or(0);
        let value = format!("ev-{i}");
        let t0 = Instant::now();
        rotate_remote(&sm, &key, &value).await;
        queue.put_call("PutSecretValue", &key);
        wait_secret(client, ns, "app", "rotated by the event", |s| {
            has(s, "password", &value)
        })
        .await;
        to_secret.push(t0.elapsed());
        wait_replicasets(client, ns, before, t0).await;
        to_rs.push(t0.elapsed());
        println!(
            "rotation {i}: Secret {:.2}s, ReplicaSet {:.2}s",
            to_secret[i - 1].as_secs_f64(),
            to_rs[i - 1].as_secs_f64()
        );
    }
    to_secret.sort();
    to_rs.sort();
    (to_secret, to_rs)
}

/// Time from the primary's failure to the first sync served by the replica, per trial.
async fn failover(client: &Client, ns: &str) -> Vec<Duration> {
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let port: u16 = moto
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("moto port");
    let primary = Forwarder::start(port).await;
    let sm = sm();
    let key = format!("{ns}/fo");
    sm.create_secret()
        .name(&key)
        .secret_string("fo-0")
        .add_replica_regions(ReplicaRegionType::builder().region("us-west-2").build())
        .send()
        .await
        .expect("CreateSecret with a replica");
    let extra = format!("    failoverRegions: [ {{ region: us-west-2, endpoint: \"{moto}\" }} ]\n");
    let yaml = [
        aws_creds_yaml(),
        store("fo", &primary.url(), &extra),
        common::single_key_es("fo", "fo", "1s", &key, ""),
    ]
    .join("---\n");
    apply(client, ns, &yaml).await;
    wait_secret(client, ns, "fo", "first sync", |s| {
        has(s, "password", "fo-0")
    })
    .await;
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let synced_from = |needle: &'static str| {
        let api = api.clone();
        async move {
            loop {
                let from = api
                    .get_opt("fo")
                    .await
                    .ok()
                    .flatten()
                    .and_then(|e| e.status?.synced_from)
                    .unwrap_or_default();
                let served_by_replica = from.contains("served by failover region");
                if !from.is_empty() && served_by_replica == (needle == "replica") {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let mut out = Vec::new();
    for trial in 1..=FAILOVERS {
        synced_from("primary").await;
        primary.down();
        let t0 = Instant::now();
        tokio::time::timeout(Duration::from_secs(120), synced_from("replica"))
            .await
            .expect("failover within 120 s");
        out.push(t0.elapsed());
        println!("failover {trial}: {:.2}s", out[trial - 1].as_secs_f64());
        primary.up().await;
    }
    out.sort();
    out
}

#[tokio::main]
async fn main() {
    let (client, ns) = common::setup("bench-events").await;
    // The settle window batches the Secrets one rotation feeds before each workload restarts once; 1 s
    // here (the default is 5 s), so the ReplicaSet row shows the event path plus that window.
    let _op = Operator::start_with(&ns, "", &["--rollout-settle", "1s"], &[]).await;
    let (to_secret, to_rs) = events(&client, &ns).await;
    let failovers = failover(&client, &ns).await;
    let row = |v: &[Duration]| {
        format!(
            "{:.2} s | {:.2} s | {:.2} s",
            percentile(v, 0.5),
            percentile(v, 0.99),
            percentile(v, 1.0)
        )
    };
    let report = format!(
        "{TITLE}\n\n\
         Measured by `cargo xtask bench` on the local test bed (release build, 2 cores; moto's EventBridge \
         delivers to SQS; the bench puts the CloudTrail-shaped event right after `PutSecretValue`, as AWS would). \
         {ROTATIONS} rotations with `spec.aws.events` and `refreshInterval: 1h`, so every refresh is event-driven; \
         the controller runs with `--rollout-settle 1s` (default 5 s).\n\n\
         | measure | p50 | p99 | max |\n|---|---|---|---|\n\
         | rotation → Secret updated | {} |\n\
         | rotation → new ReplicaSet | {} |\n\
         | primary region fails → first sync from the replica ({FAILOVERS} trials, `refreshInterval: 1s`) | {} |\n\n\
         The event path is one SQS long-poll return, the controller's 0.5 s reconcile debounce, one read and one \
         write; the ReplicaSet adds the settle window and the restart (marker patch + controller-manager). Failover: the primary's endpoint refuses connections; the next \
         refresh's read fails over after the SDK's retries (3 attempts) and syncs from us-west-2.\n",
        row(&to_secret),
        row(&to_rs),
        row(&failovers)
    );
    report::write_section(TITLE, &report);
    println!("{report}");
    common::delete_namespace(&client, &ns).await;
}
