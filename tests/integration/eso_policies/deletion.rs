//! `deletionPolicy: Merge` and the policy combinations secretsync refuses, on the real apiserver.

use std::time::Duration;

use super::{add_foreign_key, force_sync, get_secret, owned_by_external_secret, secret_opt};
use crate::common;
use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, has, rotate_remote, sm, text, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;

/// deletionPolicy Merge: once the remote secret is confirmed deleted (and still is after the grace
/// period), this ExternalSecret's keys leave the Secret and everything else stays — the Secret (same
/// uid), the keys someone else wrote, its type. The remote secret back: the keys are back.
#[tokio::test]
async fn deletion_policy_merge_removes_only_this_external_secrets_keys() {
    let (client, ns) = common::setup("pol-delmerge").await;
    let sm = sm();
    let gone = format!("{ns}/gone");
    create_remote(&sm, &gone, "dm-v1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: Secret\nmetadata: { name: shared }\ntype: kubernetes.io/basic-auth\nstringData: { username: someone, other: keep-me }\n",
    )
    .await;
    for (name, target) in [
        (
            "merged",
            "target: { name: shared, creationPolicy: Merge, deletionPolicy: Merge }",
        ),
        (
            "owned",
            "target: { name: owned, creationPolicy: Owner, deletionPolicy: Merge }",
        ),
    ] {
        apply(
            &client,
            &ns,
            &Es::new(name, "aws")
                .interval("2s")
                .key("password", &gone)
                .key("token", &gone)
                .with(target)
                .yaml(),
        )
        .await;
    }
    let shared = wait_secret(&client, &ns, "shared", "merged", |s| {
        has(s, "password", "dm-v1") && has(s, "token", "dm-v1")
    })
    .await;
    let owned = wait_secret(&client, &ns, "owned", "created", |s| {
        has(s, "password", "dm-v1")
    })
    .await;
    add_foreign_key(&client, &ns, "owned", "theirs", "keep-me").await;
    wait_ready(&client, &ns, "merged", "True", "Synced").await;
    wait_ready(&client, &ns, "owned", "True", "Synced").await;

    sm.delete_secret()
        .secret_id(&gone)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("DeleteSecret");
    let without_ours = |s: &Secret| {
        let keys: Vec<&String> = s.data.iter().flatten().map(|(k, _)| k).collect();
        !keys.iter().any(|k| *k == "password" || *k == "token")
    };
    let s = wait_secret(
        &client,
        &ns,
        "shared",
        "without this ExternalSecret's keys",
        without_ours,
    )
    .await;
    assert_eq!(s.metadata.uid, shared.metadata.uid, "the Secret stays");
    assert_eq!(text(&s, "other"), "keep-me");
    assert_eq!(text(&s, "username"), "someone");
    assert_eq!(s.type_.as_deref(), Some("kubernetes.io/basic-auth"));
    let o = wait_secret(
        &client,
        &ns,
        "owned",
        "without this ExternalSecret's keys",
        without_ours,
    )
    .await;
    assert_eq!(
        o.metadata.uid, owned.metadata.uid,
        "an Owner Secret stays too"
    );
    assert_eq!(text(&o, "theirs"), "keep-me");
    assert!(owned_by_external_secret(&o));
    let es = wait_ready(&client, &ns, "merged", "False", "SecretNotFound").await;
    let m = common::ready_message(&es);
    assert!(
        m.contains("removed") && m.contains("deletionPolicy Merge"),
        "{m}"
    );
    common::wait_for_events(
        &client,
        &ns,
        &["KeysRemoved Removed key(s) password, token from Secret \"shared\""],
    )
    .await;
    // Later refreshes find nothing left to remove and keep saying so; the Secret is not written.
    let settled = get_secret(&client, &ns, "shared").await;
    common::never_within(
        "another write to shared",
        Duration::from_secs(4),
        || async {
            let now = secret_opt(&client, &ns, "shared").await?;
            (now.metadata.resource_version != settled.metadata.resource_version).then_some(())
        },
    )
    .await;

    // The remote secret is created again: the keys come back, nothing else changed (force-sync
    // instead of waiting out the retry backoff).
    create_remote(&sm, &gone, "dm-v2").await;
    force_sync(&client, &ns, "merged", "remote-back").await;
    let back = wait_secret(&client, &ns, "shared", "keys back", |s| {
        has(s, "password", "dm-v2") && has(s, "token", "dm-v2")
    })
    .await;
    assert_eq!(back.metadata.uid, shared.metadata.uid);
    assert_eq!(text(&back, "other"), "keep-me");
    wait_ready(&client, &ns, "merged", "True", "Synced").await;
    // Nothing secret reached the log.
    op.assert_log_free_of(&["dm-v1", "dm-v2", "keep-me"]);
    common::delete_namespace(&client, &ns).await;
}

/// A combination ESO refuses (deletionPolicy Merge with creationPolicy None), or immutable with
/// CreateOrMerge: InvalidSpec with a SyncFailed Event naming it, and the Secret keeps exactly what it
/// held. deletionPolicy Delete without Owner never gets past the API server.
#[tokio::test]
async fn a_refused_policy_combination_is_invalid_spec_and_the_secret_is_untouched() {
    let (client, ns) = common::setup("pol-bad").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "bad-v1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let es = |target: &str| {
        Es::new("app", "aws")
            .interval("2s")
            .key("password", &key)
            .with(&format!("target: {target}"))
            .yaml()
    };
    apply(&client, &ns, &es("{ creationPolicy: Owner }")).await;
    let mut before = wait_secret(&client, &ns, "app", "synced", |s| {
        has(s, "password", "bad-v1")
    })
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;

    for (target, words) in [
        (
            "{ creationPolicy: None, deletionPolicy: Merge }",
            "deletionPolicy Merge with creationPolicy None",
        ),
        (
            "{ creationPolicy: CreateOrMerge, immutable: true }",
            "target.immutable with creationPolicy CreateOrMerge",
        ),
    ] {
        apply(&client, &ns, &es(target)).await;
        let got = wait_ready(&client, &ns, "app", "False", "InvalidSpec").await;
        assert!(common::ready_message(&got).contains(words), "{target}");
        common::wait_for_events(&client, &ns, &[&format!("SyncFailed InvalidSpec: {words}")]).await;
        let rotated = format!("bad-{}", words.len());
        rotate_remote(&sm, &key, &rotated).await;
        common::never_within(
            "a write while the spec is refused",
            Duration::from_secs(3),
            || {
                let client = client.clone();
                let ns = ns.clone();
                let rv = before.metadata.resource_version.clone();
                async move {
                    let now = secret_opt(&client, &ns, "app").await?;
                    (now.metadata.resource_version != rv).then_some(())
                }
            },
        )
        .await;
        let now = get_secret(&client, &ns, "app").await;
        assert_eq!(now.metadata.uid, before.metadata.uid);
        assert_eq!(
            now.data, before.data,
            "the Secret keeps exactly what it held"
        );
        // Fixed again (a distinct spec each time): synced.
        apply(&client, &ns, &es("{ creationPolicy: Owner }")).await;
        wait_ready(&client, &ns, "app", "True", "Synced").await;
        let next = wait_secret(&client, &ns, "app", "synced again", |s| {
            has(s, "password", &rotated)
        })
        .await;
        assert_eq!(next.metadata.uid, before.metadata.uid);
        before = next;
    }

    // The API server refuses deletionPolicy Delete without creationPolicy Owner at apply time.
    let bad: ExternalSecret = serde_yaml_ng::from_str(&es(
        "{ creationPolicy: CreateOrMerge, deletionPolicy: Delete }",
    ))
    .expect("ExternalSecret YAML");
    let refused = Api::<ExternalSecret>::namespaced(client.clone(), &ns)
        .patch(
            "app",
            &PatchParams::apply("secretsync-tests").force(),
            &Patch::Apply(&bad),
        )
        .await
        .expect_err("refused by the API server");
    assert!(
        refused
            .to_string()
            .contains("deletionPolicy Delete requires creationPolicy Owner"),
        "{refused}"
    );
    // Nothing secret reached the log.
    op.assert_log_free_of(&["bad-v1"]);
    common::delete_namespace(&client, &ns).await;
}
