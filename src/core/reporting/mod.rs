//! What a reconcile reports: reasons, conditions, and the next status with its Events.

pub mod reason;
pub mod report;
pub mod status;
