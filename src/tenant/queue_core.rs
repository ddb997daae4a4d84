//! What the change queue shares between the handles that fill it (an open
//! cloud account) and its worker; below both, so neither imports the other.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::Notify;

/// What the queue shares between the pages that fill it and its worker.
pub(crate) struct QueueCore {
    /// Poked when a change is queued, so the worker need not wait its tick.
    pub(super) notify: Notify,
    /// Changes that may wait per account.
    pub(super) max: u32,
    /// The rate-limit window, for estimates beyond the current one.
    pub(super) window: Duration,
    pub(super) stopped: AtomicBool,
    /// Accounts whose queue a task is sending: one change in flight per account.
    draining: Mutex<HashSet<i64>>,
}

impl QueueCore {
    pub(crate) fn new(max: u32, window: Duration) -> Self {
        Self {
            notify: Notify::new(),
            max: max.max(1),
            window,
            stopped: AtomicBool::new(false),
            draining: Mutex::new(HashSet::new()),
        }
    }

    pub(super) fn draining(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        self.draining
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
