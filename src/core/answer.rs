//! What an AWS answer may mean, for every service: the one check an answer passes before it can
//! produce a value or confirm a deletion. A value comes only from an answer that names a version and
//! holds a value; a deletion is confirmed only by the service's own not-found error for the entity
//! itself (or Secrets Manager's `DeletedDate`). An HTTP 200 that lacks what the call promises (`{}`, a
//! `Parameter` without `Value`) is malformed: a provider error, never a value, never a deletion.

use super::deletion::RemoteState;
use super::remote::RemoteContent;
use crate::api::AwsService;

/// A value read's answer, as the service sent it (None: the field was absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct ValueAnswer<'a> {
    /// The answer holds the entity at all (Parameter Store: a `Parameter`; Secrets Manager's
    /// GetSecretValue and batch entries always do).
    pub entity: bool,
    /// The version identifier it names (Secrets Manager `VersionId`; Parameter Store: the version
    /// identity, see [`super::parameter::version_identity`]).
    pub version: Option<&'a str>,
    /// `SecretString` / `Value`.
    pub text: Option<&'a str>,
    /// `SecretBinary` (Secrets Manager only).
    pub binary: Option<&'a [u8]>,
}

/// Why an answer cannot produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// The version exists but holds no value (Secrets Manager: a rotation without a Lambda); the same
    /// as a missing version: not found, never a blank.
    NoValue,
    /// The answer is not what the service sends (no entity, no version, or no value where the service
    /// always sends one): a provider error.
    Malformed(&'static str),
    /// A certificate whose `Options.Export` is not ENABLED: ACM will not export its private key.
    NotExportable,
}

impl Unusable {
    /// A value-free explanation for status and logs.
    pub fn explain(self) -> &'static str {
        match self {
            Unusable::NoValue => "the version has no value",
            Unusable::Malformed(what) => what,
            Unusable::NotExportable => {
                "the certificate is not exportable (its Options.Export is not ENABLED)"
            }
        }
    }
}

/// The version id and content of a value answer, or why it cannot be used.
pub fn value_of(
    service: AwsService,
    answer: &ValueAnswer<'_>,
) -> Result<(String, RemoteContent), Unusable> {
    if !answer.entity {
        return Err(Unusable::Malformed(
            "malformed answer: HTTP success without the secret or parameter",
        ));
    }
    let Some(version) = answer.version.filter(|v| !v.is_empty()) else {
        return Err(Unusable::Malformed("malformed answer: no version"));
    };
    let content = match (service, answer.text, answer.binary) {
        // Parameter Store has no empty parameters (a Value is at least one character).
        (AwsService::ParameterStore, Some(""), _) => {
            return Err(Unusable::Malformed(
                "malformed answer: a parameter with an empty Value",
            ));
        }
        (_, Some(s), _) => RemoteContent::String(s.to_string()),
        (AwsService::SecretsManager, None, Some(b)) => RemoteContent::Binary(b.to_vec()),
        (AwsService::SecretsManager, None, None) => return Err(Unusable::NoValue),
        // Parameter Store always sends `Value` (an empty String parameter cannot exist).
        (AwsService::ParameterStore, None, _) => {
            return Err(Unusable::Malformed(
                "malformed answer: a parameter without a Value",
            ));
        }
        // Certificates are read through [`certificate_of`] and [`exportable`], never as values.
        (AwsService::CertificateManager, None, _) => {
            return Err(Unusable::Malformed("malformed answer: no certificate"));
        }
    };
    Ok((version.to_string(), content))
}

/// A tags read's answer (`metadataPolicy: Fetch`): Secrets Manager's DescribeSecret, Parameter
/// Store's ListTagsForResource.
#[derive(Debug, Clone, Default)]
pub struct TagsAnswer<'a> {
    /// The answer is about the entity (DescribeSecret: it names the secret or its ARN;
    /// ListTagsForResource names nothing and always is).
    pub entity: bool,
    /// Each tag's `Key` and `Value` as sent (None: absent); no list at all: no tags.
    pub tags: Vec<(Option<&'a str>, Option<&'a str>)>,
}

/// The value a tags read gives, as ESO builds it: the tags as a JSON object of strings, Go's
/// `json.Marshal` of a `map[string]string` (keys sorted, compact, `<>&` escaped; a repeated key keeps
/// its last value); no tags: `{}`. A tag without its `Key` or `Value` is a malformed answer.
pub fn tags_of(answer: &TagsAnswer<'_>) -> Result<RemoteContent, Unusable> {
    if !answer.entity {
        return Err(Unusable::Malformed(
            "malformed answer: HTTP success without the secret",
        ));
    }
    let mut map = std::collections::BTreeMap::new();
    for (key, value) in &answer.tags {
        let (Some(key), Some(value)) = (key, value) else {
            return Err(Unusable::Malformed(
                "malformed answer: a tag without its Key or Value",
            ));
        };
        map.insert((*key).to_string(), (*value).to_string());
    }
    Ok(RemoteContent::String(
        crate::core::gotemplate::marshal_string_map(&map),
    ))
}

/// A Certificate Manager GetCertificate answer (None: the field was absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct CertificateAnswer<'a> {
    /// `Certificate` (PEM).
    pub certificate: Option<&'a str>,
    /// `CertificateChain` (PEM).
    pub chain: Option<&'a str>,
}

/// The certificate and chain of a GetCertificate answer: an answer without a certificate is
/// malformed (never an empty value).
pub fn certificate_of<'a>(
    answer: &CertificateAnswer<'a>,
) -> Result<(&'a str, Option<&'a str>), Unusable> {
    match answer.certificate.filter(|c| !c.trim().is_empty()) {
        Some(c) => Ok((c, answer.chain)),
        None => Err(Unusable::Malformed("malformed answer: no certificate")),
    }
}

/// A Certificate Manager DescribeCertificate answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct DescribeCertificateAnswer<'a> {
    /// `Certificate.CertificateArn` (None: no `Certificate` or no ARN).
    pub arn: Option<&'a str>,
    /// `Certificate.Options.Export` as sent (`ENABLED`, `DISABLED`; None: no options).
    pub export: Option<&'a str>,
}

/// Whether a DescribeCertificate answer allows exporting the certificate `requested` (an ARN): it
/// must name that certificate, and its `Options.Export` must be ENABLED (as ESO requires).
pub fn exportable(requested: &str, answer: &DescribeCertificateAnswer<'_>) -> Result<(), Unusable> {
    match answer.arn {
        None | Some("") => Err(Unusable::Malformed("malformed answer: no certificate")),
        Some(arn) if arn != requested => Err(Unusable::Malformed(
            "malformed answer: it describes another certificate",
        )),
        Some(_) if answer.export == Some("ENABLED") => Ok(()),
        Some(_) => Err(Unusable::NotExportable),
    }
}

/// A Certificate Manager ExportCertificate answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportAnswer<'a> {
    /// `Certificate` (PEM).
    pub certificate: Option<&'a str>,
    /// `CertificateChain` (PEM).
    pub chain: Option<&'a str>,
    /// `PrivateKey` (encrypted PKCS#8 PEM).
    pub private_key: Option<&'a str>,
}

/// The answer to "does this secret / parameter still exist?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistenceAnswer<'a> {
    /// HTTP success. `entity`: the answer describes the secret / parameter (Secrets Manager: a Name or
    /// ARN; Parameter Store: a `Parameter`); `deleted_date`: Secrets Manager's `DeletedDate` is set.
    Answered {
        /// The answer holds the entity.
        entity: bool,
        /// Scheduled for deletion (Secrets Manager).
        deleted_date: bool,
    },
    /// A service error parsed from a well-formed error body: its code, message and HTTP status.
    ServiceError {
        /// The error code (`ResourceNotFoundException`, `ParameterNotFound`, ...).
        code: &'a str,
        /// The error message.
        message: &'a str,
        /// The HTTP status it came with (the not-found errors are 4xx client errors).
        status: Option<u16>,
    },
    /// Anything else: transport failure, timeout, a bare HTTP status, an unparseable body.
    NoAnswer,
}

/// What an existence answer proves about the entity itself.
pub fn existence(service: AwsService, answer: ExistenceAnswer<'_>) -> RemoteState {
    match (service, answer) {
        (_, ExistenceAnswer::Answered { entity: false, .. }) => RemoteState::Unknown,
        (
            AwsService::SecretsManager,
            ExistenceAnswer::Answered {
                deleted_date: true, ..
            },
        ) => RemoteState::Deleted,
        (_, ExistenceAnswer::Answered { .. }) => RemoteState::Present,
        // The not-found errors are client errors (AWS sends 400, emulators 400 or 404); the same code
        // on a 5xx (or without a status) is a failing endpoint, not an answer about the secret.
        (_, ExistenceAnswer::ServiceError { status, .. })
            if !status.is_some_and(|s| (400..500).contains(&s)) =>
        {
            RemoteState::Unknown
        }
        (AwsService::SecretsManager, ExistenceAnswer::ServiceError { code, message, .. }) => {
            match code {
                "ResourceNotFoundException" => RemoteState::Deleted,
                "InvalidRequestException" if message.contains("marked for deletion") => {
                    RemoteState::Deleted
                }
                _ => RemoteState::Unknown,
            }
        }
        (AwsService::CertificateManager, ExistenceAnswer::ServiceError { code, .. }) => {
            if code == "ResourceNotFoundException" {
                RemoteState::Deleted
            } else {
                RemoteState::Unknown
            }
        }
        // A missing version (ParameterVersionNotFound) is not a deleted parameter.
        (AwsService::ParameterStore, ExistenceAnswer::ServiceError { code, .. }) => {
            if code == "ParameterNotFound" {
                RemoteState::Deleted
            } else {
                RemoteState::Unknown
            }
        }
        (_, ExistenceAnswer::NoAnswer) => RemoteState::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AwsService::{ParameterStore, SecretsManager};

    #[test]
    fn values_come_only_from_well_formed_answers() {
        let bytes: &[u8] = b"\x00\x01";
        // (service, entity, version, text, binary, expected)
        type Want = Result<(&'static str, RemoteContent), Unusable>;
        type Case<'a> = (
            AwsService,
            bool,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a [u8]>,
            Want,
        );
        let s = |v: &str| RemoteContent::String(v.into());
        let cases: Vec<Case<'_>> = vec![
            (
                SecretsManager,
                true,
                Some("v1"),
                Some("pw"),
                None,
                Ok(("v1", s("pw"))),
            ),
            (
                SecretsManager,
                true,
                Some("v1"),
                Some(""),
                None,
                Ok(("v1", s(""))),
            ),
            (
                SecretsManager,
                true,
                Some("v1"),
                None,
                Some(bytes),
                Ok(("v1", RemoteContent::Binary(bytes.to_vec()))),
            ),
            (
                SecretsManager,
                true,
                Some("v1"),
                None,
                None,
                Err(Unusable::NoValue),
            ),
            (
                SecretsManager,
                true,
                None,
                Some("pw"),
                None,
                Err(Unusable::Malformed("malformed answer: no version")),
            ),
            (
                SecretsManager,
                true,
                Some(""),
                Some("pw"),
                None,
                Err(Unusable::Malformed("malformed answer: no version")),
            ),
            (
                ParameterStore,
                true,
                Some("3@t"),
                Some("pw"),
                None,
                Ok(("3@t", s("pw"))),
            ),
            (
                ParameterStore,
                true,
                Some("3@t"),
                None,
                None,
                Err(Unusable::Malformed(
                    "malformed answer: a parameter without a Value",
                )),
            ),
            (
                ParameterStore,
                true,
                Some("3@t"),
                Some(""),
                None,
                Err(Unusable::Malformed(
                    "malformed answer: a parameter with an empty Value",
                )),
            ),
            (
                ParameterStore,
                true,
                Some("3@t"),
                None,
                Some(bytes),
                Err(Unusable::Malformed(
                    "malformed answer: a parameter without a Value",
                )),
            ),
        ];
        for (service, entity, version, text, binary, want) in cases {
            let a = ValueAnswer {
                entity,
                version,
                text,
                binary,
            };
            let got = value_of(service, &a);
            let want = want.map(|(v, c)| (v.to_string(), c));
            assert_eq!(got, want, "{service:?} {a:?}");
        }
        // No entity is malformed whatever else the answer holds.
        for service in [SecretsManager, ParameterStore] {
            for text in [None, Some("pw")] {
                let a = ValueAnswer {
                    entity: false,
                    version: Some("1"),
                    text,
                    binary: None,
                };
                assert!(
                    matches!(value_of(service, &a), Err(Unusable::Malformed(_))),
                    "{service:?} {a:?}"
                );
            }
        }
    }

    /// Tags become ESO's JSON byte for byte (Go's `json.Marshal` of a `map[string]string`).
    #[test]
    fn tags_become_esos_json_and_only_well_formed_answers_count() {
        type Tag = (Option<&'static str>, Option<&'static str>);
        let t = |k: &'static str, v: &'static str| -> Tag { (Some(k), Some(v)) };
        // (entity, tags, Ok(JSON) or Err(the malformed answer's explanation))
        let cases: Vec<(bool, Vec<Tag>, Result<&str, &str>)> = vec![
            (true, vec![], Ok("{}")),
            (true, vec![t("team", "a")], Ok(r#"{"team":"a"}"#)),
            // Sorted by key bytes, whatever the order sent; a repeated key keeps its last value.
            (
                true,
                vec![t("b", "2"), t("B", "1"), t("a", "0"), t("b", "3")],
                Ok(r#"{"B":"1","a":"0","b":"3"}"#),
            ),
            (true, vec![t("empty", "")], Ok(r#"{"empty":""}"#)),
            // Go escapes <, >, & and U+2028/U+2029, and control characters.
            (
                true,
                vec![
                    t("html", "<a href=\"x\">&</a>"),
                    t("line", "a\u{2028}b\n\t\u{1}"),
                ],
                Ok(
                    r#"{"html":"\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e","line":"a\u2028b\n\t\u0001"}"#,
                ),
            ),
            (true, vec![t("é", "ü\\")], Ok(r#"{"é":"ü\\"}"#)),
            (false, vec![], Err("HTTP success without the secret")),
            (
                false,
                vec![t("a", "b")],
                Err("HTTP success without the secret"),
            ),
            (
                true,
                vec![(Some("a"), None)],
                Err("a tag without its Key or Value"),
            ),
            (
                true,
                vec![(None, Some("b"))],
                Err("a tag without its Key or Value"),
            ),
        ];
        for (entity, tags, want) in cases {
            let answer = TagsAnswer {
                entity,
                tags: tags.clone(),
            };
            match (tags_of(&answer), want) {
                (Ok(RemoteContent::String(got)), Ok(want)) => assert_eq!(got, want, "{tags:?}"),
                (Err(Unusable::Malformed(why)), Err(want)) => {
                    assert!(why.contains(want), "{tags:?}: {why}")
                }
                (got, want) => panic!("{entity} {tags:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn only_the_services_own_not_found_confirms_a_deletion() {
        use ExistenceAnswer::*;
        use RemoteState::*;
        let err = |code: &'static str, message: &'static str| ServiceError {
            code,
            message,
            status: Some(400),
        };
        let err_with = |code: &'static str, status: Option<u16>| ServiceError {
            code,
            message: "",
            status,
        };
        let answered = |entity: bool, deleted_date: bool| Answered {
            entity,
            deleted_date,
        };
        // (service, answer, Secrets Manager's verdict, Parameter Store's verdict)
        let cases: Vec<(ExistenceAnswer<'_>, RemoteState, RemoteState)> = vec![
            (answered(true, false), Present, Present),
            (answered(true, true), Deleted, Present),
            // `{}`: an HTTP 200 that describes nothing proves nothing.
            (answered(false, false), Unknown, Unknown),
            (answered(false, true), Unknown, Unknown),
            (err("ResourceNotFoundException", ""), Deleted, Unknown),
            (
                err("InvalidRequestException", "secret is marked for deletion"),
                Deleted,
                Unknown,
            ),
            (err("InvalidRequestException", "bad"), Unknown, Unknown),
            (err("ParameterNotFound", ""), Unknown, Deleted),
            (err("ParameterVersionNotFound", ""), Unknown, Unknown),
            (err("AccessDeniedException", ""), Unknown, Unknown),
            (err("ThrottlingException", ""), Unknown, Unknown),
            (err("", ""), Unknown, Unknown),
            // The not-found codes on anything but a 400 are a failing endpoint.
            (
                err_with("ResourceNotFoundException", Some(500)),
                Unknown,
                Unknown,
            ),
            (err_with("ParameterNotFound", Some(503)), Unknown, Unknown),
            (
                err_with("ResourceNotFoundException", Some(404)),
                Deleted,
                Unknown,
            ),
            (err_with("ParameterNotFound", Some(404)), Unknown, Deleted),
            (
                err_with("ResourceNotFoundException", Some(599)),
                Unknown,
                Unknown,
            ),
            (err_with("ParameterNotFound", None), Unknown, Unknown),
            (NoAnswer, Unknown, Unknown),
        ];
        for (answer, sm, ps) in cases {
            assert_eq!(existence(SecretsManager, answer), sm, "{answer:?}");
            assert_eq!(existence(ParameterStore, answer), ps, "{answer:?}");
        }
        // Certificate Manager: only its ResourceNotFoundException, on a 4xx, is a deletion.
        let acm: Vec<(ExistenceAnswer<'_>, RemoteState)> = vec![
            (answered(true, false), Present),
            (answered(false, false), Unknown),
            (err("ResourceNotFoundException", ""), Deleted),
            (err_with("ResourceNotFoundException", Some(404)), Deleted),
            (err_with("ResourceNotFoundException", Some(500)), Unknown),
            (err_with("ResourceNotFoundException", None), Unknown),
            (err("InvalidArnException", ""), Unknown),
            (err("ParameterNotFound", ""), Unknown),
            (err("AccessDeniedException", ""), Unknown),
            (NoAnswer, Unknown),
        ];
        for (answer, want) in acm {
            assert_eq!(
                existence(AwsService::CertificateManager, answer),
                want,
                "{answer:?}"
            );
        }
    }
}
