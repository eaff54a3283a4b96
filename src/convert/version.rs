//! ESO's `remoteRef.version` to secretsync's `versionId` / `versionStage`.
//!
//! ESO (providers/v1/aws): Secrets Manager reads `uuid/<id>` as a version id and anything else as a
//! staging label; Parameter Store appends the version to the name (`name:<version>`), so a number
//! is a version number and anything else a label.

use crate::api::AwsService;

/// Longest and shortest Secrets Manager version id secretsync accepts.
const SM_ID_LEN: std::ops::RangeInclusive<usize> = 32..=64;

/// The secretsync field an ESO version becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionField {
    /// `versionId`: a Secrets Manager version id or a Parameter Store version number.
    Id(String),
    /// `versionStage`: a Secrets Manager staging label or a Parameter Store label.
    Stage(String),
}

/// Maps an ESO `version` for a store of `service` (None: the store is not among the converted
/// manifests); the error says why the value has no secretsync form.
pub fn map_version(version: &str, service: Option<AwsService>) -> Result<VersionField, String> {
    let number = !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit());
    if let Some(id) = version.strip_prefix("uuid/") {
        return match service {
            Some(AwsService::ParameterStore) => Err(format!(
                "version {version:?} is a Secrets Manager version id, but the store reads Parameter Store"
            )),
            _ if !SM_ID_LEN.contains(&id.len())
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Err(format!(
                    "version {version:?}: a Secrets Manager version id has 32 to 64 letters, digits, '-' or '_'"
                ))
            }
            _ => Ok(VersionField::Id(id.to_string())),
        };
    }
    match service {
        Some(AwsService::ParameterStore) if number => {
            if version.len() > 19 {
                Err(format!(
                    "version {version:?} is too large for a parameter version number"
                ))
            } else {
                Ok(VersionField::Id(version.to_string()))
            }
        }
        None if number => Err(format!(
            "version {version:?} is a Parameter Store version number or a Secrets Manager staging label \
             depending on the store, which is not among the converted manifests; convert the store \
             together with this object, or name its service (--service or --store-service)"
        )),
        _ if version.len() > 256 => Err(format!(
            "version {version:?} is longer than the 256 characters of a version label"
        )),
        _ => Ok(VersionField::Stage(version.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "01234567-89ab-cdef-0123-456789abcdef";

    #[test]
    fn versions_map_per_service() {
        use AwsService::{ParameterStore as Ps, SecretsManager as Sm};
        let id = |s: &str| Ok(VersionField::Id(s.to_string()));
        let stage = |s: &str| Ok(VersionField::Stage(s.to_string()));
        let uuid = format!("uuid/{UUID}");
        let cases: Vec<(&str, Option<AwsService>, Result<VersionField, String>)> = vec![
            (uuid.as_str(), Some(Sm), id(UUID)),
            (uuid.as_str(), None, id(UUID)),
            ("AWSPREVIOUS", Some(Sm), stage("AWSPREVIOUS")),
            ("AWSCURRENT", None, stage("AWSCURRENT")),
            ("blue", Some(Ps), stage("blue")),
            ("3", Some(Ps), id("3")),
            // A number is a staging label to Secrets Manager (ESO sends it as VersionStage).
            ("3", Some(Sm), stage("3")),
        ];
        for (version, service, want) in cases {
            assert_eq!(
                map_version(version, service),
                want,
                "{version} on {service:?}"
            );
        }
    }

    #[test]
    fn versions_without_a_secretsync_form_are_refused() {
        let uuid = format!("uuid/{UUID}");
        let cases: [(&str, Option<AwsService>, &str); 5] = [
            ("3", None, "depending on the store"),
            (
                &uuid,
                Some(AwsService::ParameterStore),
                "reads Parameter Store",
            ),
            ("uuid/short", Some(AwsService::SecretsManager), "32 to 64"),
            ("uuid/", None, "32 to 64"),
            (
                "12345678901234567890",
                Some(AwsService::ParameterStore),
                "too large",
            ),
        ];
        for (version, service, want) in cases {
            let err = map_version(version, service).expect_err(version);
            assert!(err.contains(want), "{version}: {err}");
        }
    }
}
