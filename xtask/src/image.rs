//! `cargo xtask image`: the controller's OCI image without a container engine, with the same content
//! as the Dockerfile: a static (musl) release binary, a CA bundle, the non-root user 65532, entrypoint
//! `/secretsync controller`, port 8080. When the test bed's node runs, the image is imported into it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::oci::{self, ImageConfig};
use crate::paths;
use crate::procs::run_checked;

/// The image's reference on the test bed's node (`imagePullPolicy: Never`).
pub const REFERENCE: &str = "localhost/secretsync:dev";
/// The Rust target of the static binary.
pub const TARGET: &str = "x86_64-unknown-linux-musl";
/// `cargo` arguments building the image's binary (the Dockerfile runs the same).
pub const BUILD_ARGS: &[&str] = &[
    "build",
    "--release",
    "--locked",
    "--target",
    TARGET,
    "--bin",
    "secretsync",
];
/// The user the controller runs as (distroless `nonroot`).
pub const USER: &str = "65532:65532";
/// The metrics and health port the image exposes.
pub const PORT: &str = "8080/tcp";
/// Where the CA bundle goes in the image (where distroless keeps it).
const CA_BUNDLE: &str = "etc/ssl/certs/ca-certificates.crt";

/// What the image runs; the Dockerfile must say the same (a test compares them).
pub fn config() -> ImageConfig {
    ImageConfig {
        entrypoint: vec!["/secretsync".into()],
        cmd: vec!["controller".into()],
        user: USER.into(),
        env: vec![],
        ports: vec![PORT.into()],
    }
}

/// The archive `cargo xtask image` writes.
pub fn archive() -> PathBuf {
    paths::target().join("image").join("secretsync.tar")
}

/// How the image's binary is optimised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimise {
    /// `[profile.release]` as it is (LTO, one codegen unit): the image users run and benchmarks measure.
    Full,
    /// The same code unoptimised (opt-level 0, no link-time optimisation, stripped), like the debug
    /// binary every other integration test runs: built in about a third of the time of an optimised
    /// one, for the tests that install the image.
    ForTests,
}

/// Builds the static binary and the image archive; imports it into the test bed's node when it runs.
pub fn build() -> Result<PathBuf> {
    build_with(Optimise::Full)
}

/// [`build`] with the binary optimised as `optimise` says.
pub fn build_with(optimise: Optimise) -> Result<PathBuf> {
    let dockerfile =
        fs::read_to_string(paths::root().join("Dockerfile")).context("reading Dockerfile")?;
    let (user, entrypoint, cmd, ports, build_args) = dockerfile_description(&dockerfile);
    let c = config();
    if (user, entrypoint, cmd, ports, build_args)
        != (
            c.user,
            c.entrypoint,
            c.cmd,
            c.ports,
            BUILD_ARGS.iter().map(|a| a.to_string()).collect(),
        )
    {
        bail!(
            "the Dockerfile and `cargo xtask image` describe different images; make them agree (see xtask/src/image.rs)"
        );
    }
    ensure_musl()?;
    eprintln!("xtask: building the static release binary ({TARGET})");
    let mut cargo = Command::new(paths::cargo());
    cargo
        .current_dir(paths::root())
        .env(format!("CC_{}", TARGET.replace('-', "_")), "musl-gcc")
        .args(BUILD_ARGS);
    if optimise == Optimise::ForTests {
        cargo
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
            .env("CARGO_PROFILE_RELEASE_STRIP", "true");
    }
    run_checked(
        &mut cargo,
        "cargo build --release --target x86_64-unknown-linux-musl",
    )?;
    let binary = paths::target()
        .join(TARGET)
        .join("release")
        .join("secretsync");
    let rootfs = paths::target().join("image").join("rootfs");
    let _ = fs::remove_dir_all(&rootfs);
    fs::create_dir_all(rootfs.join("etc/ssl/certs"))?;
    fs::create_dir_all(rootfs.join("tmp"))?;
    fs::copy(&binary, rootfs.join("secretsync"))
        .with_context(|| format!("copying {}", binary.display()))?;
    let host_bundle = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if !host_bundle.is_file() {
        bail!(
            "no CA bundle at {} (package ca-certificates)",
            host_bundle.display()
        );
    }
    fs::copy(host_bundle, rootfs.join(CA_BUNDLE))?;
    fs::write(
        rootfs.join("etc/passwd"),
        "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    )?;
    fs::write(rootfs.join("etc/group"), "root:x:0:\nnonroot:x:65532:\n")?;
    let out = archive();
    oci::write_archive(&rootfs, &config(), REFERENCE, &out)?;
    let size = fs::metadata(&out)?.len();
    eprintln!(
        "xtask: image {REFERENCE}: {} ({:.1} MiB)",
        out.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    let testbed = paths::testbed();
    if crate::node::dir(&testbed)
        .join("containerd")
        .join("containerd.sock")
        .exists()
    {
        crate::node::import_image(&testbed, REFERENCE, &out)?;
        eprintln!("xtask: imported {REFERENCE} into the test bed's node");
    }
    Ok(out)
}

/// The section of BENCHMARKS.md `cargo xtask bench` writes about the image.
const BENCH_TITLE: &str = "## Controller image";

/// Records the image archive's size in BENCHMARKS.md.
pub fn record_size(archive: &Path) -> Result<()> {
    let size = fs::metadata(archive)?.len();
    let section = format!(
        "{BENCH_TITLE}\n\n`cargo xtask image` ({TARGET} release binary, CA bundle, user {USER}; one uncompressed layer): \
         the OCI archive `target/image/secretsync.tar` is {:.1} MiB.\n",
        size as f64 / (1024.0 * 1024.0)
    );
    let path = paths::root().join("BENCHMARKS.md");
    let text = fs::read_to_string(&path).unwrap_or_default();
    fs::write(
        &path,
        crate::report::replace_section(&text, BENCH_TITLE, &section),
    )?;
    Ok(())
}

/// The musl target and C compiler (aws-lc is C), installed when missing (rustup; apt-get as root).
fn ensure_musl() -> Result<()> {
    let installed = run_checked(
        Command::new("rustup").args(["target", "list", "--installed"]),
        "rustup target list",
    )?;
    if !String::from_utf8_lossy(&installed)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        run_checked(
            Command::new("rustup").args(["target", "add", TARGET]),
            "rustup target add x86_64-unknown-linux-musl",
        )?;
    }
    if !Path::new("/usr/bin/musl-gcc").exists() {
        crate::node::apt_install(&["musl-tools"])?;
    }
    Ok(())
}

/// The final stage of a Dockerfile as (user, entrypoint, cmd, exposed ports, `cargo` build arguments).
pub fn dockerfile_description(
    text: &str,
) -> (String, Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let final_stage = text.rsplit("\nFROM ").next().unwrap_or(text);
    let json_list =
        |line: &str| -> Vec<String> { serde_json::from_str(line.trim()).unwrap_or_default() };
    let mut user = String::new();
    let mut entrypoint = Vec::new();
    let mut cmd = Vec::new();
    let mut ports = Vec::new();
    for line in final_stage.lines() {
        if let Some(v) = line.strip_prefix("USER ") {
            user = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("ENTRYPOINT ") {
            entrypoint = json_list(v);
        } else if let Some(v) = line.strip_prefix("CMD ") {
            cmd = json_list(v);
        } else if let Some(v) = line.strip_prefix("EXPOSE ") {
            ports.extend(v.split_whitespace().map(|p| {
                if p.contains('/') {
                    p.to_string()
                } else {
                    format!("{p}/tcp")
                }
            }));
        }
    }
    let build = text
        .split_whitespace()
        .skip_while(|w| *w != "cargo")
        .skip(1)
        .take_while(|w| *w != "\\" && *w != "&&")
        .map(String::from)
        .collect();
    (user, entrypoint, cmd, ports, build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dockerfile_and_the_xtask_image_describe_the_same_image() {
        let text = fs::read_to_string(paths::root().join("Dockerfile")).expect("Dockerfile");
        let (user, entrypoint, cmd, ports, build) = dockerfile_description(&text);
        let c = config();
        assert_eq!(user, c.user, "USER");
        assert_eq!(entrypoint, c.entrypoint, "ENTRYPOINT");
        assert_eq!(cmd, c.cmd, "CMD");
        assert_eq!(ports, c.ports, "EXPOSE");
        assert_eq!(build, BUILD_ARGS, "how the binary is built");
        assert!(
            text.contains("distroless/static"),
            "the Dockerfile's base must stay a static distroless image (CA bundle, nonroot user, nothing else)"
        );
    }

    #[test]
    fn the_description_reads_the_final_stage_only() {
        let text = "FROM a AS build\nUSER 1\nRUN cargo build --target x-musl \\\n && cp a b\nFROM b\nUSER 2\nEXPOSE 9090\nENTRYPOINT [\"/x\"]\nCMD [\"y\"]\n";
        let (user, entrypoint, cmd, ports, build) = dockerfile_description(text);
        assert_eq!(user, "2");
        assert_eq!(entrypoint, ["/x"]);
        assert_eq!(cmd, ["y"]);
        assert_eq!(ports, ["9090/tcp"]);
        assert_eq!(build, ["build", "--target", "x-musl"]);
    }
}
