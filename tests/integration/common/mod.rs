//! Shared helpers for integration tests: the test bed's environment, a client, polling.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// The test bed's env file, as written by `cargo xtask testbed up`.
pub fn env_file() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("testbed").join("env")
}

/// Variables of the env file; panics with how to start the test bed when it is missing.
pub fn testbed_env() -> BTreeMap<String, String> {
    let path = env_file();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the test bed is not running ({}: {e}).\nStart it with `cargo xtask testbed up`, \
             or run every test with `cargo xtask test`.",
            path.display()
        )
    });
    text.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| *k != "PATH")
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

/// One variable of the test bed's environment.
pub fn testbed_var(name: &str) -> String {
    testbed_env().remove(name).unwrap_or_else(|| {
        panic!(
            "{name} missing from {}; re-run `cargo xtask testbed up`",
            env_file().display()
        )
    })
}

/// Path of a tool in the test bed's bin folder (kubectl, helm, aws, moto_server).
pub fn tool(name: &str) -> PathBuf {
    PathBuf::from(testbed_var("SECRETSYNC_TESTBED_BIN")).join(name)
}

/// A client for the test bed's kube-apiserver; fails with how to start it when unreachable.
pub async fn client() -> Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let kubeconfig = testbed_var("KUBECONFIG");
    let kc =
        Kubeconfig::read_from(&kubeconfig).unwrap_or_else(|e| panic!("reading {kubeconfig}: {e}"));
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap_or_else(|e| panic!("loading {kubeconfig}: {e}"));
    let client = Client::try_from(config).unwrap_or_else(|e| panic!("building a client: {e}"));
    if let Err(e) = client.apiserver_version().await {
        panic!(
            "the test bed's kube-apiserver does not answer ({e}).\nStart it with `cargo xtask testbed up`, \
             or run every test with `cargo xtask test`."
        );
    }
    client
}

/// Polls `f` every 100 ms until it returns Some, or panics after `deadline` naming `what`.
pub async fn wait_for<T, F, Fut>(what: &str, deadline: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        if start.elapsed() > deadline {
            panic!("timed out after {deadline:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Checks every 100 ms for `window` that `f` still returns None (nothing that must not happen has
/// happened), and panics at the first Some, with `what` and what `f` returned. For "this never
/// happens" after a positive wait showed the controller handled the input: a late effect (a read, a
/// deletion) shows here instead of after a blind sleep.
pub async fn never_within<T, F, Fut>(what: &str, window: Duration, mut f: F)
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            panic!("{what} happened within {:?}: {v:?}", start.elapsed());
        }
        if start.elapsed() > window {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Applies the generated CRDs (server-side) and waits until all are Established.
pub async fn install_crds(client: &Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let pp = PatchParams::apply("secretsync-tests").force();
    for crd in secretsync::api::all_crds() {
        let name = crd.metadata.name.clone().unwrap_or_default();
        api.patch(&name, &pp, &Patch::Apply(&crd))
            .await
            .unwrap_or_else(|e| panic!("applying CRD {name}: {e}"));
    }
    for crd in secretsync::api::all_crds() {
        let name = crd.metadata.name.clone().unwrap_or_default();
        wait_for(
            &format!("CRD {name} Established"),
            Duration::from_secs(30),
            || {
                let api = api.clone();
                let name = name.clone();
                async move {
                    let crd = api.get(&name).await.ok()?;
                    let established = crd
                        .status?
                        .conditions?
                        .into_iter()
                        .any(|c| c.type_ == "Established" && c.status == "True");
                    established.then_some(())
                }
            },
        )
        .await;
    }
}

/// Creates a fresh namespace named after the test, with a random suffix.
pub async fn namespace(client: &Client, prefix: &str) -> String {
    // The suffix starts with a letter, so a test value such as `prefix-1` is never part of a
    // namespace name (log assertions would otherwise find it there).
    let suffix: String = "t".to_string()
        + &std::process::id().to_string()
        + &format!(
            "{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
    let name = format!("{prefix}-{suffix}")
        .chars()
        .take(63)
        .collect::<String>();
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": name}}))
        .expect("static namespace JSON");
    api.create(&PostParams::default(), &ns)
        .await
        .unwrap_or_else(|e| panic!("creating namespace {name}: {e}"));
    name
}

/// Deletes a namespace (best effort; the namespace controller finishes the job).
pub async fn delete_namespace(client: &Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let _ = api.delete(name, &DeleteParams::default()).await;
}

pub mod events;
pub mod fake_endpoints;
pub mod fault_proxy;
pub mod forwarder;
pub mod helm;
pub mod in_cluster;
pub mod moto;
pub mod operator;
pub mod prometheus;
pub mod scenario;
pub mod ssm;
pub mod workloads;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{ApiResource, DynamicObject};
use secretsync::api::{ClusterSecretStore, ExternalSecret, SecretStore};

/// Namespace the controller keeps its digest key in.
pub const CONTROLLER_NAMESPACE: &str = "secretsync-system";

/// Client, CRDs installed, controller namespace present, and a fresh namespace for the test.
pub async fn setup(prefix: &str) -> (Client, String) {
    let client = client().await;
    install_crds(&client).await;
    let api: Api<Namespace> = Api::all(client.clone());
    if api
        .get_opt(CONTROLLER_NAMESPACE)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": CONTROLLER_NAMESPACE}}))
                .expect("static namespace JSON");
        let _ = api.create(&PostParams::default(), &ns).await;
    }
    let ns = namespace(&client, prefix).await;
    (client, ns)
}

/// A Secrets Manager client for an endpoint (dummy keys unless given).
pub fn sm_at(endpoint: &str, keys: Option<(&str, &str)>) -> aws_sdk_secretsmanager::Client {
    use aws_sdk_secretsmanager::config::{Credentials, Region};
    let (id, secret) = keys.unwrap_or(("testing", "testing"));
    let config = aws_sdk_secretsmanager::Config::builder()
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(id, secret, None, None, "tests"))
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// A Secrets Manager client for the test bed's moto.
pub fn sm() -> aws_sdk_secretsmanager::Client {
    sm_at(&testbed_var("AWS_ENDPOINT_URL"), None)
}

/// Creates a remote secret with a string value; returns its version id.
pub async fn create_remote(sm: &aws_sdk_secretsmanager::Client, name: &str, value: &str) -> String {
    let out = sm
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateSecret {name}: {e:?}"));
    out.version_id().unwrap_or_default().to_string()
}

/// Puts a new AWSCURRENT value; returns its version id.
pub async fn rotate_remote(sm: &aws_sdk_secretsmanager::Client, name: &str, value: &str) -> String {
    let out = sm
        .put_secret_value()
        .secret_id(name)
        .secret_string(value)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutSecretValue {name}: {e:?}"));
    out.version_id().unwrap_or_default().to_string()
}

fn api_resource(kind: &str) -> ApiResource {
    match kind {
        "ExternalSecret" => ApiResource::erase::<ExternalSecret>(&()),
        "SecretStore" => ApiResource::erase::<SecretStore>(&()),
        "ClusterSecretStore" => ApiResource::erase::<ClusterSecretStore>(&()),
        "ClusterExternalSecret" => {
            ApiResource::erase::<secretsync::api::ClusterExternalSecret>(&())
        }
        "Rollout" => ApiResource::from_gvk_with_plural(
            &kube::api::GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
            "rollouts",
        ),
        "Secret" => ApiResource::erase::<Secret>(&()),
        "ConfigMap" => ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
        "ServiceAccount" => ApiResource::erase::<k8s_openapi::api::core::v1::ServiceAccount>(&()),
        "Deployment" => ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
        "StatefulSet" => ApiResource::erase::<k8s_openapi::api::apps::v1::StatefulSet>(&()),
        "DaemonSet" => ApiResource::erase::<k8s_openapi::api::apps::v1::DaemonSet>(&()),
        "Pod" => ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&()),
        other => panic!("apply: unsupported kind {other}"),
    }
}

/// Server-side applies every document of a YAML stream; namespaced objects go to `ns` unless they name one.
pub async fn apply(client: &Client, ns: &str, yaml: &str) {
    for doc in yaml.split("\n---").filter(|d| !d.trim().is_empty()) {
        let value: serde_json::Value =
            serde_yaml_ng::from_str(doc).unwrap_or_else(|e| panic!("bad YAML in test: {e}\n{doc}"));
        let kind = value["kind"].as_str().unwrap_or_default().to_string();
        let ar = api_resource(&kind);
        let obj: DynamicObject =
            serde_json::from_value(value).unwrap_or_else(|e| panic!("bad object: {e}"));
        let name = obj.metadata.name.clone().unwrap_or_default();
        let api: Api<DynamicObject> =
            if kind == "ClusterSecretStore" || kind == "ClusterExternalSecret" {
                Api::all_with(client.clone(), &ar)
            } else {
                let target_ns = obj
                    .metadata
                    .namespace
                    .clone()
                    .unwrap_or_else(|| ns.to_string());
                Api::namespaced_with(client.clone(), &target_ns, &ar)
            };
        api.patch(
            &name,
            &PatchParams::apply("secretsync-tests").force(),
            &Patch::Apply(&obj),
        )
        .await
        .unwrap_or_else(|e| panic!("applying {kind} {name}: {e}"));
    }
}

/// Waits until the Secret exists and satisfies `cond`.
pub async fn wait_secret(
    client: &Client,
    ns: &str,
    name: &str,
    what: &str,
    cond: impl Fn(&Secret) -> bool,
) -> Secret {
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    wait_for(
        &format!("Secret {ns}/{name}: {what}"),
        Duration::from_secs(30),
        || {
            let api = api.clone();
            let name = name.to_string();
            let ok = &cond;
            async move { api.get_opt(&name).await.ok().flatten().filter(|s| ok(s)) }
        },
    )
    .await
}

/// The message of an ExternalSecret's Ready condition ("" when it has none).
pub fn ready_message(es: &ExternalSecret) -> String {
    es.status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.message.clone())
        .unwrap_or_default()
}

/// Waits until the ExternalSecret's Ready condition has this status and reason.
pub async fn wait_ready(
    client: &Client,
    ns: &str,
    name: &str,
    status: &str,
    reason: &str,
) -> ExternalSecret {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let started = std::time::Instant::now();
    loop {
        let es = api.get_opt(name).await.ok().flatten();
        let cond = es.as_ref().and_then(|es| {
            es.status
                .as_ref()?
                .conditions
                .iter()
                .find(|c| c.type_ == "Ready")
                .map(|c| (c.status.clone(), c.reason.clone(), c.message.clone()))
        });
        if let (Some(es), Some((s, r, _))) = (&es, &cond)
            && s == status
            && r == reason
        {
            return es.clone();
        }
        if started.elapsed() > Duration::from_secs(40) {
            panic!("ExternalSecret {ns}/{name}: wanted Ready={status}/{reason}, have {cond:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A Secret's data as raw bytes per key (empty when it has none).
pub fn secret_data(secret: &Secret) -> BTreeMap<String, Vec<u8>> {
    secret
        .data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect()
}

/// A Secret's data as text per key (invalid UTF-8 replaced).
pub fn secret_text(secret: &Secret) -> BTreeMap<String, String> {
    secret_data(secret)
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect()
}

/// A Secret data value as text.
pub fn text(secret: &Secret, key: &str) -> String {
    let bytes = secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .unwrap_or_else(|| panic!("Secret has no key {key}"));
    String::from_utf8_lossy(&bytes.0).into_owned()
}

/// Whether the Secret's `key` holds `value`.
pub fn has(secret: &Secret, key: &str, value: &str) -> bool {
    secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .is_some_and(|b| b.0 == value.as_bytes())
}

/// Every Event message about objects in a namespace.
pub async fn event_messages(client: &Client, ns: &str) -> Vec<String> {
    let api: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(client.clone(), ns);
    api.list(&Default::default())
        .await
        .map(|l| {
            l.items
                .into_iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e.reason.unwrap_or_default(),
                        e.note.unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits (30 s at most) until the namespace's Events mention every one of `needles` (Events are sent
/// in the background, just after the status they go with); returns all Event messages, one per line.
pub async fn wait_for_events(client: &Client, ns: &str, needles: &[&str]) -> String {
    wait_for(
        &format!("Events mentioning {needles:?} in {ns}"),
        Duration::from_secs(30),
        || async {
            let events = event_messages(client, ns).await.join("\n");
            needles.iter().all(|n| events.contains(n)).then_some(events)
        },
    )
    .await
}

/// A SecretStore named `name` reaching `endpoint` with its own static keys (Secret `aws-creds`,
/// emitted first; the test bed's moto accepts any keys). A namespaced store may not use the
/// controller's own identity by default.
pub fn store_yaml(name: &str, endpoint: &str) -> String {
    format!(
        "{}---\napiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {name} }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n",
        aws_creds_yaml()
    )
}

/// Applies the test bed's SecretStore `aws` (with its own `aws-creds`) in `ns`.
pub async fn apply_test_store(client: &Client, ns: &str) {
    apply(
        client,
        ns,
        &store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
    )
    .await;
}

/// An ExternalSecret `name` writing remote `key` to Secret key `password`; `extra` holds more spec
/// lines (indented two spaces), e.g. a target or rolloutRestartTargets.
pub fn single_key_es(name: &str, store: &str, interval: &str, key: &str, extra: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: {name} }}\nspec:\n  secretStoreRef: {{ name: {store} }}\n  refreshInterval: {interval}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\" }} }}\n{extra}"
    )
}

/// The test bed store plus one single-key ExternalSecret, as one YAML stream.
pub fn store_and_es(endpoint: &str, es: &str, interval: &str, key: &str, extra: &str) -> String {
    format!(
        "{}---\n{}",
        store_yaml("aws", endpoint),
        single_key_es(es, "aws", interval, key, extra)
    )
}

/// The Secret `aws-creds` with test keys (`access-key-id`/`secret-access-key` = testing/testing).
pub fn aws_creds_yaml() -> String {
    "apiVersion: v1\nkind: Secret\nmetadata: { name: aws-creds }\nstringData: { access-key-id: testing, secret-access-key: testing }\n".to_string()
}

/// Reads one HTTP request (headers + Content-Length body); returns (headers, body).
pub fn read_request(conn: &mut std::net::TcpStream) -> (String, Vec<u8>) {
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    use std::io::Read;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                match conn.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            return (head, buf[end + 4..].to_vec());
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return (String::from_utf8_lossy(&buf).to_string(), Vec::new()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The Ready condition's (status, reason, message) of ExternalSecret `name`, if it has one.
async fn ready_of(api: &Api<ExternalSecret>, name: &str) -> Option<(String, String, String)> {
    let es = api.get_opt(name).await.ok().flatten()?;
    let c = es
        .status?
        .conditions
        .into_iter()
        .find(|c| c.type_ == "Ready")?;
    Some((c.status, c.reason, c.message))
}

/// Waits until the controller has counted, for every failure reason of `kept` (ExternalSecret,
/// reason), at least two more results per ExternalSecret of the namespace that is Ready=False with it
/// now (the kept ones and any other), i.e. the kept ExternalSecrets have been through at least two
/// more failed reconciles each on average. On every poll each kept ExternalSecret's target Secret (named
/// like it) still exists, and its Ready message never says a deletion is confirmed ("confirms").
pub async fn kept_through_failures(
    op: &operator::Operator,
    client: &Client,
    ns: &str,
    kept: &[(&str, &str)],
) {
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let count = |reason: &str| {
        op.metric_sum(
            "secretsync_sync_results_total",
            &[&format!("reason=\"{reason}\"")],
        )
    };
    let all = ess
        .list(&Default::default())
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    let mut want: BTreeMap<String, f64> = BTreeMap::new();
    for (_, reason) in kept {
        if want.contains_key(*reason) {
            continue;
        }
        let failing = all
            .iter()
            .filter(|es| {
                es.status
                    .iter()
                    .flat_map(|s| &s.conditions)
                    .any(|c| c.type_ == "Ready" && c.status == "False" && c.reason == *reason)
            })
            .count()
            .max(kept.iter().filter(|(_, r)| r == reason).count());
        want.insert(reason.to_string(), count(reason) + 2.0 * failing as f64);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let short: Vec<String> = want
            .iter()
            .filter(|(reason, at_least)| count(reason) < **at_least)
            .map(|(reason, at_least)| format!("{reason}: {} of {at_least}", count(reason)))
            .collect();
        assert!(
            Instant::now() < deadline,
            "timed out waiting for two more failed reconciles per ExternalSecret ({short:?})"
        );
        // Checked once more after the last count: the Secrets outlived every counted reconcile.
        for (name, reason) in kept {
            assert!(
                secrets.get_opt(name).await.ok().flatten().is_some(),
                "Secret {name} was deleted while its ExternalSecret failed with {reason}"
            );
            if let Some((status, r, message)) = ready_of(&ess, name).await {
                assert!(
                    !message.contains("confirms"),
                    "{name}: a kept Secret's remote secrets are never a confirmed deletion: {message}"
                );
                assert!(
                    status == "False" && r == *reason,
                    "{name}: Ready={status}/{r} instead of False/{reason}: {message}"
                );
            }
        }
        if short.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
