//! The short-lived read cache and what a change invalidates.

use serde_json::Value;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
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
        let mut pairs: Vec<_> = query.iter().collect();
        pairs.sort();
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k, v);
        }
        CacheKey {
            account_id,
            path: path.to_string(),
            query: ser.finish(),
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
}

/// A typed value decoded once from a stored answer and shared by every later
/// read of it: decoding a list of hundreds of servers costs more than the
/// rest of a page, and the same answer serves every member until it expires.
#[derive(Clone, Default)]
pub struct Memo(Arc<OnceLock<Arc<dyn Any + Send + Sync>>>);

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Memo(decoded)"
        } else {
            "Memo(empty)"
        })
    }
}

impl Memo {
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.get()?.downcast_ref::<T>()
    }

    pub fn set<T: Any + Send + Sync>(&self, value: T) {
        // A concurrent read may have decoded it first: both values are equal.
        let _ = self.0.set(Arc::new(value));
    }
}

/// Drops entries much older than any page would still show.
const KEEP_STALE: Duration = Duration::from_secs(15 * 60);
const MAX_ENTRIES: usize = 2000;

#[derive(Debug, Default)]
pub struct ReadCache {
    entries: HashMap<CacheKey, Stored>,
}

impl ReadCache {
    pub fn get(&self, key: &CacheKey) -> Option<&Stored> {
        self.entries.get(key)
    }

    pub fn insert(&mut self, key: CacheKey, stored: Stored) {
        if self.entries.len() >= MAX_ENTRIES {
            let now = stored.fetched;
            self.entries
                .retain(|_, s| now.saturating_duration_since(s.fetched) < KEEP_STALE);
            if self.entries.len() >= MAX_ENTRIES {
                self.entries.clear();
            }
        }
        self.entries.insert(key, stored);
    }

    /// Removes every entry a change at `path` may have made wrong.
    pub fn invalidate(&mut self, path: &str) -> usize {
        let scopes = affected(path);
        let before = self.entries.len();
        self.entries
            .retain(|k, _| !scopes.iter().any(|s| s.covers(&k.path)));
        before - self.entries.len()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Reference data that changes on the provider's schedule, not the team's:
/// cached longer, so forms that list sizes, images and datacenters do not
/// spend the shared request budget on every visit.
pub fn is_catalogue(path: &str) -> bool {
    const CATALOGUE: [&str; 7] = [
        "/servers/fixed_instance_sizes",
        "/servers/baremetal_models",
        "/server_appliances",
        "/recovery_appliances",
        "/dvd_isos",
        "/datacenters",
        "/pricing",
    ];
    CATALOGUE
        .iter()
        .any(|root| Scope::Tree((*root).to_owned()).covers(path))
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
            Scope::Tree(p) => {
                path == p
                    || (path.starts_with(p.as_str()) && path.as_bytes().get(p.len()) == Some(&b'/'))
            }
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

    fn key(path: &str) -> CacheKey {
        CacheKey::new(1, path, &[])
    }

    fn stored() -> Stored {
        Stored {
            body: Arc::new(Value::Null),
            decoded: Memo::default(),
            fetched: Instant::now(),
            fetched_at: Utc::now(),
        }
    }

    #[test]
    fn catalogue_paths_are_told_apart() {
        assert!(is_catalogue("/datacenters"));
        assert!(is_catalogue("/servers/fixed_instance_sizes/ABC"));
        assert!(!is_catalogue("/servers"));
        assert!(!is_catalogue("/servers/ABC"));
        assert!(!is_catalogue("/datacenters_extra"));
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
        c.invalidate("/servers/A/ips");
        let mut left: Vec<_> = c.entries.keys().map(|k| k.path.clone()).collect();
        left.sort();
        assert_eq!(
            left,
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
    fn a_create_invalidates_the_list_but_not_the_other_resources() {
        let mut c = ReadCache::default();
        for p in ["/vpns", "/vpns/V", "/vpns/V/configuration_file", "/servers"] {
            c.insert(key(p), stored());
        }
        assert_eq!(c.invalidate("/vpns"), 1);
        assert!(c.get(&key("/vpns/V")).is_some());
        assert!(c.get(&key("/servers")).is_some());
        assert_eq!(c.invalidate("/vpns/V"), 2);
        assert!(c.is_empty() || c.len() == 1);
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
        c.invalidate("/firewall_policies/F/server_ips");
        assert!(c.get(&key("/firewall_policies/G")).is_none());
        assert!(c.get(&key("/vpns")).is_some());
        // Other changes to a policy leave the others cached.
        c.insert(key("/firewall_policies/G"), stored());
        c.invalidate("/firewall_policies/F/rules");
        assert!(c.get(&key("/firewall_policies/G")).is_some());
    }

    #[test]
    fn tree_scopes_respect_segment_boundaries() {
        let s = Scope::Tree("/servers/A".into());
        assert!(s.covers("/servers/A"));
        assert!(s.covers("/servers/A/dvd"));
        assert!(!s.covers("/servers/AB"));
    }
}
