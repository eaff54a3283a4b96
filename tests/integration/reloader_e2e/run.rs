//! Runs a table of rows against one controller: makes every row's objects and workloads in one
//! namespace, waits until the workloads recorded their reload state, then runs step 1 of every row
//! at once, checks each workload restarted exactly once or not at all (and stays so past a settle
//! window), then step 2, and so on. A suite makes only the kinds it names (all but the Argo Rollout
//! unless told), so one table serves the plain runs and the Rollout run alike.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::bed::{Act, BED_KINDS, Form, Kind, ROLLOUT_STRATEGY, Row};
use super::observe::{mismatch, observe, resource};
use crate::common;
use common::operator::Operator;
use common::workloads::replicasets;

const STATE: &str = "secretsync.io/reload-state";

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
    /// The kinds made of each row (a row listing none of them is left out).
    pub kinds: &'static [Kind],
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
    kinds: BED_KINDS,
};

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
        .filter(|r| kinds(suite, r).next().is_some())
        .collect();
    let cases: usize = rows.iter().map(|r| kinds(suite, r).count()).sum();
    let watches_rollouts = suite.kinds.contains(&Kind::R);
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
        for k in kinds(suite, r) {
            let name = r.workload(k);
            create(
                &client,
                &ns,
                &resource(k),
                r.workload_manifest(k, &name, r.refs, true),
            )
            .await;
            watched.push((k, name, i));
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
        let before = observe(&client, &ns, watches_rollouts).await;
        for r in &rows {
            if let Some((act, obj, _)) = r.steps.get(step) {
                act_on(&client, &ns, r, *act, obj, &mut versions).await;
            }
        }
        let want: Vec<(Kind, String, bool, &str, bool)> = watched
            .iter()
            .map(|(k, name, i)| {
                let row = rows.get(*i);
                let restart = row.and_then(|r| r.steps.get(step)).is_some_and(|s| s.2);
                let restart_at =
                    row.is_some_and(|r| r.meta.contains(&(ROLLOUT_STRATEGY, "restart")));
                (
                    *k,
                    name.clone(),
                    restart,
                    row.map(|r| r.id).unwrap_or("bystander"),
                    restart_at,
                )
            })
            .collect();
        let wrong = || async {
            let now = observe(&client, &ns, watches_rollouts).await;
            let bad: Vec<String> = want
                .iter()
                .filter_map(|(k, name, restart, id, restart_at)| {
                    let key = (*k, name.clone());
                    mismatch(*k, before.get(&key), now.get(&key), *restart, *restart_at)
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

/// The kinds of `r` the suite makes.
fn kinds<'a>(suite: &'a Suite, r: &'a Row) -> impl Iterator<Item = Kind> + 'a {
    r.kinds.iter().copied().filter(|k| suite.kinds.contains(k))
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
        for k in kinds(suite, r).filter(|k| !suite.unrecorded.contains(k)) {
            let name = r.workload(k);
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource(k));
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
