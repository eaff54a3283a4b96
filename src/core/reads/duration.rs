//! Go-style durations (`30s`, `1h30m`, `0`) for `refreshInterval`, and jitter.

use std::time::Duration;

/// Parses a Go-style duration: a sequence of `<number><unit>` with units ns, us, µs, ms, s, m, h; or `0`.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    if text.is_empty() {
        return Err("empty duration".into());
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("duration {text:?}: missing unit"))?;
        if num_len == 0 {
            return Err(format!("duration {text:?}: expected a number"));
        }
        let value: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("duration {text:?}: bad number"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            other => return Err(format!("duration {text:?}: unknown unit {other:?}")),
        };
        total += value * seconds;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > 1e9 {
        return Err(format!("duration {text:?} is too large"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// Spreads `base` by ±`spread` (0.1 = ±10%) using `unit`, a number in [0, 1).
/// Pure: the caller supplies the randomness.
pub fn jitter(base: Duration, spread: f64, unit: f64) -> Duration {
    let factor = 1.0 + spread * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
    base.mul_f64(factor.max(0.0))
}

/// `base` lengthened by up to `spread` (0.1 = up to 10% longer); `unit` is a random number in [0, 1).
/// Periodic refreshes use it: a refresh never comes before its interval is over, so it always finds
/// its store's shared listing (renewed once per interval) due for renewal or renewed since.
pub fn jitter_up(base: Duration, spread: f64, unit: f64) -> Duration {
    base.mul_f64(1.0 + spread.max(0.0) * unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("10µs"), Ok(Duration::from_micros(10)));
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in ["", "1", "h", "1d", "1 h", "-1s", "1h1"] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn jitter_up_never_shortens() {
        let base = Duration::from_secs(100);
        assert_eq!(jitter_up(base, 0.1, 0.0), base);
        let high = jitter_up(base, 0.1, 0.999_999);
        assert!(high <= Duration::from_secs(110) && high > Duration::from_secs(109));
        assert_eq!(jitter_up(base, 0.1, 7.0), Duration::from_secs(110));
    }

    #[test]
    fn jitter_stays_within_the_spread() {
        let base = Duration::from_secs(100);
        assert_eq!(jitter(base, 0.1, 0.0), Duration::from_secs(90));
        assert_eq!(jitter(base, 0.1, 0.5), Duration::from_secs(100));
        let high = jitter(base, 0.1, 0.999_999);
        assert!(high <= Duration::from_secs(110) && high > Duration::from_secs(109));
    }
}
