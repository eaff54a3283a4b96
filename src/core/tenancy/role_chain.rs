//! The roles a store's credentials go through, in ESO's order (`providers/v1/aws/auth/auth.go`,
//! `createConfiguration`): the base credentials, then each of `additionalRoles` with a bare
//! AssumeRole (no external id, no session tags), then `role` last with `externalId`, `sessionTags`
//! and `transitiveTagKeys`. With `auth.serviceAccountRef` the token is exchanged
//! (AssumeRoleWithWebIdentity) for the first role of that list, and the others are assumed from
//! there. Decided and checked without I/O.

use crate::api::{AwsProvider, ROLE_ARN_PATTERN};
use crate::core::reason::{Reason, SyncError};
use crate::core::tenancy::session_tags::role_session_tags;
pub use crate::core::tenancy::session_tags::{
    MAX_SESSION_TAGS, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, SessionFor,
};

/// At most this many `additionalRoles`.
pub const MAX_ADDITIONAL_ROLES: usize = 5;

static ROLE_ARN: std::sync::LazyLock<Result<regex::Regex, regex::Error>> =
    std::sync::LazyLock::new(|| regex::Regex::new(ROLE_ARN_PATTERN));

/// One AssumeRole of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AssumeStep {
    /// The role ARN.
    pub role: String,
    /// The store field naming it (`spec.aws.additionalRoles[1]`, `spec.aws.role`), for messages.
    pub field: String,
    /// `ExternalId` (only on `role`).
    pub external_id: Option<String>,
    /// `Tags`, in the spec's order (only on `role`).
    pub session_tags: Vec<(String, String)>,
    /// `TransitiveTagKeys` (only on `role`, only with tags).
    pub transitive_tag_keys: Vec<String>,
}

/// The roles a store's client acts through, on top of its base credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RoleChain {
    /// With web identity: the role the ServiceAccount token is exchanged for (and its field).
    pub web_identity: Option<(String, String)>,
    /// The AssumeRole calls, in order, each signed with the credentials of the one before.
    pub assume: Vec<AssumeStep>,
}

impl RoleChain {
    /// How many roles the chain takes (web identity included).
    pub fn len(&self) -> usize {
        usize::from(self.web_identity.is_some()) + self.assume.len()
    }

    /// Whether the store acts with its base credentials themselves.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The role ARNs in the order they are taken.
    pub fn roles(&self) -> Vec<&str> {
        self.web_identity
            .iter()
            .map(|(r, _)| r.as_str())
            .chain(self.assume.iter().map(|s| s.role.as_str()))
            .collect()
    }
}

fn not_ready(message: String) -> SyncError {
    SyncError::new(Reason::StoreNotReady, message)
}

/// The role chain of a store's `aws` block (`web_identity`: the base credentials are a
/// ServiceAccount's tokens) as taken for `who` (the controller's session tags name it), or the
/// first thing wrong with it. The CRD checks the same; objects it did not check (stored before it
/// did) are refused here.
pub fn plan_role_chain(
    aws: &AwsProvider,
    web_identity: bool,
    who: &SessionFor<'_>,
) -> Result<RoleChain, SyncError> {
    if aws.additional_roles.len() > MAX_ADDITIONAL_ROLES {
        return Err(not_ready(format!(
            "spec.aws.additionalRoles has {} roles; at most {MAX_ADDITIONAL_ROLES}",
            aws.additional_roles.len()
        )));
    }
    let mut roles: Vec<(String, String)> = aws
        .additional_roles
        .iter()
        .enumerate()
        .map(|(i, r)| (r.clone(), format!("spec.aws.additionalRoles[{i}]")))
        .collect();
    roles.extend(aws.role.iter().map(|r| (r.clone(), "spec.aws.role".into())));
    for (role, field) in &roles {
        if !ROLE_ARN.as_ref().is_ok_and(|re| re.is_match(role)) {
            return Err(not_ready(format!(
                "{field} {role:?} is not an IAM role ARN"
            )));
        }
    }
    let tags = role_session_tags(aws, who)?;
    let transitive = transitive_tag_keys(aws, &tags)?;
    if !tags.is_empty() && aws.role.is_none() {
        return Err(not_ready(
            "spec.aws.sessionTags requires spec.aws.role (they are sent with its AssumeRole)"
                .into(),
        ));
    }
    let mut roles = roles.into_iter();
    let web_identity = match web_identity {
        true => Some(roles.next().ok_or_else(|| {
            not_ready(
                "auth.serviceAccountRef needs role (the role its token is exchanged for)".into(),
            )
        })?),
        false => None,
    };
    let mut assume: Vec<AssumeStep> = roles
        .map(|(role, field)| AssumeStep {
            role,
            field,
            ..AssumeStep::default()
        })
        .collect();
    match assume
        .last_mut()
        .filter(|s| aws.role.as_ref() == Some(&s.role))
    {
        Some(last) => {
            last.external_id = aws.external_id.clone();
            last.session_tags = tags;
            last.transitive_tag_keys = transitive;
        }
        // `role` is the web identity's (or absent): its AssumeRoleWithWebIdentity carries neither
        // external id nor tags. An external id there has always been ignored; tags are refused.
        None if !tags.is_empty() => {
            let which = match aws.session_tags_policy.is_none() {
                true => "spec.aws.sessionTags need",
                false => "spec.aws.sessionTagsPolicy needs",
            };
            return Err(not_ready(format!(
                "with auth.serviceAccountRef, {which} spec.aws.additionalRoles: the first role of \
                 the chain is taken with AssumeRoleWithWebIdentity, which carries no session tags"
            )));
        }
        None => {}
    }
    Ok(RoleChain {
        web_identity,
        assume,
    })
}

/// `transitiveTagKeys`, each a key of `tags`, each once.
fn transitive_tag_keys(
    aws: &AwsProvider,
    tags: &[(String, String)],
) -> Result<Vec<String>, SyncError> {
    if aws.transitive_tag_keys.len() > MAX_SESSION_TAGS {
        return Err(not_ready(format!(
            "spec.aws.transitiveTagKeys has {} keys; at most {MAX_SESSION_TAGS}",
            aws.transitive_tag_keys.len()
        )));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, key) in aws.transitive_tag_keys.iter().enumerate() {
        if !tags.iter().any(|(k, _)| k == key) {
            let of = match aws.session_tags_policy.is_none() {
                true => "a spec.aws.sessionTags entry",
                false => "a tag spec.aws.sessionTagsPolicy sends",
            };
            return Err(not_ready(format!(
                "spec.aws.transitiveTagKeys[{i}] {key:?} is not the key of {of}"
            )));
        }
        if !out.contains(key) {
            out.push(key.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "role_chain_tests.rs"]
mod tests;
