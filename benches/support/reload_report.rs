//! The Reloader side-by-side benchmark's results and its section of BENCHMARKS.md.

use std::time::Duration;

use super::api_proxy::{self, Counts};
use super::objects;

/// The section's title.
pub const TITLE: &str = "## Reloader side by side";
/// Reloader's version (`cargo xtask bench` builds this one).
pub const RELOADER_VERSION: &str = "v1.4.22";
/// The idle window: memory at its end, apiserver requests during it.
pub const IDLE: Duration = Duration::from_secs(60);
/// Single edits timed to a new ReplicaSet.
pub const SAMPLES: usize = 20;
/// Deployments whose three objects are edited at once.
pub const CHANGE_SETS: usize = 10;
/// No template change and no new ReplicaSet for this long after a change set: settled.
pub const QUIET: Duration = Duration::from_secs(10);
/// secretsync's flags here beyond `controller` (none: its defaults, a 1 s `--reload-settle`).
pub const SECRETSYNC_FLAGS: &[&str] = &[];

/// What one controller measured.
pub struct Side {
    /// Start → a canary edit restarts the canary Deployment (listing done, reacting).
    pub ready: Duration,
    /// apiserver requests from the start until ready.
    pub startup: Counts,
    /// VmRSS (KiB) after the idle window.
    pub rss_kib: u64,
    /// VmHWM (KiB) after the idle window.
    pub hwm_kib: u64,
    /// apiserver requests during the idle window.
    pub idle: Counts,
    /// One edited ConfigMap → a new ReplicaSet, sorted.
    pub latencies: Vec<Duration>,
    /// Template changes (generation increments) per Deployment after its change set of three.
    pub restarts: Vec<usize>,
    /// New ReplicaSets per Deployment after its change set (the deployment controller makes one per
    /// template it sees, so changes close together can share one).
    pub new_replicasets: Vec<usize>,
    /// Whether it ran in a network namespace of its own.
    pub isolated: bool,
}

/// The nearest-rank percentile `p` (0–100) of sorted samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// "✓" when a goal holds, "✗" otherwise.
fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// MiB with one decimal.
fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Counts per change set as "n ×k" groups (`what` names the unit).
fn groups_line(restarts: &[usize], what: &str) -> String {
    let mut groups = std::collections::BTreeMap::new();
    for r in restarts {
        *groups.entry(*r).or_insert(0) += 1;
    }
    groups
        .iter()
        .map(|(r, k)| format!("{r} {what}{} ×{k}", if *r == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One table row: measure, Reloader, secretsync (or "—"), goal.
fn row(out: &mut String, measure: &str, cells: [String; 2], goal: &str) {
    out.push_str(&format!(
        "| {measure} | {} | {} | {goal} |\n",
        cells[0], cells[1]
    ));
}

/// The BENCHMARKS.md section.
pub fn section(n: usize, created: Duration, rl: &Side, ss: &Result<Side, String>) -> String {
    let sides = [Some(rl), ss.as_ref().ok()];
    let cell = |f: &dyn Fn(&Side) -> String| sides.map(|s| s.map_or("—".to_string(), f));
    let ratio = ss
        .as_ref()
        .ok()
        .map(|s| s.rss_kib as f64 / rl.rss_kib.max(1) as f64);
    let mut out = format!(
        "{TITLE}\n\n\
         Measured by `cargo xtask bench` (`benches/reloader_side_by_side.rs`) on the local test bed \
         (kube-apiserver + kube-controller-manager on 127.0.0.1, 2 cores shared with the test bed). \
         Objects: {n} Secrets + {n} ConfigMaps of 4 KiB over {} namespaces ({:.0} s to create, {} requests \
         in flight), {} Deployments annotated `reloader.stakater.com/auto: \"true\"`, each referencing 1–5 \
         of them through envFrom, env and mounted volumes, no object shared. The Deployments have \
         `replicas: 0`: a template change still makes a new ReplicaSet, which is what is measured, and \
         200 Pods (plus a new set per restart) would exceed the node's 110-Pod limit and time the 2 \
         shared cores rather than the controllers. `SECRETSYNC_BENCH_RELOADER_N` sets N (default \
         10000).\n\n\
         Each controller runs in turn, out of cluster, over the same objects, watching every namespace, \
         behind its own counting proxy to the apiserver (a kubeconfig pointing at the proxy, which \
         forwards with the test bed's credentials), so its requests are counted apart from everyone \
         else's. Reloader {RELOADER_VERSION}, the release `cargo xtask bench` builds from its Go module \
         (the only one the module proxy serves; its `openshift/api` pin is not served, so that one module \
         is replaced by the newest that is), runs with `--reload-strategy=env-vars`, its default, in a \
         network namespace of its own{} (it listens on :9090 of every interface). secretsync runs \
         `controller{}` (its defaults: a change set is collected for `--reload-settle`, 1 s). Ready: an edit of a canary ConfigMap, then Secret, restarts a canary \
         Deployment (listing done). Then {} s idle (memory at its end, requests during it); then \
         {SAMPLES} single edits (the first ConfigMap of Deployments 0–{}, one at a time, timed from the \
         edit to the Deployment's new ReplicaSet, polled every 50 ms); then {CHANGE_SETS} change sets \
         at once (three objects of one Deployment, two ConfigMaps and a Secret, edited together), \
         counted once neither the Deployment's generation nor its ReplicaSets changed for {} s: a \
         restart is a template change (one generation); the deployment controller makes a ReplicaSet \
         per template it sees, so restarts close together can share one. Before each controller starts, \
         the deployment controller has caught up with every Deployment.\n\n\
         | measure | Reloader {RELOADER_VERSION} | secretsync | goal |\n|---|---|---|---|\n",
        objects::NAMESPACES,
        created.as_secs_f64(),
        objects::CONCURRENCY,
        objects::WORKLOADS,
        if rl.isolated {
            ""
        } else {
            " (not here: no root, so on the host's network)"
        },
        SECRETSYNC_FLAGS
            .iter()
            .map(|f| format!(" {f}"))
            .collect::<String>(),
        IDLE.as_secs(),
        SAMPLES - 1,
        QUIET.as_secs(),
    );
    row(
        &mut out,
        "start → reacting to a canary edit",
        cell(&|s| format!("{:.1} s", s.ready.as_secs_f64())),
        "—",
    );
    row(
        &mut out,
        "apiserver requests from the start until reacting",
        cell(&|s| api_proxy::by_verb(&s.startup)),
        "—",
    );
    row(
        &mut out,
        &format!("VmRSS after {} s idle (VmHWM)", IDLE.as_secs()),
        cell(&|s| format!("{} ({})", mib(s.rss_kib), mib(s.hwm_kib))),
        &match ratio {
            Some(r) => format!("secretsync ≤ 1/5 of Reloader: {:.3}× {}", r, mark(r <= 0.2)),
            None => "secretsync ≤ 1/5 of Reloader".into(),
        },
    );
    row(
        &mut out,
        &format!("apiserver requests in {} s idle, by verb", IDLE.as_secs()),
        cell(&|s| api_proxy::by_verb(&s.idle)),
        "—",
    );
    row(
        &mut out,
        "of which GETs",
        cell(&|s| {
            let gets = api_proxy::verb_total(&s.idle, "GET");
            format!("{gets} {}", mark(gets == 0))
        }),
        "0",
    );
    row(
        &mut out,
        &format!("edit → new ReplicaSet, p50 / p99 ({SAMPLES} samples)"),
        cell(&|s| {
            let p50 = percentile(&s.latencies, 50);
            format!(
                "{:.2} s / {:.2} s {}",
                p50.as_secs_f64(),
                percentile(&s.latencies, 99).as_secs_f64(),
                mark(p50 <= Duration::from_secs(2))
            )
        }),
        "p50 ≤ 2 s",
    );
    row(
        &mut out,
        &format!(
            "restarts (template changes) per change set of 3 objects ({CHANGE_SETS} Deployments)"
        ),
        cell(&|s| {
            let once = s.restarts.iter().all(|r| *r == 1);
            format!("{} {}", groups_line(&s.restarts, "restart"), mark(once))
        }),
        "exactly 1 per Deployment",
    );
    row(
        &mut out,
        "new ReplicaSets per change set",
        cell(&|s| groups_line(&s.new_replicasets, "ReplicaSet")),
        "—",
    );
    out.push_str("\napiserver requests in the idle window, by verb and resource: ");
    out.push_str(&format!(
        "Reloader {}; secretsync {}.\n",
        api_proxy::detail(&rl.idle),
        match ss {
            Ok(s) => api_proxy::detail(&s.idle),
            Err(_) => "—".into(),
        }
    ));
    if let Err(why) = ss {
        out.push_str(&format!("\nsecretsync's side: {why}.\n"));
    }
    out
}
