//! `ExternalSecret`: which remote secrets to fetch and the Kubernetes Secret to write from them.
// Each `printcolumn(...)` repeats the same keys; clippy reads that as duplicated attributes.
#![allow(clippy::duplicated_attributes)]

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::{CustomResource, KubeSchema};
use serde::{Deserialize, Serialize};

/// Pattern every Kubernetes Secret data key must match.
pub const SECRET_KEY_PATTERN: &str = r"^[-._a-zA-Z0-9]+$";

/// Default `spec.refreshInterval`.
pub const DEFAULT_REFRESH_INTERVAL: &str = "1h";

/// Default version stage fetched when neither `versionStage` nor `versionId` is set.
pub const DEFAULT_VERSION_STAGE: &str = "AWSCURRENT";

/// Desired state of an ExternalSecret.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "secretsync.io",
    version = "v1alpha1",
    kind = "ExternalSecret",
    namespaced,
    status = "ExternalSecretStatus",
    shortname = "ses",
    category = "secretsync",
    doc = "An ExternalSecret keeps one Kubernetes Secret in sync with secrets in AWS Secrets Manager and restarts the workloads that use it when a rotation makes a new AWSCURRENT.",
    printcolumn(
        name = "STORE",
        type_ = "string",
        json_path = ".spec.secretStoreRef.name"
    ),
    printcolumn(
        name = "REFRESH",
        type_ = "string",
        json_path = ".spec.refreshInterval"
    ),
    printcolumn(
        name = "READY",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "REASON",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].reason"
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("(has(self.data) && size(self.data) > 0) || (has(self.dataFrom) && size(self.dataFrom) > 0)").message("set at least one entry in data or dataFrom"))]
#[x_kube(validation = Rule::new("!has(self.target) || !has(self.target.deletionPolicy) || self.target.deletionPolicy != 'Delete' || !has(self.target.creationPolicy) || self.target.creationPolicy == 'Owner'").message("deletionPolicy Delete requires creationPolicy Owner"))]
pub struct ExternalSecretSpec {
    /// The store to read from.
    pub secret_store_ref: SecretStoreRef,
    /// How often to re-read the remote secrets, as a Go-style duration (`30s`, `15m`, `1h`); `0` fetches once.
    /// Each refresh is jittered by ±10% so that many ExternalSecrets never refresh at once.
    #[serde(default = "default_refresh_interval")]
    #[schemars(pattern(r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"))]
    pub refresh_interval: String,
    /// When to read AWS again after the first sync: `Periodic` (default: every `refreshInterval`),
    /// `OnChange` (only when the ExternalSecret's spec, labels or annotations change) or `CreatedOnce`
    /// (never; a spec change is not applied). Every policy retries failures, repairs a deleted or
    /// altered Secret and honours `secretsync.io/force-sync`.
    #[serde(default, skip_serializing_if = "RefreshPolicy::is_periodic")]
    pub refresh_policy: RefreshPolicy,
    /// When periodic refreshes may happen (ESO's `syncWindows`), evaluated in UTC and only with
    /// `refreshPolicy: Periodic`: `kind: deny` blocks them while any window is open (a change freeze),
    /// `kind: allow` only lets them happen while one is. A first sync, a spec change, a force-sync and
    /// the repair of a deleted or altered Secret are never blocked; a remote change announced while
    /// blocked waits until a window allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_windows: Option<SyncWindows>,
    /// The Kubernetes Secret to write.
    #[serde(default)]
    pub target: ExternalSecretTarget,
    /// Individual remote values, each written to one Secret key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<ExternalSecretData>,
    /// Remote secrets whose contents become many Secret keys. Later entries (and then `data`) override earlier ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_from: Vec<ExternalSecretDataFrom>,
    /// Workloads to restart (rolling) when a newly synced version lands in the Secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollout_restart_targets: Vec<RolloutRestartTarget>,
}

/// When an ExternalSecret reads AWS again after its first sync (ESO's `refreshPolicy`).
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum RefreshPolicy {
    /// Every `refreshInterval`, and on spec change.
    #[default]
    Periodic,
    /// Only when the spec, labels or annotations change.
    OnChange,
    /// Once; never refreshed (drift is still repaired).
    CreatedOnce,
}

impl RefreshPolicy {
    /// Whether this is the default, `Periodic`.
    pub fn is_periodic(&self) -> bool {
        *self == RefreshPolicy::Periodic
    }
}

/// ESO's `syncWindows`: windows in which periodic refreshes are allowed, or denied.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SyncWindows {
    /// `allow`: periodic refreshes happen only while a window is open; `deny`: never while one is.
    pub kind: SyncWindowKind,
    /// The windows, each opened by its schedule and open for its duration.
    #[schemars(length(min = 1, max = 32))]
    pub windows: Vec<SyncWindow>,
}

/// Whether the windows allow or deny periodic refreshes.
#[derive(schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncWindowKind {
    /// Periodic refreshes only while at least one window is open.
    #[serde(rename = "allow")]
    Allow,
    /// No periodic refresh while any window is open.
    #[serde(rename = "deny")]
    Deny,
}

/// One window: opened at every firing of `schedule`, open for `duration` (both ends included).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct SyncWindow {
    /// A 5-field cron expression in UTC (`0 22 * * 1-5`: weekdays at 22:00), `@yearly`, `@annually`,
    /// `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, or `@every <duration>` (read as ESO's
    /// cron library reads it; see the README).
    #[schemars(
        length(min = 1, max = 256),
        pattern(r"^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|@every [^\s]+.*|[^\s]+( [^\s]+){4})$")
    )]
    pub schedule: String,
    /// How long the window stays open after each firing, as a Go-style duration (`30m`, `8h`).
    #[schemars(pattern(r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"))]
    pub duration: String,
}

fn default_refresh_interval() -> String {
    DEFAULT_REFRESH_INTERVAL.to_string()
}

/// Names the store an ExternalSecret reads from.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct SecretStoreRef {
    /// Name of the SecretStore (same namespace) or ClusterSecretStore.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// `SecretStore` (default) or `ClusterSecretStore`.
    #[serde(default)]
    pub kind: StoreKind,
    /// Optional and only informative: a SecretStore is always looked up in the ExternalSecret's own
    /// namespace; naming any other namespace is refused with reason StoreNotAllowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The kind of store an ExternalSecret refers to.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum StoreKind {
    /// A namespaced SecretStore in the ExternalSecret's own namespace.
    #[default]
    SecretStore,
    /// A cluster-scoped ClusterSecretStore whose conditions admit the namespace.
    ClusterSecretStore,
}

/// The Kubernetes Secret an ExternalSecret writes.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretTarget {
    /// Name of the Secret; defaults to the ExternalSecret's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub name: Option<String>,
    /// Secret type, e.g. `Opaque` (default) or `kubernetes.io/dockerconfigjson`.
    /// `kubernetes.io/service-account-token` is refused.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    #[x_kube(validation = Rule::new("self != 'kubernetes.io/service-account-token'").message("secretsync never writes service-account-token Secrets"))]
    pub type_: Option<String>,
    /// Who owns the Secret: `Owner` (default; created and garbage-collected with the ExternalSecret),
    /// `Merge` (writes only its keys into an existing Secret), `Orphan` (created without an owner),
    /// `CreateOrMerge` (created without an owner when missing, else only its keys merged in), `None`
    /// (the values are read and checked, no Secret is read or written).
    #[serde(default)]
    pub creation_policy: CreationPolicy,
    /// What happens when the remote secret is deleted: `Retain` (default) keeps the Secret, `Delete` removes it
    /// (only with `creationPolicy: Owner`), `Merge` removes this ExternalSecret's keys from it and keeps
    /// the Secret (not with `creationPolicy: None`).
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
    /// Optional template producing the Secret's data from the fetched keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<SecretTemplate>,
    /// Create the Secret immutable (Kubernetes' `immutable: true`): its data and type are never
    /// changed afterwards; new remote data is reported (`TargetConflict`) until the Secret is deleted
    /// and created again. Not with `creationPolicy: Merge` or `CreateOrMerge` (someone else's Secret).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub immutable: bool,
    /// Render into another kind of object instead of a Secret (ESO's generic targets): only with
    /// the controller's `--unsafe-allow-generic-targets`; this version writes `v1` `ConfigMap`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestReference>,
}

/// The kind of object a generic target is (`target.manifest`), in the ExternalSecret's namespace.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ManifestReference {
    /// API version of the target, e.g. `v1`.
    #[schemars(length(min = 1))]
    pub api_version: String,
    /// Kind of the target, e.g. `ConfigMap`.
    #[schemars(length(min = 1))]
    pub kind: String,
}

/// How the operator relates to the target Secret.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum CreationPolicy {
    /// Create the Secret with an ownerReference; never take over a Secret owned by something else.
    #[default]
    Owner,
    /// Write only this ExternalSecret's keys into an existing Secret; never remove other keys.
    Merge,
    /// Create the Secret without an ownerReference; it outlives the ExternalSecret.
    Orphan,
    /// Create the Secret without an ownerReference when it is missing (again after a deletion);
    /// otherwise write only this ExternalSecret's keys into it, as `Merge`.
    CreateOrMerge,
    /// Never create, read or write a Secret: the values are read and checked, the status says so.
    None,
}

/// What to do with the Secret when the remote secret no longer exists.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum DeletionPolicy {
    /// Keep the last synced Secret.
    #[default]
    Retain,
    /// Delete the Secret (only with creationPolicy Owner).
    Delete,
    /// Remove this ExternalSecret's keys from the Secret and keep the Secret and every other key
    /// (not with creationPolicy None).
    Merge,
}

/// A template for the target Secret, rendered over the fetched keys (sandboxed; undefined names fail):
/// minijinja by default, or ESO's Go templates with `engineVersion: v2`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("!has(self.templateFrom) || size(self.templateFrom) == 0 || (has(self.engineVersion) && self.engineVersion == 'v2')").message("templateFrom needs engineVersion: v2"))]
pub struct SecretTemplate {
    /// The template language: `minijinja` (the default: `{{ username }}`) or `v2`, ESO's engine v2
    /// (Go `text/template` with sprig functions: `{{ .username }}`), rendered byte for byte as ESO
    /// does; with `v2` the labels' and annotations' values are templates too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<TemplateEngine>,
    /// Labels and annotations to put on the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<TemplateMetadata>,
    /// Templates kept elsewhere (engine `v2` only), applied in order before `data`: a ConfigMap's or
    /// Secret's keys in the ExternalSecret's own namespace, or a literal; each renders into the
    /// Secret's data, labels or annotations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub template_from: Vec<TemplateFrom>,
    /// Secret keys and the templates producing their values, e.g.
    /// `DATABASE_URL: "postgres://{{ username }}:{{ password }}@db:5432/app"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
    /// `Replace` (default): the Secret holds only the templated keys. `Merge`: templated keys are
    /// added over the fetched keys.
    #[serde(default)]
    pub merge_policy: MergePolicy,
}

/// The template language of `target.template`.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum TemplateEngine {
    /// minijinja: `{{ username }}`, filters such as `{{ password | b64enc }}`.
    #[default]
    #[serde(rename = "minijinja")]
    Minijinja,
    /// ESO's engine v2: Go `text/template` with sprig functions, `{{ .username | b64enc }}`.
    #[serde(rename = "v2")]
    V2,
}

/// One `templateFrom` entry: set exactly one of `configMap`, `secret` or `literal`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("(has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) + (has(self.literal) ? 1 : 0) == 1").message("set exactly one of configMap, secret or literal"))]
pub struct TemplateFrom {
    /// Templates in a ConfigMap of the ExternalSecret's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<TemplateSourceRef>,
    /// Templates in a Secret of the ExternalSecret's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<TemplateSourceRef>,
    /// A template written here, rendered as YAML `key: value` lines (`KeysAndValues`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 65536))]
    pub literal: Option<String>,
    /// Where the rendered keys go: `Data` (default), `Labels` or `Annotations`; for a generic
    /// target (`target.manifest`), also a nested path such as `spec.database.config` (literals only).
    #[serde(default)]
    pub target: TemplateTarget,
    /// Decodes each rendered value (not the keys) before it is written: `None` (default),
    /// `Base64`, `Base64URL` or `Auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_decoding_strategy: Option<DecodingStrategy>,
}

/// A ConfigMap or Secret holding templates, and which of its keys to render.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSourceRef {
    /// The object's name (in the ExternalSecret's namespace).
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// The keys to render, in order.
    #[schemars(length(min = 1, max = 64))]
    pub items: Vec<TemplateSourceItem>,
}

/// One key of a template source.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSourceItem {
    /// The key holding the template.
    #[schemars(length(min = 1, max = 253))]
    pub key: String,
    /// `Values` (default): the rendered text is the value of a Secret key of the same name.
    /// `KeysAndValues`: the rendered text is YAML `key: value` lines, each a Secret key.
    #[serde(default)]
    pub template_as: TemplateScope,
}

/// How a rendered template becomes keys.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum TemplateScope {
    /// The rendered text is one value, under the template's key.
    #[default]
    Values,
    /// The rendered text is YAML `key: value` lines.
    KeysAndValues,
}

/// Where rendered `templateFrom` keys go: `Data` (default), `Labels`, `Annotations` (matched
/// without regard to case, as ESO does), or, for generic targets (`target.manifest`) only, a
/// nested path such as `spec.database.config` or `spec.rules[0].to`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum TemplateTarget {
    /// The Secret's data.
    #[default]
    Data,
    /// The Secret's labels.
    Labels,
    /// The Secret's annotations.
    Annotations,
    /// A nested path of a generic target's object (as written).
    Path(String),
}

impl Serialize for TemplateTarget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            TemplateTarget::Data => "Data",
            TemplateTarget::Labels => "Labels",
            TemplateTarget::Annotations => "Annotations",
            TemplateTarget::Path(p) => p,
        })
    }
}

impl<'de> Deserialize<'de> for TemplateTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.to_ascii_lowercase().as_str() {
            "data" => TemplateTarget::Data,
            "labels" => TemplateTarget::Labels,
            "annotations" => TemplateTarget::Annotations,
            // ESO matches the single segment `spec` without regard to case too.
            "spec" => TemplateTarget::Path("spec".into()),
            _ => TemplateTarget::Path(s),
        })
    }
}

impl schemars::JsonSchema for TemplateTarget {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TemplateTarget".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Data (default), Labels, Annotations, or a nested path of a generic target (spec.a.b, spec.list[0].c)",
            "type": "string",
            "minLength": 1,
            "maxLength": 253
        })
    }
}

/// How templated keys combine with fetched keys.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum MergePolicy {
    /// Only the templated keys are written.
    #[default]
    Replace,
    /// Templated keys are written over the fetched keys.
    Merge,
}

/// Labels and annotations for the target Secret.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TemplateMetadata {
    /// Labels to set on the Secret.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations to set on the Secret.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Finalizers to set on the Secret (each a qualified name such as `example.com/keep`); one taken
    /// out of this list is taken off the Secret at the next write. A finalizer no controller removes
    /// keeps the Secret from being deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    pub finalizers: Vec<String>,
}

/// One remote value written to one Secret key.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretData {
    /// The Secret key to write (`[-._a-zA-Z0-9]+`).
    #[schemars(length(min = 1, max = 253), pattern(r"^[-._a-zA-Z0-9]+$"))]
    pub secret_key: String,
    /// Which remote value to fetch.
    pub remote_ref: RemoteRef,
    /// Reads this entry through another store than `spec.secretStoreRef` (ESO's `sourceRef`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<StoreSourceRef>,
}

/// ESO's `sourceRef`: the store one `data` or `dataFrom` entry reads through (generators are not
/// supported). The store passes the same checks as `spec.secretStoreRef`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.storeRef)").message("sourceRef needs storeRef (generatorRef is not supported)"))]
pub struct StoreSourceRef {
    /// The SecretStore (the ExternalSecret's namespace) or ClusterSecretStore to read this entry from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_ref: Option<SecretStoreRef>,
}

/// Points at one secret (and optionally one property of it) in AWS Secrets Manager.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("!(has(self.versionStage) && has(self.versionId))").message("versionStage and versionId are mutually exclusive"))]
pub struct RemoteRef {
    /// Secret name or full ARN in AWS Secrets Manager.
    #[schemars(length(min = 1, max = 2048))]
    pub key: String,
    /// A top-level key, or a dotted path (`db.primary.password`), into a JSON SecretString.
    /// Absent: the whole value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub property: Option<String>,
    /// Staging label to read; `AWSCURRENT` when neither this nor `versionId` is set.
    /// Other examples: `AWSPREVIOUS`, a custom label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 256))]
    pub version_stage: Option<String>,
    /// A specific version to pin; exclusive with `versionStage`: a Secrets Manager version id (32 to 64
    /// characters), or a Parameter Store version number (`"3"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 64),
        pattern(r"^([0-9]{1,19}|[-_a-zA-Z0-9]{32,64})$")
    )]
    pub version_id: Option<String>,
    /// How to decode the fetched value: `None` (default), `Base64`, `Base64URL` or `Auto`
    /// (base64 when it decodes cleanly, otherwise as is).
    #[serde(default)]
    pub decoding_strategy: DecodingStrategy,
    /// `Fail`: a value holding a NUL byte (after decoding) is an error instead of being written
    /// (default `Ignore`).
    #[serde(default, skip_serializing_if = "NullBytePolicy::is_ignore")]
    pub null_byte_policy: NullBytePolicy,
    /// `dataFrom[].extract` only: how keys outside `[-._a-zA-Z0-9]` are renamed (ESO's rule);
    /// absent: keys are kept as they are (an invalid one is reported). Not used with `rewrite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_strategy: Option<ConversionStrategy>,
    /// `Fetch`: read the secret's or parameter's tags instead of its value, as a JSON object of
    /// strings (ESO's encoding); `property` and `extract` then read that object. Not with
    /// `versionStage`/`versionId` (tags belong to the secret, not to a version). Default `None`.
    #[serde(default, skip_serializing_if = "MetadataPolicy::is_none")]
    pub metadata_policy: MetadataPolicy,
}

impl RemoteRef {
    /// Whether this reference reads the tags (`metadataPolicy: Fetch`) instead of the value.
    pub fn fetches_metadata(&self) -> bool {
        self.metadata_policy == MetadataPolicy::Fetch
    }
}

/// What a reference reads: the value, or the tags (ESO's `metadataPolicy`).
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum MetadataPolicy {
    /// The value.
    #[default]
    None,
    /// The tags, as a JSON object.
    Fetch,
}

impl MetadataPolicy {
    /// Whether this is the default, `None` (left out when serialized).
    pub fn is_none(&self) -> bool {
        *self == MetadataPolicy::None
    }
}

/// What a value holding a NUL byte does.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum NullBytePolicy {
    /// Written like any other value.
    #[default]
    Ignore,
    /// An error (`InvalidValue`); the Secret keeps what it holds.
    Fail,
}

impl NullBytePolicy {
    /// Whether this is the default, `Ignore` (left out when serialized).
    pub fn is_ignore(&self) -> bool {
        *self == NullBytePolicy::Ignore
    }
}

/// How keys that are not valid Secret keys are renamed (External Secrets Operator's rule): every
/// character other than a letter, a digit, `-`, `.` or `_` is replaced.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum ConversionStrategy {
    /// Replace each such character with `_` (`/app/db` → `_app_db`).
    #[default]
    Default,
    /// Replace each such character with `_U<hex code point>_` (`/` → `_U002f_`).
    Unicode,
}

/// How to decode a fetched value before writing it.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum DecodingStrategy {
    /// Write the bytes as fetched.
    #[default]
    None,
    /// Decode standard base64.
    Base64,
    /// Decode URL-safe base64.
    #[serde(rename = "Base64URL")]
    Base64Url,
    /// Decode base64 (either alphabet) when the value is valid base64, otherwise keep it.
    Auto,
}

/// A source of many Secret keys; set exactly one of `extract` or `find`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.extract) != has(self.find)").message("set exactly one of extract or find"))]
pub struct ExternalSecretDataFrom {
    /// Every top-level key of one JSON secret becomes a Secret key (nested values as JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<RemoteRef>,
    /// Every secret matching these criteria becomes one Secret key holding its whole value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find: Option<FindRef>,
    /// Renames the keys `extract` or `find` produce, in order, each on the previous result
    /// (instead of `conversionStrategy`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub rewrite: Vec<Rewrite>,
    /// Reads this entry through another store than `spec.secretStoreRef` (ESO's `sourceRef`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<StoreSourceRef>,
}

/// One rewrite of a `dataFrom` entry's keys (ESO's operations, applied in order): set exactly one of
/// `regexp`, `transform` or `merge`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("(has(self.regexp) ? 1 : 0) + (has(self.transform) ? 1 : 0) + (has(self.merge) ? 1 : 0) == 1").message("set exactly one of regexp, transform or merge"))]
pub struct Rewrite {
    /// Replaces every match of `source` in each key with `target`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regexp: Option<RewriteRegexp>,
    /// Renames each key with a Go template (ESO's engine v2) over `.value`, the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<RewriteTransform>,
    /// Merges the JSON objects the entry's values hold into keys (ESO's `merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<RewriteMerge>,
}

/// A Go-template renaming of keys.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RewriteTransform {
    /// The template, e.g. `{{ .value | upper }}`; `.value` is the key.
    #[schemars(length(min = 1, max = 4096))]
    pub template: String,
}

/// Merges each value (a JSON object) into one map: by key, in key order with `priority` keys last.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RewriteMerge {
    /// `Extract` (default): the merged members become the keys. `JSON`: the merged object is
    /// written to the key `into`, next to the entry's keys.
    #[serde(default)]
    pub strategy: MergeStrategy,
    /// The key of the merged JSON (`strategy: JSON` only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(length(max = 253))]
    pub into: String,
    /// Keys merged last, in this order (their members win).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    pub priority: Vec<String>,
    /// `Strict` (default): a `priority` key the entry lacks is an error. `IgnoreNotFound`: skipped.
    #[serde(default)]
    pub priority_policy: MergePriorityPolicy,
    /// `Error` (default): a member two values hold is an error. `Ignore`: the later value wins.
    #[serde(default)]
    pub conflict_policy: MergeConflictPolicy,
}

/// Where merged members go.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum MergeStrategy {
    /// Each merged member is a key.
    #[default]
    Extract,
    /// The merged object is one key (`into`).
    #[serde(rename = "JSON")]
    Json,
}

/// What a missing `priority` key means.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum MergePriorityPolicy {
    /// An error.
    #[default]
    Strict,
    /// Skipped.
    IgnoreNotFound,
}

/// What a member held by two values means.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum MergeConflictPolicy {
    /// An error naming the members.
    #[default]
    Error,
    /// The later value (in merge order) wins.
    Ignore,
}

/// A regular-expression renaming of keys.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RewriteRegexp {
    /// Regular expression (RE2 syntax, as in Go) matched anywhere in each key.
    #[schemars(length(min = 1, max = 1024))]
    pub source: String,
    /// Replacement; `$1`, `${1}`, `$name`, `${name}` insert groups (`$1_` names group `1_`: write
    /// `${1}_`).
    #[schemars(length(max = 1024))]
    pub target: String,
}

/// Criteria selecting many secrets by name and/or tags.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.name) || has(self.tags) || has(self.path)").message("find needs name, tags or path"))]
pub struct FindRef {
    /// Parameter Store: every parameter below this path (recursive), e.g. `/app/prod/`. Secrets
    /// Manager: every secret whose name starts with it (a case-sensitive prefix), e.g. `prod/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2048))]
    pub path: Option<String>,
    /// Match secret names against a regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<NameMatcher>,
    /// Match secrets carrying all of these tags (key: value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// How to decode each fetched value.
    #[serde(default)]
    pub decoding_strategy: DecodingStrategy,
    /// `Fail`: a value holding a NUL byte (after decoding) is an error (default `Ignore`).
    #[serde(default, skip_serializing_if = "NullBytePolicy::is_ignore")]
    pub null_byte_policy: NullBytePolicy,
    /// How keys are made from secret names (ESO's rule: the whole name, with every character
    /// outside letters, digits, `-`, `.`, `_` replaced); absent: secretsync's naming (invalid
    /// characters become `_`, a Parameter Store name loses its leading `/`). Not used with `rewrite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_strategy: Option<ConversionStrategy>,
}

/// Matches secret names.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct NameMatcher {
    /// Regular expression (Rust `regex` syntax) a secret's name must match.
    #[schemars(length(min = 1, max = 1024))]
    pub regexp: String,
}

/// A workload to restart when the synced versions change.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RolloutRestartTarget {
    /// `Deployment`, `StatefulSet` or `DaemonSet`.
    pub kind: WorkloadKind,
    /// Name of the workload in the ExternalSecret's namespace.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

/// Kinds of workload that can be restarted.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    #[default]
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// argoproj.io/v1alpha1 Rollout (Argo Rollouts), restarted through `spec.restartAt`.
    Rollout,
}

/// Observed state of an ExternalSecret.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretStatus {
    /// `Ready` with a specific reason (Synced, StoreNotFound, AccessDenied, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The generation the last successful refresh read AWS for (a spec edit whose sync failed is
    /// retried as a spec change, which `syncWindows` never blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_generation: Option<i64>,
    /// When the remote secrets were last read successfully.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_time: Option<Time>,
    /// Per remote key: the version id that was written into the Secret.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub synced_versions: BTreeMap<String, String>,
    /// The store the synced versions were read from (kind/name, region, endpoint, role, credential
    /// references; never a credential value); with entries of several stores, the default store's on
    /// the first line, then `<label> <source>` per other store. A deletion is only confirmed against
    /// the same store(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_from: Option<String>,
    /// A digest of the ExternalSecret's labels and annotations at the last refresh (what
    /// `refreshPolicy: OnChange` compares); not a digest of any secret value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_metadata: Option<String>,
    /// The value of the `secretsync.io/force-sync` annotation that the last refresh honoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_force_sync: Option<String>,
    /// When workloads were last restarted for a rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotation_time: Option<Time>,
    /// Workloads (`Kind/name`) restarted for the current synced versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restarted_workloads: Vec<String>,
    /// Set while every remote secret is confirmed deleted and `deletionPolicy: Delete` (or `Merge`)
    /// waits out the grace period before deleting the Secret (or removing this ExternalSecret's keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_deletion: Option<RemoteDeletion>,
}

/// A confirmed remote deletion awaiting its grace period.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RemoteDeletion {
    /// When Secrets Manager first confirmed that every remote secret was deleted.
    pub confirmed_since: Time,
    /// The ExternalSecret generation that confirmation was made at (a spec edit starts over).
    pub generation: i64,
}
