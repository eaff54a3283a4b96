//! The ClusterExternalSecret reconciler (cluster-wide installations only): keeps one ExternalSecret in
//! every matching namespace, following the plan of [`crate::core::cluster_es`]. It creates with a
//! plain create (never adopting what appeared meanwhile), updates only its own ExternalSecrets (label
//! and owner uid, the uid also as the write's precondition) and deletes only those.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, OwnerReference, Time};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};

use super::context::{Context, apply_status};
use super::external_secret::Error;
use crate::api::{
    ClusterExternalSecret, ClusterExternalSecretNamespaceFailure, ClusterExternalSecretStatus,
    ExternalSecret,
};
use crate::core::cluster_es::{
    CLUSTER_EXTERNAL_SECRET_LABEL, NamespaceInfo, Owned, Step, external_secret_name, matches, plan,
};

/// Field manager of the ExternalSecrets a ClusterExternalSecret writes.
const MANAGER: &str = "secretsync-cluster-external-secret";
/// Default `refreshTime`.
const DEFAULT_REFRESH: Duration = Duration::from_secs(60);
/// When to look again if the watch caches are not there yet.
const CACHES_NOT_READY: Duration = Duration::from_secs(2);

/// Reconciles one ClusterExternalSecret.
pub async fn reconcile(
    ces: Arc<ClusterExternalSecret>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let ces_name = ces.name_any();
    let uid = ces.uid().unwrap_or_default();
    let requeue = ces
        .spec
        .refresh_time
        .as_deref()
        .and_then(|t| crate::core::duration::parse(t).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(DEFAULT_REFRESH);
    if ces.meta().deletion_timestamp.is_some() {
        // The ExternalSecrets carry it as owner: the garbage collector removes them.
        return Ok(Action::await_change());
    }
    // Both caches complete first: a namespace list not yet loaded would look like "nothing matches"
    // and delete every copy.
    let (Some(ns_cache), Some(es_cache)) = (ctx.stores.namespaces.get(), ctx.external_secrets.get())
    else {
        return Ok(Action::requeue(CACHES_NOT_READY));
    };
    if ns_cache.wait_until_ready().await.is_err() || es_cache.wait_until_ready().await.is_err() {
        return Ok(Action::requeue(CACHES_NOT_READY));
    }
    let name = external_secret_name(&ces.spec, &ces_name).to_string();
    let namespaces: Vec<NamespaceInfo> = ns_cache
        .state()
        .iter()
        .map(|n| NamespaceInfo {
            name: n.name_any(),
            labels: n.labels().clone(),
            terminating: n.metadata.deletion_timestamp.is_some(),
        })
        .collect();
    let matching: BTreeSet<String> = namespaces
        .iter()
        .filter(|n| matches(&ces.spec, n))
        .map(|n| n.name.clone())
        .collect();
    let desired = desired_external_secret(&ces, &name, &uid);
    let all = es_cache.state();
    let mut owned = Vec::new();
    let mut foreign = BTreeSet::new();
    for es in &all {
        let ns = es.namespace().unwrap_or_default();
        if is_ours(es, &ces_name, &uid) {
            owned.push(Owned {
                namespace: ns,
                name: es.name_any(),
                current: is_current(es, &desired),
            });
        } else if es.name_any() == name {
            foreign.insert(ns);
        }
    }
    let mut provisioned = Vec::new();
    let mut failed = Vec::new();
    for step in plan(&matching, &name, &owned, &foreign) {
        let result = match &step {
            Step::Keep(ns) => Ok(ns.clone()),
            Step::Create(ns) => create(&ctx, ns, &desired).await.map(|_| ns.clone()),
            Step::Update(ns) => {
                let es_uid = all
                    .iter()
                    .find(|e| e.namespace().as_deref() == Some(ns) && e.name_any() == name)
                    .and_then(|e| e.uid());
                update(&ctx, ns, &desired, es_uid).await.map(|_| ns.clone())
            }
            Step::Conflict(ns) => Err((
                ns.clone(),
                format!(
                    "an ExternalSecret {name:?} that this ClusterExternalSecret did not create exists; left alone"
                ),
            )),
            Step::Delete(ns, old) => {
                let api: Api<ExternalSecret> = Api::namespaced(ctx.client.clone(), ns);
                match api.delete(old, &DeleteParams::default()).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(e)) if e.code == 404 => {}
                    Err(e) => {
                        tracing::warn!(namespace = %ns, name = %old, error = %e, "deleting a ClusterExternalSecret's ExternalSecret")
                    }
                }
                continue;
            }
        };
        match result {
            Ok(ns) => provisioned.push(ns),
            Err((namespace, reason)) => {
                failed.push(ClusterExternalSecretNamespaceFailure { namespace, reason })
            }
        }
    }
    let status = status_of(&ces, &name, provisioned, failed);
    if ces.status.as_ref() != Some(&status) {
        let api: Api<ClusterExternalSecret> = Api::all(ctx.client.clone());
        apply_status(&api, &ces_name, &status)
            .await
            .map_err(|e| Error::Status(format!("ClusterExternalSecret/{ces_name}"), e))?;
    }
    Ok(Action::requeue(requeue))
}

/// Retries a failed status write after a while.
pub fn error_policy(_: Arc<ClusterExternalSecret>, err: &Error, _: Arc<Context>) -> Action {
    tracing::warn!(error = %err, "ClusterExternalSecret reconcile failed");
    Action::requeue(Duration::from_secs(10))
}

fn is_ours(es: &ExternalSecret, ces_name: &str, uid: &str) -> bool {
    es.labels()
        .get(CLUSTER_EXTERNAL_SECRET_LABEL)
        .map(String::as_str)
        == Some(ces_name)
        && es
            .owner_references()
            .iter()
            .any(|o| o.kind == "ClusterExternalSecret" && o.uid == uid)
}

/// Whether an ExternalSecret of ours holds the desired spec, labels and annotations.
fn is_current(es: &ExternalSecret, desired: &ExternalSecret) -> bool {
    let subset = |have: &BTreeMap<String, String>, want: &BTreeMap<String, String>| {
        want.iter().all(|(k, v)| have.get(k) == Some(v))
    };
    es.spec == desired.spec
        && subset(es.labels(), desired.labels())
        && subset(es.annotations(), desired.annotations())
}

/// The ExternalSecret every matching namespace gets (namespace set at write time).
fn desired_external_secret(ces: &ClusterExternalSecret, name: &str, uid: &str) -> ExternalSecret {
    let mut es = ExternalSecret::new(name, ces.spec.external_secret_spec.clone());
    let meta = ces
        .spec
        .external_secret_metadata
        .clone()
        .unwrap_or_default();
    let mut labels = meta.labels;
    labels.insert(CLUSTER_EXTERNAL_SECRET_LABEL.into(), ces.name_any());
    es.metadata.labels = Some(labels);
    es.metadata.annotations = (!meta.annotations.is_empty()).then_some(meta.annotations);
    es.metadata.owner_references = Some(vec![OwnerReference {
        api_version: ClusterExternalSecret::api_version(&()).into_owned(),
        kind: ClusterExternalSecret::kind(&()).into_owned(),
        name: ces.name_any(),
        uid: uid.to_string(),
        controller: Some(true),
        block_owner_deletion: None,
    }]);
    es
}

async fn create(ctx: &Context, ns: &str, desired: &ExternalSecret) -> Result<(), (String, String)> {
    let api: Api<ExternalSecret> = Api::namespaced(ctx.client.clone(), ns);
    let mut es = desired.clone();
    es.metadata.namespace = Some(ns.to_string());
    match api.create(&PostParams::default(), &es).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 409 => {
            // Ours, created by an earlier reconcile the cache has not shown yet: nothing to do.
            let uid = owner_uid(desired);
            match api.get_opt(&es.name_any()).await {
                Ok(Some(found)) if is_ours(&found, &es_owner_name(desired), &uid) => Ok(()),
                _ => Err((
                    ns.to_string(),
                    "an ExternalSecret of that name that this ClusterExternalSecret did not create exists; left alone"
                        .into(),
                )),
            }
        }
        Err(e) => Err((ns.to_string(), format!("creating the ExternalSecret: {e}"))),
    }
}

fn owner_uid(desired: &ExternalSecret) -> String {
    desired
        .owner_references()
        .first()
        .map(|o| o.uid.clone())
        .unwrap_or_default()
}

fn es_owner_name(desired: &ExternalSecret) -> String {
    desired
        .labels()
        .get(CLUSTER_EXTERNAL_SECRET_LABEL)
        .cloned()
        .unwrap_or_default()
}

async fn update(
    ctx: &Context,
    ns: &str,
    desired: &ExternalSecret,
    uid: Option<String>,
) -> Result<(), (String, String)> {
    let api: Api<ExternalSecret> = Api::namespaced(ctx.client.clone(), ns);
    let mut es = desired.clone();
    es.metadata.namespace = Some(ns.to_string());
    // The uid is a precondition: a different object of the same name is never overwritten.
    es.metadata.uid = uid;
    let name = es.name_any();
    match api
        .patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(&es),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => Err((ns.to_string(), format!("updating the ExternalSecret: {e}"))),
    }
}

fn status_of(
    ces: &ClusterExternalSecret,
    name: &str,
    mut provisioned: Vec<String>,
    mut failed: Vec<ClusterExternalSecretNamespaceFailure>,
) -> ClusterExternalSecretStatus {
    provisioned.sort();
    failed.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    let old = ces.status.clone().unwrap_or_default();
    let (status, reason, message) = if failed.is_empty() {
        (
            "True",
            "Provisioned",
            format!(
                "ExternalSecret {name:?} kept in {} namespace(s)",
                provisioned.len()
            ),
        )
    } else {
        (
            "False",
            "NamespacesFailed",
            format!(
                "ExternalSecret {name:?} could not be kept in {} namespace(s): see failedNamespaces",
                failed.len()
            ),
        )
    };
    let previous = old.conditions.iter().find(|c| c.type_ == "Ready");
    let same = previous.is_some_and(|c| c.status == status);
    let condition = Condition {
        type_: "Ready".into(),
        status: status.into(),
        reason: reason.into(),
        message,
        observed_generation: ces.metadata.generation,
        last_transition_time: match previous {
            Some(c) if same => c.last_transition_time.clone(),
            _ => Time(Timestamp::now()),
        },
    };
    ClusterExternalSecretStatus {
        conditions: vec![condition],
        observed_generation: ces.metadata.generation,
        external_secret_name: Some(name.to_string()),
        provisioned_namespaces: provisioned,
        failed_namespaces: failed,
    }
}
