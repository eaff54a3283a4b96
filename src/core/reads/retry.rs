//! A store's `retrySettings` (ESO's field) as the retry policy of its AWS clients, bounded so that
//! no store can make the controller retry for long or call AWS in a tight loop.

use std::time::Duration;

use crate::api::RetrySettings;

/// Attempts per AWS call without `retrySettings` (the SDK's standard mode), and with
/// `retrySettings` but no `maxRetries` (ESO's default).
pub const DEFAULT_ATTEMPTS: u32 = 3;
/// Most attempts per AWS call, whatever `maxRetries` says (ESO: `maxRetries` ≤ 0 retries until the
/// SDK's retry quota runs out).
pub const MAX_ATTEMPTS: u32 = 10;
/// Shortest `retryInterval` used; a shorter one is raised to it.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// Longest `retryInterval` used; a longer one is lowered to it (every AWS call is also bounded by
/// [`OPERATION_TIMEOUT`] in total).
pub const MAX_INTERVAL: Duration = Duration::from_secs(10);
/// Longest time one AWS call may take, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// How an AWS client of a store retries a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// Attempts per call, the first included (ESO's `maxRetries` means this too).
    pub max_attempts: u32,
    /// The delay bound between attempts (`retryInterval`; the SDK waits a random part of it); None:
    /// the SDK's exponential backoff.
    pub interval: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_ATTEMPTS,
            interval: None,
        }
    }
}

/// What a policy changed from the settings to stay within bounds (for notes and messages).
pub fn bounded_note(settings: &RetrySettings) -> Option<String> {
    let mut notes = Vec::new();
    if let Some(n) = settings.max_retries
        && !(1..=MAX_ATTEMPTS as i64).contains(&i64::from(n))
    {
        notes.push(format!(
            "maxRetries {n} is used as {MAX_ATTEMPTS} attempts (at most {MAX_ATTEMPTS}; ESO retries \
             without a bound below 1)"
        ));
    }
    if let Some(Ok(d)) = settings
        .retry_interval
        .as_deref()
        .map(super::duration::parse)
        && !d.is_zero()
        && !(MIN_INTERVAL..=MAX_INTERVAL).contains(&d)
    {
        notes.push(format!(
            "retryInterval {:?} is used as {:?} (between {MIN_INTERVAL:?} and {MAX_INTERVAL:?})",
            settings.retry_interval.as_deref().unwrap_or_default(),
            d.clamp(MIN_INTERVAL, MAX_INTERVAL)
        ));
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// The policy of `settings` (absent: the SDK's standard retries); Err names a `retryInterval` that
/// is not a duration.
pub fn retry_policy(settings: Option<&RetrySettings>) -> Result<RetryPolicy, String> {
    let Some(settings) = settings else {
        return Ok(RetryPolicy::default());
    };
    let max_attempts = match settings.max_retries {
        None => DEFAULT_ATTEMPTS,
        Some(n) if n >= 1 => (n as u32).min(MAX_ATTEMPTS),
        Some(_) => MAX_ATTEMPTS,
    };
    let interval = match settings.retry_interval.as_deref() {
        None => None,
        Some(text) => {
            let d = super::duration::parse(text)
                .map_err(|e| format!("retryInterval {text:?} is not a duration: {e}"))?;
            (!d.is_zero()).then(|| d.clamp(MIN_INTERVAL, MAX_INTERVAL))
        }
    };
    Ok(RetryPolicy {
        max_attempts,
        interval,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(max: Option<i32>, interval: Option<&str>) -> RetrySettings {
        RetrySettings {
            max_retries: max,
            retry_interval: interval.map(String::from),
        }
    }

    /// Settings, the policy (attempts, interval) or the error's start, and whether a note is due.
    type Case = (
        Option<RetrySettings>,
        Result<(u32, Option<Duration>), &'static str>,
        bool,
    );

    #[test]
    fn settings_become_a_bounded_policy() {
        let ms = Duration::from_millis;
        let cases: &[Case] = &[
            (None, Ok((3, None)), false),
            (Some(settings(None, None)), Ok((3, None)), false),
            (Some(settings(Some(5), None)), Ok((5, None)), false),
            (
                Some(settings(Some(1), Some("2s"))),
                Ok((1, Some(ms(2000)))),
                false,
            ),
            (
                Some(settings(Some(10), Some("500ms"))),
                Ok((10, Some(ms(500)))),
                false,
            ),
            // Bounded: a tenant cannot ask for unbounded retries, a tight loop or long waits.
            (Some(settings(Some(1000), None)), Ok((10, None)), true),
            (Some(settings(Some(0), None)), Ok((10, None)), true),
            (Some(settings(Some(-1), None)), Ok((10, None)), true),
            (
                Some(settings(None, Some("1ms"))),
                Ok((3, Some(ms(100)))),
                true,
            ),
            (
                Some(settings(None, Some("1h"))),
                Ok((3, Some(ms(10_000)))),
                true,
            ),
            // 0: no fixed interval (the SDK's backoff), as ESO.
            (Some(settings(None, Some("0"))), Ok((3, None)), false),
            (
                Some(settings(None, Some("5 minutes"))),
                Err("retryInterval \"5 minutes\" is not a duration"),
                false,
            ),
            (
                Some(settings(None, Some("-1s"))),
                Err("retryInterval \"-1s\" is not a duration"),
                false,
            ),
        ];
        for (s, want, noted) in cases {
            let got = retry_policy(s.as_ref());
            match (want, got) {
                (Ok((attempts, interval)), Ok(p)) => {
                    assert_eq!(
                        (p.max_attempts, p.interval),
                        (*attempts, *interval),
                        "{s:?}"
                    );
                }
                (Err(w), Err(e)) => assert!(e.starts_with(w), "{e}"),
                (w, g) => panic!("{s:?}: wanted {w:?}, got {g:?}"),
            }
            let note = s.as_ref().and_then(bounded_note);
            assert_eq!(note.is_some(), *noted, "{s:?}: {note:?}");
        }
    }
}
