//! Rotations waiting for their namespace's settle window: plain state the context holds and the
//! rollout shell fills and drains.

use std::collections::HashMap;

use tokio::sync::oneshot;

use crate::core::reason::SyncError;
use crate::core::rollout::{ManagedSecret, RolloutReport};

/// One rotation waiting for its batch: the Secret written and where its result goes.
pub type Waiter = (
    ManagedSecret,
    oneshot::Sender<Result<RolloutReport, SyncError>>,
);

/// Rotations waiting for their namespace's settle window to end.
#[derive(Default)]
pub struct RolloutBatches {
    pending: std::sync::Mutex<HashMap<String, Vec<Waiter>>>,
}

impl RolloutBatches {
    /// The waiting rotations by namespace.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Waiter>>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}
