//! What one ExternalSecret reconcile reports, decided without I/O: from the old status, the outcome
//! and the clock, the next status (None: nothing to write), the Events and the sync-result metric.
//! The shell only writes and publishes what [`next_status`] returns.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::{ExternalSecretStatus, RefreshPolicy, RemoteDeletion};
use crate::core::reason::{Reason, SyncError};
use crate::core::rollout::RolloutReport;
use crate::core::status::{interval_warning, ready_of, set_ready};

/// At idle, `status.refreshTime` is rewritten at most this often.
pub const CONFIRM_EVERY: Duration = Duration::from_secs(300);

/// What a reconcile achieved.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to do; the Secret is current (check again after this long).
    UpToDate(Option<Duration>),
    /// `syncWindows` blocks the refresh: nothing read or written; check again after exactly this long
    /// (when a window allows it; None: at the next interval).
    OutsideWindow(Option<Duration>),
    /// The Secret holds the result (`wrote`: a write happened; `refreshed`: AWS was read).
    Synced {
        /// The Secret was written.
        wrote: bool,
        /// The write created it.
        created: bool,
        /// AWS was read.
        refreshed: bool,
        /// The versions the Secret holds now.
        synced_versions: BTreeMap<String, String>,
        /// What the rollout did, when the write was a rotation.
        rollout: Option<RolloutReport>,
        /// The store read from (None: nothing was read).
        source: Option<String>,
    },
    /// A periodic refresh found every referenced version unchanged: nothing was read or written.
    Confirmed {
        /// The store and region that answered (the region changes on failover).
        source: String,
    },
    /// `creationPolicy: None`: the values were read and checked; no Secret was read or written.
    ReadOnly {
        /// How many remote versions were read.
        versions: usize,
    },
    /// Failed; the existing Secret was left as it was.
    Failed(SyncError),
    /// A remote secret is missing: the deletion rule decided (the Secret was kept, or deleted).
    Missing {
        /// Why the sync stopped.
        error: SyncError,
        /// The confirmed deletion awaiting its grace period (recorded on status).
        pending: Option<RemoteDeletion>,
        /// Check again after this long (the rest of the grace period).
        recheck: Option<Duration>,
        /// What the confirmed deletion removed (the Secret, or this ExternalSecret's keys), and why.
        deleted: Option<Removed>,
    },
}

/// What a confirmed remote deletion removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// The Secret (`deletionPolicy: Delete`), and why.
    Secret(String),
    /// This ExternalSecret's keys (named) from the Secret, which stays (`deletionPolicy: Merge`), and why.
    Keys {
        /// The keys removed (names only, never a value).
        keys: Vec<String>,
        /// Why.
        why: String,
    },
}

/// What the report needs to know about the ExternalSecret besides its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// `metadata.generation`.
    pub generation: Option<i64>,
    /// `spec.refreshPolicy`.
    pub refresh_policy: RefreshPolicy,
    /// The force-sync annotation's value now.
    pub force: Option<String>,
    /// Digest of the ExternalSecret's labels and annotations now.
    pub metadata: String,
    /// The target Secret's name.
    pub target_name: String,
    /// The target's kind (`Secret`, or a generic target's kind), for messages.
    pub target_kind: String,
    /// The warning to carry when `refreshInterval` was raised to the controller's floor.
    pub interval_raised: Option<String>,
    /// The clock.
    pub now: Time,
}

/// One Event to publish on the ExternalSecret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    /// Warning (true) or Normal.
    pub warning: bool,
    /// The Event's reason.
    pub reason: &'static str,
    /// The Event's action.
    pub action: &'static str,
    /// The Event's note.
    pub note: String,
}

impl PlannedEvent {
    fn normal(reason: &'static str, action: &'static str, note: String) -> Self {
        Self {
            warning: false,
            reason,
            action,
            note,
        }
    }

    fn warning(reason: &'static str, action: &'static str, note: String) -> Self {
        Self {
            warning: true,
            reason,
            action,
            note,
        }
    }
}

/// What to write and publish for one reconcile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The status to write (None: it is unchanged).
    pub status: Option<ExternalSecretStatus>,
    /// Events for what already happened (a deletion, a rollout): published before the status write.
    pub done: Vec<PlannedEvent>,
    /// The Event saying how the sync went: published after the status write.
    pub verdict: Option<PlannedEvent>,
    /// The `secretsync_sync_results_total` result to count (None: nothing is counted).
    pub result: Option<&'static str>,
}

/// The next status, Events and counted result for `outcome` on an ExternalSecret whose status is
/// `old`. Writes nothing when nothing changed; Events only for changes (a first sync, a write, a new
/// failure reason, a deletion, a rollout).
pub fn next_status(old: &ExternalSecretStatus, facts: &Facts, outcome: Outcome) -> Report {
    let now = &facts.now;
    let generation = facts.generation;
    let target_name = &facts.target_name;
    let kind = facts.target_kind.as_str();
    let previous = ready_of(&old.conditions).map(|(s, r)| (s.to_string(), r.to_string()));
    let mut report = Report::default();
    let new = match outcome {
        // CreatedOnce does not apply a spec edit: the status still says it saw that generation, so
        // tools waiting on observedGeneration do not wait forever.
        Outcome::UpToDate(_)
            if facts.refresh_policy == RefreshPolicy::CreatedOnce
                && old.observed_generation.is_some()
                && old.observed_generation != generation =>
        {
            ExternalSecretStatus {
                observed_generation: generation,
                ..old.clone()
            }
        }
        Outcome::UpToDate(_) | Outcome::OutsideWindow(_) => return report,
        Outcome::Confirmed { source } => {
            report.result = Some(Reason::Synced.as_str());
            // Nothing changed: refreshTime (when the data was last confirmed current) moves at most
            // every CONFIRM_EVERY, so an idle store costs the apiserver almost no writes.
            let stale = old.refresh_time.as_ref().is_none_or(|t| {
                Duration::try_from(now.0.duration_since(t.0)).unwrap_or(Duration::ZERO)
                    >= CONFIRM_EVERY
            });
            // A failover (or failback) changes the region that answers: the status says so at once.
            let moved = old.synced_from.as_deref() != Some(source.as_str());
            if !stale && !moved {
                return report;
            }
            ExternalSecretStatus {
                refresh_time: if stale {
                    Some(now.clone())
                } else {
                    old.refresh_time.clone()
                },
                synced_from: Some(source),
                ..old.clone()
            }
        }
        Outcome::Synced {
            wrote,
            created,
            refreshed,
            synced_versions,
            rollout,
            source,
        } => {
            report.result = Some(Reason::Synced.as_str());
            let message = format!(
                "{kind} {target_name:?} holds {} remote version(s)",
                synced_versions.len()
            );
            let mut status = ExternalSecretStatus {
                conditions: set_ready(
                    &old.conditions,
                    true,
                    Reason::Synced,
                    &message,
                    generation,
                    now.clone(),
                ),
                observed_generation: generation,
                synced_generation: if refreshed {
                    generation
                } else {
                    old.synced_generation
                },
                refresh_time: if refreshed {
                    Some(now.clone())
                } else {
                    old.refresh_time.clone()
                },
                synced_versions: synced_versions.clone(),
                last_force_sync: if refreshed {
                    facts.force.clone()
                } else {
                    old.last_force_sync.clone()
                },
                observed_metadata: if refreshed {
                    Some(facts.metadata.clone())
                } else {
                    old.observed_metadata.clone()
                },
                remote_deletion: None,
                synced_from: source.or(old.synced_from.clone()),
                ..old.clone()
            };
            if let Some(rollout) = &rollout {
                status.last_rotation_time = Some(now.clone());
                status.restarted_workloads = rollout.restarted.clone();
                report.done = rollout_events(target_name, rollout);
            } else if old.synced_versions != synced_versions {
                status.restarted_workloads = Vec::new();
            }
            let was_ready = previous.as_ref().is_some_and(|(s, _)| s == "True");
            report.verdict = if wrote && created {
                Some(PlannedEvent::normal(
                    "Synced",
                    "Sync",
                    format!("Created {kind} {target_name:?}"),
                ))
            } else if wrote
                && old.synced_versions != synced_versions
                && !old.synced_versions.is_empty()
            {
                Some(PlannedEvent::normal(
                    "Updated",
                    "Sync",
                    format!("Updated {kind} {target_name:?} to new remote versions"),
                ))
            } else if wrote {
                Some(PlannedEvent::normal(
                    "Updated",
                    "Sync",
                    format!("Repaired {kind} {target_name:?}"),
                ))
            } else if !was_ready {
                Some(PlannedEvent::normal(
                    "Synced",
                    "Sync",
                    format!("{kind} {target_name:?} is in sync"),
                ))
            } else {
                None
            };
            status
        }
        Outcome::ReadOnly { versions } => {
            report.result = Some(Reason::Synced.as_str());
            let message = format!(
                "creationPolicy None: {versions} remote version(s) read and checked; no Secret is \
                 written"
            );
            let was = ready_of(&old.conditions).map(|(s, _)| s == "True");
            let same_message = old
                .conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.message == message);
            if was != Some(true) || !same_message {
                report.verdict = Some(PlannedEvent::normal("Synced", "Sync", message.clone()));
            }
            // syncedVersions and syncedFrom say what a Secret holds: nothing was written, so they
            // stay as they were (a later write measures its rotation against them).
            ExternalSecretStatus {
                conditions: set_ready(
                    &old.conditions,
                    true,
                    Reason::Synced,
                    &message,
                    generation,
                    now.clone(),
                ),
                observed_generation: generation,
                synced_generation: generation,
                refresh_time: Some(now.clone()),
                last_force_sync: facts.force.clone(),
                observed_metadata: Some(facts.metadata.clone()),
                remote_deletion: None,
                ..old.clone()
            }
        }
        Outcome::Failed(error) => failed(old, facts, &previous, &mut report, error, None),
        Outcome::Missing {
            error,
            pending,
            deleted,
            ..
        } => {
            match deleted {
                Some(Removed::Secret(why)) => report.done.push(PlannedEvent::normal(
                    "Deleted",
                    "Delete",
                    format!("Deleted Secret {target_name:?} (deletionPolicy Delete): {why}"),
                )),
                Some(Removed::Keys { keys, why }) => report.done.push(PlannedEvent::normal(
                    "KeysRemoved",
                    "Delete",
                    format!(
                        "Removed key(s) {} from Secret {target_name:?}, which stays \
                         (deletionPolicy Merge): {why}",
                        keys.join(", ")
                    ),
                )),
                None => {}
            }
            failed(old, facts, &previous, &mut report, error, Some(pending))
        }
    };
    let mut new = new;
    new.conditions = interval_warning(
        &new.conditions,
        facts.interval_raised.clone(),
        generation,
        now.clone(),
    );
    if new != *old {
        report.status = Some(new);
    }
    report
}

/// The status and Warning for a failed sync; `pending` replaces the recorded pending deletion
/// (None: a plain failure keeps it).
fn failed(
    old: &ExternalSecretStatus,
    facts: &Facts,
    previous: &Option<(String, String)>,
    report: &mut Report,
    error: SyncError,
    pending: Option<Option<RemoteDeletion>>,
) -> ExternalSecretStatus {
    report.result = Some(error.reason.as_str());
    let changed = previous
        .as_ref()
        .is_none_or(|(s, r)| s != "False" || r != error.reason.as_str())
        || old.observed_generation != facts.generation;
    if changed {
        report.verdict = Some(PlannedEvent::warning(
            "SyncFailed",
            "Sync",
            format!("{}: {}", error.reason, error.message),
        ));
    }
    ExternalSecretStatus {
        conditions: set_ready(
            &old.conditions,
            false,
            error.reason,
            &error.message,
            facts.generation,
            facts.now.clone(),
        ),
        observed_generation: facts.generation,
        remote_deletion: pending.unwrap_or_else(|| old.remote_deletion.clone()),
        ..old.clone()
    }
}

/// Events on the ExternalSecret for a rollout: what was restarted, and each skip with why.
fn rollout_events(target_name: &str, rollout: &RolloutReport) -> Vec<PlannedEvent> {
    let mut events = Vec::new();
    if !rollout.restarted.is_empty() {
        events.push(PlannedEvent::normal(
            "RolloutRestarted",
            "Rollout",
            format!(
                "New versions of Secret {target_name:?}: restarted {}",
                rollout.restarted.join(", ")
            ),
        ));
    }
    for why in &rollout.skipped {
        events.push(PlannedEvent::warning(
            "RolloutSkipped",
            "Rollout",
            why.clone(),
        ));
    }
    events
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
