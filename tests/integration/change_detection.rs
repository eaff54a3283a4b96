//! Change detection on the real test bed: idle refreshes read no values, a new version costs one listing
//! and one read, stage moves are seen, ListSecrets denial falls back to DescribeSecret, and one store's
//! listing never serves another store's credentials.

use crate::common;

use std::time::Duration;

use common::moto::Moto;
use common::operator::Operator;
use common::scenario::{Es, Scenario, Store};
use common::{apply, create_remote, has, rotate_remote, sm_at, wait_ready, wait_secret};
use kube::Client;
use kube::api::Api;
use secretsync::api::{ExternalSecret, SecretStore};

/// A SecretStore `name` at `endpoint` with static keys from Secret `name-creds`.
fn store_with_keys(name: &str, endpoint: &str, keys: (&str, &str), extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{ name: {name}-creds }}\nstringData: {{ id: \"{}\", key: \"{}\" }}\n---\n\
         apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {name} }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n{extra}    auth: {{ secretRef: {{ accessKeyId: {{ name: {name}-creds, key: id }}, secretAccessKey: {{ name: {name}-creds, key: key }} }} }}\n",
        keys.0, keys.1
    )
}

/// Successful calls of one AWS operation.
fn calls(op: &Operator, operation: &str) -> f64 {
    op.metric_sum(
        "secretsync_aws_api_calls_total",
        &[&format!("operation=\"{operation}\""), "outcome=\"success\""],
    )
}

/// Waits until the controller has finished `n` more successful refreshes (any ExternalSecret).
async fn wait_refreshes(op: &Operator, n: f64) {
    let start = op.metric_sum("secretsync_sync_results_total", &["Synced"]);
    common::wait_for(
        &format!("{n} more refreshes"),
        Duration::from_secs(60),
        || {
            let now = op.metric_sum("secretsync_sync_results_total", &["Synced"]);
            async move { (now >= start + n).then_some(()) }
        },
    )
    .await;
}

/// Log lines (the controller runs at RUST_LOG=debug) about single-object GETs of Secrets, stores or
/// Namespaces; watches and lists are collection requests and do not match.
fn object_gets(op: &Operator) -> usize {
    let text = std::fs::read_to_string(&op.log).unwrap_or_default();
    let re = regex::Regex::new(
        r"http\.method=GET http\.url=\S+/(secrets|secretstores|clustersecretstores|namespaces)/[^/?\s}]+[\s}]",
    )
    .expect("static regex");
    text.lines().filter(|l| re.is_match(l)).count()
}

/// `secretsync_kube_api_requests_total` by "verb resource".
fn own_requests(op: &Operator) -> std::collections::BTreeMap<String, f64> {
    let re = regex::Regex::new(
        r#"^secretsync_kube_api_requests_total\{resource="([^"]*)",verb="([^"]*)"\} (\S+)$"#,
    )
    .expect("static regex");
    op.metrics()
        .lines()
        .filter_map(|l| {
            let c = re.captures(l)?;
            Some((format!("{} {}", &c[2], &c[1]), c[3].parse().ok()?))
        })
        .collect()
}

async fn es_resource_version(client: &Client, ns: &str, name: &str) -> String {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    api.get(name)
        .await
        .ok()
        .and_then(|e| e.metadata.resource_version)
        .unwrap_or_default()
}

#[tokio::test]
async fn idle_refreshes_read_no_values_and_write_nothing() {
    let (client, ns) = common::setup("cd-idle").await;
    let moto = Moto::start(&[]).await;
    let sm = sm_at(&moto.endpoint(), None);
    create_remote(&sm, "idle/db", "idle-db").await;
    create_remote(&sm, "idle/app", r#"{"user":"u","pass":"idle-pass"}"#).await;
    create_remote(&sm, "idle/shared/a", "idle-a").await;
    create_remote(&sm, "idle/shared/b", "idle-b").await;
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &store_with_keys("aws", &moto.endpoint(), ("testing", "testing"), ""),
    )
    .await;
    let es = |name: &str, body: &str| {
        format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: {name} }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: 1s\n{body}"
        )
    };
    apply(
        &client,
        &ns,
        &es(
            "data",
            "  data:\n    - { secretKey: password, remoteRef: { key: idle/db } }\n",
        ),
    )
    .await;
    apply(
        &client,
        &ns,
        &es("extract", "  dataFrom:\n    - extract: { key: idle/app }\n"),
    )
    .await;
    apply(
        &client,
        &ns,
        &es(
            "find",
            "  dataFrom:\n    - find: { name: { regexp: \"^idle/shared/\" } }\n",
        ),
    )
    .await;
    for name in ["data", "extract", "find"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }
    // First syncs: at most one read per value (the reconcile our own write triggers reads nothing;
    // reads due together may share a BatchGetSecretValue).
    let first = calls(&op, "GetSecretValue") + calls(&op, "BatchGetSecretValue");
    assert!((1.0..=4.0).contains(&first), "{first} reads for 4 values");
    wait_refreshes(&op, 3.0).await;
    let (reads, lists) = (calls(&op, "GetSecretValue"), calls(&op, "ListSecrets"));
    let gets = object_gets(&op);
    let own = own_requests(&op);
    assert!(
        own.contains_key("watch secrets") && own.contains_key("apply secrets"),
        "the controller counts its own apiserver requests: {own:?}"
    );
    assert_eq!(reads + calls(&op, "BatchGetSecretValue"), first);
    let versions: Vec<String> = futures::future::join_all(
        ["data", "extract", "find"].map(|n| es_resource_version(&client, &ns, n)),
    )
    .await;
    // Several intervals of every ExternalSecret.
    wait_refreshes(&op, 12.0).await;
    assert_eq!(calls(&op, "GetSecretValue"), reads, "no value read at idle");
    assert_eq!(
        calls(&op, "BatchGetSecretValue") + calls(&op, "GetSecretValue"),
        first,
        "no batch read at idle either"
    );
    let listed = calls(&op, "ListSecrets") - lists;
    assert!(
        (1.0..=8.0).contains(&listed),
        "one shared listing per interval at most, got {listed} for 12 refreshes"
    );
    let after: Vec<String> = futures::future::join_all(
        ["data", "extract", "find"].map(|n| es_resource_version(&client, &ns, n)),
    )
    .await;
    assert_eq!(versions, after, "no status write at idle");
    assert_eq!(
        object_gets(&op),
        gets,
        "no GET of a Secret, store or Namespace at idle (watch caches)"
    );
    // The controller's own request counter agrees: nothing but the watches it keeps open.
    let moved: Vec<String> = own_requests(&op)
        .into_iter()
        .filter(|(k, v)| own.get(k) != Some(v) && !k.starts_with("watch "))
        .map(|(k, v)| format!("{k}: {} -> {v}", own.get(&k).copied().unwrap_or(0.0)))
        .collect();
    assert!(moved.is_empty(), "apiserver requests at idle: {moved:?}");
    op.assert_log_free_of(&["idle-db", "idle-pass", "idle-a", "idle-b"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_new_version_costs_one_listing_and_one_read_and_stage_moves_are_seen() {
    let (client, ns) = common::setup("cd-rotate").await;
    let moto = Moto::start(&[]).await;
    let sm = sm_at(&moto.endpoint(), None);
    let v1 = create_remote(&sm, "rot/db", "rot-1").await;
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &store_with_keys("aws", &moto.endpoint(), ("testing", "testing"), ""),
    )
    .await;
    apply(
        &client,
        &ns,
        &common::single_key_es("db", "aws", "2s", "rot/db", ""),
    )
    .await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_refreshes(&op, 2.0).await;
    let (reads, lists) = (calls(&op, "GetSecretValue"), calls(&op, "ListSecrets"));
    rotate_remote(&sm, "rot/db", "rot-2").await;
    wait_secret(&client, &ns, "db", "the new value", |s| {
        has(s, "password", "rot-2")
    })
    .await;
    assert_eq!(calls(&op, "GetSecretValue") - reads, 1.0, "one value read");
    let listed = calls(&op, "ListSecrets") - lists;
    assert!((1.0..=2.0).contains(&listed), "{listed} listings");

    // The rotation-Lambda flow: a pending version, then AWSCURRENT moved onto it.
    let v3 = sm
        .put_secret_value()
        .secret_id("rot/db")
        .secret_string("rot-3")
        .version_stages("AWSPENDING")
        .send()
        .await
        .expect("PutSecretValue AWSPENDING")
        .version_id()
        .unwrap_or_default()
        .to_string();
    let current = sm
        .describe_secret()
        .secret_id("rot/db")
        .send()
        .await
        .expect("DescribeSecret")
        .version_ids_to_stages()
        .and_then(|m| {
            m.iter()
                .find(|(_, s)| s.iter().any(|x| x == "AWSCURRENT"))
                .map(|(id, _)| id.clone())
        })
        .unwrap_or_default();
    assert_ne!(current, v1);
    sm.update_secret_version_stage()
        .secret_id("rot/db")
        .version_stage("AWSCURRENT")
        .move_to_version_id(&v3)
        .remove_from_version_id(&current)
        .send()
        .await
        .expect("UpdateSecretVersionStage");
    wait_secret(&client, &ns, "db", "the promoted value", |s| {
        has(s, "password", "rot-3")
    })
    .await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn list_denied_falls_back_to_describe_and_listings_never_cross_stores() {
    let (client, ns) = common::setup("cd-iam").await;
    // Exactly the setup calls below go unauthenticated (1 secret + 3 users × 4 IAM calls).
    let moto = Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", "13")]).await;
    let admin = ("testing", "testing");
    moto.aws(
        admin,
        &[
            "secretsmanager",
            "create-secret",
            "--name",
            "iam/db",
            "--secret-string",
            "iam-1",
        ],
    );
    let reader = moto.create_user(
        "reader",
        &[
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ],
        "*",
    );
    let lister = moto.create_user(
        "lister",
        &[
            "secretsmanager:ListSecrets",
            "secretsmanager:GetSecretValue",
        ],
        "*",
    );
    let writer = moto.create_user("writer", &["secretsmanager:PutSecretValue"], "*");
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &store_with_keys("reader", &moto.endpoint(), (&reader.0, &reader.1), ""),
    )
    .await;
    apply(
        &client,
        &ns,
        &store_with_keys("lister", &moto.endpoint(), (&lister.0, &lister.1), ""),
    )
    .await;
    apply(
        &client,
        &ns,
        &store_with_keys(
            "nobody",
            &moto.endpoint(),
            ("AKIANOBODY000000", "wrong"),
            "",
        ),
    )
    .await;
    for (es, store) in [("r", "reader"), ("l", "lister"), ("n", "nobody")] {
        apply(
            &client,
            &ns,
            &common::single_key_es(es, store, "1s", "iam/db", ""),
        )
        .await;
    }
    wait_ready(&client, &ns, "r", "True", "Synced").await;
    wait_ready(&client, &ns, "l", "True", "Synced").await;
    // The lister's fresh listing of iam/db never serves a store with other credentials.
    wait_ready(&client, &ns, "n", "False", "AccessDenied").await;

    // The reader may not list: the store says so once, and changes are detected by DescribeSecret.
    let stores: Api<SecretStore> = Api::namespaced(client.clone(), &ns);
    let note = common::wait_for(
        "the store to say it falls back to DescribeSecret",
        Duration::from_secs(30),
        || {
            let stores = stores.clone();
            async move {
                stores
                    .get("reader")
                    .await
                    .ok()?
                    .status?
                    .change_detection
                    .filter(|n| n.starts_with("DescribeSecret"))
            }
        },
    )
    .await;
    assert!(note.contains("ListSecrets is denied"), "{note}");
    wait_refreshes(&op, 4.0).await;
    let reads = calls(&op, "GetSecretValue");
    moto.aws(
        (&writer.0, &writer.1),
        &[
            "secretsmanager",
            "put-secret-value",
            "--secret-id",
            "iam/db",
            "--secret-string",
            "iam-2",
        ],
    );
    for name in ["r", "l"] {
        wait_secret(&client, &ns, name, "the new value", |s| {
            has(s, "password", "iam-2")
        })
        .await;
    }
    assert!(calls(&op, "DescribeSecret") >= 1.0);
    // One read of the new version per store configuration (values are never shared across them).
    assert_eq!(calls(&op, "GetSecretValue") - reads, 2.0);
    let es: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let r = es.get("r").await.expect("ExternalSecret r");
    assert!(
        r.status
            .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
            .is_some_and(|c| c.status == "True")
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn first_syncs_are_batched_and_a_missing_secret_fails_only_its_own_external_secret() {
    let (client, ns) = common::setup("cd-batch").await;
    let moto = Moto::start(&[]).await;
    let sm = sm_at(&moto.endpoint(), None);
    for i in 0..19 {
        create_remote(&sm, &format!("batch/s{i:02}"), &format!("batch-{i}")).await;
    }
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &store_with_keys("aws", &moto.endpoint(), ("testing", "testing"), ""),
    )
    .await;
    // Twenty ExternalSecrets at once, one of them reading a secret that does not exist.
    let all: String = (0..20)
        .map(|i| {
            common::single_key_es(
                &format!("e{i:02}"),
                "aws",
                "1h",
                &format!("batch/s{i:02}"),
                "",
            )
        })
        .collect::<Vec<_>>()
        .join("---\n");
    apply(&client, &ns, &all).await;
    for i in 0..19 {
        let name = format!("e{i:02}");
        wait_ready(&client, &ns, &name, "True", "Synced").await;
        wait_secret(&client, &ns, &name, "its value", |s| {
            has(s, "password", &format!("batch-{i}"))
        })
        .await;
    }
    wait_ready(&client, &ns, "e19", "False", "SecretNotFound").await;
    let batches = calls(&op, "BatchGetSecretValue");
    let singles = op.metric_sum(
        "secretsync_aws_api_calls_total",
        &["operation=\"GetSecretValue\""],
    );
    assert!(batches >= 1.0, "reads due together are batched");
    assert!(
        batches + singles < 20.0,
        "{batches} batch calls and {singles} single reads for 20 secrets"
    );
    // Twenty reconciles resolving one store read its credentials Secret once (two keys), not once
    // each; the controller's digest key is the only other Secret it reads.
    let gets = own_requests(&op).get("get secrets").copied().unwrap_or(0.0);
    assert!(
        gets <= 3.0,
        "{gets} Secret GETs for 20 first syncs of one store"
    );
    common::delete_namespace(&client, &ns).await;
}

/// The `pages=` of every "listed the store's secrets" line of the controller's log.
fn listing_pages(op: &Operator) -> Vec<u32> {
    let text = std::fs::read_to_string(&op.log).unwrap_or_default();
    let re = regex::Regex::new(r"listed the store's secrets.*pages=(\d+)").expect("static regex");
    text.lines()
        .filter_map(|l| re.captures(l)?.get(1)?.as_str().parse().ok())
        .collect()
}

#[tokio::test]
async fn the_shared_listing_is_narrowed_to_referenced_names_and_finds_stay_complete() {
    let mut s = Scenario::new("cd-narrow").await;
    let moto = Moto::start(&[]).await;
    let sm = sm_at(&moto.endpoint(), None);
    // 250 secrets nobody references: a full listing takes 3 pages of 100.
    futures::future::join_all((0..250).map(|i| {
        let sm = sm.clone();
        async move { create_remote(&sm, &format!("unrelated/s-{i:03}"), "x").await }
    }))
    .await;
    create_remote(&sm, "narrow/db", "narrow-db-1").await;
    create_remote(&sm, "narrow/shared/a", "narrow-a").await;
    s.start_operator().await;
    s.store(&Store::secrets_manager("aws", &moto.endpoint()))
        .await;
    s.es(&Es::new("db", "aws").key("password", "narrow/db"))
        .await;
    s.es(&Es::new("find", "aws").find("^narrow/shared/")).await;
    for name in ["db", "find"] {
        s.ready(name, "True", "Synced").await;
    }
    wait_refreshes(s.op(), 6.0).await;
    // A secret added under the find's prefix and a rotation both arrive through narrowed listings.
    create_remote(&sm, "narrow/shared/b", "narrow-b").await;
    rotate_remote(&sm, "narrow/db", "narrow-db-2").await;
    s.value("find", "narrow_shared_b", "narrow-b").await;
    s.value("find", "narrow_shared_a", "narrow-a").await;
    s.value("db", "password", "narrow-db-2").await;
    let pages = listing_pages(s.op());
    assert!(pages.len() >= 2, "listings seen: {pages:?}");
    assert!(
        pages.iter().all(|p| *p == 1),
        "every listing is narrowed to one page, not the account's 3: {pages:?}"
    );
    s.finish(&["narrow-db-1", "narrow-db-2", "narrow-a", "narrow-b"])
        .await;
}

#[tokio::test]
async fn a_change_in_any_listing_refreshes_its_readers_without_waiting_for_their_interval() {
    let mut s = Scenario::new("cd-trigger").await;
    let moto = Moto::start(&[]).await;
    let sm = sm_at(&moto.endpoint(), None);
    create_remote(&sm, "trig/fast", "trig-fast").await;
    create_remote(&sm, "trig/slow", "trig-slow-1").await;
    s.start_operator().await;
    s.store(&Store::secrets_manager("aws", &moto.endpoint()))
        .await;
    // "fast" refreshes every second and so keeps the store's listing fresh; "slow" would look again
    // only in an hour.
    s.es(&Es::new("fast", "aws").key("password", "trig/fast"))
        .await;
    s.es(&Es::new("slow", "aws")
        .interval("1h")
        .key("password", "trig/slow"))
        .await;
    for name in ["fast", "slow"] {
        s.ready(name, "True", "Synced").await;
    }
    wait_refreshes(s.op(), 3.0).await;
    let reads = calls(s.op(), "GetSecretValue") + calls(s.op(), "BatchGetSecretValue");
    rotate_remote(&sm, "trig/slow", "trig-slow-2").await;
    // The rotation arrives through fast's listing.
    s.value("slow", "password", "trig-slow-2").await;
    assert_eq!(
        calls(s.op(), "GetSecretValue") + calls(s.op(), "BatchGetSecretValue") - reads,
        1.0,
        "one read: the new version"
    );
    s.finish(&["trig-fast", "trig-slow-1", "trig-slow-2"]).await;
}
