//! `cargo xtask demo`: the whole story on the local test bed in under a minute: sync a secret from the
//! emulator into Kubernetes, rotate it, and watch the Deployment that uses it roll exactly once: its
//! Pod on the test bed's node prints the password before and after.

use std::fs;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::paths;
use crate::procs::run_checked;
use crate::testbed;

struct Demo {
    env: Vec<(String, String)>,
    bin: std::path::PathBuf,
    ns: String,
    started: Instant,
}

impl Demo {
    fn tool(&self, name: &str, args: &[&str], stdin: Option<&str>) -> Result<String> {
        let mut cmd = Command::new(self.bin.join(name));
        cmd.args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Some(input) = stdin {
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .with_context(|| format!("starting {name}"))?;
            if let Some(mut s) = child.stdin.take() {
                std::io::Write::write_all(&mut s, input.as_bytes())?;
            }
            let out = child.wait_with_output()?;
            if !out.status.success() {
                bail!("{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            }
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        Ok(String::from_utf8_lossy(&run_checked(&mut cmd, name)?).into_owned())
    }

    fn kubectl(&self, args: &[&str]) -> Result<String> {
        let mut full = vec!["-n", self.ns.as_str()];
        full.extend_from_slice(args);
        self.tool("kubectl", &full, None)
    }

    fn say(&self, text: &str) {
        println!("[{:>5.1}s] {text}", self.started.elapsed().as_secs_f64());
    }

    fn wait<T>(
        &self,
        what: &str,
        deadline: Duration,
        mut f: impl FnMut() -> Option<T>,
    ) -> Result<T> {
        let start = Instant::now();
        loop {
            if let Some(v) = f() {
                return Ok(v);
            }
            if start.elapsed() > deadline {
                bail!("timed out after {deadline:?} waiting for {what}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn secret_password(&self) -> Option<String> {
        self.kubectl(&[
            "get",
            "secret",
            "db-credentials",
            "-o",
            "go-template={{ if .data.password }}{{ .data.password | base64decode }}{{ end }}",
        ])
        .ok()
        .filter(|s| !s.is_empty())
    }

    /// (Pod, log line) of a Running app Pod whose log has a line containing `needle`.
    fn pod_saying(&self, needle: &str) -> Option<(String, String)> {
        let pods = self
            .kubectl(&[
                "get",
                "pods",
                "-l",
                "app=api",
                "--field-selector",
                "status.phase=Running",
                "-o",
                "name",
            ])
            .ok()?;
        pods.lines().filter(|l| !l.is_empty()).find_map(|pod| {
            let log = self.kubectl(&["logs", pod]).ok()?;
            let line = log.lines().find(|l| l.contains(needle))?;
            Some((pod.trim_start_matches("pod/").to_string(), line.to_string()))
        })
    }

    fn replicasets(&self) -> usize {
        self.kubectl(&["get", "replicasets", "-l", "app=api", "-o", "name"])
            .map(|s| s.lines().filter(|l| !l.is_empty()).count())
            .unwrap_or(0)
    }
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the demo; cleans up after itself.
pub fn run() -> Result<()> {
    eprintln!("xtask: demo: preparing the test bed");
    testbed::up(true)?;
    eprintln!("xtask: building secretsync");
    run_checked(
        Command::new(paths::cargo())
            .current_dir(paths::root())
            .args(["build", "--quiet", "--bin", "secretsync"]),
        "cargo build",
    )?;
    let env = testbed::read_env_file()?;
    let bin = paths::testbed().join("bin");
    let ns = format!("demo-{}", std::process::id());
    // The story's clock starts once the test bed and the binary are ready.
    let demo = Demo {
        env,
        bin,
        ns: ns.clone(),
        started: Instant::now(),
    };
    let result = story(&demo);
    // Clean up whatever happened.
    let _ = demo.tool(
        "kubectl",
        &["delete", "namespace", &ns, "--wait=false"],
        None,
    );
    let _ = demo.tool(
        "aws",
        &[
            "secretsmanager",
            "delete-secret",
            "--secret-id",
            &format!("{ns}/db"),
            "--force-delete-without-recovery",
        ],
        None,
    );
    result
}

fn story(d: &Demo) -> Result<()> {
    let endpoint = d
        .env
        .iter()
        .find(|(k, _)| k == "AWS_ENDPOINT_URL")
        .map(|(_, v)| v.clone())
        .context("AWS_ENDPOINT_URL missing from the test bed env")?;
    let key = format!("{}/db", d.ns);
    d.say("Installing the CRDs (kubectl apply -f crds/)");
    d.tool(
        "kubectl",
        &[
            "apply",
            "--server-side",
            "--force-conflicts",
            "-f",
            &paths::root().join("crds").display().to_string(),
        ],
        None,
    )?;
    for ns in ["secretsync-system", d.ns.as_str()] {
        let _ = d.tool("kubectl", &["create", "namespace", ns], None);
    }
    d.say(&format!(
        "Creating the secret {key:?} in the Secrets Manager emulator"
    ));
    d.tool(
        "aws",
        &[
            "secretsmanager",
            "create-secret",
            "--name",
            &key,
            "--secret-string",
            r#"{"username":"app","password":"demo-password-1"}"#,
        ],
        None,
    )?;
    d.say(
        "Applying a SecretStore with its own keys, an ExternalSecret and a Deployment that reads the Secret",
    );
    // A namespaced SecretStore brings its own credentials; the emulator accepts any keys.
    let manifests = format!(
        r#"apiVersion: v1
kind: Secret
metadata: {{ name: aws-creds }}
stringData: {{ access-key-id: testing, secret-access-key: testing }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: aws }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth:
      secretRef:
        accessKeyId: {{ name: aws-creds, key: access-key-id }}
        secretAccessKey: {{ name: aws-creds, key: secret-access-key }}
---
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: db }}
spec:
  secretStoreRef: {{ name: aws }}
  refreshInterval: 5s
  target: {{ name: db-credentials }}
  dataFrom: [ {{ extract: {{ key: "{key}" }} }} ]
  rolloutRestartTargets: [ {{ kind: Deployment, name: api }} ]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{ name: api }}
spec:
  selector: {{ matchLabels: {{ app: api }} }}
  template:
    metadata: {{ labels: {{ app: api }} }}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: api
          image: localhost/busybox:testbed
          imagePullPolicy: Never
          command: [ sh, -c, 'echo "api started with password=$password"; sleep 3600' ]
          envFrom: [ {{ secretRef: {{ name: db-credentials }} }} ]
"#
    );
    d.kubectl_apply(&manifests)?;
    let log_path = paths::testbed().join("logs").join("demo-controller.log");
    let log = fs::File::create(&log_path)?;
    d.say(&format!(
        "Starting the controller (log: {})",
        log_path.display()
    ));
    let _controller = KillOnDrop(
        Command::new(paths::target().join("debug").join("secretsync"))
            .args([
                "controller",
                "--metrics-addr",
                "127.0.0.1:0",
                "--namespace",
                &d.ns,
            ])
            .envs(d.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env_remove("AWS_ENDPOINT_URL")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting secretsync controller")?,
    );
    let first = d.wait("the first sync", Duration::from_secs(30), || {
        d.secret_password()
    })?;
    let synced_at = d.started.elapsed();
    d.say(&format!(
        "Secret db-credentials synced: keys username, password (password = {first:?})"
    ));
    d.wait(
        "the Deployment's first ReplicaSet",
        Duration::from_secs(30),
        || (d.replicasets() == 1).then_some(()),
    )?;
    d.say("Deployment api has 1 ReplicaSet");
    let line = d.wait(
        "the app Pod to start on the node",
        Duration::from_secs(60),
        || d.pod_saying(&format!("password={first}")),
    )?;
    d.say(&format!("Pod {}: {:?}", line.0, line.1));
    d.say("Rotating: aws secretsmanager put-secret-value (a new AWSCURRENT)");
    let rotated_at = Instant::now();
    d.tool(
        "aws",
        &[
            "secretsmanager",
            "put-secret-value",
            "--secret-id",
            &key,
            "--secret-string",
            r#"{"username":"app","password":"demo-password-2"}"#,
        ],
        None,
    )?;
    let second = d.wait("the rotated value", Duration::from_secs(30), || {
        d.secret_password().filter(|p| *p != first)
    })?;
    let secret_latency = rotated_at.elapsed();
    d.say(&format!(
        "Secret db-credentials updated (password = {second:?})"
    ));
    d.wait("a new ReplicaSet", Duration::from_secs(30), || {
        (d.replicasets() == 2).then_some(())
    })?;
    let restart_latency = rotated_at.elapsed();
    d.say("Deployment api rolled: 2 ReplicaSets (restarted exactly once)");
    let line = d.wait(
        "the new app Pod to start with the new password",
        Duration::from_secs(60),
        || d.pod_saying(&format!("password={second}")),
    )?;
    let pod_latency = rotated_at.elapsed();
    d.say(&format!("Pod {}: {:?}", line.0, line.1));
    let events = d.kubectl(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=db",
        "-o",
        "custom-columns=REASON:.reason,MESSAGE:.message",
        "--no-headers",
    ])?;
    println!("\nWhat happened");
    println!("  first sync after        {:.1}s", synced_at.as_secs_f64());
    println!(
        "  rotation → Secret       {:.1}s (refreshInterval 5s)",
        secret_latency.as_secs_f64()
    );
    println!(
        "  rotation → new rollout  {:.1}s",
        restart_latency.as_secs_f64()
    );
    println!(
        "  rotation → new Pod prints the new password  {:.1}s",
        pod_latency.as_secs_f64()
    );
    println!("  Events on ExternalSecret db:");
    for line in events.lines().filter(|l| !l.trim().is_empty()) {
        println!(
            "    {}",
            line.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    println!(
        "  total {:.1}s; cleaning up namespace {}",
        d.started.elapsed().as_secs_f64(),
        d.ns
    );
    Ok(())
}

impl Demo {
    fn kubectl_apply(&self, manifests: &str) -> Result<()> {
        self.tool(
            "kubectl",
            &["-n", &self.ns, "apply", "-f", "-"],
            Some(manifests),
        )
        .map(|_| ())
    }
}
