//! Benchmark: rotation (`PutSecretValue`) to a new ReplicaSet, with `refreshInterval: 10s`, on the test bed.
//! Run through `cargo xtask bench`, which writes the results to BENCHMARKS.md.

#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/report.rs"]
mod report;

use std::time::{Duration, Instant};

use common::operator::Operator;
use common::workloads::{deployment, env_from_pod, replicasets};
use common::{apply, create_remote, has, rotate_remote, sm, wait_secret};

const SAMPLES: usize = 5;

#[tokio::main]
async fn main() {
    let (client, ns) = common::setup("bench-rotation").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "bench-0").await;
    let _op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &deployment(
            "api",
            "secretsync.io/reload: \"true\"",
            &env_from_pod("app"),
        ),
    )
    .await;
    apply(
        &client,
        &ns,
        &common::store_and_es(
            &common::testbed_var("AWS_ENDPOINT_URL"),
            "app",
            "10s",
            &key,
            "",
        ),
    )
    .await;
    wait_secret(&client, &ns, "app", "first sync", |s| {
        has(s, "password", "bench-0")
    })
    .await;
    let mut total = Vec::new();
    let mut restart = Vec::new();
    for i in 1..=SAMPLES {
        let before = replicasets(&client, &ns)
            .await
            .get("api")
            .copied()
            .unwrap_or(0);
        let value = format!("bench-{i}");
        let t0 = Instant::now();
        rotate_remote(&sm, &key, &value).await;
        wait_secret(&client, &ns, "app", "rotated", |s| {
            has(s, "password", &value)
        })
        .await;
        let t_secret = Instant::now();
        loop {
            if replicasets(&client, &ns)
                .await
                .get("api")
                .copied()
                .unwrap_or(0)
                > before
            {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "no new ReplicaSet within 60s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        total.push(t0.elapsed());
        restart.push(t_secret.elapsed());
        println!(
            "sample {i}: rotation→ReplicaSet {:.2}s (Secret→ReplicaSet {:.3}s)",
            total[i - 1].as_secs_f64(),
            restart[i - 1].as_secs_f64()
        );
    }
    let stats = |v: &mut Vec<Duration>| {
        v.sort();
        (
            v[0].as_secs_f64(),
            v[v.len() / 2].as_secs_f64(),
            v[v.len() - 1].as_secs_f64(),
        )
    };
    let (tmin, tmed, tmax) = stats(&mut total);
    let (rmin, rmed, rmax) = stats(&mut restart);
    let report = format!(
        "## Rotation to new ReplicaSet (`refreshInterval: 10s`)\n\n\
         Measured by `cargo xtask bench` on the local test bed (kube-apiserver + kube-controller-manager + moto on \
         127.0.0.1, release build, 2 cores). {SAMPLES} rotations with `PutSecretValue`; each sample runs from the \
         rotation until the Deployment has a new ReplicaSet.\n\n\
         | measure | min | median | max |\n|---|---|---|---|\n\
         | rotation → new ReplicaSet | {tmin:.2} s | {tmed:.2} s | {tmax:.2} s |\n\
         | Secret updated → new ReplicaSet | {rmin:.3} s | {rmed:.3} s | {rmax:.3} s |\n\n\
         The first row is dominated by where the rotation falls inside the jittered 10 s refresh window \
         (0–11 s); each sample starts just after the previous rotation was applied, i.e. right after a refresh, so it \
         shows the near-worst case of about one interval; the second is the restart path itself (marker patch + controller-manager).\n"
    );
    report::write_section(
        "## Rotation to new ReplicaSet (`refreshInterval: 10s`)",
        &report,
    );
    println!("{report}");
    common::delete_namespace(&client, &ns).await;
}
