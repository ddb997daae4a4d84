//! Keeping what members look at fresh, behind their backs.
//!
//! Like a shared informer, the panel serves members from what it holds and
//! renews that in the background; unlike one, it renews only what members
//! have open (each member's latest page, for `watch_for` at most: see
//! [`super::watching`]), and only with the part of the budget that
//! members' own reads and changes leave (see [`super::budget::Priority`]).
//! Each tick renews at most one answer per account: the one that has been
//! out of date longest, so every open page gets its turn.

use std::sync::{Arc, Weak};
use std::time::Instant;

use super::budget::{Priority, Purpose};
use super::cache::CacheKey;
use super::counters::Counters;
use super::{AccountClient, AccountState, CloudPanel, Grant, Inner, lock};

/// Runs until the process's client is gone.
pub(super) async fn run(inner: Weak<Inner>) {
    loop {
        let every = match inner.upgrade() {
            Some(inner) => inner.settings.refresh_every,
            None => return,
        };
        tokio::time::sleep(every).await;
        let Some(inner) = inner.upgrade() else { return };
        let accounts: Vec<Arc<AccountState>> = lock(&inner.accounts).values().cloned().collect();
        let panel = CloudPanel { inner };
        for state in accounts {
            if let Some(key) = due(&panel, &state) {
                let client = AccountClient {
                    panel: panel.clone(),
                    key: lock(&state.key).clone(),
                    state: state.clone(),
                    priority: Priority::Refresh,
                    viewer: None,
                    park: None,
                    // The panel's own client; it only reads.
                    grant: Grant::Any,
                    scope: None,
                };
                Counters::bump(&panel.inner.counters.refreshes);
                client.refresh(key);
            }
        }
    }
}

/// The open answer out of date longest, when the budget has room for a
/// refresh; views older than `watch_for` are dropped on the way.
fn due(panel: &CloudPanel, state: &AccountState) -> Option<CacheKey> {
    let settings = &panel.inner.settings;
    let api = lock(&state.key).api.clone();
    let now = Instant::now();
    if !lock(&state.budget).allows(Purpose::Read(Priority::Refresh), now) {
        return None;
    }
    let mut reads = lock(&state.reads);
    let open = reads.watching.open(now, settings.watch_for);
    let reads = &*reads;
    open.into_iter()
        .filter(|key| !reads.inflight.contains_key(key))
        .filter_map(|key| {
            let ttl = settings.ttl(&api, &key.path);
            if reads.cache.fresh(&key, ttl, now).is_some() {
                return None;
            }
            // Nothing known yet comes first: a member saw an empty card there.
            let since = match reads.cache.last(&key) {
                Some((stored, _)) => now.saturating_duration_since(stored.fetched + ttl.of(stored)),
                None => std::time::Duration::MAX,
            };
            Some((since, key))
        })
        .max_by_key(|(since, _)| *since)
        .map(|(_, key)| key)
}
