//! Starting the node: the pod bridge and its gateways, containerd in a private mount namespace, the
//! kubelet (with its own identity) and kube-scheduler; and whether the Node is Ready.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::cgroups::cgroup_hierarchies;
use super::config::{cni_config, containerd_config, kubelet_config};
use super::images::{ensure_images, import_image};
use super::packages::ensure_packages;
use super::{FIXED_PATHS, Kubectl, NODE_NAME, Names, SYSCTLS, dir, socket};
use crate::procs::{is_running, run_checked, spawn_service, wait_until};
use crate::tools::Tools;

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

/// The kubelet's token: a ServiceAccount bound to system:node, valid for a year.
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
