//! Failover regions for a Parameter Store store on the real test bed. Parameter Store does not
//! replicate: a parameter in a failover region is another parameter with the same name, so its answers
//! may fill a reference never synced or confirm the data the Secret holds, but never replace synced
//! data, and the switches between regions restart nothing. The primary region's endpoint is a
//! forwarder to moto that the tests switch off; moto keeps each region's parameters apart.

use crate::common;

use aws_sdk_ssm::types::ParameterType;
use common::forwarder::Forwarder;
use common::scenario::{Es, Scenario, Store};
use common::ssm::{client_in, put};
use common::testbed_var;

use crate::failover::wait_synced_from;

/// A forwarder to moto standing in for the primary region's endpoint, and the Parameter Store store
/// `aws`: us-east-1 behind the forwarder, us-west-2 at moto.
async fn primary_and_store() -> (Forwarder, Store) {
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let port: u16 = moto
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("moto port");
    let primary = Forwarder::start(port).await;
    let store = Store::parameter_store("aws", &primary.url()).failover("us-west-2", &moto);
    (primary, store)
}

#[tokio::test]
async fn parameter_reads_fail_over_without_a_restart_and_never_take_another_value() {
    let mut s = Scenario::new("ps-failover").await;
    let (primary, store) = primary_and_store().await;
    let (east, west) = (client_in("us-east-1"), client_in("us-west-2"));
    let name = format!("/{}/db", s.ns);
    put(&east, &name, ParameterType::SecureString, "pw-1").await;
    put(&west, &name, ParameterType::SecureString, "pw-1").await;
    s.start_operator().await;
    s.store(&store).await;
    s.es(&Es::new("db", "aws").key("password", &name).restarts("api"))
        .await;
    s.deployment_reading("api", "db").await;
    s.ready("db", "True", "Synced").await;
    wait_synced_from(&s.client, &s.ns, "db", "").await;
    s.replicasets("api", 1).await;

    // The primary fails: us-west-2 answers with the data the Secret holds; nothing restarts.
    primary.down();
    wait_synced_from(
        &s.client,
        &s.ns,
        "db",
        "served by failover region us-west-2",
    )
    .await;
    common::wait_for_events(&s.client, &s.ns, &["FailedOver", "us-west-2"]).await;
    s.ready("db", "True", "Synced").await;

    // us-west-2's parameter takes another value: it is another parameter, so the Secret keeps pw-1.
    put(&west, &name, ParameterType::SecureString, "pw-west").await;
    let why = s.ready("db", "False", "ProviderError").await;
    assert!(why.contains("Parameter Store does not replicate"), "{why}");
    s.value("db", "password", "pw-1").await;

    // The primary answers again: the same data, so no restart.
    primary.up().await;
    wait_synced_from(&s.client, &s.ns, "db", "").await;
    common::wait_for_events(&s.client, &s.ns, &["FailedBack", "us-east-1"]).await;
    s.ready("db", "True", "Synced").await;
    s.value("db", "password", "pw-1").await;
    assert_eq!(
        s.replicasets_now("api").await,
        1,
        "region switches are no rotation"
    );

    // A rotation in the primary restarts once.
    put(&east, &name, ParameterType::SecureString, "pw-2").await;
    s.value("db", "password", "pw-2").await;
    s.replicasets("api", 2).await;
    assert_eq!(
        s.op().metric_sum("secretsync_workload_restarts_total", &[]),
        1.0
    );
    s.finish(&["pw-1", "pw-2", "pw-west"]).await;
}

#[tokio::test]
async fn a_failover_region_fills_a_new_reference_until_the_primary_answers() {
    let mut s = Scenario::new("ps-failover-new").await;
    let (primary, store) = primary_and_store().await;
    let (east, west) = (client_in("us-east-1"), client_in("us-west-2"));
    let name = format!("/{}/token", s.ns);
    put(&east, &name, ParameterType::SecureString, "tok-east").await;
    put(&west, &name, ParameterType::SecureString, "tok-west").await;
    primary.down();
    s.start_operator().await;
    s.store(&store).await;
    s.es(&Es::new("tok", "aws").key("password", &name)).await;
    // Never synced: the failover region's value is better than no Secret.
    s.value("tok", "password", "tok-west").await;
    wait_synced_from(
        &s.client,
        &s.ns,
        "tok",
        "served by failover region us-west-2",
    )
    .await;

    // The primary is the truth once it answers.
    primary.up().await;
    s.value("tok", "password", "tok-east").await;
    wait_synced_from(&s.client, &s.ns, "tok", "").await;
    s.ready("tok", "True", "Synced").await;
    s.finish(&["tok-east", "tok-west"]).await;
}

/// The typed builders render what the CRDs expect (no test bed needed).
#[test]
fn a_failover_store_and_a_restarting_es_render_as_the_crds_expect() {
    let store = Store::parameter_store("aws", "http://127.0.0.1:1")
        .failover("us-west-2", "http://127.0.0.1:2")
        .with("changeDetection: None");
    let yaml = store.yaml();
    assert!(yaml.contains("    service: ParameterStore\n"), "{yaml}");
    assert!(
        yaml.contains(
            "    failoverRegions: [ { region: us-west-2, endpoint: \"http://127.0.0.1:2\" } ]\n"
        ),
        "{yaml}"
    );
    assert!(yaml.contains("    changeDetection: None\n"), "{yaml}");
    let es = Es::new("db", "aws")
        .key("password", "/ns/db")
        .restarts("api");
    let yaml = es.yaml();
    assert!(
        yaml.contains("  data: [ { secretKey: password, remoteRef: { key: \"/ns/db\" } } ]\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("  rolloutRestartTargets: [ { kind: Deployment, name: api } ]"),
        "{yaml}"
    );
    let _: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).expect("valid YAML");
}
