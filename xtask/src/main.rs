//! `cargo xtask`: automation for secretsync (test bed, tests, CRD files).

mod demo;
mod image;
mod node;
mod oci;
mod paths;
mod procs;
/// BENCHMARKS.md sections (shared with the bench harnesses).
#[path = "../../benches/support/report.rs"]
#[allow(dead_code)]
mod report;
mod testbed;
mod tools;

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Automation for secretsync")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Manage the local test bed (etcd, kube-apiserver, kube-controller-manager, moto).
    Testbed {
        #[command(subcommand)]
        action: TestbedAction,
    },
    /// Test bed up, `cargo xtask image`, `cargo test --workspace`, test bed down; exits with the tests'
    /// verdict.
    Test {
        /// Leave the test bed running afterwards.
        #[arg(long)]
        keep: bool,
        /// Extra arguments passed to `cargo test` (after `--`).
        #[arg(last = true)]
        cargo_args: Vec<String>,
    },
    /// Regenerate `crds/` from the CRD types.
    Crds,
    /// Run the benchmarks on the test bed and write BENCHMARKS.md (`SECRETSYNC_BENCH_N=1000,10000` for
    /// the scale benchmark's sizes; 10000 works but takes an hour or more).
    Bench {
        /// Leave the test bed running afterwards.
        #[arg(long)]
        keep: bool,
    },
    /// Sync, rotate and roll a Deployment on the local test bed, then clean up.
    Demo,
    /// Build the controller's OCI image (static binary, no container engine) into
    /// target/image/secretsync.tar; import it into the test bed's node when that runs.
    Image,
}

#[derive(Subcommand)]
enum TestbedAction {
    /// Build or fetch the tools (cached) and start every process; harmless when already up.
    Up {
        /// Without the node (containerd, kubelet, kube-scheduler): no Pod will run.
        #[arg(long)]
        no_node: bool,
    },
    /// Stop every process the test bed started.
    Down,
    /// Show each process and whether it answers.
    Status,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Testbed { action } => {
            match action {
                TestbedAction::Up { no_node } => testbed::up(!no_node)?,
                TestbedAction::Down => testbed::down()?,
                TestbedAction::Status => {
                    if !testbed::status()? {
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Test { keep, cargo_args } => test(keep, &cargo_args),
        Cmd::Bench { keep } => bench(keep),
        Cmd::Crds => {
            write_crds()?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Demo => {
            demo::run()?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Image => {
            image::build()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Test bed up, the controller image built and imported into its node (the end-to-end test installs
/// it with Helm), cargo test with the test bed's environment, test bed down.
fn test(keep: bool, cargo_args: &[String]) -> Result<ExitCode> {
    testbed::up(true)?;
    if let Err(e) = image::build() {
        if !keep {
            let _ = testbed::down();
        }
        return Err(e);
    }
    let mut args = vec![
        "test".to_string(),
        "--workspace".into(),
        "--no-fail-fast".into(),
    ];
    args.extend_from_slice(cargo_args);
    cargo_on_testbed_with(&args, keep, &[], true)
}

/// Test bed up, the image built and imported into its node, every benchmark (each writes its section
/// of BENCHMARKS.md), test bed down.
/// The controller measured is the release build (`[profile.release]`, with LTO); the bench harnesses
/// themselves build with the lighter `[profile.bench]`.
fn bench(keep: bool) -> Result<ExitCode> {
    let status = Command::new(paths::cargo())
        .current_dir(paths::root())
        .args(["build", "--release", "--bin", "secretsync"])
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        return Ok(ExitCode::FAILURE);
    }
    // The test bed first, so the image is imported into its node (the in-cluster benchmark runs it).
    testbed::up(true)?;
    let image = match image::build() {
        Ok(image) => image,
        Err(e) => {
            if !keep {
                let _ = testbed::down();
            }
            return Err(e);
        }
    };
    image::record_size(&image)?;
    // `cargo bench` rebuilds the bin target into target/release with the bench profile: measure a copy.
    let release = paths::root().join("target/release/secretsync");
    let dir = paths::root().join("target/bench-operator");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let binary = dir.join("secretsync");
    std::fs::copy(&release, &binary)
        .with_context(|| format!("copying {} to {}", release.display(), binary.display()))?;
    let args = [
        "bench",
        "--bench",
        "rotation_latency",
        "--bench",
        "pod_rotation",
        "--bench",
        "event_rotation",
        "--bench",
        "parameter_store_scale",
        "--bench",
        "scale",
    ]
    .map(String::from);
    let extra = [(
        "SECRETSYNC_OPERATOR_BIN".to_string(),
        binary.display().to_string(),
    )];
    cargo_on_testbed_with(&args, keep, &extra, false)
}

/// Runs cargo with the test bed's environment (plus `extra`) between `testbed up` and (unless `keep`)
/// `testbed down`; with `crash_check`, a passing run is followed by
/// [`testbed::crash_recovery_check`]. Exits with cargo's verdict.
fn cargo_on_testbed_with(
    args: &[String],
    keep: bool,
    extra: &[(String, String)],
    with_crash_check: bool,
) -> Result<ExitCode> {
    testbed::up(true)?;
    let mut env = testbed::read_env_file()?;
    env.extend(extra.iter().cloned());
    let started = std::time::Instant::now();
    let status = Command::new(paths::cargo())
        .current_dir(paths::root())
        .args(args)
        .envs(env)
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    eprintln!(
        "xtask: cargo {} finished in {:.0}s ({status})",
        args.first().map(String::as_str).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    if with_crash_check && status.success() {
        testbed::crash_recovery_check()?;
    }
    if !keep {
        testbed::down()?;
    }
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes one YAML file per CRD into `crds/` and the Helm chart's `crds/`, from `secretsync crds`.
fn write_crds() -> Result<()> {
    let out = Command::new(paths::cargo())
        .current_dir(paths::root())
        .args(["run", "--quiet", "--bin", "secretsync", "--", "crds"])
        .output()
        .context("running `secretsync crds`")?;
    if !out.status.success() {
        bail!(
            "`secretsync crds` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8(out.stdout).context("CRD YAML is not UTF-8")?;
    let dirs = [
        paths::root().join("crds"),
        paths::root().join("charts").join("secretsync").join("crds"),
    ];
    for doc in text.split("---\n").filter(|d| !d.trim().is_empty()) {
        let plural = doc
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("plural: "))
            .context("CRD without spec.names.plural")?;
        for dir in &dirs {
            std::fs::create_dir_all(dir)?;
            let path = dir.join(format!("{plural}.yaml"));
            std::fs::write(&path, format!("---\n{doc}"))?;
            eprintln!("xtask: wrote {}", path.display());
        }
    }
    Ok(())
}
