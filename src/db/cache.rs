//! In-process caches of the rows every page reads to decide who may do
//! what: sessions, users, memberships and roles, cloud accounts, and
//! whether an organisation's two-factor requirement lets a member in.
//!
//! Reading them from SQLite on each request cost ten round trips through
//! sqlx's worker thread per page, most of a page's time. They are kept here
//! instead, and every cached value is checked against one process-wide
//! *generation*, which any write to those tables moves on:
//!
//! - Every pool connection carries an SQLite update hook ([`on_write`]):
//!   an insert, update or delete of a row of a watched table bumps the
//!   generation while the statement runs, before its response is sent. So
//!   once a change has answered (sign out everywhere, disabling a user,
//!   changing a role or removing a member), no cached value from before it
//!   is used again: the very next request reads the database. This holds
//!   for every path that writes through the pool, the pages, the tenant
//!   store and the tests' direct writes alike, with no call to forget.
//! - The hook runs before the transaction commits, so a request may read
//!   the old rows in that short window and cache them under the new
//!   generation. The generation moves once more after the commit: at once
//!   for the panel's own changes ([`committed`], before their answer is
//!   sent), and for every write when its connection goes back to the pool
//!   ([`on_release`]): what was cached in the window is dropped too.
//! - A value is tagged with the generation read *before* it was loaded, so
//!   a write that lands while it loads leaves it already outdated.
//! - Writes by another process (the command line) do not reach this
//!   process's hooks; values are also dropped after [`MAX_AGE`], which
//!   bounds how long such a change takes to apply.
//!
//! Writes to these tables are rare (people change roles, not every second),
//! so dropping every cached value on any of them costs little and keeps the
//! rule simple: nothing is invalidated by hand. Session rows are the
//! exception: they change on most sign-ins, so only their deletion counts
//! (an ended session), and the session store keeps its own entries current.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::sqlite::SqliteOperation;

/// The longest a cached value is used without reading the database again.
pub const MAX_AGE: Duration = Duration::from_secs(5);

/// Entries kept per cache; beyond that the cache starts afresh.
const CAPACITY: usize = 10_000;

/// Tables whose writes drop every cached value.
const WATCHED: &[&str] = &[
    "users",
    "organisations",
    "roles",
    "memberships",
    "cloud_accounts",
    // Whether a member has a second factor: organisations may require one.
    "user_two_factor",
    // API tokens: a revoked one is refused on the very next request.
    "api_tokens",
    // Requests for approval: the header's badge counts the waiting ones.
    "approval_requests",
];

static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Connections (by their SQLite handle's address) that wrote to a watched
/// table and have not gone back to the pool since.
static WRITTEN: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

/// The current generation: read it before loading what is to be cached.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// The update hook of the pool connection `connection`.
pub(super) fn on_write(connection: usize, table: &str, operation: SqliteOperation) {
    let watched = WATCHED.contains(&table)
        || (table == "sessions" && matches!(operation, SqliteOperation::Delete));
    if watched {
        if let Ok(mut written) = WRITTEN.lock() {
            written.get_or_insert_default().insert(connection);
        }
        GENERATION.fetch_add(1, Ordering::SeqCst);
    }
}

/// Whether some connection wrote and has not been released since: only
/// then is a released connection worth identifying.
pub(super) fn any_written() -> bool {
    WRITTEN
        .lock()
        .map_or(true, |w| w.as_ref().is_some_and(|w| !w.is_empty()))
}

/// Runs after a change of the panel's own commits
/// (`audit::LocalChange`): a connection that wrote a watched table
/// is not back in the pool yet, and the answer to the change may go out
/// before it is, so the generation moves here already.
pub fn committed() {
    if any_written() {
        GENERATION.fetch_add(1, Ordering::SeqCst);
    }
}

/// Runs when `connection` goes back to the pool, after its transaction ended.
pub(super) fn on_release(connection: usize) {
    let wrote = WRITTEN.lock().map_or(true, |mut w| {
        w.as_mut().is_some_and(|w| w.remove(&connection))
    });
    if wrote {
        GENERATION.fetch_add(1, Ordering::SeqCst);
    }
}

struct Entry<V> {
    value: V,
    generation: u64,
    loaded: Instant,
}

/// A map whose values are used only while the generation they were loaded
/// under is current and for at most [`MAX_AGE`].
pub struct Cached<K, V> {
    /// Only rows the database returned are kept, under ids and session ids
    /// the panel made, so a client cannot fill the map with keys it chose:
    /// a fast hash needs no defence against crafted collisions.
    entries: Mutex<HashMap<K, Entry<V>, foldhash::fast::RandomState>>,
}

impl<K, V> Default for Cached<K, V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::default()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cached<K, V> {
    /// The value, when it is still current.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.generation == generation() && entry.loaded.elapsed() < MAX_AGE)
            .then(|| entry.value.clone())
    }

    /// Keeps `value`, loaded after reading `generation`; a value already
    /// outdated is not kept.
    pub fn put(&self, key: K, value: V, generation: u64) {
        if generation != self::generation() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY && !entries.contains_key(&key) {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    value,
                    generation,
                    loaded: Instant::now(),
                },
            );
        }
    }

    pub fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    /// Changes a current value in place; `false` when there is none.
    pub fn update<Q>(&self, key: &Q, change: impl FnOnce(&mut V)) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        match entries.get_mut(key) {
            Some(entry) if entry.generation == generation() => {
                change(&mut entry.value);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watched_write_outdates_every_value() {
        let cache = Cached::<i64, &str>::default();
        let before = generation();
        cache.put(1, "one", before);
        assert_eq!(cache.get(&1), Some("one"));
        on_write(0, "memberships", SqliteOperation::Update);
        assert_eq!(cache.get(&1), None);
        // Loaded before the write: not kept.
        cache.put(2, "two", before);
        assert_eq!(cache.get(&2), None);
    }

    #[test]
    fn session_updates_do_not_count_but_deletions_do() {
        let cache = Cached::<i64, &str>::default();
        let now = generation();
        cache.put(1, "one", now);
        on_write(0, "sessions", SqliteOperation::Update);
        on_write(0, "audit_events", SqliteOperation::Insert);
        // Other tests may write meanwhile: only assert when none did.
        if generation() == now {
            assert_eq!(cache.get(&1), Some("one"));
        }
        on_write(0, "sessions", SqliteOperation::Delete);
        assert_eq!(cache.get(&1), None);
    }
}
