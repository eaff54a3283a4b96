//! The ExternalSecret reconcile as pure steps. The shell observes, asks, carries out what it is told,
//! records the answer, and asks again; every decision between two calls lives here, in this order:
//! 0. the policies: [`policy`] (what `creationPolicy` does with the target in each state, what
//!    `deletionPolicy` does when the remote data is gone, which combinations are refused);
//! 1. before any AWS call: [`crate::core::refresh::before_fetch`] (refuse / up to date / resume a
//!    rollout / read), with [`write::may_assume_absent`] (whether the target needs a GET at all);
//! 2. up to the values: [`steps::next_step`] over [`steps::Progress`] (resolve the store, take a
//!    periodic slot, detect changes, confirm without reading, come back later, or read the values);
//! 3. after the values: [`write::plan_write`] (write or not, under which precondition, restart or
//!    not) and [`write::write_failed`] (what a refused write means);
//! 4. a missing remote secret: [`missing::plan_missing`] (keep, start or wait out the grace period,
//!    delete under preconditions — each with the exact outcome reported);
//! 5. the report: [`crate::core::report::next_status`] (status, Events, metric);
//! 6. when to come back: [`requeue::next`].

pub mod missing;
pub mod policy;
pub mod requeue;
pub mod steps;
pub mod write;
