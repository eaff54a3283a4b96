//! Process helpers: run commands, start detached services, stop them by pid, wait with deadlines.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Fails with an install hint when `program` is not on PATH.
pub fn require_program(program: &str, install_hint: &str) -> Result<()> {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false);
    if !found {
        bail!("`{program}` is not on PATH; install {install_hint}");
    }
    Ok(())
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs a command to completion; returns stdout, or fails with its stderr.
pub fn run_checked(cmd: &mut Command, what: &str) -> Result<Vec<u8>> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("{what}: could not start `{}`", describe(cmd)))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): `{}`\n{}",
            out.status,
            describe(cmd),
            tail(&String::from_utf8_lossy(&out.stderr), 40)
        );
    }
    Ok(out.stdout)
}

/// Runs a long command, printing a heartbeat every 30 s; fails with its output's tail.
pub fn run_with_progress(cmd: &mut Command, what: &str) -> Result<()> {
    let log = std::env::temp_dir().join(format!(
        "xtask-{}-{}.log",
        std::process::id(),
        what.replace(' ', "_")
    ));
    let file = File::create(&log)?;
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .spawn()
        .with_context(|| format!("{what}: could not start `{}`", describe(cmd)))?;
    let mut last = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if last.elapsed() >= Duration::from_secs(30) {
            eprintln!("xtask:   ... {what}: {}s", started.elapsed().as_secs());
            last = Instant::now();
        }
        sleep(Duration::from_millis(500));
    };
    let output = fs::read_to_string(&log).unwrap_or_default();
    let _ = fs::remove_file(&log);
    if !status.success() {
        bail!(
            "{what} failed ({status}): `{}`\n{}",
            describe(cmd),
            tail(&output, 40)
        );
    }
    eprintln!("xtask:   {what} done in {}s", started.elapsed().as_secs());
    Ok(())
}

/// The last `n` lines of a text.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Starts a long-running service in its own process group, detached from this process,
/// logging to `log`; returns its pid.
pub fn spawn_service(cmd: &mut Command, log: &Path) -> Result<u32> {
    let file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting `{}`", describe(cmd)))?;
    Ok(child.id())
}

/// The command name (`comm`) of a live process; None when it is gone or a zombie.
fn live_comm(pid: u32) -> Option<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ...`; comm is the executable name cut to 15 bytes.
    let (head, rest) = stat.rsplit_once(')')?;
    let state = rest.trim_start().chars().next().unwrap_or('?');
    if matches!(state, 'Z' | 'X' | 'x') {
        return None;
    }
    Some(
        head.split_once('(')
            .map(|(_, c)| c)
            .unwrap_or_default()
            .to_string(),
    )
}

/// Whether a process with this pid is alive, whatever it runs (it may still be a shell about to exec).
pub fn is_alive(pid: u32) -> bool {
    live_comm(pid).is_some()
}

/// Whether a process with this pid exists and runs `program` (guards against pid reuse).
pub fn is_running(pid: u32, program: &str) -> bool {
    let short: String = program.chars().take(15).collect();
    live_comm(pid).is_some_and(|comm| comm == short)
}

/// Stops a process (TERM, then KILL after a grace period) and waits until it is gone.
pub fn stop(pid: u32, program: &str) -> Result<()> {
    if !is_running(pid, program) {
        return Ok(());
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
    if wait_until(Duration::from_secs(15), || !is_running(pid, program)) {
        return Ok(());
    }
    let _ = Command::new("kill")
        .arg("-KILL")
        .arg(pid.to_string())
        .status();
    if wait_until(Duration::from_secs(10), || !is_running(pid, program)) {
        return Ok(());
    }
    bail!("{program} (pid {pid}) did not stop")
}

/// Polls `cond` every 200 ms until it holds or `deadline` passes; returns whether it held.
pub fn wait_until(deadline: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(200));
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// Whether nothing listens on 127.0.0.1:`port` (nor on every address): binding it succeeds.
pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Plain-HTTP GET on 127.0.0.1; returns (status code, body) or None when nothing answers.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(2),
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let code = buf.split_whitespace().nth(1)?.parse().ok()?;
    let body = buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((code, body))
}

/// Polls a health check until it passes; fails early (with the log tail) if the process died.
pub fn wait_healthy(
    name: &str,
    pid: u32,
    log: &Path,
    deadline: Duration,
    mut check: impl FnMut() -> bool,
) -> Result<()> {
    let mut died = false;
    let ok = wait_until(deadline, || {
        if !is_alive(pid) {
            died = true;
            return true;
        }
        check()
    });
    if died {
        bail!(
            "{name} exited during start-up; log tail:\n{}",
            log_tail(log)
        );
    }
    if !ok {
        bail!(
            "{name} was not healthy within {}s; log tail:\n{}",
            deadline.as_secs(),
            log_tail(log)
        );
    }
    eprintln!("xtask:   {name} healthy");
    Ok(())
}

/// The last 30 lines of a log file.
pub fn log_tail(log: &Path) -> String {
    tail(&fs::read_to_string(log).unwrap_or_default(), 30)
}

/// A kubeconfig for the test bed's apiserver on 127.0.0.1 with a bearer token.
pub fn kubeconfig_yaml(port: u16, ca: &Path, token: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: testbed\n  cluster:\n    server: https://127.0.0.1:{port}\n    \
         certificate-authority: {ca}\nusers:\n- name: admin\n  user:\n    token: {token}\ncontexts:\n- name: testbed\n  \
         context:\n    cluster: testbed\n    user: admin\n    namespace: default\ncurrent-context: testbed\n",
        ca = ca.display()
    )
}
