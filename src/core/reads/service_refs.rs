//! Which reference forms a store's service can serve, checked before any AWS call: a Parameter Store
//! form on a Secrets Manager store (or the reverse) is a clear InvalidSpec, never a provider error.

use crate::api::{AwsService, ExternalSecretSpec, RemoteRef};
use crate::core::parameter::ParameterPick;
use crate::core::reason::{Reason, SyncError};
use crate::core::references::References;
use crate::core::remote::VersionSelector;

/// Checks every reference of `spec` against what `service` can read.
pub fn check(spec: &ExternalSecretSpec, service: AwsService) -> Result<(), SyncError> {
    if service == AwsService::CertificateManager && !spec.data_from.is_empty() {
        return Err(invalid(
            "dataFrom[0]: Certificate Manager stores read data[].remoteRef only (ESO implements \
             neither extract nor find for AWS Certificate Manager)"
                .to_string(),
        ));
    }
    let refs = References::of(spec);
    for r in &refs.named {
        check_ref(r.remote, service).map_err(|e| invalid(format!("{}: {e}", r.at)))?;
    }
    for (i, find) in &refs.finds {
        if let Some(path) = &find.path
            && service == AwsService::ParameterStore
            && !path.starts_with('/')
        {
            return Err(invalid(format!(
                "dataFrom[{i}].find.path {path:?} is not a parameter path (it starts with '/'); a \
                 name prefix is find.path on Secrets Manager stores only"
            )));
        }
    }
    Ok(())
}

fn invalid(message: String) -> SyncError {
    SyncError::new(Reason::InvalidSpec, message)
}

fn check_ref(r: &RemoteRef, service: AwsService) -> Result<(), String> {
    match service {
        AwsService::SecretsManager => match &r.version_id {
            Some(id) if id.bytes().all(|b| b.is_ascii_digit()) => Err(format!(
                "versionId {id:?} is a Parameter Store version number; a Secrets Manager version id \
                 has 32 to 64 characters"
            )),
            _ => Ok(()),
        },
        AwsService::ParameterStore => {
            if !r.key.starts_with("arn:") && !is_parameter_name(&r.key) {
                return Err(format!(
                    "key {:?} is not a parameter name (letters, digits, '_', '.', '-' and '/'; pick a \
                     version with versionId or versionStage, not with ':')",
                    r.key
                ));
            }
            ParameterPick::of(&VersionSelector::of(r)).map(|_| ())
        }
        AwsService::CertificateManager => check_certificate_ref(r),
    }
}

/// A Certificate Manager reference: a certificate ARN, read whole (ESO reads `key` alone: it has no
/// versions, properties or tags to pick).
fn check_certificate_ref(r: &RemoteRef) -> Result<(), String> {
    let parts: Vec<&str> = r.key.splitn(6, ':').collect();
    if !matches!(parts.as_slice(), ["arn", _, "acm", _, _, rest] if rest.starts_with("certificate/"))
    {
        return Err(format!(
            "key {:?} is not a certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>)",
            r.key
        ));
    }
    let unsupported = [
        (r.version_id.is_some(), "versionId"),
        (r.version_stage.is_some(), "versionStage"),
        (r.property.is_some(), "property"),
        (r.fetches_metadata(), "metadataPolicy: Fetch"),
    ];
    match unsupported.iter().find(|(set, _)| *set) {
        Some((_, field)) => Err(format!(
            "{field} is not supported by Certificate Manager stores (a certificate is read whole, as \
             ESO reads it)"
        )),
        None => Ok(()),
    }
}

/// Whether `name` is a plain parameter name (the characters SSM allows, no `:version` suffix).
fn is_parameter_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        ExternalSecretData, ExternalSecretDataFrom as DataFrom, FindRef, SecretStoreRef,
    };

    fn remote(key: &str, id: Option<&str>, stage: Option<&str>) -> RemoteRef {
        RemoteRef {
            key: key.into(),
            version_id: id.map(Into::into),
            version_stage: stage.map(Into::into),
            ..Default::default()
        }
    }

    fn spec(data: Vec<RemoteRef>, data_from: Vec<DataFrom>) -> ExternalSecretSpec {
        ExternalSecretSpec {
            secret_store_ref: SecretStoreRef {
                name: "s".into(),
                ..Default::default()
            },
            refresh_interval: "1h".into(),
            refresh_policy: Default::default(),
            sync_windows: None,
            target: Default::default(),
            data: data
                .into_iter()
                .map(|remote_ref| ExternalSecretData {
                    source_ref: None,
                    secret_key: "k".into(),
                    remote_ref,
                })
                .collect(),
            data_from,
            rollout_restart_targets: vec![],
        }
    }

    /// (key, versionId, versionStage, service, accepted, message part)
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        AwsService,
        bool,
        &'a str,
    );

    const SM: AwsService = AwsService::SecretsManager;
    const PS: AwsService = AwsService::ParameterStore;

    #[test]
    fn references_are_checked_against_the_service() {
        let uuid = "0123456789abcdef0123456789abcdef";
        let arn = "arn:aws:ssm:us-east-1:123456789012:parameter/app/db";
        let table: &[Case] = &[
            ("app/db", None, None, SM, true, ""),
            ("app/db", Some(uuid), None, SM, true, ""),
            ("app/db", None, Some("AWSPREVIOUS"), SM, true, ""),
            (
                "app/db",
                Some("3"),
                None,
                SM,
                false,
                "Parameter Store version number",
            ),
            ("/app/db", None, None, PS, true, ""),
            ("/app/db", Some("3"), None, PS, true, ""),
            ("/app/db", None, Some("stable"), PS, true, ""),
            ("/app/db", None, Some("AWSCURRENT"), PS, true, ""),
            (arn, Some("2"), None, PS, true, ""),
            (
                "/app/db",
                Some(uuid),
                None,
                PS,
                false,
                "not a parameter version number",
            ),
            (
                "/app/db",
                Some("0"),
                None,
                PS,
                false,
                "not a parameter version number",
            ),
            (
                "/app/db",
                None,
                Some("3rd"),
                PS,
                false,
                "not a parameter label",
            ),
            ("/app/db:3", None, None, PS, false, "not with ':'"),
            ("/app/db:stable", None, None, PS, false, "not with ':'"),
            ("/app/my db", None, None, PS, false, "not a parameter name"),
        ];
        for (key, id, stage, service, ok, part) in table {
            let s = spec(vec![remote(key, *id, *stage)], vec![]);
            let result = check(&s, *service);
            assert_eq!(result.is_ok(), *ok, "{key} {id:?} {stage:?} {service:?}");
            if let Err(e) = result {
                assert_eq!(e.reason, Reason::InvalidSpec);
                assert!(
                    e.message.starts_with("data[0].remoteRef: "),
                    "{}",
                    e.message
                );
                assert!(e.message.contains(part), "{}", e.message);
            }
            // The same reference through dataFrom.extract is judged the same way.
            let from = DataFrom {
                extract: Some(remote(key, *id, *stage)),
                ..Default::default()
            };
            let s = spec(vec![], vec![from]);
            assert_eq!(check(&s, *service).is_ok(), *ok, "extract {key}");
        }
    }

    #[test]
    fn certificate_manager_reads_whole_certificates_by_arn_only() {
        const ACM: AwsService = AwsService::CertificateManager;
        let arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0c3a-41";
        let with = |f: fn(&mut RemoteRef)| {
            let mut r = remote(arn, None, None);
            f(&mut r);
            r
        };
        let cases: Vec<(RemoteRef, Option<&str>)> = vec![
            (remote(arn, None, None), None),
            (remote("my-cert", None, None), Some("not a certificate ARN")),
            (
                remote("arn:aws:secretsmanager:eu-west-1:1:secret:x", None, None),
                Some("not a certificate ARN"),
            ),
            (
                remote("arn:aws:acm:eu-west-1:1:other/x", None, None),
                Some("not a certificate ARN"),
            ),
            (remote(arn, Some("1"), None), Some("versionId")),
            (remote(arn, None, Some("AWSCURRENT")), Some("versionStage")),
            (with(|r| r.property = Some("a".into())), Some("property")),
            (
                with(|r| r.metadata_policy = crate::api::MetadataPolicy::Fetch),
                Some("metadataPolicy: Fetch"),
            ),
        ];
        for (r, want) in cases {
            let result = check(&spec(vec![r.clone()], vec![]), ACM);
            match (want, result) {
                (None, Ok(())) => {}
                (Some(part), Err(e)) => {
                    assert_eq!(e.reason, Reason::InvalidSpec);
                    assert!(
                        e.message.starts_with("data[0].remoteRef: "),
                        "{}",
                        e.message
                    );
                    assert!(e.message.contains(part), "{}", e.message);
                }
                (want, got) => panic!("{r:?}: want {want:?}, got {got:?}"),
            }
        }
        // dataFrom (extract or find) is refused first, whatever it holds.
        for from in [
            DataFrom {
                extract: Some(remote(arn, None, None)),
                ..Default::default()
            },
            DataFrom {
                find: Some(FindRef::default()),
                ..Default::default()
            },
        ] {
            let e = check(&spec(vec![], vec![from]), ACM).unwrap_err();
            assert_eq!(e.reason, Reason::InvalidSpec);
            assert!(e.message.contains("dataFrom[0]"), "{}", e.message);
        }
    }

    #[test]
    fn find_path_is_a_parameter_path_or_a_secret_name_prefix() {
        let find = |path: Option<&str>| DataFrom {
            find: Some(FindRef {
                path: path.map(Into::into),
                ..Default::default()
            }),
            ..Default::default()
        };
        for (path, service, ok) in [
            (Some("/app/"), PS, true),
            (None, PS, true),
            (None, SM, true),
            (Some("/app/"), SM, true),
            (Some("prod-"), SM, true),
            (Some("prod-"), PS, false),
        ] {
            let s = spec(vec![], vec![find(path)]);
            let result = check(&s, service);
            assert_eq!(result.is_ok(), ok, "{path:?} {service:?}");
            if let Err(e) = result {
                assert_eq!(e.reason, Reason::InvalidSpec);
                assert!(e.message.contains("dataFrom[0].find.path"), "{}", e.message);
            }
        }
    }
}
