//! Runs a table of rows against one controller: makes every row's objects and workloads in one
//! namespace, waits until the workloads recorded their reload state, then runs step 1 of every row
//! at once, checks each workload restarted exactly once or not at all (and stays so past a settle
//! window), then step 2, and so on.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};

use super::bed::{Act, Form, Kind, Row};
use crate::common;
use common::operator::Operator;
use common::workloads::replicasets;

const STATE: &str = "secretsync.io/reload-state";
const MARKER: &str = "secretsync.io/reload-marker";
const INSTANTIATE: &str = "cronjob.kubernetes.io/instantiate";

/// One controller run: its flags and the namespace around the rows.
pub struct Suite {
    /// Names the namespace and the controller's log.
    pub name: &'static str,
    /// Extra controller flags; `{ns}` is the test namespace.
    pub flags: &'static [&'static str],
    /// Labels put on the test namespace before the controller starts.
    pub ns_labels: &'static [(&'static str, &'static str)],
    /// Workloads record state (false where the flags make the namespace invisible).
    pub records: bool,
    /// `--reloader-auto-reload-all`: every workload takes part.
    pub auto_all: bool,
    /// Kinds the controller does not watch (`--reloader-ignored-workload-types`): no state.
    pub unrecorded: &'static [Kind],
    /// The rows live in a second namespace, outside the controller's scope.
    pub elsewhere: bool,
}

/// Defaults for `..SUITE`.
pub const SUITE: Suite = Suite {
    name: "",
    flags: &[],
    ns_labels: &[],
    records: true,
    auto_all: false,
    unrecorded: &[],
    elsewhere: false,
};

/// One workload under observation.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    /// ReplicaSets (Deployment), generation (DaemonSet, StatefulSet), manual Jobs (CronJob).
    count: i64,
    /// The template marker (DaemonSet, StatefulSet) or the uid (Job).
    mark: Option<String>,
}

fn resource(kind: Kind) -> ApiResource {
    match kind {
        Kind::D => ApiResource::erase::<Deployment>(&()),
        Kind::Ds => ApiResource::erase::<DaemonSet>(&()),
        Kind::Sts => ApiResource::erase::<StatefulSet>(&()),
        Kind::Cj => ApiResource::erase::<CronJob>(&()),
        Kind::J => ApiResource::erase::<Job>(&()),
    }
}

/// Creates `obj` (a ConfigMap, Secret or workload manifest) in `ns`.
async fn create(client: &Client, ns: &str, ar: &ApiResource, obj: Value) {
    let obj: DynamicObject =
        serde_json::from_value(obj).unwrap_or_else(|e| panic!("bad manifest in test: {e}"));
    let name = obj.metadata.name.clone().unwrap_or_default();
    Api::<DynamicObject>::namespaced_with(client.clone(), ns, ar)
        .patch(
            &name,
            &PatchParams::apply("secretsync-tests").force(),
            &Patch::Apply(&obj),
        )
        .await
        .unwrap_or_else(|e| panic!("creating {} {name}: {e}", ar.kind));
}

fn template_marker(t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>) -> Option<String> {
    t?.metadata
        .as_ref()?
        .annotations
        .as_ref()?
        .get(MARKER)
        .cloned()
}

/// Every workload of `ns`, by kind and name.
async fn observe(client: &Client, ns: &str) -> BTreeMap<(Kind, String), Seen> {
    let lp = ListParams::default();
    let mut out = BTreeMap::new();
    for (name, n) in replicasets(client, ns).await {
        out.insert(
            (Kind::D, name),
            Seen {
                count: n as i64,
                mark: None,
            },
        );
    }
    let sts = Api::<StatefulSet>::namespaced(client.clone(), ns)
        .list(&lp)
        .await;
    for s in sts.map(|l| l.items).unwrap_or_default() {
        let mark = template_marker(s.spec.as_ref().map(|s| &s.template));
        let count = s.metadata.generation.unwrap_or(0);
        out.insert(
            (Kind::Sts, s.metadata.name.unwrap_or_default()),
            Seen { count, mark },
        );
    }
    let ds = Api::<DaemonSet>::namespaced(client.clone(), ns)
        .list(&lp)
        .await;
    for s in ds.map(|l| l.items).unwrap_or_default() {
        let mark = template_marker(s.spec.as_ref().map(|s| &s.template));
        let count = s.metadata.generation.unwrap_or(0);
        out.insert(
            (Kind::Ds, s.metadata.name.unwrap_or_default()),
            Seen { count, mark },
        );
    }
    let jobs = Api::<Job>::namespaced(client.clone(), ns).list(&lp).await;
    for j in jobs.map(|l| l.items).unwrap_or_default() {
        let manual = j.annotations().contains_key(INSTANTIATE);
        for o in j.owner_references().iter().filter(|o| o.kind == "CronJob") {
            if manual {
                let e = out.entry((Kind::Cj, o.name.clone()));
                e.or_insert(Seen {
                    count: 0,
                    mark: None,
                })
                .count += 1;
            }
        }
        if j.metadata.deletion_timestamp.is_none() {
            let name = j.metadata.name.clone().unwrap_or_default();
            out.insert(
                (Kind::J, name),
                Seen {
                    count: 0,
                    mark: j.metadata.uid.clone(),
                },
            );
        }
    }
    out
}

/// What a workload shows now against `before` and the expected restart, or None when it agrees.
fn mismatch(
    kind: Kind,
    before: Option<&Seen>,
    now: Option<&Seen>,
    restart: bool,
) -> Option<String> {
    let zero = Seen {
        count: 0,
        mark: None,
    };
    let before = before.unwrap_or(&zero);
    let now = now.unwrap_or(&zero);
    let plus = i64::from(restart);
    let ok = match kind {
        Kind::D | Kind::Cj => now.count == before.count + plus,
        Kind::Ds | Kind::Sts => {
            now.count == before.count + plus
                && (now.mark != before.mark) == restart
                && (!restart || now.mark.is_some())
        }
        Kind::J => now.mark.is_some() && (now.mark != before.mark) == restart,
    };
    (!ok).then(|| format!("before {before:?}, now {now:?}, want restart: {restart}"))
}

/// Sets up the namespace and controller for `suite`, makes the rows and runs their steps; rows
/// named in `failing` (id, diagnosis) are left out and printed.
pub async fn run(suite: &Suite, rows: &[Row], failing: &[(&str, &str)]) {
    let started = Instant::now();
    for (id, why) in failing {
        println!("{}: {id} left out, it fails: {why}", suite.name);
    }
    let rows: Vec<&Row> = rows
        .iter()
        .filter(|r| !failing.iter().any(|(id, _)| *id == r.id))
        .collect();
    let cases: usize = rows.iter().map(|r| r.kinds.len()).sum();
    let (client, op_ns) = common::setup(suite.name).await;
    let ns = if suite.elsewhere {
        common::namespace(&client, suite.name).await
    } else {
        op_ns.clone()
    };
    if !suite.ns_labels.is_empty() {
        let labels: serde_json::Map<String, Value> = suite
            .ns_labels
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        Api::<Namespace>::all(client.clone())
            .patch(
                &ns,
                &PatchParams::default(),
                &Patch::Merge(&json!({ "metadata": { "labels": labels } })),
            )
            .await
            .unwrap_or_else(|e| panic!("labelling namespace {ns}: {e}"));
    }
    let flags: Vec<String> = suite.flags.iter().map(|f| f.replace("{ns}", &ns)).collect();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let op = Operator::start_with(&op_ns, "", &flags, &[]).await;

    let cm_ar = ApiResource::erase::<ConfigMap>(&());
    let s_ar = ApiResource::erase::<Secret>(&());
    for r in &rows {
        for o in r.objects.iter().filter(|o| !o.later) {
            let ar = if o.secret { &s_ar } else { &cm_ar };
            create(&client, &ns, ar, r.object_manifest(o)).await;
        }
    }
    let mut watched: Vec<(Kind, String, usize)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        for k in r.kinds {
            let name = r.workload(*k);
            create(
                &client,
                &ns,
                &resource(*k),
                r.workload_manifest(*k, &name, r.refs, true),
            )
            .await;
            watched.push((*k, name, i));
        }
        if r.bystander {
            let name = format!("{}-bystander", r.prefix());
            let refs = [(Form::EnvFrom, "cm")];
            create(
                &client,
                &ns,
                &resource(Kind::D),
                r.workload_manifest(Kind::D, &name, &refs, false),
            )
            .await;
            watched.push((Kind::D, name, usize::MAX));
        }
    }
    if suite.records {
        wait_recorded(&client, &ns, &rows, suite).await;
    }

    let steps = rows.iter().map(|r| r.steps.len()).max().unwrap_or(0);
    let mut versions: BTreeMap<String, u32> = BTreeMap::new();
    for step in 0..steps {
        deployments_settled(&client, &ns, &watched).await;
        let before = observe(&client, &ns).await;
        for r in &rows {
            if let Some((act, obj, _)) = r.steps.get(step) {
                act_on(&client, &ns, r, *act, obj, &mut versions).await;
            }
        }
        let want: Vec<(Kind, String, bool, &str)> = watched
            .iter()
            .map(|(k, name, i)| {
                let row = rows.get(*i);
                let restart = row.and_then(|r| r.steps.get(step)).is_some_and(|s| s.2);
                (
                    *k,
                    name.clone(),
                    restart,
                    row.map(|r| r.id).unwrap_or("bystander"),
                )
            })
            .collect();
        let wrong = || async {
            let now = observe(&client, &ns).await;
            let bad: Vec<String> = want
                .iter()
                .filter_map(|(k, name, restart, id)| {
                    let key = (*k, name.clone());
                    mismatch(*k, before.get(&key), now.get(&key), *restart)
                        .map(|m| format!("{id} {k:?} {name}: {m}"))
                })
                .collect();
            (!bad.is_empty()).then_some(bad)
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let Some(bad) = wrong().await else { break };
            assert!(
                Instant::now() < deadline,
                "{} step {}: not as expected after 60s:\n{}",
                suite.name,
                step + 1,
                bad.join("\n")
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        // Past a settle window and more: no further restart, no late one for a negative row.
        common::never_within(
            &format!("{} step {}: a change", suite.name, step + 1),
            Duration::from_secs(6),
            wrong,
        )
        .await;
    }
    // Nothing above (an invalid expression, a deletion) stopped or broke the controller.
    assert!(
        common::operator::http_get(op.port, "/healthz").is_some_and(|(c, _)| c == 200),
        "{}: the controller is not healthy at the end; log: {}",
        suite.name,
        op.log.display()
    );
    println!(
        "{}: {cases} cases ({} rows) passed in {:?}",
        suite.name,
        rows.len(),
        started.elapsed()
    );
    common::delete_namespace(&client, &ns).await;
    if suite.elsewhere {
        common::delete_namespace(&client, &op_ns).await;
    }
}

/// Waits until the Deployment controller caught up with every watched Deployment (its ReplicaSet
/// exists and it observed the current generation), so a count taken now is the baseline.
async fn deployments_settled(client: &Client, ns: &str, watched: &[(Kind, String, usize)]) {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    common::wait_for(
        "every Deployment to have its ReplicaSet",
        Duration::from_secs(60),
        || async {
            let sets = replicasets(client, ns).await;
            let list = api.list(&ListParams::default()).await.ok()?.items;
            let caught_up = list.iter().all(|d| {
                d.status.as_ref().and_then(|s| s.observed_generation) >= d.metadata.generation
            });
            let all = watched
                .iter()
                .filter(|(k, _, _)| *k == Kind::D)
                .all(|(_, name, _)| sets.get(name).is_some_and(|n| *n >= 1));
            (caught_up && all).then_some(())
        },
    )
    .await;
}

/// Waits until every workload taking part carries its recorded reload state (first sight handled).
async fn wait_recorded(client: &Client, ns: &str, rows: &[&Row], suite: &Suite) {
    for r in rows.iter().filter(|r| suite.auto_all || r.takes_part()) {
        for k in r.kinds.iter().filter(|k| !suite.unrecorded.contains(k)) {
            let name = r.workload(*k);
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource(*k));
            common::wait_for(
                &format!("{k:?} {name} to record its reload state"),
                Duration::from_secs(60),
                || async {
                    let o = api.get(&name).await.ok()?;
                    o.metadata.annotations?.get(STATE).map(|_| ())
                },
            )
            .await;
        }
    }
}

/// Does `act` to the row's object `obj`.
async fn act_on(
    client: &Client,
    ns: &str,
    r: &Row,
    act: Act,
    obj: &str,
    versions: &mut BTreeMap<String, u32>,
) {
    let o = r.object(obj);
    let name = r.object_name(obj);
    let v = versions.entry(name.clone()).or_insert(1);
    let field = if o.secret { "stringData" } else { "data" };
    let patch = match act {
        Act::Create => {
            let ar = if o.secret {
                ApiResource::erase::<Secret>(&())
            } else {
                ApiResource::erase::<ConfigMap>(&())
            };
            create(client, ns, &ar, r.object_manifest(o)).await;
            return;
        }
        Act::Delete => {
            let dp = DeleteParams::default();
            let result = if o.secret {
                Api::<Secret>::namespaced(client.clone(), ns)
                    .delete(&name, &dp)
                    .await
                    .map(|_| ())
            } else {
                Api::<ConfigMap>::namespaced(client.clone(), ns)
                    .delete(&name, &dp)
                    .await
                    .map(|_| ())
            };
            result.unwrap_or_else(|e| panic!("deleting {name}: {e}"));
            return;
        }
        Act::Edit => {
            *v += 1;
            json!({ field: { "key": format!("v{v}") } })
        }
        Act::NoOp => json!({ field: { "key": format!("v{v}") } }),
        Act::Label => {
            json!({ "metadata": { "labels": { "new-label": format!("new-value-{v}") } } })
        }
        Act::Annotate => json!({ "metadata": { "annotations": { "touched": format!("t{v}") } } }),
        Act::Binary => {
            *v += 1;
            json!({ "binaryData": { "bin": format!("YjI{v}") } })
        }
    };
    let pp = PatchParams::default();
    let result = if o.secret {
        Api::<Secret>::namespaced(client.clone(), ns)
            .patch(&name, &pp, &Patch::Merge(&patch))
            .await
            .map(|_| ())
    } else {
        Api::<ConfigMap>::namespaced(client.clone(), ns)
            .patch(&name, &pp, &Patch::Merge(&patch))
            .await
            .map(|_| ())
    };
    result.unwrap_or_else(|e| panic!("{act:?} on {name}: {e}"));
}
