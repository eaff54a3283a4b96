//! STS session tags of a store's `role`: the store's own (`sessionTags`) and the ones the controller
//! sets under ESO's `sessionTagsPolicy` (`esoNamespace`, `esoStoreName`, `esoStoreKind`).

use kube::KubeSchema;
use serde::{Deserialize, Serialize};

/// Pattern a session tag key must match (STS `Tag.Key`: letters, spaces, digits and `_.:/=+-@`).
pub const SESSION_TAG_KEY_PATTERN: &str = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$";
/// Pattern a session tag value must match (STS `Tag.Value`; may be empty).
pub const SESSION_TAG_VALUE_PATTERN: &str = r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$";

/// The tag naming the namespace of the ExternalSecret a session reads for (ESO's key).
pub const ESO_NAMESPACE_TAG: &str = "esoNamespace";
/// The tag naming the store a session belongs to (ESO's key).
pub const ESO_STORE_NAME_TAG: &str = "esoStoreName";
/// The tag naming the kind of that store, `SecretStore` or `ClusterSecretStore` (ESO's key).
pub const ESO_STORE_KIND_TAG: &str = "esoStoreKind";
/// The keys only the controller sets; a store may not name them (in any case: STS and IAM tell
/// tag keys apart ignoring case).
pub const CONTROLLER_TAG_KEYS: [&str; 3] =
    [ESO_NAMESPACE_TAG, ESO_STORE_NAME_TAG, ESO_STORE_KIND_TAG];

/// One STS session tag.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("!self.key.lowerAscii().startsWith('aws:')").message("session tag keys may not start with aws: (reserved by AWS)"))]
#[x_kube(validation = Rule::new("!(self.key.lowerAscii() in ['esonamespace', 'esostorename', 'esostorekind'])").message("esoNamespace, esoStoreName and esoStoreKind are set by the controller (sessionTagsPolicy), never by a store"))]
pub struct SessionTag {
    /// Tag key, 1 to 128 characters.
    #[schemars(length(min = 1, max = 128), pattern(SESSION_TAG_KEY_PATTERN))]
    pub key: String,
    /// Tag value, at most 256 characters (may be empty).
    #[schemars(length(max = 256), pattern(SESSION_TAG_VALUE_PATTERN))]
    pub value: String,
}

/// ESO's `sessionTagsPolicy`: which session tags the controller sets on the AssumeRole of `role`.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default,
)]
pub enum SessionTagsPolicy {
    /// No tags from the controller; the store's own `sessionTags` are sent.
    #[default]
    None,
    /// `esoNamespace` (the namespace of the ExternalSecret read for), `esoStoreName`, `esoStoreKind`.
    Simple,
    /// Those three plus `customSessionTags`.
    Custom,
}

impl SessionTagsPolicy {
    /// Whether this is the default (no tags from the controller).
    pub fn is_none(&self) -> bool {
        *self == Self::None
    }
}
