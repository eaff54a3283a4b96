//! Stopping the node and finding what it left: processes, containers and their shims, cgroups, the
//! pod bridge, mounts; only what carries this bed's names and folder.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::cgroups::{cgroup_pids, our_cgroups};
use super::network::bridge_exists;
use super::{FIXED_PATHS, Kubectl, NODE_NAME, Names, SYSCTLS, dir, program, socket};
use crate::procs::{is_running, stop, wait_until};

/// containerd's shims serving this node: one of their arguments (`-address`) is exactly its socket
/// (not merely containing it: another bed's path may have ours inside it).
fn shim_pids(testbed: &Path) -> Vec<u32> {
    let needle = socket(testbed).display().to_string();
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let cmdline = fs::read(e.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            let args: Vec<&str> = cmdline.split('\0').collect();
            let names_socket = |a: &&str| {
                *a == needle
                    || a.strip_suffix(needle.as_str())
                        .is_some_and(|f| f.ends_with('='))
            };
            if args[0].contains("containerd-shim") && args.iter().any(names_socket) {
                out.push(pid);
            }
        }
    }
    out
}

/// Sends SIGKILL to each of `pids` (errors ignored: a process may be gone already).
fn kill_all(pids: &[u32]) {
    for pid in pids {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Stops the node and removes what it left: the Node and its Pods (while the apiserver answers),
/// the processes (with every container), our cgroups, the pod bridge. Works from `pids` and `names`
/// of the state file and, for a run killed half-way, from what it finds under those names; touches
/// nothing of another test bed (their names differ).
pub fn stop_all(
    testbed: &Path,
    names: &Names,
    pids: &BTreeMap<String, u32>,
    kubectl: Kubectl<'_>,
) -> Vec<String> {
    let mut failures = Vec::new();
    let _ = kubectl(&[
        "delete",
        "node",
        NODE_NAME,
        "--wait=false",
        "--ignore-not-found",
    ]);
    let _ = kubectl(&[
        "delete",
        "pods",
        "--all-namespaces",
        "--field-selector",
        &format!("spec.nodeName={NODE_NAME}"),
        "--force",
        "--grace-period=0",
        "--wait=false",
    ]);
    for name in [
        "kube-scheduler",
        "kubelet",
        "pod-gateway-moto",
        "pod-gateway-apiserver",
    ] {
        if let Some(&pid) = pids.get(name) {
            if is_running(pid, program(name)) {
                eprintln!("xtask: stopping {name} (pid {pid})");
            }
            if let Err(e) = stop(pid, program(name)) {
                failures.push(e.to_string());
            }
        }
    }
    // Containers first (their shims would otherwise restart nothing, but the processes would stay).
    let emptied = wait_until(Duration::from_secs(15), || {
        let left = cgroup_pids(&names.cgroup_root);
        kill_all(&left);
        left.is_empty()
    });
    if !emptied {
        failures.push(format!(
            "processes still in the node's cgroups: {:?}",
            cgroup_pids(&names.cgroup_root)
        ));
    }
    if let Some(&pid) = pids.get("containerd") {
        if is_running(pid, "containerd") {
            eprintln!("xtask: stopping containerd (pid {pid})");
        }
        if let Err(e) = stop(pid, "containerd") {
            failures.push(e.to_string());
        }
    }
    let shims_gone = wait_until(Duration::from_secs(10), || {
        let left = shim_pids(testbed);
        kill_all(&left);
        left.is_empty()
    });
    if !shims_gone {
        failures.push(format!(
            "containerd shims still running: {:?}",
            shim_pids(testbed)
        ));
    }
    let cgroups_gone = wait_until(Duration::from_secs(10), || {
        for cg in our_cgroups(&names.cgroup_root) {
            let _ = fs::remove_dir(&cg);
        }
        our_cgroups(&names.cgroup_root).is_empty()
    });
    if !cgroups_gone {
        failures.push(format!(
            "cgroups left: {:?}",
            our_cgroups(&names.cgroup_root)
        ));
    }
    if bridge_exists(&names.bridge) {
        let _ = Command::new("ip")
            .args(["link", "delete", &names.bridge])
            .status();
    }
    failures.extend(leftovers(testbed, names));
    failures
}

/// What the node would leave behind if it were stopped now: processes, mounts, cgroups, the
/// bridge, all under `names` and this test bed's folder. Empty after `stop_all`.
pub fn leftovers(testbed: &Path, names: &Names) -> Vec<String> {
    let mut out = Vec::new();
    let shims = shim_pids(testbed);
    if !shims.is_empty() {
        out.push(format!("containerd shims running: {shims:?}"));
    }
    let cgroups = our_cgroups(&names.cgroup_root);
    if !cgroups.is_empty() {
        out.push(format!("cgroups: {cgroups:?}"));
    }
    if bridge_exists(&names.bridge) {
        out.push(format!("network device {}", names.bridge));
    }
    let node = dir(testbed);
    let node = fs::canonicalize(&node).unwrap_or(node);
    let mounts = our_mounts(
        &fs::read_to_string("/proc/self/mountinfo").unwrap_or_default(),
        &node,
    );
    if !mounts.is_empty() {
        out.push(format!("mounts in the host's mount table: {mounts:?}"));
    }
    out
}

/// Mount points in `mountinfo` (the host's table) that this node made: anything under its folder,
/// and binds over the fixed host paths or sysctl files whose source is this node's file (the
/// `root` field is the source's path inside its file system, a suffix of our file's path).
/// Another test bed's binds have other sources and are not ours to report.
fn our_mounts(mountinfo: &str, node: &Path) -> Vec<String> {
    let sources: Vec<(String, PathBuf)> = FIXED_PATHS
        .iter()
        .map(|(host, private)| (host.to_string(), node.join("mnt").join(private)))
        .chain(SYSCTLS.iter().map(|(name, _)| {
            (
                format!("/proc/sys/{name}"),
                node.join("sysctl").join(name.replace('/', ".")),
            )
        }))
        .collect();
    mountinfo
        .lines()
        .filter_map(|l| {
            let mut fields = l.split_whitespace().skip(3);
            Some((fields.next()?, fields.next()?))
        })
        .filter(|(root, point)| {
            Path::new(point).starts_with(node)
                || sources.iter().any(|(target, source)| {
                    let root = root.trim_start_matches('/');
                    point == target && !root.is_empty() && source.ends_with(root)
                })
        })
        .map(|(_, point)| point.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_are_ours_only_by_folder_or_bind_source() {
        let node = Path::new("/work/bedA/target/testbed/node");
        let info = "\
            36 1 8:1 / / rw - ext4 /dev/vda rw\n\
            90 36 8:1 /work/bedA/target/testbed/node/mnt/var-lib-cni /var/lib/cni rw - ext4 /dev/vda rw\n\
            91 36 8:1 /work/bedB/target/testbed/node/mnt/var-lib-cni /var/lib/cni rw - ext4 /dev/vda rw\n\
            92 36 0:5 /bedA/target/testbed/node/sysctl/kernel.panic /proc/sys/kernel/panic rw - ext4 /dev/vdb rw\n\
            93 36 0:22 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/x/rootfs rw - overlay overlay rw\n\
            94 36 0:23 / /work/bedA/target/testbed/node/kubelet/pods/x/volumes/secret rw - tmpfs tmpfs rw\n\
            95 36 0:24 / /work/bedA/target/testbed/node2/x rw - tmpfs tmpfs rw\n";
        assert_eq!(
            our_mounts(info, node),
            [
                "/var/lib/cni",
                "/proc/sys/kernel/panic",
                "/work/bedA/target/testbed/node/kubelet/pods/x/volumes/secret"
            ]
        );
    }
}
