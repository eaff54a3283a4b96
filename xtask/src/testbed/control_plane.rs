//! Starting the control plane: etcd, kube-apiserver (with its certificates and admin token),
//! kube-controller-manager, and moto_server, the AWS emulator.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::node;
use crate::procs::{
    free_port, http_get, kubeconfig_yaml, log_tail, run_checked, spawn_service, wait_healthy,
    wait_until,
};
use crate::tools::Tools;

/// Starts etcd, kube-apiserver, kube-controller-manager and moto_server (pids into `pids`); returns
/// their ports.
pub(super) fn start_all(
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

/// 16 random bytes from /dev/urandom, in hex: the admin's bearer token.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    let mut f = fs::File::open("/dev/urandom").context("opening /dev/urandom")?;
    std::io::Read::read_exact(&mut f, &mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
