//! The ClusterExternalSecret reconciler (cluster-wide installations only): keeps one ExternalSecret in
//! every matching namespace, following the plan of [`crate::core::cluster_es`]. It creates with a
//! plain create (never adopting what appeared meanwhile), updates only its own ExternalSecrets (label
//! and owner uid, the uid also as the write's precondition) and deletes only those.

pub(crate) mod caches;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use kube::runtime::controller::Action;
use kube::runtime::reflector::Store;
use kube::{Resource, ResourceExt};

use super::context::{Context, apply_status, cache_loaded};
use super::error::Error;
use crate::api::{
    ClusterExternalSecret, ClusterExternalSecretNamespaceFailure, ClusterExternalSecretStatus,
    ExternalSecret,
};
pub use crate::core::cluster_es::objects::names_copy;
use crate::core::cluster_es::objects::{desired_external_secret, is_current, is_ours, same_owner};
use crate::core::cluster_es::schedule::{deletions_now, refresh_every};
use crate::core::cluster_es::status::{invalid_status, status_of};
use crate::core::cluster_es::{
    NamespaceInfo, Owned, Step, checked_plan, external_secret_name, matches,
};

/// A cache's contents once it has loaded (None before).
fn loaded<K>(cache: &std::sync::OnceLock<Store<K>>) -> Option<Vec<Arc<K>>>
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: std::hash::Hash + Eq + Clone,
{
    let store = cache.get()?;
    cache_loaded(store).then(|| store.state())
}

/// Field manager of the ExternalSecrets a ClusterExternalSecret writes.
const MANAGER: &str = "secretsync-cluster-external-secret";
/// Longest reason kept per failed namespace.
const MAX_REASON_CHARS: usize = 300;
/// When to look again if the watch caches are not there yet.
const CACHES_NOT_READY: Duration = Duration::from_secs(2);

/// Reconciles one ClusterExternalSecret.
pub async fn reconcile(
    ces: Arc<ClusterExternalSecret>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let ces_name = ces.name_any();
    let uid = ces.uid().unwrap_or_default();
    let requeue = refresh_every(&ces.spec);
    if ces.meta().deletion_timestamp.is_some() {
        // The ExternalSecrets carry it as owner: the garbage collector removes them.
        return Ok(Action::await_change());
    }
    // Both caches complete first: a namespace list not yet loaded would look like "nothing matches"
    // and delete every copy.
    let (Some(namespaces), Some(labelled), Some(all)) = (
        loaded(&ctx.cluster_caches.namespaces),
        loaded(&ctx.cluster_caches.copies),
        loaded(&ctx.external_secrets),
    ) else {
        return Ok(Action::requeue(CACHES_NOT_READY));
    };
    let name = external_secret_name(&ces.spec, &ces_name).to_string();
    let matching: BTreeSet<String> = namespaces
        .iter()
        .map(|n| NamespaceInfo {
            name: n.name_any(),
            labels: n.labels().clone(),
            terminating: n.metadata.deletion_timestamp.is_some(),
        })
        .filter(|n| matches(&ces.spec, n))
        .map(|n| n.name)
        .collect();
    let desired = desired_external_secret(&ces, &name, &uid);
    let mut owned = Vec::new();
    let mut uids = BTreeMap::new();
    for es in labelled.iter().filter(|es| is_ours(es, &ces_name, &uid)) {
        let ns = es.namespace().unwrap_or_default();
        uids.insert((ns.clone(), es.name_any()), es.uid());
        owned.push(Owned {
            namespace: ns,
            name: es.name_any(),
            current: is_current(es, &desired),
        });
    }
    // An ExternalSecret of that name that is not ours (from the general cache: a create would fail
    // on it anyway).
    let foreign: BTreeSet<String> = all
        .iter()
        .filter(|es| es.name_any() == name && !is_ours(es, &ces_name, &uid))
        .filter_map(|es| es.namespace())
        .collect();
    let mut provisioned = Vec::new();
    let mut failed = Vec::new();
    let steps = match checked_plan(&ces.spec, &ces_name, &matching, &owned, &foreign) {
        Ok(steps) => steps,
        Err(problem) => {
            // Nothing is created, updated or deleted until the spec is fixed.
            write_status(
                &ctx,
                &ces,
                invalid_status(&ces, &name, problem, Time(Timestamp::now())),
            )
            .await?;
            return Ok(Action::await_change());
        }
    };
    for step in &steps {
        let result = match step {
            Step::Keep(ns) => Ok(ns.clone()),
            Step::Create(ns) => create(&ctx, ns, &desired).await.map(|_| ns.clone()),
            Step::Update(ns) => {
                let es_uid = uids.get(&(ns.clone(), name.clone())).cloned().flatten();
                update(&ctx, ns, &desired, es_uid).await.map(|_| ns.clone())
            }
            Step::Conflict(ns) => Err((
                ns.clone(),
                format!(
                    "an ExternalSecret {name:?} that this ClusterExternalSecret did not create exists; left alone"
                ),
            )),
            Step::Delete(..) => continue,
        };
        match result {
            Ok(ns) => provisioned.push(ns),
            Err((namespace, reason)) => {
                failed.push(ClusterExternalSecretNamespaceFailure { namespace, reason })
            }
        }
    }
    for (ns, old) in deletions_now(&steps, &matching, &provisioned) {
        // The uid is a precondition: a hand-made ExternalSecret created since under that name is
        // never deleted.
        let dp = DeleteParams {
            preconditions: Some(Preconditions {
                uid: uids
                    .get(&(ns.to_string(), old.to_string()))
                    .cloned()
                    .flatten(),
                resource_version: None,
            }),
            ..Default::default()
        };
        let api: Api<ExternalSecret> = Api::namespaced(ctx.client.clone(), ns);
        match api.delete(old, &dp).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 404 || e.code == 409 => {}
            Err(e) => {
                tracing::warn!(namespace = %ns, name = %old, error = %e, "deleting a ClusterExternalSecret's ExternalSecret")
            }
        }
    }
    write_status(
        &ctx,
        &ces,
        status_of(&ces, &name, provisioned, failed, Time(Timestamp::now())),
    )
    .await?;
    Ok(Action::requeue(requeue))
}

/// Writes the status when it changed.
async fn write_status(
    ctx: &Context,
    ces: &ClusterExternalSecret,
    status: ClusterExternalSecretStatus,
) -> Result<(), Error> {
    if ces.status.as_ref() == Some(&status) {
        return Ok(());
    }
    let ces_name = ces.name_any();
    let api: Api<ClusterExternalSecret> = Api::all(ctx.client.clone());
    apply_status(&api, &ces_name, &status)
        .await
        .map_err(|e| Error::Status(format!("ClusterExternalSecret/{ces_name}"), e))
}

/// A short, bounded reason for a failed write (the HTTP code and the API server's reason and message,
/// not the whole error dump): many namespaces' reasons must fit in one status.
fn short_reason(what: &str, e: &kube::Error) -> String {
    let full = match e {
        kube::Error::Api(s) => format!("{} {}: {}", s.code, s.reason, s.message),
        other => other.to_string(),
    };
    let mut text: String = full.chars().take(MAX_REASON_CHARS).collect();
    if text.len() < full.len() {
        text.push('…');
    }
    format!("{what}: {text}")
}

/// Retries a failed status write after a while.
pub fn error_policy(_: Arc<ClusterExternalSecret>, err: &Error, _: Arc<Context>) -> Action {
    tracing::warn!(error = %err, "ClusterExternalSecret reconcile failed");
    Action::requeue(Duration::from_secs(10))
}

async fn create(ctx: &Context, ns: &str, desired: &ExternalSecret) -> Result<(), (String, String)> {
    let api: Api<ExternalSecret> = Api::namespaced(ctx.client.clone(), ns);
    let mut es = desired.clone();
    es.metadata.namespace = Some(ns.to_string());
    match api.create(&PostParams::default(), &es).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 409 => {
            // Ours, created by an earlier reconcile the cache has not shown yet: nothing to do.
            match api.get_opt(&es.name_any()).await {
                Ok(Some(found)) if same_owner(&found, desired) => Ok(()),
                _ => Err((
                    ns.to_string(),
                    "an ExternalSecret of that name that this ClusterExternalSecret did not create exists; left alone"
                        .into(),
                )),
            }
        }
        Err(e) => Err((
            ns.to_string(),
            short_reason("creating the ExternalSecret", &e),
        )),
    }
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
        Err(e) => Err((
            ns.to_string(),
            short_reason("updating the ExternalSecret", &e),
        )),
    }
}
