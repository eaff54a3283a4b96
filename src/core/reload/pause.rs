//! Reloader's `deployment.reloader.stakater.com/pause-period` for Deployments: a restart pauses the
//! Deployment (recording when, in `paused-at`), so further changes within the period only change the
//! paused template, and one rollout happens when the period ends and the Deployment is resumed.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;

use super::AnnotationNames;
use super::annotations::go_duration;

/// What a restart of a Deployment does about its pause period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pause {
    /// No pause period: restart at once.
    None,
    /// Already paused (by this controller within a period, or by someone else): only the template
    /// changes, and it rolls out when the Deployment is resumed.
    AlreadyPaused,
    /// Pause it now, recording `paused_at`, and resume it after `period`.
    PauseFor {
        /// How long.
        period: Duration,
        /// The `paused-at` value (RFC 3339, to the second).
        paused_at: String,
    },
    /// The period does not parse: restart at once, and say why.
    Invalid(String),
}

/// The pause decision for a restart of a Deployment with these metadata `annotations`.
pub fn on_restart(
    names: &AnnotationNames,
    annotations: &BTreeMap<String, String>,
    paused: bool,
    now: Timestamp,
) -> Pause {
    let Some(value) = annotations.get(&names.pause_period) else {
        return Pause::None;
    };
    if paused {
        return Pause::AlreadyPaused;
    }
    match go_duration(value) {
        Ok(period) if period.is_zero() => Pause::None,
        Ok(period) => Pause::PauseFor {
            period,
            paused_at: Timestamp::from_second(now.as_second())
                .unwrap_or(now)
                .to_string(),
        },
        Err(e) => Pause::Invalid(format!(
            "{}: {e}; restarted without a pause",
            names.pause_period
        )),
    }
}

/// When a Deployment this controller paused is due to be resumed: `Some(remaining)` (zero: now)
/// when it is paused with a `paused-at` and a period; `None` when it is not ours to resume.
pub fn resume_in(
    names: &AnnotationNames,
    annotations: &BTreeMap<String, String>,
    paused: bool,
    now: Timestamp,
) -> Option<Duration> {
    if !paused {
        return None;
    }
    let at: Timestamp = annotations.get(&names.paused_at)?.parse().ok()?;
    let period = go_duration(annotations.get(&names.pause_period)?).unwrap_or(Duration::ZERO);
    let elapsed = now.duration_since(at).unsigned_abs();
    Some(period.saturating_sub(elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_restart_pauses_only_an_unpaused_deployment_with_a_valid_period() {
        let n = AnnotationNames::default();
        let now: Timestamp = "2026-12-08T02:00:05.700Z".parse().expect("time");
        let period = |v: &str| map(&[(n.pause_period.as_str(), v)]);
        assert_eq!(on_restart(&n, &map(&[]), false, now), Pause::None);
        assert_eq!(on_restart(&n, &period("0s"), false, now), Pause::None);
        assert_eq!(
            on_restart(&n, &period("1m30s"), false, now),
            Pause::PauseFor {
                period: Duration::from_secs(90),
                paused_at: "2026-12-08T02:00:05Z".into()
            }
        );
        assert_eq!(
            on_restart(&n, &period("1m"), true, now),
            Pause::AlreadyPaused
        );
        assert!(
            matches!(on_restart(&n, &period("soon"), false, now), Pause::Invalid(e) if e.contains("restarted without a pause"))
        );
    }

    #[test]
    fn a_pause_is_resumed_when_its_period_is_over_even_after_a_restart() {
        let n = AnnotationNames::default();
        let now: Timestamp = "2026-12-08T02:01:00Z".parse().expect("time");
        let ours = |at: &str| map(&[(n.pause_period.as_str(), "1m"), (n.paused_at.as_str(), at)]);
        assert_eq!(
            resume_in(&n, &ours("2026-12-08T02:00:30Z"), true, now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            resume_in(&n, &ours("2026-12-08T01:00:00Z"), true, now),
            Some(Duration::ZERO)
        );
        // Not paused, or paused by someone else (no paused-at): not ours to resume.
        assert_eq!(
            resume_in(&n, &ours("2026-12-08T02:00:30Z"), false, now),
            None
        );
        assert_eq!(
            resume_in(&n, &map(&[(n.pause_period.as_str(), "1m")]), true, now),
            None
        );
        assert_eq!(resume_in(&n, &ours("garbage"), true, now), None);
    }
}
