//! Parameter Store through the provider, with a mocked SSM: latest reads due together become
//! GetParameters calls of ten, one DescribeParameters call answers many ExternalSecrets' detection,
//! every page is counted, and an endpoint that pages forever ends in an error.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ssm::Client;
use aws_sdk_ssm::config::retry::RetryConfig;
use aws_sdk_ssm::operation::describe_parameters::DescribeParametersOutput;
use aws_sdk_ssm::operation::get_parameters::GetParametersOutput;
use aws_sdk_ssm::operation::get_parameters_by_path::GetParametersByPathOutput;
use aws_sdk_ssm::types::{Parameter, ParameterMetadata, ParameterType};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

use super::*;
use crate::api::FindRef;
use crate::metrics::Metrics;

fn store(rules: &[&Rule]) -> StoreClient {
    let client: Client = mock_client!(aws_sdk_ssm, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()));
    let mut sc = StoreClient::parameter_store(client, "SecretStore/ns/ssm#1");
    sc.limiter = Arc::new(RateLimiter::new(1_000_000));
    sc
}

/// The Parameter Store regions of a store made by [`store`].
fn ps(sc: &StoreClient) -> &parameters::PsRegions {
    match &sc.backend {
        Backend::ParameterStore(r) => r,
        _ => panic!("a Parameter Store store"),
    }
}

fn provider() -> Arc<Provider> {
    Arc::new(Provider::new(Metrics::new().expect("metrics")))
}

fn parameter(name: &str, version: i64) -> Parameter {
    Parameter::builder()
        .name(name)
        .arn(format!(
            "arn:aws:ssm:us-east-1:123456789012:parameter{name}"
        ))
        .r#type(ParameterType::SecureString)
        .value(format!("value of {name}"))
        .version(version)
        .build()
}

/// GetParameters answering every asked name except those starting with `/missing`.
fn get_parameters() -> Rule {
    mock!(Client::get_parameters).then_compute_output(|req| {
        let names = req.names();
        let (missing, found): (Vec<&String>, Vec<&String>) =
            names.iter().partition(|n| n.starts_with("/missing"));
        GetParametersOutput::builder()
            .set_parameters(Some(found.iter().map(|n| parameter(n, 7)).collect()))
            .set_invalid_parameters(Some(missing.into_iter().cloned().collect()))
            .build()
    })
}

fn calls(p: &Provider, operation: &str) -> f64 {
    p.metrics
        .aws_api_calls
        .with_label_values(&["SecretStore/ns/ssm", operation, "success"])
        .get() as f64
}

#[tokio::test]
async fn latest_reads_due_together_go_out_as_get_parameters_of_ten() {
    let rule = get_parameters();
    let sc = store(&[&rule]);
    let p = provider();
    let mut names: Vec<String> = (0..25).map(|i| format!("/app/p{i}")).collect();
    names.push("/missing/one".into());
    names.push("/app/p0".into());
    let reads = names.iter().map(|n| p.get_current(&sc, n, None));
    let results = futures::future::join_all(reads).await;
    assert_eq!(rule.num_calls(), 3, "26 distinct names: 10 + 10 + 6");
    for (name, r) in names.iter().zip(&results) {
        match r {
            Ok(s) => {
                assert_eq!(&s.name, name);
                assert_eq!(s.version_id, "7");
            }
            Err(e) => {
                assert_eq!(name, "/missing/one");
                assert_eq!(e.kind, ProviderErrorKind::NotFound);
            }
        }
    }
    assert_eq!(calls(&p, "GetParameters"), 3.0);
    assert_eq!(calls(&p, "GetParameter"), 0.0);
    // The values are cached under their versions: a read expecting version 7 makes no call.
    p.get_current(&sc, "/app/p3", Some("7"))
        .await
        .expect("cached");
    assert_eq!(rule.num_calls(), 3);
}

/// The version identity the describe mock answers: Version 4, modified at 2026-12-07T03:21:05.123Z.
const V4: &str = "4@2026-12-07T03:21:05.123Z";

#[tokio::test]
async fn one_describe_call_serves_the_detection_of_fifty_external_secrets() {
    let rule = mock!(Client::describe_parameters).then_compute_output(|req| {
        let asked: Vec<String> = req
            .parameter_filters()
            .iter()
            .flat_map(|f| f.values().to_vec())
            .collect();
        DescribeParametersOutput::builder()
            .set_parameters(Some(
                asked
                    .iter()
                    .filter(|n| !n.starts_with("/gone"))
                    .map(|n| {
                        ParameterMetadata::builder()
                            .name(n)
                            .version(4)
                            .last_modified_date(aws_smithy_types::DateTime::from_millis(
                                1_796_613_665_123,
                            ))
                            .build()
                    })
                    .collect(),
            ))
            .build()
    });
    let sc = store(&[&rule]);
    let p = provider();
    let names: Vec<String> = (0..100).map(|i| format!("/app/p{i:03}")).collect();
    // Every ExternalSecret of the store is known to its index before detection (as in try_sync).
    let mut known = names.clone();
    known.push("arn:aws:ssm:us-east-1:1:parameter/app/by-arn".into());
    known.push("/gone/x".into());
    p.detection_facts(&sc, &known, &[]);
    let hour = Duration::from_secs(3600);
    // 100 ExternalSecrets of one parameter each, refreshing at once.
    let asks = names
        .iter()
        .map(|n| p.parameter_versions(&sc, ps(&sc), std::slice::from_ref(n), hour));
    for (name, r) in names.iter().zip(futures::future::join_all(asks).await) {
        let versions = r.expect("described");
        assert_eq!(
            versions.get(name).map(String::as_str),
            Some(V4),
            "{name}: the number and the modification time"
        );
    }
    assert_eq!(rule.num_calls(), 2, "100 names, 50 per call");
    assert_eq!(calls(&p, "DescribeParameters"), 2.0);
    // A parameter that is not there is absent, and stays known as absent within the interval.
    let two: Vec<String> = vec!["/app/p042".into(), "/gone/x".into()];
    let gone = || p.parameter_versions(&sc, ps(&sc), &two, hour);
    let v = gone().await.expect("described");
    assert_eq!(v.get("/app/p042").map(String::as_str), Some(V4));
    assert!(!v.contains_key("/gone/x"));
    assert_eq!(rule.num_calls(), 3);
    let v = gone().await.expect("from the index");
    assert!(!v.contains_key("/gone/x"));
    let before = rule.num_calls();
    assert_eq!(before, 3);
    // Older than the interval: asked again.
    p.parameter_versions(&sc, ps(&sc), &["/app/p042".into()], Duration::ZERO)
        .await
        .expect("described again");
    assert_eq!(rule.num_calls(), before + 1);
}

#[tokio::test]
async fn every_page_is_counted_and_endless_paging_is_an_error() {
    let paged = mock!(Client::get_parameters_by_path).then_compute_output(|req| {
        let page: usize = req.next_token().map_or(0, |t| t.parse().unwrap_or(99));
        let out =
            GetParametersByPathOutput::builder().parameters(parameter(&format!("/app/x{page}"), 1));
        match page {
            0..=2 => out.next_token((page + 1).to_string()).build(),
            _ => out.build(),
        }
    });
    let sc = store(&[&paged]);
    let p = provider();
    let find = FindRef {
        path: Some("/app/".into()),
        ..Default::default()
    };
    let found = p.find(&sc, &find, None).await.expect("four pages");
    assert_eq!(found.len(), 4);
    assert_eq!(calls(&p, "GetParametersByPath"), 4.0);

    let endless = mock!(Client::get_parameters_by_path).then_compute_output(|_| {
        GetParametersByPathOutput::builder()
            .next_token("again")
            .build()
    });
    let sc = store(&[&endless]);
    let err = p.find(&sc, &find, None).await.expect_err("never ends");
    assert!(err.message.contains("did not finish"), "{err:?}");
}
