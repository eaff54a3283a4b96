//! secretsync as users install it: `helm install` of the chart with the image `cargo xtask image` built,
//! two controller Pods on the test bed's node (one leader), an IRSA-shaped identity (a projected
//! ServiceAccount token with audience `sts.amazonaws.com` plus `AWS_ROLE_ARN` and
//! `AWS_WEB_IDENTITY_TOKEN_FILE`, as the EKS webhook injects them) exchanged at the emulator's STS, a
//! ClusterSecretStore without `auth`, and a busybox app that prints the secret. Then a rotation, the
//! leader Pod deleted during another rotation, `helm upgrade` and `helm uninstall`.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::helm::{Release, fullname, release_name};
use common::prometheus::Prometheus;
use common::workloads::replicasets;
use common::{apply, create_remote, has, rotate_remote, wait_secret};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, LogParams};

/// The image `cargo xtask image` builds and imports into the node.
const IMAGE: &str = "localhost/secretsync:dev";
/// Where the EKS webhook mounts the web-identity token.
const TOKEN_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

/// The app: prints the password from its environment once, then the mounted file every second.
fn app_yaml() -> String {
    let print = r#"echo "env=$P"; while true; do echo "file=$(cat /s/password)"; sleep 1; done"#;
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  annotations: {{ secretsync.io/reload: \"true\" }}\n\
         spec:\n  selector: {{ matchLabels: {{ app: app }} }}\n  template:\n    metadata: {{ labels: {{ app: app }} }}\n    spec:\n\
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
async fn require_node_with_image(client: &Client) {
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

async fn logs(pods: &Api<Pod>, name: &str) -> String {
    pods.logs(name, &LogParams::default())
        .await
        .unwrap_or_default()
}

/// Waits until a Running app Pod not in `not` logs `needle`; returns its name.
async fn wait_for_app_printing(pods: &Api<Pod>, not: &BTreeSet<String>, needle: &str) -> String {
    common::wait_for(
        &format!("a Running app Pod printing {needle:?}"),
        Duration::from_secs(120),
        || async move {
            let list = pods
                .list(&ListParams::default().labels("app=app"))
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
async fn ready_controllers(pods: &Api<Pod>) -> BTreeSet<String> {
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

async fn holder(leases: &Api<Lease>, name: &str) -> Option<String> {
    leases
        .get_opt(name)
        .await
        .ok()
        .flatten()?
        .spec?
        .holder_identity
}

#[tokio::test]
async fn helm_install_runs_two_replicas_with_web_identity_and_the_app_rolls_once_per_rotation() {
    let client = common::client().await;
    require_node_with_image(&client).await;
    common::install_crds(&client).await;
    let sys = common::namespace(&client, "e2e-sys").await;
    let app = common::namespace(&client, "e2e-app").await;
    let gateway = common::testbed_var("SECRETSYNC_POD_GATEWAY");
    let apiserver_port = common::testbed_var("SECRETSYNC_POD_APISERVER_PORT");
    let aws = common::testbed_var("SECRETSYNC_POD_AWS_ENDPOINT");
    let release = release_name(&sys);
    let (repository, tag) = IMAGE.split_once(':').expect("image reference");
    let sets = [
        format!("image.repository={repository},image.tag={tag},image.pullPolicy=Never"),
        format!("watchNamespace={app}"),
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
    ];
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let mut installed = Release::install_on_node(&release, &sys, &sets, &[&sys, &app]);

    // Two controller Pods Running and Ready (readiness is /readyz), one of them leading.
    let controllers: Api<Pod> = Api::namespaced(client.clone(), &sys);
    let ready = common::wait_for(
        "two controller Pods Ready",
        Duration::from_secs(120),
        || async { Some(ready_controllers(&controllers).await).filter(|r| r.len() == 2) },
    )
    .await;
    let leases: Api<Lease> = Api::namespaced(client.clone(), &sys);
    let lease = format!("{}-leader", fullname(&release));
    let leader = common::wait_for("a leader", Duration::from_secs(60), || async {
        holder(&leases, &lease).await.filter(|h| ready.contains(h))
    })
    .await;

    // A ClusterSecretStore without auth uses the controller's own (web) identity.
    let sm = common::sm();
    let key = format!("{app}/db");
    create_remote(&sm, &key, "e2e-pw-1").await;
    let store = format!("e2e-{app}");
    apply(
        &client,
        &app,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\nmetadata: {{ name: {store} }}\n\
             spec:\n  aws: {{ region: us-east-1, endpoint: \"{aws}\" }}\n---\n\
             apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: app }}\nspec:\n\
             \x20 secretStoreRef: {{ name: {store}, kind: ClusterSecretStore }}\n\
             \x20 refreshInterval: 2s\n\
             \x20 target: {{ name: app-secret }}\n\
             \x20 data: [ {{ secretKey: password, remoteRef: {{ key: \"{key}\" }} }} ]\n---\n{}",
            app_yaml()
        ),
    )
    .await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &app);
    let mut seen = BTreeSet::new();
    let first = wait_for_app_printing(&pods, &seen, "env=e2e-pw-1").await;
    seen.insert(first.clone());

    // Rotation: the app rolls once; the new Pod prints the new value; the old Pod's file changed too.
    rotate_remote(&sm, &key, "e2e-pw-2").await;
    let second = wait_for_app_printing(&pods, &seen, "env=e2e-pw-2").await;
    seen.insert(second);
    assert_eq!(replicasets(&client, &app).await.get("app"), Some(&2));

    // A real Prometheus scrapes both controller Pods; every dashboard query returns data.
    let targets: Vec<String> = controllers
        .list(&ListParams::default().labels("app.kubernetes.io/name=secretsync"))
        .await
        .expect("listing controller Pods")
        .items
        .into_iter()
        .filter_map(|p| p.status?.pod_ip)
        .map(|ip| format!("{ip}:8080"))
        .collect();
    let prometheus = Prometheus::start(&sys, &targets).await;
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::helm::chart().join("files/dashboard.json"))
            .expect("dashboard.json"),
    )
    .expect("dashboard JSON");
    for panel in dashboard["panels"].as_array().into_iter().flatten() {
        let expr = panel["targets"][0]["expr"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let title = panel["title"].as_str().unwrap_or_default().to_string();
        common::wait_for(
            &format!("data for the dashboard panel {title:?} ({expr})"),
            Duration::from_secs(60),
            || {
                let expr = expr.clone();
                let prometheus = &prometheus;
                async move { prometheus.query(&expr).filter(|r| !r.is_empty()) }
            },
        )
        .await;
    }
    drop(prometheus);

    // The leader Pod goes away during the next rotation: the standby takes over and the app still
    // rolls exactly once.
    rotate_remote(&sm, &key, "e2e-pw-3").await;
    controllers
        .delete(&leader, &DeleteParams::default())
        .await
        .expect("deleting the leader Pod");
    // The leader gives the lease up on SIGTERM; the standby (or the Pod replacing the leader, whichever
    // asks first) takes it, well within the 15 s lease duration.
    let new_leader = common::wait_for(
        "another replica to lead",
        Duration::from_secs(20),
        || async {
            holder(&leases, &lease)
                .await
                .filter(|h| !h.is_empty() && *h != leader)
        },
    )
    .await;
    eprintln!("leader {leader} deleted; {new_leader} leads now");
    wait_for_app_printing(&pods, &seen, "env=e2e-pw-3").await;
    wait_secret(&client, &app, "app-secret", "third value", |s| {
        has(s, "password", "e2e-pw-3")
    })
    .await;
    assert_eq!(
        replicasets(&client, &app).await.get("app"),
        Some(&3),
        "one roll per rotation, failover included"
    );

    // Upgrade (a value change) keeps it running; uninstall keeps the CRDs and the synced Secret.
    let out = installed.upgrade(&["logLevel=info"]);
    assert!(out.contains("STATUS: deployed"), "helm upgrade:\n{out}");
    common::wait_for(
        "two controller Pods Ready after the upgrade",
        Duration::from_secs(120),
        || async { Some(ready_controllers(&controllers).await).filter(|r| r.len() == 2) },
    )
    .await;
    installed.uninstall();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    assert!(
        crds.get_opt("externalsecrets.secretsync.io")
            .await
            .ok()
            .flatten()
            .is_some(),
        "helm uninstall removed the CRD"
    );
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &app);
    assert!(
        secrets.get_opt("app-secret").await.ok().flatten().is_some(),
        "helm uninstall removed the synced Secret"
    );
    let stores: Api<secretsync::api::ClusterSecretStore> = Api::all(client.clone());
    let _ = stores.delete(&store, &DeleteParams::default()).await;
    common::delete_namespace(&client, &app).await;
    common::delete_namespace(&client, &sys).await;
}
