//! The services' native EventBridge events on the real test bed (issue 21): Secrets Manager's `Secret
//! Label Updated` refreshes within seconds, and a repeat of it for the version already synced reads no
//! value (counted); Parameter Store's `Parameter Store Change` refreshes a Parameter Store
//! ExternalSecret (by name and below a `find.path`), and only stores of that service.

use crate::common;

use std::time::{Duration, Instant};

use aws_sdk_ssm::types::ParameterType;
use common::events::{EventQueue, calls_of, hourly_es, store_with_events, wait_events_condition};
use common::operator::Operator;
use common::ssm::put;
use common::{
    apply, aws_creds_yaml, create_remote, has, rotate_remote, sm, testbed_var, wait_secret,
};
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use secretsync::api::ExternalSecret;
use serde_json::json;

/// Longest an event may take to reach the Secret ("within seconds").
const WITHIN: Duration = Duration::from_secs(10);

/// The value reads (never listings or version checks) the controller made through SecretStore `store`.
fn value_reads(op: &Operator, ns: &str, store: &str) -> f64 {
    [
        "GetSecretValue",
        "BatchGetSecretValue",
        "GetParameter",
        "GetParameters",
        "GetParametersByPath",
    ]
    .iter()
    .map(|operation| {
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &[
                &format!("store=\"SecretStore/{ns}/{store}\""),
                &format!("operation=\"{operation}\""),
            ],
        )
    })
    .sum()
}

/// Queue messages handled with `result`.
fn messages(op: &Operator, result: &str) -> f64 {
    op.metric_sum(
        "secretsync_queue_messages_total",
        &[&format!("result=\"{result}\"")],
    )
}

/// Waits until the queue holds no message (every one received and deleted).
async fn drained(queue: &EventQueue) {
    common::wait_for("the queue drained", Duration::from_secs(30), || {
        let d = queue.depth();
        async move { (d == 0).then_some(()) }
    })
    .await;
}

/// Waits until ExternalSecret `name`'s `status.syncedVersions[key]` is `version`.
async fn wait_synced(client: &kube::Client, ns: &str, name: &str, key: &str, version: &str) {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    common::wait_for(
        &format!("ExternalSecret {ns}/{name}: syncedVersions[{key}] = {version}"),
        Duration::from_secs(30),
        || {
            let api = api.clone();
            async move {
                let es = api.get_opt(name).await.ok().flatten()?;
                let synced = es.status?.synced_versions.get(key).cloned()?;
                (synced == version).then_some(())
            }
        },
    )
    .await;
}

#[tokio::test]
async fn a_secret_label_updated_event_refreshes_and_a_repeat_for_the_synced_version_reads_nothing()
{
    let (client, ns) = common::setup("native-label").await;
    let queue = EventQueue::create(&ns);
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "label-v1").await;
    let yaml = [
        aws_creds_yaml(),
        store_with_events("aws", &queue.url),
        hourly_es("db", "aws", &key),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    common::wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_events_condition(&client, &ns, "aws", "True", "Receiving").await;

    // The rotation's native event (no CloudTrail record is sent): the Secret follows within seconds.
    let v2 = rotate_remote(&sm, &key, "label-v2").await;
    let label_event = |version: serde_json::Value| json!({"name": key, "labelUpdated": "AWSCURRENT", "versionId": version});
    let sent = Instant::now();
    queue.put("Secret Label Updated", &label_event(json!(v2)));
    wait_secret(
        &client,
        &ns,
        "db",
        "label-v2 after Secret Label Updated",
        |s| has(s, "password", "label-v2"),
    )
    .await;
    let took = sent.elapsed();
    assert!(took < WITHIN, "the event took {took:?}");
    println!("Secret Label Updated → Secret updated in {took:?}");
    wait_synced(&client, &ns, "db", &key, &v2).await;
    drained(&queue).await;
    let reads = value_reads(&op, &ns, "aws");
    assert!(
        reads >= 2.0,
        "the first sync and the event each read: {reads}"
    );

    // The same event again (EventBridge delivers at least once): that version is synced, nothing is read.
    let synced_before = messages(&op, "synced");
    queue.put("Secret Label Updated", &label_event(json!(v2)));
    common::wait_for(
        "the repeat counted as already synced",
        Duration::from_secs(30),
        || {
            let n = messages(&op, "synced");
            async move { (n > synced_before).then_some(()) }
        },
    )
    .await;
    drained(&queue).await;
    // A refresh it had triggered would read at once: watch for one.
    common::never_within(
        "a value read for a repeat of the synced version",
        Duration::from_secs(3),
        || {
            let now = value_reads(&op, &ns, "aws");
            async move { (now != reads).then(|| format!("{reads} -> {now} reads")) }
        },
    )
    .await;

    // The counter is live: the same event with a version id that is not a string names no version, so
    // it refreshes (and reads) like any other event.
    let refreshed_before = messages(&op, "refreshed");
    queue.put("Secret Label Updated", &label_event(json!(42)));
    common::wait_for("the malformed-version event read the value", WITHIN, || {
        let (n, r) = (messages(&op, "refreshed"), value_reads(&op, &ns, "aws"));
        async move { (n > refreshed_before && r > reads).then_some(()) }
    })
    .await;
    println!(
        "value reads through the store: {reads} after the first sync and the event, and still after \
         the repeat for the synced version; {} after an event without a usable version",
        value_reads(&op, &ns, "aws")
    );
    common::wait_ready(&client, &ns, "db", "True", "Synced").await;
    op.assert_log_free_of(&["label-v1", "label-v2"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_parameter_store_change_event_refreshes_parameter_store_external_secrets_only() {
    let (client, ns) = common::setup("native-params").await;
    let queue = EventQueue::create(&ns);
    let ssm = common::ssm::client();
    let sm = sm();
    let p = |s: &str| format!("/{ns}/{s}");
    put(&ssm, &p("db"), ParameterType::SecureString, "param-db-1").await;
    put(&ssm, &p("app/x"), ParameterType::String, "param-x-1").await;
    put(&ssm, &p("unrelated"), ParameterType::String, "param-u-1").await;
    // A Secrets Manager secret with the very name of the parameter, read through the same queue.
    create_remote(&sm, &p("db"), "secret-db-1").await;
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let events = format!(
        "    events: {{ sqsQueueUrl: \"{}\", endpoint: \"{endpoint}\" }}\n",
        queue.url
    );
    let find = format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: app }}\nspec:\n  secretStoreRef: {{ name: params }}\n  refreshInterval: 1h\n  dataFrom:\n    - find: {{ path: \"{}\" }}\n",
        p("app")
    );
    let yaml = [
        aws_creds_yaml(),
        common::ssm::store_yaml("params", &endpoint) + &events,
        // Its own rate limit gives it its own client (and metric label); it still shares the reader.
        common::ssm::store_yaml("other", &endpoint)
            .replace("    service:", "    maxRequestsPerSecond: 19\n    service:")
            + &events,
        store_with_events("secrets", &queue.url),
        hourly_es("db", "params", &p("db")),
        find,
        hourly_es("unrelated", "other", &p("unrelated")),
        hourly_es("secret-db", "secrets", &p("db")),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    for es in ["db", "app", "unrelated", "secret-db"] {
        common::wait_ready(&client, &ns, es, "True", "Synced").await;
    }
    for store in ["params", "other", "secrets"] {
        wait_events_condition(&client, &ns, store, "True", "Receiving").await;
    }
    let (other_calls, secrets_calls) = (calls_of(&op, &ns, "other"), calls_of(&op, &ns, "secrets"));

    // A new value (refreshInterval 1h) and the service's native event: the Secret follows within seconds.
    put(&ssm, &p("db"), ParameterType::SecureString, "param-db-2").await;
    let sent = Instant::now();
    queue.put_from(
        "aws.ssm",
        "Parameter Store Change",
        &json!({"operation": "Update", "name": p("db"), "type": "SecureString"}),
    );
    wait_secret(
        &client,
        &ns,
        "db",
        "param-db-2 after Parameter Store Change",
        |s| has(s, "password", "param-db-2"),
    )
    .await;
    let took = sent.elapsed();
    assert!(took < WITHIN, "the event took {took:?}");
    println!("Parameter Store Change → Secret updated in {took:?}");

    // Below a find.path: the find's Secret follows.
    put(&ssm, &p("app/x"), ParameterType::String, "param-x-2").await;
    let app_key = format!("{ns}_app_x");
    queue.put_from(
        "aws.ssm",
        "Parameter Store Change",
        &json!({"operation": "Update", "name": p("app/x"), "type": "String"}),
    );
    wait_secret(&client, &ns, "app", "param-x-2 after its event", |s| {
        has(s, &app_key, "param-x-2")
    })
    .await;
    drained(&queue).await;
    common::never_within(
        "an AWS call by the store reading /unrelated, or by the Secrets Manager store, after \
         Parameter Store events for /db and /app/x",
        Duration::from_secs(2),
        || {
            let (other, secrets) = (calls_of(&op, &ns, "other"), calls_of(&op, &ns, "secrets"));
            async move {
                (other != other_calls || secrets != secrets_calls).then(|| {
                    format!("other {other_calls} -> {other}, secrets {secrets_calls} -> {secrets}")
                })
            }
        },
    )
    .await;
    let secret_db = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("secret-db")
        .await
        .expect("the Secrets Manager store's Secret");
    assert!(has(&secret_db, "password", "secret-db-1"));
    assert!(messages(&op, "refreshed") >= 2.0, "{}", op.metrics());
    op.assert_log_free_of(&["param-db-1", "param-db-2", "param-x-2", "secret-db-1"]);
    common::delete_namespace(&client, &ns).await;
}
