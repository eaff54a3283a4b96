//! Reading Reloader's annotation values: Go's `strconv.ParseBool`, comma lists of anchored
//! regular expressions, exact-name exclude lists, and Go durations (`pause-period`).

use std::time::Duration;

/// Go's `strconv.ParseBool`: `Some(true)` for 1 t T TRUE true True, `Some(false)` for 0 f F FALSE
/// false False, `None` for anything else.
pub fn parse_bool(value: &str) -> Option<bool> {
    let _ = value;
    todo!("parse_bool")
}

/// Whether `name` is named by a Reloader reload list: comma-separated items, each trimmed and
/// matched as `^item$` (an invalid item is skipped, as Reloader does since its fix).
pub fn list_matches(list: &str, name: &str) -> bool {
    let _ = (list, name);
    todo!("list_matches")
}

/// Go's `time.ParseDuration` (`10s`, `1h30m`, `1.5m`); an error names the value's problem.
pub fn go_duration(value: &str) -> Result<Duration, String> {
    let _ = value;
    todo!("go_duration")
}
