//! What is read from AWS Secrets Manager, as plain data: selectors, versions, contents.

use crate::api::{DEFAULT_VERSION_STAGE, RemoteRef};

/// Which version of a secret to read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionSelector {
    /// A staging label such as `AWSCURRENT`.
    Stage(String),
    /// A specific version id.
    Id(String),
}

impl VersionSelector {
    /// The selector a `remoteRef` asks for (`AWSCURRENT` when it names none).
    pub fn of(remote: &RemoteRef) -> Self {
        match (&remote.version_id, &remote.version_stage) {
            (Some(id), _) => VersionSelector::Id(id.clone()),
            (None, Some(stage)) => VersionSelector::Stage(stage.clone()),
            (None, None) => VersionSelector::current(),
        }
    }

    /// `AWSCURRENT`.
    pub fn current() -> Self {
        VersionSelector::Stage(DEFAULT_VERSION_STAGE.to_string())
    }

    /// Whether this is the default `AWSCURRENT` stage.
    pub fn is_current(&self) -> bool {
        matches!(self, VersionSelector::Stage(s) if s == DEFAULT_VERSION_STAGE)
    }

    /// The `syncedVersions` key for a remote key read with this selector:
    /// the plain key for AWSCURRENT, `key@STAGE` or `key@versionId` otherwise.
    pub fn status_key(&self, key: &str) -> String {
        match self {
            s if s.is_current() => key.to_string(),
            VersionSelector::Stage(stage) => format!("{key}@{stage}"),
            VersionSelector::Id(id) => format!("{key}@{id}"),
        }
    }
}

/// The version id recorded for a tags read (`metadataPolicy: Fetch`): tags have no version, so the
/// record never changes with them (no restart; change detection always reads them).
pub const TAGS_VERSION: &str = "tags";

/// The `syncedVersions` key of a reference: [`VersionSelector::status_key`] for a value read,
/// `key#tags` for a tags read (apart from the value's record of the same secret).
pub fn status_key_of(remote: &RemoteRef) -> String {
    if remote.fetches_metadata() {
        format!("{}#{TAGS_VERSION}", remote.key)
    } else {
        VersionSelector::of(remote).status_key(&remote.key)
    }
}

/// The payload of one secret version.
#[derive(Clone, PartialEq, Eq)]
pub enum RemoteContent {
    /// `SecretString`: plain text or JSON.
    String(String),
    /// `SecretBinary`: raw bytes.
    Binary(Vec<u8>),
}

impl std::fmt::Debug for RemoteContent {
    // Never print secret values, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RemoteContent::String(s) => write!(f, "String(<{} bytes redacted>)", s.len()),
            RemoteContent::Binary(b) => write!(f, "Binary(<{} bytes redacted>)", b.len()),
        }
    }
}

impl RemoteContent {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            RemoteContent::String(s) => s.as_bytes(),
            RemoteContent::Binary(b) => b,
        }
    }
}

/// One version of one remote secret, as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSecret {
    /// The secret's name.
    pub name: String,
    /// The secret's ARN.
    pub arn: String,
    /// The version id that was read.
    pub version_id: String,
    /// The value.
    pub content: RemoteContent,
}

/// The remote values a sync needs, aligned with the spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fetched {
    /// One entry per `spec.data[i]`.
    pub data: Vec<RemoteSecret>,
    /// One entry per `spec.dataFrom[i]`.
    pub data_from: Vec<FetchedFrom>,
    /// The ConfigMaps and Secrets `target.template.templateFrom` reads (from the cluster).
    pub template_sources: crate::core::go_template::TemplateSources,
}

/// What one `dataFrom` entry fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchedFrom {
    /// The secret named by `extract`.
    Extract(RemoteSecret),
    /// Every secret `find` matched (AWSCURRENT of each), sorted by name.
    Find(Vec<RemoteSecret>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_defaults_to_awscurrent_and_prefers_version_id() {
        let mut r = RemoteRef {
            key: "k".into(),
            ..Default::default()
        };
        assert_eq!(VersionSelector::of(&r), VersionSelector::current());
        r.version_stage = Some("AWSPREVIOUS".into());
        assert_eq!(
            VersionSelector::of(&r),
            VersionSelector::Stage("AWSPREVIOUS".into())
        );
        r.version_stage = None;
        r.version_id = Some("v1".into());
        assert_eq!(VersionSelector::of(&r), VersionSelector::Id("v1".into()));
    }

    #[test]
    fn status_keys_name_non_default_versions() {
        assert_eq!(VersionSelector::current().status_key("prod/db"), "prod/db");
        assert_eq!(
            VersionSelector::Stage("AWSPREVIOUS".into()).status_key("prod/db"),
            "prod/db@AWSPREVIOUS"
        );
        assert_eq!(
            VersionSelector::Id("abc".into()).status_key("prod/db"),
            "prod/db@abc"
        );
    }

    #[test]
    fn tags_reads_have_their_own_status_key() {
        let mut r = RemoteRef {
            key: "prod/db".into(),
            ..Default::default()
        };
        assert_eq!(status_key_of(&r), "prod/db");
        r.version_stage = Some("AWSPREVIOUS".into());
        assert_eq!(status_key_of(&r), "prod/db@AWSPREVIOUS");
        r.version_stage = None;
        r.metadata_policy = crate::api::MetadataPolicy::Fetch;
        assert_eq!(status_key_of(&r), "prod/db#tags");
    }

    #[test]
    fn debug_output_never_shows_values() {
        let c = RemoteContent::String("hunter2".into());
        assert!(!format!("{c:?}").contains("hunter2"));
        let b = RemoteContent::Binary(b"hunter2".to_vec());
        assert!(!format!("{b:?}").contains("hunter2"));
    }
}
