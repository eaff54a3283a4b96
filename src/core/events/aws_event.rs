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
        AwsService::SecretsManager | AwsService::CertificateManager => secrets.to_vec(),
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
#[path = "aws_event_tests.rs"]
mod tests;
