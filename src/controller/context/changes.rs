//! What changed remotely (listings, queue events, versions other readers saw) and the status each
//! reconcile wrote: who must refresh now, and the newest status of an ExternalSecret.

use std::collections::BTreeMap;
use std::sync::Arc;

use kube::runtime::reflector::ObjectRef;

use super::Context;
use crate::api::ExternalSecret;
use crate::controller::object_states::PendingChange;
use crate::core::versions::is_compact;

impl Context {
    /// The `prefix` of store `store_id`, from the store watch caches (empty: none or unknown).
    pub fn store_prefix(&self, store_id: &str) -> String {
        crate::controller::stores::prefix_of_id(&self.stores, store_id)
    }

    /// Remembers the status just written for an ExternalSecret.
    pub fn status_written(
        &self,
        es: &ObjectRef<ExternalSecret>,
        uid: &str,
        status: &crate::api::ExternalSecretStatus,
    ) {
        let mut status = status.clone();
        // The API server keeps whole seconds: compare with what the watch cache will show, so the copy
        // is dropped once the cache has caught up.
        if let Some(t) = status.refresh_time.as_mut()
            && let Ok(whole) = jiff::Timestamp::from_second(t.0.as_second())
        {
            t.0 = whole;
        }
        self.objects.status_written(es, uid, status);
    }

    /// The ExternalSecret with the newest status known: the cached one, or the one this controller
    /// wrote last if the cache has not caught up with it yet (same generation, later refresh).
    pub fn with_written_status(&self, es: Arc<ExternalSecret>) -> Arc<ExternalSecret> {
        let Some(uid) = es.metadata.uid.as_deref() else {
            return es;
        };
        let me = ObjectRef::from_obj(es.as_ref());
        let Some(written) = self.objects.written_status(&me, uid) else {
            return es;
        };
        let cached = es.status.as_ref();
        let newer = written.observed_generation == es.metadata.generation
            && cached.is_none_or(|c| {
                c.observed_generation != written.observed_generation
                    || c.refresh_time.as_ref().map(|t| t.0)
                        < written.refresh_time.as_ref().map(|t| t.0)
            });
        if !newer {
            // The cache has caught up (or the spec moved on): the copy is no longer needed.
            self.objects.forget_written(&me);
            return es;
        }
        let mut fresh = (*es).clone();
        fresh.status = Some(written);
        Arc::new(fresh)
    }

    /// A listing of store `store_id` showed new versions of (or new) secrets `changed` (names and
    /// ARNs): every synced ExternalSecret of that store reading one of them, by name or through a
    /// `find` that may match it, refreshes now rather than at its next interval. Looked up in the
    /// reader index, not by a scan of every ExternalSecret.
    pub fn remote_changed(&self, store_id: &str, changed: &[String]) {
        let (Some(cache), Some(tx)) = (self.external_secrets.get(), self.triggers.get()) else {
            return;
        };
        let readers: Vec<ObjectRef<ExternalSecret>> = self
            .events
            .readers(&[store_id.to_string()], changed, &|id| {
                self.store_prefix(id)
            })
            .into_iter()
            .filter(|r| cache.get(r).is_some_and(|es| es.status.is_some()))
            .collect();
        if readers.is_empty() {
            return;
        }
        tracing::debug!(
            store = store_id,
            secrets = changed.len() / 2,
            readers = readers.len(),
            "listing changed; refreshing readers now"
        );
        for r in readers {
            if self.objects.ask(&r, false, true) {
                let _ = tx.send(r);
            }
        }
    }

    /// A queue event named secrets these ExternalSecrets read: each refreshes now, reading without
    /// change detection. Always re-triggers (a reconcile in flight may have read before the change).
    pub fn event_changed(
        &self,
        readers: impl IntoIterator<Item = ObjectRef<ExternalSecret>>,
    ) -> usize {
        let Some(tx) = self.triggers.get() else {
            return 0;
        };
        let mut n = 0;
        for r in readers {
            self.objects.ask(&r, true, false);
            if tx.send(r).is_ok() {
                n += 1;
            }
        }
        n
    }

    /// The refresh a listing or an event asked this ExternalSecret for, if any (see
    /// [`Context::remote_changed`], [`Context::event_changed`]).
    pub fn remote_change_pending(&self, es: &ObjectRef<ExternalSecret>) -> Option<PendingChange> {
        self.objects.pending(es)
    }

    /// The refresh asked for by `seen` has looked; a newer ask stays pending.
    pub fn remote_change_handled(
        &self,
        es: &ObjectRef<ExternalSecret>,
        seen: Option<PendingChange>,
    ) {
        let Some(seen) = seen else {
            return;
        };
        self.objects.handled(es, seen);
    }

    /// Whether another ExternalSecret of store `store_id` read a version newer than `synced` for any
    /// of the same keys.
    pub fn newer_version_seen(&self, store_id: &str, synced: &BTreeMap<String, String>) -> bool {
        let seen = self.seen_versions.lock().unwrap_or_else(|p| p.into_inner());
        synced.iter().any(|(k, v)| {
            seen.get(&(store_id.to_string(), k.clone()))
                .is_some_and(|newer| newer != v)
        })
    }

    /// Records the versions one ExternalSecret just read; when some were rotations, asks every other
    /// ExternalSecret of the same store that synced an older version of those keys to refresh now.
    pub fn versions_read(
        &self,
        me: &ObjectRef<ExternalSecret>,
        store_id: &str,
        previous: &BTreeMap<String, String>,
        current: &BTreeMap<String, String>,
    ) {
        {
            let mut seen = self.seen_versions.lock().unwrap_or_else(|p| p.into_inner());
            for (k, v) in current {
                seen.insert((store_id.to_string(), k.clone()), v.clone());
            }
        }
        let rotated: Vec<&String> = current
            .iter()
            .filter(|(k, v)| previous.get(*k).is_some_and(|old| old != *v))
            .map(|(k, _)| k)
            .collect();
        if rotated.is_empty() {
            return;
        }
        let (Some(cache), Some(tx)) = (self.external_secrets.get(), self.triggers.get()) else {
            return;
        };
        // The reader index names the candidates (a key is a name or ARN, `name@stage` or
        // `name@version`; a name may hold `@` itself, so both are looked up). A compacted record's key
        // names no secret: then every ExternalSecret is a candidate.
        let candidates: Vec<ObjectRef<ExternalSecret>> = if is_compact(current) {
            cache
                .state()
                .iter()
                .map(|es| ObjectRef::from_obj(es.as_ref()))
                .collect()
        } else {
            let names: Vec<String> = rotated
                .iter()
                .flat_map(|k| {
                    std::iter::once(k.to_string())
                        .chain(k.rsplit_once('@').map(|(name, _)| name.to_string()))
                })
                .collect();
            self.events
                .readers(&[store_id.to_string()], &names, &|id| self.store_prefix(id))
                .into_iter()
                .collect()
        };
        for r in candidates {
            let Some(es) = cache.get(&r) else { continue };
            if r == *me {
                continue;
            }
            // How it records what it reads through this store (entries may name their own store).
            let ns = kube::ResourceExt::namespace(es.as_ref()).unwrap_or_default();
            let Some(label) = crate::core::store_groups::label_for(&ns, &es.spec, store_id) else {
                continue;
            };
            let stale = es.status.as_ref().is_some_and(|s| {
                rotated.iter().any(|k| {
                    s.synced_versions
                        .get(&format!("{label}{k}"))
                        .is_some_and(|v| Some(v) != current.get(*k))
                })
            });
            if stale {
                let _ = tx.send(r);
            }
        }
    }
}
