//! What members have open: the answers each member's latest page read.
//!
//! The background refresher keeps these fresh and nothing else. A member
//! clicking from page to page leaves each page behind: its answers are read
//! afresh when someone opens it again, instead of the budget being spent
//! behind the member on pages nobody looks at. A page left open keeps its
//! answers fresh for `watch_for` after it was opened; its rows in
//! transition poll themselves meanwhile.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::cache::CacheKey;

/// Reads by one member further apart than this begin a new page view.
pub const VIEW_GAP: Duration = Duration::from_secs(2);

/// How many members' views an account keeps at most; past it the view
/// opened longest ago is forgotten.
const MAX_VIEWERS: usize = 200;

/// How many answers one view holds at most (a page reads a handful).
const MAX_KEYS_PER_VIEW: usize = 32;

/// One member's latest page view.
#[derive(Debug)]
struct View {
    /// When the view's last read was made.
    last: Instant,
    keys: Vec<CacheKey>,
}

/// Each member's latest page view on one account.
#[derive(Debug, Default)]
pub struct Watching {
    views: HashMap<i64, View, foldhash::fast::RandomState>,
}

impl Watching {
    /// Notes that `viewer` read `key` now: part of their current view, or
    /// the first read of a new one when their last read was a while ago.
    pub fn saw(&mut self, viewer: i64, key: &CacheKey, now: Instant) {
        if !self.views.contains_key(&viewer) && self.views.len() >= MAX_VIEWERS {
            let oldest = self
                .views
                .iter()
                .min_by_key(|(_, view)| view.last)
                .map(|(viewer, _)| *viewer);
            if let Some(oldest) = oldest {
                self.views.remove(&oldest);
            }
        }
        let view = self.views.entry(viewer).or_insert_with(|| View {
            last: now,
            keys: Vec::new(),
        });
        if now.saturating_duration_since(view.last) > VIEW_GAP {
            view.keys.clear();
        }
        view.last = now;
        if !view.keys.contains(key) && view.keys.len() < MAX_KEYS_PER_VIEW {
            view.keys.push(key.clone());
        }
    }

    /// The answers of views opened within `watch_for`, each once; older
    /// views are dropped on the way.
    pub fn open(&mut self, now: Instant, watch_for: Duration) -> Vec<CacheKey> {
        self.views
            .retain(|_, view| now.saturating_duration_since(view.last) < watch_for);
        // Members on the same page read the same answers: each once.
        let mut seen: HashSet<&CacheKey, foldhash::fast::RandomState> = HashSet::default();
        self.views
            .values()
            .flat_map(|view| &view.keys)
            .filter(|key| seen.insert(*key))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(path: &str) -> CacheKey {
        CacheKey::new(1, path, &[])
    }

    #[test]
    fn a_new_page_view_leaves_the_last_one_behind() {
        let mut w = Watching::default();
        let t0 = Instant::now();
        w.saw(7, &key("/servers"), t0);
        w.saw(7, &key("/images"), t0 + Duration::from_millis(300));
        let open = w.open(t0 + Duration::from_secs(1), Duration::from_secs(120));
        assert_eq!(open, vec![key("/servers"), key("/images")]);
        // The member opens another page.
        w.saw(7, &key("/vpns"), t0 + Duration::from_secs(6));
        let open = w.open(t0 + Duration::from_secs(7), Duration::from_secs(120));
        assert_eq!(open, vec![key("/vpns")]);
    }

    #[test]
    fn each_member_keeps_their_own_page_open_until_it_is_old() {
        let mut w = Watching::default();
        let t0 = Instant::now();
        w.saw(1, &key("/servers"), t0);
        w.saw(2, &key("/servers"), t0 + Duration::from_secs(5));
        w.saw(2, &key("/vpns"), t0 + Duration::from_secs(6));
        let mut open = w.open(t0 + Duration::from_secs(10), Duration::from_secs(120));
        open.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(open, vec![key("/servers"), key("/vpns")]);
        assert!(
            w.open(t0 + Duration::from_secs(200), Duration::from_secs(120))
                .is_empty()
        );
    }
}
