//! Two controller processes with leader election: exactly one reconciles; the other takes over when
//! the leader dies without releasing the Lease.

use crate::common;

use std::time::{Duration, Instant};

use common::operator::Operator;
use common::{apply, create_remote, has, sm, wait_secret};
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::Api;

use common::in_cluster::holder;

const RECONCILES: &str = "secretsync_reconcile_duration_seconds_count";

#[tokio::test]
async fn exactly_one_replica_reconciles_and_a_standby_takes_over() {
    let (client, ns) = common::setup("leader").await;
    let key = format!("{ns}/pw");
    create_remote(&sm(), &key, "leader-pw-1").await;
    let lease = format!("{ns}-lease");
    let args = ["--leader-elect", "--leader-elect-lease", lease.as_str()];
    let names = ["replica-a", "replica-b"];
    let mut ops = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let tag = format!("-{i}");
        ops.push(Some(
            Operator::start_with(&ns, &tag, &args, &[("POD_NAME", name)]).await,
        ));
    }
    apply(
        &client,
        &ns,
        &common::store_and_es(
            &common::testbed_var("AWS_ENDPOINT_URL"),
            "app",
            "1s",
            &key,
            "",
        ),
    )
    .await;
    wait_secret(&client, &ns, "app", "synced by the leader", |s| {
        has(s, "password", "leader-pw-1")
    })
    .await;
    let leases: Api<Lease> = Api::namespaced(client.clone(), common::CONTROLLER_NAMESPACE);
    let leader = holder(&leases, &lease).await.expect("a lease holder");
    let l = names
        .iter()
        .position(|n| *n == leader)
        .expect("the holder is one of ours");
    let st = 1 - l;
    let metric = |ops: &Vec<Option<Operator>>, i: usize, name: &str| {
        ops[i]
            .as_ref()
            .map(|o| o.metric_sum(name, &[]))
            .unwrap_or(0.0)
    };
    // Several refreshes later, only the leader has reconciled anything.
    common::wait_for(
        "the leader to reconcile a few times",
        Duration::from_secs(30),
        || async { (metric(&ops, l, RECONCILES) >= 3.0).then_some(()) },
    )
    .await;
    assert_eq!(metric(&ops, st, RECONCILES), 0.0, "the standby reconciled");
    assert_eq!(
        metric(&ops, st, "secretsync_aws_api_calls_total"),
        0.0,
        "the standby called AWS"
    );

    // The leader dies without releasing the lease: the standby takes over within the lease duration.
    let killed_at = Instant::now();
    if let Some(mut op) = ops[l].take() {
        op.stop();
    }
    common::wait_for(
        &format!("{} to take the lease", names[st]),
        Duration::from_secs(30),
        || async { (holder(&leases, &lease).await.as_deref() == Some(names[st])).then_some(()) },
    )
    .await;
    common::wait_for(
        &format!("{} to reconcile", names[st]),
        Duration::from_secs(30),
        || async { (metric(&ops, st, RECONCILES) >= 1.0).then_some(()) },
    )
    .await;
    assert!(
        killed_at.elapsed() < Duration::from_secs(25),
        "failover took {:?}",
        killed_at.elapsed()
    );
    common::delete_namespace(&client, &ns).await;
}
