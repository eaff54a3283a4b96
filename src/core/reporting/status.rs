//! The `Ready` condition and the status an outcome produces, without I/O.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::core::reason::Reason;

/// Condition type every secretsync resource reports.
pub const READY: &str = "Ready";

/// Returns `conditions` with `Ready` set to (ok, reason, message); `lastTransitionTime` only moves when
/// the status flips, so a repeated identical outcome leaves the condition byte-for-byte equal.
pub fn set_ready(
    conditions: &[Condition],
    ok: bool,
    reason: Reason,
    message: &str,
    generation: Option<i64>,
    now: Time,
) -> Vec<Condition> {
    let status = if ok { "True" } else { "False" };
    set_condition(
        conditions,
        READY,
        status,
        reason.as_str(),
        message,
        generation,
        now,
    )
}

/// Returns `conditions` with condition `type_` set (replacing any earlier one of that type);
/// `lastTransitionTime` only moves when the status changes.
pub fn set_condition(
    conditions: &[Condition],
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    generation: Option<i64>,
    now: Time,
) -> Vec<Condition> {
    let previous = conditions.iter().find(|c| c.type_ == type_);
    let last_transition_time = match previous {
        Some(p) if p.status == status => p.last_transition_time.clone(),
        _ => now,
    };
    let mut out: Vec<Condition> = conditions
        .iter()
        .filter(|c| c.type_ != type_)
        .cloned()
        .collect();
    out.push(Condition {
        type_: type_.into(),
        status: status.into(),
        reason: reason.into(),
        message: message.into(),
        last_transition_time,
        observed_generation: generation,
    });
    out
}

/// Condition type present while `refreshInterval` is raised to the controller's minimum.
pub const INTERVAL_RAISED: &str = "RefreshIntervalRaised";

/// Returns `conditions` with [`INTERVAL_RAISED`] set (with `message`) or removed (None). An unchanged
/// warning keeps its transition time, so repeated reconciles write nothing.
pub fn interval_warning(
    conditions: &[Condition],
    message: Option<String>,
    generation: Option<i64>,
    now: Time,
) -> Vec<Condition> {
    let previous = conditions.iter().find(|c| c.type_ == INTERVAL_RAISED);
    let mut out: Vec<Condition> = conditions
        .iter()
        .filter(|c| c.type_ != INTERVAL_RAISED)
        .cloned()
        .collect();
    if let Some(message) = message {
        out.push(Condition {
            type_: INTERVAL_RAISED.into(),
            status: "True".into(),
            reason: "BelowMinimum".into(),
            message,
            last_transition_time: previous
                .map(|p| p.last_transition_time.clone())
                .unwrap_or(now),
            observed_generation: generation,
        });
    }
    out
}

/// The current Ready condition's (status, reason), if any.
pub fn ready_of(conditions: &[Condition]) -> Option<(&str, &str)> {
    conditions
        .iter()
        .find(|c| c.type_ == READY)
        .map(|c| (c.status.as_str(), c.reason.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn t(s: i64) -> Time {
        Time(Timestamp::from_second(1_700_000_000 + s).expect("valid"))
    }

    #[test]
    fn interval_warning_comes_and_goes() {
        let ready = set_ready(&[], true, Reason::Synced, "ok", Some(1), t(0));
        let warned = interval_warning(&ready, Some("raised".into()), Some(1), t(1));
        assert_eq!(warned.len(), 2);
        let again = interval_warning(&warned, Some("raised".into()), Some(1), t(9));
        assert_eq!(again, warned, "stable while unchanged");
        let cleared = interval_warning(&again, None, Some(1), t(10));
        assert_eq!(cleared, ready);
    }

    #[test]
    fn transition_time_moves_only_on_flips() {
        let c1 = set_ready(&[], true, Reason::Synced, "ok", Some(1), t(0));
        let c2 = set_ready(&c1, true, Reason::Synced, "ok", Some(1), t(10));
        assert_eq!(c1, c2);
        let c3 = set_ready(&c2, false, Reason::ProviderError, "down", Some(1), t(20));
        assert_eq!(c3[0].last_transition_time, t(20));
        assert_eq!(ready_of(&c3), Some(("False", "ProviderError")));
        let c4 = set_ready(&c3, false, Reason::AccessDenied, "denied", Some(1), t(30));
        assert_eq!(c4[0].last_transition_time, t(20));
    }

    #[test]
    fn keeps_other_conditions() {
        let other = Condition {
            type_: "Other".into(),
            status: "True".into(),
            reason: "X".into(),
            message: String::new(),
            last_transition_time: t(0),
            observed_generation: None,
        };
        let c = set_ready(
            std::slice::from_ref(&other),
            true,
            Reason::Synced,
            "",
            None,
            t(1),
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], other);
    }
}
