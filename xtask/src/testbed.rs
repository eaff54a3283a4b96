//! The local test bed: etcd, kube-apiserver, kube-controller-manager and moto_server on 127.0.0.1,
//! and (unless `--no-node`) a node: containerd, a kubelet and kube-scheduler (see [`crate::node`]).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::node;
use crate::paths;
use crate::procs::{
    free_port, http_get, is_running, kubeconfig_yaml, log_tail, require_program, run_checked,
    spawn_service, stop, wait_healthy, wait_until,
};
use crate::tools::{self, Tools};

/// Region the test bed's environment names.
const REGION: &str = "us-east-1";

/// Components in start order; `down` stops them in reverse.
const COMPONENTS: &[&str] = &[
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "moto_server",
];

fn state_file() -> PathBuf {
    paths::testbed().join("state.json")
}

/// The env file that `source` accepts.
pub fn env_file() -> PathBuf {
    paths::testbed().join("env")
}

/// The state file, unless it records another test bed's folder (a target folder copied from another
/// checkout): acting on it would stop that bed, so it is ignored with a warning.
fn read_state() -> Option<Value> {
    let text = fs::read_to_string(state_file()).ok()?;
    let state: Value = serde_json::from_str(&text).ok()?;
    if let Some(recorded) = state["dir"].as_str() {
        let ours = node::canonical(&paths::testbed()).ok();
        if ours.as_deref() != Some(recorded) {
            eprintln!(
                "xtask: warning: {} describes the test bed of {recorded}, not this one (a copied \
                 target folder?); ignoring it (stop that bed from its own checkout)",
                state_file().display()
            );
            return None;
        }
    }
    Some(state)
}

/// The machine-wide names the state's bed uses (legacy names for a state written by older code).
fn names_of(state: &Value) -> Result<node::Names> {
    node::Names::from_state(state).with_context(|| {
        format!(
            "{} is damaged; not tearing down by guesswork",
            state_file().display()
        )
    })
}

fn has_node(state: &Value) -> bool {
    state["node"].as_bool().unwrap_or(false)
}

/// The components a state describes, in start order.
fn components(state: &Value) -> Vec<&'static str> {
    let mut all = COMPONENTS.to_vec();
    if has_node(state) {
        all.extend_from_slice(node::COMPONENTS);
    }
    all
}

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

fn pid_of(state: &Value, name: &str) -> Option<u32> {
    state["pids"][name]
        .as_u64()
        .and_then(|p| u32::try_from(p).ok())
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
    if with_node {
        node::preflight()?;
        node::ensure_packages()?;
    }
    let tools = tools::ensure()?;
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

fn start_all(
    tools: &Tools,
    dir: &Path,
    certs: &Path,
    logs: &Path,
    names: &node::Names,
    pids: &mut BTreeMap<String, u32>,
) -> Result<BTreeMap<String, u16>> {
    let mut ports = BTreeMap::new();
    for name in ["etcd", "etcd_peer", "apiserver", "moto"] {
        ports.insert(name.to_string(), free_port()?);
    }

    // etcd
    let etcd_url = format!("http://127.0.0.1:{}", ports["etcd"]);
    let peer_url = format!("http://127.0.0.1:{}", ports["etcd_peer"]);
    eprintln!("xtask: starting etcd on {etcd_url}");
    let pid = spawn_service(
        Command::new(&tools.etcd)
            .arg("--name=testbed")
            .arg(format!("--data-dir={}", dir.join("etcd-data").display()))
            .arg(format!("--listen-client-urls={etcd_url}"))
            .arg(format!("--advertise-client-urls={etcd_url}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=testbed={peer_url}"))
            .arg("--unsafe-no-fsync=true"),
        &logs.join("etcd.log"),
    )?;
    pids.insert("etcd".into(), pid);
    wait_healthy(
        "etcd",
        pid,
        &logs.join("etcd.log"),
        Duration::from_secs(30),
        || http_get(ports["etcd"], "/health").is_some_and(|(c, b)| c == 200 && b.contains("true")),
    )?;

    // kube-apiserver
    let sa_key = certs.join("service-account.key");
    run_checked(
        Command::new("openssl")
            .args(["genrsa", "-out"])
            .arg(&sa_key)
            .arg("2048"),
        "generating the service-account signing key",
    )?;
    serving_certificate(certs, &names.gateway)?;
    let token = random_token()?;
    let tokens = certs.join("tokens.csv");
    fs::write(&tokens, format!("{token},admin,admin,system:masters\n"))?;
    eprintln!(
        "xtask: starting kube-apiserver on https://127.0.0.1:{}",
        ports["apiserver"]
    );
    let pid = spawn_service(
        Command::new(&tools.kube_apiserver)
            .arg(format!("--etcd-servers={etcd_url}"))
            .arg(format!("--cert-dir={}", certs.display()))
            .arg(format!(
                "--tls-cert-file={}",
                certs.join("apiserver.crt").display()
            ))
            .arg(format!(
                "--tls-private-key-file={}",
                certs.join("apiserver.key").display()
            ))
            .arg(format!("--secure-port={}", ports["apiserver"]))
            .arg("--bind-address=127.0.0.1")
            .arg("--advertise-address=127.0.0.1")
            .arg("--service-cluster-ip-range=10.0.0.0/24")
            .arg("--allow-privileged=true")
            .arg("--authorization-mode=RBAC")
            .arg("--service-account-issuer=https://kubernetes.default.svc.cluster.local")
            .arg(format!("--service-account-key-file={}", sa_key.display()))
            .arg(format!(
                "--service-account-signing-key-file={}",
                sa_key.display()
            ))
            .arg(format!("--token-auth-file={}", tokens.display()))
            .arg("--enable-priority-and-fairness=false"),
        &logs.join("kube-apiserver.log"),
    )?;
    pids.insert("kube-apiserver".into(), pid);
    let kubeconfig = dir.join("kubeconfig");
    let ca = certs.join("apiserver.crt");
    let apiserver_up = wait_until(Duration::from_secs(30), || ca.is_file());
    if !apiserver_up {
        bail!(
            "kube-apiserver wrote no serving certificate within 30s; log tail:\n{}",
            log_tail(&logs.join("kube-apiserver.log"))
        );
    }
    fs::write(
        &kubeconfig,
        kubeconfig_yaml(ports["apiserver"], &ca, &token),
    )?;
    let kubectl = |args: &[&str]| {
        Command::new(&tools.kubectl)
            .arg(format!("--kubeconfig={}", kubeconfig.display()))
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    wait_healthy(
        "kube-apiserver",
        pid,
        &logs.join("kube-apiserver.log"),
        Duration::from_secs(90),
        || kubectl(&["get", "--raw", "/readyz"]).is_some_and(|b| b.trim() == "ok"),
    )?;

    // kube-controller-manager
    eprintln!("xtask: starting kube-controller-manager");
    let pid = spawn_service(
        Command::new(&tools.kube_controller_manager)
            .arg(format!("--kubeconfig={}", kubeconfig.display()))
            .arg(format!("--authentication-kubeconfig={}", kubeconfig.display()))
            .arg(format!("--authorization-kubeconfig={}", kubeconfig.display()))
            .arg("--leader-elect=false")
            .arg("--secure-port=0")
            .arg(format!("--root-ca-file={}", certs.join("apiserver.crt").display()))
            .arg("--controllers=deployment-controller,replicaset-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller,node-lifecycle-controller,root-ca-certificate-publisher-controller"),
        &logs.join("kube-controller-manager.log"),
    )?;
    pids.insert("kube-controller-manager".into(), pid);
    // The serviceaccount controller creating `default` proves the controllers run.
    wait_healthy(
        "kube-controller-manager",
        pid,
        &logs.join("kube-controller-manager.log"),
        Duration::from_secs(60),
        || {
            kubectl(&[
                "get",
                "serviceaccount",
                "default",
                "-n",
                "default",
                "-o",
                "name",
            ])
            .is_some()
        },
    )?;

    // moto_server
    eprintln!(
        "xtask: starting moto_server on http://127.0.0.1:{}",
        ports["moto"]
    );
    let pid = spawn_service(
        Command::new(&tools.moto_server).args([
            "-H",
            "127.0.0.1",
            "-p",
            &ports["moto"].to_string(),
        ]),
        &logs.join("moto_server.log"),
    )?;
    pids.insert("moto_server".into(), pid);
    wait_healthy(
        "moto_server",
        pid,
        &logs.join("moto_server.log"),
        Duration::from_secs(60),
        || http_get(ports["moto"], "/moto-api/").is_some(),
    )?;
    Ok(ports)
}

/// Writes the apiserver's serving certificate, signed by a CA of the test bed's: `apiserver.crt` holds
/// the certificate and then the CA (what kubeconfigs and Pods trust), `apiserver.key` its key. It names
/// 127.0.0.1, the node's pod gateway (so Pods reach the apiserver there) and the `kubernetes` Service.
fn serving_certificate(certs: &Path, gateway: &str) -> Result<()> {
    let path = |name: &str| certs.join(name).display().to_string();
    run_checked(
        Command::new("openssl").args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "3650",
            "-subj",
            "/CN=secretsync-testbed-ca",
            "-keyout",
            &path("ca.key"),
            "-out",
            &path("ca.crt"),
        ]),
        "creating the test bed's CA",
    )?;
    let san = format!(
        "subjectAltName=IP:127.0.0.1,IP:{gateway},IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,\
         DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    );
    run_checked(
        Command::new("openssl").args([
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=kube-apiserver",
            "-addext",
            &san,
            "-keyout",
            &path("apiserver.key"),
            "-out",
            &path("apiserver.csr"),
        ]),
        "creating the apiserver's key and request",
    )?;
    run_checked(
        Command::new("openssl").args([
            "x509",
            "-req",
            "-days",
            "3650",
            "-copy_extensions",
            "copy",
            "-in",
            &path("apiserver.csr"),
            "-CA",
            &path("ca.crt"),
            "-CAkey",
            &path("ca.key"),
            "-CAcreateserial",
            "-out",
            &path("serving.crt"),
        ]),
        "signing the apiserver's certificate",
    )?;
    let chain = format!(
        "{}{}",
        fs::read_to_string(certs.join("serving.crt"))?,
        fs::read_to_string(certs.join("ca.crt"))?
    );
    fs::write(certs.join("apiserver.crt"), chain)?;
    Ok(())
}

fn random_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    let mut f = fs::File::open("/dev/urandom").context("opening /dev/urandom")?;
    std::io::Read::read_exact(&mut f, &mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes `env` and the `bin/` folder of symlinks it puts first on PATH.
fn write_env(
    tools: &Tools,
    dir: &Path,
    ports: &BTreeMap<String, u16>,
    node_names: Option<&node::Names>,
) -> Result<()> {
    let bin = dir.join("bin");
    for (name, target) in [
        ("kubectl", &tools.kubectl),
        ("helm", &tools.helm),
        ("aws", &tools.aws),
        ("moto_server", &tools.moto_server),
        ("etcd", &tools.etcd),
        ("kube-apiserver", &tools.kube_apiserver),
        ("kube-controller-manager", &tools.kube_controller_manager),
        ("kubelet", &tools.kubelet),
        ("kube-scheduler", &tools.kube_scheduler),
        ("prometheus", &tools.prometheus),
        ("promtool", &tools.promtool),
    ] {
        let link = bin.join(name);
        let _ = fs::remove_file(&link);
        symlink(target, &link).with_context(|| format!("linking {}", link.display()))?;
    }
    let mut vars = env_vars(dir, ports);
    if let Some(names) = node_names {
        vars.extend(node::env_vars(names, ports));
    }
    let mut text = String::from("# Written by `cargo xtask testbed up`; use with `source`.\n");
    for (k, v) in &vars {
        text.push_str(&format!("export {k}='{v}'\n"));
    }
    text.push_str(&format!("export PATH='{}':\"$PATH\"\n", bin.display()));
    fs::write(env_file(), text)?;
    Ok(())
}

fn env_vars(dir: &Path, ports: &BTreeMap<String, u16>) -> Vec<(String, String)> {
    let moto = format!("http://127.0.0.1:{}", ports["moto"]);
    [
        ("KUBECONFIG", dir.join("kubeconfig").display().to_string()),
        ("AWS_ENDPOINT_URL", moto.clone()),
        ("AWS_REGION", REGION.into()),
        ("AWS_DEFAULT_REGION", REGION.into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        // Never let an SDK fall back to the instance metadata endpoint (off-host traffic).
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("SECRETSYNC_TESTBED_DIR", dir.display().to_string()),
        (
            "SECRETSYNC_TESTBED_BIN",
            dir.join("bin").display().to_string(),
        ),
        ("SECRETSYNC_MOTO_PORT", ports["moto"].to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The env file's variables, PATH included (test bed bin first).
pub fn read_env_file() -> Result<Vec<(String, String)>> {
    let text = fs::read_to_string(env_file())
        .with_context(|| format!("reading {}", env_file().display()))?;
    let mut vars = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("export ") else {
            continue;
        };
        let Some((k, v)) = rest.split_once('=') else {
            continue;
        };
        if k == "PATH" {
            let bin = v.split(':').next().unwrap_or_default().trim_matches('\'');
            let path = std::env::var("PATH").unwrap_or_default();
            vars.push((k.to_string(), format!("{bin}:{path}")));
        } else {
            vars.push((k.to_string(), v.trim_matches('\'').to_string()));
        }
    }
    Ok(vars)
}

fn healthy(state: &Value) -> bool {
    let all_running = components(state)
        .iter()
        .all(|c| pid_of(state, c).is_some_and(|pid| is_running(pid, node::program(c))));
    all_running && env_file().is_file() && component_checks(state).iter().all(|(_, ok)| *ok)
}

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
