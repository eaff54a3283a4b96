//! ESO's role chain and STS session tags of an AWS store: `additionalRoles`, `sessionTags`,
//! `transitiveTagKeys`, `sessionTagsPolicy` and `customSessionTags` (v2.9.0,
//! `providers/v1/aws/auth/auth.go` `createConfiguration` and `provider.go` `buildSessionTags`).
//!
//! ESO assumes each of `additionalRoles` in order with a bare AssumeRole, then `role` with
//! `externalID`, the session tags and the transitive keys; with `jwt` auth the ServiceAccount's
//! token is first exchanged for the role of its annotation. secretsync's chain is the same list with
//! the web identity taking its first role, so the jwt role becomes the first of `additionalRoles`.
//! Without `role` ESO sends no tags at all. `sessionTagsPolicy: Simple|Custom` replaces
//! `sessionTags` with `esoNamespace` (the ExternalSecret's namespace), `esoStoreName`,
//! `esoStoreKind` (and, for Custom, the non-empty `customSessionTags`): secretsync has the same
//! fields, so they are written as they are (the controller sets those tags for each reading
//! namespace, on either store kind).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::report::{Fields, Refusals};
use crate::api::{AwsProvider, StoreKind};
use crate::core::tenancy::role_chain::{SessionFor, plan_role_chain};

/// The tags ESO's policies add, which `customSessionTags` may not name.
const RESERVED: [&str; 3] = crate::api::CONTROLLER_TAG_KEYS;

/// The role and tag fields of ESO's `spec.provider.aws`, taken before its unknown fields are checked.
pub(crate) struct EsoRoleFields<'a> {
    additional: Option<(&'a Value, String)>,
    tags: Option<(&'a Value, String)>,
    transitive: Option<(&'a Value, String)>,
    policy: Option<(&'a str, String)>,
    custom: Option<(&'a Value, String)>,
}

/// What the store is, for the tags ESO's policies derive from it.
pub(crate) struct StoreMeta<'a> {
    /// A ClusterSecretStore.
    pub(crate) cluster: bool,
    /// A SecretStore's namespace, when the manifest names one.
    pub(crate) namespace: Option<&'a str>,
    /// `metadata.name`.
    pub(crate) name: &'a str,
}

impl<'a> EsoRoleFields<'a> {
    /// Takes the fields from `f` (ESO's `spec.provider.aws`).
    pub(crate) fn take(f: &mut Fields<'a>, r: &mut Refusals) -> Self {
        let at = |f: &mut Fields<'a>, key: &'static str| f.take(key).map(|v| (v, f.at(key)));
        let additional = at(f, "additionalRoles");
        let tags = at(f, "sessionTags");
        let transitive = at(f, "transitiveTagKeys");
        let custom = at(f, "customSessionTags");
        let policy = f
            .string("sessionTagsPolicy", r)
            .map(|p| (p, f.at("sessionTagsPolicy")));
        Self {
            additional,
            tags,
            transitive,
            policy,
            custom,
        }
    }
}

/// A list of strings, or a refusal of the object.
fn strings(v: &Value, path: &str, r: &mut Refusals) -> Option<Vec<String>> {
    let list = v.as_array().and_then(|l| {
        l.iter()
            .map(|s| s.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
    });
    if list.is_none() {
        r.refuse_object(path, "expected a list of strings");
    }
    list
}

/// Writes secretsync's `additionalRoles`, `role`, `sessionTags` and `transitiveTagKeys` into `out`
/// (`role`: ESO's `role`; `web_identity_role`: the jwt ServiceAccount's role). Anything secretsync
/// would assume or tag differently refuses the object: the session's identity would change.
pub(crate) fn convert_roles(
    fields: EsoRoleFields<'_>,
    role: Option<&str>,
    web_identity_role: Option<String>,
    store: &StoreMeta<'_>,
    out: &mut Map<String, Value>,
    r: &mut Refusals,
) {
    let additional = match &fields.additional {
        Some((v, at)) => match strings(v, at, r) {
            Some(l) => l,
            None => return,
        },
        None => Vec::new(),
    };
    // ESO's chain: the jwt role, the additional roles, then `role`. secretsync's web identity takes
    // the first role of the same list and needs `role`: without ESO's, the chain's last is `role`.
    let jwt = web_identity_role.is_some();
    let mut chain: Vec<String> = web_identity_role.into_iter().chain(additional).collect();
    let last = match role {
        Some(r) => Some(r.to_string()),
        None if jwt => chain.pop(),
        None => None,
    };
    if !chain.is_empty() {
        out.insert("additionalRoles".into(), json!(chain));
    }
    if let Some(last) = last {
        out.insert("role".into(), last.into());
    }
    let Some(tags) = session_tags(&fields, r) else {
        return;
    };
    let transitive = match &fields.transitive {
        Some((v, at)) => match strings(v, at, r) {
            Some(l) => l,
            None => return,
        },
        None => Vec::new(),
    };
    let keys: Vec<String> = match &tags {
        Tags::Own(t) => t.iter().map(|(k, _)| k.clone()).collect(),
        Tags::Policy(_, custom) => crate::api::CONTROLLER_TAG_KEYS
            .iter()
            .map(|k| k.to_string())
            .chain(custom.keys().cloned())
            .collect(),
    };
    if role.is_none() {
        if !keys.is_empty() || !transitive.is_empty() {
            r.note(
                "spec.provider.aws: session tags and transitive tag keys are left out: without role \
                 ESO sends none",
            );
        }
    } else {
        match &tags {
            Tags::Own(t) if !t.is_empty() => {
                let list: Vec<Value> = t
                    .iter()
                    .map(|(k, v)| json!({ "key": k, "value": v }))
                    .collect();
                out.insert("sessionTags".into(), Value::Array(list));
            }
            Tags::Own(_) => {}
            Tags::Policy(policy, custom) => {
                out.insert("sessionTagsPolicy".into(), (*policy).into());
                if !custom.is_empty() {
                    out.insert("customSessionTags".into(), json!(custom));
                }
            }
        }
        if let Some(key) = transitive.iter().find(|k| !keys.contains(k)) {
            let at = fields.transitive.as_ref().map_or("", |(_, at)| at.as_str());
            r.refuse_object(
                at,
                format!(
                    "{key:?} is not the key of a session tag; secretsync marks only session tags \
                     transitive"
                ),
            );
            return;
        }
        if !transitive.is_empty() {
            out.insert("transitiveTagKeys".into(), json!(transitive));
        }
    }
    // What the controller would refuse (ARNs, counts, tag keys and values) is refused here, as
    // taken for a reader (a ClusterSecretStore's are only known when it is used).
    let who = SessionFor {
        kind: match store.cluster {
            true => StoreKind::ClusterSecretStore,
            false => StoreKind::SecretStore,
        },
        store: store.name,
        namespace: Some(store.namespace.unwrap_or("reader")),
    };
    let checked = serde_json::from_value::<AwsProvider>(Value::Object(out.clone()))
        .map_err(|e| e.to_string())
        .and_then(|aws| plan_role_chain(&aws, is_web_identity(out), &who).map_err(|e| e.message));
    if let Err(reason) = checked {
        r.refuse_object("spec.provider.aws", reason.replace("spec.aws.", ""));
    }
}

fn is_web_identity(out: &Map<String, Value>) -> bool {
    out.get("auth")
        .is_some_and(|a| a.get("serviceAccountRef").is_some())
}

/// The session tags ESO sends (given `role`).
enum Tags {
    /// `sessionTags` (no policy, or `None`).
    Own(Vec<(String, String)>),
    /// `sessionTagsPolicy` `Simple` or `Custom`, with the non-empty `customSessionTags` (Custom).
    Policy(&'static str, BTreeMap<String, String>),
}

/// The session tags ESO sends (given `role`): the policy when it sets one, else `sessionTags`; None
/// when the object is refused.
fn session_tags(fields: &EsoRoleFields<'_>, r: &mut Refusals) -> Option<Tags> {
    let manual = match &fields.tags {
        Some((v, at)) => manual_tags(v, at, r)?,
        None => Vec::new(),
    };
    let policy = fields.policy.as_ref().map(|(p, at)| (*p, at.as_str()));
    let custom = match (&fields.custom, policy) {
        (Some((v, at)), Some(("Custom", _))) => Some(custom_tags(v, at, r)?),
        (Some((_, at)), _) => {
            r.note(format!(
                "{at} is left out: ESO reads it only with sessionTagsPolicy: Custom"
            ));
            None
        }
        (None, _) => None,
    };
    let policy = match policy {
        None | Some(("None", _)) => return Some(Tags::Own(manual)),
        Some(("Simple", at)) => ("Simple", at),
        Some(("Custom", at)) => ("Custom", at),
        Some((other, at)) => {
            r.refuse_object(
                at,
                format!("{other:?} is not a session tags policy (None, Simple or Custom)"),
            );
            return None;
        }
    };
    if !manual.is_empty() {
        r.note(format!(
            "{}: {} replaces sessionTags in ESO, so they are left out",
            policy.1, policy.0
        ));
    }
    Some(Tags::Policy(policy.0, custom.unwrap_or_default()))
}

/// ESO's `sessionTags`: a list of `{key, value}`.
fn manual_tags(v: &Value, path: &str, r: &mut Refusals) -> Option<Vec<(String, String)>> {
    let Some(list) = v.as_array() else {
        r.refuse_object(path, "expected a list of {key, value}");
        return None;
    };
    let mut out = Vec::new();
    for (i, tag) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let mut f = Fields::new(tag, &at, r);
        let key = f.string("key", r);
        let value = f.string("value", r);
        f.finish(r);
        match key {
            Some(k) => out.push((k.to_string(), value.unwrap_or_default().to_string())),
            None => {
                r.refuse_object(at, "a session tag needs a key");
                return None;
            }
        }
    }
    Some(out)
}

/// ESO's `customSessionTags`: a string map; empty keys and values are dropped as ESO does, and the
/// reserved keys (which ESO's API server refuses) refuse the object.
fn custom_tags(v: &Value, path: &str, r: &mut Refusals) -> Option<BTreeMap<String, String>> {
    let Some(map) = v.as_object() else {
        r.refuse_object(path, "expected a map of strings");
        return None;
    };
    let mut out = BTreeMap::new();
    for (k, v) in map {
        let Some(v) = v.as_str() else {
            r.refuse_object(format!("{path}.{k}"), "expected a string");
            return None;
        };
        if RESERVED.contains(&k.as_str()) {
            r.refuse_object(
                format!("{path}.{k}"),
                "reserved for the tags ESO adds itself (ESO's API server refuses it)",
            );
            return None;
        }
        if k.is_empty() || v.is_empty() {
            r.note(format!(
                "{path}.{k}: left out: ESO ignores custom tags with an empty key or value"
            ));
            continue;
        }
        out.insert(k.clone(), v.to_string());
    }
    Some(out)
}

#[cfg(test)]
#[path = "store_roles_tests.rs"]
mod tests;
