//! Taking over a Secret another tool made (a migration from External Secrets Operator), on the real
//! test bed: only a Secret its owner hands over with `secretsync.io/adopt: <ExternalSecret>` is taken,
//! and not while another controller still owns it; a Secret without the annotation, or handed to
//! another ExternalSecret, is never touched.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::{apply, create_remote, has, sm, testbed_var, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams, PostParams};

#[tokio::test]
async fn only_a_handed_over_secret_is_taken_and_only_once_its_old_owner_let_go() {
    let (client, ns) = common::setup("handover").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "handover-new").await;
    // What ESO left: Secrets controlled by its ExternalSecret (a ConfigMap stands in for it, so the
    // garbage collector keeps them while it exists).
    let owner: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let eso = owner
        .create(
            &PostParams::default(),
            &serde_json::from_value(serde_json::json!({ "metadata": { "name": "eso-db" } }))
                .expect("ConfigMap"),
        )
        .await
        .expect("creating the stand-in owner");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    for (name, adopt) in [
        ("db", Some("db")),
        ("other", None),
        ("elsewhere", Some("db")),
    ] {
        let mut annotations = serde_json::Map::new();
        if let Some(a) = adopt {
            annotations.insert("secretsync.io/adopt".into(), a.into());
        }
        let secret = serde_json::json!({
            "metadata": {
                "name": name,
                "annotations": annotations,
                "ownerReferences": [ {
                    "apiVersion": "v1", "kind": "ConfigMap", "name": "eso-db",
                    "uid": eso.uid().unwrap_or_default(), "controller": true
                } ]
            },
            "stringData": { "password": "handover-old", "eso-only": "x" }
        });
        secrets
            .create(
                &PostParams::default(),
                &serde_json::from_value(secret).expect("Secret"),
            )
            .await
            .unwrap_or_else(|e| panic!("creating Secret {name}: {e}"));
    }
    let op = Operator::start(&ns).await;
    let yaml = [
        common::store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
        common::single_key_es("db", "aws", "1s", &key, ""),
        common::single_key_es("other", "aws", "1s", &key, ""),
        // Handed over to ExternalSecret "db", but this one writes Secret "elsewhere".
        common::single_key_es(
            "thief",
            "aws",
            "1s",
            &key,
            "  target: { name: elsewhere }\n",
        ),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;

    // Still controlled by the old owner: refused, with how to let go.
    let es = wait_ready(&client, &ns, "db", "False", "TargetConflict").await;
    let message = es
        .status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.message)
        .unwrap_or_default();
    assert!(message.contains("--cascade=orphan"), "{message}");

    // The old owner lets go (what `kubectl delete --cascade=orphan` does to its dependents).
    for name in ["db", "other", "elsewhere"] {
        secrets
            .patch(
                name,
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({ "metadata": { "ownerReferences": null } })),
            )
            .await
            .unwrap_or_else(|e| panic!("orphaning {name}: {e}"));
    }
    let taken = wait_secret(&client, &ns, "db", "taken over", |s| {
        has(s, "password", "handover-new")
    })
    .await;
    assert_eq!(
        taken
            .annotations()
            .get("secretsync.io/created-by")
            .map(String::as_str),
        Some("db")
    );
    assert!(
        taken
            .owner_references()
            .iter()
            .any(|o| o.kind == "ExternalSecret" && o.name == "db"),
        "the adopted Secret is owned by its ExternalSecret now"
    );
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    // Never handed over, or handed to another ExternalSecret: untouched. Both were refused before the
    // orphaning already, so their Ready=False/TargetConflict proves nothing: wait for two more refusals
    // (retries with backoff, each reading the orphaned Secret afresh). db is Synced now, so each one
    // is other's or thief's, after the orphaning.
    let conflicts = || {
        op.metric_sum(
            "secretsync_sync_results_total",
            &["reason=\"TargetConflict\""],
        )
    };
    let after_orphaning = conflicts();
    common::wait_for(
        "two more TargetConflict refusals after the orphaning",
        Duration::from_secs(60),
        || {
            let n = conflicts();
            async move { (n >= after_orphaning + 2.0).then_some(()) }
        },
    )
    .await;
    for (es, secret) in [("other", "other"), ("thief", "elsewhere")] {
        wait_ready(&client, &ns, es, "False", "TargetConflict").await;
        let s = secrets.get(secret).await.expect("Secret kept");
        assert!(has(&s, "password", "handover-old"), "{secret} was written");
    }
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_template_cannot_forge_a_hand_over_and_a_renamed_external_secret_takes_over_when_handed()
{
    let (client, ns) = common::setup("forge").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "forge-remote-value").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(serde_json::json!({
                "metadata": { "name": "platform-creds" },
                "stringData": { "password": "platform-value" }
            }))
            .expect("Secret"),
        )
        .await
        .expect("creating the platform's Secret");
    let _op = Operator::start(&ns).await;
    // A tenant's Merge ExternalSecret whose template names itself in secretsync's own annotations
    // (a later switch to Owner would have adopted, and a delete garbage-collected, the Secret).
    let forged = "  target:\n    name: platform-creds\n    creationPolicy: Merge\n    template:\n      metadata:\n        annotations: { secretsync.io/adopt: x, secretsync.io/created-by: x }\n";
    let yaml = [
        common::store_yaml("aws", &testbed_var("AWS_ENDPOINT_URL")),
        common::single_key_es("x", "aws", "1s", &key, forged),
        common::single_key_es(
            "shared",
            "aws",
            "1s",
            &key,
            "  target: { name: app-creds, creationPolicy: Orphan }\n",
        ),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;
    let es = wait_ready(&client, &ns, "x", "False", "InvalidSpec").await;
    let message = ready_message(es);
    assert!(message.contains("secretsync.io/"), "{message}");
    let platform = secrets.get("platform-creds").await.expect("kept");
    assert!(has(&platform, "password", "platform-value"));
    assert!(
        !platform
            .annotations()
            .keys()
            .any(|k| k.starts_with("secretsync.io/")),
        "the forged marks reached the Secret"
    );

    // A rename: "renamed" targets the Secret "shared" (Orphan) writes. Refused while "shared" exists,
    // even once the Secret is handed over; taken once "shared" is deleted.
    wait_secret(&client, &ns, "app-creds", "written by shared", |s| {
        has(s, "password", "forge-remote-value")
    })
    .await;
    apply(
        &client,
        &ns,
        &common::single_key_es(
            "renamed",
            "aws",
            "1s",
            &key,
            "  target: { name: app-creds }\n",
        ),
    )
    .await;
    let es = wait_ready(&client, &ns, "renamed", "False", "TargetConflict").await;
    assert!(ready_message(es).contains("\"shared\""));
    secrets
        .patch(
            "app-creds",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({ "metadata": { "annotations": { "secretsync.io/adopt": "renamed" } } })),
        )
        .await
        .expect("handing app-creds over");
    let api: Api<secretsync::api::ExternalSecret> = Api::namespaced(client.clone(), &ns);
    common::wait_for(
        "renamed to see the hand-over and still refuse (shared still writes it)",
        std::time::Duration::from_secs(30),
        || {
            let api = api.clone();
            async move {
                let m = ready_message(api.get_opt("renamed").await.ok().flatten()?);
                m.contains("still writes it").then_some(())
            }
        },
    )
    .await;
    let still = secrets.get("app-creds").await.expect("kept");
    assert_eq!(
        still
            .annotations()
            .get("secretsync.io/external-secret")
            .map(String::as_str),
        Some("shared"),
        "a running ExternalSecret's Secret was taken"
    );
    api.delete("shared", &Default::default())
        .await
        .expect("deleting shared");
    wait_ready(&client, &ns, "renamed", "True", "Synced").await;
    let taken = secrets.get("app-creds").await.expect("kept");
    assert_eq!(
        taken
            .annotations()
            .get("secretsync.io/external-secret")
            .map(String::as_str),
        Some("renamed")
    );
    assert!(
        taken
            .owner_references()
            .iter()
            .any(|o| o.kind == "ExternalSecret" && o.name == "renamed")
    );
    common::delete_namespace(&client, &ns).await;
}

fn ready_message(es: secretsync::api::ExternalSecret) -> String {
    es.status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.message)
        .unwrap_or_default()
}
