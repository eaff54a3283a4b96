//! `SecretStore` and `ClusterSecretStore`: where and how to reach AWS Secrets Manager.
// Each `printcolumn(...)` repeats the same keys; clippy reads that as duplicated attributes.
#![allow(clippy::duplicated_attributes)]

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector};
use kube::{CustomResource, KubeSchema};
use serde::{Deserialize, Serialize};

use super::{SessionTag, SessionTagsPolicy};

/// Pattern a role ARN must match (any partition).
pub const ROLE_ARN_PATTERN: &str = r"^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$";

/// Pattern an AWS region name must match (`us-east-1`, `us-gov-west-1`, `cn-north-1`,
/// `us-isob-east-1`, `eusc-de-east-1`): `region`,
/// `events.region` (in the CRD) and every `failoverRegions` entry (checked by the controller).
pub const REGION_PATTERN: &str = r"^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$";

/// How a namespaced store connects to AWS Secrets Manager.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "secretsync.io",
    version = "v1alpha1",
    kind = "SecretStore",
    namespaced,
    status = "SecretStoreStatus",
    shortname = "sss",
    category = "secretsync",
    doc = "A SecretStore tells ExternalSecrets in its namespace how to reach AWS Secrets Manager: region, endpoint, role and credentials.",
    printcolumn(name = "REGION", type_ = "string", json_path = ".spec.aws.region"),
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
#[x_kube(validation = Rule::new("!has(self.aws.auth) || !has(self.aws.auth.serviceAccountRef) || !has(self.aws.auth.serviceAccountRef.__namespace__)").message("serviceAccountRef.namespace is only allowed on a ClusterSecretStore; a SecretStore uses its own namespace"))]
#[x_kube(validation = Rule::new("!has(self.aws.auth) || !has(self.aws.auth.secretRef) || (!has(self.aws.auth.secretRef.accessKeyId.__namespace__) && !has(self.aws.auth.secretRef.secretAccessKey.__namespace__) && (!has(self.aws.auth.secretRef.sessionToken) || !has(self.aws.auth.secretRef.sessionToken.__namespace__)))").message("secretRef namespaces are only allowed on a ClusterSecretStore; a SecretStore reads credentials from its own namespace"))]
pub struct SecretStoreSpec {
    /// AWS Secrets Manager provider settings.
    pub aws: AwsProvider,
}

/// How a cluster-wide store connects to AWS, and which namespaces may use it.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "secretsync.io",
    version = "v1alpha1",
    kind = "ClusterSecretStore",
    status = "SecretStoreStatus",
    shortname = "scss",
    category = "secretsync",
    doc = "A ClusterSecretStore is a cluster-wide SecretStore; its conditions decide which namespaces may use it.",
    printcolumn(name = "REGION", type_ = "string", json_path = ".spec.aws.region"),
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
pub struct ClusterSecretStoreSpec {
    /// AWS Secrets Manager provider settings.
    pub aws: AwsProvider,
    /// Which namespaces may use this store. A namespace is admitted when any one condition matches it;
    /// an empty list admits every namespace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ClusterSecretStoreCondition>,
}

/// AWS Secrets Manager connection settings shared by both store kinds.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("!has(self.externalId) || has(self.role)").message("externalId requires role"))]
#[x_kube(validation = Rule::new("!has(self.auth) || !has(self.auth.serviceAccountRef) || has(self.role)").message("auth.serviceAccountRef requires role (the role to assume with the ServiceAccount's web identity token)"))]
#[x_kube(validation = Rule::new("!has(self.sessionTags) || size(self.sessionTags) == 0 || has(self.role)").message("sessionTags requires role (they are sent with its AssumeRole)"))]
#[x_kube(validation = Rule::new("!has(self.transitiveTagKeys) || self.transitiveTagKeys.all(k, (has(self.sessionTags) && self.sessionTags.exists(t, t.key == k)) || (has(self.sessionTagsPolicy) && self.sessionTagsPolicy != 'None' && (k in ['esoNamespace', 'esoStoreName', 'esoStoreKind'] || (self.sessionTagsPolicy == 'Custom' && has(self.customSessionTags) && k in self.customSessionTags))))").message("each transitiveTagKeys entry must be the key of a sessionTags entry (or of a tag sessionTagsPolicy sends)"))]
#[x_kube(validation = Rule::new("!has(self.sessionTagsPolicy) || self.sessionTagsPolicy == 'None' || has(self.role)").message("sessionTagsPolicy Simple or Custom requires role (the tags are sent with its AssumeRole)"))]
#[x_kube(validation = Rule::new("!has(self.sessionTagsPolicy) || self.sessionTagsPolicy == 'None' || !has(self.sessionTags) || size(self.sessionTags) == 0").message("sessionTagsPolicy Simple or Custom replaces sessionTags (as in ESO): put them in customSessionTags with Custom"))]
#[x_kube(validation = Rule::new("!has(self.customSessionTags) || size(self.customSessionTags) == 0 || (has(self.sessionTagsPolicy) && self.sessionTagsPolicy == 'Custom')").message("customSessionTags are sent only with sessionTagsPolicy: Custom"))]
#[x_kube(validation = Rule::new("!has(self.sessionTagsPolicy) || self.sessionTagsPolicy == 'None' || !has(self.auth) || !has(self.auth.serviceAccountRef) || (has(self.additionalRoles) && size(self.additionalRoles) > 0)").message("with auth.serviceAccountRef, sessionTagsPolicy needs additionalRoles: the first role of the chain is taken with AssumeRoleWithWebIdentity, which carries no session tags"))]
#[x_kube(validation = Rule::new("!has(self.sessionTags) || self.sessionTags.all(t, self.sessionTags.filter(u, u.key.lowerAscii() == t.key.lowerAscii()).size() == 1)").message("sessionTags keys must be unique ignoring case (STS does not tell Team from team)"))]
#[x_kube(validation = Rule::new("!has(self.sessionTags) || size(self.sessionTags) == 0 || !has(self.auth) || !has(self.auth.serviceAccountRef) || (has(self.additionalRoles) && size(self.additionalRoles) > 0)").message("with auth.serviceAccountRef, sessionTags need additionalRoles: the first role of the chain is taken with AssumeRoleWithWebIdentity, which carries no session tags"))]
pub struct AwsProvider {
    /// AWS region of the secrets, e.g. `us-east-1`.
    #[schemars(length(min = 1, max = 64), pattern(REGION_PATTERN))]
    pub region: String,
    /// Endpoint URL override (e.g. an emulator). When absent the AWS SDK resolves it, honouring `AWS_ENDPOINT_URL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^https?://"))]
    pub endpoint: Option<String>,
    /// IAM role ARN to assume (STS AssumeRole) on top of the base credentials, last of the chain
    /// (after `additionalRoles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role: Option<String>,
    /// External ID passed to AssumeRole; only with `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 1224))]
    pub external_id: Option<String>,
    /// Role chain (ESO's `additionalRoles`): IAM role ARNs assumed in order before `role`, each with
    /// the credentials of the one before (the first with the base credentials; with
    /// `auth.serviceAccountRef` the first is the one the token is exchanged for), without external
    /// id or session tags. At most 5.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 5), inner(pattern(ROLE_ARN_PATTERN)))]
    pub additional_roles: Vec<String>,
    /// STS session tags sent with the AssumeRole of `role` only (ESO's `sessionTags`): at most 50,
    /// keys unique ignoring case. The role's trust policy must allow `sts:TagSession`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 50))]
    pub session_tags: Vec<SessionTag>,
    /// Keys of `sessionTags` to mark transitive (kept on roles assumed afterwards with these
    /// credentials), sent with the AssumeRole of `role`. Each must be a `sessionTags` key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 50), inner(length(min = 1, max = 128)))]
    pub transitive_tag_keys: Vec<String>,
    /// ESO's `sessionTagsPolicy`: `None` (default) sends `sessionTags`; `Simple` has the controller
    /// tag each AssumeRole of `role` with `esoNamespace` (the namespace of the ExternalSecret read
    /// for), `esoStoreName` and `esoStoreKind`, so a ClusterSecretStore takes one session per reading
    /// namespace; `Custom` adds `customSessionTags`. Needs `role`; replaces `sessionTags` (as in ESO,
    /// so both together are refused). The role's trust policy must allow `sts:TagSession`.
    #[serde(default, skip_serializing_if = "SessionTagsPolicy::is_none")]
    pub session_tags_policy: SessionTagsPolicy,
    /// ESO's `customSessionTags`: more session tags (key: value) sent with `sessionTagsPolicy:
    /// Custom` only. Entries with an empty value are not sent (as in ESO); the controller's keys
    /// (`esoNamespace`, `esoStoreName`, `esoStoreKind`, in any case) are refused.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    #[x_kube(validation = Rule::new("self.all(k, !(k.lowerAscii() in ['esonamespace', 'esostorename', 'esostorekind']))").message("customSessionTags cannot contain the keys the controller sets: esoNamespace, esoStoreName, esoStoreKind"))]
    pub custom_session_tags: std::collections::BTreeMap<String, String>,
    /// Credentials to use. Absent: the controller's own identity (environment, IRSA, EKS Pod Identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AwsAuth>,
    /// How periodic refreshes find out whether a secret changed before reading its value: `ListSecrets`
    /// (default; one paginated listing shared by every ExternalSecret of the store), `DescribeSecret` (one
    /// call per referenced secret, for policies that cannot grant ListSecrets), `None` (read every value on
    /// every refresh).
    #[serde(default)]
    pub change_detection: ChangeDetection,
    /// Client-side limit on AWS requests per second for this store configuration (all its
    /// ExternalSecrets together). Absent: 50, half of the 100 TPS quota of ListSecrets and
    /// BatchGetSecretValue, so a burst is paced instead of throttled (Parameter Store: 20; Certificate
    /// Manager: 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10000))]
    pub max_requests_per_second: Option<u32>,
    /// Which AWS service holds the secrets: `SecretsManager` (default), `ParameterStore` (SSM
    /// parameters: `key` is the parameter name, `versionId` a version number, `versionStage` a label)
    /// or `CertificateManager` (`key` is a certificate ARN, read whole as ESO's PEM bundle).
    #[serde(default)]
    pub service: AwsService,
    /// Event-driven refresh: an SQS queue an EventBridge rule fills with the store's service's change
    /// events (Secrets Manager or Parameter Store; CloudTrail or native). Each event refreshes, within
    /// seconds, exactly the ExternalSecrets reading the secret or parameter it names;
    /// the periodic refresh stays as the safety net. Read with the store's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<AwsEvents>,
    /// Regions holding replicas of the secrets, tried in order when the primary region fails with a
    /// regional or transport error (never on AccessDenied, NotFound or a bad request). Each entry is a
    /// region name (`us-west-2`, reached at `endpoint` when set) or `{region, endpoint}`; each region
    /// at most once, and never the primary's own region (whatever the endpoint).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 5))]
    pub failover_regions: Vec<FailoverRegion>,
    /// How the store's AWS calls retry a failure (ESO's `retrySettings`, which ESO places at
    /// `spec.retrySettings`): `maxRetries` attempts per call (the first included; absent 3; at
    /// most 10), `retryInterval` the delay bound between them (clamped to 100ms..10s; absent: the
    /// SDK's exponential backoff). A call never takes more than 30 s, retries included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_settings: Option<RetrySettings>,
    /// ESO's `prefix`: put before every name read by name (`data[].remoteRef.key`,
    /// `dataFrom[].extract.key`), so `key: db` reads `<prefix>db`. A `find` is not prefixed and its keys
    /// are full names, as in ESO. With a prefix, an ARN key or a key with a `..` segment is
    /// `InvalidSpec`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048))]
    pub prefix: Option<String>,
}

/// ESO's retry settings of a store.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RetrySettings {
    /// Attempts per AWS call, the first included (ESO's meaning); absent: 3. Above 10, or 0 and
    /// below (ESO: no bound), 10 are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i32>,
    /// A Go duration (`500ms`, `2s`) bounding the delay between attempts; clamped to 100ms..10s;
    /// `0` or absent: the SDK's exponential backoff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    pub retry_interval: Option<String>,
}

/// The SQS queue of a store's change events.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct AwsEvents {
    /// Queue URL, e.g. `https://sqs.us-east-1.amazonaws.com/111122223333/secretsync-events`.
    #[schemars(
        pattern(r"^https?://[^/]+/[0-9]{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$"),
        length(max = 1024)
    )]
    pub sqs_queue_url: String,
    /// Region of the queue; defaults to the region in a standard queue URL, else the store's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64), pattern(REGION_PATTERN))]
    pub region: Option<String>,
    /// SQS endpoint override (e.g. an emulator or a VPC endpoint); absent: SQS's standard endpoint.
    /// The store's `endpoint` (Secrets Manager) is never used for SQS. Checked like `endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^https?://"))]
    pub endpoint: Option<String>,
}

/// One failover region: a region name, or a region with its own endpoint. Never fails to deserialize
/// (a bad entry would otherwise hide the whole store list from the watch): anything else is kept as
/// [`FailoverRegion::Invalid`] and reported on the store's status.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum FailoverRegion {
    /// A region name, reached at the store's `endpoint` when set, else the standard way.
    Name(String),
    /// A region with its own endpoint.
    WithEndpoint(RegionEndpoint),
    /// Neither (a number, an object with unknown fields, ...).
    Invalid(serde_json::Value),
}

/// A failover region with its own endpoint. Read only from a JSON object with exactly these fields
/// (a derived struct would also accept a list like `["us-west-2"]`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct RegionEndpoint {
    /// AWS region of the replicas.
    pub region: String,
    /// Endpoint URL for this region (absent: the store's `endpoint`, else the standard one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// The fields of [`RegionEndpoint`], for its strict reading.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionEndpointFields {
    region: String,
    #[serde(default)]
    endpoint: Option<String>,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for RegionEndpoint {
    type Error = serde_json::Error;

    fn try_from(map: serde_json::Map<String, serde_json::Value>) -> Result<Self, Self::Error> {
        let f: RegionEndpointFields = serde_json::from_value(serde_json::Value::Object(map))?;
        Ok(Self {
            region: f.region,
            endpoint: f.endpoint,
        })
    }
}

impl FailoverRegion {
    /// The region name and the endpoint it is reached at (its own, else `store_endpoint`); None
    /// for an invalid entry.
    pub fn resolve<'a>(
        &'a self,
        store_endpoint: Option<&'a str>,
    ) -> Option<(&'a str, Option<&'a str>)> {
        match self {
            Self::Name(r) => Some((r, store_endpoint)),
            Self::WithEndpoint(RegionEndpoint { region, endpoint }) => {
                Some((region, endpoint.as_deref().or(store_endpoint)))
            }
            Self::Invalid(_) => None,
        }
    }
}

// A string or an object: structural CRD schemas allow that only as untyped JSON, checked by the controller.
impl schemars::JsonSchema for FailoverRegion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FailoverRegion".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A region name (e.g. us-west-2) or {region, endpoint}.",
            "x-kubernetes-preserve-unknown-fields": true
        })
    }
}

/// Requests per second when a store sets no `spec.aws.maxRequestsPerSecond`: half of the 100 TPS
/// quota of ListSecrets and BatchGetSecretValue, the lowest Secrets Manager quotas secretsync uses.
pub const DEFAULT_MAX_REQUESTS_PER_SECOND: u32 = 50;
/// Default client-side limit of a Parameter Store configuration: half of the standard throughput
/// quota (40 TPS per account and region), so a burst is paced instead of throttled.
pub const DEFAULT_PARAMETER_STORE_REQUESTS_PER_SECOND: u32 = 20;
/// Default client-side limit of a Certificate Manager configuration: ACM's per-operation quotas
/// are low (ExportCertificate, the costly call, among the lowest), so reads are paced well below.
pub const DEFAULT_CERTIFICATE_MANAGER_REQUESTS_PER_SECOND: u32 = 5;

impl AwsProvider {
    /// `maxRequestsPerSecond`, or the default when absent.
    pub fn max_requests_per_second(&self) -> u32 {
        self.max_requests_per_second.unwrap_or(match self.service {
            AwsService::SecretsManager => DEFAULT_MAX_REQUESTS_PER_SECOND,
            AwsService::ParameterStore => DEFAULT_PARAMETER_STORE_REQUESTS_PER_SECOND,
            AwsService::CertificateManager => DEFAULT_CERTIFICATE_MANAGER_REQUESTS_PER_SECOND,
        })
    }
}

/// The AWS service a store reads.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default,
)]
pub enum AwsService {
    /// AWS Secrets Manager.
    #[default]
    SecretsManager,
    /// AWS Systems Manager Parameter Store.
    ParameterStore,
    /// AWS Certificate Manager: `data[].remoteRef.key` is a certificate ARN, read as ESO does (the
    /// exported certificate, chain and decrypted private key as one PEM bundle).
    CertificateManager,
}

impl AwsService {
    /// The service's name in messages and Events.
    pub fn display_name(self) -> &'static str {
        match self {
            AwsService::SecretsManager => "Secrets Manager",
            AwsService::ParameterStore => "Parameter Store",
            AwsService::CertificateManager => "Certificate Manager",
        }
    }
}

/// How a store detects changes before reading values.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default,
)]
pub enum ChangeDetection {
    /// Paginated ListSecrets (SecretVersionsToStages), shared by all ExternalSecrets of the store.
    #[default]
    ListSecrets,
    /// DescribeSecret (VersionIdsToStages) per referenced secret.
    DescribeSecret,
    /// No detection: every refresh reads every value.
    None,
}

/// The credentials a store uses; set exactly one of its fields.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.secretRef) != has(self.serviceAccountRef)").message("set exactly one of secretRef or serviceAccountRef"))]
pub struct AwsAuth {
    /// Static access keys read from a Secret (in the store's namespace; a ClusterSecretStore names the namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<AwsSecretRef>,
    /// Per-tenant IRSA: a token is requested for this ServiceAccount and exchanged with
    /// AssumeRoleWithWebIdentity for `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_ref: Option<ServiceAccountRef>,
}

/// References to the Secret keys holding static AWS credentials.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct AwsSecretRef {
    /// Secret key holding the AWS access key id.
    pub access_key_id: SecretKeySelector,
    /// Secret key holding the AWS secret access key.
    pub secret_access_key: SecretKeySelector,
    /// Optional Secret key holding a session token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<SecretKeySelector>,
}

/// Selects one key of a Kubernetes Secret.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeySelector {
    /// Name of the Secret.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Key within the Secret's data.
    #[schemars(length(min = 1, max = 253), pattern(r"^[-._a-zA-Z0-9]+$"))]
    pub key: String,
    /// Namespace of the Secret: required in a ClusterSecretStore, not allowed in a SecretStore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub namespace: Option<String>,
}

/// A ServiceAccount whose token is exchanged for AWS credentials.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountRef {
    /// Name of the ServiceAccount.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Namespace of the ServiceAccount: required in a ClusterSecretStore, not allowed in a SecretStore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub namespace: Option<String>,
    /// Token audiences; defaults to `sts.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
}

/// One rule admitting namespaces to a ClusterSecretStore; a namespace must match every field that is set.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(validation = Rule::new("has(self.namespaces) || has(self.namespaceSelector) || has(self.namespaceRegexes)").message("a condition needs namespaces, namespaceSelector or namespaceRegexes"))]
pub struct ClusterSecretStoreCondition {
    /// Namespaces admitted by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
    /// Namespaces admitted by their labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    /// Namespaces admitted by name: any of these regular expressions (RE2 syntax, matched anywhere in
    /// the name unless anchored, as in ESO) matches. An invalid one admits nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    pub namespace_regexes: Option<Vec<String>>,
}

/// Observed state of a store.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct SecretStoreStatus {
    /// `Ready` tells whether the configuration resolves (credentials present, role well-formed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The generation the conditions describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// How changes are detected in practice, e.g. `DescribeSecret (ListSecrets is denied: ...)` after a
    /// fallback; absent while the configured method works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_detection: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bad `failoverRegions` entry must never fail deserialization: the watch would then lose every
    /// store of the list, not just the one with the typo.
    #[test]
    fn any_failover_entry_deserializes_and_bad_ones_are_kept_as_invalid() {
        let aws: AwsProvider = serde_json::from_value(serde_json::json!({
            "region": "us-east-1",
            "failoverRegions": [
                "us-west-2",
                {"region": "eu-west-1", "endpoint": "http://127.0.0.1:5000"},
                {"region": "eu-west-2"},
                42,
                {"region": "eu-west-3", "endpont": "typo"},
                null,
                ["nested"]
            ]
        }))
        .expect("a store with bad failover entries still deserializes");
        let resolved: Vec<Option<(&str, Option<&str>)>> = aws
            .failover_regions
            .iter()
            .map(|f| f.resolve(Some("http://store")))
            .collect();
        assert_eq!(
            resolved,
            [
                Some(("us-west-2", Some("http://store"))),
                Some(("eu-west-1", Some("http://127.0.0.1:5000"))),
                Some(("eu-west-2", Some("http://store"))),
                None,
                None,
                None,
                None,
            ]
        );
    }
}
