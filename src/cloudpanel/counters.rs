//! Process-wide counters for the status page and benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Counters {
    pub(crate) upstream_calls: AtomicU64,
    pub(crate) cache_hits: AtomicU64,
    pub(crate) cache_misses: AtomicU64,
    pub(crate) coalesced_waits: AtomicU64,
    pub(crate) stale_served: AtomicU64,
    pub(crate) budget_refusals: AtomicU64,
    pub(crate) upstream_429: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) details_from_lists: AtomicU64,
    pub(crate) budget_waits: AtomicU64,
    pub(crate) refreshes: AtomicU64,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// HTTP requests actually sent to the Cloud Panel (retries included).
    pub upstream_calls: u64,
    /// Reads answered from a fresh cache entry.
    pub cache_hits: u64,
    /// Reads that found no fresh cache entry and were sent (or joined one in flight).
    pub cache_misses: u64,
    /// Reads that joined an identical read already in flight.
    pub coalesced_waits: u64,
    /// Reads answered from an expired entry because the API could not be asked.
    pub stale_served: u64,
    /// Calls not sent because the account's budget was spent.
    pub budget_refusals: u64,
    /// 429 answers seen from the API.
    pub upstream_429: u64,
    /// Reads sent again after a 502/503/504 or a timeout.
    pub retries: u64,
    /// Calls that ended in an error of any kind.
    pub errors: u64,
    /// Detail reads answered from their family's list, with no call of their own.
    pub details_from_lists: u64,
    /// Members' reads that waited for the budget before going out or falling back.
    pub budget_waits: u64,
    /// Background refreshes of what members looked at lately.
    pub refreshes: u64,
}

impl Counters {
    pub(crate) fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> CounterSnapshot {
        let r = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CounterSnapshot {
            upstream_calls: r(&self.upstream_calls),
            cache_hits: r(&self.cache_hits),
            cache_misses: r(&self.cache_misses),
            coalesced_waits: r(&self.coalesced_waits),
            stale_served: r(&self.stale_served),
            budget_refusals: r(&self.budget_refusals),
            upstream_429: r(&self.upstream_429),
            retries: r(&self.retries),
            errors: r(&self.errors),
            details_from_lists: r(&self.details_from_lists),
            budget_waits: r(&self.budget_waits),
            refreshes: r(&self.refreshes),
        }
    }
}
