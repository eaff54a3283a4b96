//! Argo Rollouts as restart targets: Rollouts are read as dynamic objects (the CRD may not be
//! installed) and restarted the way Argo documents, by setting `spec.restartAt`; the marker that
//! makes the restart once per rotation lives in the Rollout's own annotations.

use k8s_openapi::api::core::v1::{ObjectReference, PodTemplateSpec};
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
};

use crate::api::WorkloadKind;
use crate::controller::context::Context;
use crate::core::rollout::{
    MARKER_ANNOTATION, RELOAD_ANNOTATION, ReloaderInputs, WorkloadView, referenced_secrets,
};
use crate::core::target::FIELD_MANAGER;

/// API version of the Rollouts restarted.
pub const API_VERSION: &str = "argoproj.io/v1alpha1";

/// The Rollout kind for dynamic API calls.
pub(crate) fn resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    )
}

/// A Rollout as listed.
pub struct Listed {
    /// As the plan sees it.
    pub view: WorkloadView,
    /// The Deployment its `workloadRef` names, if any.
    pub workload_ref: Option<String>,
    /// Its `spec.restartAt`, if set.
    pub restart_at: Option<String>,
}

/// The Rollouts of a namespace, or None when the Rollout CRD is not installed (or the controller may
/// not list Rollouts).
pub async fn views(ctx: &Context, ns: &str) -> Result<Option<Vec<Listed>>, kube::Error> {
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &resource());
    let list = match api.list(&ListParams::default()).await {
        Ok(list) => list,
        // Not installed (404), or not readable (403: an older RBAC): Deployments and the rest still
        // restart; a listed Rollout is reported as skipped.
        Err(kube::Error::Api(e)) if e.code == 404 || e.code == 403 => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(
        list.items
            .iter()
            .map(|r| {
                let reference = &r.data["spec"]["workloadRef"];
                let workload_ref = (reference["kind"].as_str() == Some("Deployment"))
                    .then(|| reference["name"].as_str().map(String::from))
                    .flatten();
                Listed {
                    view: view(r),
                    workload_ref,
                    restart_at: r.data["spec"]["restartAt"].as_str().map(String::from),
                }
            })
            .collect(),
    ))
}

fn view(rollout: &DynamicObject) -> WorkloadView {
    let annotations = rollout.metadata.annotations.clone().unwrap_or_default();
    let spec = &rollout.data["spec"];
    // A Rollout with `workloadRef` has no template of its own: it is taken from the Deployment.
    let template: Option<PodTemplateSpec> = serde_json::from_value(spec["template"].clone()).ok();
    let pod = template
        .as_ref()
        .and_then(|t| t.spec.clone())
        .unwrap_or_default();
    WorkloadView {
        kind: WorkloadKind::Rollout,
        name: rollout.metadata.name.clone().unwrap_or_default(),
        reload: annotations.get(RELOAD_ANNOTATION).cloned(),
        referenced: referenced_secrets(&pod),
        marker: annotations.get(MARKER_ANNOTATION).cloned(),
        paused: spec["paused"].as_bool() == Some(true),
        reloader: ReloaderInputs {
            template_annotations: template
                .and_then(|t| t.metadata)
                .and_then(|m| m.annotations)
                .unwrap_or_default(),
            annotations,
            pod,
        },
    }
}

/// The `spec.restartAt` to set: now, truncated to the second as Argo's own CLI writes it (never in the
/// future, which would restart Pods created after the patch and delay the restart), except that a
/// value already set for this very second moves one second on, so a second rotation within the same
/// second is still a change Argo acts on.
pub fn restart_at(now: jiff::Timestamp, previous: Option<&str>) -> jiff::Timestamp {
    let now = jiff::Timestamp::from_second(now.as_second()).unwrap_or(now);
    match previous.and_then(|p| p.parse::<jiff::Timestamp>().ok()) {
        Some(p) if p.as_second() == now.as_second() => {
            jiff::Timestamp::from_second(now.as_second() + 1).unwrap_or(now)
        }
        _ => now,
    }
}

/// Restarts a Rollout: `spec.restartAt` (see [`restart_at`]; `previous` is the value it was listed
/// with), and the marker in its annotations, in one patch.
pub async fn restart(
    ctx: &Context,
    ns: &str,
    name: &str,
    marker: &str,
    previous: Option<&str>,
) -> Result<(), kube::Error> {
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &resource());
    let at = restart_at(jiff::Timestamp::now(), previous);
    let patch = serde_json::json!({
        "metadata": { "annotations": { MARKER_ANNOTATION: marker } },
        "spec": { "restartAt": at.to_string() },
    });
    let pp = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..Default::default()
    };
    api.patch(name, &pp, &Patch::Merge(&patch))
        .await
        .map(|_| ())
}

/// The reference Events about a Rollout name.
pub fn object_ref(ns: &str, name: &str) -> ObjectReference {
    ObjectReference {
        api_version: Some(API_VERSION.into()),
        kind: Some("Rollout".into()),
        name: Some(name.into()),
        namespace: Some(ns.into()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::restart_at;

    #[test]
    fn restart_at_is_truncated_and_always_later_than_the_previous_one() {
        let now: jiff::Timestamp = "2026-11-29T12:00:05.900Z".parse().expect("time");
        let at = |previous: Option<&str>| restart_at(now, previous).to_string();
        assert_eq!(at(None), "2026-11-29T12:00:05Z");
        assert_eq!(at(Some("2026-11-29T11:00:00Z")), "2026-11-29T12:00:05Z");
        assert_eq!(at(Some("not a time")), "2026-11-29T12:00:05Z");
        // A restart earlier in the same second: one second later.
        assert_eq!(at(Some("2026-11-29T12:00:05Z")), "2026-11-29T12:00:06Z");
        assert_eq!(at(Some("2026-11-29T12:00:05.300Z")), "2026-11-29T12:00:06Z");
        // One set ahead by someone (`kubectl argo rollouts restart --in 2h`): the rotation restarts now.
        assert_eq!(at(Some("2026-11-29T14:00:00Z")), "2026-11-29T12:00:05Z");
    }
}
