//! creationPolicy and deletionPolicy on the real apiserver, garbage collection by the real controller-manager.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, has, rotate_remote, sm, text, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams};
use secretsync::api::ExternalSecret;

#[tokio::test]
async fn merge_owner_and_orphan_policies() {
    let (client, ns) = common::setup("policies").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "policy-pw-1").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;

    // Merge: waits for the Secret, then writes only its own key.
    apply(
        &client,
        &ns,
        &Es::new("merge", "aws")
            .interval("2s")
            .key("password", &key)
            .with("target: { name: shared, creationPolicy: Merge }")
            .yaml(),
    )
    .await;
    wait_ready(&client, &ns, "merge", "False", "TargetNotFound").await;
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: Secret\nmetadata: { name: shared }\ntype: kubernetes.io/basic-auth\nstringData: { username: someone, other: keep-me }\n",
    )
    .await;
    let s = wait_secret(&client, &ns, "shared", "merged", |s| {
        has(s, "password", "policy-pw-1")
    })
    .await;
    assert_eq!(text(&s, "other"), "keep-me");
    assert_eq!(text(&s, "username"), "someone");
    assert_eq!(s.type_.as_deref(), Some("kubernetes.io/basic-auth"));
    assert!(
        s.metadata.owner_references.is_none(),
        "Merge sets no ownerReference"
    );
    wait_ready(&client, &ns, "merge", "True", "Synced").await;

    // Owner refuses a Secret it does not own, and leaves it untouched.
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: Secret\nmetadata: { name: foreign }\nstringData: { password: theirs }\n",
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("owner-conflict", "aws")
            .interval("2s")
            .key("password", &key)
            .with("target: { name: foreign, creationPolicy: Owner }")
            .yaml(),
    )
    .await;
    let es_conflict = wait_ready(&client, &ns, "owner-conflict", "False", "TargetConflict").await;
    let message = es_conflict
        .status
        .and_then(|s| s.conditions.into_iter().next())
        .map(|c| c.message)
        .unwrap_or_default();
    assert!(message.contains("foreign"), "{message}");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let foreign = secrets.get("foreign").await.expect("foreign Secret");
    assert_eq!(text(&foreign, "password"), "theirs");
    assert!(foreign.metadata.labels.is_none());

    // Orphan: created without an owner, survives the ExternalSecret.
    apply(
        &client,
        &ns,
        &Es::new("orphan", "aws")
            .interval("2s")
            .key("password", &key)
            .with("target: { name: orphaned, creationPolicy: Orphan }")
            .yaml(),
    )
    .await;
    let s = wait_secret(&client, &ns, "orphaned", "created", |s| {
        has(s, "password", "policy-pw-1")
    })
    .await;
    assert!(s.metadata.owner_references.is_none());

    // Owner: created with an ownerReference; deleting the ExternalSecret garbage-collects it.
    apply(
        &client,
        &ns,
        &Es::new("owned", "aws")
            .interval("2s")
            .key("password", &key)
            .with("target: { name: owned, creationPolicy: Owner }")
            .yaml(),
    )
    .await;
    let s = wait_secret(&client, &ns, "owned", "created", |s| {
        has(s, "password", "policy-pw-1")
    })
    .await;
    let owner = s.metadata.owner_references.clone().unwrap_or_default();
    assert_eq!(owner.len(), 1);
    assert_eq!(owner[0].kind, "ExternalSecret");

    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    for name in ["owned", "orphan"] {
        ess.delete(name, &DeleteParams::default())
            .await
            .expect("deleting ExternalSecret");
    }
    common::wait_for(
        "the owned Secret to be garbage-collected",
        Duration::from_secs(30),
        || {
            let secrets = secrets.clone();
            async move {
                secrets
                    .get_opt("owned")
                    .await
                    .ok()
                    .flatten()
                    .is_none()
                    .then_some(())
            }
        },
    )
    .await;
    // Give the garbage collector the same chance to (wrongly) take the orphan, watching for it.
    common::never_within(
        "the garbage collector deleting the Orphan Secret",
        Duration::from_secs(2),
        || {
            let secrets = secrets.clone();
            async move {
                secrets
                    .get_opt("orphaned")
                    .await
                    .ok()
                    .flatten()
                    .is_none()
                    .then_some("gone")
            }
        },
    )
    .await;
    let orphan = secrets
        .get("orphaned")
        .await
        .expect("the Orphan Secret outlives its ExternalSecret");
    assert_eq!(text(&orphan, "password"), "policy-pw-1");
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn deletion_policy_delete_removes_the_secret_when_the_remote_is_gone_and_retain_keeps_it() {
    let (client, ns) = common::setup("deletion").await;
    let sm = sm();
    let gone = format!("{ns}/gone");
    let kept = format!("{ns}/kept");
    create_remote(&sm, &gone, "deletion-pw-1").await;
    create_remote(&sm, &kept, "deletion-pw-2").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        &Es::new("delete", "aws")
            .interval("2s")
            .key("password", &gone)
            .with("target: { name: delete, creationPolicy: Owner, deletionPolicy: Delete }")
            .yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("retain", "aws")
            .interval("2s")
            .key("password", &kept)
            .with("target: { name: retain, creationPolicy: Owner }")
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "delete", "created", |s| {
        has(s, "password", "deletion-pw-1")
    })
    .await;
    wait_secret(&client, &ns, "retain", "created", |s| {
        has(s, "password", "deletion-pw-2")
    })
    .await;
    for k in [&gone, &kept] {
        sm.delete_secret()
            .secret_id(k)
            .force_delete_without_recovery(true)
            .send()
            .await
            .expect("DeleteSecret");
    }
    wait_ready(&client, &ns, "delete", "False", "SecretNotFound").await;
    wait_ready(&client, &ns, "retain", "False", "SecretNotFound").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    common::wait_for(
        "the Delete-policy Secret to be removed",
        Duration::from_secs(30),
        || {
            let secrets = secrets.clone();
            async move {
                secrets
                    .get_opt("delete")
                    .await
                    .ok()
                    .flatten()
                    .is_none()
                    .then_some(())
            }
        },
    )
    .await;
    let retained = secrets
        .get("retain")
        .await
        .expect("Retain keeps the Secret");
    assert_eq!(text(&retained, "password"), "deletion-pw-2");
    common::delete_namespace(&client, &ns).await;
}

/// `target.immutable`: the Secret is created immutable; a rotation cannot reach it and says so
/// (TargetConflict, the Secret keeps its data); deleted, it is created again with the new data; with
/// `creationPolicy: Merge` the spec is refused (someone else's Secret would become immutable).
#[tokio::test]
async fn an_immutable_target_keeps_its_data_until_it_is_created_again() {
    let (client, ns) = common::setup("immutable").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "imm-v1").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        &Es::new("db", "aws")
            .key("password", &key)
            .with("target: { immutable: true }")
            .yaml(),
    )
    .await;
    let first = wait_secret(&client, &ns, "db", "created immutable with v1", |s| {
        has(s, "password", "imm-v1") && s.immutable == Some(true)
    })
    .await;

    rotate_remote(&sm, &key, "imm-v2").await;
    let es = wait_ready(&client, &ns, "db", "False", "TargetConflict").await;
    let m = common::ready_message(&es);
    assert!(
        m.contains("immutable") && m.contains("delete the Secret"),
        "{m}"
    );
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let kept = secrets.get("db").await.expect("reading db");
    assert!(
        has(&kept, "password", "imm-v1"),
        "the immutable Secret kept its data"
    );
    assert_eq!(
        kept.metadata.uid, first.metadata.uid,
        "never deleted by the controller"
    );

    // The user deletes it: created again, immutable, with the new data.
    secrets
        .delete("db", &Default::default())
        .await
        .expect("deleting db");
    wait_secret(&client, &ns, "db", "created again with v2", |s| {
        has(s, "password", "imm-v2")
            && s.immutable == Some(true)
            && s.metadata.uid != first.metadata.uid
    })
    .await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;

    // With Merge: refused before anything is written.
    apply(
        &client,
        &ns,
        &Es::new("merged", "aws")
            .key("password", &key)
            .with("target: { name: db, creationPolicy: Merge, immutable: true }")
            .yaml(),
    )
    .await;
    let es = wait_ready(&client, &ns, "merged", "False", "InvalidSpec").await;
    assert!(common::ready_message(&es).contains("immutable"));
    common::delete_namespace(&client, &ns).await;
}
