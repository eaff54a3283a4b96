//! The local test bed: etcd, kube-apiserver, kube-controller-manager and moto_server on 127.0.0.1,
//! and (unless `--no-node`) a node: containerd, a kubelet and kube-scheduler (see [`crate::node`]).

mod control_plane;
mod crash_check;
mod env;
mod health;
mod state;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::node;
use crate::paths;
use crate::procs::{is_running, require_program, stop};
use crate::tools;
use control_plane::start_all;
use env::{env_file, write_env};
use health::healthy;
use state::{has_node, names_of, pid_of, read_state, state_file};

/// The SIGKILL-the-node check `cargo xtask test` runs after the tests.
pub use crash_check::crash_recovery_check;
/// The env file's variables, for commands run on the test bed.
pub use env::read_env_file;
/// Each component's pid and health.
pub use health::status;

/// Components in start order; `down` stops them in reverse.
const COMPONENTS: &[&str] = &[
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "moto_server",
];

/// `kubectl` as the test bed's admin (None when it fails), with the test bed's own kubectl.
fn admin_kubectl(kubectl: PathBuf) -> impl Fn(&[&str]) -> Option<String> {
    let kubeconfig = paths::testbed().join("kubeconfig");
    move |args: &[&str]| {
        Command::new(&kubectl)
            .arg(format!("--kubeconfig={}", kubeconfig.display()))
            .arg("--request-timeout=10s")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    }
}

/// Holds the machine-wide provisioning lock (a file lock in the tool cache) until dropped, waiting
/// while another checkout's `testbed up` installs packages or builds tools.
pub fn provisioning_lock() -> Result<fs::File> {
    let cache = paths::cache();
    fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
    let path = cache.join("provisioning.lock");
    let file = fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    if file.try_lock().is_err() {
        eprintln!(
            "xtask: another checkout's test bed is installing packages or building tools; waiting \
             for it ({})",
            path.display()
        );
        file.lock()
            .with_context(|| format!("locking {}", path.display()))?;
    }
    Ok(file)
}

/// Starts the test bed (with its node unless `with_node` is false) unless it is already up and
/// healthy in that shape.
pub fn up(with_node: bool) -> Result<()> {
    if let Some(state) = read_state() {
        if healthy(&state) && has_node(&state) == with_node {
            eprintln!("xtask: test bed already up ({})", env_file().display());
            return Ok(());
        }
        eprintln!(
            "xtask: test bed state found but not healthy (or not in this shape); restarting it"
        );
        down()?;
    }
    let tools = {
        // One checkout at a time installs packages and fills the shared cache: two cold beds
        // starting together would otherwise build into (and clear) the same folders.
        let _lock = provisioning_lock()?;
        if with_node {
            node::preflight()?;
            node::ensure_packages()?;
        }
        tools::ensure()?
    };
    require_program(
        "openssl",
        "OpenSSL (the `openssl` command, package openssl)",
    )?;
    let dir = paths::testbed();
    for sub in ["etcd-data", "certs"] {
        let _ = fs::remove_dir_all(dir.join(sub));
    }
    for sub in ["etcd-data", "certs", "logs", "bin"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    let logs = dir.join("logs");
    let certs = dir.join("certs");
    // This bed's names on the machine (bridge, subnet, cgroup root, kubelet ports), from its folder.
    let canonical_dir = node::canonical(&dir)?;
    let names = node::Names::derive(&canonical_dir);
    // What a run of this bed killed half-way may have left (no state file to go by): only what
    // carries this bed's names, never another bed's.
    let kubectl = admin_kubectl(tools.kubectl.clone());
    let left = node::leftovers(&dir, &names);
    if !left.is_empty() {
        eprintln!(
            "xtask: clearing what an earlier node of this test bed left: {}",
            left.join("; ")
        );
        let failures = node::stop_all(&dir, &names, &BTreeMap::new(), &kubectl);
        if !failures.is_empty() {
            bail!(
                "an earlier node left things behind that could not be removed: {}",
                failures.join("; ")
            );
        }
    }
    if with_node {
        node::check_available(&names)?;
        eprintln!(
            "xtask: this test bed's node: bridge {}, pods {}, cgroup root {}, kubelet 127.0.0.1:{}",
            names.bridge,
            names.subnet,
            names.cgroup_root,
            names.kubelet_port.unwrap_or_default()
        );
    }
    let mut pids = BTreeMap::new();
    let mut result = start_all(&tools, &dir, &certs, &logs, &names, &mut pids);
    let save = |pids: &BTreeMap<String, u32>, ports: Option<&BTreeMap<String, u16>>| {
        let state = json!({
            "pids": pids,
            "ports": ports,
            "node": with_node,
            "dir": canonical_dir,
            "names": names.to_json(),
        });
        fs::write(state_file(), serde_json::to_string_pretty(&state)?)
            .with_context(|| format!("writing {}", state_file().display()))
    };
    save(&pids, result.as_ref().ok())?;
    if with_node && let Ok(ports) = &result {
        let started = node::start(&tools, &dir, &names, ports, &kubectl, &mut pids);
        // Saved either way, so `down` stops whatever started.
        save(&pids, Some(ports))?;
        if let Err(e) = started {
            result = Err(e);
        }
    }
    let ports = match result {
        Ok(ports) => ports,
        Err(e) => {
            let _ = down();
            return Err(e);
        }
    };
    write_env(&tools, &dir, &ports, with_node.then_some(&names))?;
    if with_node {
        eprintln!("xtask: node {} Ready", node::NODE_NAME);
    }
    eprintln!(
        "xtask: test bed up: kube-apiserver https://127.0.0.1:{}, moto http://127.0.0.1:{}\n\
         xtask: use it with `source {}`",
        ports["apiserver"],
        ports["moto"],
        env_file().display()
    );
    Ok(())
}

/// Stops every process the test bed started; leaves nothing listening.
pub fn down() -> Result<()> {
    let Some(state) = read_state() else {
        eprintln!("xtask: test bed is not up");
        return Ok(());
    };
    // The node first, while the apiserver still answers (its Node and Pods are deleted), by the
    // names the state records (the legacy ones for a bed of older code).
    let names = names_of(&state)?;
    let kubectl = admin_kubectl(paths::testbed().join("bin").join("kubectl"));
    let node_pids: BTreeMap<String, u32> = node::COMPONENTS
        .iter()
        .filter_map(|c| pid_of(&state, c).map(|p| ((*c).to_string(), p)))
        .collect();
    let mut failures = node::stop_all(&paths::testbed(), &names, &node_pids, &kubectl);
    for name in COMPONENTS.iter().rev() {
        if let Some(pid) = pid_of(&state, name) {
            if is_running(pid, name) {
                eprintln!("xtask: stopping {name} (pid {pid})");
            }
            if let Err(e) = stop(pid, name) {
                failures.push(e.to_string());
            }
        }
    }
    if !failures.is_empty() {
        bail!(
            "some test bed processes did not stop: {}",
            failures.join("; ")
        );
    }
    let _ = fs::remove_file(state_file());
    let _ = fs::remove_file(env_file());
    eprintln!("xtask: test bed down");
    Ok(())
}
