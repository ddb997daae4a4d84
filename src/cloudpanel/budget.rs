//! The request budget of one cloud account (one token).
//!
//! The Cloud Panel allows 25 requests a minute per token and says so in the
//! `X-Rate-Limit-*` headers. A whole team shares the token, so the panel
//! spends it carefully: reads may not take the last few requests of a window,
//! which keeps them for changes.

use std::time::{Duration, Instant};

/// Whether a request reads or changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Read,
    Write,
}

/// What the status page shows about an account's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetSnapshot {
    pub limit: u32,
    pub remaining: u32,
    pub resets_in: Duration,
    /// True once the API has sent rate-limit headers for this account.
    pub from_headers: bool,
}

#[derive(Debug)]
pub struct RateBudget {
    limit: u32,
    remaining: u32,
    reset_at: Instant,
    window: Duration,
    reserve_for_writes: u32,
    from_headers: bool,
}

impl RateBudget {
    pub fn new(limit: u32, window: Duration, reserve_for_writes: u32, now: Instant) -> Self {
        RateBudget {
            limit,
            remaining: limit,
            reset_at: now + window,
            window,
            reserve_for_writes,
            from_headers: false,
        }
    }

    fn roll(&mut self, now: Instant) {
        if now >= self.reset_at {
            self.remaining = self.limit;
            self.reset_at = now + self.window;
        }
    }

    /// Takes one request from the budget, or says how long until it refills.
    pub fn try_take(&mut self, purpose: Purpose, now: Instant) -> Result<(), Duration> {
        self.roll(now);
        let floor = match purpose {
            Purpose::Read => self.reserve_for_writes.min(self.limit.saturating_sub(1)),
            Purpose::Write => 0,
        };
        if self.remaining > floor {
            self.remaining -= 1;
            Ok(())
        } else {
            Err(self.reset_at.saturating_duration_since(now))
        }
    }

    /// Adopts what the API's headers say. Within the same window the lower
    /// count wins (requests of ours may still be in flight); a reset further
    /// away than ours means the API started a new window.
    pub fn observe(
        &mut self,
        limit: Option<u32>,
        remaining: Option<u32>,
        reset_secs: Option<u64>,
        now: Instant,
    ) {
        // The first headers, or a new limit, replace our assumption outright.
        let mut adopt = !self.from_headers;
        if let Some(l) = limit.filter(|l| *l > 0) {
            adopt |= l != self.limit;
            self.limit = l;
        }
        let Some(remaining) = remaining else { return };
        self.from_headers = true;
        self.roll(now);
        match reset_secs {
            Some(secs) => {
                let theirs = now + Duration::from_secs(secs);
                if adopt || theirs > self.reset_at + Duration::from_secs(1) {
                    self.remaining = remaining;
                } else {
                    self.remaining = self.remaining.min(remaining);
                }
                self.reset_at = theirs;
            }
            None if adopt => self.remaining = remaining,
            None => self.remaining = self.remaining.min(remaining),
        }
        self.remaining = self.remaining.min(self.limit);
    }

    /// The API answered 429: nothing left until `retry_after`.
    pub fn exhausted(&mut self, retry_after: Duration, now: Instant) {
        self.remaining = 0;
        self.reset_at = now + retry_after.max(Duration::from_secs(1));
    }

    pub fn snapshot(&self, now: Instant) -> BudgetSnapshot {
        let (remaining, resets_in) = if now >= self.reset_at {
            (self.limit, Duration::ZERO)
        } else {
            (self.remaining, self.reset_at - now)
        };
        BudgetSnapshot {
            limit: self.limit,
            remaining,
            resets_in,
            from_headers: self.from_headers,
        }
    }
}

/// Whole seconds to wait, rounded up, at least 1.
pub fn retry_secs(wait: Duration) -> u64 {
    let s = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    s.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn reads_leave_the_last_three_for_writes() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, 3, now);
        for _ in 0..22 {
            b.try_take(Purpose::Read, now).unwrap();
        }
        let wait = b.try_take(Purpose::Read, now).unwrap_err();
        assert_eq!(retry_secs(wait), 60);
        for _ in 0..3 {
            b.try_take(Purpose::Write, now).unwrap();
        }
        assert!(b.try_take(Purpose::Write, now).is_err());
        assert_eq!(b.snapshot(now).remaining, 0);
    }

    #[test]
    fn the_budget_refills_after_the_window() {
        let now = Instant::now();
        let mut b = RateBudget::new(2, MIN, 0, now);
        b.try_take(Purpose::Read, now).unwrap();
        b.try_take(Purpose::Read, now).unwrap();
        assert!(
            b.try_take(Purpose::Read, now + Duration::from_secs(59))
                .is_err()
        );
        assert!(b.try_take(Purpose::Read, now + MIN).is_ok());
    }

    #[test]
    fn a_tiny_limit_still_allows_reads() {
        let now = Instant::now();
        let mut b = RateBudget::new(2, MIN, 3, now);
        assert!(b.try_take(Purpose::Read, now).is_ok());
        assert!(b.try_take(Purpose::Read, now).is_err());
        assert!(b.try_take(Purpose::Write, now).is_ok());
    }

    #[test]
    fn headers_lower_the_count_within_a_window_and_reset_it_in_a_new_one() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, 3, now);
        b.observe(Some(25), Some(10), Some(30), now);
        assert_eq!(b.snapshot(now).remaining, 10);
        assert_eq!(b.snapshot(now).resets_in, Duration::from_secs(30));
        assert!(b.snapshot(now).from_headers);
        // A higher count for the same window does not raise ours.
        b.observe(Some(25), Some(20), Some(29), now + Duration::from_secs(1));
        assert_eq!(b.snapshot(now).remaining, 10);
        // The API started a new window.
        let later = now + Duration::from_secs(31);
        b.observe(Some(40), Some(39), Some(60), later);
        assert_eq!(b.snapshot(later).remaining, 39);
        assert_eq!(b.snapshot(later).limit, 40);
    }

    #[test]
    fn the_first_headers_replace_the_assumed_limit() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, 3, now);
        b.try_take(Purpose::Read, now).unwrap();
        b.observe(Some(1000), Some(999), Some(60), now);
        assert_eq!(b.snapshot(now).remaining, 999);
        assert_eq!(b.snapshot(now).limit, 1000);
    }

    #[test]
    fn a_429_empties_the_budget_until_the_reset() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, 3, now);
        b.exhausted(Duration::from_secs(12), now);
        let wait = b.try_take(Purpose::Write, now).unwrap_err();
        assert_eq!(retry_secs(wait), 12);
        assert!(
            b.try_take(Purpose::Write, now + Duration::from_secs(12))
                .is_ok()
        );
    }

    #[test]
    fn retry_seconds_round_up() {
        assert_eq!(retry_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_secs(Duration::ZERO), 1);
    }
}
