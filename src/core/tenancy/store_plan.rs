//! What a store's `aws` block asks for, checked before anything is read: the region names, the role
//! chain, the failover regions, which credentials to read and from which namespace (a SecretStore only
//! from its own), and the tenancy policy for every endpoint the credentials go to. The shell then
//! reads exactly the Secret keys or ServiceAccount the plan names.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;

use crate::api::{AwsProvider, SecretKeySelector, StoreKind};
use crate::core::access::{
    CredentialRef, StoreIdentity, StoreScope, TenancyPolicy, check_identity,
};
use crate::core::credentials::check_credential;
use crate::core::reason::{Reason, SyncError};
use crate::core::tenancy::role_chain::{RoleChain, plan_role_chain};
use crate::core::tenancy::session_tags::SessionFor;

/// Audience of ServiceAccount tokens exchanged with STS.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// What an AWS region name looks like (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`).
static REGION: std::sync::LazyLock<Result<regex::Regex, regex::Error>> =
    std::sync::LazyLock::new(|| regex::Regex::new(crate::api::REGION_PATTERN));

fn not_ready(message: String) -> SyncError {
    SyncError::new(Reason::StoreNotReady, message)
}

/// One Secret key to read credentials from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRead {
    /// The namespace it is read from (checked against the store's scope).
    pub namespace: String,
    /// The Secret's name.
    pub name: String,
    /// The key within its data.
    pub key: String,
    /// The store field that names it (for messages).
    pub what: &'static str,
}

/// Which credentials the store's client uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialPlan {
    /// The controller's own (the default chain); the tenancy policy decided it may.
    Default,
    /// Static keys read from Secret keys.
    Static {
        /// `auth.secretRef.accessKeyId`.
        access_key_id: KeyRead,
        /// `auth.secretRef.secretAccessKey`.
        secret_access_key: KeyRead,
        /// `auth.secretRef.sessionToken`.
        session_token: Option<KeyRead>,
    },
    /// Tokens of this ServiceAccount, exchanged with AssumeRoleWithWebIdentity.
    WebIdentity {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// The token audiences (default [`STS_AUDIENCE`]).
        audiences: Vec<String>,
    },
}

/// The checked store: its credentials to read and its failover regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePlan {
    /// The credentials to read.
    pub credentials: CredentialPlan,
    /// The roles assumed on top of them, in order.
    pub roles: RoleChain,
    /// `spec.aws.failoverRegions` as (region, endpoint) pairs.
    pub failover: Vec<(String, Option<String>)>,
    /// `spec.aws.retrySettings`, bounded.
    pub retry: crate::core::reads::retry::RetryPolicy,
}

/// Checks a store's `aws` block and says what to read. `store_name` is the store's name,
/// `store_namespace` a SecretStore's namespace (None for a ClusterSecretStore); `reader_namespace`
/// the namespace of the ExternalSecret the store is resolved for (None when the store itself is
/// checked), where a ClusterSecretStore's references without a namespace are read (see
/// [`is_referent`](super::session_tags::is_referent)) and which its `sessionTagsPolicy` tags name; the tenancy policy is checked before
/// anything is read.
pub fn plan_store(
    aws: &AwsProvider,
    store_name: &str,
    store_namespace: Option<&str>,
    reader_namespace: Option<&str>,
    policy: &TenancyPolicy,
) -> Result<StorePlan, SyncError> {
    // The CRD checks these too; objects stored before it did are refused here.
    let regions = [
        ("spec.aws.region", Some(aws.region.as_str())),
        (
            "spec.aws.events.region",
            aws.events.as_ref().and_then(|e| e.region.as_deref()),
        ),
    ];
    for (field, region) in regions {
        if let Some(region) = region
            && !REGION.as_ref().is_ok_and(|re| re.is_match(region))
        {
            return Err(not_ready(format!(
                "{field}: {region:?} is not an AWS region name"
            )));
        }
    }
    certificate_manager_fields(aws)?;
    let who = SessionFor {
        kind: match store_namespace {
            Some(_) => StoreKind::SecretStore,
            None => StoreKind::ClusterSecretStore,
        },
        store: store_name,
        namespace: store_namespace.or(reader_namespace),
    };
    // One event queue reader per store configuration: a ClusterSecretStore whose sessions are each
    // namespace's own has none to read it with.
    if store_namespace.is_none() && !aws.session_tags_policy.is_none() && aws.events.is_some() {
        return Err(not_ready(
            "spec.aws.events needs one session; with sessionTagsPolicy a ClusterSecretStore takes \
             one per reading namespace"
                .into(),
        ));
    }
    let roles = plan_role_chain(
        aws,
        aws.auth
            .as_ref()
            .is_some_and(|a| a.service_account_ref.is_some() && a.secret_ref.is_none()),
        &who,
    )?;
    let failover = failover_regions(aws)?;
    let retry = crate::core::reads::retry::retry_policy(aws.retry_settings.as_ref())
        .map_err(|e| not_ready(format!("spec.aws.retrySettings: {e}")))?;
    let auth = aws.auth.as_ref();
    let secret_ref = auth.and_then(|a| a.secret_ref.as_ref());
    let service_account = auth.and_then(|a| a.service_account_ref.as_ref());
    let credentials = match (secret_ref, service_account) {
        (None, None) => CredentialRef::None,
        (Some(_), None) => CredentialRef::SecretRef,
        (None, Some(_)) => CredentialRef::ServiceAccountRef,
        (Some(_), Some(_)) => {
            return Err(not_ready(
                "set only one of auth.secretRef and auth.serviceAccountRef".into(),
            ));
        }
    };
    // Every endpoint the store's credentials go to (failover regions, the event queue's) gets the same
    // tenancy check as the primary's.
    let endpoints = std::iter::once(aws.endpoint.as_deref())
        .chain(failover.iter().map(|(_, e)| e.as_deref()))
        .chain(std::iter::once(
            aws.events.as_ref().and_then(|e| e.endpoint.as_deref()),
        ));
    for endpoint in endpoints {
        check_identity(
            &StoreIdentity {
                scope: match store_namespace {
                    Some(_) => StoreScope::Namespaced,
                    None => StoreScope::Cluster,
                },
                credentials,
                roles: usize::from(aws.role.is_some()) + aws.additional_roles.len(),
                endpoint,
                sts_audience_only: service_account
                    .is_none_or(|sa| sa.audiences.iter().all(|a| a == STS_AUDIENCE)),
            },
            policy,
        )?;
    }
    let key = |sel: &SecretKeySelector, what: &'static str| -> Result<KeyRead, SyncError> {
        Ok(KeyRead {
            namespace: ref_namespace(
                store_namespace,
                sel.namespace.as_deref(),
                reader_namespace,
                what,
            )?,
            name: sel.name.clone(),
            key: sel.key.clone(),
            what,
        })
    };
    let credentials = match (secret_ref, service_account) {
        (Some(r), _) => CredentialPlan::Static {
            access_key_id: key(&r.access_key_id, "auth.secretRef.accessKeyId")?,
            secret_access_key: key(&r.secret_access_key, "auth.secretRef.secretAccessKey")?,
            session_token: match &r.session_token {
                Some(sel) => Some(key(sel, "auth.secretRef.sessionToken")?),
                None => None,
            },
        },
        (None, Some(sa)) => CredentialPlan::WebIdentity {
            namespace: ref_namespace(
                store_namespace,
                sa.namespace.as_deref(),
                reader_namespace,
                "auth.serviceAccountRef",
            )?,
            name: sa.name.clone(),
            audiences: if sa.audiences.is_empty() {
                vec![STS_AUDIENCE.to_string()]
            } else {
                sa.audiences.clone()
            },
        },
        (None, None) => CredentialPlan::Default,
    };
    Ok(StorePlan {
        credentials,
        roles,
        failover,
        retry,
    })
}

/// The credential a read Secret holds under `read` (None: the Secret does not exist): present, UTF-8,
/// trimmed, and shaped like a credential.
pub fn credential_value(
    data: Option<Option<&BTreeMap<String, ByteString>>>,
    read: &KeyRead,
) -> Result<String, SyncError> {
    let KeyRead {
        namespace: ns,
        name,
        key,
        what,
    } = read;
    let Some(data) = data else {
        return Err(not_ready(format!("{what}: Secret {ns}/{name} not found")));
    };
    let bytes = data
        .and_then(|d| d.get(key))
        .ok_or_else(|| not_ready(format!("{what}: Secret {ns}/{name} has no key {key:?}")))?;
    let text = std::str::from_utf8(&bytes.0).map_err(|_| {
        not_ready(format!(
            "{what}: key {key:?} of Secret {ns}/{name} is not UTF-8"
        ))
    })?;
    let text = text.trim();
    check_credential(what, text)?;
    Ok(text.to_string())
}

/// The namespace a credential reference reads from: the store's own for a SecretStore (never
/// another); for a ClusterSecretStore the named one, else the reading ExternalSecret's (referent
/// authentication), never any other.
pub fn ref_namespace(
    store_namespace: Option<&str>,
    explicit: Option<&str>,
    reader_namespace: Option<&str>,
    what: &str,
) -> Result<String, SyncError> {
    match (store_namespace, explicit, reader_namespace) {
        (Some(own), None, _) => Ok(own.to_string()),
        (Some(own), Some(ns), _) if ns == own => Ok(own.to_string()),
        (Some(_), Some(ns), _) => Err(not_ready(format!(
            "{what} names namespace {ns:?}; a SecretStore reads credentials only from its own namespace"
        ))),
        (None, Some(ns), _) => Ok(ns.to_string()),
        (None, None, Some(reader)) => Ok(reader.to_string()),
        (None, None, None) => Err(not_ready(format!(
            "{what} names no namespace: this ClusterSecretStore reads it from the namespace of each \
             ExternalSecret that uses it (referent authentication)"
        ))),
    }
}

/// The fields a Certificate Manager store cannot honour, refused rather than ignored: a certificate
/// ARN names its region (no failover), ACM sends no change events secretsync reads, and ESO's ACM
/// applies `prefix` to PushSecret only (its reads take the ARN as written).
fn certificate_manager_fields(aws: &AwsProvider) -> Result<(), SyncError> {
    if aws.service != crate::api::AwsService::CertificateManager {
        return Ok(());
    }
    let set = [
        (!aws.failover_regions.is_empty(), "spec.aws.failoverRegions"),
        (aws.events.is_some(), "spec.aws.events"),
        (
            aws.prefix.as_deref().is_some_and(|p| !p.is_empty()),
            "spec.aws.prefix",
        ),
    ];
    match set.iter().find(|(is_set, _)| *is_set) {
        Some((_, field)) => Err(not_ready(format!(
            "{field} is not supported with service: CertificateManager (a certificate ARN is read \
             as written, in its own region, at each refresh interval)"
        ))),
        None => Ok(()),
    }
}

/// `spec.aws.failoverRegions` as (region, endpoint) pairs, or the first entry that is not usable.
pub fn failover_regions(aws: &AwsProvider) -> Result<Vec<(String, Option<String>)>, SyncError> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (i, entry) in aws.failover_regions.iter().enumerate() {
        let field = format!("spec.aws.failoverRegions[{i}]");
        let Some((region, endpoint)) = entry.resolve(aws.endpoint.as_deref()) else {
            return Err(not_ready(format!(
                "{field} must be a region name or {{region, endpoint}} (no other fields)"
            )));
        };
        if !REGION.as_ref().is_ok_and(|re| re.is_match(region)) {
            return Err(not_ready(format!(
                "{field}: {region:?} is not an AWS region name"
            )));
        }
        if let Some(e) = endpoint
            && !(e.starts_with("https://") || e.starts_with("http://"))
        {
            return Err(not_ready(format!(
                "{field}: endpoint {e:?} must start with https:// or http://"
            )));
        }
        // Regions are told apart by name (status, metrics, the replica ARNs): the primary's region
        // under another endpoint would be a second primary that the failover guard could not tell
        // from the first.
        if region == aws.region {
            return Err(not_ready(format!(
                "{field}: {region} is already the primary region; failover entries must name other \
                 regions (whatever their endpoint)"
            )));
        }
        if out.iter().any(|(r, _)| r == region) {
            return Err(not_ready(format!(
                "{field}: region {region} is already listed before; each region at most once"
            )));
        }
        out.push((region.to_string(), endpoint.map(String::from)));
    }
    Ok(out)
}

#[cfg(test)]
#[path = "store_plan_tests.rs"]
mod tests;
