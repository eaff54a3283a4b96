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
    let suffix: String = std::process::id().to_string()
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
