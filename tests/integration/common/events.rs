//! Event-driven refresh on the test bed's moto: an SQS queue fed by an EventBridge rule on a bus of the
//! test's own (so parallel tests never see each other's events), CloudTrail-shaped and native events of
//! Secrets Manager and Parameter Store put on it, and the stores and ExternalSecrets that read it.

use std::time::Duration;

use kube::Api;
use secretsync::api::SecretStore;
use serde_json::{Value, json};

use super::moto::aws_cli;
use super::operator::Operator;
use super::{testbed_var, wait_for};

const KEYS: (&str, &str) = ("testing", "testing");

/// A queue receiving a bus's `aws.secretsmanager` and `aws.ssm` events through an EventBridge rule.
pub struct EventQueue {
    /// Queue URL (what `spec.aws.events.sqsQueueUrl` names).
    pub url: String,
    /// Event bus name.
    pub bus: String,
    endpoint: String,
}

impl EventQueue {
    /// Creates queue `name`, bus `name`, and a rule on the bus sending Secrets Manager and Parameter
    /// Store events to the queue.
    pub fn create(name: &str) -> EventQueue {
        let endpoint = testbed_var("AWS_ENDPOINT_URL");
        let aws = |args: &[&str]| aws_cli(&endpoint, KEYS, args);
        let url = json_of(&aws(&["sqs", "create-queue", "--queue-name", name]))["QueueUrl"]
            .as_str()
            .unwrap_or_else(|| panic!("create-queue {name}: no QueueUrl"))
            .to_string();
        let arn = json_of(&aws(&[
            "sqs",
            "get-queue-attributes",
            "--queue-url",
            &url,
            "--attribute-names",
            "QueueArn",
        ]))["Attributes"]["QueueArn"]
            .as_str()
            .unwrap_or_else(|| panic!("get-queue-attributes {name}: no QueueArn"))
            .to_string();
        aws(&["events", "create-event-bus", "--name", name]);
        aws(&[
            "events",
            "put-rule",
            "--name",
            name,
            "--event-bus-name",
            name,
            "--event-pattern",
            r#"{"source":["aws.secretsmanager","aws.ssm"]}"#,
        ]);
        aws(&[
            "events",
            "put-targets",
            "--rule",
            name,
            "--event-bus-name",
            name,
            "--targets",
            &format!("Id=queue,Arn={arn}"),
        ]);
        EventQueue {
            url,
            bus: name.to_string(),
            endpoint,
        }
    }

    /// Puts a Secrets Manager event on the bus (as EventBridge would after the API call).
    pub fn put(&self, detail_type: &str, detail: &Value) {
        self.put_from("aws.secretsmanager", detail_type, detail);
    }

    /// Puts an event of `source` (`aws.secretsmanager`, `aws.ssm`) on the bus.
    pub fn put_from(&self, source: &str, detail_type: &str, detail: &Value) {
        let entries = json!([{
            "Source": source,
            "DetailType": detail_type,
            "Detail": detail.to_string(),
            "EventBusName": self.bus,
        }]);
        let out = json_of(&aws_cli(
            &self.endpoint,
            KEYS,
            &["events", "put-events", "--entries", &entries.to_string()],
        ));
        assert_eq!(out["FailedEntryCount"], 0, "put-events: {out}");
    }

    /// Puts the CloudTrail event of API call `event_name` on `secret_id` (a name or an ARN).
    pub fn put_call(&self, event_name: &str, secret_id: &str) {
        self.put(
            "AWS API Call via CloudTrail",
            &cloudtrail(event_name, secret_id),
        );
    }

    /// Sends a raw message body straight to the queue (bypassing the rule).
    pub fn send_raw(&self, body: &str) {
        aws_cli(
            &self.endpoint,
            KEYS,
            &[
                "sqs",
                "send-message",
                "--queue-url",
                &self.url,
                "--message-body",
                body,
            ],
        );
    }

    /// Messages waiting plus in flight (received, not yet deleted).
    pub fn depth(&self) -> u64 {
        let out = json_of(&aws_cli(
            &self.endpoint,
            KEYS,
            &[
                "sqs",
                "get-queue-attributes",
                "--queue-url",
                &self.url,
                "--attribute-names",
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
            ],
        ));
        let n = |k: &str| {
            out["Attributes"][k]
                .as_str()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        n("ApproximateNumberOfMessages") + n("ApproximateNumberOfMessagesNotVisible")
    }
}

/// The `detail` of a CloudTrail "AWS API Call" event of Secrets Manager.
pub fn cloudtrail(event_name: &str, secret_id: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "accountId": "123456789012"},
        "eventTime": "2026-11-29T00:00:00Z",
        "eventSource": "secretsmanager.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "127.0.0.1",
        "requestParameters": {"secretId": secret_id},
        "responseElements": null,
        "eventType": "AwsApiCall",
        "recipientAccountId": "123456789012"
    })
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("aws CLI output is not JSON ({e}): {text}"))
}

/// Waits until store `name`'s EventsReady condition has `status` and `reason`; returns its message.
pub async fn wait_events_condition(
    client: &kube::Client,
    ns: &str,
    name: &str,
    status: &str,
    reason: &str,
) -> String {
    let api: Api<SecretStore> = Api::namespaced(client.clone(), ns);
    wait_for(
        &format!("SecretStore {ns}/{name}: EventsReady={status}/{reason}"),
        Duration::from_secs(60),
        || {
            let api = api.clone();
            async move {
                let store = api.get_opt(name).await.ok().flatten()?;
                let c = store
                    .status?
                    .conditions
                    .into_iter()
                    .find(|c| c.type_ == "EventsReady")?;
                (c.status == status && c.reason == reason).then_some(c.message)
            }
        },
    )
    .await
}

/// A SecretStore `name` on the test bed's moto with its own keys, reading events from `queue_url`.
pub fn store_with_events(name: &str, queue_url: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {name} }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{}\"\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n    events: {{ sqsQueueUrl: \"{queue_url}\", endpoint: \"{0}\" }}\n",
        testbed_var("AWS_ENDPOINT_URL")
    )
}

/// An ExternalSecret `name` reading `key` through store `store` every hour (so only events refresh it).
pub fn hourly_es(name: &str, store: &str, key: &str) -> String {
    super::single_key_es(name, store, "1h", key, "")
}

/// The AWS calls the controller made through SecretStore `store` of namespace `ns`.
pub fn calls_of(op: &Operator, ns: &str, store: &str) -> f64 {
    op.metric_sum(
        "secretsync_aws_api_calls_total",
        &[&format!("store=\"SecretStore/{ns}/{store}\"")],
    )
}
