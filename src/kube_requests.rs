//! Counts the controller's own requests to the Kubernetes API server by verb and resource
//! (`secretsync_kube_api_requests_total`): the apiserver's metrics count every client, these count
//! only secretsync's (so an idle controller's zero reads can be seen from the controller itself).

use ::http::{Method, Request};
use prometheus::IntCounterVec;

/// The verb and resource of one request, as the apiserver's metrics name them (`get`, `list`,
/// `watch`, `create`, `apply`, `patch`, `update`, `delete`, `deletecollection`; resource with its
/// subresource, e.g. `externalsecrets/status`; `other` for discovery and anything unrecognised).
pub fn classify(
    method: &Method,
    path: &str,
    query: Option<&str>,
    content_type: Option<&str>,
) -> (&'static str, String) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // After /api/v1 or /apis/<group>/<version>: [namespaces/<ns>/]<resource>[/<name>[/<sub>]].
    let rest: &[&str] = match segments.as_slice() {
        ["api", _version, rest @ ..] => rest,
        ["apis", _group, _version, rest @ ..] => rest,
        _ => &[],
    };
    let rest = match rest {
        ["namespaces", _ns, tail @ ..] if !tail.is_empty() => tail,
        other => other,
    };
    let (resource, named) = match rest {
        // Not a resource (discovery, /version): a GET reads one document.
        [] => return (verb_of(method, true, query, content_type), "other".into()),
        [resource] => (resource.to_string(), false),
        [resource, _name] => (resource.to_string(), true),
        [resource, _name, sub, ..] => (format!("{resource}/{sub}"), true),
    };
    (verb_of(method, named, query, content_type), resource)
}

fn verb_of(
    method: &Method,
    named: bool,
    query: Option<&str>,
    content_type: Option<&str>,
) -> &'static str {
    let watching =
        query.is_some_and(|q| q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1"));
    match *method {
        Method::GET if watching => "watch",
        Method::GET if named => "get",
        Method::GET => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH if content_type.is_some_and(|c| c.starts_with("application/apply-patch")) => {
            "apply"
        }
        Method::PATCH => "patch",
        Method::DELETE if named => "delete",
        Method::DELETE => "deletecollection",
        _ => "other",
    }
}

/// Counts `request` in `counter` (labels `verb`, `resource`) and passes it on unchanged.
pub fn count<B>(counter: &IntCounterVec, request: Request<B>) -> Request<B> {
    let content_type = request
        .headers()
        .get(::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (verb, resource) = classify(
        request.method(),
        request.uri().path(),
        request.uri().query(),
        content_type,
    );
    counter.with_label_values(&[verb, resource.as_str()]).inc();
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_named_like_the_apiservers_metrics() {
        let apply = Some("application/apply-patch+yaml");
        let merge = Some("application/merge-patch+json");
        // (method, path, query, content type, verb, resource)
        type Case<'a> = (
            Method,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
            &'a str,
        );
        let cases: &[Case] = &[
            (
                Method::GET,
                "/api/v1/namespaces/a/secrets/db",
                None,
                None,
                "get",
                "secrets",
            ),
            (
                Method::GET,
                "/api/v1/namespaces/a/secrets",
                Some("labelSelector=x"),
                None,
                "list",
                "secrets",
            ),
            (
                Method::GET,
                "/api/v1/secrets",
                Some("watch=true&resourceVersion=5"),
                None,
                "watch",
                "secrets",
            ),
            (
                Method::GET,
                "/api/v1/namespaces",
                None,
                None,
                "list",
                "namespaces",
            ),
            (
                Method::GET,
                "/api/v1/namespaces/a",
                None,
                None,
                "get",
                "namespaces",
            ),
            (
                Method::PATCH,
                "/api/v1/namespaces/a/secrets/db",
                None,
                apply,
                "apply",
                "secrets",
            ),
            (
                Method::PATCH,
                "/apis/secretsync.io/v1alpha1/namespaces/a/externalsecrets/db/status",
                None,
                apply,
                "apply",
                "externalsecrets/status",
            ),
            (
                Method::PATCH,
                "/apis/apps/v1/namespaces/a/deployments/api",
                None,
                merge,
                "patch",
                "deployments",
            ),
            (
                Method::POST,
                "/apis/events.k8s.io/v1/namespaces/a/events",
                None,
                None,
                "create",
                "events",
            ),
            (
                Method::POST,
                "/api/v1/namespaces/a/serviceaccounts/app/token",
                None,
                None,
                "create",
                "serviceaccounts/token",
            ),
            (
                Method::GET,
                "/apis/secretsync.io/v1alpha1/clustersecretstores",
                None,
                None,
                "list",
                "clustersecretstores",
            ),
            (
                Method::PUT,
                "/apis/coordination.k8s.io/v1/namespaces/s/leases/l",
                None,
                None,
                "update",
                "leases",
            ),
            (
                Method::DELETE,
                "/api/v1/namespaces/a/secrets/db",
                None,
                None,
                "delete",
                "secrets",
            ),
            (Method::GET, "/version", None, None, "get", "other"),
            (Method::GET, "/apis", None, None, "get", "other"),
            (
                Method::GET,
                "/apis/secretsync.io/v1alpha1",
                None,
                None,
                "get",
                "other",
            ),
        ];
        for (method, path, query, content_type, verb, resource) in cases {
            assert_eq!(
                classify(method, path, *query, *content_type),
                (*verb, resource.to_string()),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn counting_passes_the_request_through() {
        let counter = IntCounterVec::new(prometheus::Opts::new("c", "test"), &["verb", "resource"])
            .expect("counter");
        let request = Request::get("/api/v1/namespaces/a/secrets/db")
            .body(())
            .expect("request");
        let out = count(&counter, request);
        assert_eq!(out.uri().path(), "/api/v1/namespaces/a/secrets/db");
        assert_eq!(counter.with_label_values(&["get", "secrets"]).get(), 1);
    }
}
