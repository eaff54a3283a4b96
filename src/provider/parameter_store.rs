//! SSM Parameter Store calls, one request each (the provider paces, counts and pages them): one
//! parameter by name, version or label and up to ten latest ones (always decrypted), the latest Version
//! of named parameters or of those below a path or carrying tags, without their values
//! (DescribeParameters), and the parameters below a path. Errors map onto the provider's kinds.

use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ssm::types::ParameterStringFilter;

use super::error::{
    ProviderError, ProviderErrorKind, classify_service, is_regional, service_error,
};
use crate::api::AwsService;
use crate::core::answer::{ExistenceAnswer, ValueAnswer, existence, value_of};
use crate::core::deletion::RemoteState;
use crate::core::parameter::{ParameterPick, version_identity};
use crate::core::remote::RemoteSecret;

/// Most values one DescribeParameters `Name` filter takes.
pub const NAMES_PER_FILTER: usize = 50;
/// Largest DescribeParameters page.
const PAGE: i32 = 50;
/// Largest GetParametersByPath page.
const PATH_PAGE: i32 = 10;

/// Reads Parameter Store with one client.
#[derive(Clone)]
pub struct ParameterStore {
    client: aws_sdk_ssm::Client,
}

impl super::regions::RegionalClient for ParameterStore {
    fn key_in(key: &str, region: &str) -> String {
        crate::core::failover::parameter_in_region(key, region)
    }
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
        remote_of(out.parameter.as_ref(), name, "GetParameter")
    }

    /// The tags of parameter `name` (ListTagsForResource), each `Key` and `Value` as sent. A parameter
    /// that does not exist is NotFound (Parameter Store answers InvalidResourceId).
    pub async fn tags(
        &self,
        name: &str,
    ) -> Result<Vec<(Option<String>, Option<String>)>, ProviderError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Parameter)
            .resource_id(name)
            .send()
            .await
            .map_err(|err| {
                let (kind, detail) = classify_service(
                    &err,
                    "Parameter Store",
                    &["ParameterNotFound", "InvalidResourceId"],
                    &["TooManyUpdates"],
                );
                ProviderError {
                    regional: is_regional(&err, kind),
                    ..ProviderError::new(kind, format!("ListTagsForResource {name:?}: {detail}"))
                }
            })?;
        Ok(out
            .tag_list()
            .iter()
            .map(|t| (Some(t.key().to_string()), Some(t.value().to_string())))
            .collect())
    }

    /// Whether the parameter itself still exists, as [`existence`] reads a GetParameter answer: only
    /// Parameter Store's own ParameterNotFound is a deletion; an answer without a `Parameter` proves
    /// nothing.
    pub async fn exists(&self, name: &str) -> RemoteState {
        let result = self
            .client
            .get_parameter()
            .name(name)
            .with_decryption(false)
            .send()
            .await;
        let answer = match &result {
            Ok(out) => ExistenceAnswer::Answered {
                entity: out.parameter.is_some(),
                deleted_date: false,
            },
            Err(e) => service_error(e).unwrap_or(ExistenceAnswer::NoAnswer),
        };
        existence(AwsService::ParameterStore, answer)
    }

    /// Up to [`super::batch::MAX_PARAMETERS`] parameters' latest versions in one GetParameters call,
    /// decrypted: the parameters found, and the names Parameter Store says do not exist.
    pub async fn get_many(&self, names: &[String]) -> Result<ManyParameters, ProviderError> {
        let out = self
            .client
            .get_parameters()
            .set_names(Some(names.to_vec()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| classify(e, "GetParameters", &names.join(",")))?;
        Ok(ManyParameters {
            found: out
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.name().unwrap_or_default().to_string(),
                        remote_of(Some(p), "", "GetParameters"),
                    )
                })
                .collect(),
            invalid: out.invalid_parameters().to_vec(),
        })
    }

    /// One DescribeParameters page of the latest Version of named parameters (at most
    /// [`NAMES_PER_FILTER`] names; no value is read): (name, version identity) pairs and the next
    /// page's token.
    pub async fn versions_page(
        &self,
        names: &[String],
        token: Option<String>,
    ) -> Result<Page<(String, String)>, ProviderError> {
        let filter = string_filter("Name", Some("Equals"), names.to_vec())?;
        self.describe_page(vec![filter], token, &names.join(","))
            .await
    }

    /// One DescribeParameters page of the parameters below `path` (recursive; every path when None)
    /// carrying all `tags`, no value read: (name, latest version identity) pairs.
    pub async fn described_page(
        &self,
        path: Option<&str>,
        tags: &std::collections::BTreeMap<String, String>,
        token: Option<String>,
    ) -> Result<Page<(String, String)>, ProviderError> {
        let mut filters = Vec::new();
        if let Some(path) = path {
            filters.push(string_filter(
                "Path",
                Some("Recursive"),
                vec![path_filter(path)],
            )?);
        }
        for (k, v) in tags {
            filters.push(string_filter(&format!("tag:{k}"), None, vec![v.clone()])?);
        }
        self.describe_page(filters, token, path.unwrap_or("*"))
            .await
    }

    /// One DescribeParameters page with `filters` (none: every parameter): (name, latest version
    /// identity) pairs; `what` names the request's subject in errors.
    async fn describe_page(
        &self,
        filters: Vec<ParameterStringFilter>,
        token: Option<String>,
        what: &str,
    ) -> Result<Page<(String, String)>, ProviderError> {
        let page = self
            .client
            .describe_parameters()
            .set_parameter_filters((!filters.is_empty()).then_some(filters))
            .max_results(PAGE)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| classify(e, "DescribeParameters", what))?;
        let items = page
            .parameters()
            .iter()
            .filter_map(|p| {
                Some((
                    p.name()?.to_string(),
                    identity(p.version(), p.last_modified_date()),
                ))
            })
            .collect();
        Ok((items, page.next_token().map(String::from)))
    }

    /// One GetParametersByPath page (recursive, decrypted) of the parameters below `path`.
    pub async fn by_path_page(
        &self,
        path: &str,
        token: Option<String>,
    ) -> Result<Page<RemoteSecret>, ProviderError> {
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
        let items = page
            .parameters()
            .iter()
            .map(|p| remote_of(Some(p), path, "GetParametersByPath"))
            .collect::<Result<_, _>>()?;
        Ok((items, page.next_token().map(String::from)))
    }
}

/// One page of answers and the token of the next page (None: the last page).
pub type Page<T> = (Vec<T>, Option<String>);

/// The answer of one GetParameters call.
#[derive(Debug, Default)]
pub struct ManyParameters {
    /// The parameters found (name as answered, and the parameter or why it cannot be used), latest
    /// versions, decrypted.
    pub found: Vec<(String, Result<RemoteSecret, ProviderError>)>,
    /// The names asked for that Parameter Store says do not exist.
    pub invalid: Vec<String>,
}

/// A `find.path` as DescribeParameters' `Path` filter takes it: no trailing `/` (but `/` itself).
fn path_filter(path: &str) -> String {
    match path.trim_end_matches('/') {
        "" => "/".to_string(),
        trimmed => trimmed.to_string(),
    }
}

/// The version identity of a Version and its `LastModifiedDate`, as every call's answer gives them.
fn identity(version: i64, modified: Option<&aws_sdk_ssm::primitives::DateTime>) -> String {
    version_identity(version, modified.map(millis))
}

/// A `LastModifiedDate` in milliseconds, rounded (the JSON carries seconds with three decimals, which a
/// float may hold as `.122999…`): every call's answer about one version gives the same identity.
fn millis(d: &aws_sdk_ssm::primitives::DateTime) -> i64 {
    d.secs()
        .saturating_mul(1000)
        .saturating_add((i64::from(d.subsec_nanos()) + 500_000) / 1_000_000)
}

/// A parameter as a remote secret, through the one check of [`value_of`]: a missing `Parameter`,
/// `Version` or `Value` is a malformed answer (a provider error), never a blank value. StringList stays
/// its comma-separated text. The version id is the version identity (number and modification time).
fn remote_of(
    p: Option<&aws_sdk_ssm::types::Parameter>,
    asked: &str,
    op: &str,
) -> Result<RemoteSecret, ProviderError> {
    let version = p.map(|p| identity(p.version(), p.last_modified_date()));
    let answer = ValueAnswer {
        entity: p.is_some(),
        // Parameter Store numbers versions from 1: a 0 is a missing Version.
        version: version
            .as_deref()
            .filter(|_| p.is_some_and(|p| p.version() > 0)),
        text: p.and_then(|p| p.value()),
        binary: None,
    };
    let name = p.and_then(|p| p.name()).unwrap_or(asked);
    let (version_id, content) = value_of(AwsService::ParameterStore, &answer).map_err(|why| {
        ProviderError::new(
            ProviderErrorKind::Other,
            format!("{op} {name:?}: {}", why.explain()),
        )
    })?;
    Ok(RemoteSecret {
        name: name.to_string(),
        arn: p.and_then(|p| p.arn()).unwrap_or_default().to_string(),
        version_id,
        content,
    })
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
    ProviderError {
        regional: is_regional(&err, kind),
        ..ProviderError::new(kind, format!("{op} {name:?}: {detail}"))
    }
}

/// A DescribeParameters filter: `key` (with `option`, e.g. `Equals`) matching any of `values`.
fn string_filter(
    key: &str,
    option: Option<&str>,
    values: Vec<String>,
) -> Result<ParameterStringFilter, ProviderError> {
    ParameterStringFilter::builder()
        .key(key)
        .set_option(option.map(String::from))
        .set_values(Some(values))
        .build()
        .map_err(|e| {
            ProviderError::new(ProviderErrorKind::Other, format!("DescribeParameters: {e}"))
        })
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
        assert_eq!(
            got.content,
            crate::core::remote::RemoteContent::String("a,b,c".into())
        );
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
