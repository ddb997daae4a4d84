//! The JSON API's rate limit: each token its own number of requests per
//! minute, in fixed windows, so every answer can say how many are left and
//! when the window turns over (`X-RateLimit-*`, as the Engine Yard Core API
//! conventions have it).

use std::collections::HashMap;
use std::sync::Mutex;

/// A window's length, in seconds.
const WINDOW_SECS: i64 = 60;

/// How a token stands after a request was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateState {
    pub limit: u32,
    pub remaining: u32,
    /// When the window turns over, in Unix seconds.
    pub reset_at: i64,
    /// Whether this request was within the limit.
    pub allowed: bool,
}

pub struct ApiRate {
    per_minute: u32,
    /// By token id: the window's start and the requests counted in it.
    windows: Mutex<HashMap<i64, (i64, u32)>>,
}

impl ApiRate {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            windows: Mutex::default(),
        }
    }

    /// Counts one request of `token_id` at `now` (Unix seconds).
    pub fn hit(&self, token_id: i64, now: i64) -> RateState {
        let Ok(mut windows) = self.windows.lock() else {
            // A poisoned lock: refuse rather than count nothing.
            return RateState {
                limit: self.per_minute,
                remaining: 0,
                reset_at: now + WINDOW_SECS,
                allowed: false,
            };
        };
        // Windows long over are dropped now and then, so the map stays small.
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| *start + WINDOW_SECS > now);
        }
        let (start, count) = windows.entry(token_id).or_insert((now, 0));
        if *start + WINDOW_SECS <= now {
            (*start, *count) = (now, 0);
        }
        let allowed = *count < self.per_minute;
        if allowed {
            *count += 1;
        }
        RateState {
            limit: self.per_minute,
            remaining: self.per_minute - *count,
            reset_at: *start + WINDOW_SECS,
            allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_has_its_own_window_that_turns_over_after_a_minute() {
        let rate = ApiRate::new(2);
        let first = rate.hit(1, 1000);
        assert_eq!(
            (first.remaining, first.reset_at, first.allowed),
            (1, 1060, true)
        );
        assert!(rate.hit(1, 1010).allowed);
        let over = rate.hit(1, 1020);
        assert_eq!((over.remaining, over.allowed), (0, false));
        assert!(rate.hit(2, 1020).allowed, "another token is not held back");
        let next = rate.hit(1, 1060);
        assert_eq!(
            (next.remaining, next.reset_at, next.allowed),
            (1, 1120, true)
        );
    }
}
