//! Runs the real `secretsync controller` binary, scoped to one test namespace, with its log in a file.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running controller process; killed on drop.
pub struct Operator {
    child: Child,
    /// Port of /metrics, /healthz, /readyz.
    pub port: u16,
    /// The controller's log file.
    pub log: PathBuf,
}

/// Plain HTTP GET on 127.0.0.1.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let code = buf.split_whitespace().nth(1)?.parse().ok()?;
    Some((
        code,
        buf.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    ))
}

/// The controller binary: `SECRETSYNC_OPERATOR_BIN` when set (the benchmarks run the release build made by
/// `cargo xtask bench`), else the one cargo built for this test.
pub fn binary() -> String {
    std::env::var("SECRETSYNC_OPERATOR_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_secretsync").to_string())
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

impl Operator {
    /// Starts a controller watching only `namespace` and waits until it is ready.
    pub async fn start(namespace: &str) -> Operator {
        Self::start_with(namespace, "", &[], &[]).await
    }

    /// Like [`Operator::start`], with extra flags and environment; `tag` names the log file.
    pub async fn start_with(
        namespace: &str,
        tag: &str,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Operator {
        Self::launch(Some(namespace), namespace, tag, extra_args, env).await
    }

    /// A controller for every namespace (ClusterExternalSecrets, cluster store status); its log file
    /// is named after `tag`. Only for a module under `exclusive/` (it runs with the test bed to itself).
    pub async fn start_cluster_wide(tag: &str) -> Operator {
        Self::launch(None, "cluster-wide-", tag, &[], &[]).await
    }

    async fn launch(
        watch: Option<&str>,
        namespace: &str,
        tag: &str,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Operator {
        let port = free_port();
        let dir = PathBuf::from(super::testbed_var("SECRETSYNC_TESTBED_DIR"))
            .join("logs")
            .join("operators");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let log = dir.join(format!("{namespace}{tag}.log"));
        let file = std::fs::File::create(&log)
            .unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
        let err = file.try_clone().unwrap_or_else(|e| panic!("log file: {e}"));
        // Test-friendly timings unless the test sets its own: short intervals honoured, a short
        // deletion grace period and settle window.
        let defaults = [
            ("--min-refresh-interval", "1s"),
            ("--deletion-grace-period", "3s"),
            ("--rollout-settle", "2s"),
        ];
        let timing: Vec<String> = defaults
            .iter()
            .filter(|(flag, _)| !extra_args.iter().any(|a| a.starts_with(flag)))
            .map(|(flag, value)| format!("{flag}={value}"))
            .collect();
        let mut child = Command::new(binary())
            .args(["controller", "--metrics-addr", &format!("127.0.0.1:{port}")])
            .args(watch.map(|ns| format!("--namespace={ns}")))
            .env("KUBECONFIG", super::testbed_var("KUBECONFIG"))
            // Most verbose logging, so the secret-value scan sees everything the operator could print.
            .env("RUST_LOG", "debug")
            .env("NO_COLOR", "1")
            .env_remove("AWS_ENDPOINT_URL")
            // The test bed's AWS identity and no instance metadata (never an address off loopback),
            // whether or not the test's own environment has them; a test's `env` may override them.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(
                ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]
                    .map(|k| (k, super::testbed_var(k))),
            )
            .args(&timing)
            .args(extra_args)
            .envs(env.iter().copied())
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("starting secretsync controller: {e}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("secretsync controller exited early ({status}):\n{text}");
            }
            if http_get(port, "/readyz").is_some_and(|(c, _)| c == 200) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "controller not ready within 30s; log: {}",
                log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Operator { child, port, log }
    }

    /// The controller's process id (e.g. for /proc/<pid>/status).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The /metrics text.
    pub fn metrics(&self) -> String {
        http_get(self.port, "/metrics")
            .map(|(_, b)| b)
            .unwrap_or_default()
    }

    /// Sum of a metric's samples whose label text contains every `filters` entry.
    pub fn metric_sum(&self, name: &str, filters: &[&str]) -> f64 {
        self.metrics()
            .lines()
            .filter(|l| l.starts_with(name) && !l.starts_with('#'))
            .filter(|l| filters.iter().all(|f| l.contains(f)))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// Panics if the controller's log contains any of `values`.
    pub fn assert_log_free_of(&self, values: &[&str]) {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(
            !text.is_empty(),
            "the controller log {} is empty",
            self.log.display()
        );
        let log_name = self.log.display().to_string();
        let file_name = self.log.file_name().and_then(|n| n.to_str()).unwrap_or("");
        for (i, v) in values.iter().enumerate() {
            assert!(
                !file_name.contains(v),
                "test bug: secret value #{i} is part of the namespace name, so the log check cannot tell them apart"
            );
            assert!(
                !text.contains(v),
                "the controller log {log_name} contains secret value #{i}"
            );
        }
    }

    /// Stops the controller.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        self.stop();
    }
}
