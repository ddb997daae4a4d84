//! E2E's sliding rate limit: every counted request expires one window after
//! it was made (no fixed window that refills at once), and `RateLimit-Reset`
//! is the Unix time at which the oldest counted request expires.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// What the `RateLimit-*` headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds (rounded up) when the oldest counted request expires; now when none is counted.
    pub reset: u64,
}

#[derive(Debug)]
pub struct SlidingLimiter {
    limit: u32,
    window: Duration,
    /// When each counted request was made, oldest first, per token.
    made: HashMap<String, VecDeque<Instant>>,
}

/// `at` (a monotonic instant) as Unix seconds, rounded up, given what `now` is in Unix time.
fn unix_secs(at: Instant, now: Instant, unix_now: Duration) -> u64 {
    let t = if at >= now {
        unix_now + (at - now)
    } else {
        unix_now.saturating_sub(now - at)
    };
    t.as_secs() + u64::from(t.subsec_nanos() > 0)
}

impl SlidingLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        SlidingLimiter {
            limit,
            window,
            made: HashMap::new(),
        }
    }

    /// The budget of a client that has made no counted request (401 answers).
    pub fn fresh(&self, unix_now: Duration) -> Budget {
        Budget {
            limit: self.limit,
            remaining: self.limit,
            reset: unix_now.as_secs(),
        }
    }

    /// Counts one request made at `now`; Err (not counted) when none remains.
    /// `unix_now` is the same moment in Unix time, for the Reset header.
    pub fn take(
        &mut self,
        token: &str,
        now: Instant,
        unix_now: Duration,
    ) -> Result<Budget, Budget> {
        let (limit, window) = (self.limit, self.window);
        let q = self.made.entry(token.to_string()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        let full = q.len() >= limit as usize;
        if !full {
            q.push_back(now);
        }
        let used = u32::try_from(q.len()).unwrap_or(u32::MAX);
        let b = Budget {
            limit,
            remaining: limit.saturating_sub(used),
            reset: q.front().map_or(unix_now.as_secs(), |oldest| {
                unix_secs(*oldest + window, now, unix_now)
            }),
        };
        if full { Err(b) } else { Ok(b) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_expire_one_window_after_they_were_made() {
        let mut rl = SlidingLimiter::new(3, Duration::from_secs(100));
        let t0 = Instant::now();
        let u0 = Duration::from_secs(1_700_000_000);
        let at = |s: u64| (t0 + Duration::from_secs(s), u0 + Duration::from_secs(s));

        let (t, u) = at(0);
        let b = rl.take("a", t, u).unwrap();
        assert_eq!((b.remaining, b.reset), (2, 1_700_000_100));
        let (t, u) = at(10);
        assert_eq!(rl.take("a", t, u).unwrap().remaining, 1);
        let (t, u) = at(20);
        assert_eq!(rl.take("a", t, u).unwrap().remaining, 0);
        // Full: refused, not counted, Reset still the oldest's expiry.
        let (t, u) = at(50);
        let b = rl.take("a", t, u).unwrap_err();
        assert_eq!((b.remaining, b.reset), (0, 1_700_000_100));
        // Another token has its own budget.
        assert_eq!(rl.take("b", t, u).unwrap().remaining, 2);
        // At 100 only the first request has expired: one slot, and Reset
        // moves to the next oldest (made at 10).
        let (t, u) = at(100);
        let b = rl.take("a", t, u).unwrap();
        assert_eq!((b.remaining, b.reset), (0, 1_700_000_110));
        let (t, u) = at(105);
        assert!(rl.take("a", t, u).is_err());
        // Long after, everything has expired.
        let (t, u) = at(500);
        let b = rl.take("a", t, u).unwrap();
        assert_eq!((b.remaining, b.reset), (2, 1_700_000_600));
    }

    #[test]
    fn a_fresh_budget_resets_now() {
        let rl = SlidingLimiter::new(5000, Duration::from_secs(3600));
        let b = rl.fresh(Duration::from_millis(1_700_000_000_500));
        assert_eq!((b.limit, b.remaining, b.reset), (5000, 5000, 1_700_000_000));
    }
}
