//! Multi-region failover on the real test bed: the primary region's endpoint is a forwarder to moto that
//! the test switches off; reads go to the replica region (moto replicates with `--add-replica-regions`),
//! the switch restarts nothing, a rotation during the outage restarts the workload once, and reads return
//! to the primary once it answers again. The Events and status say which region served.

mod common;

use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::types::ReplicaRegionType;
use common::forwarder::Forwarder;
use common::operator::Operator;
use common::workloads::{deployment, env_from_pod, replicasets};
use common::{apply, aws_creds_yaml, has, rotate_remote, sm, testbed_var, wait_ready, wait_secret};
use kube::{Api, Client};
use secretsync::api::ExternalSecret;

/// SecretStore `aws` (us-east-1 at `endpoint`, the test keys) with `failoverRegions: <regions>` (YAML).
fn failover_store(endpoint: &str, regions: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: aws }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n    failoverRegions: {regions}\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n"
    )
}

/// Waits until the ExternalSecret's `syncedFrom` contains `needle` (empty: names no failover region).
async fn wait_synced_from(client: &Client, ns: &str, name: &str, needle: &str) -> String {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    common::wait_for(
        &format!("{name}: syncedFrom containing {needle:?}"),
        Duration::from_secs(60),
        || {
            let api = api.clone();
            async move {
                let from = api
                    .get_opt(name)
                    .await
                    .ok()
                    .flatten()?
                    .status?
                    .synced_from?;
                let ok = match needle {
                    "" => !from.contains("served by failover region"),
                    n => from.contains(n),
                };
                ok.then_some(from)
            }
        },
    )
    .await
}

#[tokio::test]
async fn reads_fail_over_to_the_replica_and_back_without_a_restart() {
    let (client, ns) = common::setup("failover").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let moto_port: u16 = moto
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("moto port");
    let primary = Forwarder::start(moto_port).await;
    let sm = sm();
    let key = format!("{ns}/db");
    sm.create_secret()
        .name(&key)
        .secret_string("pw-1")
        .add_replica_regions(ReplicaRegionType::builder().region("us-west-2").build())
        .send()
        .await
        .expect("CreateSecret with a replica");
    let store = failover_store(
        &primary.url(),
        &format!("[ {{ region: us-west-2, endpoint: \"{moto}\" }} ]"),
    );
    let es = common::single_key_es(
        "db",
        "aws",
        "1s",
        &key,
        "  rolloutRestartTargets: [ { kind: Deployment, name: api } ]\n",
    );
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &[aws_creds_yaml(), store, es].join("---\n")).await;
    apply(&client, &ns, &deployment("api", "", &env_from_pod("db"))).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_synced_from(&client, &ns, "db", "").await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    // The primary fails: reads move to us-west-2 within seconds; the same version restarts nothing.
    primary.down();
    let failed_at = Instant::now();
    let from = wait_synced_from(&client, &ns, "db", "served by failover region us-west-2").await;
    let took = failed_at.elapsed();
    assert!(
        took < Duration::from_secs(30),
        "failover took {took:?}: {from}"
    );
    common::wait_for_events(&client, &ns, &["FailedOver", "us-west-2"]).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    assert_eq!(
        replicasets(&client, &ns).await.get("api"),
        Some(&1),
        "a failover is not a rotation"
    );
    assert!(
        op.metric_sum("secretsync_failover_active", &["region=\"us-west-2\""]) == 1.0,
        "{}",
        op.metrics()
    );

    // A rotation during the outage (replicated by AWS) arrives from the replica and restarts once.
    rotate_remote(&sm, &key, "pw-2").await;
    wait_secret(&client, &ns, "db", "pw-2 from the replica", |s| {
        has(s, "password", "pw-2")
    })
    .await;
    common::wait_for(
        "the rotation's ReplicaSet",
        Duration::from_secs(30),
        || async { (replicasets(&client, &ns).await.get("api") >= Some(&2)).then_some(()) },
    )
    .await;

    // The primary answers again: reads return to it, and that restarts nothing either.
    primary.up().await;
    wait_synced_from(&client, &ns, "db", "").await;
    common::wait_for_events(&client, &ns, &["FailedBack", "us-east-1"]).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    assert_eq!(
        replicasets(&client, &ns).await.get("api"),
        Some(&2),
        "one rotation, one restart; none for the switches"
    );
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        1.0
    );
    assert!(op.metric_sum("secretsync_failover_active", &["region=\"us-west-2\""]) == 0.0);
    op.assert_log_free_of(&["pw-1", "pw-2"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn access_denied_and_not_found_never_fail_over() {
    let (client, ns) = common::setup("failover-final").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    // The "replica region" is a closed port: a failover attempt would show as a connection error there.
    let closed = format!("http://127.0.0.1:{}", common::operator::free_port());
    let store = failover_store(
        &moto,
        &format!("[ {{ region: us-west-2, endpoint: \"{closed}\" }}, eu-west-1 ]"),
    );
    let es = common::single_key_es("missing", "aws", "1s", &format!("{ns}/does-not-exist"), "");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &[aws_creds_yaml(), store, es].join("---\n")).await;
    wait_ready(&client, &ns, "missing", "False", "SecretNotFound").await;
    // Let several refreshes (1 s interval) ask the primary, each answered NotFound.
    let store_label = format!("store=\"SecretStore/{ns}/aws\"");
    common::wait_for("three reads answered", Duration::from_secs(60), || {
        let n = op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[&store_label, "not_found"],
        );
        async move { (n >= 3.0).then_some(()) }
    })
    .await;
    let text = op.metrics();
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("secretsync_failover_active{") && l.ends_with(" 1")),
        "NotFound must not fail over: {text}"
    );
    let events = common::event_messages(&client, &ns).await.join("\n");
    assert!(!events.contains("FailedOver"), "{events}");
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_bad_failover_entry_is_reported_on_the_store() {
    let (client, ns) = common::setup("failover-bad").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let _op = Operator::start(&ns).await;
    for (entry, needle) in [
        ("[ 42 ]", "must be a region name or {region, endpoint}"),
        (
            "[ { region: us-west-2, endpont: \"http://x\" } ]",
            "must be a region name or {region, endpoint}",
        ),
        ("[ us-west2 ]", "is not an AWS region name"),
        ("[ us-east-1 ]", "already the primary region"),
    ] {
        let store = failover_store(&moto, entry);
        apply(&client, &ns, &[aws_creds_yaml(), store].join("---\n")).await;
        let api: Api<secretsync::api::SecretStore> = Api::namespaced(client.clone(), &ns);
        common::wait_for(
            &format!("store Ready=False naming {needle:?}"),
            Duration::from_secs(30),
            || {
                let api = api.clone();
                async move {
                    let s = api.get_opt("aws").await.ok().flatten()?;
                    let c = s
                        .status?
                        .conditions
                        .into_iter()
                        .find(|c| c.type_ == "Ready")?;
                    (c.status == "False" && c.message.contains(needle)).then_some(())
                }
            },
        )
        .await;
    }
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_replica_behind_the_synced_version_never_rolls_it_back() {
    let (client, ns) = common::setup("failover-behind").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let moto_port: u16 = moto
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("moto port");
    let primary = Forwarder::start(moto_port).await;
    // The "replica region" is another emulator holding an older copy of the secret: versions the
    // primary never had, and none of the primary's (a replica that has not caught up).
    let stale = common::moto::Moto::start(&[]).await;
    let key = format!("{ns}/db");
    common::moto::aws_cli(
        &stale.endpoint(),
        ("testing", "testing"),
        &[
            "--region",
            "us-west-2",
            "secretsmanager",
            "create-secret",
            "--name",
            &key,
            "--secret-string",
            "stale-0",
        ],
    );
    common::create_remote(&sm(), &key, "pw-1").await;
    let store = failover_store(
        &primary.url(),
        &format!(
            "[ {{ region: us-west-2, endpoint: \"{}\" }} ]",
            stale.endpoint()
        ),
    );
    let es = common::single_key_es(
        "db",
        "aws",
        "1s",
        &key,
        "  rolloutRestartTargets: [ { kind: Deployment, name: api } ]\n",
    );
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &[aws_creds_yaml(), store, es].join("---\n")).await;
    apply(&client, &ns, &deployment("api", "", &env_from_pod("db"))).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    primary.down();
    let es = wait_ready(&client, &ns, "db", "False", "ProviderError").await;
    let message = es
        .status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.message)
        .unwrap_or_default();
    assert!(
        message.contains("has not replicated the synced version"),
        "{message}"
    );
    let secret = wait_secret(&client, &ns, "db", "still pw-1", |s| {
        has(s, "password", "pw-1")
    })
    .await;
    assert!(!has(&secret, "password", "stale-0"));
    assert_eq!(
        replicasets(&client, &ns).await.get("api"),
        Some(&1),
        "no restart to an older value"
    );
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        0.0
    );
    op.assert_log_free_of(&["pw-1", "stale-0"]);
    common::delete_namespace(&client, &ns).await;
}
