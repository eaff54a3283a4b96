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
    let arn = |name: &str| format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}");
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
