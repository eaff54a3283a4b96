//! The ExternalSecret reconcile as a sequence of pure steps. The shell observes, asks the step, carries
//! out what it says, and records; every decision between two calls lives here:
//! 1. before any AWS call: [`crate::core::refresh::before_fetch`] (refuse / up to date / resume a
//!    rollout / read) with [`write::may_assume_absent`] (whether the target needs a GET at all);
//! 2. how to read: [`crate::core::reads::read_plan`] (values now, change detection first, later);
//! 3. after the values: [`write::plan_write`] (write or not, under which precondition, restart or
//!    not) and [`write::write_failed`] (what a refused write means);
//! 4. a missing remote secret: [`missing::plan_missing`] (keep, start or wait out the grace period,
//!    delete under preconditions — each with the exact outcome reported);
//! 5. the report: [`crate::core::report::next_status`] (status, Events, metric);
//! 6. when to come back: [`requeue::next`].

pub mod missing;
pub mod requeue;
pub mod write;
