//! ESO's per-entry stores (`data[].sourceRef.storeRef`, `dataFrom[].sourceRef.storeRef`): which store
//! each entry reads through, the entries grouped by store (one read plan per store, each read as a
//! spec of its own), the answers merged back in spec order, and the `syncedVersions` keys that keep
//! two stores' secrets of the same name apart.
//!
//! The first group is always the default store, `spec.secretStoreRef` (entries without a `storeRef`,
//! or whose `storeRef` names that same store); the others follow in the order their store first
//! appears. A spec without any `storeRef` has one group, and every caller keeps its single-store path.

use std::collections::BTreeMap;

use crate::api::{ExternalSecretSpec, SecretStoreRef, StoreKind};
use crate::core::reason::{Reason, SyncError};
use crate::core::remote::Fetched;

/// The entries of one spec that read through one store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreGroup {
    /// The spec restricted to this group's entries, `secretStoreRef` naming the group's store and
    /// every `sourceRef` removed: what the store's reads, detection and indexes are handed.
    pub spec: ExternalSecretSpec,
    /// `None` for the default store; otherwise the prefix of its `syncedVersions` keys
    /// ([`version_label`]).
    pub label: Option<String>,
    /// Positions in `spec.data` of this group's entries, in order.
    pub data: Vec<usize>,
    /// Positions in `spec.dataFrom` of this group's entries, in order.
    pub data_from: Vec<usize>,
}

/// The store an entry with `source` reads through (`default`: `spec.secretStoreRef`).
fn store_of<'a>(
    default: &'a SecretStoreRef,
    source: Option<&'a crate::api::StoreSourceRef>,
) -> &'a SecretStoreRef {
    source.and_then(|s| s.store_ref.as_ref()).unwrap_or(default)
}

/// Whether two references name the same store (for the ExternalSecret's own namespace).
fn same_store(a: &SecretStoreRef, b: &SecretStoreRef) -> bool {
    a.name == b.name && a.kind == b.kind && a.namespace == b.namespace
}

/// Whether any entry names a store of its own (a `storeRef` other than `spec.secretStoreRef`).
pub fn has_store_refs(spec: &ExternalSecretSpec) -> bool {
    let default = &spec.secret_store_ref;
    let other = |s: Option<&crate::api::StoreSourceRef>| !same_store(store_of(default, s), default);
    spec.data.iter().any(|d| other(d.source_ref.as_ref()))
        || spec.data_from.iter().any(|d| other(d.source_ref.as_ref()))
}

/// Whether the spec reads through the store `kind`/`name` (as default or from any entry).
pub fn reads_store(spec: &ExternalSecretSpec, kind: StoreKind, name: &str) -> bool {
    let is = |r: &SecretStoreRef| r.kind == kind && r.name == name;
    let entry = |s: Option<&crate::api::StoreSourceRef>| {
        s.and_then(|s| s.store_ref.as_ref()).is_some_and(is)
    };
    is(&spec.secret_store_ref)
        || spec.data.iter().any(|d| entry(d.source_ref.as_ref()))
        || spec.data_from.iter().any(|d| entry(d.source_ref.as_ref()))
}

/// The prefix of the `syncedVersions` keys of the entries read through `store` when it is not the
/// default store: `SecretStore/aws:` or `ClusterSecretStore/ssm:`. No secret or parameter name holds
/// a `:` (an ARN begins with `arn:`), so a labelled key never equals a default store's key.
pub fn version_label(store: &SecretStoreRef) -> String {
    let kind = match store.kind {
        StoreKind::SecretStore => "SecretStore",
        StoreKind::ClusterSecretStore => "ClusterSecretStore",
    };
    format!("{kind}/{}:", store.name)
}

/// The store id (as the controller's store resolution names it) of `store` for an ExternalSecret in
/// `namespace`: `SecretStore/<ns>/<name>` or `ClusterSecretStore/<name>`.
pub fn store_id(namespace: &str, store: &SecretStoreRef) -> String {
    match store.kind {
        StoreKind::SecretStore => format!("SecretStore/{namespace}/{}", store.name),
        StoreKind::ClusterSecretStore => format!("ClusterSecretStore/{}", store.name),
    }
}

/// How an ExternalSecret in `namespace` with `spec` records the versions it reads through the store
/// `store_id`: `None` if it reads nothing through it, `Some("")` for its default store, otherwise
/// `Some(label)` (the prefix of those `syncedVersions` keys).
pub fn label_for(
    namespace: &str,
    spec: &ExternalSecretSpec,
    store_id_wanted: &str,
) -> Option<String> {
    if store_id(namespace, &spec.secret_store_ref) == store_id_wanted {
        return Some(String::new());
    }
    let entries = spec
        .data
        .iter()
        .filter_map(|d| d.source_ref.as_ref())
        .chain(spec.data_from.iter().filter_map(|d| d.source_ref.as_ref()));
    entries
        .filter_map(|s| s.store_ref.as_ref())
        .find(|r| store_id(namespace, r) == store_id_wanted)
        .map(version_label)
}

/// The spec's entries grouped by store: the default store first (possibly with no entries), then
/// every other store in the order it first appears (`dataFrom` before `data`, as they merge).
pub fn groups(spec: &ExternalSecretSpec) -> Vec<StoreGroup> {
    let default = &spec.secret_store_ref;
    let empty = |store: &SecretStoreRef, label: Option<String>| StoreGroup {
        spec: ExternalSecretSpec {
            secret_store_ref: store.clone(),
            data: Vec::new(),
            data_from: Vec::new(),
            ..spec.clone()
        },
        label,
        data: Vec::new(),
        data_from: Vec::new(),
    };
    let mut out = vec![empty(default, None)];
    let mut slot = |store: &SecretStoreRef| -> usize {
        if same_store(store, default) {
            return 0;
        }
        if let Some(i) = out
            .iter()
            .position(|g| same_store(&g.spec.secret_store_ref, store))
        {
            return i;
        }
        out.push(empty(store, Some(version_label(store))));
        out.len() - 1
    };
    let mut from_slots = Vec::new();
    for from in &spec.data_from {
        from_slots.push(slot(store_of(default, from.source_ref.as_ref())));
    }
    let mut data_slots = Vec::new();
    for d in &spec.data {
        data_slots.push(slot(store_of(default, d.source_ref.as_ref())));
    }
    for (i, (from, g)) in spec.data_from.iter().zip(from_slots).enumerate() {
        let mut entry = from.clone();
        entry.source_ref = None;
        out[g].spec.data_from.push(entry);
        out[g].data_from.push(i);
    }
    for (i, (d, g)) in spec.data.iter().zip(data_slots).enumerate() {
        let mut entry = d.clone();
        entry.source_ref = None;
        out[g].spec.data.push(entry);
        out[g].data.push(i);
    }
    out
}

/// Checks every entry's `storeRef` as `spec.secretStoreRef` is checked before any lookup: a
/// SecretStore is only ever the ExternalSecret's own namespace's.
pub fn check_store_refs(es_namespace: &str, spec: &ExternalSecretSpec) -> Result<(), SyncError> {
    let check = |at: String, s: Option<&crate::api::StoreSourceRef>| -> Result<(), SyncError> {
        match s.and_then(|s| s.store_ref.as_ref()) {
            Some(r) => crate::core::access::check_store_ref(es_namespace, r).map_err(|e| {
                SyncError::new(e.reason, format!("{at}.sourceRef.storeRef: {}", e.message))
            }),
            None if s.is_some() => Err(SyncError::new(
                Reason::InvalidSpec,
                format!("{at}.sourceRef needs storeRef (generatorRef is not supported)"),
            )),
            None => Ok(()),
        }
    };
    for (i, d) in spec.data_from.iter().enumerate() {
        check(format!("dataFrom[{i}]"), d.source_ref.as_ref())?;
    }
    for (i, d) in spec.data.iter().enumerate() {
        check(format!("data[{i}]"), d.source_ref.as_ref())?;
    }
    Ok(())
}

/// The whole spec again from its groups as each store reads them (`effective[g]`: group `g`'s spec
/// with its own store's prefix), every entry at its own position.
pub fn merged_spec(
    spec: &ExternalSecretSpec,
    groups: &[StoreGroup],
    effective: &[&ExternalSecretSpec],
) -> Result<ExternalSecretSpec, SyncError> {
    let mut out = spec.clone();
    for (g, eff) in groups.iter().zip(effective) {
        if eff.data.len() != g.data.len() || eff.data_from.len() != g.data_from.len() {
            return Err(mismatch());
        }
        for (pos, d) in g.data.iter().zip(&eff.data) {
            let slot = out.data.get_mut(*pos).ok_or_else(mismatch)?;
            slot.remote_ref = d.remote_ref.clone();
        }
        for (pos, d) in g.data_from.iter().zip(&eff.data_from) {
            let slot = out.data_from.get_mut(*pos).ok_or_else(mismatch)?;
            slot.extract = d.extract.clone();
            slot.find = d.find.clone();
        }
    }
    Ok(out)
}

/// Each group's answers (aligned with its own spec) put back in the spec's order.
pub fn merge_fetched(
    spec: &ExternalSecretSpec,
    groups: &[StoreGroup],
    fetched: Vec<Fetched>,
) -> Result<Fetched, SyncError> {
    if fetched.len() != groups.len() {
        return Err(mismatch());
    }
    let mut data = vec![None; spec.data.len()];
    let mut data_from = vec![None; spec.data_from.len()];
    for (g, f) in groups.iter().zip(fetched) {
        if f.data.len() != g.data.len() || f.data_from.len() != g.data_from.len() {
            return Err(mismatch());
        }
        for (pos, got) in g.data.iter().zip(f.data) {
            *data.get_mut(*pos).ok_or_else(mismatch)? = Some(got);
        }
        for (pos, got) in g.data_from.iter().zip(f.data_from) {
            *data_from.get_mut(*pos).ok_or_else(mismatch)? = Some(got);
        }
    }
    Ok(Fetched {
        data: data
            .into_iter()
            .collect::<Option<_>>()
            .ok_or_else(mismatch)?,
        data_from: data_from
            .into_iter()
            .collect::<Option<_>>()
            .ok_or_else(mismatch)?,
        template_sources: Default::default(),
    })
}

/// The record of every group's versions in one map: the default store's keys as they are, every
/// other store's under its [`version_label`].
pub fn merge_versions(
    parts: Vec<(Option<String>, BTreeMap<String, String>)>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (label, versions) in parts {
        for (k, v) in versions {
            out.insert(format!("{}{k}", label.as_deref().unwrap_or("")), v);
        }
    }
    out
}

/// One group's part of a merged record (`syncedVersions`), with its keys as its store names them:
/// the default store takes the unlabelled keys, another store the keys under its label. A compacted
/// record names no secret: every group then starts from nothing (its values are read again).
pub fn versions_of_group(
    record: &BTreeMap<String, String>,
    label: Option<&str>,
) -> BTreeMap<String, String> {
    if crate::core::versions::is_compact(record) {
        return BTreeMap::new();
    }
    record
        .iter()
        .filter_map(|(k, v)| match label {
            Some(l) => k.strip_prefix(l).map(|rest| (rest.to_string(), v.clone())),
            None => (!is_labelled(k)).then(|| (k.clone(), v.clone())),
        })
        .collect()
}

/// Whether a record key belongs to a store named by `storeRef` (see [`version_label`]).
fn is_labelled(key: &str) -> bool {
    (key.starts_with("SecretStore/") || key.starts_with("ClusterSecretStore/")) && key.contains(':')
}

/// Change detection over every store (`(later, unchanged)` each): later if any store's listing is
/// busy, unchanged only if every store's versions are the synced ones.
pub fn combine_detections(answers: &[(bool, bool)]) -> (bool, bool) {
    (
        answers.iter().any(|(later, _)| *later),
        answers.iter().all(|(_, unchanged)| *unchanged),
    )
}

fn mismatch() -> SyncError {
    SyncError::new(
        Reason::ProviderError,
        "internal: the stores' answers do not match the spec; retrying",
    )
}

#[cfg(test)]
#[path = "store_groups_tests.rs"]
mod tests;
