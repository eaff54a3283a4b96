//! A fault proxy on 127.0.0.1 in front of the test bed's moto: forwards every request, except that a
//! rule chosen per AWS operation (the `X-Amz-Target` header, e.g. `AmazonSSM.GetParameter`) may answer
//! in moto's place with a hostile body, or hold the request until the test opens a gate. Rules change
//! while the controller runs; the proxy counts what it did per operation and keeps the query-protocol
//! (STS) requests it saw.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// What the proxy does with one operation.
#[derive(Clone, Debug)]
pub enum Rule {
    /// Forward to moto.
    Forward,
    /// Answer with this HTTP status and JSON body instead of moto.
    Answer(u16, String),
    /// Wait until the gate is open, then forward.
    Gated,
}

#[derive(Default)]
struct State {
    /// Per operation: (a text the request body must contain, or any body; the rule), first match wins.
    rules: HashMap<String, Vec<(Option<String>, Rule)>>,
    /// Requests per operation, and how many were answered by a rule or are held at the gate.
    seen: HashMap<String, usize>,
    faked: HashMap<String, usize>,
    held: usize,
    gate_open: bool,
    /// The text of every request without an `X-Amz-Target` (query protocol: STS), in arrival order.
    queries: Vec<String>,
}

/// The proxy; dropping it leaves its thread serving (tests are short-lived processes).
pub struct FaultProxy {
    port: u16,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) on a free loopback port.
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the fault proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let state = Arc::new((
            Mutex::new(State {
                gate_open: true,
                ..State::default()
            }),
            Condvar::new(),
        ));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(conn) = stream else { continue };
                let shared = shared.clone();
                let upstream = upstream.clone();
                std::thread::spawn(move || serve(conn, &upstream, &shared));
            }
        });
        FaultProxy { port, state }
    }

    /// The proxy's URL (a store's `endpoint`).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sets the rule of `target` (e.g. `AmazonSSM.GetParameter`) for every request.
    pub fn set(&self, target: &str, rule: Rule) {
        let (lock, _) = &*self.state;
        lock.lock()
            .unwrap_or_else(|p| p.into_inner())
            .rules
            .insert(target.to_string(), vec![(None, rule)]);
    }

    /// Sets the rule of `target` for requests whose body contains `body_part` (e.g.
    /// `"WithDecryption":false`), ahead of the operation's other rules.
    pub fn set_when(&self, target: &str, body_part: &str, rule: Rule) {
        let (lock, _) = &*self.state;
        lock.lock()
            .unwrap_or_else(|p| p.into_inner())
            .rules
            .entry(target.to_string())
            .or_default()
            .insert(0, (Some(body_part.to_string()), rule));
    }

    /// Closes the gate: requests of `Gated` operations wait from now on.
    pub fn close_gate(&self) {
        let (lock, _) = &*self.state;
        lock.lock().unwrap_or_else(|p| p.into_inner()).gate_open = false;
    }

    /// Opens the gate: held requests go on.
    pub fn open_gate(&self) {
        let (lock, cvar) = &*self.state;
        lock.lock().unwrap_or_else(|p| p.into_inner()).gate_open = true;
        cvar.notify_all();
    }

    /// How many requests are waiting at the gate now.
    pub fn held(&self) -> usize {
        let (lock, _) = &*self.state;
        lock.lock().unwrap_or_else(|p| p.into_inner()).held
    }

    /// How many requests of `target` arrived so far.
    pub fn seen(&self, target: &str) -> usize {
        let (lock, _) = &*self.state;
        let s = lock.lock().unwrap_or_else(|p| p.into_inner());
        s.seen.get(target).copied().unwrap_or(0)
    }

    /// Every request without an `X-Amz-Target` (STS's query protocol) so far, head and body, in
    /// arrival order.
    pub fn queries(&self) -> Vec<String> {
        let (lock, _) = &*self.state;
        lock.lock()
            .unwrap_or_else(|p| p.into_inner())
            .queries
            .clone()
    }

    /// How many requests of `target` a rule answered in moto's place.
    pub fn faked(&self, target: &str) -> usize {
        let (lock, _) = &*self.state;
        let s = lock.lock().unwrap_or_else(|p| p.into_inner());
        s.faked.get(target).copied().unwrap_or(0)
    }
}

/// Reads one HTTP/1.1 request (head and Content-Length body).
fn read_request(conn: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some(buf)
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// Serves one connection, request by request, closing after each answer.
fn serve(mut conn: TcpStream, upstream: &str, state: &Arc<(Mutex<State>, Condvar)>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Some(request) = read_request(&mut conn) else {
        return;
    };
    let head = String::from_utf8_lossy(&request).to_string();
    let target = header(&head, "x-amz-target").unwrap_or_default();
    let (lock, cvar) = &**state;
    let rule = {
        let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
        *s.seen.entry(target.clone()).or_default() += 1;
        if target.is_empty() {
            s.queries.push(head.clone());
        }
        s.rules
            .get(&target)
            .and_then(|rules| {
                rules
                    .iter()
                    .find(|(part, _)| part.as_ref().is_none_or(|p| head.contains(p.as_str())))
            })
            .map_or(Rule::Forward, |(_, rule)| rule.clone())
    };
    match rule {
        Rule::Answer(status, body) => {
            {
                let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
                *s.faked.entry(target).or_default() += 1;
            }
            let _ = write!(
                conn,
                "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            return;
        }
        Rule::Gated => {
            let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
            s.held += 1;
            while !s.gate_open {
                s = cvar.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            s.held -= 1;
        }
        Rule::Forward => {}
    }
    // Forward with `Connection: close`, so the whole answer is what moto sends until it closes.
    let Ok(mut up) = TcpStream::connect(upstream) else {
        return;
    };
    let text = String::from_utf8_lossy(&request);
    let head_end = text.find("\r\n\r\n").map_or(request.len(), |i| i + 4);
    let mut out = String::new();
    for line in String::from_utf8_lossy(&request[..head_end]).split("\r\n") {
        if line.to_ascii_lowercase().starts_with("connection:") || line.is_empty() {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let _ = up.write_all(out.as_bytes());
    let _ = up.write_all(&request[head_end..]);
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    let _ = conn.write_all(&answer);
}
