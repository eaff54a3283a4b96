//! The secrets one SQS message from the event queue concerns. An Amazon EventBridge rule forwards
//! Secrets Manager and Parameter Store events to the queue, directly or through an SNS topic: the
//! CloudTrail records of API calls and service events, and the services' own (native) events, which
//! need no CloudTrail. Each message body names, by name or ARN, the secrets or parameters whose
//! ExternalSecrets the controller should refresh now.
//!
//! Bodies come from outside the cluster, so parsing is defensive: the size is bounded, every field
//! is read on its own and a field of the wrong type is ignored, and neither a reason nor an error
//! echoes the body beyond the event's name or source.
//!
//! The native events, as verified against the services' documentation (2026):
//! - Secrets Manager, `Secret Label Updated` (AWS Secrets Manager User Guide, "Secret Label Updated
//!   event" and "Secret event notifications"): `source` `aws.secretsmanager`, `resources` the secret's
//!   ARN, `detail` `{ "name": <friendly name>, "labelUpdated": <staging label>, "versionId": <the
//!   version the label moved to> }`. Sent when a staging label moves to another version, for every
//!   label (custom ones too) except `AWSPENDING` and `AWSPREVIOUS`; so moving `AWSCURRENT` also moves
//!   `AWSPREVIOUS` without an event of its own. The service publishes no native event for metadata
//!   (tags, description, rotation configuration, resource policy): those still need the CloudTrail
//!   events.
//! - Parameter Store, `Parameter Store Change` (AWS Systems Manager User Guide, "Amazon EventBridge
//!   event examples for Systems Manager"; EventBridge Events Reference, "Amazon EC2 Systems Manager
//!   events"): `source` `aws.ssm`, `resources` the parameter's ARN
//!   (`arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`), `detail`
//!   `{ "operation": "Create" | "Update" | "Delete" | "LabelParameterVersion", "name": <name as
//!   written, e.g. "/app/db" or "foo">, "type": "String" | "StringList" | "SecureString",
//!   "description": ... }`, plus `"exception": <why>` on an operation that failed (for example an
//!   `aws:ec2:image` parameter whose value did not validate). No version number is given.
//!
//! The CloudTrail records of Parameter Store API calls (`source` `aws.ssm`, `eventSource`
//! `ssm.amazonaws.com`) carry the API's request fields camel-cased in `requestParameters` (`name`;
//! `names` for DeleteParameters; `resourceType` and `resourceId` for the tag calls), as for
//! Secrets Manager.

use serde_json::{Map, Value};

use crate::api::AwsService;
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

/// Parameter Store API calls (CloudTrail) whose event means a parameter's value, labels, tags or
/// existence may have changed.
pub const PARAMETER_CHANGE_EVENTS: &[&str] = &[
    "PutParameter",
    "DeleteParameter",
    "DeleteParameters",
    "LabelParameterVersion",
    "UnlabelParameterVersion",
    // Only with `resourceType: Parameter` (a `find` may select parameters by tag).
    "AddTagsToResource",
    "RemoveTagsFromResource",
];

/// The `detail.operation`s a native `Parameter Store Change` event is documented with. Any other
/// operation still refreshes (a parameter changed somehow), under the event's own name.
pub const PARAMETER_OPERATIONS: &[&str] = &["Create", "Update", "Delete", "LabelParameterVersion"];

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

/// The EventBridge `source` of Systems Manager (Parameter Store) events.
const SSM_SOURCE: &str = "aws.ssm";

/// The CloudTrail `eventSource` of Systems Manager (Parameter Store) events.
const SSM_EVENT_SOURCE: &str = "ssm.amazonaws.com";

/// `detail-type` of Secrets Manager's native staging-label event.
pub const LABEL_UPDATED: &str = "Secret Label Updated";

/// `detail-type` of Parameter Store's native change event.
pub const PARAMETER_CHANGE: &str = "Parameter Store Change";

/// Longest secret name Secrets Manager accepts.
const MAX_SECRET_NAME: usize = 512;

/// Longest staging label Secrets Manager accepts.
const MAX_LABEL: usize = 256;

/// Shortest and longest Secrets Manager version id.
const VERSION_ID_LEN: std::ops::RangeInclusive<usize> = 32..=64;

/// Longest parameter name (or ARN) Parameter Store accepts.
const MAX_PARAMETER_NAME: usize = 2048;

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
    /// A change to these secrets or parameters of `service` (names and/or ARNs exactly as the event
    /// gives them, deduplicated, in first-seen order), by API call / event name.
    Change {
        /// The service they belong to: only stores of this service are refreshed.
        service: AwsService,
        /// API call, service event or native event name (one of the known names, never echoed input).
        event: String,
        /// Names and ARNs.
        secrets: Vec<String>,
        /// A native `Secret Label Updated` with every field well-formed: which version the label
        /// moved to, so a reader that synced that very version need not read again.
        staged: Option<StagedVersion>,
    },
    /// Well-formed but not a change event of either service (another source, a read-only call like
    /// GetSecretValue, a failed call, an SNS subscription message...). The String says why, in a few
    /// words, without echoing message content beyond the event name/source.
    Unrelated(String),
}

/// A staging label of a secret moved to a version (Secrets Manager's `Secret Label Updated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedVersion {
    /// The secret's name (`detail.name`).
    pub secret: String,
    /// The staging label (`detail.labelUpdated`), e.g. `AWSCURRENT`.
    pub label: String,
    /// The version it now marks (`detail.versionId`).
    pub version_id: String,
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

/// The secret name an event's reference denotes: the name inside a Secrets Manager ARN, the
/// parameter name inside a Parameter Store ARN (with its leading `/`, which the ARN cannot tell from a
/// top-level name: see [`lookup_names`]), else the reference itself. (A partial Secrets Manager ARN,
/// without the 6-character suffix, is read as if it had one.)
pub fn secret_name(reference: &str) -> &str {
    if !reference.starts_with("arn:") {
        reference
    } else if let Some(name) = parameter_of_arn(reference) {
        name
    } else {
        name_of_arn(reference).unwrap_or(reference)
    }
}

/// The names a change's references are looked up under in the reader index. Secrets Manager: the
/// references themselves (the index reads the names inside ARNs). Parameter Store: each name both with
/// and without its leading `/`, since an ARN does not tell `foo` from `/foo` (a top-level name may
/// lack the slash a hierarchy needs); looking up both costs at most a refresh that reads nothing new.
pub fn lookup_names(service: AwsService, secrets: &[String]) -> Vec<String> {
    match service {
        AwsService::SecretsManager => secrets.to_vec(),
        AwsService::ParameterStore => {
            let mut out = Vec::with_capacity(secrets.len() * 2);
            for reference in secrets {
                let name = secret_name(reference);
                let other = match name.strip_prefix('/') {
                    Some(bare) => bare.to_string(),
                    None => format!("/{name}"),
                };
                for n in [name.to_string(), other] {
                    if !n.is_empty() && n != "/" && !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            out
        }
    }
}

/// What an EventBridge event means; `None` when it is not one (no string `detail-type`).
fn event(envelope: &Map<String, Value>) -> Option<Message> {
    let detail_type = str_at(envelope, "detail-type")?;
    let no_detail = Map::new();
    let detail = envelope
        .get("detail")
        .and_then(Value::as_object)
        .unwrap_or(&no_detail);
    let source = str_at(envelope, "source");
    let event_source = str_at(detail, "eventSource");
    if source == Some(SOURCE) || event_source == Some(EVENT_SOURCE) {
        if source == Some(SOURCE) && detail_type == LABEL_UPDATED {
            return Some(label_updated(envelope, detail));
        }
        return Some(secrets_manager_call(envelope, detail));
    }
    if source == Some(SSM_SOURCE) || event_source == Some(SSM_EVENT_SOURCE) {
        if source == Some(SSM_SOURCE) && detail_type == PARAMETER_CHANGE {
            return Some(parameter_changed(envelope, detail));
        }
        return Some(parameter_call(envelope, detail));
    }
    let reason = match source {
        Some(source) => format!("event from {:?}", quoted(source)),
        None => "event without a source".to_owned(),
    };
    Some(Message::Unrelated(reason))
}

/// A Secrets Manager CloudTrail event (API call or service event).
fn secrets_manager_call(envelope: &Map<String, Value>, detail: &Map<String, Value>) -> Message {
    let Some(name) = str_at(detail, "eventName") else {
        return Message::Unrelated("Secrets Manager event without an event name".into());
    };
    let Some(&name) = CHANGE_EVENTS.iter().find(|&&change| change == name) else {
        return Message::Unrelated(format!("{:?} is not a change event", quoted(name)));
    };
    if failed(detail, "errorCode") {
        return Message::Unrelated(format!("{name} failed"));
    }
    let mut secrets = Vec::new();
    for (section, field) in DETAIL_FIELDS {
        let reference = detail.get(*section).and_then(|s| s.get(field));
        add(&mut secrets, reference.and_then(Value::as_str));
    }
    // CloudTrail events usually leave `resources` empty; when present, only secret ARNs count.
    add_resources(&mut secrets, envelope, is_secret_arn);
    change(AwsService::SecretsManager, name, secrets, None, "secret")
}

/// Secrets Manager's native `Secret Label Updated`. The name must be a secret name (an ARN, of this
/// service or another, is not one); the label and version are kept only when both are well-formed
/// strings, else the event refreshes like any other.
fn label_updated(envelope: &Map<String, Value>, detail: &Map<String, Value>) -> Message {
    let name = str_at(detail, "name").filter(|n| is_secret_name(n));
    let mut secrets = Vec::new();
    add(&mut secrets, name);
    add_resources(&mut secrets, envelope, is_secret_arn);
    let label = str_at(detail, "labelUpdated").filter(|l| is_label(l));
    let version = str_at(detail, "versionId").filter(|v| is_version_id(v));
    let staged = match (name, label, version) {
        (Some(secret), Some(label), Some(version_id)) => Some(StagedVersion {
            secret: secret.to_owned(),
            label: label.to_owned(),
            version_id: version_id.to_owned(),
        }),
        _ => None,
    };
    change(
        AwsService::SecretsManager,
        LABEL_UPDATED,
        secrets,
        staged,
        "secret",
    )
}

/// Parameter Store's native `Parameter Store Change`.
fn parameter_changed(envelope: &Map<String, Value>, detail: &Map<String, Value>) -> Message {
    if failed(detail, "exception") {
        return Message::Unrelated(format!("{PARAMETER_CHANGE} failed"));
    }
    let operation = str_at(detail, "operation")
        .and_then(|op| PARAMETER_OPERATIONS.iter().find(|&&known| known == op))
        .copied()
        .unwrap_or(PARAMETER_CHANGE);
    let mut secrets = Vec::new();
    add(
        &mut secrets,
        str_at(detail, "name").filter(|n| is_parameter_name(n)),
    );
    add_resources(&mut secrets, envelope, is_parameter_arn);
    change(
        AwsService::ParameterStore,
        operation,
        secrets,
        None,
        "parameter",
    )
}

/// A Parameter Store CloudTrail API call.
fn parameter_call(envelope: &Map<String, Value>, detail: &Map<String, Value>) -> Message {
    let Some(name) = str_at(detail, "eventName") else {
        return Message::Unrelated("Parameter Store event without an event name".into());
    };
    let Some(&name) = PARAMETER_CHANGE_EVENTS
        .iter()
        .find(|&&change| change == name)
    else {
        return Message::Unrelated(format!("{:?} is not a change event", quoted(name)));
    };
    if failed(detail, "errorCode") {
        return Message::Unrelated(format!("{name} failed"));
    }
    let no_request = Map::new();
    let request = detail
        .get("requestParameters")
        .and_then(Value::as_object)
        .unwrap_or(&no_request);
    let parameter = |r: &&str| is_parameter_name(r) || is_parameter_arn(r);
    let mut secrets = Vec::new();
    add(&mut secrets, str_at(request, "name").filter(parameter));
    for n in request
        .get("names")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add(&mut secrets, n.as_str().filter(parameter));
    }
    if str_at(request, "resourceType") == Some("Parameter") {
        add(
            &mut secrets,
            str_at(request, "resourceId").filter(parameter),
        );
    }
    add_resources(&mut secrets, envelope, is_parameter_arn);
    change(AwsService::ParameterStore, name, secrets, None, "parameter")
}

/// A change of `secrets`, or unrelated when the event named none.
fn change(
    service: AwsService,
    event: &str,
    secrets: Vec<String>,
    staged: Option<StagedVersion>,
    what: &str,
) -> Message {
    if secrets.is_empty() {
        return Message::Unrelated(format!("{event} names no {what}"));
    }
    Message::Change {
        service,
        event: event.to_owned(),
        secrets,
        staged,
    }
}

/// Whether `field` of `detail` reports a failure (anything but missing, null or an empty string).
fn failed(detail: &Map<String, Value>, field: &str) -> bool {
    detail
        .get(field)
        .is_some_and(|v| !v.is_null() && v.as_str() != Some(""))
}

/// Adds the envelope's `resources` that pass `keep` (other entries, of any type, are ignored).
fn add_resources(out: &mut Vec<String>, envelope: &Map<String, Value>, keep: fn(&str) -> bool) {
    for resource in envelope
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add(out, resource.as_str().filter(|r| keep(r)));
    }
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

/// Whether a string is a secret name Secrets Manager accepts (ASCII letters, digits and `/_+=.@-`,
/// at most 512 characters): never an ARN.
fn is_secret_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_SECRET_NAME
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b))
}

/// Whether a string is a staging label: 1 to 256 printable characters.
fn is_label(text: &str) -> bool {
    !text.is_empty() && text.chars().count() <= MAX_LABEL && !text.chars().any(char::is_control)
}

/// Whether a string is a Secrets Manager version id: 32 to 64 ASCII letters, digits or `-`.
fn is_version_id(text: &str) -> bool {
    VERSION_ID_LEN.contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whether a string is a parameter name Parameter Store accepts (ASCII letters, digits and `_.-/`,
/// at most 2048 characters): never an ARN, and never a name with a `:version` or `:label` suffix.
fn is_parameter_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_PARAMETER_NAME
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-/".contains(&b))
}

/// Whether a string is a Parameter Store parameter ARN.
fn is_parameter_arn(text: &str) -> bool {
    parameter_of_arn(text).is_some()
}

/// The parameter name in a Parameter Store ARN (`arn:<partition>:ssm:<region>:<account>:parameter/<name>`),
/// with a leading `/`.
fn parameter_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("ssm"), Some(_), Some(_), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let name = resource.strip_prefix("parameter")?;
    (name.len() > 1 && name.starts_with('/') && is_parameter_name(name)).then_some(name)
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
        changed(AwsService::SecretsManager, event, secrets, None)
    }

    fn changed(
        service: AwsService,
        event: &str,
        secrets: &[&str],
        staged: Option<StagedVersion>,
    ) -> Result<Message, Malformed> {
        let secrets = secrets.iter().map(|s| s.to_string()).collect();
        Ok(Message::Change {
            service,
            event: event.into(),
            secrets,
            staged,
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

    const VERSION: &str = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
    const PARAMETER_ARN: &str = "arn:aws:ssm:us-east-1:111122223333:parameter/app/db";

    /// Secrets Manager's native `Secret Label Updated`, as the Secrets Manager User Guide shows it.
    fn label_event(detail: Value) -> Value {
        let mut event = envelope(LABEL_UPDATED, detail);
        event["resources"] = json!([A]);
        event
    }

    fn label_detail(name: &str, label: &str, version: &str) -> Value {
        json!({"name": name, "labelUpdated": label, "versionId": version})
    }

    fn staged(label: &str) -> Option<StagedVersion> {
        Some(StagedVersion {
            secret: N.into(),
            label: label.into(),
            version_id: VERSION.into(),
        })
    }

    /// Parameter Store's native `Parameter Store Change`, as the Systems Manager User Guide shows it.
    fn parameter_event(name: Value, operation: Value, resources: Value) -> Value {
        json!({
            "version": "0", "id": "6a7e4feb-b491-4cf7-a9f1-bf3703497718",
            "detail-type": "Parameter Store Change", "source": "aws.ssm", "account": "111122223333",
            "time": "2024-06-01T12:00:00Z", "region": "us-east-1", "resources": resources,
            "detail": {"operation": operation, "name": name, "type": "SecureString",
                       "description": "Sample Parameter"},
        })
    }

    /// A CloudTrail record of a Parameter Store API call.
    fn parameter_call(event: &str, request: Value) -> Value {
        let mut call = api_call(event, request, Value::Null);
        call["source"] = json!("aws.ssm");
        call["detail"]["eventSource"] = json!("ssm.amazonaws.com");
        call
    }

    fn parameter_change(event: &str, secrets: &[&str]) -> Result<Message, Malformed> {
        changed(AwsService::ParameterStore, event, secrets, None)
    }

    #[test]
    fn secret_label_updated_names_the_secret_its_label_and_version() {
        let sm = AwsService::SecretsManager;
        // (what, detail, resources, expected)
        let cases: Vec<(&str, Value, Value, Result<Message, Malformed>)> = vec![
            (
                "the documented event",
                label_detail(N, "AWSCURRENT", VERSION),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], staged("AWSCURRENT")),
            ),
            (
                "a custom label",
                label_detail(N, "blue", VERSION),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], staged("blue")),
            ),
            (
                "no resources",
                label_detail(N, "AWSCURRENT", VERSION),
                json!([]),
                changed(sm, LABEL_UPDATED, &[N], staged("AWSCURRENT")),
            ),
            (
                "a version id that is not a string: refreshes, skips nothing",
                json!({"name": N, "labelUpdated": "AWSCURRENT", "versionId": 42}),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a version id that is an object",
                json!({"name": N, "labelUpdated": "AWSCURRENT", "versionId": {"id": VERSION}}),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a version id that is a list",
                json!({"name": N, "labelUpdated": "AWSCURRENT", "versionId": [VERSION]}),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a version id too short to be one",
                label_detail(N, "AWSCURRENT", "v1"),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a version id too long to be one",
                label_detail(N, "AWSCURRENT", &"a".repeat(65)),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a version id with characters no version id has",
                label_detail(N, "AWSCURRENT", "a1b2c3d4 5678 90ab cdef EXAMPLE11111"),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "no version id",
                json!({"name": N, "labelUpdated": "AWSCURRENT"}),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a label that is not a string",
                json!({"name": N, "labelUpdated": true, "versionId": VERSION}),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "an empty label",
                label_detail(N, "", VERSION),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a label with a control character",
                label_detail(N, "AWS\nCURRENT", VERSION),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[N, A], None),
            ),
            (
                "a name that is not a string: the ARN still names the secret",
                json!({"name": 7, "labelUpdated": "AWSCURRENT", "versionId": VERSION}),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[A], None),
            ),
            (
                "a name in Parameter Store's format (an SSM ARN) is no secret name",
                label_detail(PARAMETER_ARN, "AWSCURRENT", VERSION),
                json!([]),
                Ok(Message::Unrelated(
                    "Secret Label Updated names no secret".into(),
                )),
            ),
            (
                "nor are Parameter Store ARNs in resources",
                label_detail("", "AWSCURRENT", VERSION),
                json!([PARAMETER_ARN, 5, null]),
                Ok(Message::Unrelated(
                    "Secret Label Updated names no secret".into(),
                )),
            ),
            (
                "a secret ARN as the name is not the documented shape",
                label_detail(A, "AWSCURRENT", VERSION),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[A], None),
            ),
            (
                "a name longer than any secret name",
                label_detail(&"n".repeat(MAX_SECRET_NAME + 1), "AWSCURRENT", VERSION),
                json!([]),
                Ok(Message::Unrelated(
                    "Secret Label Updated names no secret".into(),
                )),
            ),
            (
                "a detail that is not an object",
                json!("prod/db"),
                json!([A]),
                changed(sm, LABEL_UPDATED, &[A], None),
            ),
        ];
        for (what, detail, resources, want) in cases {
            let mut event = label_event(detail);
            event["resources"] = resources;
            assert_eq!(p(&event), want, "{what}");
        }
    }

    #[test]
    fn native_events_only_from_their_own_source() {
        // A label event that does not come from Secrets Manager's own source is not one.
        let mut event = label_event(label_detail(N, "AWSCURRENT", VERSION));
        event["source"] = json!("aws.ssm");
        assert_eq!(
            p(&event),
            unrelated("Parameter Store event without an event name")
        );
        event["source"] = json!("custom.app");
        assert_eq!(p(&event), unrelated("event from \"custom.app\""));
        if let Some(envelope) = event.as_object_mut() {
            envelope.remove("source");
        }
        event["detail"]["eventSource"] = json!("secretsmanager.amazonaws.com");
        assert_eq!(
            p(&event),
            unrelated("Secrets Manager event without an event name")
        );
        // Nor is a Parameter Store change sent as Secrets Manager.
        let mut event = parameter_event(json!("/app/db"), json!("Update"), json!([]));
        event["source"] = json!("aws.secretsmanager");
        assert_eq!(
            p(&event),
            unrelated("Secrets Manager event without an event name")
        );
        // Through SNS like any other.
        let native = label_event(label_detail(N, "AWSCURRENT", VERSION)).to_string();
        assert_eq!(
            parse(&sns(&native)),
            changed(
                AwsService::SecretsManager,
                LABEL_UPDATED,
                &[N, A],
                staged("AWSCURRENT")
            )
        );
    }

    #[test]
    fn parameter_store_change_names_the_parameter() {
        let top = "arn:aws:ssm:us-east-1:111122223333:parameter/foo";
        let deep = "/scheduler/do-not-delete-manually/static";
        let deep_arn =
            "arn:aws:ssm:us-east-1:111122223333:parameter/scheduler/do-not-delete-manually/static";
        let sm_arn = A;
        // (what, name, operation, resources, expected)
        type Case = (
            &'static str,
            Value,
            Value,
            Value,
            Result<Message, Malformed>,
        );
        let cases: Vec<Case> = vec![
            (
                "a top-level parameter, created",
                json!("foo"),
                json!("Create"),
                json!([top]),
                parameter_change("Create", &["foo", top]),
            ),
            (
                "a hierarchy, updated",
                json!(deep),
                json!("Update"),
                json!([deep_arn]),
                parameter_change("Update", &[deep, deep_arn]),
            ),
            (
                "deleted",
                json!("/app/db"),
                json!("Delete"),
                json!([PARAMETER_ARN]),
                parameter_change("Delete", &["/app/db", PARAMETER_ARN]),
            ),
            (
                "a label moved",
                json!("/app/db"),
                json!("LabelParameterVersion"),
                json!([]),
                parameter_change("LabelParameterVersion", &["/app/db"]),
            ),
            (
                "an operation not documented still changes the parameter, under the event's name",
                json!("/app/db"),
                json!("Frobnicate"),
                json!([]),
                parameter_change(PARAMETER_CHANGE, &["/app/db"]),
            ),
            (
                "an operation that is not a string",
                json!("/app/db"),
                json!({"op": "Update"}),
                json!([]),
                parameter_change(PARAMETER_CHANGE, &["/app/db"]),
            ),
            (
                "a name that is not a string: the ARN still names the parameter",
                json!(["/app/db"]),
                json!("Update"),
                json!([PARAMETER_ARN]),
                parameter_change("Update", &[PARAMETER_ARN]),
            ),
            (
                "a name in Secrets Manager's format (a secret ARN) is no parameter name",
                json!(sm_arn),
                json!("Update"),
                json!([sm_arn]),
                unrelated("Update names no parameter"),
            ),
            (
                "a name with a version or label suffix is no parameter name",
                json!("/app/db:3"),
                json!("Update"),
                json!([]),
                unrelated("Update names no parameter"),
            ),
            (
                "a name longer than any parameter name",
                json!(format!("/{}", "p".repeat(MAX_PARAMETER_NAME))),
                json!("Update"),
                json!([]),
                unrelated("Update names no parameter"),
            ),
            (
                "resources of other services and types are ignored",
                json!(null),
                json!("Update"),
                json!([sm_arn, "arn:aws:ssm:us-east-1:111122223333:document/x", 3, {"ARN": PARAMETER_ARN},
                       "arn:aws:ssm:us-east-1:111122223333:parameter/"]),
                unrelated("Update names no parameter"),
            ),
        ];
        for (what, name, operation, resources, want) in cases {
            assert_eq!(
                p(&parameter_event(name, operation, resources)),
                want,
                "{what}"
            );
        }
        let mut failed = parameter_event(json!("golden-ami"), json!("Create"), json!([]));
        failed["detail"]["exception"] = json!("Unable to Describe Resource");
        assert_eq!(p(&failed), unrelated("Parameter Store Change failed"));
        failed["detail"]["exception"] = json!({"any": "shape"});
        assert_eq!(p(&failed), unrelated("Parameter Store Change failed"));
        failed["detail"]["exception"] = json!("");
        assert_eq!(p(&failed), parameter_change("Create", &["golden-ami"]));
    }

    #[test]
    fn every_parameter_store_api_call() {
        let name = "/app/db";
        // (event, request parameters, parameters named)
        let cases: &[(&str, Value, &[&str])] = &[
            (
                "PutParameter",
                json!({"name": name, "type": "SecureString", "overwrite": true,
                       "value": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
                &[name],
            ),
            ("DeleteParameter", json!({"name": name}), &[name]),
            (
                "DeleteParameters",
                json!({"names": [name, "/app/other", 7, PARAMETER_ARN, "x:1"]}),
                &[name, "/app/other", PARAMETER_ARN],
            ),
            (
                "LabelParameterVersion",
                json!({"name": PARAMETER_ARN, "parameterVersion": 3, "labels": ["prod"]}),
                &[PARAMETER_ARN],
            ),
            (
                "UnlabelParameterVersion",
                json!({"name": name, "parameterVersion": 3, "labels": ["prod"]}),
                &[name],
            ),
            (
                "AddTagsToResource",
                json!({"resourceType": "Parameter", "resourceId": name,
                       "tags": [{"key": "team", "value": "a"}]}),
                &[name],
            ),
            (
                "RemoveTagsFromResource",
                json!({"resourceType": "Parameter", "resourceId": name, "tagKeys": ["team"]}),
                &[name],
            ),
        ];
        let mut covered: Vec<&str> = cases.iter().map(|case| case.0).collect();
        let mut all = PARAMETER_CHANGE_EVENTS.to_vec();
        covered.sort_unstable();
        all.sort_unstable();
        assert_eq!(covered, all, "one case per change event");
        for (event, request, named) in cases {
            assert_eq!(
                p(&parameter_call(event, request.clone())),
                parameter_change(event, named),
                "{event}"
            );
        }
        let document = parameter_call(
            "AddTagsToResource",
            json!({"resourceType": "Document", "resourceId": name}),
        );
        assert_eq!(
            p(&document),
            unrelated("AddTagsToResource names no parameter")
        );
        let read = parameter_call(
            "GetParameter",
            json!({"name": name, "withDecryption": true}),
        );
        assert_eq!(
            p(&read),
            unrelated("\"GetParameter\" is not a change event")
        );
        let mut denied = parameter_call("PutParameter", json!({"name": name}));
        denied["detail"]["errorCode"] = json!("AccessDenied");
        assert_eq!(p(&denied), unrelated("PutParameter failed"));
        let mut other_service = parameter_call("PutParameter", json!({"name": A}));
        other_service["resources"] = json!([A]);
        assert_eq!(
            p(&other_service),
            unrelated("PutParameter names no parameter")
        );
        // Either source field identifies Parameter Store.
        let mut event = parameter_call("DeleteParameter", json!({"name": name}));
        event["source"] = json!("aws.other");
        assert_eq!(p(&event), parameter_change("DeleteParameter", &[name]));
        event["detail"]["requestParameters"] = json!("not an object");
        assert_eq!(p(&event), unrelated("DeleteParameter names no parameter"));
    }

    #[test]
    fn huge_native_events_are_bounded() {
        // A big but legal body parses field by field; a body over the SQS limit never is.
        let mut event = label_event(label_detail(N, "AWSCURRENT", VERSION));
        event["detail"]["padding"] = json!("x".repeat(200 * 1024));
        assert_eq!(
            p(&event),
            changed(
                AwsService::SecretsManager,
                LABEL_UPDATED,
                &[N, A],
                staged("AWSCURRENT")
            )
        );
        event["detail"]["padding"] = json!("x".repeat(MAX_BODY_BYTES));
        assert!(matches!(p(&event), Err(Malformed::TooLarge(_))));
        let arns: Vec<String> = (0..300)
            .map(|i| format!("arn:aws:ssm:us-east-1:111122223333:parameter/p{i}"))
            .collect();
        let Ok(Message::Change { secrets, .. }) =
            p(&parameter_event(json!("/p"), json!("Update"), json!(arns)))
        else {
            panic!("not a change");
        };
        assert_eq!(secrets.len(), MAX_SECRETS);
        // Nothing of the body is quoted beyond a bounded source.
        let mut odd = parameter_event(json!("/app/db"), json!("Update"), json!([]));
        odd["source"] = json!(format!("aws.ssm{}", "s".repeat(10_000)));
        let Ok(Message::Unrelated(reason)) = p(&odd) else {
            panic!("not unrelated");
        };
        assert!(reason.len() < 100, "{reason}");
    }

    #[test]
    fn never_panics_on_truncated_native_events() {
        let native = [
            label_event(label_detail(N, "AWSCURRENT", VERSION)).to_string(),
            parameter_event(json!("/app/db"), json!("Update"), json!([PARAMETER_ARN])).to_string(),
        ];
        for body in native {
            assert!(matches!(parse(&body), Ok(Message::Change { .. })));
            for (end, _) in body.char_indices() {
                assert!(parse(&body[..end]).is_err(), "prefix of {end} bytes parsed");
            }
        }
    }

    #[test]
    fn parameter_names_from_arns_and_both_spellings_for_lookup() {
        assert_eq!(secret_name(PARAMETER_ARN), "/app/db");
        assert_eq!(
            secret_name("arn:aws-cn:ssm:cn-north-1:111122223333:parameter/foo"),
            "/foo"
        );
        for not_a_parameter in [
            "arn:aws:ssm:us-east-1:111122223333:parameter/",
            "arn:aws:ssm:us-east-1:111122223333:document/x",
            "arn:aws:ssm:us-east-1:parameter/x",
            "arn:aws:ssm:us-east-1:111122223333:parameter/a b",
        ] {
            assert_eq!(secret_name(not_a_parameter), not_a_parameter);
        }
        let names = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            lookup_names(AwsService::ParameterStore, &names(&["foo", PARAMETER_ARN])),
            names(&["foo", "/foo", "/app/db", "app/db"])
        );
        assert_eq!(
            lookup_names(
                AwsService::ParameterStore,
                &names(&["/app/db", PARAMETER_ARN])
            ),
            names(&["/app/db", "app/db"])
        );
        assert_eq!(
            lookup_names(AwsService::SecretsManager, &names(&[N, A])),
            names(&[N, A]),
            "Secrets Manager names are looked up as they are"
        );
    }
}
