//! Whether the test bed is healthy: each component running and answering; `testbed status`.

use std::process::Command;

use anyhow::Result;
use serde_json::Value;

use super::admin_kubectl;
use super::env::env_file;
use super::state::{components, has_node, names_of, pid_of, read_state};
use crate::procs::{http_get, is_running};
use crate::{node, paths};

/// Whether every component the state describes runs and answers, and the env file exists.
pub(super) fn healthy(state: &Value) -> bool {
    let all_running = components(state)
        .iter()
        .all(|c| pid_of(state, c).is_some_and(|pid| is_running(pid, node::program(c))));
    all_running && env_file().is_file() && component_checks(state).iter().all(|(_, ok)| *ok)
}

/// Each component's health check: (name, whether it answers).
fn component_checks(state: &Value) -> Vec<(&'static str, bool)> {
    let port = |n: &str| {
        state["ports"][n]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
    };
    let etcd = port("etcd").is_some_and(|p| http_get(p, "/health").is_some_and(|(c, _)| c == 200));
    let moto = port("moto").is_some_and(|p| http_get(p, "/moto-api/").is_some());
    let kubectl = paths::testbed().join("bin").join("kubectl");
    let apiserver = Command::new(kubectl)
        .arg(format!(
            "--kubeconfig={}",
            paths::testbed().join("kubeconfig").display()
        ))
        .args(["get", "--raw", "/readyz"])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "ok");
    let running = |name: &str| pid_of(state, name).is_some_and(|pid| is_running(pid, name));
    let mut checks = vec![
        ("etcd", etcd),
        ("kube-apiserver", apiserver),
        (
            "kube-controller-manager",
            running("kube-controller-manager"),
        ),
        ("moto_server", moto),
    ];
    if has_node(state) {
        let kubectl = admin_kubectl(paths::testbed().join("bin").join("kubectl"));
        checks.push(("containerd", running("containerd")));
        checks.push((
            "kubelet",
            running("kubelet") && apiserver && node::node_ready(&kubectl),
        ));
        checks.push(("kube-scheduler", running("kube-scheduler")));
        for gateway in ["pod-gateway-apiserver", "pod-gateway-moto"] {
            let up = pid_of(state, gateway).is_some_and(|pid| is_running(pid, "socat"));
            checks.push((gateway, up));
        }
    }
    checks
}

/// Prints each component's pid and health; returns whether all are healthy.
pub fn status() -> Result<bool> {
    let Some(state) = read_state() else {
        println!(
            "test bed: down (no state in {})",
            paths::testbed().display()
        );
        return Ok(false);
    };
    let names = names_of(&state)?;
    let checks = component_checks(&state);
    let mut all = true;
    for (name, ok) in &checks {
        let pid = pid_of(&state, name)
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into());
        let running = pid_of(&state, name).is_some_and(|p| is_running(p, node::program(name)));
        let port = match *name {
            "etcd" => state["ports"]["etcd"].to_string(),
            "kube-apiserver" => state["ports"]["apiserver"].to_string(),
            "moto_server" => state["ports"]["moto"].to_string(),
            _ => "-".into(),
        };
        let port = match (*name, names.kubelet_port) {
            ("kubelet", Some(p)) => p.to_string(),
            _ => port,
        };
        let verdict = match (running, ok) {
            (true, true) => "healthy",
            (true, false) => "running, not answering",
            (false, _) => "stopped",
        };
        all &= running && *ok;
        println!("{name:<24} pid {pid:<8} port {port:<6} {verdict}");
    }
    if has_node(&state) {
        let legacy = if state["names"].is_null() {
            " (fixed names: started by older code)"
        } else {
            ""
        };
        println!(
            "node {}: bridge {}, pods {} (gateway {}), cgroup root {}{legacy}",
            node::NODE_NAME,
            names.bridge,
            names.subnet,
            names.gateway,
            names.cgroup_root
        );
    }
    if all {
        println!("test bed: up; `source {}`", env_file().display());
    }
    Ok(all)
}
