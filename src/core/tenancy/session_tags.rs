//! STS session tags of a store's `role`, and who may use the session they make.
//!
//! Under ESO's `sessionTagsPolicy` (v2.9.0 `providers/v1/aws/provider.go`, `buildSessionTags`) the
//! controller, not the store, tags the AssumeRole of `role` with `esoNamespace` (the namespace of
//! the ExternalSecret read for), `esoStoreName` and `esoStoreKind`, plus `customSessionTags` for
//! `Custom`; these replace `sessionTags`. A store may never name those keys itself, under any
//! policy: a tenant could otherwise claim another namespace to an ABAC policy. A session tagged with
//! one namespace is that namespace's alone: [`store_id`] gives each reading namespace its own store
//! identity, which keys the clients (and so the sessions), batches, listings and value caches.

use std::collections::BTreeSet;

use crate::api::{
    AwsProvider, CONTROLLER_TAG_KEYS, ESO_NAMESPACE_TAG, ESO_STORE_KIND_TAG, ESO_STORE_NAME_TAG,
    SESSION_TAG_KEY_PATTERN, SESSION_TAG_VALUE_PATTERN, SessionTagsPolicy, StoreKind,
};
use crate::core::reason::{Reason, SyncError};

/// Whether a ClusterSecretStore uses referent authentication (ESO's term): a credential reference
/// without a namespace is read from the namespace of each ExternalSecret that uses the store, so
/// every namespace brings its own credentials.
pub fn is_referent(aws: &AwsProvider) -> bool {
    let Some(auth) = aws.auth.as_ref() else {
        return false;
    };
    let secret_ref = auth.secret_ref.as_ref().is_some_and(|r| {
        std::iter::once(&r.access_key_id)
            .chain(std::iter::once(&r.secret_access_key))
            .chain(r.session_token.as_ref())
            .any(|sel| sel.namespace.is_none())
    });
    let service_account = auth
        .service_account_ref
        .as_ref()
        .is_some_and(|sa| sa.namespace.is_none());
    secret_ref || service_account
}

/// At most this many session tags (STS's limit).
pub const MAX_SESSION_TAGS: usize = 50;
/// STS's limit on a session tag key, in characters.
pub const MAX_TAG_KEY_CHARS: usize = 128;
/// STS's limit on a session tag value, in characters.
pub const MAX_TAG_VALUE_CHARS: usize = 256;

static TAG_KEY: std::sync::LazyLock<Result<regex::Regex, regex::Error>> =
    std::sync::LazyLock::new(|| regex::Regex::new(SESSION_TAG_KEY_PATTERN));
static TAG_VALUE: std::sync::LazyLock<Result<regex::Regex, regex::Error>> =
    std::sync::LazyLock::new(|| regex::Regex::new(SESSION_TAG_VALUE_PATTERN));

/// Who a store's session is taken for: the controller's tags come from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFor<'a> {
    /// The store's kind.
    pub kind: StoreKind,
    /// The store's name.
    pub store: &'a str,
    /// The namespace of the ExternalSecret read for (a SecretStore's own); None when a
    /// ClusterSecretStore is checked without a reader.
    pub namespace: Option<&'a str>,
}

fn not_ready(message: String) -> SyncError {
    SyncError::new(Reason::StoreNotReady, message)
}

/// Whether `key` is one the controller sets (ignoring case, as STS and IAM compare tag keys).
pub fn is_controller_key(key: &str) -> bool {
    CONTROLLER_TAG_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

/// Whether a ClusterSecretStore's sessions (and so its clients and caches) are each reading
/// namespace's own: with referent credentials, or with session tags that name the namespace.
pub fn per_reading_namespace(aws: &AwsProvider) -> bool {
    is_referent(aws) || !aws.session_tags_policy.is_none()
}

/// The identity of the store `name` as used by an ExternalSecret in `reader_namespace`: it keys the
/// store's resolved configuration, clients (so its STS sessions), batches, listings and value
/// caches. Two readers share it only when they share every session the store takes.
pub fn store_id(kind: StoreKind, name: &str, reader_namespace: &str, aws: &AwsProvider) -> String {
    match kind {
        StoreKind::SecretStore => format!("SecretStore/{reader_namespace}/{name}"),
        StoreKind::ClusterSecretStore if per_reading_namespace(aws) => {
            format!("ClusterSecretStore/{name}/for/{reader_namespace}")
        }
        StoreKind::ClusterSecretStore => format!("ClusterSecretStore/{name}"),
    }
}

fn kind_name(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::SecretStore => "SecretStore",
        StoreKind::ClusterSecretStore => "ClusterSecretStore",
    }
}

/// The session tags sent with the AssumeRole of `role`, in the order sent: the store's
/// `sessionTags` under policy `None`; else the controller's three (for `who`), then the non-empty
/// `customSessionTags` under `Custom`. Each checked against STS's rules; a store naming a key the
/// controller sets is refused.
pub fn role_session_tags(
    aws: &AwsProvider,
    who: &SessionFor<'_>,
) -> Result<Vec<(String, String)>, SyncError> {
    let policy = aws.session_tags_policy;
    let custom = &aws.custom_session_tags;
    if policy != SessionTagsPolicy::Custom && !custom.is_empty() {
        return Err(not_ready(
            "spec.aws.customSessionTags are sent only with sessionTagsPolicy: Custom".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    if policy.is_none() {
        if aws.session_tags.len() > MAX_SESSION_TAGS {
            return Err(not_ready(format!(
                "spec.aws.sessionTags has {} tags; STS takes at most {MAX_SESSION_TAGS}",
                aws.session_tags.len()
            )));
        }
        let mut out = Vec::new();
        for (i, tag) in aws.session_tags.iter().enumerate() {
            let field = format!("spec.aws.sessionTags[{i}]");
            check_tag(&field, &tag.key, &tag.value, &mut seen)?;
            out.push((tag.key.clone(), tag.value.clone()));
        }
        return Ok(out);
    }
    let name = format!("{policy:?}");
    if aws.role.is_none() {
        return Err(not_ready(format!(
            "spec.aws.sessionTagsPolicy {name} requires spec.aws.role (the tags are sent with its \
             AssumeRole)"
        )));
    }
    if !aws.session_tags.is_empty() {
        return Err(not_ready(format!(
            "spec.aws.sessionTagsPolicy {name} replaces spec.aws.sessionTags (as in ESO): put them \
             in customSessionTags with Custom"
        )));
    }
    let Some(namespace) = who.namespace else {
        return Err(not_ready(format!(
            "spec.aws.sessionTagsPolicy {name} tags each session with the namespace of the \
             ExternalSecret it reads for; none is known here"
        )));
    };
    let mut out: Vec<(String, String)> = [
        (ESO_NAMESPACE_TAG, namespace),
        (ESO_STORE_NAME_TAG, who.store),
        (ESO_STORE_KIND_TAG, kind_name(who.kind)),
    ]
    .into_iter()
    .map(|(k, v)| {
        seen.insert(k.to_ascii_lowercase());
        (k.to_string(), v.to_string())
    })
    .collect();
    // ESO drops custom tags with an empty key or value.
    for (key, value) in custom
        .iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
    {
        check_tag(
            &format!("spec.aws.customSessionTags[{key:?}]"),
            key,
            value,
            &mut seen,
        )?;
        out.push((key.clone(), value.clone()));
    }
    if out.len() > MAX_SESSION_TAGS {
        return Err(not_ready(format!(
            "spec.aws.customSessionTags: with the controller's 3 tags that makes {} session tags; \
             STS takes at most {MAX_SESSION_TAGS}",
            out.len()
        )));
    }
    Ok(out)
}

/// Checks one tag a store sets against STS's rules and the controller's keys.
fn check_tag(
    field: &str,
    key: &str,
    value: &str,
    seen: &mut BTreeSet<String>,
) -> Result<(), SyncError> {
    let problem = if key.is_empty() || key.chars().count() > MAX_TAG_KEY_CHARS {
        Some(format!("key must have 1 to {MAX_TAG_KEY_CHARS} characters"))
    } else if !TAG_KEY.as_ref().is_ok_and(|re| re.is_match(key)) {
        Some(format!(
            "key {key:?} may hold only letters, digits, spaces and _.:/=+-@"
        ))
    } else if key.to_ascii_lowercase().starts_with("aws:") {
        Some(format!("key {key:?} starts with aws:, which AWS reserves"))
    } else if is_controller_key(key) {
        Some(format!(
            "key {key:?} is set by the controller (sessionTagsPolicy: esoNamespace, esoStoreName, \
             esoStoreKind), never by a store"
        ))
    } else if !seen.insert(key.to_ascii_lowercase()) {
        Some(format!(
            "key {key:?} is already used (ignoring case, as STS does)"
        ))
    } else if value.chars().count() > MAX_TAG_VALUE_CHARS {
        Some(format!(
            "the value of {key:?} has more than {MAX_TAG_VALUE_CHARS} characters"
        ))
    } else if !TAG_VALUE.as_ref().is_ok_and(|re| re.is_match(value)) {
        Some(format!(
            "the value of {key:?} may hold only letters, digits, spaces and _.:/=+-@"
        ))
    } else {
        None
    };
    match problem {
        Some(p) => Err(not_ready(format!("{field}: {p}"))),
        None => Ok(()),
    }
}

#[cfg(test)]
#[path = "session_tags_tests.rs"]
mod tests;
