//! The test bed's node: containerd, a kubelet and kube-scheduler joined to the test bed's apiserver as
//! node `localhost`, running Pods from images built here (no registry). containerd and the kubelet
//! share one private mount namespace, so every runtime mount and the sysctl files the kubelet checks
//! stay inside it and vanish with it; cgroups live under one root of ours and the pod bridge is ours.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::oci::{self, ImageConfig};
use crate::procs::{is_running, require_program, run_checked, spawn_service, stop, wait_until};
use crate::tools::Tools;

/// The Node's name; the apiserver dials the kubelet by it, so it must resolve to 127.0.0.1.
pub const NODE_NAME: &str = "localhost";
/// What one test bed's node names on the machine: the pod bridge, its /24 and gateway, the cgroup
/// root, the CNI network, the kubelet's ports. Derived from the bed's state folder (by default
/// `target/testbed` of the checkout), so two checkouts run two nodes side by side; recorded in the
/// state file, so `down` removes exactly what `up` made, whatever the code deriving them says later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The pod bridge (≤ 15 characters; created by `up`, deleted by `down`).
    pub bridge: String,
    /// Pod addresses: a /24 on the bridge only, routed nowhere (no gateway, no masquerade).
    pub subnet: String,
    /// The host's address on the pod bridge: Pods reach the apiserver and the emulator here
    /// (forwarded to their 127.0.0.1 ports), nothing else.
    pub gateway: String,
    /// Every cgroup of the node's Pods lives under this folder of each cgroup hierarchy.
    pub cgroup_root: String,
    /// The CNI network's name (host-local keeps its leases under it).
    pub cni_network: String,
    /// The kubelet's port on 127.0.0.1 (None: a legacy bed, whose ports were picked at random).
    pub kubelet_port: Option<u16>,
    /// The kubelet's healthz port on 127.0.0.1.
    pub healthz_port: Option<u16>,
}

/// Ports a derived name block may use: below the kernel's ephemeral range (32768–60999), above the
/// crowded registered ports, clear of Kubernetes' 10248–10260, NodePorts (30000–32767), etcd, Prometheus.
pub const PORT_RANGE: std::ops::RangeInclusive<u16> = 20000..=26999;
/// Second octets a derived pod subnet 10.x.y.0/24 may use: 10.200–10.239 except 10.217 (the legacy
/// node's) and 10.233 (kubespray's default pod and service ranges).
fn subnet_octets() -> Vec<u8> {
    (200..=239).filter(|o| ![217, 233].contains(o)).collect()
}

impl Names {
    /// The fixed names every node used before they were derived per checkout: what a state file
    /// without names describes.
    pub fn legacy() -> Self {
        Names {
            bridge: "ssync0".into(),
            subnet: "10.217.0.0/24".into(),
            gateway: "10.217.0.1".into(),
            cgroup_root: "secretsync-testbed".into(),
            cni_network: "secretsync-testbed".into(),
            kubelet_port: None,
            healthz_port: None,
        }
    }

    /// The names of the bed whose state folder is `key` (a canonical path): pure and deterministic.
    pub fn derive(key: &str) -> Self {
        let h = mix(fnv1a(key.as_bytes()));
        let id = format!("{:08x}", h >> 32);
        let octets = subnet_octets();
        let second = octets[(h & 0xffff) as usize % octets.len()];
        let third = ((h >> 16) & 0xff) as u8;
        let ports = mix(h ^ 0x9e37_79b9_7f4a_7c15);
        let span = u64::from(PORT_RANGE.end() - PORT_RANGE.start() + 1) / 2;
        let base = PORT_RANGE.start() + 2 * (ports % span) as u16;
        Names {
            bridge: format!("ssync-{id}"),
            subnet: format!("10.{second}.{third}.0/24"),
            gateway: format!("10.{second}.{third}.1"),
            cgroup_root: format!("secretsync-testbed-{id}"),
            cni_network: format!("secretsync-testbed-{id}"),
            kubelet_port: Some(base),
            healthz_port: Some(base + 1),
        }
    }

    /// The names a state file records; legacy names when it has none (a bed started by older code).
    /// Fails on names that are there but unusable (a damaged state file): nothing is then torn down
    /// by guesswork.
    pub fn from_state(state: &serde_json::Value) -> Result<Self> {
        let n = &state["names"];
        if n.is_null() {
            return Ok(Self::legacy());
        }
        let text = |k: &str| {
            n[k].as_str()
                .map(String::from)
                .with_context(|| format!("the state file's names lack {k}: {n}"))
        };
        let port = |k: &str| n[k].as_u64().and_then(|p| u16::try_from(p).ok());
        let names = Names {
            bridge: text("bridge")?,
            subnet: text("subnet")?,
            gateway: text("gateway")?,
            cgroup_root: text("cgroup_root")?,
            cni_network: text("cni_network")?,
            kubelet_port: port("kubelet_port"),
            healthz_port: port("healthz_port"),
        };
        if !valid_name(&names.bridge) || names.bridge.len() > 15 || !valid_name(&names.cgroup_root)
        {
            bail!("the state file records names no node of ours could have: {n}");
        }
        Ok(names)
    }

    /// The form `from_state` reads.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "bridge": self.bridge,
            "subnet": self.subnet,
            "gateway": self.gateway,
            "cgroup_root": self.cgroup_root,
            "cni_network": self.cni_network,
            "kubelet_port": self.kubelet_port,
            "healthz_port": self.healthz_port,
        })
    }
}

/// A test bed folder as one canonical path (created if missing): the key of its names.
pub fn canonical(testbed: &Path) -> Result<String> {
    fs::create_dir_all(testbed).with_context(|| format!("creating {}", testbed.display()))?;
    let path =
        fs::canonicalize(testbed).with_context(|| format!("resolving {}", testbed.display()))?;
    Ok(path.display().to_string())
}

/// FNV-1a, 64 bits: stable across Rust versions (std's hasher is not), so names never drift.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// splitmix64's finaliser: every output bit depends on every input bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A network `a.b.c.d/len` as (address, prefix length).
fn parse_net(text: &str) -> Option<(u32, u8)> {
    let (addr, len) = text.split_once('/').unwrap_or((text, "32"));
    let addr: std::net::Ipv4Addr = addr.parse().ok()?;
    let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
    Some((u32::from(addr), len))
}

fn overlaps(a: (u32, u8), b: (u32, u8)) -> bool {
    let len = a.1.min(b.1);
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    a.0 & mask == b.0 & mask
}

/// Routes (`ip -o -4 route show`) and addresses (`ip -o -4 addr show`) that overlap `subnet`, except
/// the default route and those on `bridge` itself: taking the subnet would hide those addresses.
fn subnet_conflicts(subnet: &str, bridge: &str, routes: &str, addrs: &str) -> Vec<String> {
    let Some(ours) = parse_net(subnet) else {
        return vec![format!("{subnet} is not an IPv4 network")];
    };
    let dev_of = |fields: &[&str]| {
        fields
            .windows(2)
            .find(|w| w[0] == "dev")
            .map(|w| w[1].to_string())
    };
    let mut out = Vec::new();
    for line in routes.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some(dest) = fields.first() else { continue };
        if *dest == "default" || dev_of(&fields).as_deref() == Some(bridge) {
            continue;
        }
        if parse_net(dest).is_some_and(|net| overlaps(net, ours)) {
            out.push(format!("route `{}`", line.trim()));
        }
    }
    for line in addrs.lines() {
        // `3: eth0    inet 10.1.2.3/24 brd ... scope global eth0`
        let fields: Vec<&str> = line.split_whitespace().collect();
        let dev = fields.get(1).map(|d| d.trim_end_matches(':'));
        let Some(addr) = fields.windows(2).find(|w| w[0] == "inet").map(|w| w[1]) else {
            continue;
        };
        if dev == Some(bridge) {
            continue;
        }
        if parse_net(addr).is_some_and(|(a, _)| overlaps((a, 32), ours)) {
            out.push(format!("address {addr} on {}", dev.unwrap_or("?")));
        }
    }
    out
}

/// Whether the machine can give this bed its names: the kubelet's ports are free on 127.0.0.1 and
/// no other interface or route uses the pod subnet. Fails saying what is in the way.
pub fn check_available(names: &Names) -> Result<()> {
    let mut problems = Vec::new();
    for (what, port) in [
        ("kubelet", names.kubelet_port),
        ("kubelet healthz", names.healthz_port),
    ] {
        if let Some(port) = port
            && !crate::procs::port_is_free(port)
        {
            problems.push(format!("the {what} port 127.0.0.1:{port} is in use"));
        }
    }
    let ip = |args: &[&str]| {
        Command::new("ip")
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    for conflict in subnet_conflicts(
        &names.subnet,
        &names.bridge,
        &ip(&["-o", "-4", "route", "show"]),
        &ip(&["-o", "-4", "addr", "show"]),
    ) {
        problems.push(format!(
            "the pod subnet {} overlaps {conflict}",
            names.subnet
        ));
    }
    if !problems.is_empty() {
        bail!(
            "this checkout's node cannot use the names derived for it (from the path of its test bed \
             folder): {}. Stop what holds them, or use another checkout path or CARGO_TARGET_DIR \
             (the names follow the test bed folder); `cargo xtask testbed up --no-node` runs without the node",
            problems.join("; ")
        );
    }
    Ok(())
}

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
/// Debian packages the node needs, each with a file that shows it is installed.
const PACKAGES: &[(&str, &str)] = &[
    ("containerd", "/usr/bin/containerd"),
    ("runc", "/usr/sbin/runc"),
    ("containernetworking-plugins", "/usr/lib/cni/bridge"),
    ("busybox-static", "/bin/busybox"),
    ("socat", "/usr/bin/socat"),
    ("gcc", "/usr/bin/gcc"),
    ("libc6-dev", "/usr/include/signal.h"),
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

fn socket(testbed: &Path) -> PathBuf {
    dir(testbed).join("containerd").join("containerd.sock")
}

/// Imports the OCI archive `archive` holding image `reference` into the node's containerd (the
/// Kubernetes namespace, so Pods with `imagePullPolicy: Never` find it).
pub fn import_image(testbed: &Path, reference: &str, archive: &Path) -> Result<()> {
    let base = reference.split(':').next().unwrap_or(reference);
    run_checked(
        Command::new("ctr")
            .arg("--address")
            .arg(socket(testbed))
            .args(["-n", "k8s.io", "images", "import", "--base-name", base])
            .arg(archive),
        &format!("importing {reference} into the node's containerd"),
    )?;
    Ok(())
}

/// Installs the Debian packages the node needs when some are missing (as root, with apt-get);
/// otherwise says exactly which to install.
pub fn ensure_packages() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(_, file)| !Path::new(file).exists())
        .map(|(p, _)| *p)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(&missing)
}

/// Installs Debian packages with apt-get (as root), or fails naming them.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    let is_root = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if !is_root || !Path::new("/usr/bin/apt-get").exists() {
        bail!(
            "needed packages are missing: {} (Debian/Ubuntu: `apt-get install {}` as root); for the test \
             bed's node alone, `cargo xtask testbed up --no-node` starts without it",
            packages.join(", "),
            packages.join(" ")
        );
    }
    eprintln!("xtask: installing {} (apt-get)", packages.join(" "));
    run_checked(
        Command::new("apt-get").args(["update", "-qq"]),
        "apt-get update",
    )?;
    run_checked(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages),
        "apt-get install",
    )?;
    Ok(())
}

const PAUSE_C: &str = r#"#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }

int main(void) {
    signal(SIGINT, stop);
    signal(SIGTERM, stop);
    signal(SIGCHLD, reap);
    for (;;) pause();
    return 1;
}
"#;

/// Builds (once, cached) the pause and busybox image archives; returns (reference, archive) pairs.
pub fn ensure_images(cache: &Path) -> Result<Vec<(String, PathBuf)>> {
    let out = cache.join("node-images-v1");
    let images = vec![
        (PAUSE_IMAGE.to_string(), out.join("pause.tar")),
        (BUSYBOX_IMAGE.to_string(), out.join("busybox.tar")),
    ];
    if images.iter().all(|(_, p)| p.is_file()) {
        return Ok(images);
    }
    eprintln!("xtask: building the node's pause and busybox images");
    // Per process, and each archive renamed into place when complete: two checkouts bringing their
    // beds up at once on a fresh cache neither share a work folder nor read half an archive.
    let work = out.join(format!("work-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("pause"))?;
    fs::write(work.join("pause.c"), PAUSE_C)?;
    run_checked(
        Command::new("gcc")
            .args(["-static", "-O2", "-o"])
            .arg(work.join("pause").join("pause"))
            .arg(work.join("pause.c")),
        "compiling the pause program (gcc -static; needs gcc and libc6-dev)",
    )?;
    oci::write_archive(
        &work.join("pause"),
        &ImageConfig {
            entrypoint: vec!["/pause".into()],
            ..Default::default()
        },
        PAUSE_IMAGE,
        &work.join("pause.tar"),
    )?;
    let rootfs = work.join("busybox");
    let bin = rootfs.join("bin");
    fs::create_dir_all(&bin)?;
    fs::create_dir_all(rootfs.join("tmp"))?;
    fs::copy("/bin/busybox", bin.join("busybox")).context("copying /bin/busybox")?;
    let list = run_checked(Command::new("/bin/busybox").arg("--list"), "busybox --list")?;
    for applet in String::from_utf8_lossy(&list).lines() {
        let applet = applet.trim();
        if applet.is_empty() || applet.contains('/') || applet == "busybox" {
            continue;
        }
        std::os::unix::fs::symlink("busybox", bin.join(applet))?;
    }
    oci::write_archive(
        &rootfs,
        &ImageConfig {
            cmd: vec!["sh".into()],
            env: vec!["PATH=/bin".into()],
            ..Default::default()
        },
        BUSYBOX_IMAGE,
        &work.join("busybox.tar"),
    )?;
    for (name, (_, archive)) in ["pause.tar", "busybox.tar"].iter().zip(&images) {
        fs::rename(work.join(name), archive)
            .with_context(|| format!("moving {name} into {}", out.display()))?;
    }
    let _ = fs::remove_dir_all(&work);
    Ok(images)
}

/// Runs `kubectl` as the test bed's admin; None when it fails.
pub type Kubectl<'a> = &'a dyn Fn(&[&str]) -> Option<String>;

/// Starts containerd, the kubelet and kube-scheduler (their pids go into `pids` as they start);
/// waits until the Node is Ready and untainted.
pub fn start(
    tools: &Tools,
    testbed: &Path,
    names: &Names,
    ports: &BTreeMap<String, u16>,
    kubectl: Kubectl<'_>,
    pids: &mut BTreeMap<String, u32>,
) -> Result<()> {
    let apiserver_port = ports["apiserver"];
    ensure_packages()?;
    let images = ensure_images(&crate::paths::cache())?;
    let node = dir(testbed);
    let logs = testbed.join("logs");
    let _ = fs::remove_dir_all(&node);
    for sub in [
        "containerd/root",
        "containerd/state",
        "cni/net.d",
        "sysctl",
        "kubelet",
        "pod-logs",
        "volume-plugins",
    ] {
        fs::create_dir_all(node.join(sub))?;
    }
    for (host, private) in FIXED_PATHS {
        fs::create_dir_all(node.join("mnt").join(private))?;
        fs::create_dir_all(host).with_context(|| format!("creating {host}"))?;
    }
    for (name, value) in SYSCTLS {
        fs::write(
            node.join("sysctl").join(name.replace('/', ".")),
            format!("{value}\n"),
        )?;
    }
    for hierarchy in cgroup_hierarchies() {
        let root = hierarchy.join(&names.cgroup_root);
        fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    }
    fs::write(node.join("containerd.toml"), containerd_config(&node))?;

    // The pod bridge with the host's address on it, and the two ports Pods may use there.
    let bridge = names.bridge.as_str();
    if !Path::new("/sys/class/net").join(bridge).exists() {
        let address = format!("{}/24", names.gateway);
        for args in [
            vec!["link", "add", bridge, "type", "bridge"],
            vec!["addr", "add", &address, "dev", bridge],
            vec!["link", "set", bridge, "up"],
        ] {
            run_checked(
                Command::new("ip").args(&args),
                &format!("ip {}", args.join(" ")),
            )?;
        }
    }
    for (name, port) in [
        ("pod-gateway-apiserver", ports["apiserver"]),
        ("pod-gateway-moto", ports["moto"]),
    ] {
        let pid = spawn_service(
            Command::new("socat")
                .arg(format!(
                    "TCP-LISTEN:{port},bind={},fork,reuseaddr",
                    names.gateway
                ))
                .arg(format!("TCP:127.0.0.1:{port}")),
            &logs.join(format!("{name}.log")),
        )?;
        pids.insert(name.to_string(), pid);
        crate::procs::wait_healthy(
            name,
            pid,
            &logs.join(format!("{name}.log")),
            Duration::from_secs(10),
            || std::net::TcpStream::connect((names.gateway.as_str(), port)).is_ok(),
        )?;
    }
    fs::write(
        node.join("cni/net.d/10-secretsync.conflist"),
        cni_config(names),
    )?;

    // containerd, in a new private mount namespace set up by a shell that then becomes containerd.
    let mut script = String::from("set -eu\n");
    for (host, private) in FIXED_PATHS {
        script.push_str(&format!(
            "mount --bind '{}' '{host}'\n",
            node.join("mnt").join(private).display()
        ));
    }
    for (name, _) in SYSCTLS {
        script.push_str(&format!(
            "[ ! -e /proc/sys/{name} ] || mount --bind '{}' /proc/sys/{name}\n",
            node.join("sysctl").join(name.replace('/', ".")).display()
        ));
    }
    script.push_str(&format!(
        "exec containerd --config '{}'\n",
        node.join("containerd.toml").display()
    ));
    eprintln!("xtask: starting containerd (private mount namespace)");
    // Nothing may be pulled from outside: any registry request goes to a closed port on 127.0.0.1.
    let pid = spawn_service(
        Command::new("unshare")
            .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
            .arg(&script)
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("NO_PROXY", "")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("no_proxy"),
        &logs.join("containerd.log"),
    )?;
    pids.insert("containerd".to_string(), pid);
    let sock = socket(testbed);
    crate::procs::wait_healthy(
        "containerd",
        pid,
        &logs.join("containerd.log"),
        Duration::from_secs(30),
        || sock.exists() && is_running(pid, "containerd"),
    )?;
    for (reference, archive) in &images {
        import_image(testbed, reference, archive)?;
    }

    // The kubelet's identity: a ServiceAccount bound to system:node, with a long-lived token.
    let ca = testbed.join("certs").join("apiserver.crt");
    let token = kubelet_token(kubectl)?;
    let kubelet_kubeconfig = node.join("kubelet.kubeconfig");
    fs::write(
        &kubelet_kubeconfig,
        crate::procs::kubeconfig_yaml(apiserver_port, &ca, &token),
    )?;
    let (Some(kubelet_port), Some(healthz_port)) = (names.kubelet_port, names.healthz_port) else {
        bail!("the node's names carry no kubelet ports");
    };
    fs::write(
        node.join("kubelet.yaml"),
        kubelet_config(&node, kubelet_port, healthz_port, &names.cgroup_root),
    )?;
    eprintln!("xtask: starting the kubelet (node {NODE_NAME}, port {kubelet_port})");
    let pid = spawn_service(
        Command::new("nsenter")
            .arg(format!("--mount=/proc/{}/ns/mnt", pids["containerd"]))
            .arg("--")
            .arg(&tools.kubelet)
            .arg(format!("--config={}", node.join("kubelet.yaml").display()))
            .arg(format!("--kubeconfig={}", kubelet_kubeconfig.display()))
            .arg(format!("--root-dir={}", node.join("kubelet").display()))
            .arg(format!("--hostname-override={NODE_NAME}"))
            .arg("--v=1"),
        &logs.join("kubelet.log"),
    )?;
    pids.insert("kubelet".to_string(), pid);

    eprintln!("xtask: starting kube-scheduler");
    let admin = testbed.join("kubeconfig");
    let pid = spawn_service(
        Command::new(&tools.kube_scheduler)
            .arg(format!("--kubeconfig={}", admin.display()))
            .arg(format!("--authentication-kubeconfig={}", admin.display()))
            .arg(format!("--authorization-kubeconfig={}", admin.display()))
            .arg("--leader-elect=false")
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--secure-port={}", crate::procs::free_port()?)),
        &logs.join("kube-scheduler.log"),
    )?;
    pids.insert("kube-scheduler".to_string(), pid);

    let kubelet = pids["kubelet"];
    let scheduler = pids["kube-scheduler"];
    crate::procs::wait_healthy(
        "kubelet",
        kubelet,
        &logs.join("kubelet.log"),
        Duration::from_secs(120),
        || {
            if !is_running(scheduler, "kube-scheduler") {
                return false;
            }
            node_ready(kubectl)
        },
    )?;
    if !is_running(scheduler, "kube-scheduler") {
        bail!(
            "kube-scheduler exited during start-up; log tail:\n{}",
            crate::procs::tail(
                &fs::read_to_string(logs.join("kube-scheduler.log")).unwrap_or_default(),
                30
            )
        );
    }
    Ok(())
}

/// Whether the Node is Ready and carries no taint (so Pods schedule onto it).
pub fn node_ready(kubectl: Kubectl<'_>) -> bool {
    let ready = kubectl(&[
        "get",
        "node",
        NODE_NAME,
        "-o",
        "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}|{.spec.taints}",
    ]);
    ready.is_some_and(|s| s.trim() == "True|")
}

fn kubelet_token(kubectl: Kubectl<'_>) -> Result<String> {
    let manifest = "apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: testbed-node, namespace: kube-system }\n---\n\
                    apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: testbed-node }\n\
                    roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: 'system:node' }\n\
                    subjects: [ { kind: ServiceAccount, name: testbed-node, namespace: kube-system } ]\n";
    let file = crate::paths::testbed().join("node").join("identity.yaml");
    fs::write(&file, manifest)?;
    let path = file.display().to_string();
    let applied = wait_until(Duration::from_secs(30), || {
        kubectl(&["apply", "-f", &path]).is_some()
    });
    if !applied {
        bail!("could not create the kubelet's ServiceAccount (kubectl apply -f {path})");
    }
    let token = kubectl(&[
        "create",
        "token",
        "testbed-node",
        "-n",
        "kube-system",
        "--duration=8760h",
    ])
    .context("requesting the kubelet's token (kubectl create token)")?;
    Ok(token.trim().to_string())
}

fn containerd_config(node: &Path) -> String {
    let d = node.display();
    format!(
        r#"version = 2
root = "{d}/containerd/root"
state = "{d}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "{d}/containerd/containerd.sock"

[ttrpc]
  address = "{d}/containerd/containerd.sock.ttrpc"

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{d}/cni/net.d"

[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/containerd/opt"
"#
    )
}

fn cni_config(names: &Names) -> String {
    let (network, bridge, subnet) = (&names.cni_network, &names.bridge, &names.subnet);
    format!(
        r#"{{
  "cniVersion": "0.4.0",
  "name": "{network}",
  "plugins": [
    {{
      "type": "bridge",
      "bridge": "{bridge}",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {{ "type": "host-local", "ranges": [[{{ "subnet": "{subnet}" }}]] }}
    }}
  ]
}}
"#
    )
}

fn kubelet_config(node: &Path, port: u16, healthz_port: u16, cgroup_root: &str) -> String {
    let d = node.display();
    format!(
        r#"apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: {port}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: {healthz_port}
authentication:
  anonymous: {{ enabled: true }}
  webhook: {{ enabled: false }}
authorization:
  mode: AlwaysAllow
containerRuntimeEndpoint: unix://{d}/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /{cgroup_root}
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: true
makeIPTablesUtilChains: false
podLogsDir: {d}/pod-logs
volumePluginDir: {d}/volume-plugins
syncFrequency: 10s
configMapAndSecretChangeDetectionStrategy: Watch
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
serializeImagePulls: false
rotateCertificates: false
serverTLSBootstrap: false
resolvConf: ""
"#
    )
}

/// Every cgroup hierarchy mounted under /sys/fs/cgroup (v1 controllers, named and unified ones).
fn cgroup_hierarchies() -> Vec<PathBuf> {
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
fn our_cgroups(root: &str) -> Vec<PathBuf> {
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

fn kill_all(pids: &[u32]) {
    for pid in pids {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .status();
    }
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

/// Whether a network device of this name exists (false for a name no device could have).
fn bridge_exists(name: &str) -> bool {
    valid_name(name) && Path::new("/sys/class/net").join(name).exists()
}

/// One folder or device name: no path separators, not `.`/`..`, not empty. Guards every
/// recorded name before it is joined to /sys paths or handed to `ip`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
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

/// Checks the packages and tools the node needs without starting anything (for a clear error
/// before the control plane starts).
pub fn preflight() -> Result<()> {
    for program in ["unshare", "nsenter", "ip"] {
        require_program(program, "util-linux and iproute2")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_keep_everything_under_the_node_folder() {
        let node = Path::new("/tb/node");
        let names = Names::derive("/tb");
        let c = containerd_config(node);
        assert!(c.contains("root = \"/tb/node/containerd/root\""));
        assert!(c.contains("restrict_oom_score_adj = true"));
        assert!(c.contains(PAUSE_IMAGE));
        let k = kubelet_config(node, 1234, 1235, &names.cgroup_root);
        assert!(k.contains("port: 1234") && k.contains("healthzPort: 1235"));
        assert!(k.contains(&format!("cgroupRoot: /{}\n", names.cgroup_root)));
        assert!(k.contains("protectKernelDefaults: true"));
        // The host's iptables are not the node's: no KUBE-FIREWALL / canary chains shared by beds.
        assert!(k.contains("makeIPTablesUtilChains: false"));
        assert!(k.contains("unix:///tb/node/containerd/containerd.sock"));
        let cni: serde_json::Value = serde_json::from_str(&cni_config(&names)).expect("json");
        assert_eq!(cni["plugins"][0]["isGateway"], false);
        assert_eq!(cni["plugins"][0]["ipMasq"], false);
        assert_eq!(cni["plugins"][0]["bridge"], names.bridge.as_str());
        assert_eq!(cni["name"], names.cni_network.as_str());
        assert_eq!(
            cni["plugins"][0]["ipam"]["ranges"][0][0]["subnet"],
            names.subnet.as_str()
        );
    }

    /// Every name a bed takes on the machine, as one list (what must differ between two beds).
    fn machine_wide(n: &Names) -> Vec<String> {
        vec![
            n.bridge.clone(),
            n.subnet.clone(),
            n.gateway.clone(),
            n.cgroup_root.clone(),
            n.cni_network.clone(),
            format!("{:?}", n.kubelet_port),
            format!("{:?}", n.healthz_port),
        ]
    }

    #[test]
    fn names_follow_the_test_bed_folder() {
        let legacy = Names::legacy();
        // (path, another path): names of the first are stable, and differ from the second's in every
        // machine-wide name.
        let table = [
            ("/work/main/target/testbed", "/work/bedA/target/testbed"),
            ("/work/bedA/target/testbed", "/work/bedB/target/testbed"),
            ("/work/bedB/target/testbed", "/work/bedB/target/testbed2"),
            (
                "/home/me/secretsync/target/testbed",
                "/home/me/secretsync2/target/testbed",
            ),
            ("/t", "/u"),
        ];
        for (path, other) in table {
            let a = Names::derive(path);
            assert_eq!(a, Names::derive(path), "{path}: same path, same names");
            let b = Names::derive(other);
            for (x, y) in machine_wide(&a).iter().zip(machine_wide(&b)) {
                assert_ne!(*x, y, "{path} and {other} share a name");
            }
            for n in [&a, &b] {
                assert!(n.bridge.len() <= 15 && valid_name(&n.bridge), "{n:?}");
                assert!(valid_name(&n.cgroup_root) && n.cgroup_root != legacy.cgroup_root);
                assert_ne!(n.bridge, legacy.bridge);
                let (net, len) = parse_net(&n.subnet).expect("subnet");
                assert_eq!(len, 24);
                assert_eq!(net >> 24, 10, "{} is not in 10.0.0.0/8", n.subnet);
                assert!(!overlaps((net, 24), parse_net(&legacy.subnet).unwrap()));
                assert!(!overlaps((net, 24), parse_net("10.0.0.0/24").unwrap()));
                let (gw, _) = parse_net(&n.gateway).expect("gateway");
                assert_eq!(gw, net + 1, "the gateway is .1 of the subnet");
                let (k, h) = (n.kubelet_port.unwrap(), n.healthz_port.unwrap());
                assert!(
                    PORT_RANGE.contains(&k) && PORT_RANGE.contains(&h),
                    "{k} {h}"
                );
                assert_ne!(k, h);
                assert!(![10250, 10248].contains(&k) && ![10250, 10248].contains(&h));
            }
        }
    }

    #[test]
    fn derived_names_spread_over_their_ranges() {
        let names: Vec<Names> = (0..2000)
            .map(|i| Names::derive(&format!("/work/clone{i}/target/testbed")))
            .collect();
        let distinct = |f: &dyn Fn(&Names) -> String| {
            names
                .iter()
                .map(f)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        assert_eq!(distinct(&|n| n.bridge.clone()), names.len());
        assert!(distinct(&|n| n.subnet.clone()) > 1800);
        assert!(distinct(&|n| format!("{:?}", n.kubelet_port)) > 1500);
        for n in &names {
            let (net, _) = parse_net(&n.subnet).unwrap();
            let second = ((net >> 16) & 0xff) as u8;
            assert!(subnet_octets().contains(&second), "{}", n.subnet);
        }
    }

    #[test]
    fn state_records_names_and_older_state_means_legacy_names() {
        let derived = Names::derive("/work/bedA/target/testbed");
        let state = serde_json::json!({ "pids": {}, "node": true, "names": derived.to_json() });
        assert_eq!(Names::from_state(&state).unwrap(), derived);
        // A state file written before names were derived: the fixed names of those beds.
        let old = serde_json::json!({ "pids": { "kubelet": 1 }, "ports": { "apiserver": 1 }, "node": true });
        let legacy = Names::from_state(&old).unwrap();
        assert_eq!(legacy, Names::legacy());
        assert_eq!(
            (legacy.bridge.as_str(), legacy.cgroup_root.as_str()),
            ("ssync0", "secretsync-testbed")
        );
        assert_eq!(
            (legacy.subnet.as_str(), legacy.gateway.as_str()),
            ("10.217.0.0/24", "10.217.0.1")
        );
        // Damaged names are refused, never guessed (an empty cgroup root would be the whole hierarchy).
        for bad in [
            serde_json::json!({ "names": { "bridge": "ssync-1" } }),
            serde_json::json!({ "names": { "bridge": "ssync-1", "subnet": "10.200.0.0/24", "gateway": "10.200.0.1", "cgroup_root": "", "cni_network": "x" } }),
            serde_json::json!({ "names": { "bridge": "ssync-1", "subnet": "10.200.0.0/24", "gateway": "10.200.0.1", "cgroup_root": "../x", "cni_network": "x" } }),
            serde_json::json!({ "names": { "bridge": "a-very-long-bridge-name", "subnet": "10.200.0.0/24", "gateway": "10.200.0.1", "cgroup_root": "x", "cni_network": "x" } }),
        ] {
            assert!(Names::from_state(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subnet_conflicts_name_other_devices_only() {
        let routes = "default via 192.0.2.1 dev eth0\n\
                      10.217.0.0/24 dev ssync0 proto kernel scope link src 10.217.0.1\n\
                      10.220.5.0/24 dev ssync-abc proto kernel scope link src 10.220.5.1\n\
                      10.0.0.0/8 via 192.0.2.9 dev tun0\n\
                      192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2\n";
        let addrs = "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n\
                     69: ssync0    inet 10.217.0.1/24 scope global ssync0\n\
                     70: ssync-abc    inet 10.220.5.1/24 scope global ssync-abc\n";
        // Our own bridge's route and address are no conflict.
        let only_ours = "10.220.5.0/24 dev ssync-abc proto kernel scope link src 10.220.5.1\n";
        assert!(subnet_conflicts("10.220.5.0/24", "ssync-abc", only_ours, addrs).is_empty());
        // A VPN's 10/8 is hidden in part by any 10.x /24: refused.
        let c = subnet_conflicts("10.220.5.0/24", "ssync-abc", routes, addrs);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(c[0].contains("tun0"));
        // Another bed's subnet: refused; and the legacy bed's.
        let c = subnet_conflicts("10.220.5.0/24", "ssync-other", only_ours, addrs);
        assert_eq!(c.len(), 2, "{c:?}");
        let legacy = subnet_conflicts("10.217.0.0/24", "ssync-x", routes, addrs);
        assert!(legacy.iter().any(|c| c.contains("ssync0")), "{legacy:?}");
        assert!(
            subnet_conflicts(
                "10.221.0.0/24",
                "ssync-x",
                "default via 1.2.3.4 dev eth0\n",
                addrs
            )
            .is_empty()
        );
    }

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
