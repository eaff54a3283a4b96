//! The image's platforms (linux/amd64, linux/arm64): each one's Rust target and Debian's C cross
//! toolchain for it (installed when missing, under the provisioning lock), and the checks of a built
//! binary: its ELF header, and for a platform other than this machine's, a run under an emulator.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::paths;
use crate::procs::run_checked;

/// The C compiler for the target: Debian's `musl-dev:<arch>` wraps the GNU cross gcc with musl's
/// headers (aws-lc and ring are C). `$cpu` is [`Arch::cpu`]; the Dockerfile spells it the same.
pub const C_COMPILER: &str = "$cpu-linux-musl-gcc";
/// The archiver for the target's C libraries.
pub const ARCHIVER: &str = "$cpu-linux-gnu-ar";
/// The linker driver (Rust brings musl's start files and libc itself).
pub const LINKER: &str = "$cpu-linux-gnu-gcc";

/// A platform the image is built for (the name is Docker's `TARGETARCH`, OCI's and Debian's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Arch {
    /// linux/amd64 (x86_64).
    Amd64,
    /// linux/arm64 (aarch64, e.g. Graviton).
    Arm64,
}

impl Arch {
    /// Every platform, in the Dockerfile's order.
    pub const ALL: [Arch; 2] = [Arch::Amd64, Arch::Arm64];

    /// The name Docker (`TARGETARCH`), OCI and Debian use.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The CPU as GNU triples and Rust targets name it.
    pub fn cpu(self) -> &'static str {
        match self {
            Arch::Amd64 => "x86_64",
            Arch::Arm64 => "aarch64",
        }
    }

    /// The Rust target of the static binary.
    pub fn rust_target(self) -> &'static str {
        match self {
            Arch::Amd64 => "x86_64-unknown-linux-musl",
            Arch::Arm64 => "aarch64-unknown-linux-musl",
        }
    }

    /// This machine's platform, when it is one of the image's.
    pub fn host() -> Option<Arch> {
        Arch::ALL
            .into_iter()
            .find(|a| a.cpu() == std::env::consts::ARCH)
    }

    /// ELF `e_machine` of the platform's binaries.
    fn elf_machine(self) -> u16 {
        match self {
            Arch::Amd64 => 0x3e,
            Arch::Arm64 => 0xb7,
        }
    }

    /// A toolchain template ([`C_COMPILER`], [`ARCHIVER`], [`LINKER`]) for this platform.
    pub fn tool(self, template: &str) -> String {
        template.replace("$cpu", self.cpu())
    }

    /// The environment pointing `cargo build --target` at the toolchain.
    pub fn cargo_env(self) -> Vec<(String, String)> {
        let target = self.rust_target();
        let underscored = target.replace('-', "_");
        vec![
            (format!("CC_{underscored}"), self.tool(C_COMPILER)),
            (format!("AR_{underscored}"), self.tool(ARCHIVER)),
            (
                format!("CARGO_TARGET_{}_LINKER", underscored.to_uppercase()),
                self.tool(LINKER),
            ),
        ]
    }
}

/// Whether `program` is on PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// The Rust target and the C toolchain for `arch`, installed when missing (rustup; Debian's
/// `musl-dev:<arch>` with apt-get as root, adding the Debian architecture when foreign), one checkout
/// at a time.
pub fn ensure_toolchain(arch: Arch) -> Result<()> {
    let tools = [C_COMPILER, ARCHIVER, LINKER].map(|t| arch.tool(t));
    let ready = || tools.iter().all(|t| on_path(t));
    if !ready() {
        let _lock = crate::testbed::provisioning_lock()?;
        if !ready() {
            crate::node::ensure_dpkg_architecture(arch.name())?;
            crate::node::apt_install(&[&format!("musl-dev:{}", arch.name())])?;
        }
        if let Some(missing) = tools.iter().find(|t| !on_path(t)) {
            bail!(
                "`{missing}` is still missing after installing musl-dev:{}",
                arch.name()
            );
        }
    }
    let target = arch.rust_target();
    let installed = run_checked(
        Command::new("rustup").args(["target", "list", "--installed"]),
        "rustup target list",
    )?;
    if !String::from_utf8_lossy(&installed)
        .lines()
        .any(|l| l.trim() == target)
    {
        run_checked(
            Command::new("rustup").args(["target", "add", target]),
            "rustup target add",
        )?;
    }
    Ok(())
}

/// What the ELF header of a binary says: its machine and whether it asks for a dynamic loader.
#[derive(Debug, PartialEq, Eq)]
pub struct ElfFacts {
    /// `e_machine`.
    pub machine: u16,
    /// Whether a program header is `PT_INTERP` (a dynamically linked executable).
    pub interpreter: bool,
}

/// Reads a little-endian 64-bit ELF executable's header and program headers.
pub fn elf_facts(bytes: &[u8]) -> Result<ElfFacts> {
    let u16_at = |at: usize| -> Option<u16> {
        Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
    };
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let u64_at = |at: usize| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
    };
    if bytes.get(..6) != Some(b"\x7fELF\x02\x01".as_slice()) {
        bail!("not a little-endian 64-bit ELF file");
    }
    let header = || -> Option<ElfFacts> {
        let machine = u16_at(18)?;
        let phoff = usize::try_from(u64_at(32)?).ok()?;
        let phentsize = usize::from(u16_at(54)?);
        let phnum = usize::from(u16_at(56)?);
        let mut interpreter = false;
        for i in 0..phnum {
            const PT_INTERP: u32 = 3;
            interpreter |= u32_at(phoff + i * phentsize)? == PT_INTERP;
        }
        Some(ElfFacts {
            machine,
            interpreter,
        })
    };
    header().context("truncated ELF header or program headers")
}

/// Checks that `binary` is a static executable for `arch`; then runs it (natively, or under
/// `qemu-<cpu>-static` from Debian's `qemu-user-static`, installed when missing): `--version`, and
/// `convert` on every golden corpus file, whose stdout, stderr and exit code must match the
/// expectations exactly.
pub fn check_binary(arch: Arch, binary: &Path) -> Result<()> {
    let bytes = fs::read(binary).with_context(|| format!("reading {}", binary.display()))?;
    let facts = elf_facts(&bytes)?;
    if facts.machine != arch.elf_machine() {
        bail!(
            "{} is for ELF machine {:#x}, not {} ({:#x})",
            binary.display(),
            facts.machine,
            arch.cpu(),
            arch.elf_machine()
        );
    }
    if facts.interpreter {
        bail!(
            "{} asks for a dynamic loader: not a static binary",
            binary.display()
        );
    }
    if let Ok(out) = Command::new("file").arg(binary).output() {
        eprint!("xtask: {}", String::from_utf8_lossy(&out.stdout));
    }
    let runner = runner(arch)?;
    let run = |args: &[&str], dir: &Path| -> Result<std::process::Output> {
        let mut cmd = match &runner {
            Some(emulator) => {
                let mut c = Command::new(emulator);
                c.arg(binary);
                c
            }
            None => Command::new(binary),
        };
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {} {}", binary.display(), args.join(" ")))
    };
    let how = runner
        .as_ref()
        .map_or("natively".to_string(), |e| format!("under {}", e.display()));
    let version = run(&["--version"], &paths::root())?;
    let want = format!("secretsync {}\n", package_version()?);
    if !version.status.success() || String::from_utf8_lossy(&version.stdout) != want {
        bail!(
            "`secretsync --version` {how} printed {:?} ({}), not {want:?}",
            String::from_utf8_lossy(&version.stdout),
            version.status
        );
    }
    let corpus = paths::root().join("tests/convert/eso");
    let expected = paths::root().join("tests/convert/expected");
    let mut files: Vec<PathBuf> = fs::read_dir(&corpus)
        .with_context(|| format!("reading {}", corpus.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut mismatches = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let stem = name.trim_end_matches(".yaml");
        let source = fs::read_to_string(file)?;
        let mut args: Vec<&str> = vec!["convert"];
        args.extend(
            source
                .lines()
                .take_while(|l| l.starts_with('#'))
                .filter_map(|l| l.strip_prefix("# convert-args:"))
                .flat_map(str::split_whitespace),
        );
        args.push(name);
        let out = run(&args, &corpus)?;
        let got = [
            ("yaml", String::from_utf8_lossy(&out.stdout).into_owned()),
            ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
            ("exit", format!("{}\n", out.status.code().unwrap_or(-1))),
        ];
        for (ext, actual) in got {
            let want =
                fs::read_to_string(expected.join(format!("{stem}.{ext}"))).unwrap_or_default();
            if want != actual {
                mismatches.push(format!("{stem}.{ext}"));
            }
        }
    }
    if files.is_empty() || !mismatches.is_empty() {
        bail!(
            "`secretsync convert` {how} differs from tests/convert/expected on {} of {} files: {}",
            mismatches.len(),
            files.len(),
            mismatches.join(", ")
        );
    }
    eprintln!(
        "xtask: {} runs {how}: --version and `convert` on {} golden files give the expected output",
        arch.rust_target(),
        files.len()
    );
    Ok(())
}

/// The `version` of the secretsync package (the root Cargo.toml's `[package]`).
fn package_version() -> Result<String> {
    let manifest = fs::read_to_string(paths::root().join("Cargo.toml"))?;
    manifest
        .split("\n[package]\n")
        .nth(1)
        .and_then(|package| {
            package
                .lines()
                .take_while(|l| !l.starts_with('['))
                .find_map(|l| l.strip_prefix("version = \""))
        })
        .map(|v| v.trim_end_matches('"').to_string())
        .context("no version in Cargo.toml's [package]")
}

/// How to run a binary for `arch` here: natively (None), or the emulator's path.
fn runner(arch: Arch) -> Result<Option<PathBuf>> {
    if Arch::host() == Some(arch) {
        return Ok(None);
    }
    let emulator = format!("qemu-{}-static", arch.cpu());
    let find = || {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(&emulator))
                .find(|p| p.is_file())
        })
    };
    if let Some(path) = find() {
        return Ok(Some(path));
    }
    {
        let _lock = crate::testbed::provisioning_lock()?;
        if find().is_none() {
            crate::node::apt_install(&["qemu-user-static"])?;
        }
    }
    find()
        .map(Some)
        .with_context(|| format!("`{emulator}` is missing after installing qemu-user-static"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF64 header for `machine` with one program header of type `p_type`.
    fn elf(machine: u16, p_type: u32) -> Vec<u8> {
        let mut b = vec![0u8; 64 + 56];
        b[..6].copy_from_slice(b"\x7fELF\x02\x01");
        b[18..20].copy_from_slice(&machine.to_le_bytes());
        b[32..40].copy_from_slice(&64u64.to_le_bytes());
        b[54..56].copy_from_slice(&56u16.to_le_bytes());
        b[56..58].copy_from_slice(&1u16.to_le_bytes());
        b[64..68].copy_from_slice(&p_type.to_le_bytes());
        b
    }

    #[test]
    fn elf_facts_read_the_machine_and_the_loader_request() {
        const PT_LOAD: u32 = 1;
        const PT_INTERP: u32 = 3;
        for arch in Arch::ALL {
            for (p_type, interpreter) in [(PT_LOAD, false), (PT_INTERP, true)] {
                assert_eq!(
                    elf_facts(&elf(arch.elf_machine(), p_type)).expect("valid header"),
                    ElfFacts {
                        machine: arch.elf_machine(),
                        interpreter
                    },
                    "{arch:?} p_type {p_type}"
                );
            }
        }
        assert!(elf_facts(b"#!/bin/sh\n").is_err(), "not ELF");
        assert!(elf_facts(&elf(0xb7, PT_LOAD)[..66]).is_err(), "truncated");
    }

    #[test]
    fn every_platform_names_its_own_target_and_tools() {
        assert_eq!(Arch::Arm64.rust_target(), "aarch64-unknown-linux-musl");
        assert_eq!(Arch::Amd64.rust_target(), "x86_64-unknown-linux-musl");
        for arch in Arch::ALL {
            assert!(arch.rust_target().starts_with(arch.cpu()));
            let env = arch.cargo_env();
            let target = arch.rust_target().replace('-', "_");
            assert!(env.contains(&(
                format!("CC_{target}"),
                format!("{}-linux-musl-gcc", arch.cpu())
            )));
            assert!(env.contains(&(
                format!("CARGO_TARGET_{}_LINKER", target.to_uppercase()),
                format!("{}-linux-gnu-gcc", arch.cpu())
            )));
        }
    }
}
