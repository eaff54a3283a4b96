//! The crash-recovery check: a node killed with SIGKILL while a Pod runs is cleared by the next
//! `up`.

use std::fs;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::state::{has_node, names_of, pid_of, read_state};
use super::{admin_kubectl, up};
use crate::procs::wait_until;
use crate::{node, paths};

/// Kills the node's kubelet and containerd with SIGKILL while a Pod runs (a crashed or half-killed
/// test bed), runs `up` again and checks that the Pod's processes are gone and the node is back.
/// `cargo xtask test` runs it after the tests; the final `down` then checks that nothing is left.
pub fn crash_recovery_check() -> Result<()> {
    let state = read_state().context("the test bed is not up")?;
    if !has_node(&state) {
        return Ok(());
    }
    let names = names_of(&state)?;
    let kubectl = admin_kubectl(paths::testbed().join("bin").join("kubectl"));
    let name = "crash-probe";
    let delete_probe = || {
        let _ = kubectl(&[
            "delete",
            "pod",
            name,
            "-n",
            "default",
            "--ignore-not-found",
            "--wait=false",
        ]);
    };
    delete_probe();
    let created = wait_until(Duration::from_secs(30), || {
        kubectl(&[
            "run",
            name,
            "-n",
            "default",
            "--restart=Never",
            "--image",
            node::BUSYBOX_IMAGE,
            "--image-pull-policy=Never",
            "--",
            "sleep",
            "3600",
        ])
        .is_some()
    });
    if !created {
        bail!("crash check: could not create Pod {name}");
    }
    let running = wait_until(Duration::from_secs(60), || {
        kubectl(&[
            "get",
            "pod",
            name,
            "-n",
            "default",
            "-o",
            "jsonpath={.status.phase}",
        ])
        .is_some_and(|p| p == "Running")
    });
    if !running {
        bail!("crash check: Pod {name} did not run");
    }
    // The probe's process, found in this node's cgroups only (another bed may run the same command).
    let is_sleeper = |pid: &u32| {
        fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c == b"sleep\x003600\x00")
    };
    let before: Vec<u32> = node::cgroup_pids(&names.cgroup_root)
        .into_iter()
        .filter(is_sleeper)
        .collect();
    if before.is_empty() {
        bail!("crash check: the Pod's process was not found");
    }
    eprintln!("xtask: crash check: SIGKILL to the kubelet and containerd while Pod {name} runs");
    for component in ["kubelet", "containerd"] {
        if let Some(pid) = pid_of(&state, component) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
    up(true)?;
    let left: Vec<u32> = before.iter().copied().filter(is_sleeper).collect();
    if !left.is_empty() {
        bail!("crash check: the killed node's container processes survived `up`: {left:?}");
    }
    delete_probe();
    eprintln!("xtask: crash check: the next `up` cleared the killed node and started a new one");
    Ok(())
}
