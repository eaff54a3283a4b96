//! The controller installed in-cluster with Helm on the test bed's node, and a busybox app that prints
//! the secret it is given: shared by the end-to-end test and the in-cluster benchmark.

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Client;
use kube::api::{Api, ListParams, LogParams};

/// The image `cargo xtask image` builds and imports into the node.
pub const IMAGE: &str = "localhost/secretsync:dev";
/// Where the EKS webhook mounts the web-identity token.
pub const TOKEN_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

/// The app: prints the password from its environment once, then the mounted file every second.
pub fn app_yaml(min_ready_seconds: u32) -> String {
    let print = r#"echo "env=$P"; while true; do echo "file=$(cat /s/password)"; sleep 1; done"#;
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  annotations: {{ secretsync.io/reload: \"true\" }}\n\
         spec:\n  minReadySeconds: {min_ready_seconds}\n  selector: {{ matchLabels: {{ app: app }} }}\n  template:\n    metadata: {{ labels: {{ app: app }} }}\n    spec:\n\
         \x20     terminationGracePeriodSeconds: 1\n\
         \x20     containers:\n\
         \x20       - name: app\n\
         \x20         image: localhost/busybox:testbed\n\
         \x20         imagePullPolicy: Never\n\
         \x20         command: [ sh, -c, '{print}' ]\n\
         \x20         env: [ {{ name: P, valueFrom: {{ secretKeyRef: {{ name: app-secret, key: password }} }} }} ]\n\
         \x20         volumeMounts: [ {{ name: s, mountPath: /s }} ]\n\
         \x20     volumes: [ {{ name: s, secret: {{ secretName: app-secret }} }} ]\n"
    )
}

/// Fails (with what to run) unless the node is Ready and holds the controller image.
pub async fn require_node_with_image(client: &Client) {
    let nodes: Api<Node> = Api::all(client.clone());
    let node = nodes.get_opt("localhost").await.ok().flatten();
    let status = node.and_then(|n| n.status).unwrap_or_default();
    let ready = status
        .conditions
        .unwrap_or_default()
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    assert!(
        ready,
        "the test bed has no Ready node `localhost`: start it with `cargo xtask testbed up` (not \
         `--no-node`) and `source target/testbed/env`"
    );
    let has_image = status
        .images
        .unwrap_or_default()
        .iter()
        .any(|i| i.names.iter().flatten().any(|n| n.ends_with(IMAGE)));
    assert!(
        has_image,
        "the node has no image {IMAGE}: run `cargo xtask image` (which `cargo xtask test` runs)"
    );
}

pub async fn logs(pods: &Api<Pod>, name: &str) -> String {
    pods.logs(name, &LogParams::default())
        .await
        .unwrap_or_default()
}

/// Waits until a Running app Pod not in `not` logs `needle`; returns its name.
pub async fn wait_for_app_printing(
    pods: &Api<Pod>,
    not: &BTreeSet<String>,
    needle: &str,
) -> String {
    wait_for_pod_printing(pods, "app=app", not, needle).await
}

/// Waits until a Running Pod matching `labels` (other than those in `not`) logs `needle`; returns
/// its name.
pub async fn wait_for_pod_printing(
    pods: &Api<Pod>,
    labels: &str,
    not: &BTreeSet<String>,
    needle: &str,
) -> String {
    super::wait_for(
        &format!("a Running Pod ({labels}) printing {needle:?}"),
        Duration::from_secs(120),
        || async move {
            let list = pods
                .list(&ListParams::default().labels(labels))
                .await
                .ok()?;
            for p in list.items {
                let name = p.metadata.name.clone().unwrap_or_default();
                let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
                if running
                    && !not.contains(&name)
                    && p.metadata.deletion_timestamp.is_none()
                    && logs(pods, &name).await.contains(needle)
                {
                    return Some(name);
                }
            }
            None
        },
    )
    .await
}

/// Names of the controller Pods that are Ready.
pub async fn ready_controllers(pods: &Api<Pod>) -> BTreeSet<String> {
    let list = pods
        .list(&ListParams::default().labels("app.kubernetes.io/name=secretsync"))
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    list.into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .filter_map(|p| p.metadata.name)
        .collect()
}

pub async fn holder(leases: &Api<Lease>, name: &str) -> Option<String> {
    leases
        .get_opt(name)
        .await
        .ok()
        .flatten()?
        .spec?
        .holder_identity
}

/// Chart values for an in-cluster controller on the test bed watching `app_ns`: the local image, the
/// pod gateway as the apiserver's address, and an IRSA-shaped web identity at the emulator's STS.
/// Entries starting with `string:` are passed with `--set-string`.
pub fn helm_values(app_ns: &str) -> Vec<String> {
    let gateway = super::testbed_var("SECRETSYNC_POD_GATEWAY");
    let apiserver_port = super::testbed_var("SECRETSYNC_POD_APISERVER_PORT");
    let aws = super::testbed_var("SECRETSYNC_POD_AWS_ENDPOINT");
    let (repository, tag) = IMAGE.split_once(':').expect("image reference");
    vec![
        format!("image.repository={repository},image.tag={tag},image.pullPolicy=Never"),
        format!("watchNamespace={app_ns}"),
        "minRefreshInterval=1s,rolloutSettle=1s".to_string(),
        "logLevel=info\\,secretsync=debug".to_string(),
        // No kube-proxy on the test bed: in-cluster config reaches the apiserver at the pod gateway.
        format!("extraEnv[0].name=KUBERNETES_SERVICE_HOST,extraEnv[0].value={gateway}"),
        format!("string:extraEnv[1].name=KUBERNETES_SERVICE_PORT,extraEnv[1].value={apiserver_port}"),
        // What the EKS pod identity webhook injects.
        "extraEnv[2].name=AWS_ROLE_ARN,extraEnv[2].value=arn:aws:iam::123456789012:role/secretsync-e2e"
            .to_string(),
        format!("extraEnv[3].name=AWS_WEB_IDENTITY_TOKEN_FILE,extraEnv[3].value={TOKEN_DIR}/token"),
        "extraEnv[4].name=AWS_REGION,extraEnv[4].value=us-east-1".to_string(),
        format!("extraEnv[5].name=AWS_ENDPOINT_URL_STS,extraEnv[5].value={aws}"),
        "string:extraEnv[6].name=AWS_EC2_METADATA_DISABLED,extraEnv[6].value=true".to_string(),
        "extraVolumes[0].name=aws-iam-token,extraVolumes[0].projected.sources[0].serviceAccountToken.audience=sts.amazonaws.com,extraVolumes[0].projected.sources[0].serviceAccountToken.path=token,extraVolumes[0].projected.sources[0].serviceAccountToken.expirationSeconds=3600".to_string(),
        format!("extraVolumeMounts[0].name=aws-iam-token,extraVolumeMounts[0].mountPath={TOKEN_DIR},extraVolumeMounts[0].readOnly=true"),
    ]
}

/// A ClusterSecretStore `store` without auth at the emulator (through the pod gateway), the
/// ExternalSecret `app` writing remote `key` to Secret `app-secret`, and the app Deployment.
pub fn store_and_app(store: &str, key: &str, interval: &str, min_ready_seconds: u32) -> String {
    let aws = super::testbed_var("SECRETSYNC_POD_AWS_ENDPOINT");
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\nmetadata: {{ name: {store} }}\n\
         spec:\n  aws: {{ region: us-east-1, endpoint: \"{aws}\" }}\n---\n\
         apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: app }}\nspec:\n\
         \x20 secretStoreRef: {{ name: {store}, kind: ClusterSecretStore }}\n\
         \x20 refreshInterval: {interval}\n\
         \x20 target: {{ name: app-secret }}\n\
         \x20 data: [ {{ secretKey: password, remoteRef: {{ key: \"{key}\" }} }} ]\n---\n{}",
        app_yaml(min_ready_seconds)
    )
}
