//! A counting proxy in front of the test bed's kube-apiserver, one per controller under measure: the
//! controller gets a kubeconfig that points at the proxy (plain HTTP on a loopback port, no
//! credentials), the proxy forwards every request with the test bed's own client and counts it by
//! verb and resource. The apiserver's own metrics count every client together; this counts one.
//!
//! A controller can also be started in a network namespace of its own (its own loopback, so a
//! listener it opens on every interface stays private), with the proxy's listener in that namespace.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use kube::Client;

/// Requests by (verb, resource): GET (one object), LIST, WATCH, POST, PUT, PATCH, DELETE; the
/// resource with its subresource (`deployments/status`), or `discovery` for the API's discovery paths.
pub type Counts = BTreeMap<(String, String), u64>;

/// Hop-by-hop headers the proxy never forwards.
const HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "host",
    "proxy-connection",
];

/// A running proxy; it serves until the process ends.
pub struct ApiProxy {
    counts: Arc<Mutex<Counts>>,
    /// Whether the listener (and the controller started with it) is in a network namespace of its own.
    pub isolated: bool,
}

impl ApiProxy {
    /// Every request counted so far.
    pub fn counts(&self) -> Counts {
        self.counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// `after - before`, keeping what moved.
pub fn diff(before: &Counts, after: &Counts) -> Counts {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, d)| *d > 0)
        .collect()
}

/// The requests of `counts` with this verb, summed over resources.
pub fn verb_total(counts: &Counts, verb: &str) -> u64 {
    counts
        .iter()
        .filter(|((v, _), _)| v == verb)
        .map(|(_, n)| n)
        .sum()
}

/// `VERB n` per verb, or "none".
pub fn by_verb(counts: &Counts) -> String {
    let mut verbs: BTreeMap<&str, u64> = BTreeMap::new();
    for ((verb, _), n) in counts {
        *verbs.entry(verb).or_insert(0) += n;
    }
    if verbs.is_empty() {
        return "none".into();
    }
    verbs
        .iter()
        .map(|(v, n)| format!("{v} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `VERB resource n` per key, or "none".
pub fn detail(counts: &Counts) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|((v, r), n)| format!("{v} {r} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The verb and resource of a request to the Kubernetes API.
pub fn classify(method: &str, path: &str, query: Option<&str>) -> (String, String) {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    // /api/v1/... or /apis/<group>/<version>/...
    let rest = match parts.as_slice() {
        ["api", _version, rest @ ..] => rest,
        ["apis", _group, _version, rest @ ..] => rest,
        _ => return (method.to_string(), "discovery".into()),
    };
    let rest = match rest {
        ["namespaces", _ns, inner @ ..] if !inner.is_empty() => inner,
        other => other,
    };
    let (resource, named) = match rest {
        [] => return (method.to_string(), "discovery".into()),
        [resource] => (resource.to_string(), false),
        [resource, _name] => (resource.to_string(), true),
        [resource, _name, sub, ..] => (format!("{resource}/{sub}"), true),
    };
    let watch = query.is_some_and(|q| {
        q.split('&')
            .any(|kv| kv == "watch=true" || kv == "watch=1" || kv == "watch")
    });
    let verb = match method {
        "GET" if watch => "WATCH",
        "GET" if named => "GET",
        "GET" => "LIST",
        other => other,
    };
    (verb.to_string(), resource)
}

/// Writes a kubeconfig for `http://127.0.0.1:<port>` with no credentials.
fn write_kubeconfig(path: &Path, port: u16) {
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: http://127.0.0.1:{port}\n\
         users:\n- name: bench\n  user: {{}}\ncontexts:\n- name: bench\n  context:\n    cluster: bench\n    user: bench\n\
         current-context: bench\n"
    );
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Binds the proxy's listener in a new network namespace (its loopback brought up), writes the
/// kubeconfig and starts the command `make` returns there. None when no namespace can be made (not
/// root, or no `ip`): the caller then starts it on the host's network.
fn spawn_isolated(
    kubeconfig: PathBuf,
    make: impl Fn(&Path) -> Command + Send + 'static,
) -> Option<(TcpListener, Child)> {
    std::thread::spawn(move || {
        // SAFETY: unshare(2) with CLONE_NEWNET moves only this thread (which ends here) into a new
        // network namespace; the child and the listener created below keep it alive.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return None;
        }
        let up = Command::new("ip")
            .args(["link", "set", "lo", "up"])
            .status()
            .ok()?;
        if !up.success() {
            return None;
        }
        let listener = TcpListener::bind("127.0.0.1:0").ok()?;
        write_kubeconfig(&kubeconfig, listener.local_addr().ok()?.port());
        let child = make(&kubeconfig).spawn().ok()?;
        Some((listener, child))
    })
    .join()
    .ok()
    .flatten()
}

/// Starts a proxy to the test bed's apiserver (through `client`) and the command `make` builds with
/// the proxy's kubeconfig (written to `kubeconfig`); with `isolate`, both in a network namespace of
/// their own when one can be made.
pub async fn start_behind_proxy(
    client: &Client,
    kubeconfig: PathBuf,
    isolate: bool,
    make: impl Fn(&Path) -> Command + Send + Clone + 'static,
) -> (ApiProxy, Child) {
    let isolated = match isolate {
        true => spawn_isolated(kubeconfig.clone(), make.clone()),
        false => None,
    };
    if isolate && isolated.is_none() {
        println!(
            "no network namespace of its own (needs root and `ip`): starting on the host's network"
        );
    }
    let (listener, child, isolated) = match isolated {
        Some((l, c)) => (l, c, true),
        None => {
            let listener = TcpListener::bind("127.0.0.1:0")
                .unwrap_or_else(|e| panic!("binding the proxy: {e}"));
            let port = listener
                .local_addr()
                .unwrap_or_else(|e| panic!("proxy address: {e}"))
                .port();
            write_kubeconfig(&kubeconfig, port);
            let child = make(&kubeconfig)
                .spawn()
                .unwrap_or_else(|e| panic!("starting the controller: {e}"));
            (listener, child, false)
        }
    };
    let counts = Arc::new(Mutex::new(Counts::new()));
    serve(listener, client.clone(), counts.clone());
    let proxy = ApiProxy { counts, isolated };
    (proxy, child)
}

/// Serves the proxy on `listener` in the background.
fn serve(listener: TcpListener, client: Client, counts: Arc<Mutex<Counts>>) {
    listener
        .set_nonblocking(true)
        .unwrap_or_else(|e| panic!("proxy listener: {e}"));
    let listener = tokio::net::TcpListener::from_std(listener)
        .unwrap_or_else(|e| panic!("proxy listener: {e}"));
    let app = Router::new().fallback(forward).with_state((client, counts));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

/// Counts one request and forwards it; the response (a watch's too) streams back as it comes.
async fn forward(
    State((client, counts)): State<(Client, Arc<Mutex<Counts>>)>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let key = classify(parts.method.as_str(), parts.uri.path(), parts.uri.query());
    *counts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_insert(0) += 1;
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::BAD_REQUEST, "unreadable body").into_response();
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut upstream = http::Request::builder()
        .method(parts.method.clone())
        .uri(target);
    for (name, value) in &parts.headers {
        if !HOP.contains(&name.as_str()) {
            upstream = upstream.header(name, value);
        }
    }
    let Ok(upstream) = upstream.body(kube::client::Body::from(bytes)) else {
        return (StatusCode::BAD_REQUEST, "unforwardable request").into_response();
    };
    match client.send(upstream).await {
        Ok(resp) => {
            let (mut head, body) = resp.into_parts();
            for name in HOP {
                head.headers.remove(name);
            }
            Response::from_parts(head, Body::new(body))
        }
        Err(e) => (StatusCode::BAD_GATEWAY, format!("apiserver: {e}")).into_response(),
    }
}
