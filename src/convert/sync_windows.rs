//! ESO's `spec.syncWindows` to secretsync's: the same field, checked the way secretsync's controller
//! reads it (robfig/cron's grammar, a Go duration).

use serde_json::{Value, json};

use super::durations::{go_duration, is_duration};
use super::report::{Fields, Refusals};
use crate::core::sync_window::parse_schedule;

/// Converts `syncWindows` found at `path`. A window secretsync would refuse (an unknown kind, no
/// window, a schedule ESO's cron library cannot read — ESO skips such a window in silence, the
/// controller refuses it —, a negative duration — a window ESO never finds open) refuses the whole
/// field: leaving one window out could change what the others mean.
pub(crate) fn sync_windows(v: &Value, path: &str, r: &mut Refusals) -> Option<Value> {
    let before = r.len();
    let mut f = Fields::new(v, path, r);
    let kind = f.string("kind", r);
    let windows = f.take("windows");
    f.finish(r);
    let kind = match kind {
        Some(k @ ("allow" | "deny")) => Some(k),
        Some(other) => {
            r.refuse(
                format!("{path}.kind"),
                format!("unknown kind {other:?} (allow or deny)"),
            );
            None
        }
        None => {
            r.refuse(format!("{path}.kind"), "required: allow or deny");
            None
        }
    };
    let items = match windows {
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            r.refuse(format!("{path}.windows"), "expected a list");
            &[]
        }
        None => {
            r.refuse(format!("{path}.windows"), "required: at least one window");
            &[]
        }
    };
    let windows: Vec<Value> = items
        .iter()
        .enumerate()
        .filter_map(|(i, w)| window(w, &format!("{path}.windows[{i}]"), r))
        .collect();
    (r.len() == before && windows.len() == items.len())
        .then(|| json!({ "kind": kind, "windows": windows }))
}

/// One window, or None (refused).
fn window(v: &Value, path: &str, r: &mut Refusals) -> Option<Value> {
    let mut f = Fields::new(v, path, r);
    let schedule = f.string("schedule", r);
    let duration = f.string("duration", r);
    f.finish(r);
    let Some(schedule) = schedule else {
        r.refuse(format!("{path}.schedule"), "required");
        return None;
    };
    if let Err(e) = parse_schedule(schedule) {
        r.refuse(
            format!("{path}.schedule"),
            format!(
                "{schedule:?} is not a schedule ESO's cron library reads ({e}); ESO skips such a \
                 window in silence, secretsync refuses it"
            ),
        );
        return None;
    }
    let duration = match duration {
        None => {
            r.refuse(format!("{path}.duration"), "required");
            return None;
        }
        Some(d) if is_duration(d) => d.to_string(),
        Some(d) => match go_duration(d) {
            Some(same) => {
                r.note(format!(
                    "{path}.duration: {d:?} is written {same:?} (the same duration in secretsync's \
                     syntax)"
                ));
                same
            }
            None => {
                r.refuse(
                    format!("{path}.duration"),
                    format!("{d:?} is not a duration secretsync accepts (e.g. 30m, 8h; ESO never finds a window with a negative duration open)"),
                );
                return None;
            }
        },
    };
    Some(json!({ "schedule": schedule, "duration": duration }))
}

#[cfg(test)]
#[path = "sync_windows_tests.rs"]
mod tests;
