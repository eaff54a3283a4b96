//! The Helm chart on the test bed: rendered objects validated by kube-apiserver (server-side dry run),
//! install and uninstall, and the real controller running on exactly the chart's RBAC.

use crate::common;

use common::helm::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Pod, Secret, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::Client;
use kube::api::{Api, ListParams, PostParams};
use serde_json::Value;

/// `kubectl apply --dry-run=server`: the apiserver validates and admits every object without storing it.
fn dry_run(yaml: &str) -> String {
    let mut cmd = tool("kubectl");
    cmd.args(["apply", "--dry-run=server", "-f", "-"]);
    run_ok(cmd, Some(yaml))
}

#[tokio::test]
async fn rendered_objects_pass_server_side_dry_run() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "helm-render").await;
    let watched = common::namespace(&client, "helm-watched").await;
    let release = release_name(&ns);

    // Default values, with the chart's CRD copies.
    let mut cmd = tool("helm");
    cmd.args(["template", &release])
        .arg(chart())
        .args(["--namespace", &ns, "--include-crds"]);
    let yaml = run_ok(cmd, None);
    let docs = documents(&yaml);
    assert_eq!(
        of_kind(&docs, "CustomResourceDefinition").len(),
        secretsync::api::all_crds().len()
    );
    let out = dry_run(&yaml);
    assert_eq!(
        out.matches("(server dry run)").count(),
        docs.len(),
        "every object validated:\n{out}"
    );

    // One watched namespace, per-tenant IRSA, PodDisruptionBudget.
    let sets = format!(
        "watchNamespace={watched},perTenantIRSA.enabled=true,serviceMonitor.enabled=false,pdb.enabled=true"
    );
    let yaml = render(&release, &ns, &[&sets]);
    let docs = documents(&yaml);
    assert!(kinds(&docs).contains("PodDisruptionBudget"));
    let out = dry_run(&yaml);
    assert_eq!(
        out.matches("(server dry run)").count(),
        docs.len(),
        "every object validated:\n{out}"
    );
    for line in [
        format!(
            "role.rbac.authorization.k8s.io/{} created",
            fullname(&release)
        ),
        format!("poddisruptionbudget.policy/{} created", fullname(&release)),
    ] {
        assert!(out.contains(&line), "{line:?} in:\n{out}");
    }

    // Nothing was stored.
    let roles: Api<ClusterRole> = Api::all(client.clone());
    assert!(!exists(&roles, &fullname(&release)).await);

    common::delete_namespace(&client, &ns).await;
    common::delete_namespace(&client, &watched).await;
}

#[tokio::test]
async fn helm_install_creates_every_object_and_uninstall_removes_them() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "helm-install").await;
    let release = release_name(&ns);
    let full = fullname(&release);
    let mut installed = Release::install(&release, &ns, &[], &[&ns]);

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let roles: Api<Role> = Api::namespaced(client.clone(), &ns);
    let role_bindings: Api<RoleBinding> = Api::namespaced(client.clone(), &ns);
    let cluster_roles: Api<ClusterRole> = Api::all(client.clone());
    let cluster_bindings: Api<ClusterRoleBinding> = Api::all(client.clone());
    let state = format!("{full}-state");

    let deployment = deployments
        .get(&full)
        .await
        .unwrap_or_else(|e| panic!("Deployment {ns}/{full}: {e}"));
    assert_eq!(deployment.spec.as_ref().and_then(|s| s.replicas), Some(2));
    assert!(exists(&accounts, &full).await, "ServiceAccount {full}");
    assert!(exists(&services, &full).await, "Service {full}");
    assert!(exists(&roles, &state).await, "Role {state}");
    assert!(exists(&role_bindings, &state).await, "RoleBinding {state}");
    assert!(exists(&cluster_roles, &full).await, "ClusterRole {full}");
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    for crd in [
        "externalsecrets.secretsync.io",
        "secretstores.secretsync.io",
        "clustersecretstores.secretsync.io",
        "clusterexternalsecrets.secretsync.io",
    ] {
        let got = crds
            .get(crd)
            .await
            .unwrap_or_else(|e| panic!("CRD {crd}: {e}"));
        let managers: Vec<String> = got
            .metadata
            .managed_fields
            .iter()
            .flatten()
            .filter_map(|m| m.manager.clone())
            .collect();
        assert!(
            managers.iter().any(|m| m.contains("helm")),
            "helm did not apply CRD {crd}; managers: {managers:?}"
        );
    }
    assert!(
        exists(&cluster_bindings, &full).await,
        "ClusterRoleBinding {full}"
    );

    // The controller-manager accepts the Deployment and creates its Pods (Pending: no kubelet).
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let selector = format!("app.kubernetes.io/instance={release}");
    common::wait_for("the Deployment's two Pods", Duration::from_secs(60), || {
        let pods = pods.clone();
        let lp = ListParams::default().labels(&selector);
        async move { (pods.list(&lp).await.ok()?.items.len() == 2).then_some(()) }
    })
    .await;

    installed.uninstall();
    common::wait_for(
        "cluster-scoped RBAC to be removed by helm uninstall",
        Duration::from_secs(30),
        || {
            let (cr, crb, d) = (
                cluster_roles.clone(),
                cluster_bindings.clone(),
                deployments.clone(),
            );
            let full = full.clone();
            async move {
                let gone = cr.get_opt(&full).await.ok()?.is_none()
                    && crb.get_opt(&full).await.ok()?.is_none()
                    && d.get_opt(&full).await.ok()?.is_none();
                gone.then_some(())
            }
        },
    )
    .await;
    assert!(
        !exists(&roles, &state).await,
        "Role {state} after uninstall"
    );
    assert!(
        !exists(&accounts, &full).await,
        "ServiceAccount after uninstall"
    );
}

// ---------------------------------------------------------------------------------------------------
// The real controller on exactly the chart's RBAC
// ---------------------------------------------------------------------------------------------------

/// A kubeconfig for the test bed's apiserver authenticating as the chart's ServiceAccount.
async fn service_account_kubeconfig(client: &Client, ns: &str, sa: &str, path: &Path) {
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), ns);
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: Vec::new(),
            expiration_seconds: Some(3600),
            ..Default::default()
        },
        ..Default::default()
    };
    let token = accounts
        .create_token_request(sa, &PostParams::default(), &request)
        .await
        .unwrap_or_else(|e| panic!("TokenRequest for {ns}/{sa}: {e}"))
        .status
        .expect("TokenRequest status")
        .token;
    let admin = std::fs::read_to_string(common::testbed_var("KUBECONFIG")).expect("kubeconfig");
    let admin: Value = serde_yaml_ng::from_str(&admin).expect("kubeconfig YAML");
    let cluster = &admin["clusters"][0]["cluster"];
    let config = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [ { "name": "testbed", "cluster": cluster } ],
        "users": [ { "name": sa, "user": { "token": token } } ],
        "contexts": [ { "name": "sa", "context": { "cluster": "testbed", "user": sa, "namespace": ns } } ],
        "current-context": "sa",
    });
    std::fs::write(path, serde_yaml_ng::to_string(&config).expect("kubeconfig"))
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Log lines reporting an RBAC denial, except reading a Secret in a namespace other than `own`, and
/// reading the test's ungranted generic target kind (`gadgets`, refused on purpose).
fn unexpected_denials(log: &str, own: &[&str]) -> Vec<String> {
    let ungranted = regex::Regex::new(r#"resource \\*"gadgets\\*""#).expect("static regex");
    let foreign_secret = regex::Regex::new(
        r#"cannot get resource \\*"secrets\\*" in API group \\*"\\*" in the namespace \\*"([-a-z0-9]+)\\*""#,
    )
    .expect("static regex");
    log.lines()
        .filter(|l| l.to_lowercase().contains("forbidden"))
        .filter(|l| !ungranted.is_match(l))
        .filter(|l| {
            let namespaces: Vec<&str> = foreign_secret
                .captures_iter(l)
                .filter_map(|c| c.get(1).map(|m| m.as_str()))
                .collect();
            namespaces.is_empty() || namespaces.iter().any(|n| own.contains(n))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn denial_filter_ignores_only_foreign_secret_reads() {
    let foreign = r#"{"message":"Unsuccessful: secrets \\\"creds\\\" is forbidden: User \\\"system:serviceaccount:a:b\\\" cannot get resource \\\"secrets\\\" in API group \\\"\\\" in the namespace \\\"default\\\""}"#;
    let own = r#"secrets "x" is forbidden: User "u" cannot get resource "secrets" in API group "" in the namespace "tenant""#;
    let events = r#"could not publish Event: events.events.k8s.io is forbidden: User "u" cannot create resource "events""#;
    let gadget = r#"gadgets.generic.secretsync.test "gadget" is forbidden: User "u" cannot get resource "gadgets" in API group "generic.secretsync.test""#;
    let log = [foreign, own, events, gadget, "all fine"].join("\n");
    assert_eq!(
        unexpected_denials(&log, &["tenant", "sys"]),
        [own.to_string(), events.to_string()]
    );
}

struct KillOnDrop(Child);

/// Deletes a ClusterSecretStore when dropped (cluster-scoped: namespace deletion does not remove it).
struct DeleteClusterStore(String);

impl Drop for DeleteClusterStore {
    fn drop(&mut self) {
        let mut cmd = tool("kubectl");
        cmd.args([
            "delete",
            "clustersecretstore",
            &self.0,
            "--ignore-not-found",
            "--wait=false",
        ]);
        let _ = run(cmd, None);
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn controller_works_with_exactly_the_chart_rbac() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "helm-rbac").await;
    crate::generic_kinds::install_test_kinds(&client).await;
    let tenant = common::namespace(&client, "helm-tenant").await;
    let release = release_name(&ns);
    let full = fullname(&release);
    // One watched namespace: the real binary must not reconcile other tests' namespaces.
    let _installed = Release::install(
        &release,
        &ns,
        &[&format!(
            "watchNamespace={tenant},logFormat=json,genericTargets.enabled=true,\
             genericTargets.extraResources[0].apiGroups[0]={group},\
             genericTargets.extraResources[0].resources[0]=widgets",
            group = crate::generic_kinds::GROUP
        )],
        &[&ns, &tenant],
    );
    let lease_name = lease_name(&release);
    let digest_key = digest_key_secret(&release);
    // The controller's arguments exactly as the installed Deployment has them (the Lease and the
    // digest key named after the release), serving its endpoints on a free local port instead.
    let port = common::operator::free_port();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let chart_args: Vec<String> = deployments
        .get(&full)
        .await
        .unwrap_or_else(|e| panic!("Deployment {ns}/{full}: {e}"))
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|p| p.containers.into_iter().next())
        .and_then(|c| c.args)
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            if a.starts_with("--metrics-addr=") {
                format!("--metrics-addr=127.0.0.1:{port}")
            } else {
                a
            }
        })
        .collect();
    for wanted in [
        format!("--namespace={tenant}"),
        "--leader-elect".to_string(),
        format!("--leader-elect-lease={lease_name}"),
        format!("--digest-key-secret={digest_key}"),
        "--unsafe-allow-generic-targets".to_string(),
    ] {
        assert!(chart_args.contains(&wanted), "{wanted} in {chart_args:?}");
    }

    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("helm-chart");
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let kubeconfig = tmp.join(format!("{release}.kubeconfig"));
    service_account_kubeconfig(&client, &ns, &full, &kubeconfig).await;

    // A remote secret, a store, an ExternalSecret that restarts a Deployment on rotation, and a second
    // ExternalSecret reading through a ClusterSecretStore admitted by namespace name.
    let cluster_store = DeleteClusterStore(format!("{release}-shared"));
    let sm = common::sm();
    let key = format!("{tenant}/db");
    common::create_remote(&sm, &key, r#"{"password":"chart-pw-1"}"#).await;
    let manifests = format!(
        "{tenant_store}\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: db }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: \"1s\"\n  target: {{ name: db-credentials }}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\", property: password }} }}\n  rolloutRestartTargets:\n    - {{ kind: Deployment, name: api }}\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\nmetadata: {{ name: {store} }}\nspec:\n  aws: {{ region: us-east-1, endpoint: \"{endpoint}\" }}\n  conditions: [ {{ namespaces: [ {tenant} ] }} ]\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: shared }}\nspec:\n  secretStoreRef: {{ name: {store}, kind: ClusterSecretStore }}\n  refreshInterval: \"0\"\n  target: {{ name: shared-credentials }}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\", property: password }} }}\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: settings }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: \"1s\"\n  target: {{ name: settings, manifest: {{ apiVersion: v1, kind: ConfigMap }} }}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\", property: password }} }}\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: widget }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: \"1s\"\n  target: {{ name: widget, manifest: {{ apiVersion: {group}/v1, kind: Widget }} }}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\", property: password }} }}\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: gadget }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: \"1s\"\n  target: {{ name: gadget, manifest: {{ apiVersion: {group}/v1, kind: Gadget }} }}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\", property: password }} }}\n\
         ---\n{deployment}",
        store = cluster_store.0,
        group = crate::generic_kinds::GROUP,
        endpoint = common::testbed_var("AWS_ENDPOINT_URL"),
        // A namespaced store brings its own keys (the chart's controller refuses its identity to tenants).
        tenant_store = common::store_yaml("aws", &common::testbed_var("AWS_ENDPOINT_URL")),
        deployment = common::workloads::deployment(
            "api",
            "",
            &common::workloads::env_from_pod("db-credentials")
        ),
    );
    common::apply(&client, &tenant, &manifests).await;

    // The binary exactly as the chart runs it, authenticated as the chart's ServiceAccount.
    let log = tmp.join(format!("{release}.log"));
    let file = std::fs::File::create(&log).expect("log file");
    let err = file.try_clone().expect("log file");
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_secretsync"))
            .args(&chart_args)
            .env("KUBECONFIG", &kubeconfig)
            // Debug logging, so that even a watch the controller only retries shows up as a denial.
            .env("RUST_LOG", "debug")
            .env("POD_NAMESPACE", &ns)
            .env("POD_NAME", format!("{full}-0"))
            .env("AWS_REGION", common::testbed_var("AWS_REGION"))
            .env(
                "AWS_ACCESS_KEY_ID",
                common::testbed_var("AWS_ACCESS_KEY_ID"),
            )
            .env(
                "AWS_SECRET_ACCESS_KEY",
                common::testbed_var("AWS_SECRET_ACCESS_KEY"),
            )
            .env_remove("AWS_ENDPOINT_URL")
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("starting secretsync controller"),
    );
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();

    // Leader election on the Lease the chart's Role allows.
    let leases: Api<Lease> = Api::namespaced(client.clone(), &ns);
    let started = Instant::now();
    common::wait_for(
        &format!("the controller to hold the Lease {lease_name}"),
        Duration::from_secs(60),
        || {
            let leases = leases.clone();
            let exited = child.0.try_wait().ok().flatten();
            let log = log_text();
            let full = full.clone();
            let lease_name = lease_name.clone();
            async move {
                if let Some(status) = exited {
                    panic!("secretsync controller exited ({status}):\n{log}");
                }
                let lease = leases.get_opt(&lease_name).await.ok()??;
                (lease.spec?.holder_identity? == format!("{full}-0")).then_some(())
            }
        },
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    assert!(
        exists(&secrets, &digest_key).await,
        "digest key Secret {digest_key} in the release namespace"
    );

    // Sync: target Secret written, status patched; the ClusterSecretStore read and its namespace checked.
    common::wait_ready(&client, &tenant, "db", "True", "Synced").await;
    common::wait_ready(&client, &tenant, "shared", "True", "Synced").await;
    common::wait_secret(&client, &tenant, "db-credentials", "first value", |s| {
        common::has(s, "password", "chart-pw-1")
    })
    .await;
    // A generic target (genericTargets.enabled): the ConfigMap created with the chart's rules.
    common::wait_ready(&client, &tenant, "settings", "True", "Synced").await;
    let config_maps: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(client.clone(), &tenant);
    let settings = config_maps
        .get("settings")
        .await
        .expect("ConfigMap settings");
    assert_eq!(
        settings
            .data
            .unwrap_or_default()
            .get("password")
            .map(String::as_str),
        Some("chart-pw-1")
    );

    // A custom resource kind granted by genericTargets.extraResources is written; one not granted
    // is refused with the API server's 403 named, and nothing is written.
    common::wait_ready(&client, &tenant, "widget", "True", "Synced").await;
    let widgets = crate::generic_kinds::kind_api(&client, &tenant, "Widget", "widgets");
    crate::generic_kinds::wait_object(&widgets, "widget", "synced", |o| {
        o.data["spec"]["data"]["password"] == "chart-pw-1"
    })
    .await;
    let gadget = common::wait_ready(&client, &tenant, "gadget", "False", "AccessDenied").await;
    assert!(
        common::ready_message(&gadget).contains("Kubernetes RBAC, 403"),
        "{}",
        common::ready_message(&gadget)
    );
    common::wait_for_events(
        &client,
        &tenant,
        &["AccessDenied: the controller may not read Gadget"],
    )
    .await;
    let gadgets = crate::generic_kinds::kind_api(&client, &tenant, "Gadget", "gadgets");
    assert!(gadgets.get_opt("gadget").await.ok().flatten().is_none());

    // Rotation: the Deployment is listed and patched.
    common::rotate_remote(&sm, &key, r#"{"password":"chart-pw-2"}"#).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &tenant);
    common::wait_for(
        "the Deployment to be restarted for the rotation",
        Duration::from_secs(60),
        || {
            let deployments = deployments.clone();
            async move {
                let d = deployments.get("api").await.ok()?;
                let annotations = d.spec?.template.metadata?.annotations?;
                annotations
                    .keys()
                    .any(|k| k == secretsync::core::rollout::MARKER_ANNOTATION)
                    .then_some(())
            }
        },
    )
    .await;
    common::wait_secret(&client, &tenant, "db-credentials", "rotated value", |s| {
        common::has(s, "password", "chart-pw-2")
    })
    .await;

    // Events were published (events.k8s.io create).
    common::wait_for("a RolloutRestarted Event", Duration::from_secs(30), || {
        let client = client.clone();
        let tenant = tenant.clone();
        async move {
            common::event_messages(&client, &tenant)
                .await
                .iter()
                .any(|m| m.starts_with("RolloutRestarted"))
                .then_some(())
        }
    })
    .await;

    // No API call was refused anywhere along the way. The one expected denial: ClusterSecretStores
    // that other tests left behind, whose credentials live in namespaces this release does not watch
    // (the documented limit of watchNamespace); the controller re-checks every ClusterSecretStore.
    let text = log_text();
    let denials = unexpected_denials(&text, &[&ns, &tenant]);
    assert!(
        denials.is_empty(),
        "the controller hit {} RBAC denial(s) within {:?}; first ones:\n{}\nfull log: {}",
        denials.len(),
        started.elapsed(),
        denials
            .iter()
            .take(3)
            .map(|l| l.chars().take(600).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n"),
        log.display()
    );
    child.0.kill().ok();
    let _ = child.0.wait();
    let _ = std::fs::remove_file(&kubeconfig);
}
