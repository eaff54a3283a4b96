//! The rollout shell: rotations in one namespace are batched for a short settle window, then the pure
//! plan is applied by patching one marker annotation per workload, so one rotation restarts each
//! workload once however many of its Secrets it feeds.

pub(crate) mod argo;
pub(crate) mod batches;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{PodTemplateSpec, Secret};
use kube::Resource;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::core::NamespaceResourceScope;
use kube::runtime::events::EventType;
use tokio::sync::oneshot;

use super::context::{Context, object_ref};
use crate::api::WorkloadKind;
use crate::core::reason::{Reason, SyncError};
use crate::core::rollout::{
    MARKER_ANNOTATION, ManagedSecret, RELOAD_ANNOTATION, ReloaderInputs, RolloutReport,
    RolloutTargets, WorkloadAction, WorkloadView, describe, plan, referenced_secrets,
    reloader_ignored, unlisted_reasons, with_written, workload_type,
};
use crate::core::target::{
    FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ANNOTATION, VERSIONS_ANNOTATION,
};

/// Asks for the workloads that use `written` (a Secret whose new versions are written, with the
/// record it now carries) to restart, and waits for the batch it joins: every rotation in the
/// namespace within the settle window is applied together, each workload patched at most once.
pub async fn roll_out(
    ctx: &Arc<Context>,
    ns: &str,
    written: ManagedSecret,
) -> Result<RolloutReport, SyncError> {
    let (tx, rx) = oneshot::channel();
    let first = {
        let mut pending = ctx.rollouts.lock();
        let waiters = pending.entry(ns.to_string()).or_default();
        waiters.push((written, tx));
        waiters.len() == 1
    };
    if first {
        let ctx = ctx.clone();
        let ns = ns.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(ctx.options.rollout_settle).await;
            // The reload engine's change set for this namespace waits for this batch, which takes it along.
            let _hold = ctx.reload_engine.get().map(|e| e.hold(&ns));
            let waiters = ctx.rollouts.lock().remove(&ns).unwrap_or_default();
            let written: Vec<ManagedSecret> = waiters.iter().map(|(s, _)| s.clone()).collect();
            let result = execute(&ctx, &ns, &written).await;
            for (secret, tx) in waiters {
                let _ = tx.send(
                    result
                        .as_ref()
                        .map(|r| r.get(&secret.name).cloned().unwrap_or_default())
                        .map_err(Clone::clone),
                );
            }
        });
    }
    rx.await.map_err(|_| {
        SyncError::new(
            Reason::KubernetesError,
            "the rollout batch ended without a result; retrying",
        )
    })?
}

fn view(
    kind: WorkloadKind,
    meta: &kube::api::ObjectMeta,
    template: &PodTemplateSpec,
    paused: bool,
) -> WorkloadView {
    let annotations = meta.annotations.clone().unwrap_or_default();
    let pod = template.spec.clone().unwrap_or_default();
    WorkloadView {
        kind,
        name: meta.name.clone().unwrap_or_default(),
        reload: annotations.get(RELOAD_ANNOTATION).cloned(),
        referenced: referenced_secrets(&pod),
        marker: template
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .and_then(|a| a.get(MARKER_ANNOTATION))
            .cloned(),
        paused,
        reloader: ReloaderInputs {
            annotations,
            template_annotations: template
                .metadata
                .as_ref()
                .and_then(|m| m.annotations.clone())
                .unwrap_or_default(),
            pod,
        },
    }
}

/// The namespace's workloads as the plan sees them.
struct Workloads {
    /// Every Deployment, StatefulSet, DaemonSet and Argo Rollout (a Deployment a Rollout drives is
    /// replaced by that Rollout).
    views: Vec<WorkloadView>,
    /// Whether Rollouts could be listed, and which Deployments they drive.
    targets: RolloutTargets,
    /// Rollout name → its `spec.restartAt` as listed (a restart never needs another read).
    restart_at: HashMap<String, String>,
}

/// A workload kind with a pod template, restarted by patching the template: Deployment, StatefulSet,
/// DaemonSet. One generic path lists, patches and names them all.
trait PodWorkload:
    Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + Clone
    + serde::de::DeserializeOwned
    + std::fmt::Debug
{
    /// The kind as the plan names it.
    const KIND: WorkloadKind;
    /// The pod template.
    fn template(&self) -> Option<&PodTemplateSpec>;
    /// Whether rollouts are paused (a paused Deployment is skipped).
    fn paused(&self) -> bool {
        false
    }
}

impl PodWorkload for Deployment {
    const KIND: WorkloadKind = WorkloadKind::Deployment;
    fn template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref().map(|s| &s.template)
    }
    fn paused(&self) -> bool {
        self.spec.as_ref().and_then(|s| s.paused) == Some(true)
    }
}

impl PodWorkload for StatefulSet {
    const KIND: WorkloadKind = WorkloadKind::StatefulSet;
    fn template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref().map(|s| &s.template)
    }
}

impl PodWorkload for DaemonSet {
    const KIND: WorkloadKind = WorkloadKind::DaemonSet;
    fn template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref().map(|s| &s.template)
    }
}

/// The plan's views of every `K` of the namespace.
async fn views_of<K: PodWorkload>(ctx: &Context, ns: &str) -> Result<Vec<WorkloadView>, SyncError> {
    let listed = Api::<K>::namespaced(ctx.client.clone(), ns)
        .list(&ListParams::default())
        .await
        .map_err(|e| SyncError::kubernetes(&format!("listing {}s", K::kind(&())), e))?;
    Ok(listed
        .iter()
        .map(|w| {
            let template = w.template().cloned().unwrap_or_default();
            view(K::KIND, w.meta(), &template, w.paused())
        })
        .collect())
}

/// Patches the restart marker into a `K`'s pod template.
async fn patch_template<K: PodWorkload>(
    ctx: &Context,
    ns: &str,
    name: &str,
    patch: &serde_json::Value,
) -> Result<(), kube::Error> {
    let pp = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..Default::default()
    };
    Api::<K>::namespaced(ctx.client.clone(), ns)
        .patch(name, &pp, &Patch::Merge(patch))
        .await
        .map(|_| ())
}

/// Every Deployment, StatefulSet, DaemonSet and (when the CRD is installed) Argo Rollout of the
/// namespace.
async fn workloads(ctx: &Context, ns: &str) -> Result<Workloads, SyncError> {
    let mut views = views_of::<Deployment>(ctx, ns).await?;
    views.extend(views_of::<StatefulSet>(ctx, ns).await?);
    views.extend(views_of::<DaemonSet>(ctx, ns).await?);
    let rollouts = super::rollout::argo::views(ctx, ns)
        .await
        .map_err(|e| SyncError::kubernetes("listing Argo Rollouts", e))?;
    let mut targets = RolloutTargets {
        argo: rollouts.is_some(),
        driven_by: HashMap::new(),
    };
    let mut restart_at = HashMap::new();
    for listed in rollouts.into_iter().flatten() {
        let mut rollout = listed.view;
        if let Some(at) = listed.restart_at {
            restart_at.insert(rollout.name.clone(), at);
        }
        // A Rollout driving a Deployment (`workloadRef`) reads that Deployment's template, and Argo owns
        // the Deployment's rollouts: the Rollout is restarted, the Deployment itself never patched.
        if let Some(name) = listed.workload_ref {
            let driven = views
                .iter()
                .position(|v| v.kind == WorkloadKind::Deployment && v.name == name);
            if let Some(i) = driven {
                rollout.referenced = views.remove(i).referenced;
                targets.driven_by.insert(name, rollout.name.clone());
            }
        }
        views.push(rollout);
    }
    Ok(Workloads {
        views,
        targets,
        restart_at,
    })
}

/// The managed Secrets of the namespace (metadata only: no values are read), with the
/// `rolloutRestartTargets` of the ExternalSecret writing each: from the managed-Secret watch cache
/// (listed only while that cache is not ready), so a rotation costs no apiserver read and no copy of
/// every Secret of the namespace. The cache may not have seen the Secrets just written yet; their
/// records are overlaid by [`with_written`].
async fn managed_secrets(ctx: &Context, ns: &str) -> Result<Vec<ManagedSecret>, SyncError> {
    let entry = |meta: &kube::api::ObjectMeta| {
        let annotations = meta.annotations.as_ref();
        let record: BTreeMap<String, String> = annotations
            .and_then(|a| a.get(VERSIONS_ANNOTATION))
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        let listed = annotations
            .and_then(|a| a.get(OWNER_ANNOTATION))
            .and_then(|owner| ctx.external_secret(ns, owner))
            .map(|es| listed_targets(&es))
            .unwrap_or_default();
        ManagedSecret {
            name: meta.name.clone().unwrap_or_default(),
            record,
            listed,
            reloader_ignore: annotations
                .is_some_and(|a| reloader_ignored(a, &ctx.options.reload.options.names.ignore)),
        }
    };
    if let Some(cache) = ctx.managed_secrets_ready() {
        return Ok(cache
            .state()
            .iter()
            .filter(|s| s.metadata.namespace.as_deref() == Some(ns))
            .map(|s| entry(&s.metadata))
            .collect());
    }
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    let lp = ListParams::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}"));
    let list = api
        .list_metadata(&lp)
        .await
        .map_err(|e| SyncError::kubernetes("listing managed Secrets", e))?;
    Ok(list.iter().map(|s| entry(&s.metadata)).collect())
}

/// The `rolloutRestartTargets` of an ExternalSecret, as the plan names workloads.
pub fn listed_targets(es: &crate::api::ExternalSecret) -> Vec<(WorkloadKind, String)> {
    es.spec
        .rollout_restart_targets
        .iter()
        .map(|t| (t.kind, t.name.clone()))
        .collect()
}

/// Applies one batch: plans, patches, reports per rotated Secret.
async fn execute(
    ctx: &Context,
    ns: &str,
    written: &[ManagedSecret],
) -> Result<HashMap<String, RolloutReport>, SyncError> {
    let Workloads {
        views,
        targets,
        restart_at,
    } = workloads(ctx, ns).await?;
    let managed = with_written(managed_secrets(ctx, ns).await?, written);
    let rotated: &BTreeSet<String> = &written.iter().map(|s| s.name.clone()).collect();
    let mut reports: HashMap<String, RolloutReport> = HashMap::new();
    for (secret, skipped) in unlisted_reasons(&views, &managed, rotated, &targets) {
        reports.entry(secret).or_default().skipped = skipped;
    }
    let reload = &ctx.options.reload;
    let reloader = reload.enabled.then_some(&reload.options);
    let planned_all = plan(&views, &managed, rotated, reloader);
    // A workload the reload engine restarts for a changed ConfigMap or Secret now too gets the
    // rotation's marker in that same patch: one restart for both.
    let key = |w: &WorkloadView| (workload_type(w.kind), w.name.clone());
    let extras: HashMap<_, Vec<serde_json::Value>> = planned_all
        .iter()
        .filter(|p| p.action == WorkloadAction::Restart && p.workload.kind != WorkloadKind::Rollout)
        .map(|p| {
            let path = format!(
                "/spec/template/metadata/annotations/{}",
                MARKER_ANNOTATION.replace('~', "~0").replace('/', "~1")
            );
            let op = serde_json::json!({ "op": "add", "path": path, "value": p.marker });
            (key(&p.workload), vec![op])
        })
        .collect();
    let merged = match ctx.reload_engine.get() {
        Some(engine) if !extras.is_empty() => engine.merge_restarts(ns, &extras).await,
        _ => Default::default(),
    };
    for planned in planned_all {
        let w = &planned.workload;
        let what = describe(w);
        match &planned.action {
            WorkloadAction::AlreadyDone => {}
            WorkloadAction::Skip(why) => {
                publish_on_workload(ctx, ns, w, EventType::Warning, "RolloutSkipped", why);
            }
            WorkloadAction::Restart => {
                let patch = serde_json::json!({ "spec": { "template": { "metadata": { "annotations": { MARKER_ANNOTATION: planned.marker } } } } });
                let result = match w.kind {
                    // Already written with the reload engine's restart.
                    _ if merged.contains(&key(w)) => Ok(()),
                    WorkloadKind::Deployment => {
                        patch_template::<Deployment>(ctx, ns, &w.name, &patch).await
                    }
                    WorkloadKind::StatefulSet => {
                        patch_template::<StatefulSet>(ctx, ns, &w.name, &patch).await
                    }
                    WorkloadKind::DaemonSet => {
                        patch_template::<DaemonSet>(ctx, ns, &w.name, &patch).await
                    }
                    WorkloadKind::Rollout => {
                        super::rollout::argo::restart(
                            ctx,
                            ns,
                            &w.name,
                            &planned.marker,
                            restart_at.get(&w.name).map(String::as_str),
                        )
                        .await
                    }
                };
                if result.is_err() {
                    ctx.metrics
                        .workload_restart_failures
                        .with_label_values(&[&format!("{:?}", w.kind), ns])
                        .inc();
                }
                result.map_err(|e| SyncError::kubernetes(&format!("restarting {what}"), e))?;
                // One restart, counted once (the reload engine counted a merged one).
                if !merged.contains(&key(w)) {
                    ctx.metrics
                        .workload_restarts
                        .with_label_values(&[&format!("{:?}", w.kind), ns])
                        .inc();
                }
                let note = format!(
                    "Restarted for new versions of Secret(s) {}",
                    planned.rotated.join(", ")
                );
                publish_on_workload(ctx, ns, w, EventType::Normal, "RolloutRestarted", &note);
            }
        }
        for secret in &planned.rotated {
            let report = reports.entry(secret.clone()).or_default();
            match &planned.action {
                WorkloadAction::Skip(why) => report.skipped.push(why.clone()),
                _ => report.restarted.push(what.clone()),
            }
        }
    }
    Ok(reports)
}

fn publish_on_workload(
    ctx: &Context,
    ns: &str,
    w: &WorkloadView,
    type_: EventType,
    reason: &str,
    note: &str,
) {
    let reference = match w.kind {
        WorkloadKind::Deployment => object_ref::<Deployment>(ns, &w.name),
        WorkloadKind::StatefulSet => object_ref::<StatefulSet>(ns, &w.name),
        WorkloadKind::DaemonSet => object_ref::<DaemonSet>(ns, &w.name),
        WorkloadKind::Rollout => super::rollout::argo::object_ref(ns, &w.name),
    };
    ctx.publish(&reference, type_, reason, "Rollout", note);
}
