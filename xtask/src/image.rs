//! `cargo xtask image`: the controller's OCI image without a container engine, with the same content
//! as the Dockerfile: a static (musl) release binary, a CA bundle, the non-root user 65532, entrypoint
//! `/secretsync controller`, port 8080, for linux/amd64 or (cross-compiled) linux/arm64. When the test
//! bed's node runs and the image is for its platform, the image is imported into it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::cross::{self, Arch};
use crate::oci::{self, ImageConfig};
use crate::paths;
use crate::procs::run_checked;

/// The image's reference on the test bed's node (`imagePullPolicy: Never`), for `arch`.
pub fn reference(arch: Arch) -> String {
    match arch {
        Arch::Amd64 => "localhost/secretsync:dev".into(),
        other => format!("localhost/secretsync:dev-{}", other.name()),
    }
}

/// `cargo` arguments building the image's binary for `arch` (the Dockerfile runs the same).
pub fn build_args(arch: Arch) -> Vec<String> {
    [
        "build",
        "--release",
        "--locked",
        "--target",
        arch.rust_target(),
        "--bin",
        "secretsync",
    ]
    .map(String::from)
    .to_vec()
}
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

/// The archive `cargo xtask image` writes for `arch` (`secretsync.tar` for amd64, the test bed's).
pub fn archive(arch: Arch) -> PathBuf {
    let name = match arch {
        Arch::Amd64 => "secretsync.tar".to_string(),
        other => format!("secretsync-{}.tar", other.name()),
    };
    paths::target().join("image").join(name)
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

/// Builds the static binary for `arch` and the image archive; imports it into the test bed's node
/// when it runs and is of that platform.
pub fn build(arch: Arch) -> Result<PathBuf> {
    build_with(arch, Optimise::Full)
}

/// [`build`] with the binary optimised as `optimise` says.
pub fn build_with(arch: Arch, optimise: Optimise) -> Result<PathBuf> {
    let dockerfile =
        fs::read_to_string(paths::root().join("Dockerfile")).context("reading Dockerfile")?;
    if let Err(difference) = dockerfile_agrees(&dockerfile) {
        bail!(
            "the Dockerfile and `cargo xtask image` describe different images ({difference}); make \
             them agree (see xtask/src/image.rs)"
        );
    }
    cross::ensure_toolchain(arch)?;
    let target = arch.rust_target();
    eprintln!("xtask: building the static release binary ({target})");
    let started = Instant::now();
    let mut cargo = Command::new(paths::cargo());
    cargo
        .current_dir(paths::root())
        .envs(arch.cargo_env())
        .args(build_args(arch));
    if optimise == Optimise::ForTests {
        cargo
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
            .env("CARGO_PROFILE_RELEASE_STRIP", "true");
    }
    run_checked(
        &mut cargo,
        &format!("cargo build --release --target {target}"),
    )?;
    let binary = paths::target()
        .join(target)
        .join("release")
        .join("secretsync");
    eprintln!(
        "xtask: built {} in {:.0}s ({:.1} MiB)",
        binary.display(),
        started.elapsed().as_secs_f64(),
        fs::metadata(&binary)?.len() as f64 / (1024.0 * 1024.0)
    );
    let rootfs = paths::target()
        .join("image")
        .join(format!("rootfs-{}", arch.name()));
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
    let out = archive(arch);
    let reference = reference(arch);
    oci::write_archive(&rootfs, &config(), arch.name(), &reference, &out)?;
    let size = fs::metadata(&out)?.len();
    eprintln!(
        "xtask: image {reference} (linux/{}): {} ({:.1} MiB)",
        arch.name(),
        out.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    let testbed = paths::testbed();
    if Arch::host() == Some(arch)
        && crate::node::dir(&testbed)
            .join("containerd")
            .join("containerd.sock")
            .exists()
    {
        crate::node::import_image(&testbed, &reference, &out)?;
        eprintln!("xtask: imported {reference} into the test bed's node");
    }
    Ok(out)
}

/// `cargo xtask image --arch`: [`build`], then checks the binary (ELF header; a run natively or
/// under an emulator, see [`cross::check_binary`]).
pub fn build_and_check(arch: Arch) -> Result<PathBuf> {
    let out = build(arch)?;
    let binary = paths::target()
        .join(arch.rust_target())
        .join("release")
        .join("secretsync");
    cross::check_binary(arch, &binary)?;
    Ok(out)
}

/// The section of BENCHMARKS.md `cargo xtask bench` writes about the image.
const BENCH_TITLE: &str = "## Controller image";

/// Records the image archive's size in BENCHMARKS.md.
pub fn record_size(archive: &Path) -> Result<()> {
    let size = fs::metadata(archive)?.len();
    let section = format!(
        "{BENCH_TITLE}\n\n`cargo xtask image` ({} release binary, CA bundle, user {USER}; one uncompressed layer): \
         the OCI archive `target/image/secretsync.tar` is {:.1} MiB.\n",
        Arch::Amd64.rust_target(),
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

/// One platform's build in a Dockerfile: its `TARGETARCH`, the environment and the arguments of
/// its `cargo` command.
pub type DockerfileBuild = (String, Vec<(String, String)>, Vec<String>);

/// What a Dockerfile says about its image.
#[derive(Debug, Default, PartialEq)]
pub struct DockerfileImage {
    /// The final stage's `USER`.
    pub user: String,
    /// The final stage's `ENTRYPOINT`.
    pub entrypoint: Vec<String>,
    /// The final stage's `CMD`.
    pub cmd: Vec<String>,
    /// The final stage's `EXPOSE`d ports (`8080/tcp`).
    pub ports: Vec<String>,
    /// For each arm `NAME) cpu=CPU ;;` of the build stage's `case "$TARGETARCH"`: the name, and the
    /// environment (`env "NAME=VALUE" …`) and arguments of its `cargo build`, with `$cpu` and `$CPU`
    /// (upper case) replaced and quotes removed.
    pub builds: Vec<DockerfileBuild>,
}

/// Reads a Dockerfile: its final stage, and its build for each `TARGETARCH`.
pub fn dockerfile_description(text: &str) -> DockerfileImage {
    let final_stage = text.rsplit("\nFROM ").next().unwrap_or(text);
    let json_list =
        |line: &str| -> Vec<String> { serde_json::from_str(line.trim()).unwrap_or_default() };
    let mut image = DockerfileImage::default();
    for line in final_stage.lines() {
        if let Some(v) = line.strip_prefix("USER ") {
            image.user = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("ENTRYPOINT ") {
            image.entrypoint = json_list(v);
        } else if let Some(v) = line.strip_prefix("CMD ") {
            image.cmd = json_list(v);
        } else if let Some(v) = line.strip_prefix("EXPOSE ") {
            image.ports.extend(v.split_whitespace().map(|p| {
                if p.contains('/') {
                    p.to_string()
                } else {
                    format!("{p}/tcp")
                }
            }));
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let cargo = words
        .windows(2)
        .position(|w| w == ["cargo", "build"])
        .unwrap_or(words.len());
    let env_words = words[..cargo]
        .iter()
        .rposition(|w| *w == "env")
        .map_or(&[][..], |at| &words[at + 1..cargo]);
    let args = words
        .get(cargo + 1..)
        .unwrap_or_default()
        .iter()
        .take_while(|w| **w != "\\" && **w != "&&");
    for line in text.lines() {
        let Some((name, cpu)) = line.trim().split_once(") cpu=") else {
            continue;
        };
        let cpu = cpu.split_whitespace().next().unwrap_or_default();
        let expand = |word: &str| {
            word.replace('"', "")
                .replace("${cpu}", cpu)
                .replace("$cpu", cpu)
                .replace("${CPU}", &cpu.to_uppercase())
                .replace("$CPU", &cpu.to_uppercase())
        };
        let env = env_words
            .iter()
            .filter(|w| **w != "\\")
            .map(|w| {
                let word = expand(w);
                let (k, v) = word.split_once('=').unwrap_or((&word, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        image.builds.push((
            name.trim().to_string(),
            env,
            args.clone().map(|w| expand(w)).collect(),
        ));
    }
    image
}

/// Whether a Dockerfile builds the image `cargo xtask image` builds, for every platform; else the
/// first difference.
pub fn dockerfile_agrees(text: &str) -> Result<(), String> {
    let d = dockerfile_description(text);
    let c = config();
    for (what, theirs, ours) in [
        ("USER", vec![d.user.clone()], vec![c.user]),
        ("ENTRYPOINT", d.entrypoint.clone(), c.entrypoint),
        ("CMD", d.cmd.clone(), c.cmd),
        ("EXPOSE", d.ports.clone(), c.ports),
    ] {
        if theirs != ours {
            return Err(format!("{what}: {theirs:?}, not {ours:?}"));
        }
    }
    let ours: Vec<_> = Arch::ALL
        .iter()
        .map(|a| (a.name().to_string(), a.cargo_env(), build_args(*a)))
        .collect();
    if d.builds != ours {
        return Err(format!(
            "the build per TARGETARCH: {:?}, not {ours:?}",
            d.builds
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dockerfile() -> String {
        fs::read_to_string(paths::root().join("Dockerfile")).expect("Dockerfile")
    }

    #[test]
    fn the_dockerfile_and_the_xtask_image_describe_the_same_image() {
        let text = dockerfile();
        assert_eq!(dockerfile_agrees(&text), Ok(()));
        assert!(
            text.contains("distroless/static"),
            "the Dockerfile's base must stay a static distroless image (CA bundle, nonroot user, nothing else)"
        );
        for needed in [
            // The build stage runs on the builder's platform and cross-compiles for each target.
            "FROM --platform=$BUILDPLATFORM ",
            "ARG TARGETARCH",
            // The same Debian toolchain `cargo xtask image` installs (cross::ensure_toolchain).
            "\"musl-dev:$TARGETARCH\"",
            "dpkg --add-architecture \"$TARGETARCH\"",
            "rustup target add \"$cpu-unknown-linux-musl\"",
            "cp \"target/$cpu-unknown-linux-musl/release/secretsync\" /secretsync",
        ] {
            assert!(text.contains(needed), "the Dockerfile lacks {needed:?}");
        }
    }

    #[test]
    fn a_dockerfile_building_another_target_or_toolchain_disagrees() {
        let text = dockerfile();
        for (from, to) in [
            ("arm64) cpu=aarch64", "arm64) cpu=x86_64"),
            ("$cpu-linux-gnu-gcc", "gcc"),
            ("--locked", "--frozen"),
            ("USER 65532:65532", "USER 0"),
        ] {
            assert!(text.contains(from), "{from:?}");
            assert!(
                dockerfile_agrees(&text.replacen(from, to, 1)).is_err(),
                "{from:?} -> {to:?} was not noticed"
            );
        }
        let one_arch = text
            .lines()
            .filter(|l| !l.contains("arm64) cpu="))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(dockerfile_agrees(&one_arch).is_err(), "arm64 dropped");
    }

    /// Every `RUN` of the Dockerfile is valid POSIX shell (`sh -n`).
    #[test]
    fn the_dockerfile_runs_parse_as_shell() {
        let text = dockerfile().replace("\\\n", " ");
        let runs: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("RUN "))
            .collect();
        assert!(runs.len() >= 2, "{runs:?}");
        for run in runs {
            let out = Command::new("sh")
                .args(["-n", "-c", run])
                .output()
                .expect("sh runs");
            assert!(
                out.status.success(),
                "{run}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    #[test]
    fn the_description_reads_the_final_stage_and_each_arch() {
        let text = "FROM a AS build\nUSER 1\nRUN case \"$TARGETARCH\" in \\\n  amd64) cpu=x86_64 ;; \\\n  arm64) cpu=aarch64 ;; \\\n esac\nRUN env \"CC_${cpu}=$cpu-gcc\" \"L_${CPU}=1\" \\\n  cargo build --target \"$cpu-musl\" \\\n && cp a b\nFROM b\nUSER 2\nEXPOSE 9090\nENTRYPOINT [\"/x\"]\nCMD [\"y\"]\n";
        let d = dockerfile_description(text);
        assert_eq!(d.user, "2");
        assert_eq!(d.entrypoint, ["/x"]);
        assert_eq!(d.cmd, ["y"]);
        assert_eq!(d.ports, ["9090/tcp"]);
        let env = |cpu: &str, upper: &str| {
            vec![
                (format!("CC_{cpu}"), format!("{cpu}-gcc")),
                (format!("L_{upper}"), "1".to_string()),
            ]
        };
        assert_eq!(
            d.builds,
            [
                (
                    "amd64".to_string(),
                    env("x86_64", "X86_64"),
                    vec!["build".to_string(), "--target".into(), "x86_64-musl".into()]
                ),
                (
                    "arm64".to_string(),
                    env("aarch64", "AARCH64"),
                    vec![
                        "build".to_string(),
                        "--target".into(),
                        "aarch64-musl".into()
                    ]
                ),
            ]
        );
    }
}
