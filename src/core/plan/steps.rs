//! The reconcile's steps: one pure [`next_step`] answers "what now?" from what the shell has learnt so
//! far ([`Progress`]), and the shell carries the step out, records its answer and asks again, until a
//! step ends the reconcile. Up to the values this is the whole answer to "must this refresh read
//! values from AWS?": the pre-fetch plan ([`before_fetch`](crate::core::refresh::before_fetch)), the
//! store, the periodic slot, the read plan ([`plan_reads`]) and change detection's answer
//! ([`after_detection`]), in that order. After the values, the order that keeps data safe: a missing
//! remote secret goes to the deletion plan; a version a failover region may have served is vouched for
//! before anything else; the target is read with its data before it is compared; the Secret is composed
//! (the unreplicated-region rule, an immutable Secret's rule, [`plan_write`](super::write::plan_write)), written only if it
//! changes, and workloads restart only after the write, only for a rotation.

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
    /// The template reads ConfigMaps or Secrets from the cluster (`templateFrom`): change detection
    /// cannot vouch for them, so every refresh reads the values and renders again (as ESO does).
    pub cluster_templates: bool,
    /// The store is resolved (and serves every reference form the spec uses).
    pub store_resolved: bool,
    /// The answer to [`Step::TakeSlot`]: a periodic-refresh slot was free.
    pub slot: Option<bool>,
    /// The answer to [`Step::Detect`].
    pub detection: Option<Detection>,
    /// The answer to [`Step::ReadValues`].
    pub values: Option<Values>,
    /// The answer to [`Step::CheckReplicas`]: the versions read may be used, or why not.
    pub replicas: Option<Result<(), SyncError>>,
    /// The target Secret is in hand with its data (false while only the verified cache's copy, without
    /// data, is known).
    pub target_has_data: bool,
    /// The creation policy writes a Secret (false for `None`: once the values are read and checked,
    /// the reconcile is done; no Secret is read, written or rolled out).
    pub writes_target: bool,
    /// The answer to [`Step::Compose`]: what the write plan says, or why nothing may be written.
    pub composed: Option<Result<Composed, SyncError>>,
    /// [`Step::Apply`] is done.
    pub applied: bool,
    /// [`Step::Restart`] is done.
    pub restarted: bool,
}

/// What reading the values gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    /// The desired data is computed.
    Computed,
    /// A remote secret (or version, or find match) is missing (the read's error).
    Missing(SyncError),
    /// The read or the computation failed (nothing is written).
    Failed(SyncError),
}

/// The write plan's answer (see [`plan_write`](super::write::plan_write)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Composed {
    /// Applying the desired Secret changes something.
    pub write: bool,
    /// The synced versions are a rotation: restart the workloads after the write.
    pub restart: bool,
}

impl Progress {
    /// Nothing learnt yet beyond the pre-fetch plan, the announcement and whether the target Secret in
    /// hand carries its data (the policy writes a Secret until told otherwise).
    pub fn start(
        pre_fetch: PreFetch,
        announced: Option<Announced>,
        has_find: bool,
        target_has_data: bool,
    ) -> Self {
        Self {
            pre_fetch,
            announced,
            has_find,
            cluster_templates: false,
            store_resolved: false,
            slot: None,
            detection: None,
            values: None,
            replicas: None,
            target_has_data,
            writes_target: true,
            composed: None,
            applied: false,
            restarted: false,
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
    /// `syncWindows` blocks the refresh: call nothing, come back exactly after this long (None: at the
    /// next interval); an announced change stays pending until a window allows it.
    OutsideWindow(Option<Duration>),
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
    /// Read the values (with detection's hints when it ran) and compute the desired data.
    ReadValues,
    /// The read or a check after it failed: report the error; the Secret stays as it is.
    Fail(SyncError),
    /// A remote secret is missing: the deletion plan decides (keep, wait out the grace period, delete).
    HandleMissing(SyncError),
    /// A failover region may have answered: a version other than the synced one must be vouched for.
    CheckReplicas,
    /// Read the target Secret with its data (and check ownership again) before comparing with it.
    ReadTarget,
    /// Compose the desired Secret and plan its write.
    Compose,
    /// Write the Secret under the checked Secret's precondition.
    Apply,
    /// Restart the workloads (a rotation, after the write).
    Restart,
    /// The Secret is synced.
    Done,
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
            Step::Later(_)
            | Step::OutsideWindow(_)
            | Step::ResolveStore
            | Step::TakeSlot
            | Step::Detect => false,
            // After the values were read: settled by ReadValues already.
            Step::Fail(_)
            | Step::HandleMissing(_)
            | Step::CheckReplicas
            | Step::ReadTarget
            | Step::Compose
            | Step::Apply
            | Step::Restart
            | Step::Done => false,
        }
    }
}

/// The next step, from what is known so far.
pub fn next_step(p: &Progress) -> Step {
    let refresh = match &p.pre_fetch {
        PreFetch::Refuse(e) => return Step::Refuse(e.clone()),
        PreFetch::UpToDate(after) => return Step::UpToDate(*after),
        PreFetch::OutsideWindow(after) => return Step::OutsideWindow(*after),
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
    let plan = match plan_reads(&p.pre_fetch, slot, p.announced, p.has_find) {
        ReadPlan::DetectFirst if p.cluster_templates => ReadPlan::Values,
        plan => plan,
    };
    let read = match plan {
        ReadPlan::Later(after) => return Step::Later(after),
        ReadPlan::Values => Step::ReadValues,
        ReadPlan::DetectFirst => match p.detection {
            None => return Step::Detect,
            Some(d) => match after_detection(d.later, d.unchanged) {
                AfterDetection::Later(after) => return Step::Later(after),
                AfterDetection::Confirmed => return Step::Confirm,
                AfterDetection::Read => Step::ReadValues,
            },
        },
    };
    match &p.values {
        None => read,
        Some(Values::Failed(e)) => Step::Fail(e.clone()),
        Some(Values::Missing(e)) => Step::HandleMissing(e.clone()),
        Some(Values::Computed) => after_values(p),
    }
}

/// The steps after the desired data is computed, in the order that keeps data safe.
fn after_values(p: &Progress) -> Step {
    if !p.writes_target {
        return Step::Done;
    }
    match &p.replicas {
        None => return Step::CheckReplicas,
        Some(Err(e)) => return Step::Fail(e.clone()),
        Some(Ok(())) => {}
    }
    if !p.target_has_data {
        return Step::ReadTarget;
    }
    let composed = match &p.composed {
        None => return Step::Compose,
        Some(Err(e)) => return Step::Fail(e.clone()),
        Some(Ok(c)) => c,
    };
    if composed.write && !p.applied {
        return Step::Apply;
    }
    if composed.restart && !p.restarted {
        return Step::Restart;
    }
    Step::Done
}

#[cfg(test)]
#[path = "steps_tests.rs"]
mod tests;
