//! Data safety on the real test bed: each test reproduces a way a careless or hostile user could once
//! make secretsync delete, blank or adopt a Secret, and checks that it no longer does.

use crate::common;

use std::time::Duration;

use common::fake_endpoints::not_found_server;
use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, has, sm, text, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use secretsync::api::ExternalSecret;

async fn secret(client: &Client, ns: &str, name: &str) -> Option<Secret> {
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    api.get_opt(name).await.ok().flatten()
}

/// Waits until the ExternalSecret's Ready condition message contains `part`; returns the message.
async fn wait_message(client: &Client, ns: &str, name: &str, part: &str) -> String {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    common::wait_for(
        &format!("ExternalSecret {ns}/{name} to say {part:?}"),
        Duration::from_secs(40),
        || {
            let api = api.clone();
            async move {
                let es = api.get_opt(name).await.ok().flatten()?;
                let c = es
                    .status?
                    .conditions
                    .into_iter()
                    .find(|c| c.type_ == "Ready")?;
                c.message.contains(part).then_some(c.message)
            }
        },
    )
    .await
}

async fn patch_es(client: &Client, ns: &str, name: &str, patch: serde_json::Value) {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap_or_else(|e| panic!("patching ExternalSecret {name}: {e}"));
}

/// Item 1: Delete policy deletes only on a twice-confirmed deletion of every remote secret; a typo'd
/// stage, one missing key out of several, a valueless AWSCURRENT and a stray 404 all keep the Secret.
#[tokio::test]
async fn delete_policy_keeps_the_secret_unless_every_remote_is_confirmed_deleted() {
    let (client, ns) = common::setup("del-rule").await;
    let sm = sm();
    let (a, b, c, d) = (
        format!("{ns}/a"),
        format!("{ns}/b"),
        format!("{ns}/c"),
        format!("{ns}/d"),
    );
    for (k, v) in [
        (&a, "safe-a-1"),
        (&b, "safe-b-1"),
        (&c, "safe-c-1"),
        (&d, "safe-d-1"),
    ] {
        create_remote(&sm, k, v).await;
    }
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        &Es::new("typo", "aws")
            .key("password", &a)
            .with("target: { name: typo, deletionPolicy: Delete }")
            .yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("partial", "aws").body(&format!(
                "  data:\n    - {{ secretKey: a, remoteRef: {{ key: \"{a}\" }} }}\n    - {{ secretKey: b, remoteRef: {{ key: \"{b}\" }} }}\n"
            )).with("target: { name: partial, deletionPolicy: Delete }").yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("valueless", "aws")
            .key("password", &c)
            .with("target: { name: valueless, deletionPolicy: Delete }")
            .yaml(),
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("gone", "aws")
            .key("password", &d)
            .with("target: { name: gone, deletionPolicy: Delete }")
            .yaml(),
    )
    .await;
    for name in ["typo", "partial", "valueless", "gone"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }

    // A typo in a spec edit: the stage does not exist; the secret does.
    patch_es(
        &client,
        &ns,
        "typo",
        serde_json::json!({ "spec": { "data": [ { "secretKey": "password", "remoteRef": { "key": a, "versionStage": "AWSCURRNT" } } ] } }),
    )
    .await;
    // One of two remote secrets deleted.
    sm.delete_secret()
        .secret_id(&b)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("DeleteSecret b");
    // A rotation without a Lambda: AWSCURRENT has no value.
    sm.rotate_secret()
        .secret_id(&c)
        .send()
        .await
        .expect("RotateSecret c");
    // The only remote secret deleted: this one goes, after the grace period.
    sm.delete_secret()
        .secret_id(&d)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("DeleteSecret d");

    let m = wait_message(&client, &ns, "typo", "keeps its last data").await;
    assert!(m.contains("never synced"), "{m}");
    let m = wait_message(&client, &ns, "partial", "keeps its last data").await;
    assert!(m.contains(&format!("{a:?} still exists")), "{m}");
    let m = wait_message(&client, &ns, "valueless", "keeps its last data").await;
    assert!(m.contains("still exists"), "{m}");

    wait_message(&client, &ns, "gone", "confirms remote secret").await;
    common::wait_for(
        "the Secret of the deleted remote secret to be deleted after the grace period",
        Duration::from_secs(40),
        || async { secret(&client, &ns, "gone").await.is_none().then_some(()) },
    )
    .await;
    // The Event is published right after the deletion: poll for it.
    common::wait_for(
        "a Deleted Event saying why",
        Duration::from_secs(20),
        || async {
            common::event_messages(&client, &ns)
                .await
                .iter()
                .any(|e| e.starts_with("Deleted ") && e.contains("deleted in Secrets Manager"))
                .then_some(())
        },
    )
    .await;

    // Every kept Secret goes through two more failed reconciles (past the grace period): it stays,
    // and no message ever calls its remote secrets a confirmed deletion.
    common::kept_through_failures(
        &op,
        &client,
        &ns,
        &[
            ("typo", "SecretNotFound"),
            ("partial", "SecretNotFound"),
            ("valueless", "SecretNotFound"),
        ],
    )
    .await;
    for (name, key, value) in [
        ("typo", "password", "safe-a-1"),
        ("partial", "a", "safe-a-1"),
        ("partial", "b", "safe-b-1"),
        ("valueless", "password", "safe-c-1"),
    ] {
        let s = secret(&client, &ns, name)
            .await
            .unwrap_or_else(|| panic!("Secret {name} was deleted"));
        assert_eq!(text(&s, key), value, "{name}/{key}");
    }
    op.assert_log_free_of(&["safe-a-1", "safe-b-1", "safe-c-1", "safe-d-1"]);
    common::delete_namespace(&client, &ns).await;
}

/// Item 1: a store pointed at an endpoint that answers 404 to everything (not Secrets Manager) is a
/// provider error, never a deletion.
#[tokio::test]
async fn a_stray_404_from_a_mis_pointed_endpoint_deletes_nothing() {
    let (client, ns) = common::setup("del-404").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "stray-404-pw").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        &Es::new("db", "aws")
            .key("password", &key)
            .with("target: { name: db, deletionPolicy: Delete }")
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "db", "synced", |s| {
        has(s, "password", "stray-404-pw")
    })
    .await;
    // The store is re-pointed (a typo in the endpoint) at something that answers 404.
    apply(
        &client,
        &ns,
        &common::store_yaml("aws", &not_found_server()),
    )
    .await;
    let m = wait_message(
        &client,
        &ns,
        "db",
        "HTTP 404 without a Secrets Manager error",
    )
    .await;
    assert!(!m.contains("deleted"), "{m}");
    let ready = wait_ready(&client, &ns, "db", "False", "ProviderError").await;
    assert!(ready.status.is_some());
    let s = secret(&client, &ns, "db")
        .await
        .expect("the Secret survives");
    assert_eq!(text(&s, "password"), "stray-404-pw");
    common::delete_namespace(&client, &ns).await;
}

/// Item 2: a `find` whose matches all disappear fails loudly and keeps the keys.
#[tokio::test]
async fn find_matching_nothing_fails_and_keeps_the_keys() {
    let (client, ns) = common::setup("find-none").await;
    let sm = sm();
    let (x, y) = (format!("{ns}/found/x"), format!("{ns}/found/y"));
    create_remote(&sm, &x, "find-x").await;
    create_remote(&sm, &y, "find-y").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let find = format!("  dataFrom:\n    - find: {{ name: {{ regexp: \"^{ns}/found/\" }} }}\n");
    apply(
        &client,
        &ns,
        &Es::new("found", "aws")
            .body(&find)
            .with("target: { name: found }")
            .yaml(),
    )
    .await;
    let before = wait_secret(&client, &ns, "found", "two keys", |s| {
        s.data.as_ref().is_some_and(|d| d.len() == 2)
    })
    .await;
    for k in [&x, &y] {
        sm.delete_secret()
            .secret_id(k)
            .force_delete_without_recovery(true)
            .send()
            .await
            .expect("DeleteSecret");
    }
    wait_ready(&client, &ns, "found", "False", "SecretNotFound").await;
    let m = wait_message(&client, &ns, "found", "matched nothing").await;
    assert!(m.contains("keeps its last data"), "{m}");
    let after = secret(&client, &ns, "found").await.expect("Secret kept");
    assert_eq!(after.data, before.data);
    common::delete_namespace(&client, &ns).await;
}

async fn delete_es(client: &Client, ns: &str, name: &str) {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    api.delete(name, &DeleteParams::default())
        .await
        .unwrap_or_else(|e| panic!("deleting ExternalSecret {name}: {e}"));
}

/// Items 3 and 4: the ownerReference follows the policy, and Merge never leads to adoption.
#[tokio::test]
async fn policy_switches_never_hand_a_secret_to_the_garbage_collector() {
    let (client, ns) = common::setup("policy-flip").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "flip-pw").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    // A control Secret that is meant to be garbage-collected: it shows the GC acting.
    apply(
        &client,
        &ns,
        &Es::new("control", "aws")
            .key("password", &key)
            .with("target: { name: control }")
            .yaml(),
    )
    .await;
    // Owner, then switched to Orphan.
    apply(
        &client,
        &ns,
        &Es::new("flipped", "aws")
            .key("password", &key)
            .with("target: { name: flipped }")
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "flipped", "owned", |s| {
        s.metadata
            .owner_references
            .as_ref()
            .is_some_and(|o| o.len() == 1)
    })
    .await;
    apply(
        &client,
        &ns,
        &Es::new("flipped", "aws")
            .key("password", &key)
            .with("target: { name: flipped, creationPolicy: Orphan }")
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "flipped", "released", |s| {
        s.metadata
            .owner_references
            .as_ref()
            .is_none_or(|o| o.is_empty())
    })
    .await;
    // A user's Secret merged into, then the policy switched to Owner.
    apply(
        &client,
        &ns,
        "apiVersion: v1\nkind: Secret\nmetadata: { name: users }\nstringData: { mine: user-data }\n",
    )
    .await;
    apply(
        &client,
        &ns,
        &Es::new("users", "aws")
            .key("password", &key)
            .with("target: { name: users, creationPolicy: Merge }")
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "users", "merged", |s| {
        has(s, "password", "flip-pw")
    })
    .await;
    apply(
        &client,
        &ns,
        &Es::new("users", "aws")
            .key("password", &key)
            .with("target: { name: users, creationPolicy: Owner }")
            .yaml(),
    )
    .await;
    wait_ready(&client, &ns, "users", "False", "TargetConflict").await;
    let users = secret(&client, &ns, "users").await.expect("user's Secret");
    assert!(
        users
            .metadata
            .owner_references
            .as_ref()
            .is_none_or(|o| o.is_empty()),
        "not adopted"
    );

    for name in ["control", "flipped", "users"] {
        delete_es(&client, &ns, name).await;
    }
    common::wait_for(
        "the control Secret to be garbage-collected",
        Duration::from_secs(30),
        || async {
            secret(&client, &ns, "control")
                .await
                .is_none()
                .then_some(())
        },
    )
    .await;
    let flipped = secret(&client, &ns, "flipped")
        .await
        .expect("the Orphan Secret survives its ExternalSecret");
    assert_eq!(text(&flipped, "password"), "flip-pw");
    let users = secret(&client, &ns, "users")
        .await
        .expect("the user's Secret survives");
    assert_eq!(text(&users, "mine"), "user-data");
    common::delete_namespace(&client, &ns).await;
}

/// Item 5: output the API server rejects is InvalidValue with its message, reported once; names and
/// keys Kubernetes cannot take are refused before any write; a huge find keeps the record bounded.
#[tokio::test]
async fn rejected_output_is_reported_once_and_the_versions_record_stays_bounded() {
    let (client, ns) = common::setup("invalid-out").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "invalid-pw").await;
    let many = 120;
    for i in 0..many {
        create_remote(&sm, &format!("{ns}/many/s{i:03}"), "v").await;
    }
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    // kubernetes.io/tls without tls.crt: only the API server knows.
    apply(
        &client,
        &ns,
        &Es::new("tls", "aws")
            .key("password", &key)
            .with("target: { name: tls, type: kubernetes.io/tls }")
            .yaml(),
    )
    .await;
    let ready = wait_ready(&client, &ns, "tls", "False", "InvalidValue").await;
    let m = ready
        .status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.message)
        .unwrap_or_default();
    assert!(m.contains("rejected") && m.contains("tls.crt"), "{m}");
    // A key Kubernetes refuses, from a template.
    apply(
        &client,
        &ns,
        &Es::new("dots", "aws")
            .key("password", &key)
            .body("  target:\n    name: dots\n    template: { data: { \"..data\": \"{{ password }}\" } }\n")
            .yaml(),
    )
    .await;
    wait_ready(&client, &ns, "dots", "False", "InvalidValue").await;
    // A target name that is not a DNS name.
    apply(
        &client,
        &ns,
        &Es::new("badname", "aws")
            .key("password", &key)
            .with("target: { name: Bad_Name }")
            .yaml(),
    )
    .await;
    wait_ready(&client, &ns, "badname", "False", "InvalidSpec").await;
    // 120 matches: the versions record on status and on the Secret stays small.
    apply(
        &client,
        &ns,
        &Es::new("many", "aws")
            .body(&format!(
                "  dataFrom:\n    - find: {{ name: {{ regexp: \"^{ns}/many/\" }} }}\n"
            ))
            .with("target: { name: many }")
            .yaml(),
    )
    .await;
    let s = wait_secret(&client, &ns, "many", "all matches", |s| {
        s.data.as_ref().is_some_and(|d| d.len() == many)
    })
    .await;
    let record = s
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("secretsync.io/synced-versions"))
        .cloned()
        .unwrap_or_default();
    assert!(record.len() < 200, "bounded record: {record}");
    let ready = wait_ready(&client, &ns, "many", "True", "Synced").await;
    assert!(ready.status.map(|s| s.synced_versions.len()).unwrap_or(0) <= 1);

    // Reported once: while the `many` ExternalSecret refreshes every second, the rejected ones
    // neither retry with backoff (first retry after 5 s) nor publish a second Event.
    let invalid = |op: &Operator| op.metric_sum("secretsync_sync_results_total", &["InvalidValue"]);
    let refreshes = |op: &Operator| op.metric_sum("secretsync_sync_results_total", &["Synced"]);
    let (invalid_before, start) = (invalid(&op), refreshes(&op));
    common::wait_for(
        "ten refreshes of another ExternalSecret",
        Duration::from_secs(60),
        || {
            let n = refreshes(&op);
            async move { (n >= start + 10.0).then_some(()) }
        },
    )
    .await;
    assert_eq!(
        invalid(&op),
        invalid_before,
        "InvalidValue retried while nothing changed"
    );
    common::wait_for_events(&client, &ns, &["tls.crt"]).await;
    let events = common::event_messages(&client, &ns).await;
    let tls_failures = events.iter().filter(|e| e.contains("tls.crt")).count();
    assert_eq!(tls_failures, 1, "{events:?}");
    common::delete_namespace(&client, &ns).await;
}

/// Item 6: an absurdly short refreshInterval is raised to the controller's floor, with a warning.
#[tokio::test]
async fn refresh_interval_below_the_floor_is_raised_with_a_warning() {
    let (client, ns) = common::setup("floor").await;
    let sm = sm();
    let key = format!("{ns}/pw");
    create_remote(&sm, &key, "floor-pw").await;
    let op = Operator::start_with(&ns, "", &["--min-refresh-interval=10s"], &[]).await;
    common::apply_test_store(&client, &ns).await;
    apply(
        &client,
        &ns,
        &Es::new("fast", "aws")
            .interval("1ns")
            .key("password", &key)
            .with("target: { name: fast }")
            .yaml(),
    )
    .await;
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let message = common::wait_for(
        "the RefreshIntervalRaised condition",
        Duration::from_secs(30),
        || {
            let api = api.clone();
            async move {
                let es = api.get_opt("fast").await.ok().flatten()?;
                es.status?
                    .conditions
                    .into_iter()
                    .find(|c| c.type_ == "RefreshIntervalRaised" && c.status == "True")
                    .map(|c| c.message)
            }
        },
    )
    .await;
    assert!(
        message.contains("1ns") && message.contains("10s"),
        "{message}"
    );
    wait_ready(&client, &ns, "fast", "True", "Synced").await;
    let first_sync = std::time::Instant::now();
    let reads = op.metric_sum("secretsync_aws_api_calls_total", &["GetSecretValue"]);
    assert!(reads <= 2.0, "{reads} reads right after the first sync");
    // The quiet period comes from the raised interval: a 1ns interval would refresh (and count a
    // Synced result, even for an idle refresh that reads no value) many times a second; at the 10 s
    // floor nothing is refreshed for 8 s, and the next refresh comes by about 12 s.
    let synced = || op.metric_sum("secretsync_sync_results_total", &["reason=\"Synced\""]);
    let after_first = synced();
    assert!(after_first >= 1.0, "the first sync was not counted");
    common::never_within(
        "a refresh before the 10 s floor",
        Duration::from_secs(8),
        || {
            let now = synced();
            async move { (now > after_first).then(|| format!("Synced {after_first} -> {now}")) }
        },
    )
    .await;
    common::wait_for(
        "the next refresh at the 10 s floor",
        Duration::from_secs(12),
        || {
            let now = synced();
            async move { (now > after_first).then_some(()) }
        },
    )
    .await;
    let took = first_sync.elapsed();
    assert!(
        took >= Duration::from_secs(8) && took <= Duration::from_secs(13),
        "the next refresh came {took:?} after the first sync"
    );
    assert_eq!(
        op.metric_sum("secretsync_aws_api_calls_total", &["GetSecretValue"]),
        reads,
        "an idle refresh read a value"
    );
    common::delete_namespace(&client, &ns).await;
}
