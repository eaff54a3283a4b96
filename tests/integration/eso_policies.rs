//! ESO's `creationPolicy: None | CreateOrMerge` and `deletionPolicy: Merge` on the real apiserver,
//! tried the way users switch them: a Secret and the keys someone else wrote into it survive every
//! switch, `None` never writes (nor restarts a workload), `CreateOrMerge` creates a missing Secret
//! and merges into an existing one, `deletionPolicy: Merge` removes only this ExternalSecret's keys
//! once the remote secret is confirmed deleted, and a refused combination leaves the Secret alone.

use std::time::Duration;

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::workloads::{deployment, env_from_pod, replicasets};
use common::{apply, create_remote, has, rotate_remote, sm, text, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use secretsync::api::ExternalSecret;

mod deletion;

/// Adds `key: value` to Secret `name` as another writer would (`kubectl edit`, a merge patch).
pub(super) async fn add_foreign_key(client: &Client, ns: &str, name: &str, key: &str, value: &str) {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let params = PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..PatchParams::default()
    };
    secrets
        .patch(
            name,
            &params,
            &Patch::Merge(serde_json::json!({ "stringData": { key: value } })),
        )
        .await
        .unwrap_or_else(|e| panic!("adding {key} to Secret {name}: {e}"));
}

pub(super) async fn get_secret(client: &Client, ns: &str, name: &str) -> Secret {
    Api::<Secret>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .unwrap_or_else(|e| panic!("reading Secret {name}: {e}"))
}

pub(super) async fn secret_opt(client: &Client, ns: &str, name: &str) -> Option<Secret> {
    Api::<Secret>::namespaced(client.clone(), ns)
        .get_opt(name)
        .await
        .ok()
        .flatten()
}

pub(super) fn owned_by_external_secret(s: &Secret) -> bool {
    s.metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.kind == "ExternalSecret")
}

/// Sets `secretsync.io/force-sync` on ExternalSecret `name` to `value` and waits until a refresh
/// honoured it (the values were read again).
pub(super) async fn force_sync(client: &Client, ns: &str, name: &str, value: &str) {
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    ess.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({
            "metadata": { "annotations": { "secretsync.io/force-sync": value } }
        })),
    )
    .await
    .unwrap_or_else(|e| panic!("annotating {name}: {e}"));
    common::wait_for(
        &format!("ExternalSecret {name} to honour force-sync {value}"),
        Duration::from_secs(30),
        || {
            let ess = ess.clone();
            async move {
                let es = ess.get(name).await.ok()?;
                (es.status?.last_force_sync.as_deref() == Some(value)).then_some(())
            }
        },
    )
    .await;
}

/// `None`: the values are read and checked (Ready, as in ESO), no Secret is created, an existing one
/// is never written, and a rotation restarts nothing.
#[tokio::test]
async fn creation_policy_none_reads_but_never_writes_nor_restarts() {
    let (client, ns) = common::setup("pol-none").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "none-v1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: Secret\nmetadata: { name: app }\nstringData: { password: theirs, other: keep-me }\n",
    )
    .await;
    apply(&client, &ns, &deployment("web", "", &env_from_pod("app"))).await;
    let before = get_secret(&client, &ns, "app").await;
    for (name, target) in [("none", "app"), ("nothing", "nothing")] {
        apply(
            &client,
            &ns,
            &Es::new(name, "aws")
                .interval("2s")
                .key("password", &key)
                .restarts("web")
                .with(&format!(
                    "target: {{ name: {target}, creationPolicy: None }}"
                ))
                .yaml(),
        )
        .await;
    }
    for name in ["none", "nothing"] {
        let es = wait_ready(&client, &ns, name, "True", "Synced").await;
        let m = common::ready_message(&es);
        assert!(
            m.contains("creationPolicy None") && m.contains("no Secret"),
            "{m}"
        );
    }
    common::wait_for_events(&client, &ns, &["Synced creationPolicy None"]).await;
    common::wait_for("one ReplicaSet of web", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("web") == Some(&1)).then_some(())
    })
    .await;

    // A rotation is read (force-sync proves the read), and still nothing is written or restarted.
    rotate_remote(&sm, &key, "none-v2").await;
    force_sync(&client, &ns, "none", "after-rotation").await;
    common::never_within(
        "a write to the user's Secret, a created Secret or a restart",
        Duration::from_secs(4),
        || async {
            let now = secret_opt(&client, &ns, "app").await?;
            if now.metadata.resource_version != before.metadata.resource_version {
                return Some("the user's Secret was written");
            }
            if secret_opt(&client, &ns, "nothing").await.is_some() {
                return Some("a Secret was created");
            }
            (replicasets(&client, &ns).await.get("web") != Some(&1)).then_some("web restarted")
        },
    )
    .await;
    let after = get_secret(&client, &ns, "app").await;
    assert_eq!(after.data, before.data);
    assert_eq!(after.metadata.labels, before.metadata.labels);
    assert_eq!(after.metadata.annotations, before.metadata.annotations);
    // Nothing secret reached the log.
    op.assert_log_free_of(&["none-v1", "none-v2", "keep-me"]);
    common::delete_namespace(&client, &ns).await;
}

/// Owner → None → CreateOrMerge → Merge → Owner: one Secret (same uid) throughout, the key another
/// writer added survives every switch, the ownerReference follows the policy, `None` writes nothing,
/// and the workload restarts exactly once: when the write after `None` brings the rotated value.
#[tokio::test]
async fn switching_policies_back_and_forth_keeps_the_secret_and_foreign_keys() {
    let (client, ns) = common::setup("pol-switch").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "switch-v1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let es = |policy: &str| {
        Es::new("app", "aws")
            .interval("2s")
            .key("password", &key)
            .restarts("web")
            .with(&format!("target: {{ creationPolicy: {policy} }}"))
            .yaml()
    };
    apply(&client, &ns, &es("Owner")).await;
    let first = wait_secret(&client, &ns, "app", "created with v1", |s| {
        has(s, "password", "switch-v1") && owned_by_external_secret(s)
    })
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    apply(&client, &ns, &deployment("web", "", &env_from_pod("app"))).await;
    add_foreign_key(&client, &ns, "app", "theirs", "keep-me").await;
    common::wait_for("one ReplicaSet of web", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("web") == Some(&1)).then_some(())
    })
    .await;

    // None: Ready as ESO says, the Secret exactly as it was (ownerReference included), even after a
    // rotation is read.
    apply(&client, &ns, &es("None")).await;
    common::wait_for(
        "Ready to say creationPolicy None",
        Duration::from_secs(30),
        || async {
            let es = Api::<ExternalSecret>::namespaced(client.clone(), &ns)
                .get("app")
                .await
                .ok()?;
            common::ready_message(&es)
                .contains("creationPolicy None")
                .then_some(())
        },
    )
    .await;
    let held = get_secret(&client, &ns, "app").await;
    rotate_remote(&sm, &key, "switch-v2").await;
    force_sync(&client, &ns, "app", "while-none").await;
    common::never_within(
        "a write or a restart under None",
        Duration::from_secs(3),
        || async {
            let now = secret_opt(&client, &ns, "app").await?;
            if now.metadata.resource_version != held.metadata.resource_version {
                return Some("written");
            }
            (replicasets(&client, &ns).await.get("web") != Some(&1)).then_some("restarted")
        },
    )
    .await;
    let s = get_secret(&client, &ns, "app").await;
    assert!(has(&s, "password", "switch-v1") && has(&s, "theirs", "keep-me"));
    assert!(
        owned_by_external_secret(&s),
        "None leaves the ownerReference as it is"
    );

    // CreateOrMerge: the Secret it created is written again with v2, without an ownerReference;
    // the data changed for the workload, so it restarts once.
    apply(&client, &ns, &es("CreateOrMerge")).await;
    let s = wait_secret(&client, &ns, "app", "v2, no ownerReference", |s| {
        has(s, "password", "switch-v2") && !owned_by_external_secret(s)
    })
    .await;
    assert_eq!(s.metadata.uid, first.metadata.uid, "the same Secret");
    assert_eq!(text(&s, "theirs"), "keep-me");
    common::wait_for("web restarted once", Duration::from_secs(30), || async {
        (replicasets(&client, &ns).await.get("web") == Some(&2)).then_some(())
    })
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;

    // Merge, and a rotation: only its key changes.
    apply(&client, &ns, &es("Merge")).await;
    rotate_remote(&sm, &key, "switch-v3").await;
    let s = wait_secret(&client, &ns, "app", "v3 merged", |s| {
        has(s, "password", "switch-v3")
    })
    .await;
    assert_eq!(s.metadata.uid, first.metadata.uid);
    assert_eq!(text(&s, "theirs"), "keep-me");
    assert!(!owned_by_external_secret(&s));

    // Back to Owner: the Secret it created is taken back (ownerReference), nothing else lost.
    apply(&client, &ns, &es("Owner")).await;
    let s = wait_secret(&client, &ns, "app", "owned again", owned_by_external_secret).await;
    assert_eq!(s.metadata.uid, first.metadata.uid);
    assert_eq!(text(&s, "password"), "switch-v3");
    assert_eq!(text(&s, "theirs"), "keep-me");
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    // Nothing secret reached the log.
    op.assert_log_free_of(&["switch-v1", "switch-v2", "switch-v3", "keep-me"]);
    common::delete_namespace(&client, &ns).await;
}

/// CreateOrMerge: merges into someone else's Secret (its type, keys and owner kept, never marked as
/// created), creates a missing one without an ownerReference, creates it again when it is deleted,
/// and the Secret outlives the ExternalSecret.
#[tokio::test]
async fn create_or_merge_creates_merges_and_recreates() {
    let (client, ns) = common::setup("pol-com").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "com-v1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: Secret\nmetadata: { name: shared }\ntype: kubernetes.io/basic-auth\nstringData: { username: someone, other: keep-me }\n",
    )
    .await;
    for (name, target) in [("merging", "shared"), ("creating", "made")] {
        apply(
            &client,
            &ns,
            &Es::new(name, "aws")
                .interval("2s")
                .key("password", &key)
                .with(&format!(
                    "target: {{ name: {target}, creationPolicy: CreateOrMerge }}"
                ))
                .yaml(),
        )
        .await;
    }
    let merged = wait_secret(&client, &ns, "shared", "merged", |s| {
        has(s, "password", "com-v1")
    })
    .await;
    assert_eq!(text(&merged, "other"), "keep-me");
    assert_eq!(text(&merged, "username"), "someone");
    assert_eq!(merged.type_.as_deref(), Some("kubernetes.io/basic-auth"));
    assert!(merged.metadata.owner_references.is_none());
    let marks = merged.metadata.annotations.clone().unwrap_or_default();
    assert!(
        !marks.contains_key("secretsync.io/created-by"),
        "a merge never marks someone else's Secret as created: {marks:?}"
    );
    let made = wait_secret(&client, &ns, "made", "created", |s| {
        has(s, "password", "com-v1")
    })
    .await;
    assert!(made.metadata.owner_references.is_none());
    assert_eq!(made.type_.as_deref(), Some("Opaque"));
    wait_ready(&client, &ns, "merging", "True", "Synced").await;
    wait_ready(&client, &ns, "creating", "True", "Synced").await;

    // Deleted while the ExternalSecret exists: created again (ESO's CreateOrMerge).
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .delete("made", &DeleteParams::default())
        .await
        .expect("deleting made");
    wait_secret(&client, &ns, "made", "created again", |s| {
        has(s, "password", "com-v1") && s.metadata.uid != made.metadata.uid
    })
    .await;

    // The ExternalSecrets go; their Secrets stay (no ownerReference to collect them by).
    let ess: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    for name in ["merging", "creating"] {
        ess.delete(name, &DeleteParams::default())
            .await
            .expect("deleting ExternalSecret");
    }
    common::never_within(
        "a CreateOrMerge Secret collected with its ExternalSecret",
        Duration::from_secs(3),
        || async {
            for name in ["shared", "made"] {
                if secret_opt(&client, &ns, name).await.is_none() {
                    return Some(name.to_string());
                }
            }
            None
        },
    )
    .await;
    // Nothing secret reached the log.
    op.assert_log_free_of(&["com-v1", "keep-me"]);
    common::delete_namespace(&client, &ns).await;
}
