//! The store `prefix` (ESO's) as the watch caches know it: for the effective spec a reconcile builds
//! before its store is resolved, and for looking readers up in the event index.

use kube::runtime::reflector::ObjectRef;

use super::StoreCaches;
use crate::api::{SecretStoreRef, StoreKind};

/// The `prefix` of the store `store_ref` names, from the watch caches only (None: not cached). The
/// reconcile builds its effective spec with it before the store is resolved, and checks it against
/// the resolved store's ([`ResolvedStore::prefix`]).
pub fn cached_prefix(
    caches: &StoreCaches,
    es_namespace: &str,
    store_ref: &SecretStoreRef,
) -> Option<String> {
    let name = store_ref.name.as_str();
    let aws = match store_ref.kind {
        StoreKind::SecretStore => {
            let key = ObjectRef::new(name).within(es_namespace);
            caches.secret_stores.get()?.get(&key)?.spec.aws.clone()
        }
        StoreKind::ClusterSecretStore => caches
            .cluster_stores
            .get()?
            .get(&ObjectRef::new(name))?
            .spec
            .aws
            .clone(),
    };
    Some(aws.prefix.unwrap_or_default())
}

/// The `prefix` of the store with id `store_id` (`SecretStore/<ns>/<name>`,
/// `ClusterSecretStore/<name>[/for/<ns>]`), from the watch caches; empty when unknown.
pub fn prefix_of_id(caches: &StoreCaches, store_id: &str) -> String {
    let mut parts = store_id.split('/');
    let found = match (parts.next(), parts.next(), parts.next()) {
        (Some("SecretStore"), Some(ns), Some(name)) => caches
            .secret_stores
            .get()
            .and_then(|c| c.get(&ObjectRef::new(name).within(ns)))
            .map(|s| s.spec.aws.prefix.clone()),
        (Some("ClusterSecretStore"), Some(name), _) => caches
            .cluster_stores
            .get()
            .and_then(|c| c.get(&ObjectRef::new(name)))
            .map(|s| s.spec.aws.prefix.clone()),
        _ => None,
    };
    found.flatten().unwrap_or_default()
}
