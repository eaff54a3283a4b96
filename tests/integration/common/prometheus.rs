//! A real Prometheus (Debian's package, unpacked by the test bed) scraping given targets, on 127.0.0.1.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::operator::{free_port, http_get};

/// A Prometheus server; killed on drop.
pub struct Prometheus {
    child: Child,
    port: u16,
}

/// `text` percent-encoded for a URL query.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Prometheus {
    /// Starts Prometheus scraping `targets` (`host:port`) every second; waits until it is ready.
    pub async fn start(name: &str, targets: &[String]) -> Prometheus {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("prometheus-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let list = targets
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let config = format!(
            "global: {{ scrape_interval: 1s, evaluation_interval: 1s }}\nscrape_configs:\n  - job_name: secretsync\n    static_configs: [ {{ targets: [ {list} ] }} ]\n"
        );
        std::fs::write(dir.join("prometheus.yml"), config).expect("writing prometheus.yml");
        let port = free_port();
        let log = std::fs::File::create(dir.join("prometheus.log")).expect("prometheus log");
        let child = Command::new(super::tool("prometheus"))
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting prometheus (start the test bed with `cargo xtask testbed up`): {e}"
                )
            });
        let p = Prometheus { child, port };
        super::wait_for(
            "Prometheus to be ready",
            Duration::from_secs(30),
            || async { http_get(port, "/-/ready").filter(|(c, _)| *c == 200) },
        )
        .await;
        p
    }

    /// The result vector of an instant query (None when the query fails).
    pub fn query(&self, expr: &str) -> Option<Vec<serde_json::Value>> {
        let (code, body) = http_get(self.port, &format!("/api/v1/query?query={}", encode(expr)))?;
        if code != 200 {
            return None;
        }
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        v["data"]["result"].as_array().cloned()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
