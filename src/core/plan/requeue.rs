//! When an ExternalSecret is reconciled again, decided from the outcome of this reconcile.

use std::time::Duration;

use crate::core::backoff;
use crate::core::report::Outcome;

/// The shortest requeue: a reconcile never comes back sooner than this.
pub const MIN_REQUEUE: Duration = Duration::from_secs(1);

/// When to reconcile again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requeue {
    /// Only when the object (or something it watches) changes.
    AwaitChange,
    /// After this long, spread by ±10% so that objects created together do not stay together.
    Spread(Duration),
    /// After this long, spread upwards by at most 10% (a refresh never comes earlier than its interval).
    SpreadUp(Duration),
    /// After exactly this long (the rest of a deletion's grace period).
    Exactly(Duration),
    /// After the retry backoff for one more consecutive failure.
    Backoff,
}

/// What the shell does after the report: reset the failure count or not, and when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Next {
    /// The reconcile succeeded: the consecutive-failure count starts over.
    pub succeeded: bool,
    /// When to come back (every duration at least [`MIN_REQUEUE`]).
    pub requeue: Requeue,
}

/// The next step after `outcome`, with `interval` the refresh interval in effect (zero: none).
/// A failure that retrying cannot help (a bad spec, a missing property) is reported once and looked at
/// again at the regular refresh, at most every [`backoff::MAX`]; a spec edit tries again at once.
pub fn next(outcome: &Outcome, interval: Duration) -> Next {
    let at_refresh = (!interval.is_zero()).then_some(interval);
    let spread = |after: Option<Duration>| match after {
        Some(d) => Requeue::Spread(d.max(MIN_REQUEUE)),
        None => Requeue::AwaitChange,
    };
    let (succeeded, requeue) = match outcome {
        Outcome::UpToDate(after) => (true, spread(*after)),
        // Not before the window allows it: never earlier (a jitter could miss a short allow window).
        Outcome::OutsideWindow(Some(d)) => (true, Requeue::Exactly((*d).max(MIN_REQUEUE))),
        Outcome::OutsideWindow(None) => (true, spread(at_refresh)),
        Outcome::Synced { .. } | Outcome::Confirmed { .. } | Outcome::ReadOnly { .. } => (
            true,
            match at_refresh {
                Some(d) => Requeue::SpreadUp(d.max(MIN_REQUEUE)),
                None => Requeue::AwaitChange,
            },
        ),
        Outcome::Missing {
            recheck: Some(d), ..
        } => (false, Requeue::Exactly((*d).max(MIN_REQUEUE))),
        Outcome::Failed(e) | Outcome::Missing { error: e, .. } if e.reason.is_retryable() => {
            (false, Requeue::Backoff)
        }
        Outcome::Failed(_) | Outcome::Missing { .. } => {
            (false, spread(at_refresh.map(|d| d.max(backoff::MAX))))
        }
    };
    Next { succeeded, requeue }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::reason::{Reason, SyncError};

    fn failed(reason: Reason) -> Outcome {
        Outcome::Failed(SyncError::new(reason, "x"))
    }

    fn missing(reason: Reason, recheck: Option<Duration>) -> Outcome {
        Outcome::Missing {
            error: SyncError::new(reason, "x"),
            pending: None,
            recheck,
            deleted: None,
        }
    }

    fn synced() -> Outcome {
        Outcome::Synced {
            wrote: true,
            created: false,
            refreshed: true,
            synced_versions: Default::default(),
            rollout: None,
            source: None,
        }
    }

    /// Every outcome kind, with and without a refresh interval.
    #[test]
    fn every_outcome_and_interval() {
        let s = Duration::from_secs;
        let hour = s(3600);
        let big = backoff::MAX * 2;
        let cases: Vec<(Outcome, Duration, bool, Requeue)> = vec![
            (
                Outcome::UpToDate(Some(s(30))),
                hour,
                true,
                Requeue::Spread(s(30)),
            ),
            (
                Outcome::UpToDate(Some(Duration::ZERO)),
                hour,
                true,
                Requeue::Spread(s(1)),
            ),
            (Outcome::UpToDate(None), hour, true, Requeue::AwaitChange),
            // Blocked by syncWindows: exactly when a window allows it, else at the interval.
            (
                Outcome::OutsideWindow(Some(s(7200))),
                hour,
                true,
                Requeue::Exactly(s(7200)),
            ),
            (
                Outcome::OutsideWindow(Some(Duration::ZERO)),
                hour,
                true,
                Requeue::Exactly(s(1)),
            ),
            (
                Outcome::OutsideWindow(None),
                hour,
                true,
                Requeue::Spread(hour),
            ),
            (
                Outcome::OutsideWindow(None),
                Duration::ZERO,
                true,
                Requeue::AwaitChange,
            ),
            (synced(), hour, true, Requeue::SpreadUp(hour)),
            (synced(), Duration::ZERO, true, Requeue::AwaitChange),
            (
                Outcome::Confirmed { source: "s".into() },
                s(10),
                true,
                Requeue::SpreadUp(s(10)),
            ),
            (
                Outcome::Confirmed { source: "s".into() },
                Duration::ZERO,
                true,
                Requeue::AwaitChange,
            ),
            // creationPolicy None read the values: like a sync.
            (
                Outcome::ReadOnly { versions: 1 },
                s(10),
                true,
                Requeue::SpreadUp(s(10)),
            ),
            (
                Outcome::ReadOnly { versions: 1 },
                Duration::ZERO,
                true,
                Requeue::AwaitChange,
            ),
            (
                missing(Reason::SecretNotFound, Some(s(90))),
                hour,
                false,
                Requeue::Exactly(s(90)),
            ),
            (
                missing(Reason::SecretNotFound, Some(Duration::ZERO)),
                hour,
                false,
                Requeue::Exactly(s(1)),
            ),
            (
                missing(Reason::Throttled, None),
                hour,
                false,
                Requeue::Backoff,
            ),
            (failed(Reason::Throttled), hour, false, Requeue::Backoff),
            (
                failed(Reason::ProviderError),
                Duration::ZERO,
                false,
                Requeue::Backoff,
            ),
            // Not helped by retrying: the refresh interval, raised to the backoff's ceiling.
            (
                failed(Reason::InvalidSpec),
                s(10),
                false,
                Requeue::Spread(backoff::MAX),
            ),
            (
                failed(Reason::InvalidSpec),
                big,
                false,
                Requeue::Spread(big),
            ),
            (
                failed(Reason::InvalidSpec),
                Duration::ZERO,
                false,
                Requeue::AwaitChange,
            ),
            // A kept Secret whose remote secret is missing: retried with backoff.
            (
                missing(Reason::SecretNotFound, None),
                s(10),
                false,
                Requeue::Backoff,
            ),
            (
                missing(Reason::SecretNotFound, None),
                Duration::ZERO,
                false,
                Requeue::Backoff,
            ),
            (
                missing(Reason::InvalidValue, None),
                s(10),
                false,
                Requeue::Spread(backoff::MAX),
            ),
            (
                missing(Reason::InvalidValue, None),
                Duration::ZERO,
                false,
                Requeue::AwaitChange,
            ),
        ];
        for (outcome, interval, succeeded, requeue) in cases {
            assert_eq!(
                next(&outcome, interval),
                Next { succeeded, requeue },
                "{outcome:?} at {interval:?}"
            );
        }
    }

    /// Every reason, as a failure: retried with backoff exactly when it is retryable.
    #[test]
    fn every_reason_as_a_failure() {
        for reason in Reason::ALL {
            let n = next(&failed(*reason), Duration::from_secs(60));
            assert!(!n.succeeded);
            assert_eq!(
                n.requeue == Requeue::Backoff,
                reason.is_retryable(),
                "{reason:?}"
            );
        }
    }
}
