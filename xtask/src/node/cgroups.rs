//! The node's cgroups: one root folder of ours in every cgroup hierarchy, and the processes in it.

use std::fs;
use std::path::{Path, PathBuf};

use super::names::valid_name;

/// Every cgroup hierarchy mounted under /sys/fs/cgroup (v1 controllers, named and unified ones).
pub(super) fn cgroup_hierarchies() -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir("/sys/fs/cgroup") else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("cgroup.procs").is_file())
        .collect();
    if Path::new("/sys/fs/cgroup/cgroup.procs").is_file() {
        out.push(PathBuf::from("/sys/fs/cgroup"));
    }
    out.sort();
    out.dedup();
    out
}

/// Every cgroup folder under `root` (one folder name) in each hierarchy, deepest first.
pub(super) fn our_cgroups(root: &str) -> Vec<PathBuf> {
    if !valid_name(root) {
        return Vec::new();
    }
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        if let Ok(entries) = fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    walk(&e.path(), out);
                }
            }
        }
        out.push(dir.to_path_buf());
    }
    let mut out = Vec::new();
    for h in cgroup_hierarchies() {
        let root = h.join(root);
        if root.is_dir() {
            walk(&root, &mut out);
        }
    }
    out
}

/// Processes in the cgroups under `root` (the node's Pods and nothing else).
pub fn cgroup_pids(root: &str) -> Vec<u32> {
    let mut out: Vec<u32> = our_cgroups(root)
        .iter()
        .flat_map(|cg| {
            fs::read_to_string(cg.join("cgroup.procs"))
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.trim().parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
