//! Multi-region failover on the real test bed: the primary region's endpoint is a forwarder to moto that
//! the test switches off; reads go to the replica region (moto replicates with `--add-replica-regions`),
//! the switch restarts nothing, a rotation during the outage restarts the workload once, and reads return
//! to the primary once it answers again. The Events and status say which region served.

use crate::common;

use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::types::ReplicaRegionType;
use common::forwarder::Forwarder;
use common::operator::Operator;
use common::workloads::{deployment, env_from_pod, replicasets};
use common::{apply, aws_creds_yaml, has, rotate_remote, sm, testbed_var, wait_ready, wait_secret};
use kube::{Api, Client};
use op_proxy::{Fault, OpProxy};
use secretsync::api::ExternalSecret;

/// SecretStore `aws` (us-east-1 at `endpoint`, the test keys) with `failoverRegions: <regions>` (YAML).
fn failover_store(endpoint: &str, regions: &str) -> String {
    failover_store_with(endpoint, regions, "")
}

/// [`failover_store`] with `extra` lines inside `spec.aws` (indented by four spaces).
fn failover_store_with(endpoint: &str, regions: &str, extra: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: aws }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n    failoverRegions: {regions}\n{extra}    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n"
    )
}

/// Waits until the ExternalSecret's `syncedFrom` contains `needle` (empty: names no failover region).
pub(crate) async fn wait_synced_from(
    client: &Client,
    ns: &str,
    name: &str,
    needle: &str,
) -> String {
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

/// Issue 20 #1: the primary region (at T2, synced) fails value reads with HTTP 500 but still answers
/// DescribeSecret; the replica region is still at T1 and its value read is slow, so the primary is due
/// for a retry when the read returns. The guard must not take the primary's knowledge of T2 as the
/// replica's: the Secret, `syncedVersions` and the Deployment stay at T2.
#[tokio::test]
async fn a_replica_behind_is_not_vouched_for_by_the_primary() {
    const T1: &str = "11111111-1111-4111-8111-111111111111";
    const T2: &str = "22222222-2222-4222-8222-222222222222";
    let (client, ns) = common::setup("failover-vouch").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let primary = OpProxy::start(port_of(&moto)).await;
    // The replica region: another emulator holding only T1, with the same version id as the primary's.
    let stale = common::moto::Moto::start(&[]).await;
    let replica = OpProxy::start(stale.port).await;
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
            "older-pass-1",
            "--client-request-token",
            T1,
        ],
    );
    let sm = sm();
    sm.create_secret()
        .name(&key)
        .secret_string("older-pass-1")
        .client_request_token(T1)
        .send()
        .await
        .expect("CreateSecret at T1");
    sm.put_secret_value()
        .secret_id(&key)
        .secret_string("newer-pass-2")
        .client_request_token(T2)
        .send()
        .await
        .expect("PutSecretValue T2");
    // Every refresh reads the value (no listing to say nothing changed).
    let store = failover_store_with(
        &primary.url(),
        &format!(
            "[ {{ region: us-west-2, endpoint: \"{}\" }} ]",
            replica.url()
        ),
        "    changeDetection: None\n",
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
    wait_secret(&client, &ns, "db", "the value of T2", |s| {
        has(s, "password", "newer-pass-2")
    })
    .await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    // The primary fails value reads with HTTP 500 and answers the rest (DescribeSecret); the
    // replica's value reads take longer than the primary's retry wait, so the primary is due again
    // when a failed-over read returns.
    replica.set(
        "GetSecretValue",
        Fault::Delay(secretsync::core::failover::RETRY_BASE + Duration::from_secs(1)),
    );
    primary.set("GetSecretValue", Fault::Fail);
    primary.set("BatchGetSecretValue", Fault::Fail);

    // The reconcile that read T1 from the replica ends: refused (ProviderError) or written (the bug).
    let status = replica_read_outcome(&client, &ns, &key, T2).await;
    assert_eq!(
        status.synced_versions.get(&key).map(String::as_str),
        Some(T2),
        "syncedVersions rolled back to the replica's T1"
    );
    let message = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.message.clone())
        .unwrap_or_default();
    assert!(message.contains("names another version"), "{message}");
    let secret = wait_secret(&client, &ns, "db", "still T2", |_| true).await;
    assert!(
        has(&secret, "password", "newer-pass-2"),
        "the Secret went back to T1"
    );
    assert_eq!(
        replicasets(&client, &ns).await.get("api"),
        Some(&1),
        "no restart to the old value"
    );
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        0.0
    );
    op.assert_log_free_of(&["older-pass-1", "newer-pass-2"]);
    common::delete_namespace(&client, &ns).await;
}

/// The status of ExternalSecret `db` once the reconcile of a failed-over read ended: refused
/// (`ProviderError`) or written (`syncedVersions` of `key` moved off `synced`).
async fn replica_read_outcome(
    client: &kube::Client,
    ns: &str,
    key: &str,
    synced: &str,
) -> secretsync::api::ExternalSecretStatus {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    common::wait_for(
        "the reconcile of the replica's read",
        Duration::from_secs(60),
        || {
            let api = api.clone();
            async move {
                let status = api.get_opt("db").await.ok().flatten()?.status?;
                let refused = status
                    .conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.reason == "ProviderError");
                let moved = status.synced_versions.get(key).map(String::as_str) != Some(synced);
                (refused || moved).then_some(status)
            }
        },
    )
    .await
}

/// Review of issue 20 #1: with the primary fully down, a replica half way through the rotation (v1
/// current, the synced v2 still AWSPENDING there) answers both the read and the guard's DescribeSecret.
/// It knows the synced version, yet it is behind: the Secret keeps v2 and nothing restarts.
#[tokio::test]
async fn a_replica_half_way_through_a_rotation_is_behind() {
    const T1: &str = "33333333-3333-4333-8333-333333333333";
    const T2: &str = "44444444-4444-4444-8444-444444444444";
    let (client, ns) = common::setup("failover-half").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let primary = OpProxy::start(port_of(&moto)).await;
    let stale = common::moto::Moto::start(&[]).await;
    let replica = OpProxy::start(stale.port).await;
    let key = format!("{ns}/db");
    let in_replica = |args: &[&str]| {
        let mut all = vec!["--region", "us-west-2", "secretsmanager"];
        all.extend_from_slice(args);
        common::moto::aws_cli(&stale.endpoint(), ("testing", "testing"), &all);
    };
    in_replica(&[
        "create-secret",
        "--name",
        &key,
        "--secret-string",
        "half-pass-1",
        "--client-request-token",
        T1,
    ]);
    in_replica(&[
        "put-secret-value",
        "--secret-id",
        &key,
        "--secret-string",
        "half-pass-2",
        "--client-request-token",
        T2,
        "--version-stages",
        "AWSPENDING",
    ]);
    let sm = sm();
    sm.create_secret()
        .name(&key)
        .secret_string("half-pass-1")
        .client_request_token(T1)
        .send()
        .await
        .expect("CreateSecret at T1");
    sm.put_secret_value()
        .secret_id(&key)
        .secret_string("half-pass-2")
        .client_request_token(T2)
        .send()
        .await
        .expect("PutSecretValue T2");
    let store = failover_store_with(
        &primary.url(),
        &format!(
            "[ {{ region: us-west-2, endpoint: \"{}\" }} ]",
            replica.url()
        ),
        "    changeDetection: None\n",
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
    wait_secret(&client, &ns, "db", "the value of T2", |s| {
        has(s, "password", "half-pass-2")
    })
    .await;
    common::wait_for("one ReplicaSet", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("api") == Some(&1)).then_some(())
    })
    .await;

    // The primary region is down for everything: the replica answers the read and the check.
    for op_name in ["GetSecretValue", "BatchGetSecretValue", "DescribeSecret"] {
        primary.set(op_name, Fault::Fail);
    }
    let status = replica_read_outcome(&client, &ns, &key, T2).await;
    assert_eq!(
        status.synced_versions.get(&key).map(String::as_str),
        Some(T2),
        "syncedVersions rolled back to the half-rotated replica's T1"
    );
    let message = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.message.clone())
        .unwrap_or_default();
    assert!(
        message.contains("has not replicated the synced version"),
        "{message}"
    );
    let secret = wait_secret(&client, &ns, "db", "still T2", |_| true).await;
    assert!(
        has(&secret, "password", "half-pass-2"),
        "the Secret went back to T1"
    );
    assert_eq!(
        replicasets(&client, &ns).await.get("api"),
        Some(&1),
        "no restart"
    );
    op.assert_log_free_of(&["half-pass-1", "half-pass-2"]);
    common::delete_namespace(&client, &ns).await;
}

/// Issue 20 #2: a failover entry naming the primary's own region with another endpoint (and a region
/// listed twice) is refused on the store, and nothing is sent to that endpoint.
#[tokio::test]
async fn a_failover_entry_repeating_a_region_is_refused() {
    let (client, ns) = common::setup("failover-same").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let other = common::fake_endpoints::Recorder::start();
    let x = other.endpoint();
    let key = format!("{ns}/db");
    common::create_remote(&sm(), &key, "same-1").await;
    let _op = Operator::start(&ns).await;
    for (entries, needle) in [
        (
            format!("[ {{ region: us-east-1, endpoint: \"{x}\" }} ]"),
            "spec.aws.failoverRegions[0]: us-east-1 is already the primary region",
        ),
        (
            format!("[ us-west-2, {{ region: us-west-2, endpoint: \"{x}\" }} ]"),
            "spec.aws.failoverRegions[1]: region us-west-2 is already listed before",
        ),
    ] {
        let store = failover_store(&moto, &entries);
        let es = common::single_key_es("db", "aws", "1s", &key, "");
        apply(&client, &ns, &[aws_creds_yaml(), store, es].join("---\n")).await;
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
        wait_ready(&client, &ns, "db", "False", "StoreNotReady").await;
    }
    assert!(
        other.requests().is_empty(),
        "the refused endpoint was asked: {:?}",
        other.requests()
    );
    common::delete_namespace(&client, &ns).await;
}

/// Port of a `http://127.0.0.1:PORT` URL.
fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

/// An HTTP/1.1 proxy on 127.0.0.1 in front of an emulator that misbehaves per operation (the
/// `X-Amz-Target` header, e.g. `secretsmanager.GetSecretValue`): answers HTTP 500 to some, delays
/// others, forwards the rest unchanged. A region that fails value reads but still answers
/// `DescribeSecret`, or a replica whose value reads are slow.
mod op_proxy {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::task::JoinHandle;

    /// What the proxy does to one operation.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Fault {
        /// Answer `500 InternalFailure` without asking the emulator.
        Fail,
        /// Wait this long, then forward.
        Delay(Duration),
    }

    /// Forwards 127.0.0.1:`port` to 127.0.0.1:`target`, applying the faults set per operation.
    pub struct OpProxy {
        /// Listening port.
        pub port: u16,
        faults: Arc<Mutex<BTreeMap<String, Fault>>>,
        task: JoinHandle<()>,
    }

    impl OpProxy {
        /// Starts a proxy to `target` (a port on 127.0.0.1) that forwards everything until told otherwise.
        pub async fn start(target: u16) -> OpProxy {
            let listener = TcpListener::bind(("127.0.0.1", 0))
                .await
                .expect("binding the fault proxy");
            let port = listener.local_addr().expect("fault proxy address").port();
            let faults: Arc<Mutex<BTreeMap<String, Fault>>> = Arc::default();
            let rules = faults.clone();
            let task = tokio::spawn(async move {
                let mut open = tokio::task::JoinSet::new();
                while let Ok((inbound, _)) = listener.accept().await {
                    let rules = rules.clone();
                    open.spawn(async move {
                        let _ = serve(inbound, target, rules).await;
                    });
                }
            });
            OpProxy { port, faults, task }
        }

        /// Its URL.
        pub fn url(&self) -> String {
            format!("http://127.0.0.1:{}", self.port)
        }

        /// From now on, applies `fault` to `operation` (e.g. `GetSecretValue`).
        pub fn set(&self, operation: &str, fault: Fault) {
            self.faults
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(operation.to_string(), fault);
        }
    }

    impl Drop for OpProxy {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    /// One client connection: request after request (keep-alive), each sent to the emulator on a new
    /// connection.
    async fn serve(
        mut inbound: TcpStream,
        target: u16,
        faults: Arc<Mutex<BTreeMap<String, Fault>>>,
    ) -> std::io::Result<()> {
        loop {
            let Some((head, body)) = read_message(&mut inbound).await? else {
                return Ok(());
            };
            let operation = header(&head, "x-amz-target")
                .and_then(|t| t.rsplit('.').next().map(str::to_string))
                .unwrap_or_default();
            let fault = faults
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&operation)
                .copied();
            match fault {
                Some(Fault::Fail) => {
                    let body = r#"{"__type":"InternalFailure","message":"fault proxy"}"#;
                    let reply = format!(
                        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    inbound.write_all(reply.as_bytes()).await?;
                    continue;
                }
                Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
                None => {}
            }
            let mut outbound = TcpStream::connect(("127.0.0.1", target)).await?;
            outbound.write_all(&head).await?;
            outbound.write_all(&body).await?;
            let Some((head, body)) = read_message(&mut outbound).await? else {
                return Ok(());
            };
            inbound.write_all(&head).await?;
            inbound.write_all(&body).await?;
        }
    }

    /// One HTTP/1.1 message with a `content-length` body (or none): (head incl. the blank line, body).
    /// None when the connection closes before a head.
    async fn read_message(
        stream: &mut (impl AsyncRead + Unpin),
    ) -> std::io::Result<Option<(Vec<u8>, Vec<u8>)>> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let mut body = buf.split_off(end);
        let length: usize = header(&buf, "content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while body.len() < length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
        Ok(Some((buf, body)))
    }

    /// The value of header `name` (case-insensitive) in a message head.
    fn header(head: &[u8], name: &str) -> Option<String> {
        String::from_utf8_lossy(head).lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        })
    }
}
