//! Per-object exponential backoff after failures, with jitter, reset on success.

use std::time::Duration;

/// First retry delay after a failure.
pub const BASE: Duration = Duration::from_secs(5);
/// Longest delay between retries.
pub const MAX: Duration = Duration::from_secs(300);

/// Delay before retry number `failures` (1 = first failure): 5s, 10s, 20s, ... capped at 5 min,
/// then spread by ±20% using `unit` in [0, 1).
pub fn delay(failures: u32, unit: f64) -> Duration {
    let exp = failures.saturating_sub(1).min(16);
    let raw = BASE.saturating_mul(1u32 << exp).min(MAX);
    crate::core::duration::jitter(raw, 0.2, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_and_caps() {
        assert_eq!(delay(1, 0.5), Duration::from_secs(5));
        assert_eq!(delay(2, 0.5), Duration::from_secs(10));
        assert_eq!(delay(3, 0.5), Duration::from_secs(20));
        assert_eq!(delay(10, 0.5), MAX);
        assert_eq!(delay(u32::MAX, 0.5), MAX);
    }

    #[test]
    fn jitter_spreads_retries() {
        assert!(delay(1, 0.0) < delay(1, 0.99));
        assert!(delay(10, 0.99) <= MAX.mul_f64(1.2));
    }
}
