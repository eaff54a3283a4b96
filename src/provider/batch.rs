//! Coalescing current-value reads: reads of one store configuration that arrive within a short window
//! go out as one batch call (BatchGetSecretValue: at most 20 secrets; GetParameters: at most 10
//! parameters); a lone read stays a single read.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::core::remote::RemoteSecret;

use super::ProviderError;

/// How long the first read of a batch waits for others to join it.
pub const WINDOW: Duration = Duration::from_millis(50);
/// Most secrets one BatchGetSecretValue call may name.
pub const MAX_BATCH: usize = 20;
/// Most parameters one GetParameters call may name.
pub const MAX_PARAMETERS: usize = 10;

/// One read waiting in a batch: the secret, the version detection expects (if any), the reply.
pub struct Waiter {
    /// Secret name or ARN as the spec names it.
    pub key: String,
    /// The AWSCURRENT version id detection saw; a batch answer with another version is not used.
    pub expected: Option<String>,
    /// Where the result goes.
    pub reply: oneshot::Sender<Result<RemoteSecret, ProviderError>>,
}

/// Pending batches per store configuration scope, and scopes where the batch call is denied.
pub struct Batches {
    max: usize,
    pending: Mutex<HashMap<Arc<str>, Pending>>,
    denied: Mutex<HashSet<Arc<str>>>,
}

/// The reads gathered for one scope, and the distinct secrets they name.
#[derive(Default)]
struct Pending {
    waiters: Vec<Waiter>,
    keys: HashSet<String>,
}

/// What a read that joined a batch does next.
#[derive(Debug)]
pub enum Joined {
    /// It opened the batch: wait [`WINDOW`], then send what has gathered.
    Leader,
    /// It filled the batch to [`MAX_BATCH`]: send it now.
    Full(Vec<Waiter>),
    /// Someone else sends it.
    Member,
}

impl std::fmt::Debug for Waiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waiter")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Batches {
    /// Batches of at most `max` distinct keys per call.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            pending: Mutex::default(),
            denied: Mutex::default(),
        }
    }

    /// Most distinct keys per call.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Adds a read to its scope's pending batch. A batch naming `max` distinct secrets is
    /// full and taken at once (no reason to wait out the window; more readers of the same secrets
    /// may keep joining until then); a leader that wakes to find its batch gone sends whatever
    /// gathered since.
    pub fn join(&self, scope: &Arc<str>, waiter: Waiter) -> Joined {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let batch = pending.entry(scope.clone()).or_default();
        batch.keys.insert(waiter.key.clone());
        batch.waiters.push(waiter);
        if batch.keys.len() >= self.max {
            return Joined::Full(pending.remove(scope).map(|p| p.waiters).unwrap_or_default());
        }
        match batch.waiters.len() {
            1 => Joined::Leader,
            _ => Joined::Member,
        }
    }

    /// Adds `waiter` to its scope's batch and, when this read opened it (after [`WINDOW`]) or filled
    /// it, sends the batch with `send`; otherwise another read sends it. The answer arrives on the
    /// waiter's reply channel either way.
    pub async fn join_and_send<F, Fut>(&self, scope: &Arc<str>, waiter: Waiter, send: F)
    where
        F: FnOnce(Vec<Waiter>) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        match self.join(scope, waiter) {
            Joined::Leader => {
                tokio::time::sleep(WINDOW).await;
                send(self.take(scope)).await;
            }
            Joined::Full(waiters) => send(waiters).await,
            Joined::Member => {}
        }
    }

    /// Takes every read waiting for `scope`.
    pub fn take(&self, scope: &Arc<str>) -> Vec<Waiter> {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(scope)
            .map(|p| p.waiters)
            .unwrap_or_default()
    }

    /// Remembers that the batch call is denied for `scope` (reads then go one by one).
    pub fn deny(&self, scope: &Arc<str>) {
        self.denied
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(scope.clone());
    }

    /// Whether the batch call is denied for `scope`.
    pub fn is_denied(&self, scope: &Arc<str>) -> bool {
        self.denied
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(scope)
    }
}

/// Groups the secrets of waiting reads into calls: unique keys, at most `max` per call, in
/// first-asked order.
pub fn group(keys: &[&str], max: usize) -> Vec<Vec<String>> {
    let mut seen = HashSet::new();
    let unique: Vec<String> = keys
        .iter()
        .filter(|k| seen.insert(**k))
        .map(|k| k.to_string())
        .collect();
    unique.chunks(max).map(<[String]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_unique_keys_in_calls_of_twenty() {
        let keys: Vec<String> = (0..45).map(|i| format!("s{i}")).collect();
        let mut refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        refs.extend(["s0", "s1", "s44"]);
        let calls = group(&refs, MAX_BATCH);
        assert_eq!(
            calls.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![20, 20, 5]
        );
        assert_eq!(calls[0][0], "s0");
        assert_eq!(calls.concat().len(), 45, "each secret once");
        assert!(group(&[], MAX_BATCH).is_empty());
        assert_eq!(group(&["a", "a"], MAX_BATCH), vec![vec!["a".to_string()]]);
        assert_eq!(
            group(&refs, MAX_PARAMETERS)
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>(),
            vec![10, 10, 10, 10, 5]
        );
    }

    #[test]
    fn the_first_read_leads_and_take_empties() {
        let b = Batches::new(MAX_BATCH);
        let scope: Arc<str> = "s#1".into();
        let (tx1, _rx1) = oneshot::channel();
        let (tx2, _rx2) = oneshot::channel();
        let w = |key: &str, reply| Waiter {
            key: key.into(),
            expected: None,
            reply,
        };
        assert!(matches!(b.join(&scope, w("a", tx1)), Joined::Leader));
        assert!(matches!(b.join(&scope, w("b", tx2)), Joined::Member));
        assert_eq!(b.take(&scope).len(), 2);
        assert!(b.take(&scope).is_empty());
        // The twentieth read takes the full batch at once; the next one opens a new batch.
        for i in 0..MAX_BATCH - 1 {
            let (tx, _rx) = oneshot::channel();
            let joined = b.join(&scope, w(&format!("k{i}"), tx));
            if i == 0 {
                assert!(matches!(joined, Joined::Leader));
            } else {
                assert!(matches!(joined, Joined::Member));
            }
        }
        let (tx, _rx) = oneshot::channel();
        match b.join(&scope, w("last", tx)) {
            Joined::Full(batch) => assert_eq!(batch.len(), MAX_BATCH),
            other => panic!("expected a full batch, got {other:?}"),
        }
        assert!(
            b.take(&scope).is_empty(),
            "the leader wakes to an empty batch"
        );
        let (tx, _rx) = oneshot::channel();
        assert!(matches!(b.join(&scope, w("next", tx)), Joined::Leader));
        // Many readers of the same secrets do not fill a batch: only distinct secrets count.
        for i in 0..3 * MAX_BATCH {
            let (tx, _rx) = oneshot::channel();
            let joined = b.join(&scope, w(["next", "shared"][i % 2], tx));
            assert!(matches!(joined, Joined::Member));
        }
        assert_eq!(b.take(&scope).len(), 3 * MAX_BATCH + 1);
        assert!(!b.is_denied(&scope));
        b.deny(&scope);
        assert!(b.is_denied(&scope));
    }
}
