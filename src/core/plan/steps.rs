//! The reconcile's steps up to the values: one pure [`next_step`] answers "what now?" from what the
//! shell has learnt so far ([`Progress`]), and the shell carries the step out, records its answer and
//! asks again, until the step is to read the values or to stop. This is the whole answer to "must this
//! refresh read values from AWS?": the pre-fetch plan ([`before_fetch`](crate::core::refresh::before_fetch)),
//! the store, the periodic slot, the read plan ([`plan_reads`]) and change detection's answer
//! ([`after_detection`]), in that order.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::core::reads::read_plan::{
    AfterDetection, Announced, ReadPlan, after_detection, plan_reads,
};
use crate::core::reason::SyncError;
use crate::core::refresh::PreFetch;

/// What the reconcile has learnt so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The plan before any AWS call, from the object, its target Secret and the clock.
    pub pre_fetch: PreFetch,
    /// A change announced for this object since its last reconcile (a listing page or a queue event).
    pub announced: Option<Announced>,
    /// The spec has a `dataFrom[].find`.
    pub has_find: bool,
    /// The store is resolved (and serves every reference form the spec uses).
    pub store_resolved: bool,
    /// The answer to [`Step::TakeSlot`]: a periodic-refresh slot was free.
    pub slot: Option<bool>,
    /// The answer to [`Step::Detect`].
    pub detection: Option<Detection>,
}

impl Progress {
    /// Nothing learnt yet beyond the pre-fetch plan and the announcement.
    pub fn start(pre_fetch: PreFetch, announced: Option<Announced>, has_find: bool) -> Self {
        Self {
            pre_fetch,
            announced,
            has_find,
            store_resolved: false,
            slot: None,
            detection: None,
        }
    }
}

/// Change detection's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The store's listing is being refreshed by another reconcile.
    pub later: bool,
    /// Every referenced version is the one synced.
    pub unchanged: bool,
}

/// What the shell does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The target is refused: report the error, call nothing.
    Refuse(SyncError),
    /// Nothing to do; come back after this long (None: only when something changes).
    UpToDate(Option<Duration>),
    /// Not now (no periodic slot, the listing is busy): come back after this long; an announced change
    /// stays pending.
    Later(Duration),
    /// An earlier reconcile wrote these versions but stopped before the restart: restart, read nothing.
    ResumeRollout(BTreeMap<String, String>),
    /// Resolve the store (credentials, service, region) and check the references against its service.
    ResolveStore,
    /// Take one of the periodic-refresh slots (held until the refresh ends), if one is free.
    TakeSlot,
    /// Ask the store's change detection (versions, no values).
    Detect,
    /// Nothing changed: confirm the Secret without reading a value.
    Confirm,
    /// Read the values (with detection's hints when it ran), then compute and write.
    ReadValues,
}

impl Step {
    /// Whether this step settles a change announced for the object: it is either read now or moot.
    /// Steps that come back later (or are still on the way) leave it pending.
    pub fn settles_announcement(&self) -> bool {
        match self {
            Step::Refuse(_)
            | Step::UpToDate(_)
            | Step::ResumeRollout(_)
            | Step::Confirm
            | Step::ReadValues => true,
            Step::Later(_) | Step::ResolveStore | Step::TakeSlot | Step::Detect => false,
        }
    }
}

/// The next step, from what is known so far.
pub fn next_step(p: &Progress) -> Step {
    let refresh = match &p.pre_fetch {
        PreFetch::Refuse(e) => return Step::Refuse(e.clone()),
        PreFetch::UpToDate(after) => return Step::UpToDate(*after),
        PreFetch::ResumeRollout(current) => return Step::ResumeRollout(current.clone()),
        PreFetch::Fetch => false,
        PreFetch::Refresh => true,
    };
    if !p.store_resolved {
        return Step::ResolveStore;
    }
    let slot = match (refresh, p.slot) {
        (true, None) => return Step::TakeSlot,
        (_, slot) => slot.unwrap_or(false),
    };
    match plan_reads(&p.pre_fetch, slot, p.announced, p.has_find) {
        ReadPlan::Later(after) => Step::Later(after),
        ReadPlan::Values => Step::ReadValues,
        ReadPlan::DetectFirst => match p.detection {
            None => Step::Detect,
            Some(d) => match after_detection(d.later, d.unchanged) {
                AfterDetection::Later(after) => Step::Later(after),
                AfterDetection::Confirmed => Step::Confirm,
                AfterDetection::Read => Step::ReadValues,
            },
        },
    }
}

#[cfg(test)]
#[path = "steps_tests.rs"]
mod tests;
