//! The secrets one SQS message from the Secrets Manager event queue concerns. An Amazon EventBridge
//! rule forwards Secrets Manager events (CloudTrail API calls and the service's own rotation and
//! deletion events) to the queue, directly or through an SNS topic; each message body names, by name
//! or ARN, the secrets whose ExternalSecrets the controller should refresh now.
//!
//! Bodies come from outside the cluster, so parsing is defensive: the size is bounded, every field
//! is read on its own and a field of the wrong type is ignored, and neither a reason nor an error
//! echoes the body beyond the event's name or source.

use serde_json::{Map, Value};

use crate::core::name_filter::name_of_arn;

/// Secrets Manager API calls / service events whose event means a secret's value, stages, tags,
/// existence or readability may have changed.
pub const CHANGE_EVENTS: &[&str] = &[
    // API calls ("AWS API Call via CloudTrail").
    "CreateSecret",
    "PutSecretValue",
    "UpdateSecret",
    "UpdateSecretVersionStage",
    "RotateSecret",
    "DeleteSecret",
    "RestoreSecret",
    "ReplicateSecretToRegions",
    "RemoveRegionsFromReplication",
    "TagResource",
    "UntagResource",
    // A resource policy can grant or revoke the controller's read access.
    "PutResourcePolicy",
    "DeleteResourcePolicy",
    // The service's own events ("AWS Service Event via CloudTrail"). RotationFailed and
    // RotationAbandoned change nothing a reader sees; StartSecretVersionDelete and
    // CancelSecretVersionDelete accompany DeleteSecret and RestoreSecret.
    "RotationStarted",
    "RotationSucceeded",
    "EndSecretVersionDelete",
];

/// Largest body SQS delivers (256 KiB); anything longer is not from the queue.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Most secrets kept from one message.
const MAX_SECRETS: usize = 100;

/// Longest event name or source quoted in a reason.
const MAX_QUOTED_CHARS: usize = 64;

/// The EventBridge `source` of Secrets Manager events.
const SOURCE: &str = "aws.secretsmanager";

/// The CloudTrail `eventSource` of Secrets Manager events.
const EVENT_SOURCE: &str = "secretsmanager.amazonaws.com";

/// Where in an event's `detail` a secret reference may be, in the order they are collected.
const DETAIL_FIELDS: &[(&str, &str)] = &[
    ("requestParameters", "secretId"),
    // CreateSecret.
    ("requestParameters", "name"),
    ("responseElements", "arn"),
    // CreateSecret (and, before 2024, other calls) spell it `aRN`.
    ("responseElements", "aRN"),
    ("responseElements", "ARN"),
    ("responseElements", "name"),
    // Rotation and deletion service events.
    ("additionalEventData", "SecretId"),
    ("serviceEventDetails", "SecretId"),
    ("serviceEventDetails", "secretId"),
];

/// What one queue message is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A change to these secrets (names and/or ARNs exactly as the event gives them, deduplicated,
    /// in first-seen order), by API call / event name.
    Change { event: String, secrets: Vec<String> },
    /// Well-formed but not a Secrets Manager change event (another source, a read-only call like
    /// GetSecretValue, a failed call, an SNS subscription message...). The String says why, in a few
    /// words, without echoing message content beyond the event name/source.
    Unrelated(String),
}

/// Why a message body could not be understood (never contains the body itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// The body is empty or blank.
    #[error("empty message body")]
    Empty,
    /// The body is longer than SQS allows (its length in bytes).
    #[error("message body of {0} bytes is over the 256 KiB SQS limit")]
    TooLarge(usize),
    /// The body does not parse as JSON.
    #[error("message body is not JSON")]
    NotJson,
    /// The body is JSON but neither an EventBridge event (no `detail-type`) nor an SNS message.
    #[error("message body is neither an EventBridge event nor an SNS notification")]
    NotAnEvent,
    /// An SNS notification whose `Message` is not an EventBridge event.
    #[error("SNS notification does not carry an EventBridge event")]
    BadSnsMessage,
}

/// Parses one SQS message body.
pub fn parse(body: &str) -> Result<Message, Malformed> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Malformed::TooLarge(body.len()));
    }
    if body.trim().is_empty() {
        return Err(Malformed::Empty);
    }
    let value: Value = serde_json::from_str(body).map_err(|_| Malformed::NotJson)?;
    let object = value.as_object().ok_or(Malformed::NotAnEvent)?;
    if object.contains_key("detail-type") {
        return event(object).ok_or(Malformed::NotAnEvent);
    }
    match str_at(object, "Type") {
        Some("Notification") => {
            let inner = str_at(object, "Message").ok_or(Malformed::BadSnsMessage)?;
            let inner: Value = serde_json::from_str(inner).map_err(|_| Malformed::BadSnsMessage)?;
            inner
                .as_object()
                .and_then(event)
                .ok_or(Malformed::BadSnsMessage)
        }
        Some("SubscriptionConfirmation" | "UnsubscribeConfirmation")
            if object.contains_key("TopicArn") =>
        {
            Ok(Message::Unrelated("SNS subscription message".into()))
        }
        _ => Err(Malformed::NotAnEvent),
    }
}

/// The secret name an event's reference denotes: the name inside a Secrets Manager ARN, else the
/// reference itself. (A partial ARN, without the 6-character suffix, is read as if it had one.)
pub fn secret_name(reference: &str) -> &str {
    if reference.starts_with("arn:") {
        name_of_arn(reference).unwrap_or(reference)
    } else {
        reference
    }
}

/// What an EventBridge event means; `None` when it is not one (no string `detail-type`).
fn event(envelope: &Map<String, Value>) -> Option<Message> {
    str_at(envelope, "detail-type")?;
    let no_detail = Map::new();
    let detail = envelope
        .get("detail")
        .and_then(Value::as_object)
        .unwrap_or(&no_detail);
    let source = str_at(envelope, "source");
    if source != Some(SOURCE) && str_at(detail, "eventSource") != Some(EVENT_SOURCE) {
        let reason = match source {
            Some(source) => format!("event from {:?}", quoted(source)),
            None => "event without a source".to_owned(),
        };
        return Some(Message::Unrelated(reason));
    }
    let Some(name) = str_at(detail, "eventName") else {
        return Some(Message::Unrelated(
            "Secrets Manager event without an event name".into(),
        ));
    };
    let Some(&name) = CHANGE_EVENTS.iter().find(|&&change| change == name) else {
        return Some(Message::Unrelated(format!(
            "{:?} is not a change event",
            quoted(name)
        )));
    };
    if detail
        .get("errorCode")
        .is_some_and(|code| !code.is_null() && code.as_str() != Some(""))
    {
        return Some(Message::Unrelated(format!("{name} failed")));
    }
    let secrets = secrets(envelope, detail);
    Some(if secrets.is_empty() {
        Message::Unrelated(format!("{name} names no secret"))
    } else {
        Message::Change {
            event: name.to_owned(),
            secrets,
        }
    })
}

/// The secret references in an event, deduplicated, in first-seen order, at most [`MAX_SECRETS`].
fn secrets(envelope: &Map<String, Value>, detail: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (section, field) in DETAIL_FIELDS {
        let reference = detail.get(*section).and_then(|s| s.get(field));
        add(&mut out, reference.and_then(Value::as_str));
    }
    // CloudTrail events usually leave `resources` empty; when present, only secret ARNs count.
    for resource in envelope
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add(&mut out, resource.as_str().filter(|r| is_secret_arn(r)));
    }
    out
}

/// Adds a non-empty reference not seen yet, up to [`MAX_SECRETS`].
fn add(out: &mut Vec<String>, reference: Option<&str>) {
    if let Some(reference) = reference
        && !reference.is_empty()
        && out.len() < MAX_SECRETS
        && !out.iter().any(|seen| seen == reference)
    {
        out.push(reference.to_owned());
    }
}

/// Whether a string is a Secrets Manager secret ARN.
fn is_secret_arn(text: &str) -> bool {
    text.starts_with("arn:") && text.contains(":secretsmanager:") && text.contains(":secret:")
}

/// A string field of a JSON object; `None` when missing or not a string.
fn str_at<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// An event name or source cut to [`MAX_QUOTED_CHARS`] characters, to quote in a reason.
fn quoted(text: &str) -> &str {
    text.char_indices()
        .nth(MAX_QUOTED_CHARS)
        .map_or(text, |(end, _)| &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const N: &str = "prod/db";
    const A: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf";
    const REPLICA: &str = "arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/db-AbCdEf";
    const TOKEN: &str = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE";

    /// An EventBridge envelope as an EventBridge → SQS target delivers it.
    fn envelope(detail_type: &str, detail: Value) -> Value {
        json!({
            "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": detail_type, "source": "aws.secretsmanager", "account": "111122223333",
            "time": "2024-06-01T12:00:00Z", "region": "us-east-1", "resources": [], "detail": detail,
        })
    }

    /// A CloudTrail API call event.
    fn api_call(event: &str, request: Value, response: Value) -> Value {
        envelope(
            "AWS API Call via CloudTrail",
            json!({
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "AssumedRole", "principalId": "AROAEXAMPLE:ci", "accountId": "111122223333",
                    "arn": "arn:aws:sts::111122223333:assumed-role/deployer/ci",
                },
                "eventTime": "2024-06-01T12:00:00Z", "eventSource": "secretsmanager.amazonaws.com",
                "eventName": event, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.10",
                "userAgent": "aws-cli/2.15.0", "requestParameters": request, "responseElements": response,
                "requestID": "e1f2a3b4-0000-4000-8000-000000000001",
                "eventID": "e1f2a3b4-0000-4000-8000-000000000002", "readOnly": false,
                "eventType": "AwsApiCall", "managementEvent": true,
                "recipientAccountId": "111122223333", "eventCategory": "Management",
            }),
        )
    }

    /// A Secrets Manager service event (rotation, deletion), as CloudTrail records it.
    fn service_event(event: &str, secret_id: &str) -> Value {
        envelope(
            "AWS Service Event via CloudTrail",
            json!({
                "eventVersion": "1.08", "userIdentity": null, "eventTime": "2024-06-01T12:00:00Z",
                "eventSource": "secretsmanager.amazonaws.com", "eventName": event,
                "awsRegion": "us-east-1", "sourceIPAddress": "secretsmanager.amazonaws.com",
                "userAgent": "secretsmanager.amazonaws.com", "requestParameters": null,
                "responseElements": null, "additionalEventData": {"SecretId": secret_id},
                "requestID": format!("Rotation-{secret_id}"), "readOnly": false,
                "eventType": "AwsServiceEvent", "managementEvent": true,
                "recipientAccountId": "111122223333", "eventCategory": "Management",
            }),
        )
    }

    /// A realistic event of each kind, `id` being the secretId the caller passed.
    fn fixture(event: &str, id: &str) -> Value {
        let (request, response) = match event {
            "CreateSecret" => (
                json!({"name": N, "clientRequestToken": TOKEN, "description": "database credentials"}),
                json!({"aRN": A, "versionId": TOKEN}),
            ),
            "PutSecretValue" => (
                json!({"secretId": id, "clientRequestToken": TOKEN}),
                json!({"arn": A, "versionId": TOKEN, "versionStages": ["AWSCURRENT"]}),
            ),
            "UpdateSecretVersionStage" => (
                json!({"secretId": id, "versionStage": "AWSCURRENT", "moveToVersionId": TOKEN,
                       "removeFromVersionId": "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"}),
                json!({"arn": A, "name": N}),
            ),
            "RotateSecret" | "UpdateSecret" => (
                json!({"secretId": id, "clientRequestToken": TOKEN}),
                json!({"arn": A, "name": N, "versionId": TOKEN}),
            ),
            "DeleteSecret" => (
                json!({"secretId": id, "recoveryWindowInDays": 7}),
                json!({"arn": A, "name": N, "deletionDate": "Jun 8, 2024, 12:00:00 PM"}),
            ),
            "RestoreSecret" | "DeleteResourcePolicy" => {
                (json!({"secretId": id}), json!({"arn": A, "name": N}))
            }
            "PutResourcePolicy" => (
                json!({"secretId": id, "resourcePolicy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                       "blockPublicPolicy": true}),
                json!({"arn": A, "name": N}),
            ),
            "ReplicateSecretToRegions" => (
                json!({"secretId": id, "addReplicaRegions": [{"region": "us-west-2"}],
                       "forceOverwriteReplicaSecret": false}),
                json!({"arn": A, "replicationStatus": [{"region": "us-west-2",
                       "kmsKeyId": "alias/aws/secretsmanager", "status": "InProgress"}]}),
            ),
            "RemoveRegionsFromReplication" => (
                json!({"secretId": id, "removeReplicaRegions": ["us-west-2"]}),
                json!({"arn": A, "replicationStatus": []}),
            ),
            "TagResource" => (
                json!({"secretId": id, "tags": [{"key": "team", "value": "payments"}]}),
                Value::Null,
            ),
            "UntagResource" => (json!({"secretId": id, "tagKeys": ["team"]}), Value::Null),
            "GetSecretValue" | "DescribeSecret" => (json!({"secretId": id}), Value::Null),
            "ListSecrets" => (json!({"maxResults": 100}), Value::Null),
            _ => return service_event(event, id),
        };
        api_call(event, request, response)
    }

    fn p(event: &Value) -> Result<Message, Malformed> {
        parse(&event.to_string())
    }

    fn change(event: &str, secrets: &[&str]) -> Result<Message, Malformed> {
        let secrets = secrets.iter().map(|s| s.to_string()).collect();
        Ok(Message::Change {
            event: event.into(),
            secrets,
        })
    }

    fn unrelated(reason: &str) -> Result<Message, Malformed> {
        Ok(Message::Unrelated(reason.into()))
    }

    /// An SNS notification carrying `message`.
    fn sns(message: &str) -> String {
        json!({
            "Type": "Notification", "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": "arn:aws:sns:us-east-1:111122223333:secretsync", "Subject": null,
            "Message": message, "Timestamp": "2024-06-01T12:00:01.000Z", "SignatureVersion": "1",
            "Signature": "EXAMPLE", "SigningCertURL": "https://sns.us-east-1.amazonaws.com/cert.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        })
        .to_string()
    }

    #[test]
    fn every_change_event_by_name_and_by_arn() {
        // (event, secrets when the caller named the secret, secrets when it passed the ARN)
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("CreateSecret", &[N, A], &[N, A]),
            ("PutSecretValue", &[N, A], &[A]),
            ("UpdateSecret", &[N, A], &[A, N]),
            ("UpdateSecretVersionStage", &[N, A], &[A, N]),
            ("RotateSecret", &[N, A], &[A, N]),
            ("DeleteSecret", &[N, A], &[A, N]),
            ("RestoreSecret", &[N, A], &[A, N]),
            ("ReplicateSecretToRegions", &[N, A], &[A]),
            ("RemoveRegionsFromReplication", &[N, A], &[A]),
            ("TagResource", &[N], &[A]),
            ("UntagResource", &[N], &[A]),
            ("PutResourcePolicy", &[N, A], &[A, N]),
            ("DeleteResourcePolicy", &[N, A], &[A, N]),
            ("RotationStarted", &[N], &[A]),
            ("RotationSucceeded", &[N], &[A]),
            ("EndSecretVersionDelete", &[N], &[A]),
        ];
        let mut covered: Vec<&str> = cases.iter().map(|case| case.0).collect();
        let mut all = CHANGE_EVENTS.to_vec();
        covered.sort_unstable();
        all.sort_unstable();
        assert_eq!(covered, all, "one case per change event");
        for (event, by_name, by_arn) in cases {
            assert_eq!(p(&fixture(event, N)), change(event, by_name), "{event}");
            assert_eq!(p(&fixture(event, A)), change(event, by_arn), "{event}");
        }
    }

    #[test]
    fn keeps_a_name_and_its_arn_but_drops_exact_duplicates() {
        let mut event = fixture("RotateSecret", N);
        event["resources"] = json!([A, REPLICA, A]);
        event["detail"]["additionalEventData"] = json!({"SecretId": N});
        assert_eq!(p(&event), change("RotateSecret", &[N, A, REPLICA]));
    }

    #[test]
    fn envelope_resources_count_only_secret_arns() {
        let mut event = fixture("TagResource", N);
        let kms = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let other = "arn:aws:secretsmanager:us-east-1:111122223333:secret:other-XyZ123";
        event["resources"] = json!([kms, "", 42, null, other, {"ARN": A}, "prod/other"]);
        assert_eq!(p(&event), change("TagResource", &[N, other]));
    }

    #[test]
    fn wrong_types_are_ignored_field_by_field() {
        let mut event = fixture("PutSecretValue", N);
        event["detail"]["requestParameters"]["secretId"] = json!(42);
        event["resources"] = json!({"not": "an array"});
        assert_eq!(p(&event), change("PutSecretValue", &[A]));
        event["detail"]["responseElements"] = json!("arn");
        event["detail"]["additionalEventData"] = json!({"SecretId": ["x"]});
        assert_eq!(p(&event), unrelated("PutSecretValue names no secret"));
        event["detail"] = json!("PutSecretValue");
        assert_eq!(
            p(&event),
            unrelated("Secrets Manager event without an event name")
        );
    }

    #[test]
    fn caps_secrets_per_message() {
        let mut event = fixture("TagResource", N);
        let arns: Vec<String> = (0..150)
            .map(|i| format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:s{i}-AbCdEf"))
            .collect();
        event["resources"] = json!(arns);
        let Ok(Message::Change { secrets, .. }) = p(&event) else {
            panic!("not a change");
        };
        assert_eq!(secrets.len(), MAX_SECRETS);
        assert_eq!(
            (secrets[0].as_str(), secrets[99].as_str()),
            (N, arns[98].as_str())
        );
    }

    #[test]
    fn unwraps_sns_notifications_once() {
        let event = fixture("RotationSucceeded", A).to_string();
        assert_eq!(parse(&sns(&event)), change("RotationSucceeded", &[A]));
        let read = fixture("GetSecretValue", N).to_string();
        let read_reason = "\"GetSecretValue\" is not a change event";
        assert_eq!(parse(&sns(&read)), unrelated(read_reason));
        let confirm = json!({"Type": "SubscriptionConfirmation", "TopicArn": "arn:aws:sns:us-east-1:1:t",
                             "Message": "You have chosen to subscribe", "Token": "x"});
        assert_eq!(p(&confirm), unrelated("SNS subscription message"));
    }

    #[test]
    fn other_sources_read_only_calls_and_failures_are_unrelated() {
        for event in [
            "GetSecretValue",
            "DescribeSecret",
            "ListSecrets",
            "RotationFailed",
            "RotationAbandoned",
        ] {
            let reason = format!("{event:?} is not a change event");
            assert_eq!(p(&fixture(event, A)), unrelated(&reason));
        }
        let mut ec2 = fixture("PutSecretValue", N);
        ec2["source"] = json!("aws.ec2");
        ec2["detail"]["eventSource"] = json!("ec2.amazonaws.com");
        assert_eq!(p(&ec2), unrelated("event from \"aws.ec2\""));
        let mut failed = fixture("PutSecretValue", N);
        failed["detail"]["errorCode"] = json!("ResourceNotFoundException");
        failed["detail"]["errorMessage"] = json!("Secrets Manager can't find prod/db.");
        assert_eq!(p(&failed), unrelated("PutSecretValue failed"));
        let mut denied = fixture("DeleteSecret", A);
        denied["detail"]["errorCode"] = json!("AccessDenied");
        assert_eq!(p(&denied), unrelated("DeleteSecret failed"));
        let mut unnamed = fixture("UpdateSecret", N);
        unnamed["detail"]["requestParameters"] = json!({"secretId": ""});
        unnamed["detail"]["responseElements"] = Value::Null;
        assert_eq!(p(&unnamed), unrelated("UpdateSecret names no secret"));
        let long = json!({"detail-type": "x", "source": "s".repeat(1000), "detail": {}});
        let Ok(Message::Unrelated(reason)) = p(&long) else {
            panic!("not unrelated");
        };
        assert!(reason.len() < 100, "{reason}");
    }

    #[test]
    fn either_source_field_identifies_secrets_manager() {
        let mut event = fixture("PutSecretValue", N);
        if let Some(envelope) = event.as_object_mut() {
            envelope.remove("source");
        }
        assert_eq!(p(&event), change("PutSecretValue", &[N, A]));
        let mut event = fixture("PutSecretValue", N);
        event["detail"] =
            json!({"eventName": "RotationSucceeded", "additionalEventData": {"SecretId": A}});
        assert_eq!(p(&event), change("RotationSucceeded", &[A]));
    }

    #[test]
    fn garbage_is_malformed() {
        use Malformed::{BadSnsMessage, Empty, NotAnEvent, NotJson, TooLarge};
        let event = fixture("PutSecretValue", N).to_string();
        let (sns_text, sns_array, sns_no_event) = (sns("not json"), sns("[]"), sns(r#"{"a": 1}"#));
        let (sns_in_sns, too_large) = (sns(&sns(&event)), "x".repeat(MAX_BODY_BYTES + 1));
        let cases = [
            ("", Empty),
            ("  \n", Empty),
            ("not json", NotJson),
            (r#"{"detail-type":"#, NotJson),
            ("[1, 2]", NotAnEvent),
            ("42", NotAnEvent),
            (r#""PutSecretValue""#, NotAnEvent),
            ("null", NotAnEvent),
            ("{}", NotAnEvent),
            (r#"{"source": "aws.secretsmanager"}"#, NotAnEvent),
            (
                r#"{"detail-type": 5, "source": "aws.secretsmanager"}"#,
                NotAnEvent,
            ),
            (r#"{"Type": "Other", "TopicArn": "t"}"#, NotAnEvent),
            (r#"{"Type": "Notification"}"#, BadSnsMessage),
            (r#"{"Type": "Notification", "Message": 7}"#, BadSnsMessage),
            (&sns_text, BadSnsMessage),
            (&sns_array, BadSnsMessage),
            (&sns_no_event, BadSnsMessage),
            (&sns_in_sns, BadSnsMessage),
            (&too_large, TooLarge(MAX_BODY_BYTES + 1)),
        ];
        for (body, error) in cases {
            let message = error.to_string();
            assert_eq!(parse(body), Err(error), "{body:.40}");
            assert!(
                body.trim().is_empty() || !message.contains(body.trim()),
                "{message}"
            );
        }
        assert_eq!(parse(&"x".repeat(MAX_BODY_BYTES)), Err(NotJson));
    }

    #[test]
    fn never_panics_on_truncated_messages() {
        let stage = fixture("UpdateSecretVersionStage", A).to_string();
        for body in [stage, sns(&fixture("CreateSecret", N).to_string())] {
            assert!(matches!(parse(&body), Ok(Message::Change { .. })));
            for (end, _) in body.char_indices() {
                assert!(parse(&body[..end]).is_err(), "prefix of {end} bytes parsed");
            }
        }
    }

    #[test]
    fn secret_names() {
        let names = [
            N,
            "prod/my-db-password",
            "db",
            "abcdef",
            "a-bcdef",
            "rds!db-abc",
            "",
        ];
        for name in names {
            assert_eq!(secret_name(name), name);
        }
        let arn =
            |name: &str| format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}");
        let bare = arn("db"); // No random suffix, so no name to cut out.
        let arns = [
            (A.to_owned(), N),
            (REPLICA.to_owned(), N),
            (arn("prod/my-db-password-a1B2c3"), "prod/my-db-password"),
            (arn("db-AbCdEf"), "db"),
            (arn("rds!db-abc-XyZ789"), "rds!db-abc"),
            (bare.clone(), &bare),
            (A.replace("arn:aws:", "arn:aws-cn:"), N),
        ];
        for (reference, name) in &arns {
            assert_eq!(secret_name(reference), *name, "{reference}");
        }
    }
}
