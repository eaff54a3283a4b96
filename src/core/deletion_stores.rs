//! A remote deletion for an ExternalSecret whose entries read through several stores
//! (`sourceRef.storeRef`): every store answers for its own names, through the same one check of what
//! an AWS answer may mean ([`RemoteState`]), and [`across_stores`] turns the answers into the one
//! set of inputs the deletion rule ([`decide_deletion`](super::deletion::decide_deletion)) decides on:
//! the Secret goes (or this ExternalSecret's keys leave it) only when every remote secret of every
//! store is confirmed deleted by its own store, each store is the one the Secret was synced from,
//! and the grace period is over. A store that could not be asked counts as an unconfirmed deletion.
//!
//! `status.syncedFrom` records each store's source: the default store's on the first line (as for
//! one store), then one line per other store, `<label> <source>` ([`sources_record`],
//! [`source_of`]).

use super::deletion::RemoteState;

/// What one store said about the remote secrets of its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreAnswer {
    /// The store's `syncedVersions` label (`None`: the default store), put before each name.
    pub label: Option<String>,
    /// Each name asked and its state; `None`: the store could not be asked (never a deletion).
    pub remote: Option<Vec<(String, RemoteState)>>,
    /// The store is the one the Secret was synced from (its recorded source).
    pub same_source: bool,
}

/// The deletion rule's remote facts over every store: each name (labelled with its store) and its
/// state, and whether every store asked is the one the Secret was synced from. A store that asked
/// nothing (no entry of its own) adds nothing.
pub fn across_stores(answers: &[StoreAnswer]) -> (Vec<(String, RemoteState)>, bool) {
    let mut remote = Vec::new();
    let mut same_source = true;
    for a in answers {
        let label = a.label.as_deref().unwrap_or("");
        match &a.remote {
            Some(names) if names.is_empty() => continue,
            Some(names) => remote.extend(names.iter().map(|(n, s)| (format!("{label}{n}"), *s))),
            None => remote.push((
                format!("{label}(store could not be asked)"),
                RemoteState::Unknown,
            )),
        }
        same_source &= a.same_source;
    }
    (remote, same_source)
}

/// `status.syncedFrom` for several stores: the default store's source, then one line per other
/// store, `<label> <source>`. With no other store it is the default store's source as it is.
pub fn sources_record(primary: &str, others: &[(String, String)]) -> String {
    let mut out = primary.to_string();
    for (label, source) in others {
        out.push('\n');
        out.push_str(label);
        out.push(' ');
        out.push_str(source);
    }
    out
}

/// One store's part of a recorded `syncedFrom` ([`sources_record`]): the first line for the default
/// store (`label` None), the line of `label` for another. None: not recorded.
pub fn source_of<'a>(record: &'a str, label: Option<&str>) -> Option<&'a str> {
    let mut lines = record.split('\n');
    let first = lines.next();
    match label {
        None => first,
        Some(l) => lines.find_map(|line| line.strip_prefix(l)?.strip_prefix(' ')),
    }
}

#[cfg(test)]
#[path = "deletion_stores_tests.rs"]
mod tests;
