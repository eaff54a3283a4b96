//! The state file of a running test bed (pids, ports, node names, its folder) and what it says.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::Value;

use super::COMPONENTS;
use crate::{node, paths};

/// The state file: pids, ports, names and folder of the running bed.
pub(super) fn state_file() -> PathBuf {
    paths::testbed().join("state.json")
}

/// The state file, unless it records another test bed's folder (a target folder copied from another
/// checkout): acting on it would stop that bed, so it is ignored with a warning.
pub(super) fn read_state() -> Option<Value> {
    let text = fs::read_to_string(state_file()).ok()?;
    let state: Value = serde_json::from_str(&text).ok()?;
    if let Some(recorded) = state["dir"].as_str() {
        let ours = node::canonical(&paths::testbed()).ok();
        if ours.as_deref() != Some(recorded) {
            eprintln!(
                "xtask: warning: {} describes the test bed of {recorded}, not this one (a copied \
                 target folder?); ignoring it (stop that bed from its own checkout)",
                state_file().display()
            );
            return None;
        }
    }
    Some(state)
}

/// The machine-wide names the state's bed uses (legacy names for a state written by older code).
pub(super) fn names_of(state: &Value) -> Result<node::Names> {
    node::Names::from_state(state).with_context(|| {
        format!(
            "{} is damaged; not tearing down by guesswork",
            state_file().display()
        )
    })
}

/// Whether the state's bed runs a node.
pub(super) fn has_node(state: &Value) -> bool {
    state["node"].as_bool().unwrap_or(false)
}

/// The components a state describes, in start order.
pub(super) fn components(state: &Value) -> Vec<&'static str> {
    let mut all = COMPONENTS.to_vec();
    if has_node(state) {
        all.extend_from_slice(node::COMPONENTS);
    }
    all
}

/// The pid the state records for a component.
pub(super) fn pid_of(state: &Value, name: &str) -> Option<u32> {
    state["pids"][name]
        .as_u64()
        .and_then(|p| u32::try_from(p).ok())
}
