//! A token bucket: the pure pacing rule behind the AWS rate limit per store configuration and the
//! Event rate limit. The caller passes the current time, so tests drive it with an injected clock.

use std::time::{Duration, Instant};

/// A token bucket: `rate` tokens per second, holding at most `rate` (one second of burst, at least 1).
/// Pure: the caller passes the current time, so tests drive it with an injected clock.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    /// Tokens available at `last`; negative when callers have reserved tokens not yet refilled.
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket of `per_second` tokens per second (0 is treated as 1).
    pub fn new(per_second: u32, now: Instant) -> Self {
        let rate = f64::from(per_second.max(1));
        Self {
            rate,
            capacity: rate,
            tokens: rate,
            last: now,
        }
    }

    /// The configured rate in requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Takes one token at `now` and returns how long the caller must wait before using it
    /// (zero when a token was available). Tokens are reserved in call order, so waiters are served
    /// first come, first served and the long-run rate never exceeds `rate`.
    pub fn take(&mut self, now: Instant) -> Duration {
        // A clock that went backwards (it cannot with Instant, but be safe) refills nothing.
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        if now > self.last {
            self.last = now;
        }
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_full_bucket_allows_one_second_of_burst_then_paces() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(2, t0);
        assert_eq!(b.take(t0), Duration::ZERO);
        assert_eq!(b.take(t0), Duration::ZERO);
        // The third request at the same instant waits for one token: 0.5 s at 2/s.
        assert_eq!(b.take(t0), ms(500));
        // And the fourth queues behind it.
        assert_eq!(b.take(t0), ms(1000));
    }

    #[test]
    fn ten_requests_at_two_per_second_take_four_seconds() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(2, t0);
        let waits: Vec<Duration> = (0..10).map(|_| b.take(t0)).collect();
        assert_eq!(waits.iter().max().copied(), Some(ms(4000)));
    }

    #[test]
    fn tokens_refill_with_time_up_to_capacity() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10, t0);
        for _ in 0..10 {
            assert_eq!(b.take(t0), Duration::ZERO);
        }
        assert_eq!(b.take(t0), ms(100));
        // 300 ms later: 3 tokens refilled, one of them already reserved.
        let t1 = t0 + ms(300);
        assert_eq!(b.take(t1), Duration::ZERO);
        assert_eq!(b.take(t1), Duration::ZERO);
        assert_eq!(b.take(t1), ms(100));
        // A long idle period refills only up to the capacity (one second's worth).
        let t2 = t1 + Duration::from_secs(60);
        for _ in 0..10 {
            assert_eq!(b.take(t2), Duration::ZERO);
        }
        assert!(b.take(t2) > Duration::ZERO);
    }

    #[test]
    fn a_steady_caller_at_the_rate_never_waits() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(4, t0);
        for i in 0..100u64 {
            assert_eq!(b.take(t0 + ms(250 * i)), Duration::ZERO, "request {i}");
        }
    }

    #[test]
    fn zero_is_treated_as_one_per_second() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(0, t0);
        assert_eq!(b.rate(), 1.0);
        assert_eq!(b.take(t0), Duration::ZERO);
        assert_eq!(b.take(t0), Duration::from_secs(1));
    }

    #[test]
    fn an_earlier_instant_refills_nothing() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        let mut b = TokenBucket::new(1, t1);
        assert_eq!(b.take(t1), Duration::ZERO);
        assert_eq!(b.take(t0), Duration::from_secs(1));
    }
}
