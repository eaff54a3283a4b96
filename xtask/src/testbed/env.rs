//! The env file (`source` it to use the test bed) and the `bin/` folder it puts first on PATH.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::node;
use crate::paths;
use crate::tools::Tools;

/// Region the test bed's environment names.
const REGION: &str = "us-east-1";

/// The env file that `source` accepts.
pub fn env_file() -> PathBuf {
    paths::testbed().join("env")
}

/// Writes `env` and the `bin/` folder of symlinks it puts first on PATH.
pub(super) fn write_env(
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

/// The test bed's own variables: kubeconfig, the emulator's endpoint and credentials, its folders.
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
