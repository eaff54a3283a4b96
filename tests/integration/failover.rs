//! Multi-region failover on the real test bed: the primary region's endpoint is a forwarder to moto that
//! the test switches off; reads go to the replica region (moto replicates with `--add-replica-regions`),
//! the switch restarts nothing, a rotation during the outage restarts the workload once, and reads return
//! to the primary once it answers again. The Events and status say which region served.

use crate::common;

use std::time::Duration;

use aws_sdk_secretsmanager::types::ReplicaRegionType;
use common::forwarder::Forwarder;
use common::scenario::{Es, Scenario, Store};
use common::{rotate_remote, sm, testbed_var};
use kube::{Api, Client};
use op_proxy::{Fault, OpProxy};
use secretsync::api::{ExternalSecret, ExternalSecretStatus};

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

/// Secrets Manager store `aws`: us-east-1 at `primary`, failover region us-west-2 at `replica`.
fn store_with_replica(primary: &str, replica: &str) -> Store {
    Store::secrets_manager("aws", primary).failover("us-west-2", replica)
}

/// Through `store`: ExternalSecret `db` reading `key` into `password` and restarting Deployment `api`
/// (which reads Secret `db`), synced with `value`, and `api` rolled out once.
async fn synced_with_a_workload(s: &mut Scenario, store: &Store, key: &str, value: &str) {
    s.start_operator().await;
    s.store(store).await;
    s.es(&Es::new("db", "aws").key("password", key).restarts("api"))
        .await;
    s.deployment_reading("api", "db").await;
    s.ready("db", "True", "Synced").await;
    s.value("db", "password", value).await;
    s.replicasets("api", 1).await;
}

/// In the test bed's moto: secret `key` created with `v1` at version `t1`, then `v2` at `t2`.
async fn primary_at(key: &str, (t1, v1): (&str, &str), (t2, v2): (&str, &str)) {
    let sm = sm();
    sm.create_secret()
        .name(key)
        .secret_string(v1)
        .client_request_token(t1)
        .send()
        .await
        .expect("CreateSecret at T1");
    sm.put_secret_value()
        .secret_id(key)
        .secret_string(v2)
        .client_request_token(t2)
        .send()
        .await
        .expect("PutSecretValue T2");
}

/// Runs `aws secretsmanager <args>` in region us-west-2 of the emulator at `endpoint`.
fn in_replica(endpoint: &str, args: &[&str]) {
    let mut all = vec!["--region", "us-west-2", "secretsmanager"];
    all.extend_from_slice(args);
    common::moto::aws_cli(endpoint, ("testing", "testing"), &all);
}

/// Waits until store `aws` is Ready=False with a message containing `needle`.
async fn wait_store_refused(client: &Client, ns: &str, needle: &str) {
    let api: Api<secretsync::api::SecretStore> = Api::namespaced(client.clone(), ns);
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

/// The Ready condition's message of `status`.
fn ready_message(status: &ExternalSecretStatus) -> String {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.message.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn reads_fail_over_to_the_replica_and_back_without_a_restart() {
    let mut s = Scenario::new("failover").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let primary = Forwarder::start(port_of(&moto)).await;
    let sm = sm();
    let key = format!("{}/db", s.ns);
    sm.create_secret()
        .name(&key)
        .secret_string("pw-1")
        .add_replica_regions(ReplicaRegionType::builder().region("us-west-2").build())
        .send()
        .await
        .expect("CreateSecret with a replica");
    synced_with_a_workload(
        &mut s,
        &store_with_replica(&primary.url(), &moto),
        &key,
        "pw-1",
    )
    .await;
    wait_synced_from(&s.client, &s.ns, "db", "").await;

    // The primary fails: reads move to us-west-2 within seconds; the same version restarts nothing.
    primary.down();
    let failed_at = std::time::Instant::now();
    let from = wait_synced_from(
        &s.client,
        &s.ns,
        "db",
        "served by failover region us-west-2",
    )
    .await;
    let took = failed_at.elapsed();
    assert!(
        took < Duration::from_secs(30),
        "failover took {took:?}: {from}"
    );
    common::wait_for_events(&s.client, &s.ns, &["FailedOver", "us-west-2"]).await;
    s.ready("db", "True", "Synced").await;
    assert_eq!(
        s.replicasets_now("api").await,
        1,
        "a failover is not a rotation"
    );
    assert!(
        s.op()
            .metric_sum("secretsync_failover_active", &["region=\"us-west-2\""])
            == 1.0,
        "{}",
        s.op().metrics()
    );

    // A rotation during the outage (replicated by AWS) arrives from the replica and restarts once.
    rotate_remote(&sm, &key, "pw-2").await;
    s.value("db", "password", "pw-2").await;
    common::wait_for(
        "the rotation's ReplicaSet",
        Duration::from_secs(30),
        || async { (s.replicasets_now("api").await >= 2).then_some(()) },
    )
    .await;

    // The primary answers again: reads return to it, and that restarts nothing either.
    primary.up().await;
    wait_synced_from(&s.client, &s.ns, "db", "").await;
    common::wait_for_events(&s.client, &s.ns, &["FailedBack", "us-east-1"]).await;
    s.ready("db", "True", "Synced").await;
    assert_eq!(
        s.replicasets_now("api").await,
        2,
        "one rotation, one restart; none for the switches"
    );
    assert_eq!(
        s.op().metric_sum("secretsync_workload_restarts_total", &[]),
        1.0
    );
    assert!(
        s.op()
            .metric_sum("secretsync_failover_active", &["region=\"us-west-2\""])
            == 0.0
    );
    s.finish(&["pw-1", "pw-2"]).await;
}

#[tokio::test]
async fn access_denied_and_not_found_never_fail_over() {
    let mut s = Scenario::new("failover-final").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    // The "replica region" is a closed port: a failover attempt would show as a connection error there.
    let closed = format!("http://127.0.0.1:{}", common::operator::free_port());
    let store = Store::secrets_manager("aws", &moto).with(&format!(
        "failoverRegions: [ {{ region: us-west-2, endpoint: \"{closed}\" }}, eu-west-1 ]"
    ));
    s.start_operator().await;
    s.store(&store).await;
    s.es(&Es::new("missing", "aws").key("password", &format!("{}/does-not-exist", s.ns)))
        .await;
    s.ready("missing", "False", "SecretNotFound").await;
    // Let several refreshes (1 s interval) ask the primary, each answered NotFound.
    let store_label = format!("store=\"SecretStore/{}/aws\"", s.ns);
    common::wait_for("three reads answered", Duration::from_secs(60), || {
        let n = s.op().metric_sum(
            "secretsync_aws_api_calls_total",
            &[&store_label, "not_found"],
        );
        async move { (n >= 3.0).then_some(()) }
    })
    .await;
    let text = s.op().metrics();
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("secretsync_failover_active{") && l.ends_with(" 1")),
        "NotFound must not fail over: {text}"
    );
    let events = common::event_messages(&s.client, &s.ns).await.join("\n");
    assert!(!events.contains("FailedOver"), "{events}");
    s.finish(&[]).await;
}

#[tokio::test]
async fn a_bad_failover_entry_is_reported_on_the_store() {
    let mut s = Scenario::new("failover-bad").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    s.start_operator().await;
    for (entry, needle) in [
        ("[ 42 ]", "must be a region name or {region, endpoint}"),
        (
            "[ { region: us-west-2, endpont: \"http://x\" } ]",
            "must be a region name or {region, endpoint}",
        ),
        ("[ us-west2 ]", "is not an AWS region name"),
        ("[ us-east-1 ]", "already the primary region"),
    ] {
        s.store(&Store::secrets_manager("aws", &moto).with(&format!("failoverRegions: {entry}")))
            .await;
        wait_store_refused(&s.client, &s.ns, needle).await;
    }
    s.finish(&[]).await;
}

#[tokio::test]
async fn a_replica_behind_the_synced_version_never_rolls_it_back() {
    let mut s = Scenario::new("failover-behind").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let primary = Forwarder::start(port_of(&moto)).await;
    // The "replica region" is another emulator holding an older copy of the secret: versions the
    // primary never had, and none of the primary's (a replica that has not caught up).
    let stale = common::moto::Moto::start(&[]).await;
    let key = format!("{}/db", s.ns);
    in_replica(
        &stale.endpoint(),
        &[
            "create-secret",
            "--name",
            &key,
            "--secret-string",
            "stale-0",
        ],
    );
    common::create_remote(&sm(), &key, "pw-1").await;
    let store = store_with_replica(&primary.url(), &stale.endpoint());
    synced_with_a_workload(&mut s, &store, &key, "pw-1").await;

    primary.down();
    let message = s.ready("db", "False", "ProviderError").await;
    assert!(
        message.contains("has not replicated the synced version"),
        "{message}"
    );
    s.value("db", "password", "pw-1").await;
    assert_eq!(
        s.replicasets_now("api").await,
        1,
        "no restart to an older value"
    );
    assert_eq!(
        s.op().metric_sum("secretsync_workload_restarts_total", &[]),
        0.0
    );
    s.finish(&["pw-1", "stale-0"]).await;
}

/// Issue 20 #1: the primary region (at T2, synced) fails value reads with HTTP 500 but still answers
/// DescribeSecret; the replica region is still at T1 and its value read is slow, so the primary is due
/// for a retry when the read returns. The guard must not take the primary's knowledge of T2 as the
/// replica's: the Secret, `syncedVersions` and the Deployment stay at T2.
#[tokio::test]
async fn a_replica_behind_is_not_vouched_for_by_the_primary() {
    const T1: &str = "11111111-1111-4111-8111-111111111111";
    const T2: &str = "22222222-2222-4222-8222-222222222222";
    let mut s = Scenario::new("failover-vouch").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let primary = OpProxy::start(port_of(&moto)).await;
    // The replica region: another emulator holding only T1, with the same version id as the primary's.
    let stale = common::moto::Moto::start(&[]).await;
    let replica = OpProxy::start(stale.port).await;
    let key = format!("{}/db", s.ns);
    in_replica(
        &stale.endpoint(),
        &[
            "create-secret",
            "--name",
            &key,
            "--secret-string",
            "older-pass-1",
            "--client-request-token",
            T1,
        ],
    );
    primary_at(&key, (T1, "older-pass-1"), (T2, "newer-pass-2")).await;
    // Every refresh reads the value (no listing to say nothing changed).
    let store = store_with_replica(&primary.url(), &replica.url()).with("changeDetection: None");
    synced_with_a_workload(&mut s, &store, &key, "newer-pass-2").await;

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
    let status = replica_read_outcome(&s.client, &s.ns, &key, T2).await;
    assert_eq!(
        status.synced_versions.get(&key).map(String::as_str),
        Some(T2),
        "syncedVersions rolled back to the replica's T1"
    );
    let message = ready_message(&status);
    assert!(message.contains("names another version"), "{message}");
    s.value("db", "password", "newer-pass-2").await;
    assert_eq!(
        s.replicasets_now("api").await,
        1,
        "no restart to the old value"
    );
    assert_eq!(
        s.op().metric_sum("secretsync_workload_restarts_total", &[]),
        0.0
    );
    s.finish(&["older-pass-1", "newer-pass-2"]).await;
}

/// The status of ExternalSecret `db` once the reconcile of a failed-over read ended: refused
/// (`ProviderError`) or written (`syncedVersions` of `key` moved off `synced`).
async fn replica_read_outcome(
    client: &kube::Client,
    ns: &str,
    key: &str,
    synced: &str,
) -> ExternalSecretStatus {
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
    let mut s = Scenario::new("failover-half").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let primary = OpProxy::start(port_of(&moto)).await;
    let stale = common::moto::Moto::start(&[]).await;
    let replica = OpProxy::start(stale.port).await;
    let key = format!("{}/db", s.ns);
    in_replica(
        &stale.endpoint(),
        &[
            "create-secret",
            "--name",
            &key,
            "--secret-string",
            "half-pass-1",
            "--client-request-token",
            T1,
        ],
    );
    in_replica(
        &stale.endpoint(),
        &[
            "put-secret-value",
            "--secret-id",
            &key,
            "--secret-string",
            "half-pass-2",
            "--client-request-token",
            T2,
            "--version-stages",
            "AWSPENDING",
        ],
    );
    primary_at(&key, (T1, "half-pass-1"), (T2, "half-pass-2")).await;
    let store = store_with_replica(&primary.url(), &replica.url()).with("changeDetection: None");
    synced_with_a_workload(&mut s, &store, &key, "half-pass-2").await;

    // The primary region is down for everything: the replica answers the read and the check.
    for op_name in ["GetSecretValue", "BatchGetSecretValue", "DescribeSecret"] {
        primary.set(op_name, Fault::Fail);
    }
    let status = replica_read_outcome(&s.client, &s.ns, &key, T2).await;
    assert_eq!(
        status.synced_versions.get(&key).map(String::as_str),
        Some(T2),
        "syncedVersions rolled back to the half-rotated replica's T1"
    );
    let message = ready_message(&status);
    assert!(
        message.contains("has not replicated the synced version"),
        "{message}"
    );
    s.value("db", "password", "half-pass-2").await;
    assert_eq!(s.replicasets_now("api").await, 1, "no restart");
    s.finish(&["half-pass-1", "half-pass-2"]).await;
}

/// Issue 20 #2: a failover entry naming the primary's own region with another endpoint (and a region
/// listed twice) is refused on the store, and nothing is sent to that endpoint.
#[tokio::test]
async fn a_failover_entry_repeating_a_region_is_refused() {
    let mut s = Scenario::new("failover-same").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let other = common::fake_endpoints::Recorder::start();
    let x = other.endpoint();
    let key = format!("{}/db", s.ns);
    common::create_remote(&sm(), &key, "same-1").await;
    s.start_operator().await;
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
        s.store(&Store::secrets_manager("aws", &moto).with(&format!("failoverRegions: {entries}")))
            .await;
        s.es(&Es::new("db", "aws").key("password", &key)).await;
        wait_store_refused(&s.client, &s.ns, needle).await;
        s.ready("db", "False", "StoreNotReady").await;
        // The ExternalSecret was refused for this entry (the first round's refusal says another).
        let api: Api<ExternalSecret> = Api::namespaced(s.client.clone(), &s.ns);
        common::wait_for(
            &format!("db refused naming {needle:?}"),
            Duration::from_secs(30),
            || {
                let api = api.clone();
                async move {
                    let c = api
                        .get_opt("db")
                        .await
                        .ok()
                        .flatten()?
                        .status?
                        .conditions
                        .into_iter()
                        .find(|c| c.type_ == "Ready")?;
                    (c.status == "False"
                        && c.reason == "StoreNotReady"
                        && c.message.contains(needle))
                    .then_some(())
                }
            },
        )
        .await;
        common::never_within(
            "a request to the refused endpoint",
            Duration::from_secs(2),
            || {
                let asked = other.requests();
                async move { (!asked.is_empty()).then_some(asked) }
            },
        )
        .await;
    }
    assert!(
        other.requests().is_empty(),
        "the refused endpoint was asked: {:?}",
        other.requests()
    );
    s.finish(&[]).await;
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
