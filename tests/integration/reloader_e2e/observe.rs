//! What the runner sees of a namespace's workloads, and whether it agrees with a row's expectation.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::bed::Kind;
use crate::common::workloads::replicasets;

const MARKER: &str = "secretsync.io/reload-marker";
const INSTANTIATE: &str = "cronjob.kubernetes.io/instantiate";

/// One workload under observation.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Seen {
    /// ReplicaSets (Deployment), generation (DaemonSet, StatefulSet), manual Jobs (CronJob).
    count: i64,
    /// The template marker (DaemonSet, StatefulSet, Rollout) or the uid (Job).
    mark: Option<String>,
    /// `spec.restartAt` (Rollout; None for the other kinds).
    at: Option<String>,
}

/// The Argo Rollout's resource (the CRD `exclusive::reloader_e2e_argo` installs).
pub fn rollout_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    )
}

/// The API resource of `kind`.
pub(super) fn resource(kind: Kind) -> ApiResource {
    match kind {
        Kind::D => ApiResource::erase::<Deployment>(&()),
        Kind::Ds => ApiResource::erase::<DaemonSet>(&()),
        Kind::Sts => ApiResource::erase::<StatefulSet>(&()),
        Kind::Cj => ApiResource::erase::<CronJob>(&()),
        Kind::J => ApiResource::erase::<Job>(&()),
        Kind::R => rollout_resource(),
    }
}

fn template_marker(t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>) -> Option<String> {
    t?.metadata
        .as_ref()?
        .annotations
        .as_ref()?
        .get(MARKER)
        .cloned()
}

/// Every workload of `ns`, by kind and name (Rollouts too when `watches_rollouts`).
pub(super) async fn observe(
    client: &Client,
    ns: &str,
    watches_rollouts: bool,
) -> BTreeMap<(Kind, String), Seen> {
    let lp = ListParams::default();
    let mut out = BTreeMap::new();
    for (name, n) in replicasets(client, ns).await {
        out.insert(
            (Kind::D, name),
            Seen {
                count: n as i64,
                mark: None,
                at: None,
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
            Seen {
                count,
                mark,
                at: None,
            },
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
            Seen {
                count,
                mark,
                at: None,
            },
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
                    at: None,
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
                    at: None,
                },
            );
        }
    }
    if watches_rollouts {
        let rollouts =
            Api::<DynamicObject>::namespaced_with(client.clone(), ns, &rollout_resource());
        for r in rollouts
            .list(&lp)
            .await
            .map(|l| l.items)
            .unwrap_or_default()
        {
            let spec = &r.data["spec"];
            let text = |v: &Value| v.as_str().map(String::from);
            out.insert(
                (Kind::R, r.name_any()),
                Seen {
                    count: r.metadata.generation.unwrap_or(0),
                    mark: text(&spec["template"]["metadata"]["annotations"][MARKER]),
                    at: text(&spec["restartAt"]),
                },
            );
        }
    }
    out
}

/// What a workload shows now against `before` and the expected restart, or None when it agrees
/// (`restart_at`: a Rollout restarts by `spec.restartAt`, not by its template).
pub(super) fn mismatch(
    kind: Kind,
    before: Option<&Seen>,
    now: Option<&Seen>,
    restart: bool,
    restart_at: bool,
) -> Option<String> {
    let zero = Seen {
        count: 0,
        mark: None,
        at: None,
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
        // One spec change (the generation), and in the field the strategy names only.
        Kind::R => {
            let (changed, kept, new) = if restart_at {
                (now.at != before.at, now.mark == before.mark, &now.at)
            } else {
                (now.mark != before.mark, now.at == before.at, &now.mark)
            };
            now.count == before.count + plus
                && changed == restart
                && kept
                && (!restart || new.is_some())
        }
    };
    (!ok).then(|| format!("before {before:?}, now {now:?}, want restart: {restart}"))
}
