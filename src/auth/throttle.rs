//! Sign-in throttling per IP address and per account (the `governor` crate).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct LoginThrottle {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl LoginThrottle {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
            per_account: RateLimiter::keyed(quota(per_account_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; `Err(wait)` when the IP or the account is over its limit.
    pub fn check(&self, ip: IpAddr, email: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        let ip_result = self.per_ip.check_key(&ip);
        let account_result = self.per_account.check_key(&email.trim().to_lowercase());
        let wait = [ip_result.err(), account_result.err()]
            .into_iter()
            .flatten()
            .map(|not_until| not_until.wait_time_from(now))
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Forgets keys whose limits have fully recovered, so memory stays bounded.
    pub fn shrink(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
        self.per_ip.shrink_to_fit();
        self.per_account.shrink_to_fit();
    }
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_limit_applies_across_ips() {
        let throttle = LoginThrottle::new(100, 3);
        for i in 0..3 {
            assert!(
                throttle
                    .check(IpAddr::from([10, 0, 0, i]), "a@example.org")
                    .is_ok()
            );
        }
        let wait = throttle
            .check(IpAddr::from([10, 0, 0, 9]), "A@example.org ")
            .unwrap_err();
        assert!(wait > Duration::ZERO);
        assert!(
            throttle
                .check(IpAddr::from([10, 0, 0, 9]), "b@example.org")
                .is_ok()
        );
    }

    #[test]
    fn ip_limit_applies_across_accounts() {
        let throttle = LoginThrottle::new(2, 100);
        let ip = IpAddr::from([127, 0, 0, 1]);
        assert!(throttle.check(ip, "a@x.org").is_ok());
        assert!(throttle.check(ip, "b@x.org").is_ok());
        assert!(throttle.check(ip, "c@x.org").is_err());
    }
}
