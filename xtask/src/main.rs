//! `cargo xtask`: automation for secretsync (test bed, tests, CRD files).

mod cross;
mod demo;
mod image;
mod node;
mod oci;
mod paths;
mod procs;
mod reloader;
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
    /// target/image/secretsync.tar (amd64) or secretsync-arm64.tar; import it into the test bed's node
    /// when that runs and is of the same platform; check the binary (ELF header, and a run of
    /// `--version` and `convert` on the golden corpus, under an emulator for another platform).
    Image {
        /// The image's platform (linux/amd64, or linux/arm64 cross-compiled).
        #[arg(long, value_enum, default_value = "amd64")]
        arch: cross::Arch,
    },
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
        Cmd::Image { arch } => {
            image::build_and_check(arch)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Test bed up, the controller image built (unoptimised, see
/// [`image::Optimise::ForTests`]) and imported into its node (the end-to-end test installs it with
/// Helm), cargo test with the test bed's environment, test bed down.
fn test(keep: bool, cargo_args: &[String]) -> Result<ExitCode> {
    testbed::up(true)?;
    if let Err(e) = image::build_with(cross::Arch::Amd64, image::Optimise::ForTests) {
        if !keep {
            let _ = testbed::down();
        }
        return Err(e);
    }
    let mut runs = vec![test_run(
        &["--workspace".into()],
        cargo_args,
        Some("exclusive::"),
    )];
    // With no filter of the caller's, the modules that need the test bed to themselves run after the
    // rest, one module at a time (tests/integration/exclusive/).
    if cargo_args.is_empty() {
        for module in exclusive_modules()? {
            let filter = format!("exclusive::{module}::");
            runs.push(test_run(
                &["--test".into(), "integration".into(), filter],
                &[],
                None,
            ));
        }
    }
    cargo_on_testbed_with(&runs, keep, &[], true)
}

/// One `cargo test --no-fail-fast` run: `selection` (packages, targets, a filter), the caller's
/// arguments, and a `--skip` for the harness.
fn test_run(selection: &[String], cargo_args: &[String], skip: Option<&str>) -> Vec<String> {
    let mut args = vec!["test".to_string(), "--no-fail-fast".into()];
    args.extend_from_slice(selection);
    args.extend_from_slice(cargo_args);
    if let Some(skip) = skip {
        if !cargo_args.iter().any(|a| a == "--") {
            args.push("--".into());
        }
        args.extend(["--skip".to_string(), skip.to_string()]);
    }
    args
}

/// The modules of tests/integration/exclusive/ (every `.rs` file but `mod.rs`), sorted.
fn exclusive_modules() -> Result<Vec<String>> {
    let dir = paths::root().join("tests/integration/exclusive");
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
            modules.push(stem.to_string());
        }
    }
    modules.sort();
    Ok(modules)
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
    // Reloader, for the side-by-side benchmark (built once, cached beside the test bed's tools).
    let reloader = reloader::ensure()?;
    // The test bed first, so the image is imported into its node (the in-cluster benchmark runs it).
    testbed::up(true)?;
    let image = match image::build(cross::Arch::Amd64) {
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
        "--bench",
        "reloader_side_by_side",
    ]
    .map(String::from);
    let extra = [
        (
            "SECRETSYNC_OPERATOR_BIN".to_string(),
            binary.display().to_string(),
        ),
        (
            "SECRETSYNC_RELOADER_BIN".to_string(),
            reloader.display().to_string(),
        ),
    ];
    cargo_on_testbed_with(&[args.to_vec()], keep, &extra, false)
}

/// Runs each cargo command of `runs` in turn (every one, even after a failure) with the test bed's
/// environment (plus `extra`) between `testbed up` and (unless `keep`) `testbed down`; with
/// `crash_check`, passing runs are followed by [`testbed::crash_recovery_check`]. Fails if any run
/// failed.
fn cargo_on_testbed_with(
    runs: &[Vec<String>],
    keep: bool,
    extra: &[(String, String)],
    with_crash_check: bool,
) -> Result<ExitCode> {
    testbed::up(true)?;
    let mut env = testbed::read_env_file()?;
    env.extend(extra.iter().cloned());
    let started = std::time::Instant::now();
    let mut all_passed = true;
    for args in runs {
        let status = Command::new(paths::cargo())
            .current_dir(paths::root())
            .args(args)
            .envs(env.clone())
            .status()
            .with_context(|| format!("running cargo {}", args.join(" ")))?;
        eprintln!(
            "xtask: cargo {} finished at {:.0}s ({status})",
            args.join(" "),
            started.elapsed().as_secs_f64()
        );
        all_passed &= status.success();
    }
    if with_crash_check && all_passed {
        testbed::crash_recovery_check()?;
    }
    if !keep {
        testbed::down()?;
    }
    Ok(if all_passed {
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
