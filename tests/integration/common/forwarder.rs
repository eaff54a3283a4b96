//! A TCP forwarder on 127.0.0.1 that can be switched off (connections refused, open ones cut) and on
//! again on the same port: a primary region endpoint that fails on demand.

use std::sync::Mutex;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Forwards 127.0.0.1:`port` to 127.0.0.1:`target` while up.
pub struct Forwarder {
    /// Listening port.
    pub port: u16,
    target: u16,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Forwarder {
    /// Starts forwarding to `target` on a free port.
    pub async fn start(target: u16) -> Forwarder {
        let f = Forwarder {
            port: super::operator::free_port(),
            target,
            task: Mutex::new(None),
        };
        f.up().await;
        f
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Accepts and forwards connections (again).
    pub async fn up(&self) {
        self.down();
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap_or_else(|e| panic!("binding the forwarder on {}: {e}", self.port));
        let target = self.target;
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts every open connection.
            let mut open = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                open.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        *self.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }

    /// Refuses new connections and cuts open ones.
    pub fn down(&self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            t.abort();
        }
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.down();
    }
}
