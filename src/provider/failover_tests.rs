//! Failover decisions of the provider with mocked regions: which failures move a read to the replica
//! region, and that only the primary may confirm a deletion.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::config::http::HttpResponse;
use aws_sdk_secretsmanager::config::retry::RetryConfig;
use aws_sdk_secretsmanager::error::ErrorMetadata;
use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretError;
use aws_sdk_secretsmanager::operation::get_secret_value::{
    GetSecretValueError, GetSecretValueOutput,
};
use aws_sdk_secretsmanager::types::error::ResourceNotFoundException;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::body::SdkBody;

use super::*;

fn unavailable() -> HttpResponse {
    let status = 503u16.try_into().expect("a valid status code");
    HttpResponse::new(status, SdkBody::from("{}"))
}

fn value(version: &'static str) -> Rule {
    mock!(Client::get_secret_value).then_output(move || {
        GetSecretValueOutput::builder()
            .name("k")
            .version_id(version)
            .secret_string("v")
            .build()
    })
}

fn failing(code: &'static str) -> Rule {
    mock!(Client::get_secret_value).then_error(move || {
        GetSecretValueError::generic(
            ErrorMetadata::builder()
                .code(code)
                .message("mocked")
                .build(),
        )
    })
}

fn not_found() -> Rule {
    mock!(Client::get_secret_value).then_error(|| {
        GetSecretValueError::ResourceNotFoundException(
            ResourceNotFoundException::builder()
                .message("gone")
                .meta(
                    ErrorMetadata::builder()
                        .code("ResourceNotFoundException")
                        .build(),
                )
                .build(),
        )
    })
}

fn client(rule: &Rule) -> Client {
    mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [rule], |c| c
        .retry_config(RetryConfig::disabled()))
}

fn two_regions(primary: &Rule, replica: &Rule) -> StoreClient {
    let regions = regions::Regions::new(
        client(primary),
        "us-east-1",
        vec![("us-west-2".to_string(), client(replica))],
    );
    StoreClient {
        backend: Backend::SecretsManager(Arc::new(regions)),
        scope: "s".into(),
        limiter: Arc::new(RateLimiter::new(DEFAULT_MAX_REQUESTS_PER_SECOND)),
    }
}

fn provider() -> Provider {
    Provider::new(Metrics::new().expect("metrics"))
}

#[tokio::test]
async fn a_regional_failure_reads_the_replica_and_reports_one_switch() {
    let primary = mock!(Client::get_secret_value).then_http_response(unavailable);
    let replica = value("v1");
    let sc = two_regions(&primary, &replica);
    let got = provider()
        .get(&sc, "k", &VersionSelector::current())
        .await
        .expect("served by the replica");
    assert_eq!(got.version_id, "v1");
    assert_eq!(sc.serving_region(), "us-west-2");
    let switches = sc.take_region_switches();
    assert_eq!(switches.len(), 1, "{switches:?}");
    assert_eq!(
        (switches[0].from.as_str(), switches[0].to.as_str()),
        ("us-east-1", "us-west-2")
    );
    assert!(!switches[0].to_primary);
    assert!(
        sc.take_region_switches().is_empty(),
        "each switch is handed out once"
    );
    // Still failed over: the next read goes to the replica first (the primary's retry is not due).
    provider()
        .get(&sc, "k", &VersionSelector::current())
        .await
        .expect("replica again");
    assert_eq!(
        primary.num_calls(),
        1,
        "the primary is not asked again before its retry time"
    );
    assert!(sc.take_region_switches().is_empty());
}

#[tokio::test]
async fn final_answers_never_fail_over() {
    for (name, primary) in [
        ("AccessDenied", failing("AccessDeniedException")),
        ("NotFound", not_found()),
        ("bad request", failing("InvalidParameterException")),
        ("credentials", failing("UnrecognizedClientException")),
    ] {
        let replica = value("v1");
        let sc = two_regions(&primary, &replica);
        let got = provider().get(&sc, "k", &VersionSelector::current()).await;
        assert!(got.is_err(), "{name}: the primary's answer stands");
        assert_eq!(replica.num_calls(), 0, "{name}: the replica is not asked");
        assert_eq!(sc.serving_region(), "us-east-1", "{name}");
        assert!(sc.take_region_switches().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn throttling_after_retries_fails_over() {
    let primary = failing("ThrottlingException");
    let replica = value("v1");
    let sc = two_regions(&primary, &replica);
    provider()
        .get(&sc, "k", &VersionSelector::current())
        .await
        .expect("served by the replica");
    assert_eq!(sc.serving_region(), "us-west-2");
}

#[tokio::test]
async fn every_region_failing_keeps_the_last_regional_error() {
    let primary = mock!(Client::get_secret_value).then_http_response(unavailable);
    let replica = mock!(Client::get_secret_value).then_http_response(unavailable);
    let sc = two_regions(&primary, &replica);
    let err = provider()
        .get(&sc, "k", &VersionSelector::current())
        .await
        .expect_err("no region answers");
    assert!(err.regional, "{err:?}");
    assert_eq!(
        sc.serving_region(),
        "us-east-1",
        "nothing answered: no switch"
    );
}

#[tokio::test]
async fn only_the_primary_confirms_a_deletion() {
    // The primary is down and the replica says the secret does not exist: that is no proof.
    let primary = mock!(Client::describe_secret).then_http_response(unavailable);
    let replica = mock!(Client::describe_secret).then_error(|| {
        DescribeSecretError::ResourceNotFoundException(
            ResourceNotFoundException::builder()
                .message("gone")
                .meta(
                    ErrorMetadata::builder()
                        .code("ResourceNotFoundException")
                        .build(),
                )
                .build(),
        )
    });
    let sc = two_regions(&primary, &replica);
    let states = provider().confirm_deleted(&sc, &["k".to_string()]).await;
    assert_eq!(states, [("k".to_string(), RemoteState::Unknown)]);
    assert_eq!(
        replica.num_calls(),
        0,
        "a replica is never asked whether a secret is gone"
    );
}

/// The failover guard's inputs: which region answered its DescribeSecret, by position, without the
/// check itself moving the failover state (only reads and listings do).
#[tokio::test]
async fn the_guard_learns_who_answered() {
    use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
    let describe = |current: &'static str| {
        mock!(Client::describe_secret).then_output(move || {
            DescribeSecretOutput::builder()
                .name("k")
                .version_ids_to_stages(current, vec!["AWSCURRENT".to_string()])
                .build()
        })
    };
    let primary = describe("v2");
    let sc = two_regions(&primary, &value("v1"));
    assert!(!sc.replica_may_have_answered());
    let (who, versions) = provider()
        .describe_answered_by(&sc, "k")
        .await
        .expect("the primary answers");
    assert_eq!(who, None, "None: the primary");
    assert!(versions.is_some_and(|v| v.contains_key("v2")));
    assert!(!sc.replica_may_have_answered());

    let primary = mock!(Client::describe_secret).then_http_response(unavailable);
    let replica = describe("v1");
    let sc = two_regions(&primary, &replica);
    // The primary fails (HTTP 503), the replica answers.
    let (who, _) = provider()
        .describe_answered_by(&sc, "k")
        .await
        .expect("the replica answers");
    assert_eq!(who.as_deref(), Some("us-west-2"));
    // The guard's own check moves no failover state: a primary that fails value reads but answers
    // DescribeSecret would otherwise look back (and a replica answering it is not a value read).
    assert!(!sc.replica_may_have_answered());
    assert!(!sc.failed_over());
    assert!(sc.take_region_switches().is_empty(), "no switch reported");

    // One primary client only: never a replica, whatever is asked.
    let single = StoreClient::from_client(client(&value("v1")), "one");
    let _ = provider()
        .get(&single, "k", &VersionSelector::current())
        .await;
    assert!(!single.replica_may_have_answered());
}
