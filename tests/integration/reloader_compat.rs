//! Stakater Reloader's annotations on the real test bed, for Secrets secretsync manages: on by
//! default, they restart workloads exactly once per rotation (version-keyed, not per change), a
//! Secret annotated `reloader.stakater.com/ignore` triggers nothing, and with `--reloader=false` the
//! annotations do nothing.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::operator::Operator;
use common::workloads::{deployment, env_from_pod, plain_pod, replicasets};
use common::{apply, create_remote, has, rotate_remote, sm, testbed_var, wait_secret};
use kube::Client;

/// Waits until the ReplicaSet counts are exactly `want` (per Deployment).
async fn wait_replicasets(client: &Client, ns: &str, want: &BTreeMap<String, usize>) {
    common::wait_for(
        &format!("ReplicaSets {want:?}"),
        Duration::from_secs(40),
        || async {
            let got = replicasets(client, ns).await;
            want.iter()
                .all(|(k, v)| got.get(k) == Some(v))
                .then_some(())
        },
    )
    .await;
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[tokio::test]
async fn reloader_annotations_restart_once_per_rotation_unless_turned_off() {
    let (client, ns) = common::setup("reloader").await;
    let sm = sm();
    let (db, quiet) = (format!("{ns}/db"), format!("{ns}/quiet"));
    create_remote(&sm, &db, "rl-db-1").await;
    create_remote(&sm, &quiet, "rl-quiet-1").await;
    let ignored_template = "  target:\n    template:\n      mergePolicy: Merge\n      metadata: { annotations: { reloader.stakater.com/ignore: \"true\" } }\n";
    let yaml = [
        common::store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
        common::single_key_es("db", "aws", "1s", &db, ""),
        common::single_key_es("quiet", "aws", "1s", &quiet, ignored_template),
        deployment(
            "auto",
            "reloader.stakater.com/auto: \"true\"",
            &env_from_pod("db"),
        ),
        deployment(
            "secret-auto",
            "secret.reloader.stakater.com/auto: \"true\"",
            &env_from_pod("db"),
        ),
        deployment(
            "named",
            "secret.reloader.stakater.com/reload: \"other, db\"",
            &plain_pod(),
        ),
        deployment("plain", "", &env_from_pod("db")),
        deployment(
            "ignored",
            "reloader.stakater.com/auto: \"true\"",
            &env_from_pod("quiet"),
        ),
    ]
    .join("---\n");
    let all = |n: usize, m: usize| {
        counts(&[
            ("auto", n),
            ("secret-auto", n),
            ("named", n),
            ("plain", m),
            ("ignored", m),
        ])
    };

    // Turned off: a rotation restarts nothing annotated only for Reloader.
    let mut op = Operator::start_with(&ns, "-off", &["--reloader=false"], &[]).await;
    apply(&client, &ns, &yaml).await;
    wait_secret(&client, &ns, "quiet", "first sync", |s| {
        has(s, "password", "rl-quiet-1")
    })
    .await;
    wait_replicasets(&client, &ns, &all(1, 1)).await;
    let api: kube::Api<secretsync::api::ExternalSecret> =
        kube::Api::namespaced(client.clone(), &ns);
    let synced_of = |name: &'static str| {
        let api = api.clone();
        async move {
            api.get(name)
                .await
                .ok()
                .and_then(|e| e.status)
                .map(|s| s.synced_versions)
        }
    };
    let synced = || synced_of("db");
    let before = synced().await;
    rotate_remote(&sm, &db, "rl-db-2").await;
    wait_secret(&client, &ns, "db", "rotation 2", |s| {
        has(s, "password", "rl-db-2")
    })
    .await;
    // The status moves only after the rotation's rollout decision (settle window included).
    common::wait_for(
        "the rotation recorded in status",
        Duration::from_secs(30),
        || async {
            let now = synced().await;
            (now.is_some() && now != before).then_some(())
        },
    )
    .await;
    wait_replicasets(&client, &ns, &all(1, 1)).await;
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        0.0,
        "Reloader annotations acted with --reloader=false"
    );
    op.stop();

    // By default: each rotation restarts the three annotated workloads once; the unannotated one
    // and the one fed by the ignored Secret never.
    let op = Operator::start(&ns).await;
    for (round, value) in [(2, "rl-db-3"), (3, "rl-db-4")] {
        let quiet_before = synced_of("quiet").await;
        rotate_remote(&sm, &db, value).await;
        rotate_remote(&sm, &quiet, &format!("rl-quiet-{round}")).await;
        wait_secret(&client, &ns, "db", value, |s| has(s, "password", value)).await;
        wait_secret(
            &client,
            &ns,
            "quiet",
            "the ignored Secret's rotation",
            |s| has(s, "password", &format!("rl-quiet-{round}")),
        )
        .await;
        // quiet's status moves only after its rotation's rollout decision (settle window included):
        // only then does "ignored" keeping one ReplicaSet show the ignore annotation at work.
        common::wait_for(
            &format!("quiet's rotation {round} recorded in status"),
            Duration::from_secs(30),
            || async {
                let now = synced_of("quiet").await;
                (now.is_some() && now != quiet_before).then_some(())
            },
        )
        .await;
        wait_replicasets(&client, &ns, &all(round, 1)).await;
    }
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &[]),
        6.0,
        "three workloads, two rotations"
    );
    op.assert_log_free_of(&["rl-db-2", "rl-db-3", "rl-db-4", "rl-quiet-2", "rl-quiet-3"]);
    common::delete_namespace(&client, &ns).await;
}
