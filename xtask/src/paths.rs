//! Where things live: the repository, the test bed state, the tool cache.

use std::path::PathBuf;

/// The repository root (the workspace that holds `xtask/`).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`).
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// State of the running test bed: kubeconfig, env file, pids, logs, data.
pub fn testbed() -> PathBuf {
    target().join("testbed")
}

/// Cache of built and fetched tools, shared by every checkout on this machine.
/// `SECRETSYNC_CACHE_DIR`, else `$XDG_CACHE_HOME/secretsync`, else `~/.cache/secretsync`.
pub fn cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("SECRETSYNC_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("secretsync");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    home.join(".cache").join("secretsync")
}

/// The cargo executable running us.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
