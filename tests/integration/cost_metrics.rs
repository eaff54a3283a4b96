//! Cost visible to users, on the real test bed: AWS calls are labelled by store id (never by the
//! configuration fingerprint), the estimated-cost counter equals calls × $0.05 / 10,000, and
//! `spec.aws.maxRequestsPerSecond` paces a store's calls.

use crate::common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::operator::Operator;
use common::{
    create_remote, has, single_key_es, sm, store_yaml, testbed_var, wait_ready, wait_secret,
};

/// Default `--aws-price-per-10k-calls`.
const PRICE_PER_10K: f64 = 0.05;

/// The value of label `name` in a sample line's label text, if present.
fn label<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!("{name}=\""))? + name.len() + 2;
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

/// Sum of `metric`'s samples in one scrape whose `store` label is `store`.
fn sum_for_store(text: &str, metric: &str, store: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")))
        .filter(|l| label(l, "store") == Some(store))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Every `store` label value of `metric` in one scrape.
fn stores_of(text: &str, metric: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")))
        .filter_map(|l| label(l, "store").map(String::from))
        .collect()
}

#[tokio::test]
async fn calls_are_labelled_by_store_and_priced() {
    let (client, ns) = common::setup("cost-metric").await;
    let op = Operator::start(&ns).await;
    let sm = sm();
    let key = format!("{ns}/cost-a");
    create_remote(&sm, &key, "cost-a-pw").await;
    let yaml = format!(
        "{}---\n{}",
        store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
        single_key_es("a", "aws", "1h", &key, "")
    );
    common::apply(&client, &ns, &yaml).await;
    wait_ready(&client, &ns, "a", "True", "Synced").await;
    wait_secret(&client, &ns, "a", "synced", |s| {
        has(s, "password", "cost-a-pw")
    })
    .await;

    // Idle now (refreshInterval 1h); take one scrape in which calls and cost agree.
    let store = format!("SecretStore/{ns}/aws");
    let (text, calls, cost) = common::wait_for(
        "a scrape with the first sync's calls counted",
        Duration::from_secs(20),
        || {
            let text = op.metrics();
            let calls = sum_for_store(&text, "secretsync_aws_api_calls_total", &store);
            let cost = sum_for_store(&text, "secretsync_aws_estimated_cost_usd_total", &store);
            async move {
                (calls >= 1.0 && (cost - calls * PRICE_PER_10K / 10_000.0).abs() < 1e-12)
                    .then_some((text, calls, cost))
            }
        },
    )
    .await;
    assert!(
        (cost - calls * PRICE_PER_10K / 10_000.0).abs() < 1e-12,
        "cost {cost} for {calls} calls"
    );
    for metric in [
        "secretsync_aws_api_calls_total",
        "secretsync_aws_estimated_cost_usd_total",
    ] {
        assert_eq!(
            stores_of(&text, metric),
            BTreeSet::from([store.clone()]),
            "{metric}: the store label is the store id only (no configuration fingerprint):\n{text}"
        );
    }
    assert!(
        text.lines()
            .filter(|l| l.starts_with("secretsync_aws_estimated_cost_usd_total{"))
            .all(|l| label(l, "operation").is_some() && label(l, "outcome").is_none()),
        "the cost counter is by store and operation:\n{text}"
    );
    assert!(
        text.contains("# TYPE secretsync_aws_estimated_cost_usd_total counter"),
        "{text}"
    );
    op.assert_log_free_of(&["cost-a-pw"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn max_requests_per_second_paces_first_syncs() {
    let (client, ns) = common::setup("cost-rate").await;
    let op = Operator::start(&ns).await;
    let sm = sm();
    let n = 10;
    for i in 0..n {
        create_remote(&sm, &format!("{ns}/rate-{i}"), &format!("rate-pw-{i}")).await;
        common::rotate_remote(&sm, &format!("{ns}/rate-{i}"), &format!("rate-new-{i}")).await;
    }
    let store = store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")).replace(
        "    region: us-east-1\n",
        "    region: us-east-1\n    maxRequestsPerSecond: 2\n",
    );
    assert!(store.contains("maxRequestsPerSecond: 2"), "{store}");
    let mut yaml = store;
    for i in 0..n {
        yaml.push_str("---\n");
        // AWSPREVIOUS reads are one call each (AWSCURRENT reads would share a batch call).
        yaml.push_str(&format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: es-{i} }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: 1h\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{ns}/rate-{i}\", versionStage: AWSPREVIOUS }} }}\n"
        ));
    }
    let started = Instant::now();
    common::apply(&client, &ns, &yaml).await;
    for i in 0..n {
        wait_ready(&client, &ns, &format!("es-{i}"), "True", "Synced").await;
    }
    let elapsed = started.elapsed();
    // No first sync failed and was retried: the time below is the pacing's, not a retry backoff's.
    let metrics = op.metrics();
    let failures: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("secretsync_sync_results_total{"))
        .filter(|l| !l.contains("reason=\"Synced\""))
        .filter(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) != Some(0.0))
        .collect();
    assert!(failures.is_empty(), "a first sync failed: {failures:?}");
    let store_id = format!("SecretStore/{ns}/aws");
    let calls = sum_for_store(&op.metrics(), "secretsync_aws_api_calls_total", &store_id);
    assert!(calls >= n as f64, "{calls} calls for {n} first syncs");
    // Two at once, then two per second: the 10th call starts no earlier than 4 s after the first.
    assert!(
        elapsed >= Duration::from_millis(3800),
        "10 first syncs at maxRequestsPerSecond: 2 took only {elapsed:?}"
    );
    for i in 0..n {
        wait_secret(&client, &ns, &format!("es-{i}"), "synced", |s| {
            has(s, "password", &format!("rate-pw-{i}"))
        })
        .await;
    }
    common::delete_namespace(&client, &ns).await;
}
