//! Generic targets of any namespaced kind on the real test bed: a custom resource (a CRD installed
//! here) written plain (`.spec.data`) and templated with a nested `templateFrom` path, a rotation
//! reaching it, a foreign object of the same name never adopted, a cluster-scoped kind and an
//! unknown kind refused with clear conditions and Events (the previous object untouched), and an
//! idle generic target costing no AWS read (the same change detection as Secret targets).

use std::time::Duration;

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::{
    apply, create_remote, never_within, rotate_remote, sm, wait_for, wait_for_events, wait_ready,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::{Value, json};

const FLAG: &str = "--unsafe-allow-generic-targets";
/// The API group of the test kinds.
pub const GROUP: &str = "generic.secretsync.test";

/// A CRD of kind `kind` (plural `plural`) in [`GROUP`], namespaced or cluster-scoped; its objects
/// take any `spec` and a string map `data`.
fn crd(kind: &str, plural: &str, namespaced: bool) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": { "name": format!("{plural}.{GROUP}") },
        "spec": {
            "group": GROUP,
            "names": { "kind": kind, "plural": plural, "singular": kind.to_lowercase() },
            "scope": if namespaced { "Namespaced" } else { "Cluster" },
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": { "openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": { "type": "object", "x-kubernetes-preserve-unknown-fields": true },
                        "data": { "type": "object", "additionalProperties": { "type": "string" } }
                    }
                }}
            }]
        }
    })
}

/// Installs the test kinds (Widget and Gadget namespaced, Gizmo cluster-scoped) and waits until
/// each is Established. Idempotent: every test that needs them calls it.
pub async fn install_test_kinds(client: &Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let pp = PatchParams::apply("secretsync-tests").force();
    for (kind, plural, namespaced) in [
        ("Widget", "widgets", true),
        ("Gadget", "gadgets", true),
        ("Gizmo", "gizmos", false),
    ] {
        let name = format!("{plural}.{GROUP}");
        api.patch(&name, &pp, &Patch::Apply(crd(kind, plural, namespaced)))
            .await
            .unwrap_or_else(|e| panic!("applying CRD {name}: {e}"));
        wait_for(
            &format!("CRD {name} Established"),
            Duration::from_secs(30),
            || {
                let api = api.clone();
                let name = name.clone();
                async move {
                    let crd = api.get(&name).await.ok()?;
                    crd.status?
                        .conditions?
                        .into_iter()
                        .any(|c| c.type_ == "Established" && c.status == "True")
                        .then_some(())
                }
            },
        )
        .await;
    }
}

/// The namespaced API of test kind `kind` (plural `plural`).
pub fn kind_api(client: &Client, ns: &str, kind: &str, plural: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(GROUP, "v1", kind);
    Api::namespaced_with(
        client.clone(),
        ns,
        &ApiResource::from_gvk_with_plural(&gvk, plural),
    )
}

/// Waits until object `name` exists and satisfies `cond`.
pub async fn wait_object(
    api: &Api<DynamicObject>,
    name: &str,
    what: &str,
    cond: impl Fn(&DynamicObject) -> bool,
) -> DynamicObject {
    wait_for(&format!("{name}: {what}"), Duration::from_secs(30), || {
        let api = api.clone();
        let ok = &cond;
        async move { api.get_opt(name).await.ok().flatten().filter(|o| ok(o)) }
    })
    .await
}

/// Panics if the object's resourceVersion changes within a few seconds.
async fn stays(api: &Api<DynamicObject>, name: &str, before: &DynamicObject) {
    never_within(
        &format!("a change to {name}"),
        Duration::from_secs(4),
        || {
            let api = api.clone();
            async move {
                let now = api.get_opt(name).await.ok().flatten();
                let same = now.as_ref().is_some_and(|o| {
                    o.metadata.resource_version == before.metadata.resource_version
                });
                (!same).then_some(now.map(|o| o.data))
            }
        },
    )
    .await;
}

fn manifest(name: &str, kind: &str) -> String {
    format!("target: {{ name: {name}, manifest: {{ apiVersion: {GROUP}/v1, kind: {kind} }} }}")
}

#[tokio::test]
async fn custom_resource_targets_sync_rotate_and_take_over_nothing() {
    let (client, ns) = common::setup("generic-cr").await;
    install_test_kinds(&client).await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(&sm, &app, r#"{"username":"cr-user-1","host":"cr-host-1"}"#).await;
    let op = Operator::start_with(&ns, "generic-cr", &[FLAG], &[]).await;
    common::apply_test_store(&client, &ns).await;
    let widgets = kind_api(&client, &ns, "Widget", "widgets");

    // Plain: ESO puts the values of a kind other than ConfigMap in .spec.data.
    let plain = Es::new("plain", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest("plain-w", "Widget"));
    apply(&client, &ns, &plain.yaml()).await;
    let w = wait_object(&widgets, "plain-w", "user in spec.data", |o| {
        o.data["spec"]["data"]["user"] == "cr-user-1"
    })
    .await;
    assert_eq!(w.data["spec"]["data"], json!({ "user": "cr-user-1" }));
    let owners = w.metadata.owner_references.clone().unwrap_or_default();
    assert!(
        owners
            .iter()
            .any(|o| o.kind == "ExternalSecret" && o.name == "plain"),
        "{owners:?}"
    );
    let es = wait_ready(&client, &ns, "plain", "True", "Synced").await;
    assert!(
        common::ready_message(&es).contains("Widget \"plain-w\""),
        "{}",
        common::ready_message(&es)
    );
    wait_for_events(&client, &ns, &["Created Widget"]).await;

    // Templated with a nested path: the literal's YAML lands parsed at spec.database, template
    // data in .data (as ESO's engine writes it).
    let nested = Es::new("nested", "aws").body(&format!(
        "  dataFrom:\n    - extract: {{ key: \"{app}\" }}\n  target:\n    name: nested-w\n    manifest: {{ apiVersion: {GROUP}/v1, kind: Widget }}\n    template:\n      engineVersion: v2\n      data:\n        url: \"postgres://{{{{ .username }}}}@{{{{ .host }}}}/app\"\n      templateFrom:\n        - literal: \"host: {{{{ .host }}}}\\nport: 5432\\n\"\n          target: spec.database\n"
    ));
    apply(&client, &ns, &nested.yaml()).await;
    let n = wait_object(&widgets, "nested-w", "templated", |o| {
        o.data["spec"]["database"]["host"] == "cr-host-1"
    })
    .await;
    assert_eq!(
        n.data["spec"]["database"],
        json!({ "host": "cr-host-1", "port": 5432 })
    );
    assert_eq!(
        n.data["data"],
        json!({ "url": "postgres://cr-user-1@cr-host-1/app" })
    );

    // A remote rotation reaches both.
    rotate_remote(&sm, &app, r#"{"username":"cr-user-2","host":"cr-host-2"}"#).await;
    wait_object(&widgets, "plain-w", "rotated", |o| {
        o.data["spec"]["data"]["user"] == "cr-user-2"
    })
    .await;
    wait_object(&widgets, "nested-w", "rotated", |o| {
        o.data["spec"]["database"]["host"] == "cr-host-2"
            && o.data["data"]["url"] == "postgres://cr-user-2@cr-host-2/app"
    })
    .await;

    // A foreign Widget of the same name: never taken over, untouched.
    widgets
        .patch(
            "theirs",
            &PatchParams::apply("someone-else"),
            &Patch::Apply(json!({
                "apiVersion": format!("{GROUP}/v1"), "kind": "Widget",
                "metadata": { "name": "theirs" }, "spec": { "data": { "mine": "keep" } }
            })),
        )
        .await
        .expect("creating theirs");
    let theirs = widgets.get("theirs").await.expect("theirs");
    let grab = Es::new("grab", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest("theirs", "Widget"));
    apply(&client, &ns, &grab.yaml()).await;
    wait_ready(&client, &ns, "grab", "False", "TargetConflict").await;
    wait_for_events(
        &client,
        &ns,
        &["Widget \"theirs\" exists and was not created by this ExternalSecret"],
    )
    .await;
    stays(&widgets, "theirs", &theirs).await;

    // Bad edits of plain: a cluster-scoped kind, then an unknown kind; refused, plain-w untouched.
    let before = widgets.get("plain-w").await.expect("plain-w");
    let cluster = Es::new("plain", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest("plain-w", "Gizmo"));
    apply(&client, &ns, &cluster.yaml()).await;
    wait_ready(&client, &ns, "plain", "False", "InvalidSpec").await;
    wait_for_events(
        &client,
        &ns,
        &["InvalidSpec: target.manifest names the cluster-scoped kind Gizmo"],
    )
    .await;
    let unknown = Es::new("plain", "aws")
        .key_ref("user", &app, ", property: username")
        .with(&manifest("plain-w", "Nothing"));
    apply(&client, &ns, &unknown.yaml()).await;
    wait_for_events(&client, &ns, &["the API server serves no such kind"]).await;
    let es = wait_ready(&client, &ns, "plain", "False", "InvalidSpec").await;
    assert!(
        common::ready_message(&es).contains("Nothing"),
        "{}",
        common::ready_message(&es)
    );
    stays(&widgets, "plain-w", &before).await;

    op.assert_log_free_of(&["cr-user-1", "cr-user-2", "cr-host-1", "cr-host-2"]);
    common::delete_namespace(&client, &ns).await;
}

/// Successful calls of AWS operations that read values.
fn value_reads(op: &Operator) -> f64 {
    ["GetSecretValue", "BatchGetSecretValue"]
        .iter()
        .map(|o| {
            op.metric_sum(
                "secretsync_aws_api_calls_total",
                &[&format!("operation=\"{o}\""), "outcome=\"success\""],
            )
        })
        .sum()
}

#[tokio::test]
async fn idle_generic_targets_read_no_values() {
    let (client, ns) = common::setup("generic-idle").await;
    install_test_kinds(&client).await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(&sm, &app, r#"{"username":"idle-user-1"}"#).await;
    let op = Operator::start_with(&ns, "generic-idle", &[FLAG], &[]).await;
    common::apply_test_store(&client, &ns).await;
    let cm = Es::new("cm", "aws")
        .interval("1s")
        .key_ref("user", &app, ", property: username")
        .with("target: { name: idle-cm, manifest: { apiVersion: v1, kind: ConfigMap } }");
    let widget = Es::new("widget", "aws")
        .interval("1s")
        .key_ref("user", &app, ", property: username")
        .with(&manifest("idle-w", "Widget"));
    apply(&client, &ns, &cm.yaml()).await;
    apply(&client, &ns, &widget.yaml()).await;
    wait_ready(&client, &ns, "cm", "True", "Synced").await;
    wait_ready(&client, &ns, "widget", "True", "Synced").await;
    let widgets = kind_api(&client, &ns, "Widget", "widgets");
    wait_object(&widgets, "idle-w", "synced", |o| {
        o.data["spec"]["data"]["user"] == "idle-user-1"
    })
    .await;
    let first = value_reads(&op);
    assert!(
        (1.0..=2.0).contains(&first),
        "{first} reads for 2 first syncs"
    );
    // Several intervals of both: confirmations only (change detection), no value read.
    let synced = || op.metric_sum("secretsync_sync_results_total", &["Synced"]);
    let start = synced();
    wait_for("8 more refreshes", Duration::from_secs(60), || {
        let now = synced();
        async move { (now >= start + 8.0).then_some(()) }
    })
    .await;
    assert_eq!(
        value_reads(&op),
        first,
        "no value read at idle for generic targets"
    );
    // A rotation is still seen, and read once.
    rotate_remote(&sm, &app, r#"{"username":"idle-user-2"}"#).await;
    wait_object(&widgets, "idle-w", "rotated", |o| {
        o.data["spec"]["data"]["user"] == "idle-user-2"
    })
    .await;
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(client.clone(), &ns);
    wait_for("idle-cm rotated", Duration::from_secs(30), || {
        let cms = cms.clone();
        async move {
            let c = cms.get_opt("idle-cm").await.ok().flatten()?;
            (c.data?.get("user").map(String::as_str) == Some("idle-user-2")).then_some(())
        }
    })
    .await;
    // Each target reads the new version, at most twice (the listing's announcement can reach a
    // reconcile that is already reading it, which then reads once more).
    let after = value_reads(&op);
    assert!(
        after > first && after <= first + 4.0,
        "{first} -> {after}: at most two reads per target for one rotation"
    );
    op.assert_log_free_of(&["idle-user-1", "idle-user-2"]);
    common::delete_namespace(&client, &ns).await;
}
