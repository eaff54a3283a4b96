//! Carrying out Reloader's pause period ([`crate::core::reload::pause`]): resuming a Deployment this
//! controller paused once its period is over, from an in-memory timer armed at the pause or, after a
//! controller restart, from the Deployment's own `paused-at` as the watch shows it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use super::Engine;
use crate::core::reload::pause::resume_in;
use crate::core::target::FIELD_MANAGER;

/// Arms the resume of a Deployment this controller paused, if its watch event shows one and no timer
/// is armed for that pause yet.
pub(super) fn resume_when_due(
    engine: &Arc<Engine>,
    ns: &str,
    name: &str,
    annotations: &BTreeMap<String, String>,
    paused: bool,
) {
    let names = &engine.config.options.names;
    let Some(remaining) = resume_in(names, annotations, paused, jiff::Timestamp::now()) else {
        return;
    };
    let Some(paused_at) = annotations.get(&names.paused_at).cloned() else {
        return;
    };
    arm(engine, ns, name, &paused_at, remaining);
}

/// Resumes `name` after `after`, if it is still paused by the pause recorded as `paused_at`.
pub(super) fn arm(engine: &Arc<Engine>, ns: &str, name: &str, paused_at: &str, after: Duration) {
    let key = (ns.to_string(), name.to_string(), paused_at.to_string());
    if !engine.pauses.lock().insert(key.clone()) {
        return;
    }
    let engine = engine.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let (ns, name, paused_at) = &key;
        if let Err(e) = resume(&engine, ns, name, paused_at).await {
            tracing::warn!(namespace = %ns, deployment = %name, error = %e, "resuming a paused Deployment failed; retried at its next event");
        }
        engine.pauses.lock().remove(&key);
    });
}

/// Unpauses the Deployment and removes `paused-at`, only while `paused-at` is still `paused_at`.
async fn resume(engine: &Engine, ns: &str, name: &str, paused_at: &str) -> Result<(), String> {
    let key = &engine.config.options.names.paused_at;
    let path = format!(
        "/metadata/annotations/{}",
        key.replace('~', "~0").replace('/', "~1")
    );
    let ops = json!([
        { "op": "test", "path": path, "value": paused_at },
        { "op": "remove", "path": path },
        { "op": "add", "path": "/spec/paused", "value": false },
    ]);
    let patch: json_patch::Patch =
        serde_json::from_value(ops).map_err(|e| format!("internal: {e}"))?;
    let pp = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..Default::default()
    };
    Api::<Deployment>::namespaced(engine.ctx.client.clone(), ns)
        .patch(name, &pp, &Patch::Json::<()>(patch))
        .await
        .map(|_| ())
        .map_err(|e| format!("resuming Deployment {name:?}: {e}"))
}
