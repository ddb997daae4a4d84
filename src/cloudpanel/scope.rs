//! A role limited to part of a cloud account: objects whose names start
//! with a prefix, objects in one datacenter (the door limits the accounts
//! themselves). The limit is the client's, like its grant (see
//! [`AccountClient::granted`]): every page and every API route reads and
//! changes through the client, so a list loses what is outside the scope,
//! an object outside it is "not found", and a change that would make or
//! rename an object outside it is refused unsent, whichever page asked.
//!
//! Fail closed: an object whose name or datacenter cannot be read is
//! outside a scope that limits it (public IPs have no name, firewall
//! policies no datacenter), and so is an account-wide answer (the usage
//! report) that cannot be split by object.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AccountClient, Api, CloudError, Fetched};

/// What a member's role is limited to. Empty: the whole organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Only these cloud accounts (the panel's ids); empty: every one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<i64>,
    /// Only objects whose names start with this (`staging-`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// Only objects in this datacenter: a Cloud Panel datacenter's country
    /// code (`DE`) or an E2E account's location (`Delhi`), either case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<String>,
}

/// The longest prefix or datacenter code a scope takes.
const MAX_LEN: usize = 40;

impl Scope {
    /// Whether it limits anything.
    pub fn is_limited(&self) -> bool {
        !self.accounts.is_empty() || self.limits_objects()
    }

    /// Whether it limits the objects inside an account (not only which
    /// accounts).
    pub fn limits_objects(&self) -> bool {
        self.name_prefix.is_some() || self.datacenter.is_some()
    }

    /// Whether an account is inside it: one of its accounts, and for an
    /// E2E account (whose every object is in the account's one location)
    /// in its datacenter.
    pub fn covers_account(&self, id: i64, e2e_location: Option<&str>) -> bool {
        let listed = self.accounts.is_empty() || self.accounts.contains(&id);
        let located = match (&self.datacenter, e2e_location) {
            (Some(dc), Some(location)) => dc.eq_ignore_ascii_case(location.trim()),
            _ => true,
        };
        listed && located
    }

    /// A prefix as an Owner typed it: `Ok(None)` for none.
    pub fn parse_prefix(raw: &str) -> Result<Option<String>, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        if raw.chars().count() > MAX_LEN {
            return Err(format!("A name prefix has at most {MAX_LEN} characters."));
        }
        if raw.chars().any(char::is_control) {
            return Err("A name prefix has no control characters.".into());
        }
        Ok(Some(raw.to_owned()))
    }

    /// A datacenter as an Owner typed it: `Ok(None)` for none.
    pub fn parse_datacenter(raw: &str) -> Result<Option<String>, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let fits = raw.chars().count() <= MAX_LEN
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_'));
        if !fits {
            return Err(format!(
                "A datacenter is its country code (DE, GB, SP, US) or an E2E location \
                 (Delhi, Mumbai): letters, digits, spaces and dashes, at most {MAX_LEN}."
            ));
        }
        Ok(Some(raw.to_owned()))
    }

    /// Whether a record about an object (a request for approval), made by
    /// another member, may be shown to a member limited to this scope,
    /// from what the record holds: the account (`None`: a change of the
    /// panel's own tables, about no cloud object) and the object's name.
    /// A datacenter limit cannot be told from a record, so such a scope
    /// sees no other member's record about a cloud object: fail closed.
    pub fn covers_record(&self, account: Option<i64>, name: &str) -> bool {
        let Some(account) = account else {
            return true;
        };
        (self.accounts.is_empty() || self.accounts.contains(&account))
            && self.datacenter.is_none()
            && self.name_fits(Some(name).filter(|n| !n.is_empty()))
    }

    /// Whether a name is inside the scope's prefix.
    fn name_fits(&self, name: Option<&str>) -> bool {
        match (&self.name_prefix, name) {
            (None, _) => true,
            (Some(prefix), Some(name)) => name.starts_with(prefix.as_str()),
            (Some(_), None) => false,
        }
    }

    /// Whether a datacenter (its id, country code or location) is the scope's.
    fn datacenter_fits(&self, datacenter: Option<&Value>) -> bool {
        let Some(wanted) = &self.datacenter else {
            return true;
        };
        let Some(dc) = datacenter else {
            return false;
        };
        ["country_code", "location", "id"].iter().any(|key| {
            dc.get(key)
                .and_then(Value::as_str)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
        })
    }

    /// Whether an object of `api`, as the API answers it, is inside.
    fn holds(&self, api: &Api, object: &Value) -> bool {
        let name = object
            .get("name")
            .or_else(|| object.get("resource").and_then(|r| r.get("name")))
            .and_then(Value::as_str);
        let located = match api {
            // Every object of an E2E account is in its location, which the
            // door has matched against the scope.
            Api::E2e(access) => self
                .datacenter
                .as_ref()
                .is_none_or(|dc| dc.eq_ignore_ascii_case(access.location.trim())),
            Api::CloudPanel => self.datacenter_fits(object.get("datacenter")),
        };
        self.name_fits(name) && located
    }

    /// The scope in words, for the members page: `names starting with
    /// "staging-", in datacenter DE`.
    pub fn describe(&self, account_name: impl Fn(i64) -> Option<String>) -> String {
        let mut parts = Vec::new();
        if !self.accounts.is_empty() {
            let names: Vec<String> = self
                .accounts
                .iter()
                .map(|id| account_name(*id).unwrap_or_else(|| format!("a removed account ({id})")))
                .collect();
            parts.push(format!("accounts {}", names.join(", ")));
        }
        if let Some(prefix) = &self.name_prefix {
            parts.push(format!("names starting with “{prefix}”"));
        }
        if let Some(dc) = &self.datacenter {
            parts.push(format!("datacenter {dc}"));
        }
        if parts.is_empty() {
            "the whole organisation".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

/// A refusal for being outside the scope, as the client reports it to the
/// audit log (see [`ScopeGuard::witness`]).
#[derive(Debug, Clone)]
pub struct ScopeRefusal {
    pub method: String,
    pub path: String,
    pub reason: String,
}

/// Called on every refusal: the door records it as a `denied` event.
pub type Witness = Arc<dyn Fn(ScopeRefusal) + Send + Sync>;

/// A client's scope and who hears of its refusals.
pub struct ScopeGuard {
    pub scope: Scope,
    pub witness: Option<Witness>,
}

impl std::fmt::Debug for ScopeGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeGuard")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Where a path is, for a scope.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// A family's list: its items are filtered.
    List,
    /// The datacenters catalogue: only the scope's datacenter is offered.
    Datacenters,
    /// An object or something below it: the object, read at this detail
    /// path, must be inside.
    Object(String),
    /// An E2E saved image, found in its list by id.
    SavedImage(String),
    /// An answer that describes itself (a log entry): it must be inside.
    Itself,
    /// Account-wide, not split by object: refused under a scope of objects.
    Whole,
    /// Not an object's (the catalogue, the prices): as it is.
    Open,
}

/// The Cloud Panel's families whose objects a scope limits.
const FAMILIES: [&str; 13] = [
    "servers",
    "images",
    "block_storages",
    "shared_storages",
    "firewall_policies",
    "load_balancers",
    "public_ips",
    "private_networks",
    "vpns",
    "monitoring_policies",
    "ssh_keys",
    "users",
    "roles",
];

/// Endpoints of their own below a family's path, not objects of it.
const NOT_IDS: [&str; 4] = [
    "fixed_instance_sizes",
    "baremetal_models",
    "current_user_permissions",
    "access",
];

fn place(api: &Api, path: &str) -> Place {
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .collect();
    match api {
        Api::CloudPanel => match segments.as_slice() {
            [family] if FAMILIES.contains(family) => Place::List,
            [family, id, ..] if FAMILIES.contains(family) && !NOT_IDS.contains(id) => {
                Place::Object(format!("/{family}/{id}"))
            }
            ["monitoring_center"] => Place::List,
            ["monitoring_center", id, ..] => Place::Object(format!("/servers/{id}")),
            ["logs"] => Place::List,
            ["logs", _] => Place::Itself,
            ["datacenters"] => Place::Datacenters,
            ["usages", ..] => Place::Whole,
            _ => Place::Open,
        },
        Api::E2e(_) => match segments.as_slice() {
            ["nodes"] | ["images", "saved-images"] => Place::List,
            ["nodes", id, ..] => Place::Object(format!("/nodes/{id}/")),
            ["images", id] if id.chars().all(|c| c.is_ascii_digit()) => {
                Place::SavedImage((*id).to_owned())
            }
            _ => Place::Open,
        },
    }
}

/// The kind of the "not found" an object outside the scope answers with.
pub const OUT_OF_SCOPE: &str = "OUT_OF_SCOPE";

/// An object outside the scope answers as one that does not exist.
fn not_found() -> CloudError {
    CloudError::NotFound {
        kind: OUT_OF_SCOPE.into(),
        message: "No such object in your scope.".into(),
    }
}

impl AccountClient {
    /// The same account for a member whose role is limited to `guard`'s
    /// scope (see the module's comment); a scope that limits no object
    /// leaves the client as it is.
    pub fn scoped(&self, guard: ScopeGuard) -> AccountClient {
        if !guard.scope.limits_objects() {
            return self.clone();
        }
        AccountClient {
            scope: Some(Arc::new(guard)),
            ..self.clone()
        }
    }

    /// Whether a scope limits what this client sees: a list without an
    /// object then does not tell whether it is gone or outside.
    pub fn is_scoped(&self) -> bool {
        self.scope.is_some()
    }

    /// Whether the object at `path` (or the one it is below) is inside
    /// the scope: for a page to answer "not found" before it looks at a
    /// form. Free without a scope; with one, a read of the object as any
    /// read is (the family's cached list first).
    pub async fn reach(&self, path: &str) -> Result<(), CloudError> {
        let Some(guard) = &self.scope else {
            return Ok(());
        };
        let inside = match place(&self.key.api, path) {
            Place::Object(detail) => self.object_inside(&guard.scope, &detail).await?,
            Place::SavedImage(id) => self.saved_image_inside(&guard.scope, &id).await?,
            _ => true,
        };
        if inside {
            Ok(())
        } else {
            Err(Self::refused(
                guard,
                "POST",
                path,
                "outside the scope",
                not_found(),
            ))
        }
    }

    /// The name of the object a change at `path` acts on, as the cached
    /// list knows it (for a request that names only its id); `None` when it
    /// is not an object's path or cannot be read now.
    pub async fn object_name(&self, path: &str) -> Option<String> {
        let Place::Object(detail) = place(&self.key.api, path) else {
            return None;
        };
        let object = self.read_whole(&detail, &[]).await.ok()?;
        object
            .value
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// Tells the guard's witness of a refusal, and hands the error back.
    fn refused(
        guard: &ScopeGuard,
        method: &str,
        path: &str,
        reason: &str,
        e: CloudError,
    ) -> CloudError {
        if let Some(witness) = &guard.witness {
            witness(ScopeRefusal {
                method: method.to_owned(),
                path: path.to_owned(),
                reason: reason.to_owned(),
            });
        }
        e
    }

    /// A read as the scope lets the member see it.
    pub(super) async fn limit_read(
        &self,
        guard: &ScopeGuard,
        path: &str,
        fetched: Fetched<Arc<Value>>,
    ) -> Result<Fetched<Arc<Value>>, CloudError> {
        let api = &self.key.api;
        let scope = &guard.scope;
        let inside = match place(api, path) {
            Place::Open => return Ok(fetched),
            Place::List => {
                let Value::Array(items) = fetched.value.as_ref() else {
                    // Nothing to filter (an empty answer), or an answer the
                    // scope cannot be applied to: nothing of it is shown.
                    return Ok(limited(fetched, Vec::new()));
                };
                let kept = items
                    .iter()
                    .filter(|item| scope.holds(api, item))
                    .cloned()
                    .collect();
                return Ok(limited(fetched, kept));
            }
            Place::Datacenters => {
                let kept = fetched
                    .value
                    .as_array()
                    .map(|dcs| {
                        dcs.iter()
                            .filter(|dc| scope.datacenter_fits(Some(dc)))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                return Ok(limited(fetched, kept));
            }
            Place::Itself => scope.holds(api, &fetched.value),
            // The object's own answer is the one just read.
            Place::Object(detail) if detail.trim_end_matches('/') == path.trim_end_matches('/') => {
                scope.holds(api, &fetched.value)
            }
            Place::Object(detail) => self.object_inside(scope, &detail).await?,
            Place::SavedImage(id) => self.saved_image_inside(scope, &id).await?,
            // An account-wide report cannot be split by object.
            Place::Whole => false,
        };
        if inside {
            Ok(fetched)
        } else {
            Err(Self::refused(
                guard,
                "GET",
                path,
                "outside the scope",
                not_found(),
            ))
        }
    }

    /// Whether the object at `detail` is inside the scope, read as any
    /// read is (the family's cached list first).
    async fn object_inside(&self, scope: &Scope, detail: &str) -> Result<bool, CloudError> {
        let object = self.read_whole(detail, &[]).await?;
        Ok(scope.holds(&self.key.api, &object.value))
    }

    async fn saved_image_inside(&self, scope: &Scope, id: &str) -> Result<bool, CloudError> {
        let images = self.read_whole("/images/saved-images/", &[]).await?;
        let same_id = |image: &&Value| match image.get("image_id").or_else(|| image.get("id")) {
            Some(Value::String(s)) => s == id,
            Some(Value::Number(n)) => n.to_string() == id,
            _ => false,
        };
        Ok(images
            .value
            .as_array()
            .and_then(|all| all.iter().find(same_id))
            .is_some_and(|image| scope.holds(&self.key.api, image)))
    }

    /// Checks a change against the scope before it is sent: the object it
    /// acts on must be inside, and what it names or renames must stay inside.
    pub(super) async fn check_change(
        &self,
        guard: &ScopeGuard,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), CloudError> {
        let api = &self.key.api;
        let scope = &guard.scope;
        let refuse = |reason: &str, e: CloudError| Self::refused(guard, method, path, reason, e);
        let inside = match place(api, path) {
            Place::Object(detail) => self.object_inside(scope, &detail).await?,
            Place::SavedImage(id) => self.saved_image_inside(scope, &id).await?,
            // A creation: what it makes is checked below, by its body.
            Place::List => true,
            // E2E's committed-plan change names its node in the body.
            Place::Open if path.starts_with("/update_committed_node_status") => {
                match body.and_then(|b| b.get("node_id")) {
                    Some(Value::String(id)) => {
                        self.object_inside(scope, &format!("/nodes/{id}/")).await?
                    }
                    Some(Value::Number(id)) => {
                        self.object_inside(scope, &format!("/nodes/{id}/")).await?
                    }
                    _ => false,
                }
            }
            // Account-wide changes (the shared storages' access password)
            // are no object's: outside a scope of objects.
            Place::Open | Place::Itself | Place::Whole | Place::Datacenters => false,
        };
        if !inside {
            return Err(refuse("outside the scope", not_found()));
        }
        let creates = place(api, path) == Place::List && method == "POST";
        self.check_body(scope, body, creates)
            .await
            .map_err(|e| refuse("a value outside the scope", e))
    }

    /// What a change's body names: its `name` must start with the prefix
    /// (a creation must give one), its `datacenter_id` be the scope's (a
    /// creation in the Cloud Panel must give one, or the API would choose).
    async fn check_body(
        &self,
        scope: &Scope,
        body: Option<&Value>,
        creates: bool,
    ) -> Result<(), CloudError> {
        let field = |key: &str| body.and_then(|b| b.get(key));
        if let Some(prefix) = &scope.name_prefix {
            let name = field("name").and_then(Value::as_str);
            let fits = match name {
                Some(name) => name.starts_with(prefix.as_str()),
                None => !creates,
            };
            if !fits {
                return Err(CloudError::OutOfScope {
                    message: format!("Your role covers only names starting with “{prefix}”."),
                    field: Some("name"),
                });
            }
        }
        let Some(dc) = &scope.datacenter else {
            return Ok(());
        };
        let Api::CloudPanel = self.key.api else {
            // An E2E account is in one location, which the door matched.
            return Ok(());
        };
        let out = || CloudError::OutOfScope {
            message: format!("Your role covers only the datacenter {dc}."),
            field: Some("datacenter_id"),
        };
        match field("datacenter_id").and_then(Value::as_str) {
            Some(id) => {
                let dcs = self.read_whole("/datacenters", &[]).await?;
                let known = dcs
                    .value
                    .as_array()
                    .and_then(|all| {
                        all.iter()
                            .find(|d| d.get("id").and_then(Value::as_str) == Some(id))
                    })
                    .is_some_and(|d| scope.datacenter_fits(Some(d)));
                if known { Ok(()) } else { Err(out()) }
            }
            None if creates => Err(out()),
            None => Ok(()),
        }
    }
}

/// A read's answer cut down to `kept`: its typed decoding is the whole
/// list's, so it is not shared.
fn limited(fetched: Fetched<Arc<Value>>, kept: Vec<Value>) -> Fetched<Arc<Value>> {
    let mut out = fetched.map(|_| Arc::new(Value::Array(kept)));
    out.memo = None;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope(prefix: Option<&str>, dc: Option<&str>) -> Scope {
        Scope {
            accounts: Vec::new(),
            name_prefix: prefix.map(str::to_owned),
            datacenter: dc.map(str::to_owned),
        }
    }

    #[test]
    fn a_record_is_shown_by_its_account_and_name_and_never_under_a_datacenter_limit() {
        let prefix = Scope {
            accounts: vec![1],
            ..scope(Some("staging-"), None)
        };
        assert!(prefix.covers_record(Some(1), "staging-db"));
        assert!(!prefix.covers_record(Some(1), "prod-db"));
        assert!(!prefix.covers_record(Some(2), "staging-db"));
        assert!(!prefix.covers_record(Some(1), ""));
        assert!(prefix.covers_record(None, "Sam"), "a change of access");
        assert!(!scope(None, Some("de")).covers_record(Some(1), "anything"));
    }

    #[test]
    fn objects_are_inside_by_name_and_datacenter() {
        let s = scope(Some("staging-"), Some("de"));
        let api = Api::CloudPanel;
        let dc = json!({"id": "D1", "country_code": "DE", "location": "Germany"});
        assert!(s.holds(&api, &json!({"name": "staging-web", "datacenter": dc})));
        assert!(!s.holds(&api, &json!({"name": "prod-web", "datacenter": dc})));
        let us = json!({"id": "U1", "country_code": "US"});
        assert!(!s.holds(&api, &json!({"name": "staging-web", "datacenter": us})));
        // No datacenter or no name: outside (fail closed).
        assert!(!s.holds(&api, &json!({"name": "staging-fw"})));
        assert!(!s.holds(&api, &json!({"ip": "10.0.0.1", "datacenter": dc})));
        // A log entry is inside by its resource's name.
        let only_names = scope(Some("staging-"), None);
        assert!(only_names.holds(&api, &json!({"resource": {"name": "staging-db"}})));
    }

    #[test]
    fn paths_are_placed() {
        let api = Api::CloudPanel;
        assert_eq!(place(&api, "/servers"), Place::List);
        assert_eq!(
            place(&api, "/servers/AB12/ips/CD"),
            Place::Object("/servers/AB12".into())
        );
        assert_eq!(place(&api, "/servers/fixed_instance_sizes"), Place::Open);
        assert_eq!(place(&api, "/shared_storages/access"), Place::Open);
        assert_eq!(
            place(&api, "/monitoring_center/AB12"),
            Place::Object("/servers/AB12".into())
        );
        assert_eq!(place(&api, "/usages"), Place::Whole);
        assert_eq!(place(&api, "/datacenters"), Place::Datacenters);
        assert_eq!(place(&api, "/server_appliances"), Place::Open);
    }

    #[test]
    fn accounts_and_inputs_are_checked() {
        let mut s = scope(None, Some("Delhi"));
        s.accounts = vec![2];
        assert!(s.covers_account(2, None));
        assert!(s.covers_account(2, Some("delhi")));
        assert!(!s.covers_account(2, Some("Mumbai")));
        assert!(!s.covers_account(3, None));
        assert!(s.is_limited() && s.limits_objects());
        assert_eq!(Scope::parse_prefix("  "), Ok(None));
        assert_eq!(Scope::parse_prefix("staging-"), Ok(Some("staging-".into())));
        assert!(Scope::parse_prefix("a\u{7}").is_err());
        assert!(Scope::parse_datacenter("DE;drop").is_err());
        assert_eq!(
            s.describe(|id| Some(format!("acct{id}"))),
            "accounts acct2; datacenter Delhi"
        );
        assert_eq!(
            Scope::default().describe(|_| None),
            "the whole organisation"
        );
    }
}
