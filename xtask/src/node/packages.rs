//! What the node needs on the host: Debian packages (installed with apt-get when run as root) and
//! the programs that set up its namespace and network.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::procs::{require_program, run_checked};

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

/// Whether this process runs as root.
fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Lets apt install packages of the Debian architecture `arch` (e.g. `arm64`) beside the native ones
/// (`dpkg --add-architecture`, as root); nothing to do for the native architecture or one already added.
pub fn ensure_dpkg_architecture(arch: &str) -> Result<()> {
    let native = run_checked(
        Command::new("dpkg").arg("--print-architecture"),
        "dpkg --print-architecture",
    )?;
    let foreign = run_checked(
        Command::new("dpkg").arg("--print-foreign-architectures"),
        "dpkg --print-foreign-architectures",
    )?;
    let known = String::from_utf8_lossy(&native)
        .split_whitespace()
        .chain(String::from_utf8_lossy(&foreign).split_whitespace())
        .any(|a| a == arch);
    if known {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "Debian packages for {arch} are needed: run `dpkg --add-architecture {arch}` as root (then \
             apt-get update)"
        );
    }
    eprintln!("xtask: adding the Debian architecture {arch} (dpkg --add-architecture)");
    run_checked(
        Command::new("dpkg").args(["--add-architecture", arch]),
        "dpkg --add-architecture",
    )?;
    Ok(())
}

/// Installs Debian packages with apt-get (as root), or fails naming them.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    if !is_root() || !Path::new("/usr/bin/apt-get").exists() {
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

/// Checks the packages and tools the node needs without starting anything (for a clear error
/// before the control plane starts).
pub fn preflight() -> Result<()> {
    for program in ["unshare", "nsenter", "ip"] {
        require_program(program, "util-linux and iproute2")?;
    }
    Ok(())
}
