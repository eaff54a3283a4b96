//! Faults that are hard to provoke on the emulator, with mocked SDK clients.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::config::retry::RetryConfig;
use aws_sdk_secretsmanager::error::ErrorMetadata;
use aws_sdk_secretsmanager::operation::get_secret_value::{
    GetSecretValueError, GetSecretValueOutput,
};
use aws_sdk_secretsmanager::types::error::ResourceNotFoundException;
use aws_smithy_mocks::{RuleMode, mock, mock_client};

use super::*;
use std::time::Duration;

fn provider() -> Provider {
    Provider::new(Metrics::new().expect("metrics"))
}

fn generic(code: &'static str) -> GetSecretValueError {
    GetSecretValueError::generic(
        ErrorMetadata::builder()
            .code(code)
            .message("mocked")
            .build(),
    )
}

async fn get_with(rule: aws_smithy_mocks::Rule) -> Result<RemoteSecret, ProviderError> {
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&rule], |c| c
        .retry_config(RetryConfig::disabled()));
    provider()
        .get(
            &StoreClient::from_client(client, "s"),
            "k",
            &VersionSelector::current(),
        )
        .await
}

#[tokio::test]
async fn errors_are_classified() {
    let cases = [
        (
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
            }),
            ProviderErrorKind::NotFound,
        ),
        (
            mock!(Client::get_secret_value).then_error(|| generic("AccessDeniedException")),
            ProviderErrorKind::AccessDenied,
        ),
        (
            mock!(Client::get_secret_value).then_error(|| generic("ThrottlingException")),
            ProviderErrorKind::Throttled,
        ),
        (
            mock!(Client::get_secret_value).then_error(|| generic("UnrecognizedClientException")),
            ProviderErrorKind::Credentials,
        ),
        (
            mock!(Client::get_secret_value).then_error(|| generic("InternalServiceError")),
            ProviderErrorKind::Other,
        ),
    ];
    for (rule, kind) in cases {
        let err = get_with(rule).await.expect_err("mocked failure");
        assert_eq!(err.kind, kind, "{err}");
        assert!(
            err.message.contains(r#"GetSecretValue "k""#),
            "{}",
            err.message
        );
    }
}

#[tokio::test]
async fn stage_reads_always_ask_and_pinned_reads_use_the_cache() {
    let rule = mock!(Client::get_secret_value).then_output(|| {
        GetSecretValueOutput::builder()
            .name("k")
            .arn("arn:aws:secretsmanager:us-east-1:1:secret:k")
            .version_id("v1")
            .secret_string("value")
            .build()
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&rule]);
    let p = provider();
    let sc = StoreClient::from_client(client, "s");
    let got = p
        .get(&sc, "k", &VersionSelector::current())
        .await
        .expect("read");
    assert_eq!(got.version_id, "v1");
    p.get(&sc, "k", &VersionSelector::current())
        .await
        .expect("read again");
    assert_eq!(
        rule.num_calls(),
        2,
        "stage reads are never served from the cache"
    );
    p.get(&sc, "k", &VersionSelector::Id("v1".into()))
        .await
        .expect("pinned read");
    assert_eq!(rule.num_calls(), 2, "a cached version needs no call");
    let Backend::SecretsManager(regions) = &sc.backend else {
        panic!("a Secrets Manager store");
    };
    let other_store = StoreClient::from_client(regions.primary().client.clone(), "other");
    p.get(&other_store, "k", &VersionSelector::Id("v1".into()))
        .await
        .expect("pinned read, other store");
    assert_eq!(
        rule.num_calls(),
        3,
        "another store never sees this store's cache"
    );
}

#[tokio::test]
async fn a_version_mismatch_is_an_error() {
    let rule = mock!(Client::get_secret_value).then_output(|| {
        GetSecretValueOutput::builder()
            .name("k")
            .version_id("v2")
            .secret_string("x")
            .build()
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&rule]);
    let err = provider()
        .get(
            &StoreClient::from_client(client, "s"),
            "k",
            &VersionSelector::Id("v1".into()),
        )
        .await
        .expect_err("mismatch");
    assert_eq!(err.kind, ProviderErrorKind::Other);
}

#[tokio::test]
async fn calls_are_labelled_by_store_id_and_priced() {
    let rule = mock!(Client::get_secret_value).then_output(|| {
        GetSecretValueOutput::builder()
            .name("k")
            .version_id("v1")
            .secret_string("value")
            .build()
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&rule]);
    let metrics = Metrics::new().expect("metrics");
    let p = Provider::new(metrics.clone()).with_price_per_10k_calls(0.4);
    let sc = StoreClient::from_client(client, "SecretStore/team-a/aws#1234567890");
    assert_eq!(sc.store_label(), "SecretStore/team-a/aws");
    for _ in 0..3 {
        p.get(&sc, "k", &VersionSelector::current())
            .await
            .expect("read");
    }
    let text = metrics.render().expect("render");
    assert!(
        text.contains(
            r#"secretsync_aws_api_calls_total{operation="GetSecretValue",outcome="success",store="SecretStore/team-a/aws"} 3"#
        ),
        "{text}"
    );
    assert!(
        !text.contains("1234567890"),
        "the fingerprint leaked: {text}"
    );
    let cost = metrics
        .aws_estimated_cost_usd
        .with_label_values(&["SecretStore/team-a/aws", "GetSecretValue"])
        .get();
    assert!((cost - 3.0 * 0.4 / 10_000.0).abs() < 1e-12, "{cost}");
}

#[test]
fn the_store_label_is_the_scope_before_the_fingerprint() {
    assert_eq!(
        store_label("ClusterSecretStore/shared#42"),
        "ClusterSecretStore/shared"
    );
    assert_eq!(store_label("SecretStore/ns/name#"), "SecretStore/ns/name");
    assert_eq!(store_label("s"), "s");
}

#[tokio::test]
async fn clones_of_a_store_client_share_one_rate_limit() {
    let rule = mock!(Client::get_secret_value).then_output(|| {
        GetSecretValueOutput::builder()
            .name("k")
            .version_id("v1")
            .secret_string("value")
            .build()
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&rule]);
    let p = provider();
    let sc = StoreClient::with_rate_limit(client, "s", 5);
    let clones = [sc.clone(), sc.clone()];
    let start = std::time::Instant::now();
    // 5 at once, then 5 more at 5/s (alternating between two clones): about 1 s.
    for i in 0..10 {
        p.get(&clones[i % 2], "k", &VersionSelector::current())
            .await
            .expect("read");
    }
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn many_readers_of_one_secret_in_a_batch_window_make_one_call() {
    let rule = mock!(Client::get_secret_value).then_output(|| {
        GetSecretValueOutput::builder()
            .name("shared")
            .arn("arn:aws:secretsmanager:us-east-1:1:secret:shared")
            .version_id("v2")
            .secret_string("value")
            .build()
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, [&rule]);
    let p = provider();
    let sc = StoreClient::from_client(client, "s");
    // 100 ExternalSecrets told by a listing page that "shared" has a new version read it at once.
    let reads = (0..100).map(|_| p.get_current(&sc, "shared", None));
    for r in futures::future::join_all(reads).await {
        assert_eq!(r.expect("read").version_id, "v2");
    }
    assert_eq!(rule.num_calls(), 1, "one GetSecretValue for all readers");
}

/// A role chain step that fails before the read is sent: the message names the step (never
/// "connection failed"); STS's refusals are credentials failures, never NotFound (a failed
/// AssumeRole must never look like a deleted secret) nor AccessDenied (which would mark ListSecrets
/// or batch reads denied); an STS that could not be asked is a transport failure.
#[tokio::test]
async fn credential_chain_failures_are_classified_by_sts_code() {
    use super::assume_role::StepFailure;
    use aws_credential_types::credential_fn::provide_credentials_fn;
    use aws_credential_types::provider::error::CredentialsError;
    let step = "AssumeRole arn:aws:iam::222222222222:role/b (spec.aws.additionalRoles[1])";
    for (code, refused, kind) in [
        (Some("AccessDenied"), true, ProviderErrorKind::Credentials),
        (Some("Throttling"), true, ProviderErrorKind::Throttled),
        (
            Some("InvalidClientTokenId"),
            true,
            ProviderErrorKind::Credentials,
        ),
        (
            Some("RegionDisabledException"),
            true,
            ProviderErrorKind::Credentials,
        ),
        (
            Some("ResourceNotFoundException"),
            true,
            ProviderErrorKind::Credentials,
        ),
        (None, true, ProviderErrorKind::Credentials),
        (None, false, ProviderErrorKind::Other),
    ] {
        let failing = provide_credentials_fn(move || async move {
            Err(CredentialsError::provider_error(StepFailure {
                code: code.map(String::from),
                refused,
                message: format!("{step}: {}", code.unwrap_or("dispatch failure")),
            }))
        });
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
            .region(aws_sdk_secretsmanager::config::Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:9")
            .retry_config(RetryConfig::disabled())
            .credentials_provider(failing)
            .build();
        let err = provider()
            .get(
                &StoreClient::from_client(Client::from_conf(config), "s"),
                "k",
                &VersionSelector::current(),
            )
            .await
            .expect_err("no credentials");
        assert_eq!(err.kind, kind, "{code:?}: {err}");
        assert!(
            err.message
                .starts_with(r#"GetSecretValue "k": could not obtain the store's credentials: "#),
            "{}",
            err.message
        );
        assert!(err.message.contains(step), "{}", err.message);
        assert!(
            !err.message.contains("connection failed"),
            "{}",
            err.message
        );
    }
}
