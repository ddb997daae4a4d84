//! The request budget of one cloud account (one token).
//!
//! The Cloud Panel allows 25 requests a minute per token and says so in the
//! `X-Rate-Limit-*` headers. A whole team shares the token, so the panel
//! spends it where members are looking: each kind of request may not take
//! the last few requests of a window that the kinds before it need. Changes
//! may take every request; a read a member waits for leaves the last few to
//! changes; a refresh in the background leaves more, and a poll of rows in
//! transition the most.
//!
//! E2E Networks counts differently: 5,000 requests an hour, each expiring
//! an hour after it was made (`RateLimit-*` headers). The same budget keeps
//! a log of its requests for such an API ([`RateBudget::sliding`]): what
//! is left is the limit less the requests of the last window, and the next
//! one frees when the oldest expires.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Whether a request reads or changes something, and for whom a read is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Read(Priority),
    Write,
}

/// Who a read is for, first to last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Priority {
    /// A member is waiting for the page.
    #[default]
    Interactive,
    /// Keeping what members have open fresh, behind their backs.
    Refresh,
    /// A row in transition asked for its state again by the page's script.
    Poll,
    /// The change queue asking whether the object its next change acts on
    /// has settled: part of sending a change, so it goes with changes and
    /// is never answered with an older copy to save the budget.
    Settle,
}

/// How many requests of a window each kind of read leaves to the kinds
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reserves {
    /// Left to changes by every read.
    pub writes: u32,
    /// Left to members' reads (and changes) by background refreshes.
    pub refresh: u32,
    /// Left to everything else by polls.
    pub poll: u32,
}

impl Reserves {
    /// Changes keep 3 of 25; refreshes leave 5 of 25, polls 10 of 25 (the
    /// floors scale with the limit the API announces).
    pub fn for_changes(writes: u32) -> Self {
        Reserves {
            writes,
            refresh: writes + 2,
            poll: writes + 7,
        }
    }
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
    reserves: Reserves,
    from_headers: bool,
    /// For a sliding window: when each request still counted was made,
    /// oldest first. `None` for a window that turns over.
    log: Option<VecDeque<Instant>>,
    /// A sliding window's pause after the API's own 429.
    paused_until: Option<Instant>,
}

impl RateBudget {
    pub fn new(limit: u32, window: Duration, reserves: Reserves, now: Instant) -> Self {
        RateBudget {
            limit,
            remaining: limit,
            reset_at: now + window,
            window,
            reserves,
            from_headers: false,
            log: None,
            paused_until: None,
        }
    }

    /// A budget whose requests each count for `window` after they were
    /// made (E2E Networks), instead of a window that turns over.
    pub fn sliding(limit: u32, window: Duration, reserves: Reserves, now: Instant) -> Self {
        RateBudget {
            log: Some(VecDeque::new()),
            ..RateBudget::new(limit, window, reserves, now)
        }
    }

    /// The requests a purpose must leave untouched. With a limit far above
    /// 25 (another API, a generous plan) the floors grow with it, so the
    /// order holds; a tiny limit still lets every read have one.
    fn floor(&self, purpose: Purpose) -> u32 {
        let reserve = match purpose {
            Purpose::Write | Purpose::Read(Priority::Settle) => return 0,
            Purpose::Read(Priority::Interactive) => self.reserves.writes,
            Purpose::Read(Priority::Refresh) => self.reserves.refresh,
            Purpose::Read(Priority::Poll) => self.reserves.poll,
        };
        let scaled = u64::from(reserve) * u64::from(self.limit) / 25;
        let scaled = u32::try_from(scaled).unwrap_or(u32::MAX).max(reserve);
        scaled.min(self.limit.saturating_sub(1))
    }

    fn roll(&mut self, now: Instant) {
        if let Some(log) = &mut self.log {
            while log.front().is_some_and(|t| *t + self.window <= now) {
                log.pop_front();
            }
            let used = u32::try_from(log.len()).unwrap_or(u32::MAX);
            self.remaining = self.limit.saturating_sub(used);
            self.reset_at = log.front().map_or(now, |t| *t + self.window);
            if let Some(until) = self.paused_until {
                if until > now {
                    self.remaining = 0;
                    self.reset_at = until;
                } else {
                    self.paused_until = None;
                }
            }
            return;
        }
        if now >= self.reset_at {
            self.remaining = self.limit;
            self.reset_at = now + self.window;
        }
    }

    /// Takes one request from the budget, or says how long until it refills.
    pub fn try_take(&mut self, purpose: Purpose, now: Instant) -> Result<(), Duration> {
        self.roll(now);
        let floor = self.floor(purpose);
        if self.remaining > floor {
            self.remaining -= 1;
            if let Some(log) = &mut self.log {
                log.push_back(now);
            }
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
        if let Some(log) = &mut self.log {
            // Requests made with the same token elsewhere: counted from now,
            // which frees them later than they will, never earlier.
            let theirs_used = self.limit.saturating_sub(remaining);
            let ours_used = u32::try_from(log.len()).unwrap_or(u32::MAX);
            for _ in ours_used..theirs_used {
                log.push_back(now);
            }
            self.roll(now);
            return;
        }
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
        if self.log.is_some() {
            self.paused_until = Some(now + retry_after.max(Duration::from_secs(1)));
        }
        self.remaining = 0;
        self.reset_at = now + retry_after.max(Duration::from_secs(1));
    }

    /// Whether less than half of the window's requests are left: reads of
    /// answers a moment old then wait for the next window, so what is left
    /// goes to pages with nothing to show yet and to changes. `None` when
    /// it is not; else how long until the window turns over.
    pub fn running_low(&self, now: Instant) -> Option<Duration> {
        let (left, frees) = self.now_left(now);
        (u64::from(left) * 2 < u64::from(self.limit)).then_some(frees)
    }

    /// Whether a request of this purpose could go now.
    pub fn allows(&self, purpose: Purpose, now: Instant) -> bool {
        if self.log.is_some() {
            return self.now_left(now).0 > self.floor(purpose);
        }
        now >= self.reset_at || self.remaining > self.floor(purpose)
    }

    /// What is left at `now` and when the next request frees, without
    /// changing the budget.
    fn now_left(&self, now: Instant) -> (u32, Duration) {
        if let Some(log) = &self.log {
            if let Some(until) = self.paused_until.filter(|u| *u > now) {
                return (0, until - now);
            }
            let live = log.iter().filter(|t| **t + self.window > now);
            let used = u32::try_from(live.clone().count()).unwrap_or(u32::MAX);
            let frees = live.min().map_or(Duration::ZERO, |t| {
                (*t + self.window).saturating_duration_since(now)
            });
            return (self.limit.saturating_sub(used), frees);
        }
        if now >= self.reset_at {
            (self.limit, Duration::ZERO)
        } else {
            (self.remaining, self.reset_at - now)
        }
    }

    pub fn snapshot(&self, now: Instant) -> BudgetSnapshot {
        let (remaining, resets_in) = self.now_left(now);
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
    const READ: Purpose = Purpose::Read(Priority::Interactive);

    #[test]
    fn polls_go_last_refreshes_before_them_and_members_before_both() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, Reserves::for_changes(3), now);
        let poll = Purpose::Read(Priority::Poll);
        let refresh = Purpose::Read(Priority::Refresh);
        let mut polls = 0;
        while b.try_take(poll, now).is_ok() {
            polls += 1;
        }
        assert_eq!(polls, 15, "polls leave 10 of 25");
        let mut refreshes = 0;
        while b.try_take(refresh, now).is_ok() {
            refreshes += 1;
        }
        assert_eq!(refreshes, 5, "refreshes leave 5 of 25");
        assert!(!b.allows(refresh, now));
        assert!(b.allows(READ, now));
        let mut reads = 0;
        while b.try_take(READ, now).is_ok() {
            reads += 1;
        }
        assert_eq!(reads, 2, "members' reads leave 3 to changes");
        assert!(b.allows(Purpose::Write, now));
    }

    #[test]
    fn the_floors_grow_with_a_larger_limit() {
        let now = Instant::now();
        let mut b = RateBudget::new(5000, MIN, Reserves::for_changes(3), now);
        let mut polls = 0;
        while b.try_take(Purpose::Read(Priority::Poll), now).is_ok() {
            polls += 1;
        }
        assert_eq!(polls, 5000 - 2000);
    }

    #[test]
    fn reads_leave_the_last_three_for_writes() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, Reserves::for_changes(3), now);
        for _ in 0..22 {
            b.try_take(Purpose::Read(Priority::Interactive), now)
                .unwrap();
        }
        let wait = b
            .try_take(Purpose::Read(Priority::Interactive), now)
            .unwrap_err();
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
        let mut b = RateBudget::new(2, MIN, Reserves::for_changes(0), now);
        b.try_take(Purpose::Read(Priority::Interactive), now)
            .unwrap();
        b.try_take(Purpose::Read(Priority::Interactive), now)
            .unwrap();
        assert!(
            b.try_take(
                Purpose::Read(Priority::Interactive),
                now + Duration::from_secs(59)
            )
            .is_err()
        );
        assert!(
            b.try_take(Purpose::Read(Priority::Interactive), now + MIN)
                .is_ok()
        );
    }

    #[test]
    fn a_tiny_limit_still_allows_reads() {
        let now = Instant::now();
        let mut b = RateBudget::new(2, MIN, Reserves::for_changes(3), now);
        assert!(
            b.try_take(Purpose::Read(Priority::Interactive), now)
                .is_ok()
        );
        assert!(
            b.try_take(Purpose::Read(Priority::Interactive), now)
                .is_err()
        );
        assert!(b.try_take(Purpose::Write, now).is_ok());
    }

    #[test]
    fn headers_lower_the_count_within_a_window_and_reset_it_in_a_new_one() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, Reserves::for_changes(3), now);
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
        let mut b = RateBudget::new(25, MIN, Reserves::for_changes(3), now);
        b.try_take(Purpose::Read(Priority::Interactive), now)
            .unwrap();
        b.observe(Some(1000), Some(999), Some(60), now);
        assert_eq!(b.snapshot(now).remaining, 999);
        assert_eq!(b.snapshot(now).limit, 1000);
    }

    #[test]
    fn a_429_empties_the_budget_until_the_reset() {
        let now = Instant::now();
        let mut b = RateBudget::new(25, MIN, Reserves::for_changes(3), now);
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

    #[test]
    fn a_sliding_budget_frees_each_request_a_window_after_it_was_made() {
        let t0 = Instant::now();
        let hour = Duration::from_secs(3600);
        let mut b = RateBudget::sliding(4, hour, Reserves::for_changes(0), t0);
        let min = Duration::from_secs(60);
        assert_eq!(b.try_take(Purpose::Write, t0), Ok(()));
        assert_eq!(b.try_take(Purpose::Write, t0 + min), Ok(()));
        assert_eq!(b.try_take(Purpose::Write, t0 + 2 * min), Ok(()));
        assert_eq!(b.try_take(Purpose::Write, t0 + 3 * min), Ok(()));
        // Spent: the next frees when the first request is an hour old.
        assert_eq!(
            b.try_take(Purpose::Write, t0 + 4 * min),
            Err(hour - 4 * min)
        );
        assert_eq!(b.snapshot(t0 + 4 * min).remaining, 0);
        // An hour after the first, one is free again, not the whole window.
        assert_eq!(b.try_take(Purpose::Write, t0 + hour), Ok(()));
        assert_eq!(b.try_take(Purpose::Write, t0 + hour), Err(min));
        assert_eq!(b.snapshot(t0 + hour + min).remaining, 1);
    }

    #[test]
    fn a_sliding_budget_adopts_what_the_headers_say_others_spent() {
        let t0 = Instant::now();
        let hour = Duration::from_secs(3600);
        let mut b = RateBudget::sliding(5000, hour, Reserves::for_changes(3), t0);
        b.observe(Some(5000), Some(4990), Some(1_900_000_000), t0);
        assert_eq!(b.snapshot(t0).remaining, 4990);
        b.observe(Some(5000), Some(4995), None, t0);
        // Our own count is not raised by a header that says more is left.
        assert_eq!(b.snapshot(t0).remaining, 4990);
        b.exhausted(Duration::from_secs(30), t0);
        assert!(
            b.try_take(Purpose::Write, t0 + Duration::from_secs(10))
                .is_err()
        );
        assert!(
            b.try_take(Purpose::Write, t0 + Duration::from_secs(31))
                .is_ok()
        );
    }
}
