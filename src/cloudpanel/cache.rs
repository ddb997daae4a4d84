//! The short-lived read cache and what a change invalidates.

use super::de::looks_transitional;
use serde_json::Value;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// One read: the account, the path below the base URL and the sorted query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub account_id: i64,
    pub path: String,
    pub query: String,
}

impl CacheKey {
    /// The query pairs are sorted so the same question always has the same key.
    pub fn new(account_id: i64, path: &str, query: &[(&'static str, String)]) -> Self {
        let query = if query.is_empty() {
            String::new()
        } else {
            let mut pairs: Vec<_> = query.iter().collect();
            pairs.sort();
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                ser.append_pair(k, v);
            }
            ser.finish()
        };
        CacheKey {
            account_id,
            path: path.to_string(),
            query,
        }
    }
}

/// An answer as it came from the API.
#[derive(Debug, Clone)]
pub struct Stored {
    pub body: Arc<Value>,
    /// The typed decoding of `body`, made by the first read that needs it.
    pub decoded: Memo,
    pub fetched: Instant,
    pub fetched_at: DateTime<Utc>,
    /// Nothing in the answer is between states (see [`settled`]).
    pub settled: bool,
}

/// A typed value decoded once from a stored answer and shared by every later
/// read of it: decoding a list of hundreds of servers costs more than the
/// rest of a page, and the same answer serves every member until it expires.
/// Beside it, values derived from the decoding (a page's rows in one order,
/// already rendered), keyed by what else they were made from.
#[derive(Clone, Default)]
pub struct Memo(Arc<MemoSlots>);

#[derive(Default)]
struct MemoSlots {
    decoded: OnceLock<Arc<dyn Any + Send + Sync>>,
    /// Oldest first, at most [`MAX_DERIVED`].
    derived: Mutex<Vec<(String, Arc<dyn Any + Send + Sync>)>>,
}

/// Derived values kept per answer: a few sort orders of one list, for one
/// or two accounts' views.
pub const MAX_DERIVED: usize = 8;

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.decoded.get().is_some() {
            "Memo(decoded)"
        } else {
            "Memo(empty)"
        })
    }
}

impl Memo {
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.decoded.get()?.downcast_ref::<T>()
    }

    pub fn set<T: Any + Send + Sync>(&self, value: T) {
        // A concurrent read may have decoded it first: both values are equal.
        let _ = self.0.decoded.set(Arc::new(value));
    }

    /// The value derived under `key`, made by `make` the first time. Two
    /// reads racing may both make it; either result is equal, one is kept.
    pub fn derived<D: Any + Send + Sync>(&self, key: &str, make: impl FnOnce() -> D) -> Arc<D> {
        let found = self.0.derived.lock().ok().and_then(|slots| {
            slots
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.clone().downcast::<D>().ok())
        });
        if let Some(found) = found {
            return found;
        }
        let made = Arc::new(make());
        if let Ok(mut slots) = self.0.derived.lock() {
            if slots.len() >= MAX_DERIVED {
                slots.remove(0);
            }
            slots.push((key.to_owned(), made.clone()));
        }
        made
    }
}

/// How many answers one account keeps. Past a page's cache lifetime an
/// answer is still what a page shows when the API fails, so entries are not
/// dropped for their age; the cap bounds the memory instead, and the oldest
/// answer goes first.
pub const MAX_ENTRIES: usize = 1000;

/// A stored answer and whether a change since may have made it wrong.
#[derive(Debug)]
struct Entry {
    stored: Stored,
    /// A change touched what this answer shows: it is not served as fresh
    /// again, but stays the last known state until a new answer replaces it.
    changed: bool,
}

/// One account's answers: fresh ones are served as they are, older ones
/// (and those a change made doubtful) only when the API cannot give a new one.
#[derive(Debug)]
pub struct ReadCache {
    entries: HashMap<CacheKey, Entry>,
    cap: usize,
}

impl Default for ReadCache {
    fn default() -> Self {
        Self::with_cap(MAX_ENTRIES)
    }
}

impl ReadCache {
    pub fn with_cap(cap: usize) -> Self {
        Self {
            entries: HashMap::new(),
            cap: cap.max(1),
        }
    }

    /// The answer when it is younger than `ttl` and no change touched it since.
    pub fn fresh(&self, key: &CacheKey, ttl: Ttl, now: Instant) -> Option<&Stored> {
        self.entries
            .get(key)
            .filter(|e| {
                !e.changed && now.saturating_duration_since(e.stored.fetched) < ttl.of(&e.stored)
            })
            .map(|e| &e.stored)
    }

    /// The last good answer, however old, and whether a change came after it.
    pub fn last(&self, key: &CacheKey) -> Option<(&Stored, bool)> {
        self.entries.get(key).map(|e| (&e.stored, e.changed))
    }

    /// Keeps a new answer; at the cap the oldest answer makes room.
    pub fn insert(&mut self, key: CacheKey, stored: Stored) {
        if !self.entries.contains_key(&key) && self.entries.len() >= self.cap {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.stored.fetched)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(
            key,
            Entry {
                stored,
                changed: false,
            },
        );
    }

    /// Keeps an answer that may predate a change: the last known state, never
    /// served as fresh. An answer read after the change, or a later one,
    /// stays.
    pub fn insert_changed(&mut self, key: CacheKey, stored: Stored) {
        if let Some(e) = self.entries.get(&key)
            && (!e.changed || e.stored.fetched >= stored.fetched)
        {
            return;
        }
        self.insert(key.clone(), stored);
        if let Some(e) = self.entries.get_mut(&key) {
            e.changed = true;
        }
    }

    /// Marks every entry a change at `path` may have made wrong: none is
    /// served as fresh again, each stays the last known state.
    pub fn invalidate(&mut self, scopes: &[Scope]) -> usize {
        let mut marked = 0;
        for (k, e) in &mut self.entries {
            if scopes.iter().any(|s| s.covers(&k.path)) {
                e.changed = true;
                marked += 1;
            }
        }
        marked
    }

    /// A newer answer about one object (`/servers/A` or its status) that
    /// says another state than its family's list, or the detail drawn from
    /// that list: those are no longer served as fresh, so a list never
    /// shows an object in a state its own page has seen it leave.
    pub fn outdate_list_of(&mut self, key: &CacheKey, newer: &Stored) {
        let mut segs = key.path.split('/').filter(|s| !s.is_empty());
        let (Some(family), Some(id)) = (segs.next(), segs.next()) else {
            return;
        };
        let rest: Vec<&str> = segs.collect();
        let state = match rest.as_slice() {
            [] => state_of(&newer.body),
            ["status"] => newer.body.get("state").and_then(Value::as_str),
            _ => None,
        };
        let Some(state) = state else { return };
        let list = format!("/{family}");
        let detail = format!("/{family}/{id}");
        for (k, e) in &mut self.entries {
            if k.account_id != key.account_id || e.changed || *k == *key {
                continue;
            }
            let known = if k.path == list {
                e.stored.body.as_array().and_then(|items| {
                    items
                        .iter()
                        .find(|i| i.get("id").and_then(Value::as_str) == Some(id))
                        .and_then(state_of)
                })
            } else if k.path == detail && k.query.is_empty() {
                state_of(&e.stored.body)
            } else {
                None
            };
            if known.is_some_and(|known| known != state) && e.stored.fetched <= newer.fetched {
                e.changed = true;
            }
        }
    }

    /// Nothing is served as fresh any more (a "refresh"); every answer stays
    /// as the last known state.
    pub fn expire_all(&mut self) {
        for e in self.entries.values_mut() {
            e.changed = true;
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// How often a family's data changes, which sets how long its answers are
/// served as fresh (each class has its own setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Reference data that changes on the provider's schedule, not the
    /// team's: datacenters, appliances, sizes, ISOs, pricing. Hours.
    Catalogue,
    /// The account's images, SSH keys, users and roles: minutes.
    AccountData,
    /// Logs, usages and monitoring figures: about a minute.
    Activity,
    /// Servers: seconds.
    Live,
    /// The other resources that can be in transition (storages, networks,
    /// IPs, firewall policies, load balancers, VPNs, monitoring policies):
    /// seconds while something in the answer is between states, a minute
    /// while nothing is ([`Ttl`]).
    LiveUnlessSettled,
}

/// The class of a path.
pub fn freshness(path: &str) -> Freshness {
    const CATALOGUE: [&str; 7] = [
        "/servers/fixed_instance_sizes",
        "/servers/baremetal_models",
        "/server_appliances",
        "/recovery_appliances",
        "/dvd_isos",
        "/datacenters",
        "/pricing",
    ];
    const ACCOUNT_DATA: [&str; 4] = ["/images", "/ssh_keys", "/users", "/roles"];
    const ACTIVITY: [&str; 3] = ["/logs", "/usages", "/monitoring_center"];
    let any = |roots: &[&str]| roots.iter().any(|root| in_tree(root, path));
    if any(&CATALOGUE) {
        Freshness::Catalogue
    } else if any(&ACCOUNT_DATA) {
        Freshness::AccountData
    } else if any(&ACTIVITY) {
        Freshness::Activity
    } else if in_tree("/servers", path) {
        Freshness::Live
    } else {
        Freshness::LiveUnlessSettled
    }
}

/// Lists whose answer carries each object whole, as its own detail read
/// would (checked against the reference and the simulator): a detail page
/// of these is drawn from the list. The real servers list leaves out only
/// which IP is the main one (`ips[].main`), and the panel then takes the
/// first IP, as the API lists the main one first. The monitoring center is
/// not here: its detail is a time series the list does not hold.
const WHOLE_LISTS: [&str; 19] = [
    "/servers",
    "/images",
    "/block_storages",
    "/shared_storages",
    "/firewall_policies",
    "/load_balancers",
    "/public_ips",
    "/private_networks",
    "/vpns",
    "/monitoring_policies",
    "/ssh_keys",
    "/users",
    "/roles",
    "/server_appliances",
    "/recovery_appliances",
    "/dvd_isos",
    "/datacenters",
    "/servers/fixed_instance_sizes",
    "/servers/baremetal_models",
];

/// For a detail path (`/servers/ABC`) of a family whose list carries whole
/// objects: the list's path and the object's id. The endpoints below a
/// family's path (`/servers/fixed_instance_sizes`) are not objects of it.
pub fn whole_list_of(path: &str) -> Option<(&'static str, &str)> {
    let (list, id) = path.rsplit_once('/')?;
    // Endpoints of their own below a family's path, not objects of it.
    const NOT_IDS: [&str; 4] = [
        "fixed_instance_sizes",
        "baremetal_models",
        "current_user_permissions",
        "access",
    ];
    if id.is_empty() || NOT_IDS.contains(&id) {
        return None;
    }
    let list = WHOLE_LISTS.iter().find(|l| **l == list)?;
    Some((list, id))
}

/// The object with `id` in a list answer, as its own answer would be.
pub fn item_of(list: &Stored, id: &str) -> Option<Stored> {
    let item = list
        .body
        .as_array()?
        .iter()
        .find(|item| item.get("id").and_then(Value::as_str) == Some(id))?;
    Some(Stored {
        settled: settled(item),
        body: Arc::new(item.clone()),
        decoded: Memo::default(),
        fetched: list.fetched,
        fetched_at: list.fetched_at,
    })
}

/// Whether no object in an answer (a list or one object) is between
/// states: such an answer of a live family other than servers changes only
/// when someone changes it, and changes made here outdate it at once.
pub fn settled(body: &Value) -> bool {
    let calm = |object: &Value| !state_of(object).is_some_and(looks_transitional);
    match body {
        Value::Array(items) => items.iter().all(calm),
        other => calm(other),
    }
}

/// How long an answer stays fresh: answers of live families other than
/// servers stay fresh longer while nothing in them is between states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttl {
    pub usual: Duration,
    pub settled: Duration,
}

impl Ttl {
    pub fn fixed(ttl: Duration) -> Ttl {
        Ttl {
            usual: ttl,
            settled: ttl,
        }
    }

    pub fn of(&self, stored: &Stored) -> Duration {
        if stored.settled {
            self.settled
        } else {
            self.usual
        }
    }
}

/// Whether `path` is `root` or below it.
pub(super) fn in_tree(root: &str, path: &str) -> bool {
    path.strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// An object's state as the API gives it: a server's `status.state`, the
/// other families' `state`; E2E's nodes a `status` text, its saved images
/// an `image_state`.
pub(super) fn state_of(object: &Value) -> Option<&str> {
    let status = object.get("status");
    status
        .and_then(|s| s.get("state"))
        .or_else(|| object.get("state"))
        .or_else(|| status.filter(|s| s.is_string()))
        .or_else(|| object.get("image_state"))
        .and_then(Value::as_str)
}

/// A set of cached paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// This path only.
    Exact(String),
    /// This path and everything below it.
    Tree(String),
}

impl Scope {
    pub fn covers(&self, path: &str) -> bool {
        match self {
            Scope::Exact(p) => path == p,
            Scope::Tree(p) => in_tree(p, path),
        }
    }
}

/// Families whose objects mirror another family's (a server's IPs are public
/// IPs, its firewall policy lists the IP back, ...), so a change in one can
/// change what the others show.
fn related(family: &str) -> &'static [&'static str] {
    match family {
        "servers" => &[
            "public_ips",
            "firewall_policies",
            "load_balancers",
            "private_networks",
            "monitoring_policies",
            "monitoring_center",
            "shared_storages",
            "block_storages",
            "ssh_keys",
            "images",
        ],
        "firewall_policies" => &["servers"],
        "load_balancers" => &["servers", "public_ips"],
        "public_ips" => &["servers", "load_balancers"],
        "private_networks" => &["servers"],
        "monitoring_policies" => &["servers", "monitoring_center"],
        "shared_storages" => &["servers"],
        "block_storages" => &["servers"],
        "ssh_keys" => &["servers"],
        "images" => &["server_appliances"],
        "users" => &["roles"],
        "roles" => &["users"],
        _ => &[],
    }
}

/// What a change at `path` invalidates: its family's list, the changed
/// resource with everything below it, the related families, and the logs
/// (every change writes one).
pub fn affected(path: &str) -> Vec<Scope> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(family) = segs.first() else {
        return Vec::new();
    };
    let mut scopes = vec![Scope::Exact(format!("/{family}"))];
    // Without an id it is a create: only the list (the new resource is not cached yet).
    if let Some(id) = segs.get(1) {
        scopes.push(Scope::Tree(format!("/{family}/{id}")));
    }
    // An IP has one firewall policy: assigning it to one takes it off another.
    if *family == "firewall_policies" && segs.get(2) == Some(&"server_ips") {
        scopes.push(Scope::Tree("/firewall_policies".into()));
    }
    for r in related(family) {
        scopes.push(Scope::Tree(format!("/{r}")));
    }
    scopes.push(Scope::Tree("/logs".into()));
    scopes.push(Scope::Tree("/usages".into()));
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_value_is_made_once_per_key_and_the_oldest_goes_first() {
        let memo = Memo::default();
        let mut made = 0;
        let first = memo.derived("rows name", || {
            made += 1;
            vec![1, 2, 3]
        });
        let again = memo.derived("rows name", || {
            made += 1;
            vec![9]
        });
        assert_eq!(made, 1);
        assert!(Arc::ptr_eq(&first, &again));
        for i in 0..MAX_DERIVED {
            memo.derived(&format!("other {i}"), || i);
        }
        // The first key was evicted: it is made anew.
        let remade = memo.derived("rows name", || vec![4]);
        assert_eq!(*remade, vec![4]);
    }

    fn key(path: &str) -> CacheKey {
        CacheKey::new(1, path, &[])
    }

    fn stored() -> Stored {
        Stored {
            settled: true,
            body: Arc::new(Value::Null),
            decoded: Memo::default(),
            fetched: Instant::now(),
            fetched_at: Utc::now(),
        }
    }

    #[test]
    fn each_path_has_the_freshness_of_its_family() {
        assert_eq!(freshness("/datacenters"), Freshness::Catalogue);
        assert_eq!(
            freshness("/servers/fixed_instance_sizes/ABC"),
            Freshness::Catalogue
        );
        assert_eq!(freshness("/pricing"), Freshness::Catalogue);
        assert_eq!(freshness("/servers"), Freshness::Live);
        assert_eq!(freshness("/servers/ABC"), Freshness::Live);
        assert_eq!(
            freshness("/datacenters_extra"),
            Freshness::LiveUnlessSettled
        );
        assert_eq!(freshness("/ssh_keys/K"), Freshness::AccountData);
        assert_eq!(freshness("/roles/R/permissions"), Freshness::AccountData);
        assert_eq!(freshness("/logs"), Freshness::Activity);
        assert_eq!(freshness("/monitoring_center/S"), Freshness::Activity);
        assert_eq!(
            freshness("/firewall_policies/F"),
            Freshness::LiveUnlessSettled
        );
    }

    #[test]
    fn an_answer_is_settled_while_nothing_in_it_is_between_states() {
        use serde_json::json;
        assert!(settled(&json!([{"state": "ACTIVE"}, {"id": "x"}])));
        assert!(!settled(
            &json!([{"state": "ACTIVE"}, {"state": "CONFIGURING"}])
        ));
        assert!(!settled(&json!({"status": {"state": "POWERING_ON"}})));
        assert!(settled(&json!({"status": {"state": "POWERED_ON"}})));
        let ttl = Ttl {
            usual: Duration::from_secs(10),
            settled: Duration::from_secs(60),
        };
        let mut s = stored();
        assert_eq!(ttl.of(&s), Duration::from_secs(60));
        s.settled = false;
        assert_eq!(ttl.of(&s), Duration::from_secs(10));
    }

    #[test]
    fn detail_paths_of_whole_lists_are_found() {
        assert_eq!(whole_list_of("/servers/ABC"), Some(("/servers", "ABC")));
        assert_eq!(
            whole_list_of("/servers/fixed_instance_sizes/S"),
            Some(("/servers/fixed_instance_sizes", "S"))
        );
        assert_eq!(whole_list_of("/servers/fixed_instance_sizes"), None);
        assert_eq!(whole_list_of("/users/current_user_permissions"), None);
        assert_eq!(whole_list_of("/shared_storages/access"), None);
        assert_eq!(whole_list_of("/servers/ABC/hardware"), None);
        assert_eq!(whole_list_of("/monitoring_center/S"), None);
        assert_eq!(whole_list_of("/servers"), None);
        assert_eq!(whole_list_of("/servers/"), None);
    }

    #[test]
    fn an_item_is_taken_from_a_list_with_the_list_s_age() {
        let mut list = stored();
        list.body = Arc::new(serde_json::json!([
            {"id": "A", "name": "one"},
            {"id": "B", "name": "two"}
        ]));
        let item = item_of(&list, "B").expect("found");
        assert_eq!(item.body["name"], "two");
        assert_eq!(item.fetched, list.fetched);
        assert!(item_of(&list, "C").is_none());
        list.body = Arc::new(serde_json::json!({"id": "B"}));
        assert!(item_of(&list, "B").is_none());
    }

    #[test]
    fn keys_sort_the_query() {
        let a = CacheKey::new(
            1,
            "/servers",
            &[("q", "web 1".into()), ("page", "2".into())],
        );
        let b = CacheKey::new(
            1,
            "/servers",
            &[("page", "2".into()), ("q", "web 1".into())],
        );
        assert_eq!(a, b);
        assert_eq!(a.query, "page=2&q=web+1");
        assert_ne!(
            a,
            CacheKey::new(
                2,
                "/servers",
                &[("page", "2".into()), ("q", "web 1".into())]
            )
        );
        assert_ne!(a, CacheKey::new(1, "/servers", &[]));
    }

    /// The paths a read would still get as fresh.
    fn fresh(c: &ReadCache) -> Vec<String> {
        let now = Instant::now();
        let mut paths: Vec<_> = c
            .entries
            .keys()
            .filter(|k| {
                c.fresh(k, Ttl::fixed(Duration::from_secs(60)), now)
                    .is_some()
            })
            .map(|k| k.path.clone())
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn a_change_under_a_server_invalidates_it_its_list_and_related_families() {
        let mut c = ReadCache::default();
        for p in [
            "/servers",
            "/servers/A",
            "/servers/A/hardware",
            "/servers/A/ips/I/firewall_policy",
            "/servers/AB",
            "/servers/B",
            "/servers/fixed_instance_sizes",
            "/public_ips",
            "/firewall_policies/F",
            "/datacenters",
            "/vpns",
        ] {
            c.insert(key(p), stored());
        }
        assert_eq!(c.invalidate(&affected("/servers/A/ips")), 6);
        assert_eq!(
            fresh(&c),
            vec![
                "/datacenters",
                "/servers/AB",
                "/servers/B",
                "/servers/fixed_instance_sizes",
                "/vpns"
            ]
        );
    }

    #[test]
    fn a_change_keeps_what_it_invalidates_as_the_last_known_state() {
        let mut c = ReadCache::default();
        c.insert(key("/servers/A"), stored());
        c.invalidate(&affected("/servers/A/status/action"));
        assert!(
            c.fresh(
                &key("/servers/A"),
                Ttl::fixed(Duration::from_secs(60)),
                Instant::now()
            )
            .is_none()
        );
        let (_, changed) = c.last(&key("/servers/A")).expect("kept");
        assert!(changed);
        // A new answer is fresh again.
        c.insert(key("/servers/A"), stored());
        assert!(
            c.fresh(
                &key("/servers/A"),
                Ttl::fixed(Duration::from_secs(60)),
                Instant::now()
            )
            .is_some()
        );
        assert_eq!(
            c.last(&key("/servers/A")).map(|(_, changed)| changed),
            Some(false)
        );
    }

    #[test]
    fn a_read_that_crossed_a_change_never_replaces_a_newer_answer() {
        let mut c = ReadCache::default();
        let mut before = stored();
        before.fetched = Instant::now() - Duration::from_secs(5);
        c.insert(key("/servers"), stored());
        c.insert_changed(key("/servers"), before.clone());
        assert_eq!(
            c.last(&key("/servers")).map(|(_, changed)| changed),
            Some(false)
        );
        // With nothing newer it is kept, as doubtful.
        c.insert_changed(key("/vpns"), before);
        assert_eq!(
            c.last(&key("/vpns")).map(|(_, changed)| changed),
            Some(true)
        );
    }

    #[test]
    fn answers_older_than_the_lifetime_are_not_fresh_but_kept() {
        let mut c = ReadCache::default();
        let mut old = stored();
        old.fetched = Instant::now() - Duration::from_secs(3600);
        c.insert(key("/vpns"), old);
        assert!(
            c.fresh(
                &key("/vpns"),
                Ttl::fixed(Duration::from_secs(10)),
                Instant::now()
            )
            .is_none()
        );
        assert!(c.last(&key("/vpns")).is_some());
        c.expire_all();
        assert_eq!(
            c.last(&key("/vpns")).map(|(_, changed)| changed),
            Some(true)
        );
    }

    #[test]
    fn the_cap_evicts_the_oldest_answer_first() {
        let mut c = ReadCache::with_cap(3);
        let start = Instant::now() - Duration::from_secs(100);
        for (i, p) in ["/a", "/b", "/c"].into_iter().enumerate() {
            let mut s = stored();
            s.fetched = start + Duration::from_secs(i as u64 * 10);
            c.insert(key(p), s);
        }
        // "/a" is answered again: now "/b" is the oldest.
        c.insert(key("/a"), stored());
        assert_eq!(c.len(), 3);
        c.insert(key("/d"), stored());
        assert_eq!(c.len(), 3);
        assert!(c.last(&key("/b")).is_none());
        for p in ["/a", "/c", "/d"] {
            assert!(c.last(&key(p)).is_some(), "{p}");
        }
    }

    #[test]
    fn a_create_invalidates_the_list_but_not_the_other_resources() {
        let mut c = ReadCache::default();
        for p in ["/vpns", "/vpns/V", "/vpns/V/configuration_file", "/servers"] {
            c.insert(key(p), stored());
        }
        assert_eq!(c.invalidate(&affected("/vpns")), 1);
        assert_eq!(
            fresh(&c),
            vec!["/servers", "/vpns/V", "/vpns/V/configuration_file"]
        );
        assert_eq!(c.invalidate(&affected("/vpns/V")), 3);
        assert_eq!(fresh(&c), vec!["/servers"]);
    }

    #[test]
    fn assigning_ips_to_a_firewall_policy_invalidates_the_policies_they_left() {
        let mut c = ReadCache::default();
        for p in [
            "/firewall_policies/F/rules",
            "/firewall_policies/G",
            "/vpns",
        ] {
            c.insert(key(p), stored());
        }
        c.invalidate(&affected("/firewall_policies/F/server_ips"));
        assert_eq!(fresh(&c), vec!["/vpns"]);
        // Other changes to a policy leave the others fresh.
        c.insert(key("/firewall_policies/G"), stored());
        c.invalidate(&affected("/firewall_policies/F/rules"));
        assert_eq!(fresh(&c), vec!["/firewall_policies/G", "/vpns"]);
    }

    #[test]
    fn an_object_seen_in_a_new_state_outdates_its_list_but_not_the_others() {
        let mut c = ReadCache::default();
        let mut list = stored();
        list.body = Arc::new(serde_json::json!([
            {"id": "A", "status": {"state": "POWERING_OFF"}},
            {"id": "B", "status": {"state": "POWERED_ON"}}
        ]));
        c.insert(key("/servers"), list);
        c.insert(key("/vpns"), stored());
        let mut same = stored();
        same.body = Arc::new(serde_json::json!({"state": "POWERING_OFF", "percent": 50}));
        c.outdate_list_of(&key("/servers/A/status"), &same);
        assert_eq!(fresh(&c), vec!["/servers", "/vpns"]);
        let mut newer = stored();
        newer.body = Arc::new(serde_json::json!({"state": "POWERED_OFF", "percent": null}));
        c.outdate_list_of(&key("/servers/A/status"), &newer);
        assert_eq!(fresh(&c), vec!["/vpns"]);
    }

    #[test]
    fn tree_scopes_respect_segment_boundaries() {
        let s = Scope::Tree("/servers/A".into());
        assert!(s.covers("/servers/A"));
        assert!(s.covers("/servers/A/dvd"));
        assert!(!s.covers("/servers/AB"));
    }
}
