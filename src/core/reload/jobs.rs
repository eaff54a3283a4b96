//! The Jobs a restart creates: for a CronJob, a Job made from its template now (as Reloader and
//! `kubectl create job --from` do; the CronJob itself is never changed), and for a Job, the same Job
//! created again under its name with the new marker (the old one is deleted by uid first).

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::state::{MARKER_ANNOTATION, ReloadState, STATE_ANNOTATION};

/// The CronJob controller's annotation on a Job created by hand from a CronJob.
pub const INSTANTIATE_ANNOTATION: &str = "cronjob.kubernetes.io/instantiate";

/// Labels the Job controller sets on a Job's pod template and selector: dropped from a copy, which
/// gets its own.
const CONTROLLER_LABELS: &[&str] = &[
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "job-name",
];

/// Puts `marker` into a Job spec's pod template annotations.
fn mark(spec: &mut JobSpec, marker: &str) {
    spec.template
        .metadata
        .get_or_insert_with(ObjectMeta::default)
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(MARKER_ANNOTATION.into(), marker.into());
}

/// The name of the Job a restart of `cronjob` creates for `marker`: the same for the same marker, so
/// creating it twice is refused by the API server (AlreadyExists) instead of running twice.
pub fn cron_job_run_name(cronjob: &str, marker: &str) -> String {
    let suffix: String = marker.trim_start_matches("r1-").chars().take(8).collect();
    let base: String = cronjob.chars().take(52).collect();
    format!("{}-{suffix}", base.trim_end_matches(['-', '.']))
}

/// The Job a restart of `cronjob` creates: its job template now, owned by the CronJob, annotated as
/// the CronJob controller annotates a manual run, with `marker` in its pod template.
pub fn job_for_cron_job(cronjob: &CronJob, marker: &str) -> Option<Job> {
    let name = cronjob.metadata.name.as_deref()?;
    let uid = cronjob.metadata.uid.clone()?;
    let template = cronjob.spec.as_ref()?.job_template.clone();
    let tmeta = template.metadata.unwrap_or_default();
    let mut spec = template.spec.unwrap_or_default();
    mark(&mut spec, marker);
    let mut annotations = tmeta.annotations.unwrap_or_default();
    annotations.insert(INSTANTIATE_ANNOTATION.into(), "manual".into());
    Some(Job {
        metadata: ObjectMeta {
            name: Some(cron_job_run_name(name, marker)),
            namespace: cronjob.metadata.namespace.clone(),
            labels: tmeta.labels,
            annotations: Some(annotations),
            owner_references: Some(vec![OwnerReference {
                api_version: "batch/v1".into(),
                kind: "CronJob".into(),
                name: name.into(),
                uid,
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    })
}

/// `old` as created again by a restart: the same name, labels, annotations (with `state` recorded),
/// owners and spec with `marker` in its pod template; without what the API server and the Job
/// controller set (uid, resourceVersion, status, selector and the controller's labels).
pub fn recreated_job(old: &Job, state: &ReloadState, marker: &str) -> Job {
    let m = &old.metadata;
    let mut annotations = m.annotations.clone().unwrap_or_default();
    annotations.insert(STATE_ANNOTATION.into(), state.encode());
    let mut spec = old.spec.clone().unwrap_or_default();
    spec.selector = None;
    spec.manual_selector = None;
    if let Some(labels) = spec
        .template
        .metadata
        .as_mut()
        .and_then(|t| t.labels.as_mut())
    {
        labels.retain(|k, _| !CONTROLLER_LABELS.contains(&k.as_str()));
    }
    mark(&mut spec, marker);
    let labels = m.labels.clone().map(|mut l| {
        l.retain(|k, _| !CONTROLLER_LABELS.contains(&k.as_str()));
        l
    });
    Job {
        metadata: ObjectMeta {
            name: m.name.clone(),
            namespace: m.namespace.clone(),
            labels,
            annotations: Some(annotations),
            owner_references: m.owner_references.clone(),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    }
}

#[cfg(test)]
#[path = "jobs_tests.rs"]
mod tests;
