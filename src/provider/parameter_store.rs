//! SSM Parameter Store reads (groundwork for `spec.aws.service: ParameterStore`): one parameter by
//! name, version or label (always decrypted), the latest Version of named parameters without their
//! values (DescribeParameters), and every parameter below a path. Errors map onto the provider's kinds.

use std::collections::HashMap;

use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ssm::types::ParameterStringFilter;

use super::error::{ProviderError, ProviderErrorKind, classify_service};
use crate::core::parameter::ParameterPick;
use crate::core::remote::{RemoteContent, RemoteSecret};

/// Most values one DescribeParameters `Name` filter takes.
const NAMES_PER_FILTER: usize = 50;
/// Largest DescribeParameters page.
const PAGE: i32 = 50;
/// Largest GetParametersByPath page.
const PATH_PAGE: i32 = 10;

/// Reads Parameter Store with one client.
#[derive(Clone)]
pub struct ParameterStore {
    client: aws_sdk_ssm::Client,
}

impl ParameterStore {
    /// Wraps a client.
    pub fn new(client: aws_sdk_ssm::Client) -> Self {
        Self { client }
    }

    /// One parameter as `pick` selects it, decrypted. The version id is the parameter's Version.
    pub async fn get(
        &self,
        name: &str,
        pick: &ParameterPick,
    ) -> Result<RemoteSecret, ProviderError> {
        let out = self
            .client
            .get_parameter()
            .name(pick.request_name(name))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| classify(e, "GetParameter", name))?;
        let p = out.parameter.ok_or_else(|| {
            ProviderError::new(
                ProviderErrorKind::NotFound,
                format!("GetParameter {name:?}: no parameter in the answer"),
            )
        })?;
        Ok(remote_of(&p, name))
    }

    /// The latest Version of each named parameter that exists (DescribeParameters; no value is read).
    pub async fn versions(&self, names: &[String]) -> Result<HashMap<String, i64>, ProviderError> {
        let mut out = HashMap::new();
        for chunk in names.chunks(NAMES_PER_FILTER) {
            let filter = ParameterStringFilter::builder()
                .key("Name")
                .option("Equals")
                .set_values(Some(chunk.to_vec()))
                .build()
                .map_err(|e| {
                    ProviderError::new(ProviderErrorKind::Other, format!("DescribeParameters: {e}"))
                })?;
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .describe_parameters()
                    .parameter_filters(filter.clone())
                    .max_results(PAGE)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| classify(e, "DescribeParameters", &chunk.join(",")))?;
                for p in page.parameters() {
                    if let Some(name) = p.name() {
                        out.insert(name.to_string(), p.version());
                    }
                }
                token = page.next_token().map(String::from);
                if token.is_none() {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Names of every parameter carrying all `tags` (every parameter when empty), via DescribeParameters.
    pub async fn names(
        &self,
        tags: &std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<String>, ProviderError> {
        let mut filters = Vec::new();
        for (k, v) in tags {
            filters.push(
                ParameterStringFilter::builder()
                    .key(format!("tag:{k}"))
                    .values(v.clone())
                    .build()
                    .map_err(|e| {
                        ProviderError::new(
                            ProviderErrorKind::Other,
                            format!("DescribeParameters: {e}"),
                        )
                    })?,
            );
        }
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .describe_parameters()
                .set_parameter_filters((!filters.is_empty()).then(|| filters.clone()))
                .max_results(PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| classify(e, "DescribeParameters", "*"))?;
            out.extend(
                page.parameters()
                    .iter()
                    .filter_map(|p| p.name().map(String::from)),
            );
            token = page.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// Every parameter below `path` (recursive), decrypted.
    pub async fn by_path(&self, path: &str) -> Result<Vec<RemoteSecret>, ProviderError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .get_parameters_by_path()
                .path(path)
                .recursive(true)
                .with_decryption(true)
                .max_results(PATH_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| classify(e, "GetParametersByPath", path))?;
            out.extend(page.parameters().iter().map(|p| remote_of(p, path)));
            token = page.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

/// A parameter as a remote secret: StringList stays its comma-separated text.
fn remote_of(p: &aws_sdk_ssm::types::Parameter, asked: &str) -> RemoteSecret {
    RemoteSecret {
        name: p.name().unwrap_or(asked).to_string(),
        arn: p.arn().unwrap_or_default().to_string(),
        version_id: p.version().to_string(),
        content: RemoteContent::String(p.value().unwrap_or_default().to_string()),
    }
}

/// Maps an SSM error: ParameterNotFound / ParameterVersionNotFound → NotFound (a well-formed answer
/// of the service, never a bare HTTP status), AccessDenied, throttling, credentials, else Other.
fn classify<E>(
    err: SdkError<E, aws_sdk_ssm::config::http::HttpResponse>,
    op: &str,
    name: &str,
) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (kind, detail) = classify_service(
        &err,
        "Parameter Store",
        &["ParameterNotFound", "ParameterVersionNotFound"],
        &["TooManyUpdates"],
    );
    ProviderError::new(kind, format!("{op} {name:?}: {detail}"))
}

#[cfg(test)]
mod tests {
    use aws_sdk_ssm::Client;
    use aws_sdk_ssm::config::retry::RetryConfig;
    use aws_sdk_ssm::error::ErrorMetadata;
    use aws_sdk_ssm::operation::get_parameter::{GetParameterError, GetParameterOutput};
    use aws_sdk_ssm::types::error::{ParameterNotFound, ParameterVersionNotFound};
    use aws_sdk_ssm::types::{Parameter, ParameterType};
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;

    fn store(rule: &Rule) -> ParameterStore {
        ParameterStore::new(mock_client!(aws_sdk_ssm, RuleMode::MatchAny, [rule], |c| c
            .retry_config(RetryConfig::disabled())))
    }

    #[tokio::test]
    async fn reads_a_version_with_decryption_and_keeps_string_lists_as_text() {
        let rule = mock!(Client::get_parameter)
            .match_requests(|r| {
                r.name() == Some("/app/hosts:3") && r.with_decryption() == Some(true)
            })
            .then_output(|| {
                GetParameterOutput::builder()
                    .parameter(
                        Parameter::builder()
                            .name("/app/hosts")
                            .r#type(ParameterType::StringList)
                            .value("a,b,c")
                            .version(3)
                            .build(),
                    )
                    .build()
            });
        let got = store(&rule)
            .get("/app/hosts", &ParameterPick::Version(3))
            .await
            .expect("read");
        assert_eq!(
            (got.name.as_str(), got.version_id.as_str()),
            ("/app/hosts", "3")
        );
        assert_eq!(got.content, RemoteContent::String("a,b,c".into()));
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn errors_map_to_the_same_kinds_as_secrets_manager() {
        let cases: Vec<(Rule, ProviderErrorKind)> = vec![
            (
                mock!(Client::get_parameter).then_error(|| {
                    GetParameterError::ParameterNotFound(
                        ParameterNotFound::builder()
                            .meta(ErrorMetadata::builder().code("ParameterNotFound").build())
                            .build(),
                    )
                }),
                ProviderErrorKind::NotFound,
            ),
            (
                mock!(Client::get_parameter).then_error(|| {
                    GetParameterError::ParameterVersionNotFound(
                        ParameterVersionNotFound::builder()
                            .meta(
                                ErrorMetadata::builder()
                                    .code("ParameterVersionNotFound")
                                    .build(),
                            )
                            .build(),
                    )
                }),
                ProviderErrorKind::NotFound,
            ),
            (
                mock!(Client::get_parameter).then_error(|| {
                    GetParameterError::generic(
                        ErrorMetadata::builder()
                            .code("AccessDeniedException")
                            .build(),
                    )
                }),
                ProviderErrorKind::AccessDenied,
            ),
            (
                mock!(Client::get_parameter).then_error(|| {
                    GetParameterError::generic(
                        ErrorMetadata::builder().code("ThrottlingException").build(),
                    )
                }),
                ProviderErrorKind::Throttled,
            ),
            (
                // Secrets Manager's code is no proof that a parameter is gone.
                mock!(Client::get_parameter).then_error(|| {
                    GetParameterError::generic(
                        ErrorMetadata::builder()
                            .code("ResourceNotFoundException")
                            .build(),
                    )
                }),
                ProviderErrorKind::Other,
            ),
        ];
        for (rule, want) in cases {
            let err = store(&rule)
                .get("/x", &ParameterPick::Latest)
                .await
                .expect_err("mocked failure");
            assert_eq!(err.kind, want, "{err:?}");
            assert!(err.message.contains("GetParameter \"/x\""), "{err:?}");
        }
    }
}
