//! The rollout decision: whether a sync is a rotation, which workloads restart, and the marker that
//! restarts them (keyed by version ids, never by time or secret data, so re-applying it is a no-op).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PodSpec;
use sha2::{Digest, Sha256};

use crate::api::WorkloadKind;

/// Workload annotation: `"true"` opts a workload into auto-discovery, `"false"` excludes it always.
pub const RELOAD_ANNOTATION: &str = "secretsync.io/reload";
/// Prefix of the pod-template annotation that carries the restart marker.
pub const MARKER_PREFIX: &str = "secretsync.io/restarted-for.";
/// Longest name part of an annotation key.
const MAX_NAME_PART: usize = 63;

/// The pod-template annotation key for a target Secret: `secretsync.io/restarted-for.<secret>`; names
/// too long for the 63-character name part are cut and suffixed with a hash so keys stay distinct.
pub fn marker_key(target_secret: &str) -> String {
    let name_part = format!("restarted-for.{target_secret}");
    if name_part.len() <= MAX_NAME_PART {
        return format!("secretsync.io/{name_part}");
    }
    let hash = hex(&Sha256::digest(target_secret.as_bytes()))[..10].to_string();
    let keep = MAX_NAME_PART - hash.len() - 1;
    let mut cut: String = name_part.chars().take(keep).collect();
    // An annotation name part must end alphanumeric.
    while cut.ends_with(['.', '-', '_']) {
        cut.pop();
    }
    format!("secretsync.io/{cut}-{hash}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The marker value for a set of synced versions: a digest of the (remote key, version id) pairs.
/// Version ids are not secret; equal versions give equal markers on every replica and after restarts.
pub fn marker_value(synced_versions: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (k, v) in synced_versions {
        h.update((k.len() as u64).to_be_bytes());
        h.update(k.as_bytes());
        h.update((v.len() as u64).to_be_bytes());
        h.update(v.as_bytes());
    }
    format!("v1-{}", &hex(&h.finalize())[..32])
}

/// A rotation: the versions changed from a previously recorded, non-empty set. First syncs are not.
pub fn is_rotation(
    previous: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> bool {
    !previous.is_empty() && !current.is_empty() && previous != current
}

/// Whether a pod spec references the Secret by env `secretKeyRef`, `envFrom.secretRef`, a `secret`
/// volume or a projected `secret` source, in any container or init container.
pub fn references_secret(pod: &PodSpec, secret: &str) -> bool {
    let containers = pod
        .containers
        .iter()
        .chain(pod.init_containers.iter().flatten());
    let in_containers = containers.into_iter().any(|c| {
        let env = c.env.iter().flatten().any(|e| {
            e.value_from
                .as_ref()
                .and_then(|v| v.secret_key_ref.as_ref())
                .is_some_and(|r| r.name == secret)
        });
        let env_from = c
            .env_from
            .iter()
            .flatten()
            .any(|e| e.secret_ref.as_ref().is_some_and(|r| r.name == secret));
        env || env_from
    });
    let in_volumes = pod.volumes.iter().flatten().any(|v| {
        let direct = v.secret.as_ref().and_then(|s| s.secret_name.as_deref()) == Some(secret);
        let projected = v.projected.as_ref().is_some_and(|p| {
            p.sources
                .iter()
                .flatten()
                .any(|s| s.secret.as_ref().is_some_and(|s| s.name == secret))
        });
        direct || projected
    });
    in_containers || in_volumes
}

/// What the rollout step knows about one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadView {
    /// Deployment, StatefulSet or DaemonSet.
    pub kind: WorkloadKind,
    /// Name in the ExternalSecret's namespace.
    pub name: String,
    /// Value of the workload's `secretsync.io/reload` annotation.
    pub reload: Option<String>,
    /// Whether the pod template references the target Secret.
    pub references_target: bool,
    /// Current value of the marker annotation on the pod template.
    pub marker: Option<String>,
    /// A paused Deployment.
    pub paused: bool,
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

/// Decides, per workload, what a rotation to `marker` does. `listed` workloads come from
/// `rolloutRestartTargets`; others qualify through `secretsync.io/reload: "true"` and a reference to
/// the Secret. `"false"` excludes any workload.
pub fn plan(
    workloads: &[WorkloadView],
    listed: &[(WorkloadKind, String)],
    marker: &str,
) -> Vec<(WorkloadView, WorkloadAction)> {
    let mut out = Vec::new();
    for w in workloads {
        let is_listed = listed.iter().any(|(k, n)| *k == w.kind && *n == w.name);
        let opted_in = w.reload.as_deref() == Some("true") && w.references_target;
        if !is_listed && !opted_in {
            continue;
        }
        let action = if w.reload.as_deref() == Some("false") {
            WorkloadAction::Skip(format!(
                "{} is annotated {RELOAD_ANNOTATION}: \"false\"",
                describe(w)
            ))
        } else if w.marker.as_deref() == Some(marker) {
            WorkloadAction::AlreadyDone
        } else if w.paused {
            WorkloadAction::Skip(format!(
                "{} is paused; resume it to roll out the new Secret",
                describe(w)
            ))
        } else {
            WorkloadAction::Restart
        };
        out.push((w.clone(), action));
    }
    out
}

/// `Kind/name` of a workload.
pub fn describe(w: &WorkloadView) -> String {
    format!("{:?}/{}", w.kind, w.name)
}

#[cfg(test)]
#[path = "rollout_tests.rs"]
mod tests;
