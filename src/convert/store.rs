//! ESO `SecretStore` / `ClusterSecretStore` (AWS provider) to secretsync's.

use serde_json::{Map, Value, json};

use super::StoreIndex;
use super::report::{Fields, Refusals};
use super::store_roles::{EsoRoleFields, StoreMeta, convert_roles};
use crate::api::ROLE_ARN_PATTERN;

/// The ServiceAccount annotation ESO reads the web identity role from.
pub(crate) const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// The ServiceAccount annotation ESO reads the token audience from.
pub(crate) const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
/// ESO's token audience when the ServiceAccount names none.
const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";

/// Converts a store spec; `cluster` for a ClusterSecretStore, `namespace` of a SecretStore.
/// None when the store cannot be converted (the refusals say why).
pub(crate) fn convert_spec(
    spec: &Value,
    cluster: bool,
    namespace: Option<&str>,
    index: &StoreIndex,
    r: &mut Refusals,
) -> Option<Value> {
    let mut f = Fields::new(spec, "spec", r);
    let mut out = Map::new();
    match f.take("provider") {
        Some(p) => {
            let mut pf = Fields::new(p, "spec.provider", r);
            match pf.take("aws") {
                Some(aws) => {
                    let ctx = StoreCtx {
                        cluster,
                        namespace,
                        name: &r.object().name.clone(),
                        index,
                    };
                    out.insert("aws".into(), Value::Object(aws_provider(aws, &ctx, r)));
                }
                None => {
                    let others = p.as_object().is_some_and(|m| {
                        m.iter()
                            .any(|(n, v)| n != "aws" && !super::report::is_unset(v))
                    });
                    if !others {
                        r.refuse_object("spec.provider", "no provider is set");
                    }
                }
            }
            if let Some(map) = p.as_object() {
                for (name, v) in map.iter().filter(|(n, _)| *n != "aws") {
                    if !super::report::is_unset(v) {
                        r.refuse_object(
                            format!("spec.provider.{name}"),
                            format!("provider {name} is not supported (AWS only)"),
                        );
                    }
                }
            }
        }
        None => r.refuse_object("spec.provider", "required"),
    }
    if let Some(class) = f.string("controller", r) {
        r.note(format!(
            "{}: controller class {class:?} left out: every secretsync controller serves every store \
             (run one secretsync per cluster, or per namespace with --watch-namespace)",
            f.at("controller")
        ));
    }
    if let Some(rs) = f.take("retrySettings")
        && let Some(settings) = retry_settings(rs, &f.at("retrySettings"), r)
        && let Some(Value::Object(aws)) = out.get_mut("aws")
    {
        aws.insert("retrySettings".into(), settings);
    }
    if f.take("refreshInterval").is_some() {
        r.note(format!(
            "{}: left out: secretsync checks a store when it changes and at every read, not on an interval",
            f.at("refreshInterval")
        ));
    }
    if cluster {
        if let Some(c) = f.take("conditions") {
            let conditions = conditions(c, &f.at("conditions"), r);
            if !conditions.is_empty() {
                out.insert("conditions".into(), Value::Array(conditions));
            }
        }
    } else {
        f.refuse_if_set(
            "conditions",
            "conditions apply to ClusterSecretStores only",
            r,
        );
    }
    f.finish(r);
    (!r.is_fatal()).then_some(Value::Object(out))
}

/// ESO's `spec.retrySettings` as secretsync's `spec.aws.retrySettings` (same fields, same meaning),
/// with a note when secretsync's bounds change what it asks for.
fn retry_settings(v: &Value, path: &str, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(v, path, r);
    let mut out = Map::new();
    let mut settings = crate::api::RetrySettings::default();
    if let Some(n) = f.take("maxRetries") {
        match n.as_i64().and_then(|n| i32::try_from(n).ok()) {
            Some(n) => {
                out.insert("maxRetries".into(), n.into());
                settings.max_retries = Some(n);
            }
            None => r.refuse(f.at("maxRetries"), format!("{n} is not a 32-bit integer")),
        }
    }
    if let Some(text) = f.string("retryInterval", r) {
        match super::durations::go_duration(text) {
            Some(d) => {
                settings.retry_interval = Some(d.clone());
                out.insert("retryInterval".into(), d.into());
            }
            None if text.trim_start().starts_with('-') => r.note(format!(
                "{path}.retryInterval {text:?} is negative: left out (ESO then uses the SDK's backoff, \
                 as secretsync does)"
            )),
            None => r.refuse(f.at("retryInterval"), format!("{text:?} is not a Go duration")),
        }
    }
    f.finish(r);
    if let Some(note) = crate::core::reads::retry::bounded_note(&settings) {
        r.note(format!("{path}: {note}"));
    }
    r.note(format!(
        "{path} is written as spec.aws.retrySettings: maxRetries counts attempts as in ESO; the SDK waits \
         a random part of retryInterval between them (ESO waits all of it), and a call never takes \
         more than 30 s"
    ));
    Some(Value::Object(out))
}

/// What a store's credential references are checked against.
struct StoreCtx<'a> {
    cluster: bool,
    namespace: Option<&'a str>,
    name: &'a str,
    index: &'a StoreIndex,
}

fn aws_provider(v: &Value, ctx: &StoreCtx<'_>, r: &mut Refusals) -> Map<String, Value> {
    let mut f = Fields::new(v, "spec.provider.aws", r);
    let mut out = Map::new();
    match f.string("service", r) {
        Some(s @ ("SecretsManager" | "ParameterStore" | "CertificateManager")) => {
            out.insert("service".into(), s.into());
        }
        Some(other) => r.refuse_object(
            f.at("service"),
            format!(
                "{other} is not supported (SecretsManager, ParameterStore and CertificateManager are)"
            ),
        ),
        None => r.refuse_object(f.at("service"), "required"),
    }
    match f.string("region", r) {
        Some(region) => {
            out.insert("region".into(), region.into());
        }
        None => r.refuse_object(
            f.at("region"),
            "required: secretsync does not take the region from the environment",
        ),
    }
    let role = f.string("role", r);
    if let Some(role) = role
        && !regex::Regex::new(ROLE_ARN_PATTERN).is_ok_and(|re| re.is_match(role))
    {
        r.refuse_object(f.at("role"), format!("{role:?} is not an IAM role ARN"));
    }
    let external_id = f.string("externalID", r);
    let auth = f.take("auth").map(|a| (a, f.at("auth")));
    let roles = EsoRoleFields::take(&mut f, r);
    let acm = out.get("service").and_then(|s| s.as_str()) == Some("CertificateManager");
    if let Some(prefix) = f.string("prefix", r).filter(|p| !p.is_empty() && acm) {
        r.note(format!(
            "{}: {prefix:?} is left out: ESO's Certificate Manager puts it before PushSecret keys only \
             and reads each certificate ARN as written (secretsync refuses a prefix on such a store)",
            f.at("prefix")
        ));
    } else if let Some(prefix) = f.string("prefix", r).filter(|p| !p.is_empty()) {
        out.insert("prefix".into(), prefix.into());
        r.note(format!(
            "{}: {prefix:?} is put before every data[].remoteRef.key and dataFrom[].extract.key, as in \
             ESO; a find is not prefixed and keys its matches by full name, as in ESO, except that ESO's \
             Secrets Manager find.name without find.path prefixes each match a second time (and finds \
             nothing), where secretsync reads the matches by their full names; an ARN key, or one with \
             a `..` segment, is refused under a prefix (InvalidSpec)",
            f.at("prefix")
        ));
    }
    if let Some(sm) = f.take("secretsManager") {
        let mut sf = Fields::new(sm, &f.at("secretsManager"), r);
        for key in ["forceDeleteWithoutRecovery", "recoveryWindowInDays"] {
            if sf.take(key).is_some() {
                r.note(format!(
                    "{}: left out: it applies to PushSecret deletions only, which secretsync does not run",
                    sf.at(key)
                ));
            }
        }
        sf.finish(r);
    }
    f.finish(r);
    if auth.is_none() && !ctx.cluster {
        r.note(
            "no auth: like ESO, secretsync then uses the controller's own AWS identity, but for a \
             namespaced SecretStore only when an admin allows it \
             (--namespaced-stores-use-controller-identity)",
        );
    }
    let mut web_identity_role = None;
    if let Some((a, at)) = auth {
        let (converted, role_from_sa) = aws_auth(a, &at, ctx, r);
        web_identity_role = role_from_sa;
        if let Some(converted) = converted {
            out.insert("auth".into(), converted);
        }
    }
    let store = StoreMeta {
        cluster: ctx.cluster,
        namespace: ctx.namespace,
        name: ctx.name,
    };
    convert_roles(roles, role, web_identity_role, &store, &mut out, r);
    if let Some(id) = external_id {
        if role.is_some() {
            out.insert("externalId".into(), id.into());
        } else {
            r.refuse(
                "spec.provider.aws.externalID",
                "externalId applies to spec.provider.aws.role only, which is not set",
            );
        }
    }
    order(out, &["service", "region", "role", "externalId", "auth"])
}

/// Rebuilds `map` with `keys` first, in that order.
fn order(mut map: Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for key in keys {
        if let Some(v) = map.remove(*key) {
            out.insert((*key).to_string(), v);
        }
    }
    out.extend(map);
    out
}

/// Converts `auth`; also returns the role a `jwt` ServiceAccount names (the first of the chain).
fn aws_auth(
    v: &Value,
    path: &str,
    ctx: &StoreCtx<'_>,
    r: &mut Refusals,
) -> (Option<Value>, Option<String>) {
    let mut f = Fields::new(v, path, r);
    let secret_ref = f.take("secretRef").map(|s| (s, f.at("secretRef")));
    let jwt = f.take("jwt").map(|s| (s, f.at("jwt")));
    f.finish(r);
    match (secret_ref, jwt) {
        (Some((s, at)), None) => (secret_ref_auth(s, &at, ctx, r), None),
        (None, Some((j, at))) => match jwt_auth(j, &at, ctx, r) {
            Some((auth, role)) => (Some(auth), Some(role)),
            None => (None, None),
        },
        (Some(_), Some(_)) => {
            r.refuse_object(path, "set only one of secretRef or jwt");
            (None, None)
        }
        (None, None) => (None, None),
    }
}

fn secret_ref_auth(v: &Value, path: &str, ctx: &StoreCtx<'_>, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(v, path, r);
    let mut out = Map::new();
    for (eso, ours, required) in [
        ("accessKeyIDSecretRef", "accessKeyId", true),
        ("secretAccessKeySecretRef", "secretAccessKey", true),
        ("sessionTokenSecretRef", "sessionToken", false),
    ] {
        let at = f.at(eso);
        match f.take(eso) {
            Some(sel) => {
                if let Some(sel) = key_selector(sel, &at, ctx, r) {
                    out.insert(ours.into(), sel);
                }
            }
            None if required => r.refuse_object(at, "required"),
            None => {}
        }
    }
    f.finish(r);
    Some(json!({ "secretRef": out }))
}

/// A credential reference's namespace: a SecretStore reads its own namespace (a differing one is
/// refused); a ClusterSecretStore reads the named one, or without one each ExternalSecret's own
/// (ESO's referent authentication, where `referent` allows it).
fn ref_namespace(
    ns: Option<&str>,
    path: &str,
    ctx: &StoreCtx<'_>,
    referent: bool,
    r: &mut Refusals,
) -> Option<Option<String>> {
    match (ctx.cluster, ns) {
        (true, Some(ns)) => Some(Some(ns.to_string())),
        (true, None) if referent => {
            r.note(format!(
                "{path}: no namespace, so each ExternalSecret's own namespace is read (referent \
                 authentication, as in ESO)"
            ));
            Some(None)
        }
        (true, None) => {
            r.refuse_object(
                path,
                "a ClusterSecretStore's serviceAccountRef must name the namespace: ESO's referent \
                 authentication with jwt would take each namespace's ServiceAccount's own role, \
                 secretsync assumes one role",
            );
            None
        }
        (false, Some(ns)) if Some(ns) != ctx.namespace => {
            r.refuse_object(
                path,
                format!("a SecretStore reads credentials from its own namespace, not {ns:?}"),
            );
            None
        }
        (false, _) => Some(None),
    }
}

fn key_selector(v: &Value, path: &str, ctx: &StoreCtx<'_>, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(v, path, r);
    let name = f.string("name", r);
    let key = f.string("key", r);
    let ns = f.string("namespace", r);
    let ns_at = f.at("namespace");
    f.finish(r);
    let ns = ref_namespace(ns, &ns_at, ctx, true, r)?;
    let (Some(name), Some(key)) = (name, key) else {
        r.refuse_object(path, "name and key are required");
        return None;
    };
    let mut out = json!({ "name": name, "key": key });
    if let (Some(ns), Some(o)) = (ns, out.as_object_mut()) {
        o.insert("namespace".into(), ns.into());
    }
    Some(out)
}

/// ESO's jwt auth exchanges the ServiceAccount's token for the role in its
/// `eks.amazonaws.com/role-arn` annotation (then assumes `additionalRoles` and `role` on top).
/// secretsync exchanges it for the first role of its chain, so that role leads the chain; it
/// converts only when that ServiceAccount is among the manifests.
fn jwt_auth(
    v: &Value,
    path: &str,
    ctx: &StoreCtx<'_>,
    r: &mut Refusals,
) -> Option<(Value, String)> {
    let mut f = Fields::new(v, path, r);
    let sa = f
        .take("serviceAccountRef")
        .map(|s| (s, f.at("serviceAccountRef")));
    f.finish(r);
    let Some((sa, at)) = sa else {
        r.refuse_object(format!("{path}.serviceAccountRef"), "required");
        return None;
    };
    let mut sf = Fields::new(sa, &at, r);
    let name = sf.string("name", r);
    let ns = sf.string("namespace", r);
    let ns_at = sf.at("namespace");
    let audiences: Vec<&str> = sf
        .take("audiences")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    sf.finish(r);
    let Some(name) = name else {
        r.refuse_object(format!("{at}.name"), "required");
        return None;
    };
    // ESO reads serviceAccountRef.namespace only for a ClusterSecretStore; a SecretStore uses its own.
    let (lookup_ns, ns_out) = if ctx.cluster {
        let ns = ref_namespace(ns, &ns_at, ctx, false, r)?;
        (ns.clone(), ns)
    } else {
        (ctx.namespace.map(str::to_string), None)
    };
    let shown = format!(
        "{}/{name}",
        lookup_ns.as_deref().unwrap_or("<no namespace>")
    );
    let Some(account) = ctx.index.service_account(lookup_ns.as_deref(), name) else {
        r.refuse_object(
            path,
            format!(
                "ESO assumes the role in the {ROLE_ARN_ANNOTATION} annotation of ServiceAccount \
                 {shown}; include that ServiceAccount in the input (secretsync needs the role ARN)"
            ),
        );
        return None;
    };
    let Some(role) = account.role_arn.clone() else {
        r.refuse_object(
            path,
            format!("ServiceAccount {shown} has no {ROLE_ARN_ANNOTATION} annotation"),
        );
        return None;
    };
    let mut sa_out = json!({ "name": name });
    if let Some(o) = sa_out.as_object_mut() {
        if let Some(ns) = ns_out {
            o.insert("namespace".into(), ns.into());
        }
        if !audiences.is_empty() {
            let first = account
                .audience
                .clone()
                .unwrap_or_else(|| DEFAULT_AUDIENCE.into());
            let all: Vec<Value> = std::iter::once(first.as_str())
                .chain(audiences)
                .map(Value::from)
                .collect();
            o.insert("audiences".into(), Value::Array(all));
        } else if let Some(aud) = &account.audience {
            o.insert("audiences".into(), json!([aud]));
        }
    }
    Some((json!({ "serviceAccountRef": sa_out }), role))
}

/// Converts ClusterSecretStore conditions. ESO admits a namespace when any selector or name of any
/// condition matches; a secretsync condition needs all its fields to match, so each ESO field
/// becomes a condition of its own.
fn conditions(v: &Value, path: &str, r: &mut Refusals) -> Vec<Value> {
    let mut out = Vec::new();
    let Some(items) = v.as_array() else {
        r.refuse_object(path, "expected a list");
        return out;
    };
    for (i, c) in items.iter().enumerate() {
        let mut f = Fields::new(c, &format!("{path}[{i}]"), r);
        if let Some(sel) = f.take("namespaceSelector") {
            out.push(json!({ "namespaceSelector": sel }));
        }
        if let Some(names) = f.take("namespaces") {
            out.push(json!({ "namespaces": names }));
        }
        if let Some(patterns) = f.take("namespaceRegexes") {
            let list = patterns
                .as_array()
                .filter(|l| l.iter().all(Value::is_string));
            match list {
                Some(l) => {
                    if let Some(bad) = l
                        .iter()
                        .filter_map(Value::as_str)
                        .find(|p| regex::Regex::new(p).is_err())
                    {
                        // Dropping it could leave no condition, which admits every namespace.
                        r.refuse_object(
                            f.at("namespaceRegexes"),
                            format!("{bad:?} is not a regular expression secretsync accepts"),
                        );
                    } else {
                        out.push(json!({ "namespaceRegexes": patterns }));
                    }
                }
                None => r.refuse_object(f.at("namespaceRegexes"), "expected a list of strings"),
            }
        }
        f.finish(r);
    }
    out
}
