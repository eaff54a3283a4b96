//! API discovery for generic targets: which resource serves a `target.manifest` kind, and whether it
//! is namespaced. Found kinds are cached; a miss asks the API server again every time (a CRD may be
//! installed later), and a write that finds the resource gone forgets it.

use std::collections::HashMap;
use std::sync::Mutex;

use kube::Client;
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::{Scope, pinned_kind};

use crate::core::manifest::{Discovered, GenericTarget};
use crate::core::reason::SyncError;

/// (group, version, kind).
type Key = (String, String, String);

/// Discovered kinds: the resource and whether it is namespaced.
#[derive(Default)]
pub struct Kinds {
    found: Mutex<HashMap<Key, (ApiResource, bool)>>,
}

fn key(t: &GenericTarget) -> Key {
    (t.group.clone(), t.version.clone(), t.kind.clone())
}

impl Kinds {
    /// What the API server serves for `t`: the resource (None when unknown) and what the core is
    /// told ([`Discovered`]). A transport error is a Kubernetes error, retried.
    pub async fn resolve(
        &self,
        client: &Client,
        t: &GenericTarget,
    ) -> Result<(Option<ApiResource>, Discovered), SyncError> {
        let cached = self.found.lock().ok().and_then(|m| m.get(&key(t)).cloned());
        let (resource, namespaced) = match cached {
            Some(hit) => hit,
            None => {
                let gvk = GroupVersionKind::gvk(&t.group, &t.version, &t.kind);
                match pinned_kind(client, &gvk).await {
                    Ok((resource, caps)) => {
                        let hit = (resource, caps.scope == Scope::Namespaced);
                        if let Ok(mut m) = self.found.lock() {
                            m.insert(key(t), hit.clone());
                        }
                        hit
                    }
                    Err(kube::Error::Api(s)) if s.code == 404 => {
                        return Ok((None, Discovered::Unknown));
                    }
                    Err(kube::Error::Discovery(_)) => return Ok((None, Discovered::Unknown)),
                    Err(e) => {
                        return Err(SyncError::kubernetes(
                            &format!("discovering {} {}", t.api_version(), t.kind),
                            e,
                        ));
                    }
                }
            }
        };
        let found = if namespaced {
            Discovered::Namespaced
        } else {
            Discovered::ClusterScoped
        };
        Ok((Some(resource), found))
    }

    /// Forgets `t` (its resource answered 404: the CRD went away or changed).
    pub fn forget(&self, t: &GenericTarget) {
        if let Ok(mut m) = self.found.lock() {
            m.remove(&key(t));
        }
    }
}
