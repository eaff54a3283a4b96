//! Event-driven refresh on the real test bed: an EventBridge rule feeds an SQS queue, a store names the
//! queue, and a Secrets Manager change event refreshes, within seconds and with `refreshInterval: 1h`,
//! exactly the ExternalSecrets reading the secret; garbage is deleted and counted; a missing queue is
//! reported on the store while periodic refresh goes on.

use crate::common;

use std::time::Duration;

use common::events::{EventQueue, calls_of, hourly_es, store_with_events, wait_events_condition};
use common::operator::Operator;
use common::{
    apply, aws_creds_yaml, create_remote, has, rotate_remote, sm, testbed_var, wait_ready,
    wait_secret,
};
use kube::Api;
use secretsync::api::SecretStore;

#[tokio::test]
async fn an_event_refreshes_exactly_the_readers_of_its_secret_through_every_store() {
    let (client, ns) = common::setup("events").await;
    let queue = EventQueue::create(&ns);
    let sm = sm();
    let (a, b) = (format!("{ns}/a"), format!("{ns}/b"));
    let a_arn = {
        create_remote(&sm, &a, "a-1").await;
        sm.describe_secret()
            .secret_id(&a)
            .send()
            .await
            .expect("DescribeSecret")
            .arn()
            .unwrap_or_default()
            .to_string()
    };
    create_remote(&sm, &b, "b-1").await;
    let yaml = [
        aws_creds_yaml(),
        store_with_events("one", &queue.url),
        store_with_events("two", &queue.url),
        // Its own rate limit gives it its own client (and metric label); it still shares the reader.
        store_with_events("other", &queue.url)
            .replace("    events:", "    maxRequestsPerSecond: 49\n    events:"),
        hourly_es("a-via-one", "one", &a),
        hourly_es("a-via-two", "two", &a_arn),
        hourly_es("b-via-other", "other", &b),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    for es in ["a-via-one", "a-via-two", "b-via-other"] {
        wait_ready(&client, &ns, es, "True", "Synced").await;
    }
    for store in ["one", "two", "other"] {
        wait_events_condition(&client, &ns, store, "True", "Receiving").await;
    }
    let other_calls = calls_of(&op, &ns, "other");
    let refreshed = || op.metric_sum("secretsync_queue_messages_total", &["result=\"refreshed\""]);
    let refreshed_before = refreshed();

    // By name: both stores' readers of `a` refresh within seconds; the reader of `b` makes no call.
    rotate_remote(&sm, &a, "a-2").await;
    queue.put_call("PutSecretValue", &a);
    for es in ["a-via-one", "a-via-two"] {
        wait_secret(&client, &ns, es, "a-2 after the event", |s| {
            has(s, "password", "a-2")
        })
        .await;
    }
    // The message was handled (it refreshed the readers of a), and b's store stays idle for a while
    // after it: a late call would show here.
    common::wait_for(
        "the event counted as refreshed",
        Duration::from_secs(30),
        || {
            let n = refreshed();
            async move { (n > refreshed_before).then_some(()) }
        },
    )
    .await;
    let other_lines = || {
        op.metrics()
            .lines()
            .filter(|l| l.contains(&format!("SecretStore/{ns}/other")))
            .map(String::from)
            .collect::<Vec<_>>()
            .join("\n")
    };
    common::never_within(
        "an AWS call by b's store after an event for a",
        Duration::from_secs(2),
        || {
            let called = (calls_of(&op, &ns, "other") != other_calls).then(other_lines);
            async move { called }
        },
    )
    .await;
    assert_eq!(
        calls_of(&op, &ns, "other"),
        other_calls,
        "an event for a must not make b's store call AWS:\n{}",
        other_lines()
    );
    let b_secret = Api::<k8s_openapi::api::core::v1::Secret>::namespaced(client.clone(), &ns)
        .get("b-via-other")
        .await
        .expect("b's Secret");
    assert!(has(&b_secret, "password", "b-1"));

    // By ARN, as the service's own rotation event names it.
    rotate_remote(&sm, &a, "a-3").await;
    queue.put(
        "AWS Service Event via CloudTrail",
        &serde_json::json!({
            "eventSource": "secretsmanager.amazonaws.com",
            "eventName": "RotationSucceeded",
            "awsRegion": "us-east-1",
            "additionalEventData": {"SecretId": a_arn},
        }),
    );
    for es in ["a-via-one", "a-via-two"] {
        wait_secret(&client, &ns, es, "a-3 after the rotation event", |s| {
            has(s, "password", "a-3")
        })
        .await;
    }
    // A duplicate is harmless: nothing changes, nothing restarts.
    queue.put_call("PutSecretValue", &a);
    common::wait_for("the queue drained", Duration::from_secs(30), || {
        let d = queue.depth();
        async move { (d == 0).then_some(()) }
    })
    .await;
    assert!(
        op.metric_sum("secretsync_queue_messages_total", &["result=\"refreshed\""]) >= 3.0,
        "{}",
        op.metrics()
    );
    assert_eq!(
        calls_of(&op, &ns, "other"),
        other_calls,
        "b's store stayed idle throughout"
    );
    op.assert_log_free_of(&["a-1", "a-2", "a-3", "b-1"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn garbage_is_deleted_and_counted_and_never_blocks_the_queue() {
    let (client, ns) = common::setup("events-garbage").await;
    let queue = EventQueue::create(&ns);
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "v1").await;
    let yaml = [
        aws_creds_yaml(),
        store_with_events("aws", &queue.url),
        hourly_es("db", "aws", &key),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_events_condition(&client, &ns, "aws", "True", "Receiving").await;

    for body in [
        "not json",
        "{}",
        "[1,2]",
        r#"{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}"#,
    ] {
        queue.send_raw(body);
    }
    // A read-only call and a call on a secret nobody reads: understood, deleted, no refresh.
    queue.put_call("GetSecretValue", &key);
    queue.put_call("PutSecretValue", &format!("{ns}/nobody-reads-this"));
    // The queue still works behind the garbage.
    rotate_remote(&sm, &key, "v2").await;
    queue.put_call("PutSecretValue", &key);
    wait_secret(&client, &ns, "db", "v2 after the event", |s| {
        has(s, "password", "v2")
    })
    .await;
    common::wait_for("every message deleted", Duration::from_secs(30), || {
        let d = queue.depth();
        async move { (d == 0).then_some(()) }
    })
    .await;
    let count = |result: &str| {
        op.metric_sum(
            "secretsync_queue_messages_total",
            &[&format!("result=\"{result}\"")],
        )
    };
    assert!(count("malformed") >= 3.0, "{}", op.metrics());
    assert!(count("unrelated") >= 2.0, "{}", op.metrics());
    assert!(count("unmatched") >= 1.0, "{}", op.metrics());
    assert!(count("refreshed") >= 1.0, "{}", op.metrics());
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_missing_queue_is_reported_and_periodic_refresh_goes_on() {
    let (client, ns) = common::setup("events-missing").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "v1").await;
    let missing = format!(
        "{}/123456789012/{ns}-does-not-exist",
        testbed_var("AWS_ENDPOINT_URL")
    );
    let yaml = [
        aws_creds_yaml(),
        store_with_events("aws", &missing),
        common::single_key_es("db", "aws", "2s", &key, ""),
    ]
    .join("---\n");
    let _op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    let message = wait_events_condition(&client, &ns, "aws", "False", "QueueNotFound").await;
    assert!(message.contains("periodic"), "{message}");
    let api: Api<SecretStore> = Api::namespaced(client.clone(), &ns);
    let store = api.get("aws").await.expect("store");
    let ready = store
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone());
    assert_eq!(
        ready.as_deref(),
        Some("True"),
        "a missing queue does not make the store unusable"
    );
    rotate_remote(&sm, &key, "v2").await;
    wait_secret(&client, &ns, "db", "v2 from the periodic refresh", |s| {
        has(s, "password", "v2")
    })
    .await;

    // Creating the queue later heals the store without a restart.
    let queue = EventQueue::create(&format!("{ns}-does-not-exist"));
    assert_eq!(
        queue.url, missing,
        "moto names queues the way the test assumes"
    );
    wait_events_condition(&client, &ns, "aws", "True", "Receiving").await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_queue_the_store_may_not_read_is_reported_as_access_denied() {
    let (client, ns) = common::setup("events-denied").await;
    // Exactly the setup calls below go unauthenticated (1 queue + 1 secret + 4 IAM calls).
    let moto = common::moto::Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", "6")]).await;
    let admin = ("testing", "testing");
    let url = serde_json::from_str::<serde_json::Value>(
        &moto.aws(admin, &["sqs", "create-queue", "--queue-name", "denied"]),
    )
    .expect("create-queue output")["QueueUrl"]
        .as_str()
        .expect("QueueUrl")
        .to_string();
    moto.aws(
        admin,
        &[
            "secretsmanager",
            "create-secret",
            "--name",
            "denied/db",
            "--secret-string",
            "d-1",
        ],
    );
    let reader = moto.create_user(
        "reader",
        &[
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
            "secretsmanager:ListSecrets",
        ],
        "*",
    );
    let yaml = format!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{ name: reader-creds }}\nstringData: {{ id: \"{}\", key: \"{}\" }}\n---\n\
         apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: aws }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{}\"\n    events: {{ sqsQueueUrl: \"{url}\", endpoint: \"{2}\" }}\n    auth: {{ secretRef: {{ accessKeyId: {{ name: reader-creds, key: id }}, secretAccessKey: {{ name: reader-creds, key: key }} }} }}\n---\n{}",
        reader.0,
        reader.1,
        moto.endpoint(),
        common::single_key_es("db", "aws", "1h", "denied/db", "")
    );
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    let message = wait_events_condition(&client, &ns, "aws", "False", "AccessDenied").await;
    assert!(message.contains("GetQueueAttributes"), "{message}");
    assert!(
        op.metric_sum(
            "secretsync_queue_receive_errors_total",
            &["kind=\"access_denied\""]
        ) >= 1.0,
        "{}",
        op.metrics()
    );
    common::delete_namespace(&client, &ns).await;
}

/// Issue 20, item 7: two stores naming one queue with different credentials each get a reader, and SQS
/// hands each message to one of them. Every rotation must still reach the ExternalSecrets of both
/// stores (`refreshInterval: 1h`, so only the events can refresh them), and both stores say
/// `EventsReady=True` without naming each other. The old routing (a message refreshes only the stores
/// of the reader that received it) lost about half the events: with six of them the test passed by
/// luck about once in 64 runs.
#[tokio::test]
async fn stores_sharing_a_queue_with_different_credentials_each_get_every_event() {
    let (client, ns) = common::setup("events-shared").await;
    let queue = EventQueue::create(&ns);
    let sm = sm();
    let (a, b) = (format!("{ns}/tenant-a"), format!("{ns}/tenant-b"));
    create_remote(&sm, &a, "a-value-0").await;
    create_remote(&sm, &b, "b-value-0").await;
    // The test bed's moto accepts any keys; distinct keys are distinct identities to the controller.
    let second_creds = "apiVersion: v1\nkind: Secret\nmetadata: { name: other-creds }\nstringData: { access-key-id: tenant-b-key, secret-access-key: tenant-b-secret }\n";
    let yaml = [
        aws_creds_yaml(),
        second_creds.to_string(),
        store_with_events("store-a", &queue.url),
        store_with_events("store-b", &queue.url).replace("name: aws-creds", "name: other-creds"),
        hourly_es("reads-a", "store-a", &a),
        hourly_es("reads-b", "store-b", &b),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    for es in ["reads-a", "reads-b"] {
        wait_ready(&client, &ns, es, "True", "Synced").await;
    }
    for (store, other) in [("store-a", "store-b"), ("store-b", "store-a")] {
        let message = wait_events_condition(&client, &ns, store, "True", "Receiving").await;
        assert!(!message.contains(other), "names another store: {message}");
    }

    for round in 1..=3 {
        let (va, vb) = (format!("a-value-{round}"), format!("b-value-{round}"));
        rotate_remote(&sm, &a, &va).await;
        rotate_remote(&sm, &b, &vb).await;
        queue.put_call("PutSecretValue", &a);
        queue.put_call("PutSecretValue", &b);
        for (es, value) in [("reads-a", &va), ("reads-b", &vb)] {
            wait_secret(&client, &ns, es, &format!("{value} after its event"), |s| {
                has(s, "password", value)
            })
            .await;
        }
    }
    for store in ["store-a", "store-b"] {
        wait_events_condition(&client, &ns, store, "True", "Receiving").await;
    }
    op.assert_log_free_of(&[
        "a-value-0",
        "a-value-3",
        "b-value-0",
        "b-value-3",
        "tenant-b-secret",
    ]);
    common::delete_namespace(&client, &ns).await;
}

/// One queue URL named through two spellings of its endpoint: the controller cannot tell that from two
/// queues, so it never mixes their messages; each store says its events may be split, without naming
/// the other store.
#[tokio::test]
async fn one_queue_read_through_two_endpoints_is_reported_as_split() {
    let (client, ns) = common::setup("events-split").await;
    let queue = EventQueue::create(&ns);
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let yaml = [
        aws_creds_yaml(),
        store_with_events("plain", &queue.url),
        store_with_events("slashed", &queue.url).replace(
            &format!("endpoint: \"{endpoint}\" }}"),
            &format!("endpoint: \"{endpoint}/\" }}"),
        ),
    ]
    .join("---\n");
    assert!(yaml.contains(&format!("{endpoint}/\"")), "{yaml}");
    let _op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    for (store, other) in [("plain", "slashed"), ("slashed", "plain")] {
        let message = wait_events_condition(&client, &ns, store, "False", "QueueSplit").await;
        assert!(message.contains("events.endpoint"), "{message}");
        assert!(!message.contains(other), "names another store: {message}");
    }
    common::delete_namespace(&client, &ns).await;
}
