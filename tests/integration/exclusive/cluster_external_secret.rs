//! ClusterExternalSecret on the real test bed, with a cluster-wide controller (the only kind that keeps
//! them): an ExternalSecret appears in each matching namespace and syncs; a namespace label added or
//! removed is followed within seconds; a spec edit reaches every copy; a hand-made ExternalSecret of the
//! same name is a reported conflict and never touched; deleting the ClusterExternalSecret removes only
//! its own ExternalSecrets.
//!
//! This binary's only test runs a controller for every namespace; test binaries run one at a time, so
//! no other test's namespace is reconciled by two controllers.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::{apply, create_remote, has, sm, testbed_var, wait_for, wait_secret};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::{Client, ResourceExt};
use secretsync::api::{ClusterExternalSecret, ExternalSecret};

async fn label_namespace(client: &Client, ns: &str, value: Option<&str>) {
    let api: Api<Namespace> = Api::all(client.clone());
    let patch =
        serde_json::json!({ "metadata": { "labels": { "secretsync.io/test-ces": value } } });
    api.patch(ns, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap_or_else(|e| panic!("labelling namespace {ns}: {e}"));
}

async fn es_in(client: &Client, ns: &str, name: &str) -> Option<ExternalSecret> {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    api.get_opt(name).await.ok().flatten()
}

async fn wait_status(
    client: &Client,
    name: &str,
    what: &str,
    ok: impl Fn(&secretsync::api::ClusterExternalSecretStatus) -> bool,
) {
    let api: Api<ClusterExternalSecret> = Api::all(client.clone());
    wait_for(
        &format!("ClusterExternalSecret {name}: {what}"),
        Duration::from_secs(30),
        || {
            let api = api.clone();
            let ok = &ok;
            async move {
                let ces = api.get_opt(name).await.ok().flatten()?;
                ces.status.filter(|s| ok(s)).map(|_| ())
            }
        },
    )
    .await;
}

#[tokio::test]
async fn cluster_external_secret_follows_namespaces_and_never_touches_foreign_external_secrets() {
    let (client, a) = common::setup("ces-a").await;
    let b = common::namespace(&client, "ces-b").await;
    let c = common::namespace(&client, "ces-c").await;
    let sm = sm();
    let key = format!("{a}/shared");
    create_remote(&sm, &key, "ces-value-1").await;
    // A ClusterSecretStore every namespace may use (the test bed's moto, keys from namespace a).
    let css = format!("{a}-store");
    let ces = format!("{a}-ces");
    apply(&client, &a, &common::aws_creds_yaml()).await;
    apply(
        &client,
        &a,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\nmetadata: {{ name: {css} }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{}\"\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id, namespace: {a} }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key, namespace: {a} }} }} }}\n",
            testbed_var("AWS_ENDPOINT_URL")
        ),
    )
    .await;
    // c has a hand-made ExternalSecret with the name the ClusterExternalSecret will use.
    let hand_made = format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: shared }}\nspec:\n  secretStoreRef: {{ name: {css}, kind: ClusterSecretStore }}\n  refreshInterval: 1h\n  data:\n    - {{ secretKey: mine, remoteRef: {{ key: \"{key}\" }} }}\n"
    );
    apply(&client, &c, &hand_made).await;
    for ns in [&a, &c] {
        label_namespace(&client, ns, Some("yes")).await;
    }
    let mut op = Operator::start_cluster_wide("ces").await;
    apply(
        &client,
        &a,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ClusterExternalSecret\nmetadata: {{ name: {ces} }}\nspec:\n  externalSecretName: shared\n  externalSecretMetadata: {{ labels: {{ team: platform }} }}\n  namespaceSelectors: [ {{ matchLabels: {{ secretsync.io/test-ces: \"yes\" }} }} ]\n  refreshTime: 1m\n  externalSecretSpec:\n    secretStoreRef: {{ name: {css}, kind: ClusterSecretStore }}\n    refreshInterval: 1s\n    data:\n      - {{ secretKey: password, remoteRef: {{ key: \"{key}\" }} }}\n"
        ),
    )
    .await;

    // a matches: its ExternalSecret syncs. c matches but holds someone else's: conflict, untouched.
    wait_secret(&client, &a, "shared", "synced in a", |s| {
        has(s, "password", "ces-value-1")
    })
    .await;
    let (a2, c2) = (a.clone(), c.clone());
    wait_status(&client, &ces, "a provisioned, c failed", move |s| {
        s.provisioned_namespaces == vec![a2.clone()]
            && s.failed_namespaces.iter().any(|f| f.namespace == c2)
            && s.conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "False")
    })
    .await;
    let mine = es_in(&client, &c, "shared").await.expect("hand-made kept");
    assert_eq!(
        mine.spec.data[0].secret_key, "mine",
        "the hand-made spec was changed"
    );
    assert!(
        mine.owner_references().is_empty(),
        "the hand-made one was adopted"
    );
    let generated = es_in(&client, &a, "shared").await.expect("generated");
    assert_eq!(
        generated.labels().get("team").map(String::as_str),
        Some("platform")
    );

    // b gets the label: within seconds it has the ExternalSecret too.
    label_namespace(&client, &b, Some("yes")).await;
    wait_secret(&client, &b, "shared", "synced in b", |s| {
        has(s, "password", "ces-value-1")
    })
    .await;

    // A spec edit reaches every copy.
    let api: Api<ClusterExternalSecret> = Api::all(client.clone());
    let edit = serde_json::json!({ "spec": { "externalSecretSpec": { "data": [
        { "secretKey": "renamed", "remoteRef": { "key": key } }
    ] } } });
    api.patch(&ces, &PatchParams::default(), &Patch::Merge(&edit))
        .await
        .expect("editing the ClusterExternalSecret");
    for ns in [&a, &b] {
        wait_secret(&client, ns, "shared", "the edited spec", |s| {
            has(s, "renamed", "ces-value-1")
        })
        .await;
    }

    // Someone deletes a generated copy: it comes back.
    let es_b: Api<ExternalSecret> = Api::namespaced(client.clone(), &b);
    es_b.delete("shared", &DeleteParams::default())
        .await
        .expect("deleting the copy in b");
    wait_for(
        "the copy in b to come back",
        Duration::from_secs(30),
        || {
            let es_b = es_b.clone();
            async move {
                let es = es_b.get_opt("shared").await.ok().flatten()?;
                es.metadata.deletion_timestamp.is_none().then_some(())
            }
        },
    )
    .await;

    // b loses the label: its copy is deleted; a's stays.
    label_namespace(&client, &b, None).await;
    wait_for(
        "the copy in b to be deleted",
        Duration::from_secs(30),
        || {
            let client = client.clone();
            let b = b.clone();
            async move { es_in(&client, &b, "shared").await.is_none().then_some(()) }
        },
    )
    .await;
    assert!(es_in(&client, &a, "shared").await.is_some());

    // A forged copy (the label, no owner) in a matching namespace is never taken for ours.
    apply(
        &client,
        &a,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata:\n  name: forged\n  labels: {{ secretsync.io/cluster-external-secret: {ces} }}\nspec:\n  secretStoreRef: {{ name: {css}, kind: ClusterSecretStore }}\n  refreshInterval: 1h\n  data:\n    - {{ secretKey: forged, remoteRef: {{ key: \"{key}\" }} }}\n"
        ),
    )
    .await;

    // The controller restarts: nothing is deleted or recreated (the copy keeps its uid).
    let uid_before = es_in(&client, &a, "shared").await.and_then(|e| e.uid());
    op.stop();
    let op = Operator::start_cluster_wide("ces-again").await;
    // Proof the new controller has reconciled: b matches again and gets its copy.
    label_namespace(&client, &b, Some("yes")).await;
    wait_secret(
        &client,
        &b,
        "shared",
        "b's copy from the new controller",
        |s| has(s, "renamed", "ces-value-1"),
    )
    .await;
    assert_eq!(
        es_in(&client, &a, "shared").await.and_then(|e| e.uid()),
        uid_before
    );

    // A new externalSecretName: the copies move to it (c's hand-made "shared" no longer conflicts) and
    // the old copies go once the new ones are in place.
    api.patch(
        &ces,
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({ "spec": { "externalSecretName": "renamed" } })),
    )
    .await
    .expect("renaming");
    for ns in [&a, &b, &c] {
        wait_secret(&client, ns, "renamed", "the renamed copy", |s| {
            has(s, "renamed", "ces-value-1")
        })
        .await;
    }
    wait_for("the old copy in a to go", Duration::from_secs(30), || {
        let client = client.clone();
        let a = a.clone();
        async move { es_in(&client, &a, "shared").await.is_none().then_some(()) }
    })
    .await;
    let mut all = vec![a.clone(), b.clone(), c.clone()];
    all.sort();
    wait_status(&client, &ces, "a, b and c provisioned, Ready", move |s| {
        s.provisioned_namespaces == all
            && s.failed_namespaces.is_empty()
            && s.conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
    })
    .await;

    // A typo in a selector's operator ("in") or an In without values would match nothing: the spec
    // is refused as a whole (InvalidSpec) and every copy stays, with its Secret.
    // Each typo's own status: the generation its patch made, and the message naming its own problem
    // (the second typo's wait cannot be met by the first typo's status).
    for (typo, problem) in [
        (
            serde_json::json!([{ "matchExpressions": [{ "key": "secretsync.io/test-ces", "operator": "in", "values": ["yes"] }] }]),
            "operator \"in\" is not one of In, NotIn, Exists, DoesNotExist",
        ),
        (
            serde_json::json!([{ "matchExpressions": [{ "key": "secretsync.io/test-ces", "operator": "In" }] }]),
            "operator \"In\" needs at least one value",
        ),
    ] {
        let generation = api
            .patch(
                &ces,
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({ "spec": { "namespaceSelectors": typo } })),
            )
            .await
            .expect("a selector typo")
            .metadata
            .generation;
        assert!(generation.is_some(), "the patched object has a generation");
        wait_status(
            &client,
            &ces,
            &format!("InvalidSpec for the typo: {problem}"),
            |s| {
                s.observed_generation == generation
                    && s.conditions.iter().any(|c| {
                        c.type_ == "Ready"
                            && c.reason == "InvalidSpec"
                            && c.message
                                .contains("namespaceSelectors[0].matchExpressions[0]")
                            && c.message.contains(problem)
                    })
            },
        )
        .await;
        for ns in [&a, &b, &c] {
            assert!(
                es_in(&client, ns, "renamed").await.is_some(),
                "a selector typo deleted the copy in {ns}"
            );
            wait_secret(&client, ns, "renamed", "kept through the typo", |s| {
                has(s, "renamed", "ces-value-1")
            })
            .await;
        }
    }
    // An externalSecretName the API server refuses: InvalidSpec too, nothing renamed or deleted.
    api.patch(
        &ces,
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({ "spec": {
            "externalSecretName": "DB_Creds",
            "namespaceSelectors": [{ "matchLabels": { "secretsync.io/test-ces": "yes" } }],
        } })),
    )
    .await
    .expect("an invalid name");
    wait_status(&client, &ces, "InvalidSpec for the name", |s| {
        s.conditions
            .iter()
            .any(|c| c.reason == "InvalidSpec" && c.message.contains("DB_Creds"))
    })
    .await;
    for ns in [&a, &b, &c] {
        assert!(es_in(&client, ns, "renamed").await.is_some());
    }
    // Fixed: Ready again over the same copies.
    api.patch(
        &ces,
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({ "spec": { "externalSecretName": "renamed" } })),
    )
    .await
    .expect("the fix");
    let mut all = vec![a.clone(), b.clone(), c.clone()];
    all.sort();
    wait_status(&client, &ces, "Ready again after the fix", move |s| {
        s.provisioned_namespaces == all
            && s.conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
    })
    .await;

    // A name longer than a label value (63): its copies carry a digest label and are still its own
    // (kept Ready, edited, deleted with it), never reported as someone else's.
    let long = format!("{a}-{}", "l".repeat(70));
    apply(
        &client,
        &a,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ClusterExternalSecret\nmetadata: {{ name: {long} }}\nspec:\n  externalSecretName: long-copy\n  namespaces: [{a}]\n  refreshTime: 1m\n  externalSecretSpec:\n    secretStoreRef: {{ name: {css}, kind: ClusterSecretStore }}\n    refreshInterval: 1h\n    data:\n      - {{ secretKey: password, remoteRef: {{ key: \"{key}\" }} }}\n"
        ),
    )
    .await;
    wait_secret(&client, &a, "long-copy", "the long-named copy", |s| {
        has(s, "password", "ces-value-1")
    })
    .await;
    api.patch(
        &long,
        &PatchParams::default(),
        &Patch::Merge(
            &serde_json::json!({ "spec": { "externalSecretSpec": { "data": [
            { "secretKey": "edited", "remoteRef": { "key": key } }
        ] } } }),
        ),
    )
    .await
    .expect("editing the long-named one");
    wait_secret(
        &client,
        &a,
        "long-copy",
        "the long-named copy edited",
        |s| has(s, "edited", "ces-value-1"),
    )
    .await;
    let a3 = a.clone();
    wait_status(&client, &long, "a provisioned, Ready", move |s| {
        s.provisioned_namespaces == vec![a3.clone()]
            && s.failed_namespaces.is_empty()
            && s.conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
    })
    .await;
    api.delete(&long, &DeleteParams::default())
        .await
        .expect("deleting the long-named one");
    wait_for(
        "the long-named copy to be deleted",
        Duration::from_secs(60),
        || {
            let client = client.clone();
            let a = a.clone();
            async move {
                es_in(&client, &a, "long-copy")
                    .await
                    .is_none()
                    .then_some(())
            }
        },
    )
    .await;

    // The ClusterExternalSecret is deleted: its copies go (garbage collector); the hand-made and the
    // forged ones stay.
    api.delete(&ces, &DeleteParams::default())
        .await
        .expect("deleting the ClusterExternalSecret");
    for ns in [&a, &b, &c] {
        wait_for(
            &format!("the copy in {ns} to be deleted"),
            Duration::from_secs(60),
            || {
                let client = client.clone();
                let ns = ns.to_string();
                async move { es_in(&client, &ns, "renamed").await.is_none().then_some(()) }
            },
        )
        .await;
    }
    let mine = es_in(&client, &c, "shared")
        .await
        .expect("hand-made survives");
    assert_eq!(mine.spec.data[0].secret_key, "mine");
    assert!(
        es_in(&client, &a, "forged").await.is_some(),
        "the forged one was deleted"
    );
    op.assert_log_free_of(&["ces-value-1"]);
    let css_api: Api<secretsync::api::ClusterSecretStore> = Api::all(client.clone());
    let _ = css_api.delete(&css, &DeleteParams::default()).await;
    for ns in [&a, &b, &c] {
        common::delete_namespace(&client, ns).await;
    }
}
