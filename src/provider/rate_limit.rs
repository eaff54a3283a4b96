//! Client-side rate limit per store configuration: a token bucket awaited before every AWS call, so
//! that a burst of reconciles is paced below the service quotas instead of being throttled.

use std::sync::Mutex;
use std::time::Instant;

pub use crate::api::{
    DEFAULT_MAX_REQUESTS_PER_SECOND, DEFAULT_PARAMETER_STORE_REQUESTS_PER_SECOND,
};
pub use crate::core::token_bucket::TokenBucket;

/// A [`TokenBucket`] shared by every clone of a store configuration's client.
#[derive(Debug)]
pub struct RateLimiter {
    bucket: Mutex<TokenBucket>,
}

impl RateLimiter {
    /// A limiter allowing `per_second` requests per second (bursts of up to one second's worth).
    pub fn new(per_second: u32) -> Self {
        Self {
            bucket: Mutex::new(TokenBucket::new(per_second, Instant::now())),
        }
    }

    /// The configured rate in requests per second.
    pub fn rate(&self) -> f64 {
        self.bucket.lock().unwrap_or_else(|p| p.into_inner()).rate()
    }

    /// Waits until one more request may be sent.
    pub async fn acquire(&self) {
        let wait = self
            .bucket
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[tokio::test]
    async fn the_limiter_paces_concurrent_callers() {
        let l = std::sync::Arc::new(RateLimiter::new(20));
        let start = Instant::now();
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move { l.acquire().await })
            })
            .collect();
        for t in tasks {
            let _ = t.await;
        }
        // 20 at once, then 10 more at 20/s: about 0.5 s.
        assert!(start.elapsed() >= ms(450), "{:?}", start.elapsed());
    }
}
