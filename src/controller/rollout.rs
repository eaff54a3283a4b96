//! The rollout shell: reads the namespace's workloads, applies the pure plan by patching the marker
//! annotation, and reports Events and metrics.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::events::EventType;

use super::context::{Context, object_ref};
use crate::api::{ExternalSecret, WorkloadKind};
use crate::core::reason::{Reason, SyncError};
use crate::core::rollout::{
    RELOAD_ANNOTATION, WorkloadAction, WorkloadView, describe, marker_key, plan, references_secret,
};
use crate::core::target::FIELD_MANAGER;

/// What a rollout did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutReport {
    /// Workloads carrying the marker now (restarted now or by an earlier attempt).
    pub restarted: Vec<String>,
    /// Workloads left alone, with why.
    pub skipped: Vec<String>,
}

fn kube_err(what: &str, e: kube::Error) -> SyncError {
    SyncError::new(Reason::KubernetesError, format!("{what}: {e}"))
}

fn view(
    kind: WorkloadKind,
    meta: &kube::api::ObjectMeta,
    template: &PodTemplateSpec,
    paused: bool,
    target: &str,
    key: &str,
) -> WorkloadView {
    WorkloadView {
        kind,
        name: meta.name.clone().unwrap_or_default(),
        reload: meta
            .annotations
            .as_ref()
            .and_then(|a| a.get(RELOAD_ANNOTATION))
            .cloned(),
        references_target: template
            .spec
            .as_ref()
            .is_some_and(|p| references_secret(p, target)),
        marker: template
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .and_then(|a| a.get(key))
            .cloned(),
        paused,
    }
}

/// Restarts the workloads that use `target_secret`, exactly once per marker.
pub async fn roll_out(
    ctx: &Context,
    es: &ExternalSecret,
    ns: &str,
    target_secret: &str,
    marker: &str,
) -> Result<RolloutReport, SyncError> {
    let key = marker_key(target_secret);
    let lp = ListParams::default();
    let deployments: Api<Deployment> = Api::namespaced(ctx.client.clone(), ns);
    let statefulsets: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), ns);
    let daemonsets: Api<DaemonSet> = Api::namespaced(ctx.client.clone(), ns);
    let mut views = Vec::new();
    for d in deployments
        .list(&lp)
        .await
        .map_err(|e| kube_err("listing Deployments", e))?
    {
        let spec = d.spec.unwrap_or_default();
        views.push(view(
            WorkloadKind::Deployment,
            &d.metadata,
            &spec.template,
            spec.paused == Some(true),
            target_secret,
            &key,
        ));
    }
    for s in statefulsets
        .list(&lp)
        .await
        .map_err(|e| kube_err("listing StatefulSets", e))?
    {
        let spec = s.spec.unwrap_or_default();
        views.push(view(
            WorkloadKind::StatefulSet,
            &s.metadata,
            &spec.template,
            false,
            target_secret,
            &key,
        ));
    }
    for s in daemonsets
        .list(&lp)
        .await
        .map_err(|e| kube_err("listing DaemonSets", e))?
    {
        let spec = s.spec.unwrap_or_default();
        views.push(view(
            WorkloadKind::DaemonSet,
            &s.metadata,
            &spec.template,
            false,
            target_secret,
            &key,
        ));
    }
    let listed: Vec<(WorkloadKind, String)> = es
        .spec
        .rollout_restart_targets
        .iter()
        .map(|t| (t.kind, t.name.clone()))
        .collect();
    let mut report = RolloutReport::default();
    for (kind, name) in &listed {
        if !views.iter().any(|v| v.kind == *kind && v.name == *name) {
            report.skipped.push(format!("{kind:?}/{name} not found"));
        }
    }
    let patch = serde_json::json!({ "spec": { "template": { "metadata": { "annotations": { key.clone(): marker } } } } });
    let pp = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..Default::default()
    };
    for (w, action) in plan(&views, &listed, marker) {
        let what = describe(&w);
        match action {
            WorkloadAction::AlreadyDone => report.restarted.push(what),
            WorkloadAction::Skip(why) => {
                report.skipped.push(why.clone());
                publish_on_workload(ctx, ns, &w, EventType::Warning, "RolloutSkipped", &why).await;
            }
            WorkloadAction::Restart => {
                let result = match w.kind {
                    WorkloadKind::Deployment => deployments
                        .patch(&w.name, &pp, &Patch::Merge(&patch))
                        .await
                        .map(|_| ()),
                    WorkloadKind::StatefulSet => statefulsets
                        .patch(&w.name, &pp, &Patch::Merge(&patch))
                        .await
                        .map(|_| ()),
                    WorkloadKind::DaemonSet => daemonsets
                        .patch(&w.name, &pp, &Patch::Merge(&patch))
                        .await
                        .map(|_| ()),
                };
                result.map_err(|e| kube_err(&format!("restarting {what}"), e))?;
                ctx.metrics
                    .workload_restarts
                    .with_label_values(&[&format!("{:?}", w.kind), ns])
                    .inc();
                let note = format!(
                    "Restarted for new versions of Secret {target_secret:?} (ExternalSecret {:?})",
                    es.name_any()
                );
                publish_on_workload(ctx, ns, &w, EventType::Normal, "RolloutRestarted", &note)
                    .await;
                report.restarted.push(what);
            }
        }
    }
    Ok(report)
}

async fn publish_on_workload(
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
    };
    ctx.publish(&reference, type_, reason, "Rollout", note)
        .await;
}
