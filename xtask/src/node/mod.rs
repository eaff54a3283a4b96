//! The test bed's node: containerd, a kubelet and kube-scheduler joined to the test bed's apiserver as
//! node `localhost`, running Pods from images built here (no registry). containerd and the kubelet
//! share one private mount namespace, so every runtime mount and the sysctl files the kubelet checks
//! stay inside it and vanish with it; cgroups live under one root of ours and the pod bridge is ours.

mod cgroups;
mod config;
mod images;
mod names;
mod network;
mod packages;
mod startup;
mod teardown;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Processes in the node's cgroups.
pub use cgroups::cgroup_pids;
/// Importing an image archive into the node's containerd.
pub use images::import_image;
/// Each bed's machine-wide names and the folder key they derive from.
pub use names::{Names, canonical};
/// Whether the machine can give a bed its names.
pub use network::check_available;
/// What the node needs installed on the host.
pub use packages::{apt_install, ensure_dpkg_architecture, ensure_packages, preflight};
/// Starting the node and checking it is Ready.
pub use startup::{node_ready, start};
/// Stopping the node and finding what it left.
pub use teardown::{leftovers, stop_all};

/// The Node's name; the apiserver dials the kubelet by it, so it must resolve to 127.0.0.1.
pub const NODE_NAME: &str = "localhost";

/// The sandbox image.
pub const PAUSE_IMAGE: &str = "localhost/pause:testbed";
/// A small image with a shell, for test workloads (`imagePullPolicy: Never`).
pub const BUSYBOX_IMAGE: &str = "localhost/busybox:testbed";
/// Node processes in start order (stopped in reverse, before the control plane).
pub const COMPONENTS: &[&str] = &[
    "pod-gateway-apiserver",
    "pod-gateway-moto",
    "containerd",
    "kubelet",
    "kube-scheduler",
];

/// The program a component runs (what `/proc/<pid>/comm` shows).
pub fn program(component: &str) -> &str {
    if component.starts_with("pod-gateway-") {
        "socat"
    } else {
        component
    }
}
/// Host folders the kubelet, libcni and containerd's shims use by fixed path; inside the node's
/// mount namespace private folders are mounted over them.
const FIXED_PATHS: &[(&str, &str)] = &[
    ("/var/log/containers", "var-log-containers"),
    ("/var/lib/cni", "var-lib-cni"),
    ("/run/containerd", "run-containerd"),
];
/// Kernel settings the kubelet insists on; with `protectKernelDefaults` it only reads them, and
/// inside the namespace it reads files of ours holding these values.
const SYSCTLS: &[(&str, &str)] = &[
    ("vm/overcommit_memory", "1"),
    ("vm/panic_on_oom", "0"),
    ("kernel/panic", "10"),
    ("kernel/panic_on_oops", "1"),
    ("kernel/keys/root_maxkeys", "1000000"),
    ("kernel/keys/root_maxbytes", "25000000"),
];

/// Variables for the env file: where Pods reach the apiserver and the emulator, and the node's
/// machine-wide names.
pub fn env_vars(names: &Names, ports: &BTreeMap<String, u16>) -> Vec<(String, String)> {
    vec![
        ("SECRETSYNC_POD_GATEWAY".into(), names.gateway.clone()),
        (
            "SECRETSYNC_POD_APISERVER_PORT".into(),
            ports["apiserver"].to_string(),
        ),
        (
            "SECRETSYNC_POD_AWS_ENDPOINT".into(),
            format!("http://{}:{}", names.gateway, ports["moto"]),
        ),
        ("SECRETSYNC_NODE_BRIDGE".into(), names.bridge.clone()),
        (
            "SECRETSYNC_NODE_CGROUP_ROOT".into(),
            names.cgroup_root.clone(),
        ),
    ]
}

/// The node's folder inside the test bed's.
pub fn dir(testbed: &Path) -> PathBuf {
    testbed.join("node")
}

/// The node's containerd socket.
fn socket(testbed: &Path) -> PathBuf {
    dir(testbed).join("containerd").join("containerd.sock")
}

/// Runs `kubectl` as the test bed's admin; None when it fails.
pub type Kubectl<'a> = &'a dyn Fn(&[&str]) -> Option<String>;
