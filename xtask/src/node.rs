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
/// The pod bridge (created by the CNI bridge plugin on the first Pod, deleted by `down`).
pub const BRIDGE: &str = "ssync0";
/// Pod addresses: a /24 on the bridge only, routed nowhere (no gateway, no masquerade).
pub const POD_SUBNET: &str = "10.217.0.0/24";
/// The host's address on the pod bridge: Pods reach the apiserver and the emulator here (forwarded to
/// their 127.0.0.1 ports), nothing else.
pub const POD_GATEWAY: &str = "10.217.0.1";
/// Every cgroup of the node's Pods lives under this folder of each cgroup hierarchy.
pub const CGROUP_ROOT: &str = "secretsync-testbed";
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

/// Variables for the env file: where Pods reach the apiserver and the emulator.
pub fn env_vars(ports: &BTreeMap<String, u16>) -> Vec<(String, String)> {
    vec![
        ("SECRETSYNC_POD_GATEWAY".into(), POD_GATEWAY.into()),
        (
            "SECRETSYNC_POD_APISERVER_PORT".into(),
            ports["apiserver"].to_string(),
        ),
        (
            "SECRETSYNC_POD_AWS_ENDPOINT".into(),
            format!("http://{POD_GATEWAY}:{}", ports["moto"]),
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
    let work = out.join("work");
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
        &images[0].1,
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
        &images[1].1,
    )?;
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
        let root = hierarchy.join(CGROUP_ROOT);
        fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    }
    fs::write(node.join("containerd.toml"), containerd_config(&node))?;

    // The pod bridge with the host's address on it, and the two ports Pods may use there.
    if !Path::new("/sys/class/net").join(BRIDGE).exists() {
        for args in [
            vec!["link", "add", BRIDGE, "type", "bridge"],
            vec!["addr", "add", &format!("{POD_GATEWAY}/24"), "dev", BRIDGE],
            vec!["link", "set", BRIDGE, "up"],
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
                    "TCP-LISTEN:{port},bind={POD_GATEWAY},fork,reuseaddr"
                ))
                .arg(format!("TCP:127.0.0.1:{port}")),
            &logs.join(format!("{name}.log")),
        )?;
        pids.insert(name.to_string(), pid);
        crate::testbed::wait_healthy(
            name,
            pid,
            &logs.join(format!("{name}.log")),
            Duration::from_secs(10),
            || std::net::TcpStream::connect((POD_GATEWAY, port)).is_ok(),
        )?;
    }
    fs::write(node.join("cni/net.d/10-secretsync.conflist"), cni_config())?;

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
    crate::testbed::wait_healthy(
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
        crate::testbed::kubeconfig_yaml(apiserver_port, &ca, &token),
    )?;
    let kubelet_port = crate::procs::free_port()?;
    let healthz_port = crate::procs::free_port()?;
    fs::write(
        node.join("kubelet.yaml"),
        kubelet_config(&node, kubelet_port, healthz_port),
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
    crate::testbed::wait_healthy(
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

fn cni_config() -> String {
    format!(
        r#"{{
  "cniVersion": "0.4.0",
  "name": "secretsync-testbed",
  "plugins": [
    {{
      "type": "bridge",
      "bridge": "{BRIDGE}",
      "isGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {{ "type": "host-local", "ranges": [[{{ "subnet": "{POD_SUBNET}" }}]] }}
    }}
  ]
}}
"#
    )
}

fn kubelet_config(node: &Path, port: u16, healthz_port: u16) -> String {
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
cgroupRoot: /{CGROUP_ROOT}
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: true
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

/// Every cgroup folder under our root in each hierarchy, deepest first.
fn our_cgroups() -> Vec<PathBuf> {
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
        let root = h.join(CGROUP_ROOT);
        if root.is_dir() {
            walk(&root, &mut out);
        }
    }
    out
}

/// Processes whose command line mentions the node's containerd socket (containerd's shims).
fn shim_pids(testbed: &Path) -> Vec<u32> {
    let needle = socket(testbed).display().to_string();
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let cmdline = fs::read(e.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains("containerd-shim") && cmdline.contains(&needle) {
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

/// Processes still in our cgroups.
fn cgroup_pids() -> Vec<u32> {
    let mut out: Vec<u32> = our_cgroups()
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
/// the processes (with every container), our cgroups, the pod bridge. Works from `pids` of the
/// state file and, for a run killed half-way, from what it finds.
pub fn stop_all(testbed: &Path, pids: &BTreeMap<String, u32>, kubectl: Kubectl<'_>) -> Vec<String> {
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
        let left = cgroup_pids();
        kill_all(&left);
        left.is_empty()
    });
    if !emptied {
        failures.push(format!(
            "processes still in the node's cgroups: {:?}",
            cgroup_pids()
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
        for cg in our_cgroups() {
            let _ = fs::remove_dir(&cg);
        }
        our_cgroups().is_empty()
    });
    if !cgroups_gone {
        failures.push(format!("cgroups left: {:?}", our_cgroups()));
    }
    if Path::new("/sys/class/net").join(BRIDGE).exists() {
        let _ = Command::new("ip").args(["link", "delete", BRIDGE]).status();
    }
    failures.extend(leftovers(testbed));
    failures
}

/// What the node would leave behind if it were stopped now: processes, mounts, cgroups, the
/// bridge. Empty after `stop_all`.
pub fn leftovers(testbed: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let shims = shim_pids(testbed);
    if !shims.is_empty() {
        out.push(format!("containerd shims running: {shims:?}"));
    }
    let cgroups = our_cgroups();
    if !cgroups.is_empty() {
        out.push(format!("cgroups: {cgroups:?}"));
    }
    if Path::new("/sys/class/net").join(BRIDGE).exists() {
        out.push(format!("network device {BRIDGE}"));
    }
    let node = dir(testbed).display().to_string();
    let mounts: Vec<String> = fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4).map(String::from))
        .filter(|m| {
            m.starts_with(&node)
                || FIXED_PATHS.iter().any(|(host, _)| m.starts_with(host))
                || SYSCTLS.iter().any(|(s, _)| *m == format!("/proc/sys/{s}"))
        })
        .collect();
    if !mounts.is_empty() {
        out.push(format!("mounts in the host's mount table: {mounts:?}"));
    }
    out
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
        let c = containerd_config(node);
        assert!(c.contains("root = \"/tb/node/containerd/root\""));
        assert!(c.contains("restrict_oom_score_adj = true"));
        assert!(c.contains(PAUSE_IMAGE));
        let k = kubelet_config(node, 1234, 1235);
        assert!(k.contains("port: 1234") && k.contains("healthzPort: 1235"));
        assert!(k.contains("protectKernelDefaults: true"));
        assert!(k.contains("unix:///tb/node/containerd/containerd.sock"));
        let cni: serde_json::Value = serde_json::from_str(&cni_config()).expect("json");
        assert_eq!(cni["plugins"][0]["isGateway"], false);
        assert_eq!(cni["plugins"][0]["ipMasq"], false);
    }
}
