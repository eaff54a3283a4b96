//! How a refresh that passed [`super::refresh::before_fetch`] reads AWS: values at once, change
//! detection first (no values), or not now. [`crate::core::plan::steps::next_step`] puts these with
//! `before_fetch` into the one sequence the shell follows.

use std::time::Duration;

use super::refresh::PreFetch;

/// When every periodic-refresh slot is taken, a due refresh comes back after this long.
pub const PERIODIC_BUSY_RETRY: Duration = Duration::from_secs(1);
/// How long a refresh waits when the store's listing is being refreshed by another reconcile.
pub const LISTING_BUSY_RETRY: Duration = Duration::from_secs(2);

/// A change announced for this ExternalSecret since its last reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Announced {
    /// Announced by a queue event (otherwise by a listing page naming a new version).
    pub by_event: bool,
}

/// How to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPlan {
    /// Read every value now (a first sync, a spec change, or an announced change).
    Values,
    /// Ask the store's change detection first; read values only if it sees a change.
    DetectFirst,
    /// Not now: come back after this long.
    Later(Duration),
}

/// The read plan for `plan` (only `Fetch` and `Refresh` read). `slot`: whether a periodic refresh got
/// one of the periodic slots (periodic refreshes take at most half the reconcile slots, so new and
/// changed ExternalSecrets never queue behind a wave of refreshes). A listing page that named a new
/// version of a secret read by name is read at once instead of waiting for the whole listing (a
/// `find` still needs the whole listing); a queue event reads at once even for a `find`.
pub fn plan_reads(
    plan: &PreFetch,
    slot: bool,
    announced: Option<Announced>,
    has_find: bool,
) -> ReadPlan {
    match plan {
        PreFetch::Refresh if !slot => ReadPlan::Later(PERIODIC_BUSY_RETRY),
        PreFetch::Refresh if announced.is_some_and(|a| a.by_event || !has_find) => ReadPlan::Values,
        PreFetch::Refresh => ReadPlan::DetectFirst,
        _ => ReadPlan::Values,
    }
}

/// What change detection's answer means for the refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterDetection {
    /// Nothing changed: confirm the Secret without reading a value.
    Confirmed,
    /// Something may have changed: read the values.
    Read,
    /// The listing is being refreshed by another reconcile: come back after this long.
    Later(Duration),
}

/// The refresh's next step after change detection: `later` (the listing is busy) wins over
/// `unchanged`.
pub fn after_detection(later: bool, unchanged: bool) -> AfterDetection {
    match (later, unchanged) {
        (true, _) => AfterDetection::Later(LISTING_BUSY_RETRY),
        (false, true) => AfterDetection::Confirmed,
        (false, false) => AfterDetection::Read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (plan, slot, announcement, find) combination.
    #[test]
    fn every_input_combination() {
        let plans = [PreFetch::Fetch, PreFetch::Refresh];
        let announcements = [
            None,
            Some(Announced { by_event: false }),
            Some(Announced { by_event: true }),
        ];
        for plan in &plans {
            for slot in [false, true] {
                for announced in announcements {
                    for has_find in [false, true] {
                        let got = plan_reads(plan, slot, announced, has_find);
                        let expected = match plan {
                            PreFetch::Fetch => ReadPlan::Values,
                            _ if !slot => ReadPlan::Later(PERIODIC_BUSY_RETRY),
                            _ => match announced {
                                None => ReadPlan::DetectFirst,
                                Some(Announced { by_event: true }) => ReadPlan::Values,
                                Some(_) if has_find => ReadPlan::DetectFirst,
                                Some(_) => ReadPlan::Values,
                            },
                        };
                        assert_eq!(
                            got, expected,
                            "{plan:?} slot={slot} {announced:?} find={has_find}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_busy_listing_wins_over_unchanged() {
        assert_eq!(
            after_detection(true, true),
            AfterDetection::Later(LISTING_BUSY_RETRY)
        );
        assert_eq!(
            after_detection(true, false),
            AfterDetection::Later(LISTING_BUSY_RETRY)
        );
        assert_eq!(after_detection(false, true), AfterDetection::Confirmed);
        assert_eq!(after_detection(false, false), AfterDetection::Read);
    }
}
