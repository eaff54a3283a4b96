//! A workload's reload state: for every ConfigMap and Secret that can restart it, a keyed digest of
//! the data it last restarted for (or first saw). Kept on the workload's own metadata (a change
//! there rolls nothing), so a change made while the controller was down is found at start, and a
//! restart writes the new state in the same patch as the pod template's marker: exactly once.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::ObjectKind;

/// Workload metadata annotation holding the encoded [`ReloadState`].
pub const STATE_ANNOTATION: &str = "secretsync.io/reload-state";
/// Pod-template annotation whose change restarts the workload: a digest of the state restarted for.
pub const MARKER_ANNOTATION: &str = "secretsync.io/reload-marker";

/// One object a workload uses: its kind and name (in the workload's namespace).
pub type ObjectKey = (ObjectKind, String);

/// For each object that can restart a workload, the keyed digest of its data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadState(pub BTreeMap<ObjectKey, String>);

fn prefix(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::ConfigMap => "configmap/",
        ObjectKind::Secret => "secret/",
    }
}

impl ReloadState {
    /// The annotation value: `configmap/<name>=<digest>,secret/<name>=<digest>` in key order
    /// (Kubernetes names hold neither `,` nor `=`).
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|((kind, name), digest)| format!("{}{name}={digest}", prefix(*kind)))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads an annotation value; `None` when it is not one this controller wrote (then the
    /// workload is seen for the first time: its state is recorded, nothing restarted).
    pub fn decode(value: &str) -> Option<Self> {
        let mut out = BTreeMap::new();
        for item in value.split(',').filter(|i| !i.is_empty()) {
            let (key, digest) = item.split_once('=')?;
            let (kind, name) = if let Some(n) = key.strip_prefix("configmap/") {
                (ObjectKind::ConfigMap, n)
            } else if let Some(n) = key.strip_prefix("secret/") {
                (ObjectKind::Secret, n)
            } else {
                return None;
            };
            if name.is_empty() || digest.is_empty() || name.contains('/') {
                return None;
            }
            out.insert((kind, name.to_string()), digest.to_string());
        }
        Some(Self(out))
    }

    /// The pod-template marker for this state: a digest of keyed digests (never of data).
    pub fn marker(&self) -> String {
        let hex: String = Sha256::digest(self.encode().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("r1-{}", &hex[..32])
    }
}

/// The keyed digest of a ConfigMap's or Secret's data (a ConfigMap's `data` and `binaryData` keys
/// never overlap), as a reload state records it: 24 hex digits of an HMAC with the controller's key.
pub fn object_digest(key: &[u8], kind: ObjectKind, data: &BTreeMap<String, Vec<u8>>) -> String {
    let kind = match kind {
        ObjectKind::ConfigMap => "ConfigMap",
        ObjectKind::Secret => "Secret",
    };
    let full = crate::core::digest::digest(key, kind, "", data);
    let hex = full.trim_start_matches(crate::core::digest::PREFIX);
    hex.chars().take(24).collect()
}

/// What happened to objects of a namespace during one change set, as the watches saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Events {
    /// Objects created during the change set (a watch `Added` after the initial list).
    pub created: BTreeSet<ObjectKey>,
    /// Objects deleted during the change set.
    pub deleted: BTreeSet<ObjectKey>,
    /// Objects changed (a new resourceVersion) during the change set.
    pub updated: BTreeSet<ObjectKey>,
}

/// What one change set does to one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Its recorded state is current: nothing to write.
    Nothing,
    /// Record the new state on the workload's metadata only (first sight, a reference added or
    /// dropped by a spec edit, an object created or deleted without `reload-on-create`/`-delete`).
    Record(ReloadState),
    /// Restart: write the new state and the marker in one patch.
    Restart {
        /// The state to record.
        state: ReloadState,
        /// The pod-template marker.
        marker: String,
        /// The objects whose change restarts it (for the Event).
        because: Vec<ObjectKey>,
    },
}

/// Compares the state a workload recorded (`None`: never seen, or not readable) with the state of
/// the objects that can restart it now: a changed digest restarts it (for a workload seen for the
/// first time, an object changed during the change set); an object created (deleted)
/// during the change set restarts it only with `reload_on_create` (`reload_on_delete`); anything
/// else is recorded without a restart, and an equal state needs nothing.
pub fn plan(
    recorded: Option<&ReloadState>,
    current: &ReloadState,
    events: &Events,
    reload_on_create: bool,
    reload_on_delete: bool,
) -> Action {
    let Some(recorded) = recorded else {
        // First sight. An object it uses that changed during this very change set changed after the
        // workload was made (its watch event came first): that change restarts it once.
        let because: Vec<ObjectKey> = current
            .0
            .keys()
            .filter(|k| events.updated.contains(*k))
            .cloned()
            .collect();
        if because.is_empty() {
            return Action::Record(current.clone());
        }
        return Action::Restart {
            marker: current.marker(),
            state: current.clone(),
            because,
        };
    };
    if recorded == current {
        return Action::Nothing;
    }
    let mut because = Vec::new();
    for (key, digest) in &current.0 {
        match recorded.0.get(key) {
            Some(before) if before != digest => because.push(key.clone()),
            None if reload_on_create && events.created.contains(key) => because.push(key.clone()),
            _ => {}
        }
    }
    for key in recorded.0.keys() {
        if !current.0.contains_key(key) && reload_on_delete && events.deleted.contains(key) {
            because.push(key.clone());
        }
    }
    if because.is_empty() {
        return Action::Record(current.clone());
    }
    because.sort();
    Action::Restart {
        marker: current.marker(),
        state: current.clone(),
        because,
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
