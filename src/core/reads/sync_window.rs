//! ESO's `spec.syncWindows`: whether a refresh may read AWS and write the Secret now, or not before
//! a later time. ESO v2.9.0's semantics (`isPeriodicRefreshAllowedByWindows`, `isWithinSyncWindow`):
//! windows are evaluated in UTC and only under `refreshPolicy: Periodic`; `deny` blocks while any
//! window is open, `allow` blocks while none is; a window is open from a firing of its schedule to
//! that firing plus its duration, both ends included, the firing being the first one after
//! `at - duration - 1s` (ESO's formula, kept as is). Schedules are read as ESO's cron library
//! (robfig/cron v3, 5 fields plus descriptors) reads them: [`parse_schedule`] accepts exactly what it
//! accepts, with its day-of-month/day-of-week rule and its `@every` arithmetic; the calendar stepping
//! is `croner`'s. What is blocked: the interval's refresh, the retry of a failed one, and a remote
//! change announced by a listing or a queue event (it stays pending and is read once a window allows:
//! a deny window is a change freeze). A first sync, a spec change, a force-sync and the repair of a
//! deleted or altered Secret are never blocked (ESO refreshes on them whatever its windows say).
//! Where secretsync differs: a schedule ESO cannot parse (ESO skips that window in silence) is refused
//! as `InvalidSpec`, and a blocked refresh comes back exactly when a window allows it (ESO polls with
//! its rate limiter's backoff, up to 7 minutes).

use std::time::Duration;

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::api::{RefreshPolicy, SyncWindowKind};
use crate::core::reason::{Reason, SyncError};

/// How far ahead [`Windows::next_allowed`] looks for a time the windows allow.
pub const HORIZON: SignedDuration = SignedDuration::from_hours(24 * 366);
/// At most this many candidate times are tried by [`Windows::next_allowed`].
const MAX_STEPS: usize = 2048;
/// Like robfig's `Next`, a schedule with no firing within this many calendar years has none.
const YEAR_LIMIT: i16 = 5;

/// A parsed schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// A cron expression (or a descriptor such as `@daily`), at minute granularity.
    Cron(Box<Cron>),
    /// `@every <d>`: robfig's constant delay, `d` truncated to whole seconds, at least one second.
    /// Its "next firing" after `t` is `t` truncated to the second plus the delay.
    Every(Duration),
    /// A field that selects nothing (`,`): it never fires.
    Never,
}

/// One parsed window.
#[derive(Debug, Clone)]
pub struct Window {
    /// When the window opens.
    pub schedule: Schedule,
    /// How long it stays open.
    pub duration: Duration,
}

/// Parsed `spec.syncWindows`.
#[derive(Debug, Clone)]
pub struct Windows {
    /// `allow` or `deny`.
    pub kind: SyncWindowKind,
    /// The windows (none: every time is allowed, as in ESO).
    pub windows: Vec<Window>,
}

/// Why this reconcile would read AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A first sync, a spec change, a force-sync, or the repair of a deleted or altered Secret:
    /// never blocked.
    Immediate,
    /// The refresh interval is due (or a failed periodic refresh is retried).
    Periodic,
    /// A remote change announced by the store's listing, a queue event or another ExternalSecret's
    /// read.
    Announced,
}

/// The answer: read now, or not before a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Refresh now.
    Now,
    /// Blocked: not before this time (None: no time within [`HORIZON`] is allowed).
    NotBefore(Option<Timestamp>),
}

/// Whether a refresh for `trigger` may happen at `now`, and if not, from when.
pub fn gate(
    windows: Option<&Windows>,
    policy: RefreshPolicy,
    trigger: Trigger,
    now: Timestamp,
) -> Gate {
    let Some(w) = windows else {
        return Gate::Now;
    };
    if policy != RefreshPolicy::Periodic || trigger == Trigger::Immediate || w.allows(now) {
        return Gate::Now;
    }
    Gate::NotBefore(w.next_allowed(now))
}

/// Parses `spec.syncWindows`: None when unset; an unparseable schedule or duration is `InvalidSpec`.
pub fn parse(spec: Option<&crate::api::SyncWindows>) -> Result<Option<Windows>, SyncError> {
    let Some(spec) = spec else {
        return Ok(None);
    };
    let invalid = |i: usize, what: String| {
        SyncError::new(
            Reason::InvalidSpec,
            format!("syncWindows.windows[{i}].{what}"),
        )
    };
    let windows = spec
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let schedule = parse_schedule(&w.schedule)
                .map_err(|e| invalid(i, format!("schedule {:?}: {e}", w.schedule)))?;
            let duration = crate::core::duration::parse(&w.duration)
                .map_err(|e| invalid(i, format!("duration: {e}")))?;
            Ok(Window { schedule, duration })
        })
        .collect::<Result<_, SyncError>>()?;
    Ok(Some(Windows {
        kind: spec.kind,
        windows,
    }))
}

impl Windows {
    /// ESO's `isPeriodicRefreshAllowedByWindows` at `at`.
    pub fn allows(&self, at: Timestamp) -> bool {
        if self.windows.is_empty() {
            return true;
        }
        let open = self.windows.iter().any(|w| w.is_open(at));
        match self.kind {
            SyncWindowKind::Deny => !open,
            SyncWindowKind::Allow => open,
        }
    }

    /// The first time at or after `at` that the windows allow (to the second after a deny window
    /// closes; the firing itself for an allow window), None when there is none within [`HORIZON`].
    pub fn next_allowed(&self, at: Timestamp) -> Option<Timestamp> {
        let limit = at.checked_add(HORIZON).ok()?;
        let mut t = at;
        for _ in 0..MAX_STEPS {
            if self.allows(t) {
                return Some(t);
            }
            let next = match self.kind {
                // Past the latest close of the windows open now (a window opening meanwhile is
                // found by the next round).
                SyncWindowKind::Deny => self
                    .windows
                    .iter()
                    .filter_map(|w| w.open_since(t).map(|from| (w, from)))
                    .filter_map(|(w, from)| after_close(from, w.duration))
                    .max()?,
                // The earliest next opening.
                SyncWindowKind::Allow => self
                    .windows
                    .iter()
                    .filter_map(|w| w.schedule.next(t))
                    .min()?,
            };
            if next <= t || next > limit {
                return None;
            }
            t = next;
        }
        None
    }
}

/// The second after a window opened at `from` for `duration` closes.
fn after_close(from: Timestamp, duration: Duration) -> Option<Timestamp> {
    let d = SignedDuration::try_from(duration).ok()?;
    from.checked_add(d)
        .ok()?
        .checked_add(SignedDuration::from_secs(1))
        .ok()
}

impl Window {
    /// ESO's `isWithinSyncWindow`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.open_since(at).is_some()
    }

    /// The firing that opened the window open at `at` (None: closed).
    fn open_since(&self, at: Timestamp) -> Option<Timestamp> {
        let d = SignedDuration::try_from(self.duration).ok()?;
        let probe = at
            .checked_sub(d)
            .ok()?
            .checked_sub(SignedDuration::from_secs(1))
            .ok()?;
        let prev = self.schedule.next(probe)?;
        (prev <= at && at <= prev.checked_add(d).ok()?).then_some(prev)
    }
}

impl Schedule {
    /// robfig's `Next`: the first firing strictly after `t` (None: robfig's zero time).
    pub fn next(&self, t: Timestamp) -> Option<Timestamp> {
        let whole = Timestamp::from_second(t.as_second()).ok()?;
        // Negative instants round toward zero; step back to the floor as Go's truncation does.
        let whole = if whole > t {
            whole.checked_sub(SignedDuration::from_secs(1)).ok()?
        } else {
            whole
        };
        match self {
            Schedule::Never => None,
            Schedule::Every(delay) => whole
                .checked_add(SignedDuration::try_from(*delay).ok()?)
                .ok(),
            Schedule::Cron(cron) => {
                let start = whole.to_zoned(TimeZone::UTC);
                let found = cron.find_next_occurrence(&start, false).ok()?;
                (found.year() <= start.year().saturating_add(YEAR_LIMIT)).then(|| found.timestamp())
            }
        }
    }
}

/// Parses a schedule exactly as ESO's parser does (robfig/cron v3 with the minute, hour,
/// day-of-month, month and day-of-week fields and descriptors).
pub fn parse_schedule(text: &str) -> Result<Schedule, String> {
    let expression = match text {
        "" => return Err("empty spec string".into()),
        _ if text.starts_with("TZ=") || text.starts_with("CRON_TZ=") => {
            return Err("a time zone prefix is not supported: windows are evaluated in UTC".into());
        }
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ if text.starts_with('@') => {
            let Some(d) = text.strip_prefix("@every ") else {
                return Err(format!("unrecognized descriptor: {text}"));
            };
            return every(d).map(Schedule::Every);
        }
        _ => text,
    };
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}", fields.len()));
    }
    let minute = cron_field(fields[0], 0, 59, &[])?;
    let hour = cron_field(fields[1], 0, 23, &[])?;
    let dom = cron_field(fields[2], 1, 31, &[])?;
    let month = cron_field(fields[3], 1, 12, &MONTHS)?;
    let dow = cron_field(fields[4], 0, 6, &DAYS)?;
    let parts = [&minute, &hour, &dom, &month, &dow];
    if parts.iter().any(|f| f.values.is_empty()) {
        return Ok(Schedule::Never);
    }
    // robfig: a `*` (or `?`) in either day field makes a day match both; otherwise either.
    let both_days = dom.star || dow.star;
    let pattern = parts
        .iter()
        .map(|f| {
            f.values
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join(" ");
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .dom_and_dow(both_days)
        .build()
        .parse(&pattern)
        .map(|c| Schedule::Cron(Box::new(c)))
        .map_err(|e| e.to_string())
}

const MONTHS: [(&str, u32); 12] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

const DAYS: [(&str, u32); 7] = [
    ("sun", 0),
    ("mon", 1),
    ("tue", 2),
    ("wed", 3),
    ("thu", 4),
    ("fri", 5),
    ("sat", 6),
];

/// One field's values, and whether it holds a star (robfig's star bit).
struct Field {
    values: Vec<u32>,
    star: bool,
}

/// robfig's `getField`: comma-separated ranges (empty ones skipped), each `*`, `?`, `n`, `n-m`,
/// optionally `/step` (`n/step` runs to the maximum; a step above 1 clears the star).
fn cron_field(text: &str, min: u32, max: u32, names: &[(&str, u32)]) -> Result<Field, String> {
    let mut bits = 0u64;
    let mut star = false;
    for expr in text.split(',').filter(|e| !e.is_empty()) {
        let range_and_step: Vec<&str> = expr.split('/').collect();
        let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
        let single = low_and_high.len() == 1;
        let (start, mut end, mut extra) = if matches!(low_and_high[0], "*" | "?") {
            (min, max, true)
        } else {
            let start = int_or_name(low_and_high[0], names)?;
            match low_and_high.len() {
                1 => (start, start, false),
                2 => (start, int_or_name(low_and_high[1], names)?, false),
                _ => return Err(format!("too many hyphens: {expr}")),
            }
        };
        let step = match range_and_step.len() {
            1 => 1,
            2 => {
                let step = int(range_and_step[1])?;
                if single {
                    end = max;
                }
                if step > 1 {
                    extra = false;
                }
                step
            }
            _ => return Err(format!("too many slashes: {expr}")),
        };
        if start < min {
            return Err(format!(
                "beginning of range ({start}) below minimum ({min}): {expr}"
            ));
        }
        if end > max {
            return Err(format!(
                "end of range ({end}) above maximum ({max}): {expr}"
            ));
        }
        if start > end {
            return Err(format!(
                "beginning of range ({start}) beyond end of range ({end}): {expr}"
            ));
        }
        if step == 0 {
            return Err(format!("step of range should be a positive number: {expr}"));
        }
        for v in (start..=end).step_by(step as usize) {
            bits |= 1 << v;
        }
        star |= extra;
    }
    Ok(Field {
        values: (min..=max).filter(|v| bits & (1 << v) != 0).collect(),
        star,
    })
}

/// robfig's `parseIntOrName`: a name (any case) of the field, or a number.
fn int_or_name(text: &str, names: &[(&str, u32)]) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    match names.iter().find(|(n, _)| *n == lower) {
        Some((_, v)) => Ok(*v),
        None => int(text),
    }
}

/// robfig's `mustParseInt` (Go's `strconv.Atoi`, a sign allowed, no negative number).
fn int(text: &str) -> Result<u32, String> {
    let n: i64 = text
        .parse()
        .map_err(|_| format!("failed to parse int from {text}"))?;
    if n < 0 {
        return Err(format!("negative number ({n}) not allowed: {text}"));
    }
    // Larger than any field's maximum: the range check reports it.
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// robfig's `Every(time.ParseDuration(d))`: under a second (negative included) is one second;
/// otherwise truncated to whole seconds.
fn every(text: &str) -> Result<Duration, String> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    // Go's time.ParseDuration: no spaces, `μs` (Greek mu) as well as `µs`.
    if body.is_empty() || body.chars().any(char::is_whitespace) {
        return Err(format!("failed to parse duration @every {text}"));
    }
    let d = crate::core::duration::parse(&body.replace('\u{3bc}', "\u{b5}"))
        .map_err(|e| format!("failed to parse duration @every {text}: {e}"))?;
    if negative || d < Duration::from_secs(1) {
        return Ok(Duration::from_secs(1));
    }
    Ok(Duration::from_secs(d.as_secs()))
}

#[cfg(test)]
#[path = "sync_window_tests.rs"]
mod tests;
