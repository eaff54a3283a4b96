//! OCI image archives without a container engine: a folder becomes one uncompressed layer, with a
//! config and a manifest, packed as an OCI image layout in a tar file that `ctr images import` reads.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::procs::run_checked;

/// What an image runs: entrypoint, command, user, environment, exposed ports.
#[derive(Debug, Clone, Default)]
pub struct ImageConfig {
    /// `Entrypoint`.
    pub entrypoint: Vec<String>,
    /// `Cmd`.
    pub cmd: Vec<String>,
    /// `User` (e.g. "65532:65532"); empty for root.
    pub user: String,
    /// `Env` entries (`NAME=value`).
    pub env: Vec<String>,
    /// `ExposedPorts` keys (e.g. "8080/tcp").
    pub ports: Vec<String>,
}

/// The architecture name OCI uses for this machine.
pub fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// The OCI platform of a Linux image for `arch` (an OCI architecture name): `arm64` carries the
/// variant `v8`, as container engines write it.
pub fn platform(arch: &str) -> Value {
    let mut p = json!({ "architecture": arch, "os": "linux" });
    if arch == "arm64" {
        p["variant"] = json!("v8");
    }
    p
}

fn sha256(path: &Path) -> Result<String> {
    let out = run_checked(Command::new("sha256sum").arg(path), "sha256sum")?;
    let text = String::from_utf8_lossy(&out);
    let digest = text.split_whitespace().next().unwrap_or_default();
    if digest.len() != 64 {
        bail!("sha256sum of {} printed {text:?}", path.display());
    }
    Ok(digest.to_string())
}

/// Writes `bytes` as a blob of the layout in `dir`; returns (digest, size).
fn put_blob(dir: &Path, bytes: &[u8]) -> Result<(String, usize)> {
    let tmp = dir.join("blob.tmp");
    fs::write(&tmp, bytes)?;
    let digest = sha256(&tmp)?;
    fs::rename(&tmp, dir.join("blobs").join("sha256").join(&digest))?;
    Ok((format!("sha256:{digest}"), bytes.len()))
}

/// The image config document for `config` on `arch` over one layer with uncompressed digest `diff_id`.
pub fn config_document(config: &ImageConfig, arch: &str, diff_id: &str) -> Value {
    let mut c = json!({
        "Entrypoint": config.entrypoint,
        "Env": config.env,
    });
    if !config.cmd.is_empty() {
        c["Cmd"] = json!(config.cmd);
    }
    if !config.user.is_empty() {
        c["User"] = json!(config.user);
    }
    if !config.ports.is_empty() {
        let ports: serde_json::Map<String, Value> = config
            .ports
            .iter()
            .map(|p| (p.clone(), json!({})))
            .collect();
        c["ExposedPorts"] = Value::Object(ports);
    }
    let mut doc = platform(arch);
    doc["config"] = c;
    doc["rootfs"] = json!({ "type": "layers", "diff_ids": [diff_id] });
    doc
}

/// Packs `rootfs` (files owned by root, times zeroed) as image `reference` (`localhost/name:tag`)
/// for `arch` (an OCI architecture name) into the OCI archive `out`.
pub fn write_archive(
    rootfs: &Path,
    config: &ImageConfig,
    arch: &str,
    reference: &str,
    out: &Path,
) -> Result<()> {
    let work = out.with_extension("layout");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("blobs").join("sha256"))?;
    let layer = work.join("layer.tar");
    run_checked(
        Command::new("tar")
            .arg("-C")
            .arg(rootfs)
            .args([
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                "--sort=name",
                "--mtime=@0",
                "-cf",
            ])
            .arg(&layer)
            .arg("."),
        "packing the image layer",
    )?;
    let layer_digest = sha256(&layer)?;
    let layer_size = fs::metadata(&layer)?.len();
    fs::rename(
        &layer,
        work.join("blobs").join("sha256").join(&layer_digest),
    )?;
    let layer_digest = format!("sha256:{layer_digest}");
    let config_doc = config_document(config, arch, &layer_digest);
    let (config_digest, config_size) = put_blob(&work, &serde_json::to_vec(&config_doc)?)?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config_size,
        },
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar",
            "digest": layer_digest,
            "size": layer_size,
        }],
    });
    let (manifest_digest, manifest_size) = put_blob(&work, &serde_json::to_vec(&manifest)?)?;
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest,
            "size": manifest_size,
            "platform": platform(arch),
            "annotations": { "org.opencontainers.image.ref.name": reference },
        }],
    });
    fs::write(work.join("index.json"), serde_json::to_vec(&index)?)?;
    fs::write(
        work.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    let tmp = out.with_extension("tar.tmp");
    run_checked(
        Command::new("tar")
            .arg("-C")
            .arg(&work)
            .args(["--owner=0", "--group=0", "--numeric-owner", "-cf"])
            .arg(&tmp)
            .args(["oci-layout", "index.json", "blobs"]),
        "packing the image archive",
    )?;
    fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
    let _ = fs::remove_dir_all(&work);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_names_user_entrypoint_and_ports_only_when_set() {
        let bare = config_document(
            &ImageConfig {
                entrypoint: vec!["/pause".into()],
                ..Default::default()
            },
            "amd64",
            "sha256:abc",
        );
        assert_eq!(bare["config"]["Entrypoint"], json!(["/pause"]));
        assert!(bare["config"].get("User").is_none());
        assert!(bare["config"].get("ExposedPorts").is_none());
        assert_eq!(bare["rootfs"]["diff_ids"], json!(["sha256:abc"]));
        assert_eq!(bare["architecture"], "amd64");
        assert_eq!(bare["os"], "linux");
        assert!(bare.get("variant").is_none());
        let full = config_document(
            &ImageConfig {
                entrypoint: vec!["/secretsync".into()],
                cmd: vec!["controller".into()],
                user: "65532:65532".into(),
                env: vec!["SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt".into()],
                ports: vec!["8080/tcp".into()],
            },
            "arm64",
            "sha256:def",
        );
        assert_eq!(full["config"]["User"], "65532:65532");
        assert_eq!(full["config"]["ExposedPorts"], json!({"8080/tcp": {}}));
        assert_eq!(full["config"]["Cmd"], json!(["controller"]));
        assert_eq!(full["architecture"], "arm64");
        assert_eq!(full["variant"], "v8");
    }

    /// The archive of an arm64 image names arm64 (variant v8) in its index and its config, as
    /// `ctr images import` and registries read it.
    #[test]
    fn an_archive_carries_its_platform_in_index_and_config() {
        let dir = std::env::temp_dir().join(format!("xtask-oci-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("rootfs")).expect("rootfs");
        fs::write(dir.join("rootfs").join("hello"), "hi").expect("file");
        let out = dir.join("image.tar");
        let read = |member: &str| -> Value {
            let bytes = run_checked(
                Command::new("tar").arg("-xOf").arg(&out).arg(member),
                "tar -xO",
            )
            .expect("member of the archive");
            serde_json::from_slice(&bytes).expect("JSON")
        };
        let blob = |digest: &Value| {
            let hex = digest.as_str().and_then(|d| d.strip_prefix("sha256:"));
            read(&format!("blobs/sha256/{}", hex.expect("sha256 digest")))
        };
        for (arch, variant) in [("arm64", json!("v8")), ("amd64", Value::Null)] {
            write_archive(
                &dir.join("rootfs"),
                &ImageConfig::default(),
                arch,
                "localhost/x:y",
                &out,
            )
            .expect("archive");
            let index = read("index.json");
            let entry = &index["manifests"][0];
            assert_eq!(entry["platform"]["architecture"], arch);
            assert_eq!(entry["platform"]["os"], "linux");
            assert_eq!(entry["platform"]["variant"], variant);
            let config = blob(&blob(&entry["digest"])["config"]["digest"]);
            assert_eq!(config["architecture"], arch);
            assert_eq!(config["os"], "linux");
            assert_eq!(config["variant"], variant);
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
