//! Argo Rollouts as restart targets on the real test bed: without the Rollout CRD a listed Rollout is
//! skipped with a clear Event and the sync (and the Deployment beside it) goes on; with a minimal
//! Rollout CRD installed, a rotation sets `spec.restartAt` once on the listed Rollout and on the one
//! that opts in with `secretsync.io/reload: "true"`, never on the others, and a controller restart does
//! not set it again.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::workloads::{deployment, env_from_pod, replicasets, template_annotations};
use common::{apply, create_remote, has, rotate_remote, sm, testbed_var, wait_ready, wait_secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams,
};
use secretsync::core::rollout::MARKER_ANNOTATION;

const CRD: &str = "rollouts.argoproj.io";

fn rollout_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
        "rollouts",
    )
}

/// A minimal Rollout CRD (the real one's group, names and version; any spec accepted).
fn rollout_crd() -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": { "name": CRD },
        "spec": {
            "group": "argoproj.io",
            "scope": "Namespaced",
            "names": { "plural": "rollouts", "singular": "rollout", "kind": "Rollout", "listKind": "RolloutList" },
            "versions": [ {
                "name": "v1alpha1", "served": true, "storage": true,
                "schema": { "openAPIV3Schema": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } }
            } ]
        }
    })
}

fn rollout(name: &str, annotations: &str, secret: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: {name}\n  annotations: {{ {annotations} }}\nspec:\n  replicas: 1\n  selector: {{ matchLabels: {{ app: {name} }} }}\n  strategy: {{ canary: {{ steps: [ {{ setWeight: 50 }} ] }} }}\n  template:\n    metadata: {{ labels: {{ app: {name} }} }}\n    spec:\n      containers: [ {{ name: app, image: localhost/busybox:testbed, envFrom: [ {{ secretRef: {{ name: {secret} }} }} ] }} ]\n"
    )
}

async fn restart_at(client: &Client, ns: &str, name: &str) -> Option<String> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &rollout_resource());
    let r = api.get(name).await.ok()?;
    r.data["spec"]["restartAt"].as_str().map(String::from)
}

/// Installs the minimal Rollout CRD (or removes it) and waits until it is served (or gone).
pub(super) async fn set_crd(client: &Client, installed: bool) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    if installed {
        crds.patch(
            CRD,
            &PatchParams::apply("secretsync-tests").force(),
            &Patch::Apply(&rollout_crd()),
        )
        .await
        .expect("installing the Rollout CRD");
    } else {
        let _ = crds.delete(CRD, &DeleteParams::default()).await;
    }
    common::wait_for(
        &format!(
            "the Rollout CRD to be {}",
            if installed { "served" } else { "gone" }
        ),
        Duration::from_secs(60),
        || async {
            let served = crds.get_opt(CRD).await.ok().flatten().is_some_and(|c| {
                c.status
                    .and_then(|s| s.conditions)
                    .unwrap_or_default()
                    .iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
            });
            (served == installed).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn rollouts_restart_once_per_rotation_and_a_missing_crd_is_skipped() {
    let (client, ns) = common::setup("argo").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "argo-value-one").await;
    set_crd(&client, false).await;
    let targets = "  rolloutRestartTargets: [ { kind: Rollout, name: web }, { kind: Deployment, name: api } ]\n";
    let yaml = [
        common::store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
        common::single_key_es("db", "aws", "1s", &key, targets),
        deployment("api", "", &env_from_pod("db")),
    ]
    .join("---\n");
    let mut op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    wait_secret(&client, &ns, "db", "first sync", |s| {
        has(s, "password", "argo-value-one")
    })
    .await;

    // No Rollout CRD: the Deployment restarts, the Rollout is skipped with an Event, the sync is fine.
    rotate_remote(&sm, &key, "argo-value-two").await;
    common::wait_for(
        "the Deployment's restart",
        Duration::from_secs(40),
        || async { (replicasets(&client, &ns).await.get("api") == Some(&2)).then_some(()) },
    )
    .await;
    common::wait_for_events(
        &client,
        &ns,
        &["RolloutSkipped", "Argo Rollouts is not installed"],
    )
    .await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;

    // The CRD and three Rollouts: listed, opted in, and neither.
    set_crd(&client, true).await;
    let rollouts = [
        rollout("web", "", "db"),
        rollout("discovered", "secretsync.io/reload: \"true\"", "db"),
        rollout("other", "", "db"),
        // A Rollout driving a Deployment through workloadRef: the Rollout restarts, the Deployment
        // (which Argo owns) is never patched.
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: driver\n  annotations: { secretsync.io/reload: \"true\" }\nspec:\n  workloadRef: { apiVersion: apps/v1, kind: Deployment, name: base }\n".to_string(),
        deployment("base", "", &env_from_pod("db")),
    ]
    .join("---\n");
    apply(&client, &ns, &rollouts).await;
    let es_api: Api<secretsync::api::ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let before_rotation = es_api
        .get("db")
        .await
        .ok()
        .and_then(|e| e.status)
        .map(|s| s.synced_versions)
        .expect("synced versions");
    let deployment_restarts = || {
        op.metric_sum(
            "secretsync_workload_restarts_total",
            &["kind=\"Deployment\""],
        )
    };
    let deployments_before = deployment_restarts();
    rotate_remote(&sm, &key, "argo-value-three").await;
    common::wait_for(
        "restartAt on both Rollouts",
        Duration::from_secs(40),
        || async {
            let web = restart_at(&client, &ns, "web").await;
            let discovered = restart_at(&client, &ns, "discovered").await;
            let driver = restart_at(&client, &ns, "driver").await;
            (web.is_some() && discovered.is_some() && driver.is_some()).then_some(())
        },
    )
    .await;
    assert_eq!(
        restart_at(&client, &ns, "other").await,
        None,
        "an unlisted Rollout restarted"
    );
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &["kind=\"Rollout\""]),
        3.0
    );
    // The rotation's rollout is over once its status is written: then the Deployment a Rollout drives
    // has no rollout marker in its Pod template, and of the Deployments only the listed api restarted.
    common::wait_for(
        "the rotation recorded in status",
        Duration::from_secs(30),
        || async {
            let now = es_api.get("db").await.ok()?.status?.synced_versions;
            (now != before_rotation).then_some(())
        },
    )
    .await;
    let templates = template_annotations(&client, &ns).await;
    assert!(
        templates
            .get("Deployment/base")
            .is_some_and(|a| !a.contains_key(MARKER_ANNOTATION)),
        "the Deployment a Rollout drives was patched: {templates:?}"
    );
    assert_eq!(
        deployment_restarts(),
        deployments_before + 1.0,
        "only the listed Deployment restarts"
    );
    assert_eq!(
        replicasets(&client, &ns).await.get("base"),
        Some(&1),
        "the Deployment a Rollout drives was patched"
    );
    let first = (
        restart_at(&client, &ns, "web").await,
        restart_at(&client, &ns, "discovered").await,
        restart_at(&client, &ns, "driver").await,
    );

    // A controller restart (and many refreshes after it) does not restart them again.
    // ... even when it stopped between writing the Secret and recording the rotation (the status is
    // rewound to say so: the new controller resumes the rollout and finds every marker in place).
    op.stop();
    es_api
        .patch_status(
            "db",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({ "status": { "syncedVersions": before_rotation } })),
        )
        .await
        .expect("rewinding the status");
    let op = Operator::start_with(&ns, "-again", &[], &[]).await;
    let refreshes = || op.metric_sum("secretsync_aws_api_calls_total", &[]);
    common::wait_for("several refreshes", Duration::from_secs(30), || {
        let n = refreshes();
        async move { (n >= 5.0).then_some(()) }
    })
    .await;
    common::wait_for(
        "the resumed rotation recorded",
        Duration::from_secs(30),
        || async {
            let now = es_api.get("db").await.ok()?.status?.synced_versions;
            (now != before_rotation).then_some(())
        },
    )
    .await;
    let again = (
        restart_at(&client, &ns, "web").await,
        restart_at(&client, &ns, "discovered").await,
        restart_at(&client, &ns, "driver").await,
    );
    assert_eq!(first, again, "restartAt changed without a rotation");
    assert_eq!(
        op.metric_sum("secretsync_workload_restarts_total", &["kind=\"Rollout\""]),
        0.0
    );
    op.assert_log_free_of(&["argo-value-one", "argo-value-two", "argo-value-three"]);

    // Reloader's annotations on Rollouts, for a ConfigMap another tool writes: the default strategy
    // changes the pod template (a new revision); `rollout-strategy: restart` sets restartAt and leaves
    // the template alone. Once each, after the state is recorded (first sight restarts nothing).
    let with_cm = |name: &str, annotations: &str| {
        rollout(name, annotations, "db").replace(
            "envFrom: [ { secretRef: { name: db } } ]",
            "envFrom: [ { configMapRef: { name: cfg } } ]",
        )
    };
    let yaml = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }\ndata: { k: \"1\" }\n"
            .to_string(),
        with_cm("tmpl", "reloader.stakater.com/auto: \"true\""),
        with_cm(
            "restarter",
            "reloader.stakater.com/auto: \"true\", reloader.stakater.com/rollout-strategy: restart",
        ),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;
    let rollouts: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), &ns, &rollout_resource());
    let annotation = |r: &DynamicObject, template: bool, key: &str| {
        let meta = if template {
            &r.data["spec"]["template"]["metadata"]["annotations"]
        } else {
            return r
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(key))
                .cloned();
        };
        meta[key].as_str().map(String::from)
    };
    for name in ["tmpl", "restarter"] {
        common::wait_for(
            &format!("Rollout {name} recorded"),
            Duration::from_secs(30),
            || async {
                let r = rollouts.get(name).await.ok()?;
                annotation(&r, false, "secretsync.io/reload-state").map(|_| ())
            },
        )
        .await;
    }
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(client.clone(), &ns);
    cms.patch(
        "cfg",
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({ "data": { "k": "2" } })),
    )
    .await
    .expect("editing the ConfigMap");
    common::wait_for(
        "both Rollouts restarted",
        Duration::from_secs(30),
        || async {
            let t = rollouts.get("tmpl").await.ok()?;
            let r = rollouts.get("restarter").await.ok()?;
            (annotation(&t, true, "secretsync.io/reload-marker").is_some()
                && r.data["spec"]["restartAt"].as_str().is_some())
            .then_some((t, r))
        },
    )
    .await;
    let r = rollouts.get("restarter").await.expect("restarter");
    assert_eq!(
        annotation(&r, true, "secretsync.io/reload-marker"),
        None,
        "the restart strategy changed the template"
    );
    common::delete_namespace(&client, &ns).await;
}
