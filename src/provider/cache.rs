//! Values of immutable secret versions, shared by all ExternalSecrets and bounded in size and age.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::core::remote::RemoteSecret;

/// How long a cached version is trusted before it is read again (so revoked access is noticed).
const MAX_AGE: Duration = Duration::from_secs(600);

type Key = (String, String, String);

/// A bounded cache of (store scope, secret key, version id) → value. A version's value never changes,
/// so hits need no AWS call.
pub struct ValueCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

struct Inner {
    map: HashMap<Key, (Instant, RemoteSecret)>,
    order: VecDeque<Key>,
}

impl ValueCache {
    /// An empty cache holding at most `capacity` versions.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                order: VecDeque::new(),
            }),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A cached version, if present and fresh.
    pub fn get(&self, scope: &str, key: &str, version_id: &str) -> Option<RemoteSecret> {
        let k = (scope.to_string(), key.to_string(), version_id.to_string());
        let inner = self.lock();
        inner
            .map
            .get(&k)
            .filter(|(at, _)| at.elapsed() < MAX_AGE)
            .map(|(_, v)| v.clone())
    }

    /// Stores a version, evicting the oldest entries beyond capacity.
    pub fn put(&self, scope: &str, key: &str, secret: &RemoteSecret) {
        let k = (
            scope.to_string(),
            key.to_string(),
            secret.version_id.clone(),
        );
        let mut inner = self.lock();
        if inner
            .map
            .insert(k.clone(), (Instant::now(), secret.clone()))
            .is_none()
        {
            inner.order.push_back(k);
        }
        while inner.order.len() > self.capacity {
            if let Some(old) = inner.order.pop_front() {
                inner.map.remove(&old);
            }
        }
    }

    /// Number of cached versions.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::remote::RemoteContent;

    fn s(v: &str) -> RemoteSecret {
        RemoteSecret {
            name: "n".into(),
            arn: "a".into(),
            version_id: v.into(),
            content: RemoteContent::String("x".into()),
        }
    }

    #[test]
    fn scoped_by_store_and_version() {
        let c = ValueCache::new(10);
        c.put("store-a", "k", &s("v1"));
        assert!(c.get("store-a", "k", "v1").is_some());
        assert!(c.get("store-b", "k", "v1").is_none());
        assert!(c.get("store-a", "k", "v2").is_none());
        assert!(c.get("store-a", "other", "v1").is_none());
    }

    #[test]
    fn bounded() {
        let c = ValueCache::new(2);
        c.put("s", "k", &s("1"));
        c.put("s", "k", &s("2"));
        c.put("s", "k", &s("3"));
        assert_eq!(c.len(), 2);
        assert!(c.get("s", "k", "1").is_none());
        assert!(c.get("s", "k", "3").is_some());
    }
}
