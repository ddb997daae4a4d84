//! One account's resources in memory, and their transitions over time.
//!
//! A transition is stored as "in state X since T, becoming Y after D" and is
//! settled lazily at the start of every request, so what a client sees depends
//! only on timestamps, never on a background task.

use super::errors::ApiError;
use rand::Rng;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::time::Instant;

pub type Obj = Map<String, Value>;

/// The resource families that an account holds (the catalogue is shared).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Kind {
    Server,
    Image,
    BlockStorage,
    SharedStorage,
    Firewall,
    LoadBalancer,
    PublicIp,
    PrivateNetwork,
    Vpn,
    MonitoringPolicy,
    SshKey,
    User,
    Role,
    Log,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Server,
        Kind::Image,
        Kind::BlockStorage,
        Kind::SharedStorage,
        Kind::Firewall,
        Kind::LoadBalancer,
        Kind::PublicIp,
        Kind::PrivateNetwork,
        Kind::Vpn,
        Kind::MonitoringPolicy,
        Kind::SshKey,
        Kind::User,
        Kind::Role,
        Kind::Log,
    ];

    /// The collection's path segment, also used as the key of state snapshots.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Server => "servers",
            Kind::Image => "images",
            Kind::BlockStorage => "block_storages",
            Kind::SharedStorage => "shared_storages",
            Kind::Firewall => "firewall_policies",
            Kind::LoadBalancer => "load_balancers",
            Kind::PublicIp => "public_ips",
            Kind::PrivateNetwork => "private_networks",
            Kind::Vpn => "vpns",
            Kind::MonitoringPolicy => "monitoring_policies",
            Kind::SshKey => "ssh_keys",
            Kind::User => "users",
            Kind::Role => "roles",
            Kind::Log => "logs",
        }
    }

    /// The element type named in INVALID_STATE errors.
    pub fn element_type(self) -> &'static str {
        match self {
            Kind::Server => "Server",
            Kind::Image => "Image",
            Kind::BlockStorage => "BlockStorage",
            Kind::SharedStorage => "SharedStorage",
            Kind::Firewall => "FirewallPolicy",
            Kind::LoadBalancer => "LoadBalancer",
            Kind::PublicIp => "PublicIp",
            Kind::PrivateNetwork => "PrivateNetwork",
            Kind::Vpn => "Vpn",
            Kind::MonitoringPolicy => "MonitoringPolicy",
            Kind::SshKey => "SshKey",
            Kind::User => "User",
            Kind::Role => "Role",
            Kind::Log => "Log",
        }
    }

    /// The reference's 404 for an unknown id of this family.
    pub fn not_found(self) -> ApiError {
        let (t, m) = match self {
            Kind::Server => ("SERVER_NOT_FOUND", "Server not found"),
            Kind::Image => ("IMAGE_NOT_FOUND", "Image not found"),
            Kind::BlockStorage => ("BLOCK_STORAGE_NOT_FOUND", "Block storage not found"),
            Kind::SharedStorage => ("SHARED_STORAGE_NOT_FOUND", "Shared storage not found"),
            Kind::Firewall => ("FIREWALL_NOT_FOUND", "Firewall policy not found"),
            Kind::LoadBalancer => ("BALANCER_NOT_FOUND", "Load balancer not found"),
            Kind::PublicIp => ("IP_NOT_FOUND", "Ip not exists"),
            Kind::PrivateNetwork => ("PRIVATE_NETWORK_NOT_FOUND", "Private network not found"),
            Kind::Vpn => ("VPN_NOT_FOUND", "VPN does not exists"),
            Kind::MonitoringPolicy => {
                ("MONITORING_POLICY_NOT_FOUND", "Monitoring policy not found")
            }
            Kind::SshKey => ("IMAGE_NOT_FOUND", "SSH Key not found"),
            Kind::User => ("USER_NOT_FOUND", "User not found"),
            Kind::Role => ("ROLE_NOT_FOUND", "Role not found"),
            Kind::Log => ("LOG_NOT_FOUND", "Log not found"),
        };
        ApiError::not_found(t, m)
    }

    /// Servers keep their state in `status.state`; everything else in `state`.
    fn nested_status(self) -> bool {
        self == Kind::Server
    }
}

/// "In the current state since `start`, becoming `to` after `dur`" (simulated seconds).
#[derive(Debug, Clone)]
pub struct Transition {
    pub to: String,
    pub start: f64,
    pub dur: f64,
    /// Progress shown at the start; `None` keeps `percent` null (power actions).
    pub pct_from: Option<u8>,
    /// The element disappears when the transition ends (deletes).
    pub remove: bool,
}

#[derive(Debug, Clone)]
pub struct Rec {
    pub obj: Obj,
    pub tr: Option<Transition>,
}

impl Rec {
    pub fn new(obj: Obj) -> Self {
        Rec { obj, tr: None }
    }
    pub fn id(&self) -> &str {
        self.obj.get("id").and_then(Value::as_str).unwrap_or("")
    }
    pub fn s(&self, k: &str) -> &str {
        self.obj.get(k).and_then(Value::as_str).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.s("name")
    }
}

/// Simulated time: real time since start multiplied by the speed factor.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    speed: f64,
}

impl Clock {
    pub fn new(speed: f64) -> Self {
        Clock {
            start: Instant::now(),
            speed,
        }
    }
    pub fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * self.speed
    }
}

/// A wall-clock date as the reference prints most of them.
pub fn date_now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

pub fn date_in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

/// A 32-character upper-case hex id, like the reference's.
pub fn new_id() -> String {
    let mut r = rand::rng();
    let bytes: [u8; 16] = r.random();
    hex::encode_upper(bytes)
}

/// A short public id like `958FA92`.
pub fn new_cloudpanel_id() -> String {
    let mut r = rand::rng();
    let bytes: [u8; 4] = r.random();
    hex::encode_upper(bytes)[..7].to_string()
}

pub fn random_password() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut r = rand::rng();
    (0..10)
        .map(|_| CHARS[r.random_range(0..CHARS.len())] as char)
        .collect()
}

/// One isolated account.
#[derive(Debug)]
pub struct Account {
    pub colls: HashMap<Kind, Vec<Rec>>,
    /// The user that owns the token.
    pub me: String,
    /// A prefix the API puts before user names (`034b011e.user`).
    pub user_prefix: String,
    /// When the shared-storage access password was last changed (simulated seconds).
    pub access_changed: Option<f64>,
    pub access_user: String,
    next_ip: u32,
}

impl Account {
    pub fn new(token: &str) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(token.as_bytes());
        let prefix = hex::encode(&digest[..4]);
        let uid = u32::from_be_bytes([0, digest[4], digest[5], digest[6]]) % 900_000 + 100_000;
        let mut colls = HashMap::new();
        for k in Kind::ALL {
            colls.insert(k, Vec::new());
        }
        Account {
            colls,
            me: String::new(),
            user_prefix: prefix,
            access_changed: None,
            access_user: format!("nas2\\uid{uid}"),
            next_ip: u32::from(digest[7]) * 256 + 10,
        }
    }

    pub fn coll(&self, k: Kind) -> &[Rec] {
        self.colls.get(&k).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn coll_mut(&mut self, k: Kind) -> &mut Vec<Rec> {
        self.colls.entry(k).or_default()
    }

    pub fn find(&self, k: Kind, id: &str) -> Option<&Rec> {
        self.coll(k).iter().find(|r| r.id() == id)
    }

    pub fn find_mut(&mut self, k: Kind, id: &str) -> Option<&mut Rec> {
        self.coll_mut(k).iter_mut().find(|r| r.id() == id)
    }

    pub fn get(&self, k: Kind, id: &str) -> Result<&Rec, ApiError> {
        self.find(k, id).ok_or_else(|| k.not_found())
    }

    pub fn get_mut(&mut self, k: Kind, id: &str) -> Result<&mut Rec, ApiError> {
        self.find_mut(k, id).ok_or_else(|| k.not_found())
    }

    pub fn exists(&self, k: Kind, id: &str) -> bool {
        self.find(k, id).is_some()
    }

    pub fn name_of(&self, k: Kind, id: &str) -> Option<String> {
        self.find(k, id).map(|r| r.name().to_string())
    }

    /// `{id, name}` of an element, or None when it is gone.
    pub fn id_name(&self, k: Kind, id: &str) -> Option<Value> {
        self.find(k, id)
            .map(|r| json!({"id": r.id(), "name": r.name()}))
    }

    pub fn insert(&mut self, k: Kind, obj: Obj) -> String {
        let rec = Rec::new(obj);
        let id = rec.id().to_string();
        self.coll_mut(k).push(rec);
        id
    }

    pub fn remove(&mut self, k: Kind, id: &str) {
        self.coll_mut(k).retain(|r| r.id() != id);
    }

    /// The next public address of this account (documentation ranges are avoided on purpose:
    /// the UI should show something that looks like a real address).
    pub fn next_address(&mut self) -> String {
        self.next_ip += 1;
        let n = self.next_ip;
        format!("82.165.{}.{}", (n / 250) % 250 + 1, n % 250 + 2)
    }

    /// The current state of an element (`status.state` for servers).
    pub fn state_of(k: Kind, rec: &Rec) -> String {
        if k.nested_status() {
            rec.obj
                .get("status")
                .and_then(|s| s.get("state"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        } else {
            rec.s("state").to_string()
        }
    }

    /// Puts an element into `state` now, becoming `to` after `dur` simulated seconds.
    #[allow(clippy::too_many_arguments)]
    pub fn begin(
        rec: &mut Rec,
        k: Kind,
        state: &str,
        to: &str,
        now: f64,
        dur: f64,
        pct: Option<u8>,
        remove: bool,
    ) {
        set_state(&mut rec.obj, k, state, pct);
        rec.tr = Some(Transition {
            to: to.to_string(),
            start: now,
            dur,
            pct_from: pct,
            remove,
        });
    }

    /// Settles every transition whose time has come and advances the progress of the others.
    pub fn tick(&mut self, now: f64) {
        for (k, recs) in self.colls.iter_mut() {
            let k = *k;
            recs.retain_mut(|rec| {
                let Some(tr) = rec.tr.clone() else {
                    return true;
                };
                if now >= tr.start + tr.dur {
                    if tr.remove {
                        return false;
                    }
                    set_state(&mut rec.obj, k, &tr.to, None);
                    rec.tr = None;
                } else if let Some(p0) = tr.pct_from {
                    let frac = ((now - tr.start) / tr.dur).clamp(0.0, 1.0);
                    let p = f64::from(p0) + (99.0 - f64::from(p0)) * frac;
                    let state = Account::state_of(k, rec);
                    set_state(&mut rec.obj, k, &state, Some(p.floor() as u8));
                }
                true
            });
        }
    }

    /// True while an element is between states.
    pub fn busy(rec: &Rec) -> bool {
        rec.tr.is_some()
    }
}

fn set_state(obj: &mut Obj, k: Kind, state: &str, pct: Option<u8>) {
    if k.nested_status() {
        obj.insert("status".into(), json!({"state": state, "percent": pct}));
    } else {
        obj.insert("state".into(), Value::String(state.to_string()));
    }
}

/// Converts a `json!` object literal into a map (non-objects become empty maps).
pub fn obj(v: Value) -> Obj {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Removes the hidden `_` keys used for relations before an element is shown.
pub fn public(o: &Obj) -> Obj {
    o.iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_uppercase_hex() {
        let id = new_id();
        assert_eq!(id.len(), 32);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
        );
    }

    #[test]
    fn transitions_settle_lazily() {
        let mut a = Account::new("t");
        let id = a.insert(Kind::Server, obj(json!({"id": "S1", "name": "x"})));
        let rec = a.find_mut(Kind::Server, &id).unwrap();
        Account::begin(
            rec,
            Kind::Server,
            "DEPLOYING",
            "POWERED_ON",
            0.0,
            10.0,
            Some(20),
            false,
        );
        a.tick(5.0);
        let st = a.find(Kind::Server, "S1").unwrap().obj["status"].clone();
        assert_eq!(st["state"], "DEPLOYING");
        assert!(st["percent"].as_u64().unwrap() > 20);
        a.tick(10.0);
        let st = a.find(Kind::Server, "S1").unwrap().obj["status"].clone();
        assert_eq!(st, json!({"state": "POWERED_ON", "percent": null}));
        let rec = a.find_mut(Kind::Server, "S1").unwrap();
        Account::begin(rec, Kind::Server, "REMOVING", "", 10.0, 1.0, Some(25), true);
        a.tick(10.5);
        assert!(a.exists(Kind::Server, "S1"));
        a.tick(11.0);
        assert!(!a.exists(Kind::Server, "S1"));
    }
}
