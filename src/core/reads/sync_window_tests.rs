use super::*;
use crate::api::{SyncWindow, SyncWindowKind, SyncWindows};

/// A UTC instant, `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(text: &str) -> Timestamp {
    text.parse().expect("a valid instant")
}

fn spec(kind: SyncWindowKind, windows: &[(&str, &str)]) -> SyncWindows {
    SyncWindows {
        kind,
        windows: windows
            .iter()
            .map(|(schedule, duration)| SyncWindow {
                schedule: schedule.to_string(),
                duration: duration.to_string(),
            })
            .collect(),
    }
}

fn windows(kind: SyncWindowKind, w: &[(&str, &str)]) -> Windows {
    parse(Some(&spec(kind, w)))
        .expect("valid windows")
        .expect("set")
}

fn window(schedule: &str, duration: &str) -> Window {
    windows(SyncWindowKind::Deny, &[(schedule, duration)])
        .windows
        .remove(0)
}

/// ESO v2.9.0 `TestIsWithinSyncWindow` (pkg/controllers/externalsecret/syncwindow_test.go:40-99):
/// `0 22 * * *` for 2h, both ends included.
#[test]
fn eso_is_within_sync_window() {
    let w = window("0 22 * * *", "2h");
    let open = utc("2026-06-01T22:00:00Z");
    let close = utc("2026-06-02T00:00:00Z");
    let s = SignedDuration::from_secs;
    let cases = [
        ("at window open (inclusive)", open, true),
        ("inside window", open + s(30 * 60), true),
        ("at window close (inclusive)", close, true),
        ("one second past window close", close + s(1), false),
        ("one hour before window opens", open - s(3600), false),
        (
            "between two consecutive occurrences",
            open + s(5 * 3600),
            false,
        ),
        (
            "inside the second occurrence (next day)",
            open + s(24 * 3600 + 30 * 60),
            true,
        ),
    ];
    for (name, at, want) in cases {
        assert_eq!(w.is_open(at), want, "{name}");
    }
}

/// ESO v2.9.0 `TestIsPeriodicRefreshAllowedByWindows` (syncwindow_test.go:103-208), with
/// secretsync's answers. Where they differ (a schedule ESO cannot parse, which ESO skips in
/// silence), secretsync refuses the spec as InvalidSpec; an unknown kind cannot reach the core (the
/// CRD's enum and the typed API refuse it).
#[test]
fn eso_is_periodic_refresh_allowed_by_windows() {
    use SyncWindowKind::{Allow, Deny};
    let in_window = utc("2026-06-01T23:00:00Z");
    let out_window = utc("2026-06-01T20:00:00Z");
    let valid = ("0 22 * * *", "2h");
    let invalid = ("not-a-cron", "2h");
    // (name, windows, at, ESO's answer, secretsync's answer: Some(allowed) or None = InvalidSpec)
    type Case<'a> = (&'a str, Option<SyncWindows>, Timestamp, bool, Option<bool>);
    let cases: Vec<Case> = vec![
        (
            "nil SyncWindows always permits",
            None,
            in_window,
            true,
            Some(true),
        ),
        (
            "empty Windows list always permits",
            Some(spec(Allow, &[])),
            in_window,
            true,
            Some(true),
        ),
        (
            "allow: at inside window -- permit",
            Some(spec(Allow, &[valid])),
            in_window,
            true,
            Some(true),
        ),
        (
            "allow: at outside window -- block",
            Some(spec(Allow, &[valid])),
            out_window,
            false,
            Some(false),
        ),
        (
            "deny: at inside window -- block",
            Some(spec(Deny, &[valid])),
            in_window,
            false,
            Some(false),
        ),
        (
            "deny: at outside window -- permit",
            Some(spec(Deny, &[valid])),
            out_window,
            true,
            Some(true),
        ),
        (
            "allow: only invalid schedule -- block (no window is active)",
            Some(spec(Allow, &[invalid])),
            in_window,
            false,
            None,
        ),
        (
            "deny: only invalid schedule -- permit (no window is active)",
            Some(spec(Deny, &[invalid])),
            in_window,
            true,
            None,
        ),
        (
            "allow: one invalid + one valid active window -- permit",
            Some(spec(Allow, &[invalid, valid])),
            in_window,
            true,
            None,
        ),
    ];
    for (name, sw, at, _eso, want) in cases {
        let got = match parse(sw.as_ref()) {
            Ok(None) => Some(true),
            Ok(Some(w)) => Some(w.allows(at)),
            Err(e) => {
                assert_eq!(e.reason, Reason::InvalidSpec, "{name}");
                assert!(e.message.contains("not-a-cron"), "{name}: {}", e.message);
                None
            }
        };
        assert_eq!(got, want, "{name}");
    }
    // "unknown kind -- always permit": refused before the core.
    let unknown = serde_json::json!({"kind": "unknown", "windows": [{"schedule": "@daily", "duration": "1h"}]});
    assert!(serde_json::from_value::<SyncWindows>(unknown).is_err());
}

/// What robfig/cron v3's parser accepts (with ESO's options) and what it refuses, and when each
/// accepted schedule fires next after Tuesday 2026-06-02 00:00:30 UTC.
#[test]
fn schedules_parse_and_fire_as_in_esos_cron_library() {
    let from = utc("2026-06-02T00:00:30Z");
    let table: &[(&str, Option<&str>)] = &[
        ("0 22 * * *", Some("2026-06-02T22:00:00Z")),
        ("*/15 * * * *", Some("2026-06-02T00:15:00Z")),
        ("5/15 * * * *", Some("2026-06-02T00:05:00Z")), // n/step runs to the maximum
        ("+5 * * * *", Some("2026-06-02T00:05:00Z")),   // Go's Atoi takes a sign
        ("*-5 * * * *", Some("2026-06-02T00:01:00Z")),  // robfig ignores what follows `*-`
        ("0 9 * * 1-5", Some("2026-06-02T09:00:00Z")),
        ("0 0 * JAN-mar,Jun sun", Some("2026-06-07T00:00:00Z")),
        ("@hourly", Some("2026-06-02T01:00:00Z")),
        ("@daily", Some("2026-06-03T00:00:00Z")),
        ("@midnight", Some("2026-06-03T00:00:00Z")),
        ("@weekly", Some("2026-06-07T00:00:00Z")), // Sunday
        ("@monthly", Some("2026-07-01T00:00:00Z")),
        ("@yearly", Some("2027-01-01T00:00:00Z")),
        ("@annually", Some("2027-01-01T00:00:00Z")),
        // Day of month and day of week: either matches, unless one holds a star (`*`, `?`, or a
        // `*` range with step 1), then both must.
        ("0 0 3 * 1", Some("2026-06-03T00:00:00Z")), // the 3rd (a Wednesday) or a Monday
        ("0 0 * * 1", Some("2026-06-08T00:00:00Z")), // Mondays only
        ("0 0 ? * 1", Some("2026-06-08T00:00:00Z")),
        ("0 0 */1 * 1", Some("2026-06-08T00:00:00Z")),
        ("0 0 *,3 * 1", Some("2026-06-08T00:00:00Z")),
        ("0 0 */2 * 1", Some("2026-06-03T00:00:00Z")), // a step clears the star: odd days or Mondays
        // Never fires: robfig's zero time.
        ("0 0 30 2 *", None),
        (", * * * *", None),
    ];
    for (text, want) in table {
        let schedule = parse_schedule(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(schedule.next(from), want.map(utc), "{text}");
    }
    for bad in [
        "",
        "not-a-cron",
        "every hour",
        "* * * *",
        "0 * * * * *",
        "60 * * * *",
        "0 24 * * *",
        "0 0 0 * *",
        "0 0 * 13 *",
        "0 0 * * 7", // robfig's days of week are 0-6
        "0 0 L * *",
        "0 0 * * 1#2",
        "0 0 15W * *",
        "-1 * * * *",
        "/5 * * * *",
        "*/0 * * * *",
        "1-2-3 * * * *",
        "1/2/3 * * * *",
        "5-1 * * * *",
        "jan * * * *", // names only in the month and day-of-week fields
        "@Daily",      // descriptors are case-sensitive
        "@reboot",
        "@every",
        "@every  1h",
        "@every 1h extra",
        "@every 1d",
        "TZ=UTC 0 22 * *",
        "CRON_TZ=Europe/Paris 0 22 * * *",
    ] {
        assert!(parse_schedule(bad).is_err(), "{bad:?} should be refused");
    }
}

/// robfig's `@every`: a constant delay, truncated to whole seconds (under a second, negative
/// included, is one second); its next firing is counted from the instant asked about. So ESO's
/// window formula finds `@every D` with duration `d` open at all times when D ≤ d + 1s, and never
/// otherwise.
#[test]
fn every_is_a_delay_from_the_instant_asked_about() {
    let s = Duration::from_secs;
    let delay = |text: &str| match parse_schedule(text) {
        Ok(Schedule::Every(d)) => d,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(delay("@every 1h"), s(3600));
    assert_eq!(delay("@every 1h30m"), s(5400));
    assert_eq!(delay("@every 90s"), s(90));
    assert_eq!(delay("@every 1.5s"), s(1));
    assert_eq!(delay("@every 500ms"), s(1));
    assert_eq!(delay("@every 0"), s(1));
    assert_eq!(delay("@every -5m"), s(1));
    assert_eq!(delay("@every +2m"), s(120));
    assert_eq!(delay("@every .5h"), s(1800));
    assert_eq!(delay("@every 2\u{3bc}s"), s(1));
    let t = utc("2026-06-01T10:00:00.250Z");
    assert_eq!(
        parse_schedule("@every 1h").expect("valid").next(t),
        Some(utc("2026-06-01T11:00:00Z"))
    );
    for at in [
        t,
        utc("2026-06-01T10:17:42Z"),
        utc("2030-01-01T00:00:00.999Z"),
    ] {
        assert!(window("@every 1h", "2h").is_open(at), "{at}");
        assert!(window("@every 1h", "1h").is_open(at), "{at}");
        assert!(!window("@every 1h", "30m").is_open(at), "{at}");
        assert!(!window("@every 2h", "1h").is_open(at), "{at}");
    }
}

/// The first time the windows allow, from a blocked instant.
#[test]
fn next_allowed_time() {
    use SyncWindowKind::{Allow, Deny};
    // (kind, windows (schedule, duration), blocked instant, first allowed instant)
    type Case<'a> = (
        SyncWindowKind,
        &'a [(&'a str, &'a str)],
        &'a str,
        Option<&'a str>,
    );
    let cases: &[Case] = &[
        // Allowed now: now.
        (
            Deny,
            &[("0 22 * * *", "2h")],
            "2026-06-01T20:00:00Z",
            Some("2026-06-01T20:00:00Z"),
        ),
        // A deny window: the second after it closes.
        (
            Deny,
            &[("0 22 * * *", "2h")],
            "2026-06-01T23:00:00Z",
            Some("2026-06-02T00:00:01Z"),
        ),
        // Overlapping deny windows: after the last one closes.
        (
            Deny,
            &[("0 22 * * *", "2h"), ("30 23 * * *", "1h")],
            "2026-06-01T23:00:00Z",
            Some("2026-06-02T00:30:01Z"),
        ),
        // An allow window: when it opens; the earliest of several.
        (
            Allow,
            &[("0 22 * * *", "2h")],
            "2026-06-01T20:00:00Z",
            Some("2026-06-01T22:00:00Z"),
        ),
        (
            Allow,
            &[("0 22 * * *", "2h"), ("0 21 * * 1", "10m")],
            "2026-06-01T20:00:00Z",
            Some("2026-06-01T21:00:00Z"),
        ),
        (
            Allow,
            &[("0 22 * * *", "2h")],
            "2026-06-02T00:00:01Z",
            Some("2026-06-02T22:00:00Z"),
        ),
        // Never allowed: always denied, never open, a date that never comes.
        (Deny, &[("* * * * *", "1h")], "2026-06-01T20:00:00Z", None),
        (Deny, &[("@every 1h", "2h")], "2026-06-01T20:00:00Z", None),
        (Allow, &[("@every 1h", "30m")], "2026-06-01T20:00:00Z", None),
        (Allow, &[("0 0 30 2 *", "1h")], "2026-06-01T20:00:00Z", None),
    ];
    for (kind, w, at, want) in cases {
        let got = windows(*kind, w).next_allowed(utc(at));
        assert_eq!(got, want.map(utc), "{kind:?} {w:?} at {at}");
        if let Some(t) = got {
            assert!(
                windows(*kind, w).allows(t),
                "{kind:?} {w:?}: {t} is allowed"
            );
        }
    }
}

/// Every combination: kind × inside/outside a window × why the reconcile runs × refresh policy.
/// Only `Periodic` is windowed (as in ESO); a first sync, a spec change, a force-sync or a repair
/// (`Immediate`) is never blocked; the interval's refresh and an announced change are.
#[test]
fn gate_over_every_combination() {
    use RefreshPolicy::{CreatedOnce, OnChange, Periodic};
    use SyncWindowKind::{Allow, Deny};
    let inside = utc("2026-06-01T23:00:00Z");
    let outside = utc("2026-06-01T20:00:00Z");
    for kind in [Allow, Deny] {
        let w = windows(kind, &[("0 22 * * *", "2h")]);
        for (place, now) in [("inside", inside), ("outside", outside)] {
            for trigger in [Trigger::Periodic, Trigger::Immediate, Trigger::Announced] {
                for policy in [Periodic, OnChange, CreatedOnce] {
                    let blocked = policy == Periodic
                        && trigger != Trigger::Immediate
                        && ((kind == Deny) == (place == "inside"));
                    let want = if !blocked {
                        Gate::Now
                    } else if kind == Deny {
                        Gate::NotBefore(Some(utc("2026-06-02T00:00:01Z")))
                    } else {
                        Gate::NotBefore(Some(utc("2026-06-01T22:00:00Z")))
                    };
                    assert_eq!(
                        gate(Some(&w), policy, trigger, now),
                        want,
                        "{kind:?} {place} {trigger:?} {policy:?}"
                    );
                    assert_eq!(gate(None, policy, trigger, now), Gate::Now);
                }
            }
        }
    }
}

#[test]
fn a_bad_duration_or_schedule_is_invalid_spec_naming_the_window() {
    let e = parse(Some(&spec(
        SyncWindowKind::Deny,
        &[("@daily", "1h"), ("every hour", "1h")],
    )))
    .expect_err("bad schedule");
    assert_eq!(e.reason, Reason::InvalidSpec);
    assert!(
        e.message
            .starts_with("syncWindows.windows[1].schedule \"every hour\""),
        "{}",
        e.message
    );
    let e =
        parse(Some(&spec(SyncWindowKind::Deny, &[("@daily", "1d")]))).expect_err("bad duration");
    assert!(
        e.message.starts_with("syncWindows.windows[0].duration"),
        "{}",
        e.message
    );
}
