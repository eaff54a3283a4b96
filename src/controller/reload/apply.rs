//! Applying one namespace's change set: the data of every object a workload uses is read where its
//! resourceVersion changed (keyed digest, never kept), each workload's recorded state is compared
//! with the current one by [`plan`], and the answer is written: the state alone (first sight, a
//! reference added), or the state with the restart, conditioned on the state it was planned from.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, Preconditions};
use kube::runtime::events::EventType;
use serde_json::{Value, json};

use super::Engine;
use super::index::WorkloadEntry;
use crate::controller::context::object_ref;
use crate::core::reload::jobs::{job_for_cron_job, recreated_job};
use crate::core::reload::pause::{Pause, on_restart};
use crate::core::reload::state::{
    Action, Events, MARKER_ANNOTATION, ObjectKey, ReloadState, STATE_ANNOTATION, object_digest,
    plan,
};
use crate::core::reload::{ObjectKind, ROLLOUT_STRATEGY, WorkloadType};
use crate::core::target::FIELD_MANAGER;

/// A JSON pointer segment (`/` and `~` escaped).
fn pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Engine {
    /// Plans and writes every workload of `ns` that takes part; a restarted workload named in
    /// `extra` gets those operations in its restart patch too (the workloads that did).
    pub(super) async fn apply(
        self: &Arc<Self>,
        ns: &str,
        events: &Events,
        extra: &HashMap<(WorkloadType, String), Vec<Value>>,
    ) -> Result<HashSet<(WorkloadType, String)>, String> {
        let options = &self.config.options;
        // The workloads and what each uses now, with the resourceVersions seen.
        let planned: Vec<(WorkloadEntry, Vec<(ObjectKey, u64)>)> = {
            let namespaces = self.namespaces.lock();
            let Some(n) = namespaces.get(ns) else {
                return Ok(HashSet::new());
            };
            n.workloads
                .values()
                .map(|w| {
                    let used = n
                        .relevant(w, options)
                        .into_iter()
                        .filter_map(|k| n.objects.get(&k).map(|o| (k, o.rv)))
                        .collect();
                    (w.clone(), used)
                })
                .collect()
        };
        let mut failed = Vec::new();
        let mut merged = HashSet::new();
        for (w, used) in planned {
            let mut current = ReloadState::default();
            for (key, rv) in used {
                match self.digest(ns, &key, rv).await? {
                    Some(d) => {
                        current.0.insert(key, d);
                    }
                    None => continue,
                }
            }
            let recorded = w
                .annotations
                .get(STATE_ANNOTATION)
                .and_then(|v| ReloadState::decode(v));
            let action = plan(
                recorded.as_ref(),
                &current,
                events,
                options.reload_on_create,
                options.reload_on_delete,
            );
            let key = (w.kind, w.name.clone());
            let extra = extra
                .get(&key)
                .filter(|_| matches!(action, Action::Restart { .. }));
            match self.write(ns, &w, action, extra).await {
                Ok(()) if extra.is_some() => {
                    merged.insert(key);
                }
                Ok(()) => {}
                Err(e) => failed.push(format!("{:?}/{}: {e}", w.kind, w.name)),
            }
        }
        if failed.is_empty() {
            Ok(merged)
        } else {
            Err(failed.join("; "))
        }
    }

    /// The keyed digest of an object's data at `rv` (read only when not known for `rv`); `None`
    /// when it is gone.
    async fn digest(&self, ns: &str, key: &ObjectKey, rv: u64) -> Result<Option<String>, String> {
        let id = (ns.to_string(), key.clone());
        if let Some((seen, d)) = self.digests.lock().get(&id)
            && *seen == rv
        {
            return Ok(Some(d.clone()));
        }
        let client = self.ctx.client.clone();
        let name = &key.1;
        let read = match key.0 {
            ObjectKind::ConfigMap => Api::<ConfigMap>::namespaced(client, ns)
                .get_opt(name)
                .await
                .map(|o| {
                    o.map(|c| {
                        let mut data: BTreeMap<String, Vec<u8>> = c
                            .data
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(k, v)| (k, v.into_bytes()))
                            .collect();
                        data.extend(
                            c.binary_data
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(k, v)| (k, v.0)),
                        );
                        (c.metadata.resource_version.unwrap_or_default(), data)
                    })
                }),
            ObjectKind::Secret => Api::<Secret>::namespaced(client, ns)
                .get_opt(name)
                .await
                .map(|o| {
                    o.map(|s| {
                        let data = s
                            .data
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(k, v)| (k, v.0))
                            .collect();
                        (s.metadata.resource_version.unwrap_or_default(), data)
                    })
                }),
        }
        .map_err(|e| format!("reading {:?} {name:?}: {e}", key.0))?;
        Ok(read.map(|(rv, data)| {
            let d = object_digest(&self.ctx.digest_key, key.0, &data);
            self.digests
                .lock()
                .insert(id, (super::index::rv_hash(&rv), d.clone()));
            d
        }))
    }

    /// Writes one workload's action.
    async fn write(
        self: &Arc<Self>,
        ns: &str,
        w: &WorkloadEntry,
        action: Action,
        extra: Option<&Vec<Value>>,
    ) -> Result<(), String> {
        match action {
            Action::Nothing => Ok(()),
            Action::Record(state) => {
                let patch =
                    json!({ "metadata": { "annotations": { STATE_ANNOTATION: state.encode() } } });
                self.patch(ns, w, &Patch::Merge(&patch)).await
            }
            Action::Restart {
                state,
                marker,
                because,
            } => {
                let result = self.restart(ns, w, &state, &marker, extra).await;
                let kind = format!("{:?}", w.kind);
                match &result {
                    Ok(()) => {
                        self.ctx
                            .metrics
                            .workload_restarts
                            .with_label_values(&[&kind, ns])
                            .inc();
                        let names: Vec<String> =
                            because.iter().map(|(k, n)| format!("{k:?}/{n}")).collect();
                        self.event(
                            ns,
                            w,
                            EventType::Normal,
                            "Reloaded",
                            &format!("Restarted for changed {}", names.join(", ")),
                        );
                    }
                    Err(e) => {
                        self.ctx
                            .metrics
                            .workload_restart_failures
                            .with_label_values(&[&kind, ns])
                            .inc();
                        self.event(ns, w, EventType::Warning, "ReloadFailed", e);
                    }
                }
                result
            }
        }
    }

    /// Restarts a workload as its kind restarts, recording `state` in the same write.
    async fn restart(
        self: &Arc<Self>,
        ns: &str,
        w: &WorkloadEntry,
        state: &ReloadState,
        marker: &str,
        extra: Option<&Vec<Value>>,
    ) -> Result<(), String> {
        let client = self.ctx.client.clone();
        match w.kind {
            WorkloadType::Deployment | WorkloadType::StatefulSet | WorkloadType::DaemonSet => {
                let mut ops = restart_ops(w, state, marker);
                ops.extend(extra.into_iter().flatten().cloned());
                let mut resume = None;
                if w.kind == WorkloadType::Deployment {
                    let names = &self.config.options.names;
                    match on_restart(names, &w.annotations, w.paused, jiff::Timestamp::now()) {
                        Pause::PauseFor { period, paused_at } => {
                            ops.push(json!({ "op": "add", "path": "/spec/paused", "value": true }));
                            let path =
                                format!("/metadata/annotations/{}", pointer(&names.paused_at));
                            ops.push(json!({ "op": "add", "path": path, "value": paused_at }));
                            resume = Some((paused_at, period));
                        }
                        Pause::Invalid(why) => {
                            self.event(ns, w, EventType::Warning, "ReloadPauseInvalid", &why);
                        }
                        Pause::None | Pause::AlreadyPaused => {}
                    }
                }
                self.patch(ns, w, &Patch::Json::<()>(json_patch(Value::Array(ops))?))
                    .await?;
                if let Some((paused_at, period)) = resume {
                    super::pause::arm(self, ns, &w.name, &paused_at, period);
                }
                Ok(())
            }
            WorkloadType::Rollout => {
                // `rollout-strategy: restart`: Argo's restartAt, the template untouched; otherwise a
                // template change (a new revision), as Reloader does.
                let restart = w
                    .annotations
                    .get(ROLLOUT_STRATEGY)
                    .is_some_and(|s| s == "restart");
                let ops = if restart {
                    let mut ops = state_ops(w, state);
                    let at =
                        crate::controller::rollout::argo::restart_at(jiff::Timestamp::now(), None);
                    ops.push(
                        json!({ "op": "add", "path": "/spec/restartAt", "value": at.to_string() }),
                    );
                    ops
                } else {
                    restart_ops(w, state, marker)
                };
                self.patch(ns, w, &Patch::Json::<()>(json_patch(Value::Array(ops))?))
                    .await
            }
            WorkloadType::CronJob => {
                let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), ns);
                let cj = cronjobs
                    .get(&w.name)
                    .await
                    .map_err(|e| format!("reading CronJob {:?}: {e}", w.name))?;
                let job = job_for_cron_job(&cj, marker)
                    .ok_or_else(|| format!("CronJob {:?} has no job template", w.name))?;
                let jobs: Api<Job> = Api::namespaced(client, ns);
                match jobs.create(&PostParams::default(), &job).await {
                    Ok(_) => {}
                    // The same marker's Job exists already: an earlier attempt created it.
                    Err(kube::Error::Api(s)) if s.code == 409 => {}
                    Err(e) => return Err(format!("creating a Job from CronJob {:?}: {e}", w.name)),
                }
                let ops = json_patch(Value::Array(state_ops(w, state)))?;
                self.patch(ns, w, &Patch::Json::<()>(ops)).await
            }
            WorkloadType::Job => {
                let jobs: Api<Job> = Api::namespaced(client, ns);
                let old = jobs
                    .get(&w.name)
                    .await
                    .map_err(|e| format!("reading Job {:?}: {e}", w.name))?;
                let recorded = old
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(STATE_ANNOTATION));
                if recorded != w.annotations.get(STATE_ANNOTATION) {
                    return Err(format!(
                        "Job {:?} changed since it was planned; planning again",
                        w.name
                    ));
                }
                let new = recreated_job(&old, state, marker);
                let dp = DeleteParams {
                    preconditions: Some(Preconditions {
                        uid: old.metadata.uid.clone(),
                        resource_version: None,
                    }),
                    ..DeleteParams::background()
                };
                jobs.delete(&w.name, &dp)
                    .await
                    .map_err(|e| format!("deleting Job {:?} to run it again: {e}", w.name))?;
                let pp = PostParams {
                    field_manager: Some(FIELD_MANAGER.into()),
                    ..Default::default()
                };
                create_retrying(&jobs, &pp, &new)
                    .await
                    .map_err(|e| format!("creating Job {:?} again: {e}", w.name))
            }
        }
    }

    /// Patches a workload of any kind.
    async fn patch(
        &self,
        ns: &str,
        w: &WorkloadEntry,
        patch: &Patch<impl serde::Serialize + std::fmt::Debug>,
    ) -> Result<(), String> {
        let client = self.ctx.client.clone();
        let pp = PatchParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..Default::default()
        };
        let name = &w.name;
        let result = match w.kind {
            WorkloadType::Deployment => Api::<Deployment>::namespaced(client, ns)
                .patch(name, &pp, patch)
                .await
                .map(|_| ()),
            WorkloadType::StatefulSet => Api::<StatefulSet>::namespaced(client, ns)
                .patch(name, &pp, patch)
                .await
                .map(|_| ()),
            WorkloadType::DaemonSet => Api::<DaemonSet>::namespaced(client, ns)
                .patch(name, &pp, patch)
                .await
                .map(|_| ()),
            WorkloadType::CronJob => Api::<CronJob>::namespaced(client, ns)
                .patch(name, &pp, patch)
                .await
                .map(|_| ()),
            WorkloadType::Job => Api::<Job>::namespaced(client, ns)
                .patch(name, &pp, patch)
                .await
                .map(|_| ()),
            WorkloadType::Rollout => {
                let resource = crate::controller::rollout::argo::resource();
                Api::<DynamicObject>::namespaced_with(client, ns, &resource)
                    .patch(name, &pp, patch)
                    .await
                    .map(|_| ())
            }
        };
        result.map_err(|e| format!("patching {:?} {name:?}: {e}", w.kind))
    }

    /// Publishes an Event on the workload.
    fn event(&self, ns: &str, w: &WorkloadEntry, type_: EventType, reason: &str, note: &str) {
        let reference = match w.kind {
            WorkloadType::Deployment => object_ref::<Deployment>(ns, &w.name),
            WorkloadType::StatefulSet => object_ref::<StatefulSet>(ns, &w.name),
            WorkloadType::DaemonSet => object_ref::<DaemonSet>(ns, &w.name),
            WorkloadType::CronJob => object_ref::<CronJob>(ns, &w.name),
            WorkloadType::Job => object_ref::<Job>(ns, &w.name),
            WorkloadType::Rollout => crate::controller::rollout::argo::object_ref(ns, &w.name),
        };
        self.ctx.publish(&reference, type_, reason, "Reload", note);
    }
}

/// Creates `obj`, retrying while the deleted object of the same name is still being removed.
async fn create_retrying(jobs: &Api<Job>, pp: &PostParams, obj: &Job) -> Result<(), kube::Error> {
    let mut tries = 0;
    loop {
        match jobs.create(pp, obj).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(s)) if s.code == 409 && tries < 50 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A JSON Patch from its operations.
fn json_patch(ops: Value) -> Result<json_patch::Patch, String> {
    serde_json::from_value(ops).map_err(|e| format!("internal: building a JSON patch: {e}"))
}

/// JSON Patch operations recording `state` on the workload, conditioned on the state it was planned
/// from (a concurrent restart makes the patch fail and the change set is planned again).
fn state_ops(w: &WorkloadEntry, state: &ReloadState) -> Vec<Value> {
    let path = format!("/metadata/annotations/{}", pointer(STATE_ANNOTATION));
    match w.annotations.get(STATE_ANNOTATION) {
        Some(old) => vec![
            json!({ "op": "test", "path": path, "value": old }),
            json!({ "op": "replace", "path": path, "value": state.encode() }),
        ],
        None => vec![json!({ "op": "add", "path": path, "value": state.encode() })],
    }
}

/// [`state_ops`] plus the marker in the pod template (the restart).
fn restart_ops(w: &WorkloadEntry, state: &ReloadState, marker: &str) -> Vec<Value> {
    let mut ops = state_ops(w, state);
    if w.template_annotations.is_empty() {
        ops.push(json!({ "op": "add", "path": "/spec/template/metadata/annotations", "value": { MARKER_ANNOTATION: marker } }));
    } else {
        let path = format!(
            "/spec/template/metadata/annotations/{}",
            pointer(MARKER_ANNOTATION)
        );
        ops.push(json!({ "op": "add", "path": path, "value": marker }));
    }
    ops
}
