//! Endpoints on 127.0.0.1 that are not AWS: a recorder of request heads (a tenant's endpoint) and a
//! server answering 404 to everything (a mis-pointed endpoint).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A tiny HTTP listener that records every request head and answers 400.
pub struct Recorder {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// Starts the recorder on a free loopback port.
    pub fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the recorder");
        let port = listener.local_addr().expect("recorder address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read until the end of the head (the body does not matter).
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                if !buf.is_empty() {
                    seen.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(String::from_utf8_lossy(&buf).into_owned());
                }
                let body = r#"{"__type":"UnrecognizedClientException","message":"recorder"}"#;
                let _ = write!(
                    s,
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Recorder { port, requests }
    }

    /// The recorder's URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request head received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Requests whose Authorization header names `key_id`.
    pub fn signed_by(&self, key_id: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| header_has(r, "authorization", key_id))
            .count()
    }

    /// Requests signed with `key_id` whose `X-Amz-Target` names `target` (e.g. `AmazonSSM.`).
    pub fn signed_for(&self, key_id: &str, target: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| {
                header_has(r, "authorization", key_id) && header_has(r, "x-amz-target", target)
            })
            .count()
    }
}

fn header_has(head: &str, name: &str, part: &str) -> bool {
    head.lines().any(|l| {
        l.split_once(':')
            .is_some_and(|(k, v)| k.eq_ignore_ascii_case(name) && v.contains(part))
    })
}

/// An HTTP server answering 404 with an HTML body to every request (a mis-pointed endpoint, not an
/// AWS service); returns its URL.
pub fn not_found_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a local port");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 65536];
            let _ = conn.read(&mut buf);
            let body = "<html><body>Not Found</body></html>";
            let _ = write!(
                conn,
                "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}
