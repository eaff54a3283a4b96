//! Builds Stakater Reloader from its Go module, once, for the side-by-side benchmark.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::paths;
use crate::procs::{require_program, run_checked, run_with_progress};
use crate::tools::go_command;

/// Stakater Reloader release the side-by-side benchmark runs: the only one the Go module proxy serves.
pub const RELOADER_VERSION: &str = "v1.4.22";
/// `github.com/openshift/api` for Reloader: its own pin (`v0.0.0-20260402111718-ad9eb11110b6`) is not
/// served, so the build replaces it with the newest one that is (only OpenShift's DeploymentConfig
/// types come from it; the bench runs on plain Kubernetes).
pub const RELOADER_OPENSHIFT_API: &str = "v0.0.0-20260102143802-d2ec16864f86";
/// Builds Stakater Reloader from its Go module (for `cargo xtask bench`), once; returns the binary.
/// Like the Kubernetes build: a consumer module that requires it and repeats its `replace` lines
/// (a dependency's replaces do not apply to the module that requires it), plus the `openshift/api`
/// substitution of [`RELOADER_OPENSHIFT_API`].
pub fn ensure() -> Result<PathBuf> {
    let cache = paths::cache();
    let out = cache.join(format!("reloader-{RELOADER_VERSION}"));
    let binary = out.join("reloader");
    if binary.is_file() {
        return Ok(binary);
    }
    require_program(
        "go",
        "Go 1.26 or newer (https://go.dev/doc/install or your package manager)",
    )?;
    eprintln!(
        "xtask: building Stakater Reloader {RELOADER_VERSION} from the Go module (a few minutes cold; \
         cached in {} afterwards)",
        out.display()
    );
    let module_path = "github.com/stakater/Reloader";
    let module = cache
        .join("go")
        .join(format!("reloader-{RELOADER_VERSION}"));
    fs::create_dir_all(&module)?;
    let dl = run_checked(
        go_command(&module).args([
            "mod",
            "download",
            "-json",
            &format!("{module_path}@{RELOADER_VERSION}"),
        ]),
        "go mod download Reloader",
    )?;
    let info: serde_json::Value =
        serde_json::from_slice(&dl).context("parsing go mod download output")?;
    let gomod_path = info["GoMod"]
        .as_str()
        .context("go mod download gave no GoMod path")?;
    let upstream =
        fs::read_to_string(gomod_path).with_context(|| format!("reading {gomod_path}"))?;
    let go_line = upstream
        .lines()
        .find(|l| l.starts_with("go "))
        .unwrap_or("go 1.26");
    let mut gomod = format!(
        "module secretsync.local/testbed-reloader\n\n{go_line}\n\nrequire {module_path} {RELOADER_VERSION}\n\n"
    );
    for line in upstream_replaces(&upstream) {
        gomod.push_str(&format!("replace {line}\n"));
    }
    gomod.push_str(&format!(
        "replace github.com/openshift/api => github.com/openshift/api {RELOADER_OPENSHIFT_API}\n"
    ));
    fs::write(module.join("go.mod"), gomod)?;
    let _ = fs::remove_file(module.join("go.sum"));
    run_checked(
        go_command(&module).args(["get", "-tool", &format!("{module_path}@{RELOADER_VERSION}")]),
        "go get -tool Reloader",
    )?;
    let tmp = cache.join(format!("reloader-{RELOADER_VERSION}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    run_with_progress(
        go_command(&module)
            .arg("build")
            .arg(format!(
                "-ldflags=-X {module_path}/pkg/common.Version={RELOADER_VERSION}"
            ))
            .arg("-o")
            .arg(tmp.join("reloader"))
            .arg(module_path),
        "go build Reloader",
    )?;
    let _ = fs::remove_dir_all(&out);
    fs::rename(&tmp, &out)?;
    Ok(binary)
}

/// The `old => new` parts of a go.mod's `replace` lines, single or in a `replace ( … )` block.
fn upstream_replaces(gomod: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in gomod.lines() {
        let line = line.split("//").next().unwrap_or_default().trim();
        if in_block {
            if line == ")" {
                in_block = false;
            } else if line.contains("=>") {
                out.push(line.to_string());
            }
        } else if line == "replace (" {
            in_block = true;
        } else if let Some(rest) = line.strip_prefix("replace ")
            && rest.contains("=>")
        {
            out.push(rest.trim().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::upstream_replaces;

    #[test]
    fn replaces_are_read_from_blocks_and_single_lines_without_comments() {
        let gomod = "module m\n\nrequire (\n\ta v1\n)\n\nreplace (\n\tk8s.io/api v0.0.0 => k8s.io/api v0.35.3\n\t// a comment\n)\n\
                     replace x => y v1 // why\n";
        assert_eq!(
            upstream_replaces(gomod),
            ["k8s.io/api v0.0.0 => k8s.io/api v0.35.3", "x => y v1"]
        );
    }
}
