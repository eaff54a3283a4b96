//! Failover regions for a Parameter Store store on the real test bed. Parameter Store does not
//! replicate: a parameter in a failover region is another parameter with the same name, so its answers
//! may fill a reference never synced or confirm the data the Secret holds, but never replace synced
//! data, and the switches between regions restart nothing. The primary region's endpoint is a
//! forwarder to moto that the tests switch off; moto keeps each region's parameters apart.

use crate::common;

use std::time::Duration;

use crate::failover::wait_synced_from;
use aws_sdk_ssm::types::ParameterType;
use common::forwarder::Forwarder;
use common::operator::Operator;
use common::ssm::{client_in, put};
use common::workloads::{deployment, env_from_pod, replicasets};
use common::{apply, aws_creds_yaml, has, testbed_var, wait_ready, wait_secret};

/// A Parameter Store SecretStore `aws`: us-east-1 at `primary`, us-west-2 at moto.
fn store(primary: &str, moto: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: aws }}\nspec:\n  aws:\n    service: ParameterStore\n    region: us-east-1\n    endpoint: \"{primary}\"\n    failoverRegions: [ {{ region: us-west-2, endpoint: \"{moto}\" }} ]\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n"
    )
}

/// A forwarder to moto standing in for the primary region's endpoint, and moto's URL.
async fn primary_forwarder() -> (Forwarder, String) {
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let port: u16 = moto
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("moto port");
    (Forwarder::start(port).await, moto)
}

#[tokio::test]
async fn parameter_reads_fail_over_without_a_restart_and_never_take_another_value() {
    let (client, ns) = common::setup("ps-failover").await;
    let (primary, moto) = primary_forwarder().await;
    let (east, west) = (client_in("us-east-1"), client_in("us-west-2"));
    let name = format!("/{ns}/db");
    put(&east, &name, ParameterType::SecureString, "pw-1").await;
    put(&west, &name, ParameterType::SecureString, "pw-1").await;
    let es = common::single_key_es(
        "db",
        "aws",
        "1s",
        &name,
        "  rolloutRestartTargets: [ { kind: Deployment, name: api } ]\n",
    );
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &[aws_creds_yaml(), store(&primary.url(), &moto), es].join("---\n"),
    )
    .await;
    apply(&client, &ns, &deployment("api", "", &env_from_pod("db"))).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_synced_from(&client, &ns, "db", "").await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    // The primary fails: us-west-2 answers with the data the Secret holds; nothing restarts.
    primary.down();
    wait_synced_from(&client, &ns, "db", "served by failover region us-west-2").await;
    common::wait_for_events(&client, &ns, &["FailedOver", "us-west-2"]).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;

    // us-west-2's parameter takes another value: it is another parameter, so the Secret keeps pw-1.
    put(&west, &name, ParameterType::SecureString, "pw-west").await;
    let kept = wait_ready(&client, &ns, "db", "False", "ProviderError").await;
    let why = kept
        .status
        .iter()
        .flat_map(|s| &s.conditions)
        .find(|c| c.type_ == "Ready")
        .map(|c| c.message.clone())
        .unwrap_or_default();
    assert!(why.contains("Parameter Store does not replicate"), "{why}");
    wait_secret(&client, &ns, "db", "pw-1 kept", |s| {
        has(s, "password", "pw-1")
    })
    .await;

    // The primary answers again: the same data, so no restart.
    primary.up().await;
    wait_synced_from(&client, &ns, "db", "").await;
    common::wait_for_events(&client, &ns, &["FailedBack", "us-east-1"]).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_secret(&client, &ns, "db", "pw-1 still", |s| {
        has(s, "password", "pw-1")
    })
    .await;
    assert_eq!(
        replicasets(&client, &ns).await.get("api"),
        Some(&1),
        "region switches are no rotation"
    );

    // A rotation in the primary restarts once.
    put(&east, &name, ParameterType::SecureString, "pw-2").await;
    wait_secret(&client, &ns, "db", "pw-2", |s| has(s, "password", "pw-2")).await;
    common::wait_for(
        "the rotation's ReplicaSet",
        Duration::from_secs(30),
        || async { (replicasets(&client, &ns).await.get("api") == Some(&2)).then_some(()) },
    )
    .await;
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        1.0
    );
    op.assert_log_free_of(&["pw-1", "pw-2", "pw-west"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_failover_region_fills_a_new_reference_until_the_primary_answers() {
    let (client, ns) = common::setup("ps-failover-new").await;
    let (primary, moto) = primary_forwarder().await;
    let (east, west) = (client_in("us-east-1"), client_in("us-west-2"));
    let name = format!("/{ns}/token");
    put(&east, &name, ParameterType::SecureString, "tok-east").await;
    put(&west, &name, ParameterType::SecureString, "tok-west").await;
    primary.down();
    let _op = Operator::start(&ns).await;
    let es = common::single_key_es("tok", "aws", "1s", &name, "");
    apply(
        &client,
        &ns,
        &[aws_creds_yaml(), store(&primary.url(), &moto), es].join("---\n"),
    )
    .await;
    // Never synced: the failover region's value is better than no Secret.
    wait_secret(&client, &ns, "tok", "the failover region's value", |s| {
        has(s, "password", "tok-west")
    })
    .await;
    wait_synced_from(&client, &ns, "tok", "served by failover region us-west-2").await;

    // The primary is the truth once it answers.
    primary.up().await;
    wait_secret(&client, &ns, "tok", "the primary's value", |s| {
        has(s, "password", "tok-east")
    })
    .await;
    wait_synced_from(&client, &ns, "tok", "").await;
    wait_ready(&client, &ns, "tok", "True", "Synced").await;
    common::delete_namespace(&client, &ns).await;
}
