//! SSH keys, users (with their API access) and roles (with permissions).

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::network::set_opt;
use super::render::render_id;
use super::state::{Account, Kind, Obj, Rec, date_now, new_id, obj, str_list};
use super::validate::*;
use serde_json::{Map, Value, json};

/// Every permission group and flag, with the value the reference's examples show.
const PERMISSIONS: &[(&str, &[(&str, bool)])] = &[
    (
        "servers",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("start", true),
            ("restart", true),
            ("shutdown", true),
            ("resize", true),
            ("reinstall", true),
            ("clone", false),
            ("manage_snapshot", true),
            ("assign_ip", true),
            ("manage_dvd", true),
            ("access_kvm_console", true),
        ],
    ),
    (
        "images",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("disable_automatic_creation", true),
        ],
    ),
    (
        "shared_storages",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("manage_attached_servers", true),
            ("access", false),
            ("resize", true),
        ],
    ),
    (
        "firewall_policies",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("manage_rules", true),
            ("manage_attached_server_ips", true),
            ("clone", false),
        ],
    ),
    (
        "load_balancers",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("manage_rules", true),
            ("manage_attached_server_ips", true),
            ("modify", true),
        ],
    ),
    (
        "public_ips",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("release", true),
            ("set_reverse_dns", true),
        ],
    ),
    (
        "private_network",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("set_network_info", true),
            ("manage_attached_servers", true),
        ],
    ),
    (
        "vpn",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("download_file", true),
        ],
    ),
    ("monitoring_center", &[("show", true)]),
    (
        "monitoring_policies",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("set_email", true),
            ("modify_resources", true),
            ("manage_ports", true),
            ("manage_processes", true),
            ("manage_attached_servers", true),
            ("clone", true),
        ],
    ),
    (
        "backups",
        &[("show", true), ("create", false), ("delete", false)],
    ),
    ("logs", &[("show", true)]),
    (
        "users",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_description", true),
            ("set_email", true),
            ("set_password", true),
            ("manage_api", false),
            ("enable", true),
            ("disable", false),
            ("change_role", true),
        ],
    ),
    (
        "roles",
        &[
            ("show", true),
            ("create", true),
            ("delete", false),
            ("set_name", true),
            ("set_description", true),
            ("manage_users", true),
            ("modify", true),
            ("clone", true),
        ],
    ),
    ("usages", &[("show", true)]),
    ("interactive_invoices", &[("show", true)]),
];

/// `All(v)` sets every flag to v; `Example` uses the reference's example values.
pub enum Perms {
    All(bool),
    Example,
    ShowOnly,
}

pub fn permissions(p: Perms) -> Value {
    let mut out = Map::new();
    for (group, flags) in PERMISSIONS {
        let g: Map<String, Value> = flags
            .iter()
            .map(|(f, ex)| {
                let v = match p {
                    Perms::All(v) => v,
                    Perms::Example => *ex,
                    Perms::ShowOnly => *f == "show",
                };
                ((*f).to_string(), Value::Bool(v))
            })
            .collect();
        out.insert((*group).to_string(), Value::Object(g));
    }
    Value::Object(out)
}

// ---- SSH keys ----

fn fingerprint(key: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    d[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub fn create_key(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let given = match b.get("public_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(k))
            if k.len() <= 256
                && (k.starts_with("ssh-") || k.starts_with("ecdsa-"))
                && k.split_whitespace().count() >= 2 =>
        {
            Some(k.clone())
        }
        Some(_) => {
            return Err(ApiError::new(
                400,
                "INVALID_PARAMETERS",
                "Invalid public_key",
                json!({"invalid": "public_key"}),
            ));
        }
    };
    let (public, private) = match given {
        Some(k) => (k, None),
        None => {
            let material = format!("{}{}", new_id(), new_id());
            (
                format!(
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} generated",
                    &material[..43]
                ),
                Some(format!(
                    "-----BEGIN OPENSSH PRIVATE KEY-----\n{material}\n-----END OPENSSH PRIVATE KEY-----\n"
                )),
            )
        }
    };
    let mut o = obj(json!({
        "id": new_id(), "name": name, "description": description, "state": "ACTIVE", "servers": [],
        "md5": fingerprint(&public), "public_key": public, "creation_date": date_now(),
    }));
    if let Some(p) = private {
        o.insert("private_key".into(), json!(p));
    }
    let id = c.acct.insert(Kind::SshKey, o);
    let v = render_id(c.acct, Kind::SshKey, &id)?;
    // The private key is shown once, at creation.
    if let Some(r) = c.acct.find_mut(Kind::SshKey, &id) {
        r.obj.remove("private_key");
    }
    Ok(v)
}

pub fn update_key(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::SshKey, &id)?;
    let name = req_str(&c.body, "name", 128)?;
    let description = opt_str_allow_empty(&c.body, "description", 256)?;
    let r = c.acct.get_mut(Kind::SshKey, &id)?;
    set_opt(r, "name", Some(name));
    set_opt(r, "description", description);
    render_id(c.acct, Kind::SshKey, &id)
}

// ---- users ----

fn begin_user(c: &mut Ctx, id: &str, state: &str, to: &str) {
    let now = c.now;
    if let Some(r) = c.acct.find_mut(Kind::User, id) {
        Account::begin(r, Kind::User, state, to, now, 3.0, None, false);
    }
}

/// A user as stored: the API key lives inside `api`.
pub fn user_obj(
    name: &str,
    description: &str,
    email: &str,
    key: Option<String>,
    role: &str,
) -> Obj {
    obj(json!({
        "id": new_id(), "name": name, "description": description, "email": email, "state": "ACTIVE",
        "creation_date": date_now(), "api": {"active": key.is_some(), "key": key, "allowed_ips": []},
        "roles": null, "_role": role,
    }))
}

pub fn create_user(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let missing: Map<String, Value> = ["name", "password"]
        .iter()
        .filter(|k| b.get(**k).and_then(Value::as_str).is_none_or(str::is_empty))
        .map(|k| ((*k).to_string(), json!(1)))
        .collect();
    if !missing.is_empty() {
        let names: Vec<&String> = missing.keys().collect();
        let list = names
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::new(
            400,
            "INVALID_PARAMETERS",
            format!("Required field(s) {list} missing or empty. "),
            Value::Object(missing),
        ));
    }
    let name = req_str(&b, "name", 30)?;
    req_len_str(&b, "password", 8, 64)?;
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let email = opt_str(&b, "email", 128)?.unwrap_or_default();
    let full = format!("{}.{name}", c.acct.user_prefix);
    if c.acct.coll(Kind::User).iter().any(|u| u.name() == full) {
        return Err(ApiError::invalid("A user already exists with this name"));
    }
    let id = c
        .acct
        .insert(Kind::User, user_obj(&full, &description, &email, None, ""));
    begin_user(c, &id, "CREATING", "ACTIVE");
    render_id(c.acct, Kind::User, &id)
}

pub fn update_user(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::User, &id)?;
    let b = c.body.clone();
    let description = opt_str_allow_empty(&b, "description", 256)?;
    let email = opt_str(&b, "email", 128)?;
    opt_len_str(&b, "password", 8, 64)?;
    let state = opt_enum(&b, "state", &["ACTIVE", "DISABLE"])?;
    if state.as_deref() == Some("DISABLE") && id == c.acct.me {
        return Err(ApiError::not_allowed("You cannot disable your own user"));
    }
    let r = c.acct.get_mut(Kind::User, &id)?;
    set_opt(r, "description", description);
    set_opt(r, "email", email);
    let to = match state.as_deref() {
        Some("DISABLE") => "DISABLED".to_string(),
        Some(s) => s.to_string(),
        None => match &r.tr {
            Some(t) => t.to.clone(),
            None => r.s("state").to_string(),
        },
    };
    begin_user(c, &id, "CONFIGURING", &to);
    render_id(c.acct, Kind::User, &id)
}

pub fn delete_user(c: &mut Ctx) -> ApiResult<Value> {
    if c.p(0) == c.acct.me {
        c.acct.get(Kind::User, c.p(0))?;
        return Err(ApiError::not_allowed("You cannot delete your own user"));
    }
    super::generic::delete(c, Kind::User, "REMOVING", 3.0)
}

pub fn user_api(c: &mut Ctx) -> ApiResult<Value> {
    Ok(c.acct.get(Kind::User, c.p(0))?.obj["api"].clone())
}

fn api_mut<'a>(c: &'a mut Ctx) -> ApiResult<&'a mut Map<String, Value>> {
    let id = c.p(0).to_string();
    c.acct
        .get_mut(Kind::User, &id)?
        .obj
        .get_mut("api")
        .and_then(Value::as_object_mut)
        .ok_or_else(ApiError::internal)
}

pub fn set_user_api(c: &mut Ctx) -> ApiResult<Value> {
    c.acct.get(Kind::User, c.p(0))?;
    let active = req_bool(&c.body, "active")?;
    if !active && c.p(0) == c.acct.me {
        return Err(ApiError::not_allowed(
            "You cannot disable the API access of the user making this request",
        ));
    }
    let api = api_mut(c)?;
    api.insert("active".into(), json!(active));
    if active && api.get("key").is_none_or(Value::is_null) {
        api.insert("key".into(), json!(new_id().to_lowercase()));
    }
    render_id(c.acct, Kind::User, c.p(0))
}

pub fn user_key(c: &mut Ctx) -> ApiResult<Value> {
    Ok(json!({"key": c.acct.get(Kind::User, c.p(0))?.obj["api"]["key"]}))
}

/// Regenerates a key; the calling user's own key (the token in use) is kept,
/// so that the session does not lock itself out.
pub fn renew_user_key(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::User, &id)?;
    if id != c.acct.me {
        api_mut(c)?.insert("key".into(), json!(new_id().to_lowercase()));
    }
    let to = c.acct.get(Kind::User, &id)?.s("state").to_string();
    begin_user(c, &id, "CONFIGURING", &to);
    render_id(c.acct, Kind::User, &id)
}

pub fn user_ips(c: &mut Ctx) -> ApiResult<Value> {
    Ok(c.acct.get(Kind::User, c.p(0))?.obj["api"]["allowed_ips"].clone())
}

pub fn add_user_ips(c: &mut Ctx) -> ApiResult<Value> {
    c.acct.get(Kind::User, c.p(0))?;
    let ips = req_str_list(&c.body, "ips")?;
    if let Some(bad) = ips.iter().find(|ip| !is_ip(ip)) {
        return Err(ApiError::wrong_value("ips", &json!(bad)));
    }
    let api = api_mut(c)?;
    let mut cur = str_list(api.get("allowed_ips"));
    for ip in ips {
        if !cur.contains(&ip) {
            cur.push(ip);
        }
    }
    api.insert("allowed_ips".into(), json!(cur));
    render_id(c.acct, Kind::User, c.p(0))
}

pub fn remove_user_ip(c: &mut Ctx) -> ApiResult<Value> {
    c.acct.get(Kind::User, c.p(0))?;
    let ip = c.p(1).to_string();
    let api = api_mut(c)?;
    let mut cur = str_list(api.get("allowed_ips"));
    if !cur.contains(&ip) {
        return Err(ApiError::not_found("IP_NOT_FOUND", "IP not found"));
    }
    cur.retain(|x| *x != ip);
    api.insert("allowed_ips".into(), json!(cur));
    render_id(c.acct, Kind::User, c.p(0))
}

pub fn current_permissions(c: &mut Ctx) -> ApiResult<Value> {
    let me = c.acct.me.clone();
    let role = c
        .acct
        .find(Kind::User, &me)
        .map(|u| u.s("_role").to_string())
        .unwrap_or_default();
    Ok(c.acct
        .find(Kind::Role, &role)
        .map(|r| r.obj["permissions"].clone())
        .unwrap_or_else(|| permissions(Perms::All(true))))
}

// ---- roles ----

pub fn role_obj(name: &str, description: Value, default: i64, perms: Value) -> Obj {
    obj(json!({
        "id": new_id(), "name": name, "description": description, "state": "ACTIVE", "default": default,
        "creation_date": date_now(), "users": [], "permissions": perms,
    }))
}

pub fn create_role(c: &mut Ctx) -> ApiResult<Value> {
    let name = req_str(&c.body, "name", 128)?;
    let id = c.acct.insert(
        Kind::Role,
        role_obj(&name, Value::Null, 0, permissions(Perms::Example)),
    );
    render_id(c.acct, Kind::Role, &id)
}

fn not_builtin(r: &Rec) -> ApiResult<()> {
    if r.obj["default"] == 1 {
        return Err(ApiError::not_allowed(
            "Operation not allowed in a default role",
        ));
    }
    Ok(())
}

fn begin_role(c: &mut Ctx, id: &str, to: &str) {
    let now = c.now;
    if let Some(r) = c.acct.find_mut(Kind::Role, id) {
        Account::begin(r, Kind::Role, "CONFIGURING", to, now, 3.0, None, false);
    }
}

pub fn update_role(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get(Kind::Role, &id)?;
    not_builtin(r)?;
    let b = c.body.clone();
    let name = opt_str(&b, "name", 128)?;
    let description = opt_str_allow_empty(&b, "description", 1024)?;
    let state = opt_enum(&b, "state", &["ACTIVE", "DISABLE"]).map_err(|_| {
        ApiError::validation("Invalid status. Valid states are ACTIVE and DISABLED.")
    })?;
    let r = c.acct.get_mut(Kind::Role, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    let to = match state.as_deref() {
        Some("DISABLE") => "DISABLED".to_string(),
        Some(s) => s.to_string(),
        None => r.s("state").to_string(),
    };
    begin_role(c, &id, &to);
    render_id(c.acct, Kind::Role, &id)
}

pub fn delete_role(c: &mut Ctx) -> ApiResult<Value> {
    not_builtin(c.acct.get(Kind::Role, c.p(0))?)?;
    let id = c.p(0).to_string();
    let v = super::generic::delete(c, Kind::Role, "REMOVING", 3.0)?;
    for u in c
        .acct
        .coll_mut(Kind::User)
        .iter_mut()
        .filter(|u| u.s("_role") == id)
    {
        u.obj.insert("_role".into(), json!(""));
    }
    Ok(v)
}

pub fn role_permissions(c: &mut Ctx) -> ApiResult<Value> {
    Ok(c.acct.get(Kind::Role, c.p(0))?.obj["permissions"].clone())
}

/// Merges a partial permissions object (unknown groups or flags are refused).
pub fn set_role_permissions(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    not_builtin(c.acct.get(Kind::Role, &id)?)?;
    let Some(patch) = c.body.as_object().filter(|o| !o.is_empty()) else {
        return Err(ApiError::required("permissions"));
    };
    for (group, flags) in patch {
        let known = PERMISSIONS
            .iter()
            .find(|(g, _)| g == group)
            .ok_or_else(|| ApiError::wrong_value(group, &json!(group)))?;
        let flags = flags
            .as_object()
            .ok_or_else(|| ApiError::wrong_value(group, flags))?;
        for (f, v) in flags {
            if !known.1.iter().any(|(k, _)| k == f) || !v.is_boolean() {
                return Err(ApiError::wrong_value(&format!("{group}.{f}"), v));
            }
        }
    }
    let r = c.acct.get_mut(Kind::Role, &id)?;
    if let Some(Value::Object(perms)) = r.obj.get_mut("permissions") {
        for (group, flags) in patch {
            if let (Some(Value::Object(g)), Some(flags)) = (perms.get_mut(group), flags.as_object())
            {
                for (f, v) in flags {
                    g.insert(f.clone(), v.clone());
                }
            }
        }
    }
    Ok(r.obj["permissions"].clone())
}

pub fn role_users(c: &mut Ctx) -> ApiResult<Value> {
    Ok(render_id(c.acct, Kind::Role, c.p(0))?["users"].clone())
}

pub fn add_role_users(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::Role, &id)?;
    let users = req_str_list(&c.body, "users")?;
    for u in &users {
        if !c.acct.exists(Kind::User, u) {
            return Err(ApiError::wrong_value("users", &json!(u)));
        }
    }
    for u in &users {
        if let Some(r) = c.acct.find_mut(Kind::User, u) {
            r.obj.insert("_role".into(), json!(id));
        }
    }
    render_id(c.acct, Kind::Role, &id)
}

pub fn role_user(c: &mut Ctx) -> ApiResult<Value> {
    let v = render_id(c.acct, Kind::Role, c.p(0))?;
    v["users"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["id"] == c.p(1)))
        .cloned()
        .ok_or_else(|| Kind::User.not_found())
}

pub fn remove_role_user(c: &mut Ctx) -> ApiResult<Value> {
    role_user(c)?;
    let (id, uid) = (c.p(0).to_string(), c.p(1).to_string());
    if uid == c.acct.me {
        return Err(ApiError::not_allowed(
            "You cannot remove your own user from its role",
        ));
    }
    if let Some(u) = c.acct.find_mut(Kind::User, &uid) {
        u.obj.insert("_role".into(), json!(""));
    }
    let to = c.acct.get(Kind::Role, &id)?.s("state").to_string();
    begin_role(c, &id, &to);
    render_id(c.acct, Kind::Role, &id)
}

pub fn clone_role(c: &mut Ctx) -> ApiResult<Value> {
    let src = c.acct.get(Kind::Role, c.p(0))?;
    let perms = src.obj["permissions"].clone();
    let description = src.obj["description"].clone();
    let name = req_str(&c.body, "name", 128)?;
    let id = c
        .acct
        .insert(Kind::Role, role_obj(&name, description, 0, perms));
    render_id(c.acct, Kind::Role, &id)
}
