//! The node's own images, built here (no registry): pause (the sandbox) and busybox (for test
//! workloads); and importing image archives into the node's containerd.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use super::{BUSYBOX_IMAGE, PAUSE_IMAGE, socket};
use crate::oci::{self, ImageConfig};
use crate::procs::run_checked;

/// Imports the OCI archive `archive` holding image `reference` into the node's containerd (the
/// Kubernetes namespace, so Pods with `imagePullPolicy: Never` find it).
pub fn import_image(testbed: &Path, reference: &str, archive: &Path) -> Result<()> {
    let base = reference.split(':').next().unwrap_or(reference);
    run_checked(
        Command::new("ctr")
            .arg("--address")
            .arg(socket(testbed))
            .args(["-n", "k8s.io", "images", "import", "--base-name", base])
            .arg(archive),
        &format!("importing {reference} into the node's containerd"),
    )?;
    Ok(())
}

/// The pause program's C source: sleeps until signalled, reaping children.
const PAUSE_C: &str = r#"#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }

int main(void) {
    signal(SIGINT, stop);
    signal(SIGTERM, stop);
    signal(SIGCHLD, reap);
    for (;;) pause();
    return 1;
}
"#;

/// Builds (once, cached) the pause and busybox image archives; returns (reference, archive) pairs.
pub fn ensure_images(cache: &Path) -> Result<Vec<(String, PathBuf)>> {
    let out = cache.join("node-images-v1");
    let images = vec![
        (PAUSE_IMAGE.to_string(), out.join("pause.tar")),
        (BUSYBOX_IMAGE.to_string(), out.join("busybox.tar")),
    ];
    if images.iter().all(|(_, p)| p.is_file()) {
        return Ok(images);
    }
    eprintln!("xtask: building the node's pause and busybox images");
    // Per process, and each archive renamed into place when complete: two checkouts bringing their
    // beds up at once on a fresh cache neither share a work folder nor read half an archive.
    let work = out.join(format!("work-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("pause"))?;
    fs::write(work.join("pause.c"), PAUSE_C)?;
    run_checked(
        Command::new("gcc")
            .args(["-static", "-O2", "-o"])
            .arg(work.join("pause").join("pause"))
            .arg(work.join("pause.c")),
        "compiling the pause program (gcc -static; needs gcc and libc6-dev)",
    )?;
    oci::write_archive(
        &work.join("pause"),
        &ImageConfig {
            entrypoint: vec!["/pause".into()],
            ..Default::default()
        },
        oci::arch(),
        PAUSE_IMAGE,
        &work.join("pause.tar"),
    )?;
    let rootfs = work.join("busybox");
    let bin = rootfs.join("bin");
    fs::create_dir_all(&bin)?;
    fs::create_dir_all(rootfs.join("tmp"))?;
    fs::copy("/bin/busybox", bin.join("busybox")).context("copying /bin/busybox")?;
    let list = run_checked(Command::new("/bin/busybox").arg("--list"), "busybox --list")?;
    for applet in String::from_utf8_lossy(&list).lines() {
        let applet = applet.trim();
        if applet.is_empty() || applet.contains('/') || applet == "busybox" {
            continue;
        }
        std::os::unix::fs::symlink("busybox", bin.join(applet))?;
    }
    oci::write_archive(
        &rootfs,
        &ImageConfig {
            cmd: vec!["sh".into()],
            env: vec!["PATH=/bin".into()],
            ..Default::default()
        },
        oci::arch(),
        BUSYBOX_IMAGE,
        &work.join("busybox.tar"),
    )?;
    for (name, (_, archive)) in ["pause.tar", "busybox.tar"].iter().zip(&images) {
        fs::rename(work.join(name), archive)
            .with_context(|| format!("moving {name} into {}", out.display()))?;
    }
    let _ = fs::remove_dir_all(&work);
    Ok(images)
}
