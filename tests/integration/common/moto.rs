//! A private moto_server for tests that stop it or enforce IAM on it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::operator::{free_port, http_get};

/// A moto_server process on 127.0.0.1; killed on drop.
pub struct Moto {
    child: Option<Child>,
    /// Its port.
    pub port: u16,
    env: Vec<(String, String)>,
}

impl Moto {
    /// Starts moto_server on a free port with extra environment variables.
    pub async fn start(env: &[(&str, &str)]) -> Moto {
        let mut m = Moto {
            child: None,
            port: free_port(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        m.restart().await;
        m
    }

    /// Its endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the process (the port then refuses connections).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port (with empty state) and waits until it answers.
    pub async fn restart(&mut self) {
        self.stop();
        let child = Command::new(super::tool("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting moto_server: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_get(self.port, "/moto-api/").is_none() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on port {}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs the AWS CLI against this moto with the given keys; returns stdout.
    pub fn aws(&self, keys: (&str, &str), args: &[&str]) -> String {
        aws_cli(&self.endpoint(), keys, args)
    }
}

/// Runs the AWS CLI (region us-east-1 unless `args` say otherwise) against `endpoint` with `keys`;
/// returns stdout, panicking with stderr when it fails.
pub fn aws_cli(endpoint: &str, keys: (&str, &str), args: &[&str]) -> String {
    // The flag, not only AWS_ENDPOINT_URL: AWS CLI v1 ignores the variable for some services (SQS),
    // and nothing may ever leave 127.0.0.1.
    let out = Command::new(super::tool("aws"))
        .args(["--endpoint-url", endpoint])
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", keys.0)
        .env("AWS_SECRET_ACCESS_KEY", keys.1)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap_or_else(|e| panic!("running aws {args:?}: {e}"));
    assert!(
        out.status.success(),
        "aws {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Moto {
    /// Creates an IAM user allowed `actions` on `resource` (moto with IAM enforced); returns its keys.
    pub fn create_user(&self, user: &str, actions: &[&str], resource: &str) -> (String, String) {
        let admin = ("testing", "testing");
        self.aws(admin, &["iam", "create-user", "--user-name", user]);
        let actions = serde_json::to_string(actions).unwrap_or_default();
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"{resource}"}}]}}"#
        );
        let arn = self.aws(
            admin,
            &[
                "iam",
                "create-policy",
                "--policy-name",
                user,
                "--policy-document",
                &policy,
                "--query",
                "Policy.Arn",
                "--output",
                "text",
            ],
        );
        self.aws(
            admin,
            &[
                "iam",
                "attach-user-policy",
                "--user-name",
                user,
                "--policy-arn",
                arn.trim(),
            ],
        );
        let keys = self.aws(
            admin,
            &[
                "iam",
                "create-access-key",
                "--user-name",
                user,
                "--query",
                "AccessKey.[AccessKeyId,SecretAccessKey]",
                "--output",
                "text",
            ],
        );
        let mut parts = keys.split_whitespace();
        (
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
        )
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}
