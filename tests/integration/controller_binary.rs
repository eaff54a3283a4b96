//! `secretsync controller` starts against the test bed and serves /healthz, /readyz and /metrics.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::operator::{free_port, http_get as get};

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn controller_serves_health_and_metrics() {
    // Fails with how to start the test bed if it is down; creates the controller namespace.
    let (client, ns) = common::setup("binary").await;
    let port = free_port();
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_secretsync"))
            .args(["controller", "--metrics-addr", &format!("127.0.0.1:{port}")])
            .env("KUBECONFIG", common::testbed_var("KUBECONFIG"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting secretsync controller"),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("secretsync controller exited early: {status}");
        }
        if let Some(answer) = get(port, "/readyz").filter(|(c, _)| *c == 200) {
            break answer;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for /readyz to answer 200"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(ready.1.trim(), "ok");
    let (code, body) = get(port, "/healthz").expect("/healthz answers");
    assert_eq!((code, body.trim()), (200, "ok"));
    let (code, body) = get(port, "/metrics").expect("/metrics answers");
    assert_eq!(code, 200);
    assert!(
        body.contains("secretsync_build_info"),
        "metrics lack build_info:\n{body}"
    );
    let (code, _) = get(port, "/nope").expect("unknown path answers");
    assert_eq!(code, 404);
    common::delete_namespace(&client, &ns).await;
}
