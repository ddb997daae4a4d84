//! The per-token rate limit and the fault knobs.

use super::errors::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Faults injected into API answers (never into the control endpoint).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every answer.
    pub latency_ms: u64,
    /// Share of requests answered 500 (0..=1).
    pub error_rate: f64,
    /// Every request answers 429.
    pub force_429: bool,
    /// Share of requests answered 200 with a body that is not JSON (0..=1).
    pub malformed_rate: f64,
    /// Share of requests that never get an answer (0..=1).
    pub hang_rate: f64,
}

impl Faults {
    pub fn validate(&self) -> anyhow::Result<()> {
        for (name, v) in [
            ("error_rate", self.error_rate),
            ("malformed_rate", self.malformed_rate),
            ("hang_rate", self.hang_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                anyhow::bail!("{name} must be between 0 and 1, got {v}");
            }
        }
        if self.latency_ms > 600_000 {
            anyhow::bail!("latency_ms must be at most 600000, got {}", self.latency_ms);
        }
        Ok(())
    }

    pub fn is_quiet(&self) -> bool {
        *self == Faults::default()
    }
}

/// What the rate-limit headers say after a request was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: u32,
    pub remaining: u32,
    pub reset_secs: u64,
}

#[derive(Debug)]
struct Window {
    start: Instant,
    used: u32,
}

/// A fixed window per token (a minute unless told), starting at the token's first request.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: HashMap<String, Window>,
}

impl RateLimiter {
    #[cfg(test)]
    pub fn new(limit: u32) -> Self {
        Self::with_window(limit, Duration::from_secs(60))
    }

    /// A limiter whose window is not a minute (tests that wait for a refill).
    pub fn with_window(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            windows: HashMap::new(),
        }
    }

    /// Counts one request; past the limit answers Err with the budget to report.
    pub fn take(&mut self, token: &str, now: Instant) -> Result<Budget, Budget> {
        let w = self.windows.entry(token.to_string()).or_insert(Window {
            start: now,
            used: 0,
        });
        if now.duration_since(w.start) >= self.window {
            w.start = now;
            w.used = 0;
        }
        let left = self.window.saturating_sub(now.duration_since(w.start));
        let reset_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        if w.used >= self.limit {
            return Err(Budget {
                limit: self.limit,
                remaining: 0,
                reset_secs,
            });
        }
        w.used += 1;
        Ok(Budget {
            limit: self.limit,
            remaining: self.limit - w.used,
            reset_secs,
        })
    }

    /// The budget without counting a request (for answers that do not consume it).
    pub fn peek(&self, token: &str, now: Instant) -> Budget {
        match self.windows.get(token) {
            Some(w) if now.duration_since(w.start) < self.window => {
                let left = self.window.saturating_sub(now.duration_since(w.start));
                Budget {
                    limit: self.limit,
                    remaining: self.limit.saturating_sub(w.used),
                    reset_secs: left.as_secs() + u64::from(left.subsec_nanos() > 0),
                }
            }
            _ => Budget {
                limit: self.limit,
                remaining: self.limit,
                reset_secs: 0,
            },
        }
    }
}

/// The fault, if any, that this request draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Hang,
    TooMany,
    Error,
    Malformed,
}

pub fn draw(f: &Faults) -> Option<Fault> {
    use rand::Rng;
    let mut r = rand::rng();
    if f.hang_rate > 0.0 && r.random_bool(f.hang_rate) {
        return Some(Fault::Hang);
    }
    if f.force_429 {
        return Some(Fault::TooMany);
    }
    if f.error_rate > 0.0 && r.random_bool(f.error_rate) {
        return Some(Fault::Error);
    }
    if f.malformed_rate > 0.0 && r.random_bool(f.malformed_rate) {
        return Some(Fault::Malformed);
    }
    None
}

pub fn parse_faults(body: &[u8]) -> ApiResult<Faults> {
    let f: Faults = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("Invalid faults: {e}")))?;
    f.validate().map_err(|e| ApiError::invalid(e.to_string()))?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_down_and_refills() {
        let mut rl = RateLimiter::new(2);
        let t0 = Instant::now();
        assert_eq!(rl.take("a", t0).unwrap().remaining, 1);
        assert_eq!(rl.take("a", t0).unwrap().remaining, 0);
        let b = rl.take("a", t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(b.reset_secs, 50);
        assert_eq!(rl.take("b", t0).unwrap().remaining, 1);
        assert_eq!(
            rl.take("a", t0 + Duration::from_secs(60))
                .unwrap()
                .remaining,
            1
        );
    }

    #[test]
    fn faults_are_validated() {
        assert!(parse_faults(br#"{"error_rate": 2}"#).is_err());
        assert!(parse_faults(br#"{"bogus": 1}"#).is_err());
        let f = parse_faults(br#"{"force_429": true}"#).unwrap();
        assert_eq!(draw(&f), Some(Fault::TooMany));
        assert_eq!(draw(&Faults::default()), None);
    }
}
