//! The rollout decision: whether a sync is a rotation, which workloads restart, and the marker that
//! restarts them (keyed by version ids, never by time or secret data, so re-applying it is a no-op).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::PodSpec;
use sha2::{Digest, Sha256};

use super::versions::{digest_of, hex};
use crate::api::WorkloadKind;
use crate::core::reload::decide::should_reload;
use crate::core::reload::{
    ObjectKind, ObjectView, ReloaderOptions, WorkloadType, WorkloadView as ReloadWorkloadView,
};

/// Workload annotation: `"true"` opts a workload into auto-discovery, `"false"` excludes it always.
pub const RELOAD_ANNOTATION: &str = "secretsync.io/reload";
/// Reloader's workload annotation: `"true"` restarts on any referenced Secret or ConfigMap.
pub const RELOADER_AUTO: &str = "reloader.stakater.com/auto";
/// Reloader's Secret-only variant of [`RELOADER_AUTO`].
pub const RELOADER_SECRET_AUTO: &str = "secret.reloader.stakater.com/auto";
/// Reloader's workload annotation naming Secrets (comma-separated regular expressions).
pub const RELOADER_SECRET_RELOAD: &str = "secret.reloader.stakater.com/reload";
/// Reloader's Secret annotation: `"true"` means the Secret never triggers a Reloader-style restart.
pub const RELOADER_IGNORE: &str = "reloader.stakater.com/ignore";

/// Whether a Secret's annotations say `<ignore>: "true"` (Reloader's ignore annotation, as named).
pub fn reloader_ignored(annotations: &BTreeMap<String, String>, ignore: &str) -> bool {
    annotations.get(ignore).is_some_and(|v| v == "true")
}

/// What Reloader's decision reads of a workload: its own annotations, its pod template's, and its pod
/// spec (references). Read with Reloader's full rules ([`crate::core::reload::decide`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReloaderInputs {
    /// The workload's metadata annotations.
    pub annotations: BTreeMap<String, String>,
    /// Its pod template's annotations.
    pub template_annotations: BTreeMap<String, String>,
    /// Its pod spec.
    pub pod: PodSpec,
}

/// The pod-template annotation carrying the restart marker: one per workload, covering every Secret
/// that can restart it, so one rotation feeding several of its Secrets restarts it once.
pub const MARKER_ANNOTATION: &str = "secretsync.io/rollout-marker";

/// The marker for a workload: a digest of (Secret name, synced-versions record) over every managed
/// Secret that can restart it. Version ids are not secret; equal inputs give equal markers on every
/// replica and after restarts, so re-applying a marker is a no-op.
pub fn workload_marker(relevant: &BTreeMap<String, BTreeMap<String, String>>) -> String {
    let mut h = Sha256::new();
    for (secret, record) in relevant {
        let d = digest_of(record);
        h.update((secret.len() as u64).to_be_bytes());
        h.update(secret.as_bytes());
        h.update(d.as_bytes());
    }
    format!("v2-{}", &hex(&h.finalize())[..32])
}

/// Every Secret a pod spec references by env `secretKeyRef`, `envFrom.secretRef`, a `secret` volume
/// or a projected `secret` source, in any container or init container.
pub fn referenced_secrets(pod: &PodSpec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in pod
        .containers
        .iter()
        .chain(pod.init_containers.iter().flatten())
    {
        for e in c.env.iter().flatten() {
            if let Some(r) = e
                .value_from
                .as_ref()
                .and_then(|v| v.secret_key_ref.as_ref())
            {
                out.insert(r.name.clone());
            }
        }
        for e in c.env_from.iter().flatten() {
            if let Some(r) = &e.secret_ref {
                out.insert(r.name.clone());
            }
        }
    }
    for v in pod.volumes.iter().flatten() {
        if let Some(name) = v.secret.as_ref().and_then(|s| s.secret_name.clone()) {
            out.insert(name);
        }
        for src in v.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            if let Some(s) = &src.secret {
                out.insert(s.name.clone());
            }
        }
    }
    out
}

/// Whether a pod spec references the Secret (see [`referenced_secrets`]).
pub fn references_secret(pod: &PodSpec, secret: &str) -> bool {
    referenced_secrets(pod).contains(secret)
}

/// What the rollout step knows about one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadView {
    /// Deployment, StatefulSet or DaemonSet.
    pub kind: WorkloadKind,
    /// Name in the namespace.
    pub name: String,
    /// Value of the workload's `secretsync.io/reload` annotation.
    pub reload: Option<String>,
    /// Secrets the pod template references (env, envFrom, volumes, projected volumes).
    pub referenced: BTreeSet<String>,
    /// Current value of [`MARKER_ANNOTATION`] on the pod template.
    pub marker: Option<String>,
    /// A paused Deployment.
    pub paused: bool,
    /// What Reloader's decision reads of it.
    pub reloader: ReloaderInputs,
}

/// What the rollout step knows about one Secret secretsync manages in the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedSecret {
    /// The Secret's name.
    pub name: String,
    /// Its synced-versions record (from its annotation).
    pub record: BTreeMap<String, String>,
    /// `rolloutRestartTargets` of the ExternalSecret writing it.
    pub listed: Vec<(WorkloadKind, String)>,
    /// Annotated `reloader.stakater.com/ignore: "true"`: no Reloader-style restart.
    pub reloader_ignore: bool,
}

/// The managed Secrets as a watch cache shows them, with the Secrets just written put in as written:
/// a cache that has not seen a write yet would plan with the old record (the same marker: no
/// restart). Each written Secret replaces its cached entry or is added; the rest stay as cached.
pub fn with_written(
    mut cached: Vec<ManagedSecret>,
    written: &[ManagedSecret],
) -> Vec<ManagedSecret> {
    for w in written {
        match cached.iter_mut().find(|c| c.name == w.name) {
            Some(c) => {
                // The ignore annotation may be on the Secret itself (`kubectl annotate`), not only in
                // the template the write came from.
                let ignore = c.reloader_ignore || w.reloader_ignore;
                *c = w.clone();
                c.reloader_ignore = ignore;
            }
            None => cached.push(w.clone()),
        }
    }
    cached
}

/// What to do with one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkloadAction {
    /// Patch the marker: this restarts it.
    Restart,
    /// Already carries this marker (an earlier attempt got here): nothing to do.
    AlreadyDone,
    /// Not restarted, and why (reported as RolloutSkipped).
    Skip(String),
}

/// The plan for one workload touched by a batch of rotations.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWorkload {
    /// The workload.
    pub workload: WorkloadView,
    /// What to do.
    pub action: WorkloadAction,
    /// The marker it ends up with.
    pub marker: String,
    /// The rotated Secrets that restart it.
    pub rotated: Vec<String>,
}

/// Whether `secret` can restart `w`: listed in its ExternalSecret's `rolloutRestartTargets`;
/// referenced by the workload with `secretsync.io/reload: "true"`; or, with Reloader's annotations on
/// (`reloader`), as Reloader decides for a Secret (its lists, auto, search and match, excludes, and
/// the Secret's own ignore annotation).
fn restarts(w: &WorkloadView, secret: &ManagedSecret, reloader: Option<&ReloaderOptions>) -> bool {
    let referenced = w.referenced.contains(&secret.name);
    let listed = secret
        .listed
        .iter()
        .any(|(k, n)| *k == w.kind && *n == w.name);
    listed
        || (w.reload.as_deref() == Some("true") && referenced)
        || reloader.is_some_and(|options| {
            let annotations: BTreeMap<String, String> = if secret.reloader_ignore {
                BTreeMap::from([(options.names.ignore.clone(), "true".to_string())])
            } else {
                BTreeMap::new()
            };
            let object = ObjectView {
                kind: ObjectKind::Secret,
                name: &secret.name,
                annotations: &annotations,
            };
            let view = ReloadWorkloadView {
                kind: workload_type(w.kind),
                annotations: &w.reloader.annotations,
                template_annotations: &w.reloader.template_annotations,
                pod: &w.reloader.pod,
            };
            !w.reloader.pod.containers.is_empty()
                && should_reload(&view, &object, options).is_some()
        })
}

/// The reload core's name of a workload kind.
pub fn workload_type(kind: WorkloadKind) -> WorkloadType {
    match kind {
        WorkloadKind::Deployment => WorkloadType::Deployment,
        WorkloadKind::StatefulSet => WorkloadType::StatefulSet,
        WorkloadKind::DaemonSet => WorkloadType::DaemonSet,
        WorkloadKind::Rollout => WorkloadType::Rollout,
    }
}

/// Decides, per workload, what a batch of rotations (the Secrets in `rotated`, whose new versions are
/// already written) does: each workload that any of them can restart gets one marker covering every
/// managed Secret that can restart it. `"false"` excludes a workload; a paused Deployment is skipped.
/// `reloader`: Reloader's annotations are honoured, with these options (`None`: turned off).
pub fn plan(
    workloads: &[WorkloadView],
    managed: &[ManagedSecret],
    rotated: &BTreeSet<String>,
    reloader: Option<&ReloaderOptions>,
) -> Vec<PlannedWorkload> {
    let mut out = Vec::new();
    for w in workloads {
        let relevant: BTreeMap<String, BTreeMap<String, String>> = managed
            .iter()
            .filter(|s| restarts(w, s, reloader))
            .map(|s| (s.name.clone(), s.record.clone()))
            .collect();
        let triggered: Vec<String> = relevant
            .keys()
            .filter(|s| rotated.contains(*s))
            .cloned()
            .collect();
        if triggered.is_empty() {
            continue;
        }
        let marker = workload_marker(&relevant);
        let action = if w.reload.as_deref() == Some("false") {
            WorkloadAction::Skip(format!(
                "{} is annotated {RELOAD_ANNOTATION}: \"false\"",
                describe(w)
            ))
        } else if w.marker.as_deref() == Some(marker.as_str()) {
            WorkloadAction::AlreadyDone
        } else if w.paused {
            WorkloadAction::Skip(format!(
                "{} is paused; resume it to roll out the new Secret",
                describe(w)
            ))
        } else {
            WorkloadAction::Restart
        };
        out.push(PlannedWorkload {
            workload: w.clone(),
            action,
            marker,
            rotated: triggered,
        });
    }
    out
}

/// `Kind/name` of a workload.
pub fn describe(w: &WorkloadView) -> String {
    format!("{:?}/{}", w.kind, w.name)
}

/// What a rollout did for one rotated Secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutReport {
    /// Workloads carrying the marker now (restarted now or by an earlier attempt).
    pub restarted: Vec<String>,
    /// Workloads left alone, with why.
    pub skipped: Vec<String>,
}

/// What the namespace offers a rollout besides the plan's views: whether Argo Rollouts could be
/// listed, and which Deployments a Rollout drives through `workloadRef`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutTargets {
    /// Rollouts could be listed (the CRD is installed and readable).
    pub argo: bool,
    /// Deployment name → the Rollout driving it.
    pub driven_by: std::collections::HashMap<String, String>,
}

/// Why each `rolloutRestartTargets` entry of a rotated Secret is not among `views`, per Secret: Argo
/// Rollouts is missing, the Deployment is driven by a Rollout (never patched itself), or it does not
/// exist.
pub fn unlisted_reasons(
    views: &[WorkloadView],
    managed: &[ManagedSecret],
    rotated: &BTreeSet<String>,
    targets: &RolloutTargets,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for secret in managed.iter().filter(|s| rotated.contains(&s.name)) {
        for (kind, name) in &secret.listed {
            if views.iter().any(|v| v.kind == *kind && v.name == *name) {
                continue;
            }
            let why = if *kind == WorkloadKind::Rollout && !targets.argo {
                format!(
                    "Rollout/{name} not restarted: Argo Rollouts is not installed (no rollouts.argoproj.io CRD) \
                     or the controller may not list Rollouts"
                )
            } else if let Some(rollout) = targets
                .driven_by
                .get(name)
                .filter(|_| *kind == WorkloadKind::Deployment)
            {
                format!(
                    "Deployment/{name} is driven by Rollout/{rollout} (workloadRef) and is never \
                     patched (its template is the Rollout's: a change would be a second revision); \
                     list Rollout/{rollout} instead"
                )
            } else {
                format!("{kind:?}/{name} not found")
            };
            out.entry(secret.name.clone()).or_default().push(why);
        }
    }
    out
}

#[cfg(test)]
#[path = "rollout_tests.rs"]
mod tests;
