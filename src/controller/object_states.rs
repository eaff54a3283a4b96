//! What the controller remembers about each ExternalSecret between its reconciles, in one map keyed
//! by the object's reference: consecutive failures (the backoff), the status it wrote last (the watch
//! cache may lag behind its own write) and a refresh a listing or queue event asked for.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use kube::runtime::reflector::ObjectRef;

use crate::api::{ExternalSecret, ExternalSecretStatus};

/// A refresh asked for by a listing change or a queue event, until a reconcile has looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingChange {
    /// Bumped by each new ask: a reconcile clears only the ask it saw, never a newer one.
    pub seq: u64,
    /// Asked by a queue event: read now, without change detection, even for a `find`.
    pub by_event: bool,
}

/// One ExternalSecret's state.
#[derive(Debug, Default)]
struct ObjectState {
    /// Consecutive failed reconciles.
    failures: u32,
    /// The status last written, with the uid of the object it was written to (a namesake created
    /// later is another object).
    written: Option<(String, ExternalSecretStatus)>,
    /// A refresh asked for and not yet looked at.
    pending: Option<PendingChange>,
}

impl ObjectState {
    fn is_empty(&self) -> bool {
        self.failures == 0 && self.written.is_none() && self.pending.is_none()
    }
}

/// Every ExternalSecret's state.
#[derive(Debug, Default)]
pub struct ObjectStates {
    states: Mutex<HashMap<ObjectRef<ExternalSecret>, ObjectState>>,
    /// Source of [`PendingChange::seq`] numbers.
    seq: AtomicU64,
}

impl ObjectStates {
    /// Runs `f` on `es`'s state (created empty), and drops the state if `f` leaves it empty.
    fn with<T>(&self, es: &ObjectRef<ExternalSecret>, f: impl FnOnce(&mut ObjectState) -> T) -> T {
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        let state = states.entry(es.clone()).or_default();
        let out = f(state);
        if state.is_empty() {
            states.remove(es);
        }
        out
    }

    /// Counts one more consecutive failure of `es`; returns the count.
    pub fn record_failure(&self, es: &ObjectRef<ExternalSecret>) -> u32 {
        self.with(es, |s| {
            s.failures = s.failures.saturating_add(1);
            s.failures
        })
    }

    /// Resets `es`'s failure count after a success.
    pub fn record_success(&self, es: &ObjectRef<ExternalSecret>) {
        self.with(es, |s| s.failures = 0);
    }

    /// Remembers the status just written to `es` (object `uid`).
    pub fn status_written(
        &self,
        es: &ObjectRef<ExternalSecret>,
        uid: &str,
        status: ExternalSecretStatus,
    ) {
        self.with(es, |s| s.written = Some((uid.to_string(), status)));
    }

    /// The status last written to `es` when it was object `uid`.
    pub fn written_status(
        &self,
        es: &ObjectRef<ExternalSecret>,
        uid: &str,
    ) -> Option<ExternalSecretStatus> {
        self.with(es, |s| match &s.written {
            Some((u, status)) if u == uid => Some(status.clone()),
            _ => None,
        })
    }

    /// Forgets the status written to `es` (the watch cache has caught up).
    pub fn forget_written(&self, es: &ObjectRef<ExternalSecret>) {
        self.with(es, |s| s.written = None);
    }

    /// The refresh asked for `es`, if any.
    pub fn pending(&self, es: &ObjectRef<ExternalSecret>) -> Option<PendingChange> {
        self.with(es, |s| s.pending)
    }

    /// Asks `es` to refresh (`by_event`: without change detection). With `keep_older`, an ask already
    /// pending stays as it is; returns whether a new ask was recorded.
    pub fn ask(&self, es: &ObjectRef<ExternalSecret>, by_event: bool, keep_older: bool) -> bool {
        self.with(es, |s| {
            if keep_older && s.pending.is_some() {
                return false;
            }
            let seq = self.seq.fetch_add(1, Ordering::Relaxed);
            s.pending = Some(PendingChange { seq, by_event });
            true
        })
    }

    /// The ask `seen` has been looked at; a newer ask stays pending.
    pub fn handled(&self, es: &ObjectRef<ExternalSecret>, seen: PendingChange) {
        self.with(es, |s| {
            if s.pending.is_some_and(|p| p.seq == seen.seq) {
                s.pending = None;
            }
        });
    }

    /// Forgets every ExternalSecret not in `alive`.
    pub fn retain(&self, alive: &HashSet<ObjectRef<ExternalSecret>>) {
        self.states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|es, _| alive.contains(es));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(states: &ObjectStates) -> usize {
        states
            .states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    fn es(name: &str) -> ObjectRef<ExternalSecret> {
        ObjectRef::new(name).within("ns")
    }

    #[test]
    fn failures_count_up_and_reset() {
        let states = ObjectStates::default();
        assert_eq!(states.record_failure(&es("a")), 1);
        assert_eq!(states.record_failure(&es("a")), 2);
        assert_eq!(states.record_failure(&es("b")), 1);
        states.record_success(&es("a"));
        assert_eq!(states.record_failure(&es("a")), 1);
    }

    #[test]
    fn a_written_status_belongs_to_its_object_not_a_namesake() {
        let states = ObjectStates::default();
        let status = ExternalSecretStatus::default();
        states.status_written(&es("a"), "uid-1", status.clone());
        assert_eq!(states.written_status(&es("a"), "uid-1"), Some(status));
        assert_eq!(states.written_status(&es("a"), "uid-2"), None);
        states.forget_written(&es("a"));
        assert_eq!(states.written_status(&es("a"), "uid-1"), None);
        assert_eq!(len(&states), 0, "an empty state is dropped");
    }

    #[test]
    fn only_the_ask_seen_is_cleared() {
        let states = ObjectStates::default();
        assert!(states.ask(&es("a"), false, true));
        let seen = states.pending(&es("a")).expect("pending");
        assert!(!states.ask(&es("a"), false, true), "an older ask stays");
        assert!(
            states.ask(&es("a"), true, false),
            "an event always asks anew"
        );
        states.handled(&es("a"), seen);
        let newer = states.pending(&es("a")).expect("the newer ask stays");
        assert!(newer.by_event);
        states.handled(&es("a"), newer);
        assert_eq!(states.pending(&es("a")), None);
    }

    #[test]
    fn retain_forgets_the_deleted() {
        let states = ObjectStates::default();
        states.record_failure(&es("a"));
        states.ask(&es("b"), false, true);
        states.retain(&[es("b")].into_iter().collect());
        assert_eq!(len(&states), 1);
        assert_eq!(states.record_failure(&es("a")), 1);
    }
}
