//! Firewall policies, load balancers, public IPs, private networks and VPNs.
//!
//! Relations live in one place each (hidden `_` keys) and both sides are
//! rendered from them ([`super::render`]): an IP's `_server`, `_fw` and
//! `_lbs`; a server's `_pns`.

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::generic::ensure_idle;
use super::render::render_id;
use super::state::{Account, Kind, Obj, Rec, date_now, new_cloudpanel_id, new_id, obj, str_list};
use super::validate::*;
use base64::Engine;
use serde_json::{Value, json};

const CONFIGURE_SECS: f64 = 5.0;
const REMOVE_SECS: f64 = 6.0;
const MAX_PRIVATE_NETWORKS: usize = 5;

/// Shows a short CONFIGURING on an element after a change, when it is idle.
pub fn touch(c: &mut Ctx, k: Kind, id: &str) {
    let now = c.now;
    if let Some(r) = c.acct.find_mut(k, id)
        && r.tr.is_none()
    {
        let to = Account::state_of(k, r);
        Account::begin(r, k, "CONFIGURING", &to, now, CONFIGURE_SECS, None, false);
    }
}

fn create_configuring(c: &mut Ctx, k: Kind, o: Obj, dur: f64) -> String {
    let id = c.acct.insert(k, o);
    let now = c.now;
    if let Some(r) = c.acct.find_mut(k, &id) {
        Account::begin(r, k, "CONFIGURING", "ACTIVE", now, dur, None, false);
    }
    id
}

// ---- public IPs ----

/// A new, unassigned public IP in a datacenter; returns its id.
pub fn new_ip(a: &mut Account, dc: Value) -> String {
    let ip = a.next_address();
    a.insert(
        Kind::PublicIp,
        obj(json!({
            "id": new_id(), "ip": ip, "type": "IPV4", "datacenter": dc, "assigned_to": null,
            "reverse_dns": null, "is_dhcp": false, "state": "ACTIVE", "creation_date": date_now(),
            "cloudpanel_id": format!("ip{}", new_cloudpanel_id()),
            "_server": "", "_fw": "", "_lbs": [], "_main": false, "_lb_owner": "",
        })),
    )
}

pub fn assign_ip(a: &mut Account, ip: &str, server: &str, fw: &str, main: bool) {
    if let Some(r) = a.find_mut(Kind::PublicIp, ip) {
        r.obj.insert("_server".into(), json!(server));
        r.obj.insert("_fw".into(), json!(fw));
        r.obj.insert("_main".into(), json!(main));
        r.obj.insert("is_dhcp".into(), json!(main));
    }
}

/// Takes an IP off its server: removed, or kept as an unassigned IP.
pub fn release_ip(a: &mut Account, ip: &str, remove: bool) {
    if remove {
        a.remove(Kind::PublicIp, ip);
    } else if let Some(r) = a.find_mut(Kind::PublicIp, ip) {
        for (k, v) in [
            ("_server", json!("")),
            ("_fw", json!("")),
            ("_lbs", json!([])),
            ("_main", json!(false)),
            ("is_dhcp", json!(false)),
        ] {
            r.obj.insert(k.into(), v);
        }
    }
}

pub fn link_lb(a: &mut Account, ip: &str, lb: &str, add: bool) {
    if let Some(r) = a.find_mut(Kind::PublicIp, ip) {
        let mut lbs = str_list(r.obj.get("_lbs"));
        lbs.retain(|x| x != lb);
        if add {
            lbs.push(lb.to_string());
        }
        r.obj.insert("_lbs".into(), json!(lbs));
    }
}

pub fn create_ip(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let ty = opt_enum(&b, "type", &["IPV4", "IPV6"])?.unwrap_or_else(|| "IPV4".into());
    if ty != "IPV4" {
        return Err(ApiError::invalid("Invalid type. Only IPV4 allowed"));
    }
    let rdns = reverse_dns(&b)?;
    let dc = c.cat.body_dc(&b)?;
    let id = new_ip(c.acct, dc);
    if let Some(r) = c.acct.find_mut(Kind::PublicIp, &id) {
        r.obj.insert(
            "reverse_dns".into(),
            rdns.map_or(Value::Null, Value::String),
        );
    }
    render_id(c.acct, Kind::PublicIp, &id)
}

fn reverse_dns(b: &Value) -> ApiResult<Option<String>> {
    match opt_str_allow_empty(b, "reverse_dns", 256)? {
        Some(s) if s.is_empty() => Ok(Some(String::new())),
        Some(s) if is_hostname(&s) => Ok(Some(s)),
        Some(_) => Err(ApiError::new(
            400,
            "INVALID_PARAMETERS",
            "Invalid reverse_dns",
            json!({"invalid": "reverse_dns"}),
        )),
        None => Ok(None),
    }
}

pub fn update_ip(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::PublicIp, &id)?;
    let rdns = reverse_dns(&c.body)?.ok_or_else(|| ApiError::required("reverse_dns"))?;
    let r = c.acct.get_mut(Kind::PublicIp, &id)?;
    r.obj.insert(
        "reverse_dns".into(),
        if rdns.is_empty() {
            Value::Null
        } else {
            json!(rdns)
        },
    );
    touch(c, Kind::PublicIp, &id);
    render_id(c.acct, Kind::PublicIp, &id)
}

pub fn delete_ip(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get(Kind::PublicIp, &id)?;
    if !r.s("_lb_owner").is_empty() || !str_list(r.obj.get("_lbs")).is_empty() {
        return Err(ApiError::invalid_state(
            "PublicIp",
            &id,
            r.s("state"),
            "Cannot delete ip attached to load balancer",
        ));
    }
    if r.tr.as_ref().is_some_and(|t| t.remove) {
        return Err(ApiError::invalid_state(
            "PublicIp",
            &id,
            "CONFIGURING",
            "The IP is already being removed",
        ));
    }
    let now = c.now;
    let r = c.acct.get_mut(Kind::PublicIp, &id)?;
    Account::begin(
        r,
        Kind::PublicIp,
        "CONFIGURING",
        "",
        now,
        CONFIGURE_SECS,
        None,
        true,
    );
    render_id(c.acct, Kind::PublicIp, &id)
}

/// Server IPs named in a `server_ips` body: each must be an IP assigned to a server.
fn server_ip_ids(c: &Ctx) -> ApiResult<Vec<String>> {
    let ids = req_str_list(&c.body, "server_ips")?;
    for id in &ids {
        let ok = c
            .acct
            .find(Kind::PublicIp, id)
            .is_some_and(|r| c.acct.exists(Kind::Server, r.s("_server")));
        if !ok {
            return Err(ApiError::wrong_value("server_ips", &json!(id)));
        }
    }
    Ok(ids)
}

// ---- firewall policies ----

/// The account's default policy (created on first need), which new servers get.
pub fn default_firewall(a: &mut Account, _now: f64) -> String {
    if let Some(r) = a
        .coll(Kind::Firewall)
        .iter()
        .find(|r| r.obj["default"] == 1 && r.tr.is_none())
    {
        return r.id().to_string();
    }
    let rules: Vec<Value> = [("TCP", 22, 22), ("TCP", 80, 80), ("TCP", 443, 443)]
        .iter()
        .map(|(p, f, t)| json!({"id": new_id(), "protocol": p, "port_from": f, "port_to": t, "action": "accept", "source": "0.0.0.0", "description": ""}))
        .chain(std::iter::once(json!({"id": new_id(), "protocol": "ICMP", "port_from": null, "port_to": null, "action": "accept", "source": "0.0.0.0", "description": ""})))
        .collect();
    a.insert(
        Kind::Firewall,
        obj(json!({
            "id": new_id(), "name": "Linux", "description": "Default firewall policy for Linux servers",
            "state": "ACTIVE", "creation_date": date_now(), "default": 1, "rules": rules, "server_ips": [],
            "cloudpanel_id": format!("FW{}", new_cloudpanel_id()),
        })),
    )
}

const FW_PROTOCOLS: &[&str] = &[
    "TCP", "UDP", "ICMP", "TCP/UDP", "IPSEC", "AH", "ESP", "GRE", "ANY",
];

fn port_value(v: &Value, k: &str) -> ApiResult<(i64, i64)> {
    let bad = || ApiError::wrong_value(k, v);
    let parse = |s: &str| {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=65535).contains(p))
    };
    match v {
        Value::Number(n) => n
            .as_i64()
            .filter(|p| (1..=65535).contains(p))
            .map(|p| (p, p))
            .ok_or_else(bad),
        Value::String(s) => match s.split_once('-') {
            Some((a, b)) => match (parse(a), parse(b)) {
                (Some(a), Some(b)) if a <= b => Ok((a, b)),
                _ => Err(bad()),
            },
            None => parse(s).map(|p| (p, p)).ok_or_else(bad),
        },
        _ => Err(bad()),
    }
}

fn fw_rule(v: &Value) -> ApiResult<Value> {
    let protocol = req_enum(v, "protocol", FW_PROTOCOLS)?;
    let action =
        opt_enum(v, "action", &["allow", "deny", "accept"])?.unwrap_or_else(|| "allow".into());
    if action == "deny" && protocol != "ANY" {
        return Err(ApiError::invalid("Deny is only allowed with protocol ANY"));
    }
    let needs_ports = matches!(protocol.as_str(), "TCP" | "UDP" | "TCP/UDP");
    let (from, to) = if let Some(p) = v.get("port").filter(|p| !p.is_null()) {
        let (a, b) = port_value(p, "port")?;
        (Some(a), Some(b))
    } else {
        let from = opt_int(v, "port_from", 1, 65535)?;
        let to = opt_int(v, "port_to", 1, 65535)?;
        match (from, to) {
            (Some(a), Some(b)) if a > b => return Err(ApiError::wrong_value("port_to", &json!(b))),
            (Some(a), None) => (Some(a), Some(a)),
            (None, Some(_)) => return Err(ApiError::required("port_from")),
            other => other,
        }
    };
    if needs_ports && from.is_none() {
        return Err(ApiError::required("port"));
    }
    Ok(json!({
        "id": new_id(), "protocol": protocol, "port_from": from, "port_to": to,
        "action": if action == "deny" { "deny" } else { "accept" },
        "source": opt_str(v, "source", 256)?.unwrap_or_else(|| "0.0.0.0".into()),
        "description": opt_str(v, "description", 256)?.unwrap_or_default(),
    }))
}

fn fw_rules(b: &Value) -> ApiResult<Vec<Value>> {
    req_array(b, "rules")?.iter().map(fw_rule).collect()
}

fn unique_fw_name(a: &Account, name: &str, except: &str) -> ApiResult<()> {
    if a.coll(Kind::Firewall)
        .iter()
        .any(|r| r.name() == name && r.id() != except)
    {
        return Err(ApiError::new(
            400,
            "INVALID_NAME",
            "A firewall policy already exists with this name",
            Value::Null,
        ));
    }
    Ok(())
}

pub fn create_firewall(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let rules = fw_rules(&b)?;
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    unique_fw_name(c.acct, &name, "")?;
    let o = obj(json!({
        "id": new_id(), "name": name, "description": description, "state": "CONFIGURING",
        "creation_date": date_now(), "default": 0, "rules": rules, "server_ips": [],
        "cloudpanel_id": format!("FW{}", new_cloudpanel_id()),
    }));
    let id = create_configuring(c, Kind::Firewall, o, CONFIGURE_SECS);
    render_id(c.acct, Kind::Firewall, &id)
}

fn not_default(r: &Rec, what: &str) -> ApiResult<()> {
    if r.obj.get("default").and_then(Value::as_i64) == Some(1) {
        return Err(ApiError::not_allowed(format!(
            "Operation not allowed in default {what}"
        )));
    }
    Ok(())
}

pub fn update_firewall(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    not_default(c.acct.get(Kind::Firewall, &id)?, "firewall policy")?;
    let name = opt_str(&c.body, "name", 128)?;
    let description = opt_str_allow_empty(&c.body, "description", 256)?;
    if let Some(n) = &name {
        unique_fw_name(c.acct, n, &id)?;
    }
    let r = c.acct.get_mut(Kind::Firewall, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    render_id(c.acct, Kind::Firewall, &id)
}

pub fn set_opt(r: &mut Rec, k: &str, v: Option<String>) {
    if let Some(v) = v {
        r.obj.insert(k.into(), Value::String(v));
    }
}

pub fn delete_firewall(c: &mut Ctx) -> ApiResult<Value> {
    not_default(c.acct.get(Kind::Firewall, c.p(0))?, "firewall policy")?;
    super::generic::delete(c, Kind::Firewall, "REMOVING", REMOVE_SECS)
}

pub fn firewall_ips(c: &mut Ctx) -> ApiResult<Value> {
    let v = render_id(c.acct, Kind::Firewall, c.p(0))?;
    Ok(v["server_ips"].clone())
}

pub fn add_firewall_ips(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::Firewall, &id)?;
    for ip in server_ip_ids(c)? {
        if let Some(r) = c.acct.find_mut(Kind::PublicIp, &ip) {
            r.obj.insert("_fw".into(), json!(id));
        }
    }
    touch(c, Kind::Firewall, &id);
    render_id(c.acct, Kind::Firewall, &id)
}

pub fn firewall_ip(c: &mut Ctx) -> ApiResult<Value> {
    let v = render_id(c.acct, Kind::Firewall, c.p(0))?;
    find_row(&v["server_ips"], c.p(1)).ok_or_else(|| Kind::Server.not_found())
}

fn find_row(list: &Value, id: &str) -> Option<Value> {
    list.as_array()?.iter().find(|x| x["id"] == id).cloned()
}

fn edit_rules(c: &mut Ctx, k: Kind, f: impl FnOnce(&mut Vec<Value>)) -> ApiResult<()> {
    let id = c.p(0).to_string();
    let r = c.acct.get_mut(k, &id)?;
    if let Some(Value::Array(rules)) = r.obj.get_mut("rules") {
        f(rules);
    }
    touch(c, k, &id);
    Ok(())
}

pub fn add_firewall_rules(c: &mut Ctx) -> ApiResult<Value> {
    not_default(c.acct.get(Kind::Firewall, c.p(0))?, "firewall policy")?;
    let rules = fw_rules(&c.body)?;
    edit_rules(c, Kind::Firewall, |r| r.extend(rules))?;
    render_id(c.acct, Kind::Firewall, c.p(0))
}

pub fn delete_firewall_rule(c: &mut Ctx) -> ApiResult<Value> {
    let r = c.acct.get(Kind::Firewall, c.p(0))?;
    not_default(r, "firewall policy")?;
    let rid = c.p(1).to_string();
    if find_row(&r.obj["rules"], &rid).is_none() {
        return Err(super::generic::rule_not_found(
            "Firewall rule does not exist",
        ));
    }
    edit_rules(c, Kind::Firewall, |r| r.retain(|x| x["id"] != rid.as_str()))?;
    render_id(c.acct, Kind::Firewall, c.p(0))
}

// ---- load balancers ----

fn lb_rule(v: &Value, hc: &str) -> ApiResult<Value> {
    let protocol = req_enum(v, "protocol", &["TCP", "UDP"])?;
    let pb = req_int(v, "port_balancer", 0, 65535)?;
    let ps = req_int(v, "port_server", 0, 65535)?;
    if (pb == 0) != (ps == 0) {
        return Err(ApiError::invalid(
            "Port 0 can only be used when both ports are 0",
        ));
    }
    if pb == 0 && !matches!(hc, "NONE" | "ICMP") {
        return Err(ApiError::invalid(
            "Port 0 can only be used with health check NONE or ICMP",
        ));
    }
    Ok(
        json!({"id": new_id(), "protocol": protocol, "port_balancer": pb, "port_server": ps,
              "source": opt_str(v, "source", 256)?.unwrap_or_else(|| "0.0.0.0".into())}),
    )
}

fn no_overlap(rules: &[Value]) -> ApiResult<()> {
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[..i] {
            if a["protocol"] == b["protocol"] && a["port_balancer"] == b["port_balancer"] {
                return Err(ApiError::new(
                    400,
                    "INVALID_PARAMETER",
                    "The rules are overlapping",
                    Value::Null,
                ));
            }
        }
    }
    Ok(())
}

const HC: &[&str] = &["NONE", "TCP", "HTTP", "ICMP"];
const METHODS: &[&str] = &["ROUND_ROBIN", "LEAST_CONNECTIONS"];

fn invalid_method(b: &Value) -> ApiResult<Option<String>> {
    opt_enum(b, "method", METHODS).map_err(|_| {
        ApiError::invalid("Invalid method. Valid methods are ROUND_ROBIN and LEAST_CONNECTIONS")
    })
}

pub fn create_lb(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let hc = req_enum(&b, "health_check_test", HC)?;
    let interval = req_int(&b, "health_check_interval", 5, 300)?;
    let persistence = req_bool(&b, "persistence")?;
    let ptime = opt_int(&b, "persistence_time", 30, 1200)?;
    if persistence && ptime.is_none() {
        return Err(ApiError::invalid("Persistence time is required"));
    }
    let method = invalid_method(&b)?.ok_or_else(|| ApiError::required("method"))?;
    let path = opt_str(&b, "health_check_path", 1000)?;
    let parser = match opt_str(&b, "health_check_parse", 64)? {
        Some(p) => Some(p),
        None => opt_str(&b, "health_check_parser", 64)?,
    };
    if hc == "HTTP" && path.is_none() {
        return Err(ApiError::required("health_check_path"));
    }
    let rules: Vec<Value> = req_array(&b, "rules")?
        .iter()
        .map(|r| lb_rule(r, &hc))
        .collect::<ApiResult<_>>()?;
    no_overlap(&rules)?;
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let dc = c.cat.body_dc(&b)?;
    let id = new_id();
    let o = obj(json!({
        "id": id, "name": name, "description": description, "state": "CONFIGURING", "creation_date": date_now(),
        "ip": null, "health_check_test": hc, "health_check_interval": interval,
        "health_check_path": path, "health_check_path_parser": parser,
        "persistence": persistence, "persistence_time": ptime.unwrap_or(1200), "method": method,
        "datacenter": dc, "rules": rules, "server_ips": [], "cloudpanel_id": format!("LB{}", new_cloudpanel_id()),
    }));
    create_configuring(c, Kind::LoadBalancer, o, CONFIGURE_SECS * 2.0);
    let ip = new_ip(c.acct, dc);
    if let Some(r) = c.acct.find_mut(Kind::PublicIp, &ip) {
        r.obj.insert("_lb_owner".into(), json!(id));
    }
    let mut v = render_id(c.acct, Kind::LoadBalancer, &id)?;
    // The address is allocated while the balancer is configured; the reference shows null here.
    v["ip"] = Value::Null;
    Ok(v)
}

pub fn update_lb(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let cur = c.acct.get(Kind::LoadBalancer, &id)?.obj.clone();
    let b = c.body.clone();
    let name = opt_str(&b, "name", 128)?;
    let description = opt_str_allow_empty(&b, "description", 256)?;
    let hc = opt_enum(&b, "health_check_test", HC)?;
    let interval = opt_int(&b, "health_check_interval", 5, 300)?;
    let path = opt_str(&b, "health_check_path", 1000)?;
    let parser = opt_str(&b, "health_check_parse", 64)?;
    let persistence = opt_bool(&b, "persistence")?;
    let ptime = opt_int(&b, "persistence_time", 30, 1200)?;
    let method = invalid_method(&b)?;
    if hc.as_deref() == Some("HTTP") && path.is_none() && cur["health_check_path"].is_null() {
        return Err(ApiError::required("health_check_path"));
    }
    let r = c.acct.get_mut(Kind::LoadBalancer, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    set_opt(r, "health_check_test", hc);
    set_opt(r, "health_check_path", path);
    set_opt(r, "health_check_path_parser", parser);
    set_opt(r, "method", method);
    if let Some(i) = interval {
        r.obj.insert("health_check_interval".into(), json!(i));
    }
    if let Some(p) = persistence {
        r.obj.insert("persistence".into(), json!(p));
    }
    if let Some(p) = ptime {
        r.obj.insert("persistence_time".into(), json!(p));
    }
    touch(c, Kind::LoadBalancer, &id);
    render_id(c.acct, Kind::LoadBalancer, &id)
}

pub fn delete_lb(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let v = super::generic::delete(c, Kind::LoadBalancer, "REMOVING", REMOVE_SECS)?;
    for r in c.acct.coll_mut(Kind::PublicIp).iter_mut() {
        if r.s("_lb_owner") == id {
            r.obj.insert("_lb_owner".into(), json!(""));
        }
        let mut lbs = str_list(r.obj.get("_lbs"));
        if lbs.contains(&id) {
            lbs.retain(|l| *l != id);
            r.obj.insert("_lbs".into(), json!(lbs));
        }
    }
    Ok(v)
}

pub fn lb_ips(c: &mut Ctx) -> ApiResult<Value> {
    Ok(render_id(c.acct, Kind::LoadBalancer, c.p(0))?["server_ips"].clone())
}

pub fn add_lb_ips(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::LoadBalancer, &id)?;
    for ip in server_ip_ids(c)? {
        link_lb(c.acct, &ip, &id, true);
    }
    touch(c, Kind::LoadBalancer, &id);
    render_id(c.acct, Kind::LoadBalancer, &id)
}

pub fn lb_ip(c: &mut Ctx) -> ApiResult<Value> {
    let v = render_id(c.acct, Kind::LoadBalancer, c.p(0))?;
    find_row(&v["server_ips"], c.p(1)).ok_or_else(|| Kind::Server.not_found())
}

pub fn remove_lb_ip(c: &mut Ctx) -> ApiResult<Value> {
    lb_ip(c)?;
    let (id, ip) = (c.p(0).to_string(), c.p(1).to_string());
    link_lb(c.acct, &ip, &id, false);
    touch(c, Kind::LoadBalancer, &id);
    render_id(c.acct, Kind::LoadBalancer, &id)
}

pub fn add_lb_rules(c: &mut Ctx) -> ApiResult<Value> {
    let r = c.acct.get(Kind::LoadBalancer, c.p(0))?;
    let hc = r.s("health_check_test").to_string();
    let mut all: Vec<Value> = r.obj["rules"].as_array().cloned().unwrap_or_default();
    let new: Vec<Value> = req_array(&c.body, "rules")?
        .iter()
        .map(|x| lb_rule(x, &hc))
        .collect::<ApiResult<_>>()?;
    all.extend(new.clone());
    no_overlap(&all)?;
    edit_rules(c, Kind::LoadBalancer, |r| r.extend(new))?;
    render_id(c.acct, Kind::LoadBalancer, c.p(0))
}

pub fn delete_lb_rule(c: &mut Ctx) -> ApiResult<Value> {
    let r = c.acct.get(Kind::LoadBalancer, c.p(0))?;
    let rid = c.p(1).to_string();
    if find_row(&r.obj["rules"], &rid).is_none() {
        return Err(super::generic::rule_not_found(
            "Load balancer rule does not exist",
        ));
    }
    edit_rules(c, Kind::LoadBalancer, |r| {
        r.retain(|x| x["id"] != rid.as_str())
    })?;
    render_id(c.acct, Kind::LoadBalancer, c.p(0))
}

// ---- private networks ----

fn network_fields(b: &Value) -> ApiResult<(Option<String>, Option<String>)> {
    let addr = opt_str_allow_empty(b, "network_address", 64)?;
    let mask = opt_str_allow_empty(b, "subnet_mask", 64)?;
    let invalid = |k: &str| {
        ApiError::new(
            400,
            "INVALID_PARAMETERS",
            format!("Invalid {k}"),
            json!({"invalid": k}),
        )
    };
    if let Some(a) = addr.as_deref().filter(|a| !a.is_empty())
        && !is_ipv4(a)
    {
        return Err(invalid("network_address"));
    }
    if let Some(m) = mask.as_deref().filter(|m| !m.is_empty())
        && !is_netmask(m)
    {
        return Err(invalid("subnet_mask"));
    }
    Ok((addr, mask))
}

pub fn create_pn(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let dc = c.cat.body_dc(&b)?;
    let (addr, mask) = network_fields(&b)?;
    let count = c.acct.coll(Kind::PrivateNetwork).len() + 1;
    if count > MAX_PRIVATE_NETWORKS {
        return Err(ApiError::new(
            400,
            "TECHNICAL_TARIFF_VIOLATION",
            format!("Too high {count} > {MAX_PRIVATE_NETWORKS}"),
            json!({"prefix": "private_network", "desired": count, "required": MAX_PRIVATE_NETWORKS}),
        ));
    }
    let o = obj(json!({
        "id": new_id(), "cloudpanel_id": format!("pn{}", new_cloudpanel_id()), "name": name,
        "description": description, "datacenter": dc,
        "network_address": addr.unwrap_or_default(), "subnet_mask": mask.unwrap_or_default(),
        "state": "CONFIGURING", "creation_date": date_now(), "servers": [],
    }));
    let id = create_configuring(c, Kind::PrivateNetwork, o, CONFIGURE_SECS);
    render_id(c.acct, Kind::PrivateNetwork, &id)
}

pub fn update_pn(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::PrivateNetwork, &id)?;
    let name = req_str(&c.body, "name", 128)?;
    let description = opt_str_allow_empty(&c.body, "description", 256)?;
    let (addr, mask) = network_fields(&c.body)?;
    let r = c.acct.get_mut(Kind::PrivateNetwork, &id)?;
    set_opt(r, "name", Some(name));
    set_opt(r, "description", description);
    set_opt(r, "network_address", addr);
    set_opt(r, "subnet_mask", mask);
    render_id(c.acct, Kind::PrivateNetwork, &id)
}

/// Adds a server to a network (both sides show it); `field` names the body key for errors.
pub fn attach_pn(c: &mut Ctx, pn: &str, sid: &str, field: &str) -> ApiResult<()> {
    let net = c
        .acct
        .find(Kind::PrivateNetwork, pn)
        .ok_or_else(|| ApiError::wrong_value(field, &json!(pn)))?;
    let dc = net.obj["datacenter"]["id"].clone();
    let s = c
        .acct
        .find(Kind::Server, sid)
        .ok_or_else(|| ApiError::wrong_value(field, &json!(sid)))?;
    if s.obj["datacenter"]["id"] != dc {
        return Err(ApiError::invalid(
            "The server and the private network must be in the same datacenter",
        ));
    }
    if let Some(s) = c.acct.find_mut(Kind::Server, sid) {
        let mut pns = str_list(s.obj.get("_pns"));
        if !pns.iter().any(|p| p == pn) {
            pns.push(pn.to_string());
        }
        s.obj.insert("_pns".into(), json!(pns));
    }
    touch(c, Kind::PrivateNetwork, pn);
    Ok(())
}

pub fn detach_pn(c: &mut Ctx, pn: &str, sid: &str) {
    if let Some(s) = c.acct.find_mut(Kind::Server, sid) {
        let mut pns = str_list(s.obj.get("_pns"));
        pns.retain(|p| p != pn);
        s.obj.insert("_pns".into(), json!(pns));
    }
    touch(c, Kind::PrivateNetwork, pn);
}

pub fn pn_servers(c: &mut Ctx) -> ApiResult<Value> {
    Ok(render_id(c.acct, Kind::PrivateNetwork, c.p(0))?["servers"].clone())
}

pub fn add_pn_servers(c: &mut Ctx) -> ApiResult<Value> {
    let pn = c.p(0).to_string();
    c.acct.get(Kind::PrivateNetwork, &pn)?;
    let ids = req_str_list(&c.body, "servers")?;
    for s in &ids {
        if !c.acct.exists(Kind::Server, s) {
            return Err(ApiError::wrong_value("servers", &json!(s)));
        }
    }
    for s in &ids {
        attach_pn(c, &pn, s, "servers")?;
    }
    // The reference's example answers the list of attached servers here.
    pn_servers(c)
}

pub fn pn_server(c: &mut Ctx) -> ApiResult<Value> {
    let v = render_id(c.acct, Kind::PrivateNetwork, c.p(0))?;
    find_row(&v["servers"], c.p(1)).ok_or_else(|| Kind::Server.not_found())
}

pub fn remove_pn_server(c: &mut Ctx) -> ApiResult<Value> {
    pn_server(c)?;
    let (pn, sid) = (c.p(0).to_string(), c.p(1).to_string());
    detach_pn(c, &pn, &sid);
    render_id(c.acct, Kind::PrivateNetwork, &pn)
}

// ---- VPNs ----

pub fn create_vpn(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let dc = c.cat.body_dc(&b)?;
    let ips = json!([c.acct.next_address(), c.acct.next_address()]);
    let id = c.acct.insert(
        Kind::Vpn,
        obj(json!({
            "id": new_id(), "name": name, "description": description, "state": "ACTIVE", "datacenter": dc,
            "type": "SSL", "ips": ips, "cloudpanel_id": format!("vpn{}", new_cloudpanel_id()), "creation_date": date_now(),
        })),
    );
    render_id(c.acct, Kind::Vpn, &id)
}

pub fn update_vpn(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    ensure_idle(Kind::Vpn, c.acct.get(Kind::Vpn, &id)?)?;
    let name = opt_str(&c.body, "name", 128)?;
    let description = opt_str_allow_empty(&c.body, "description", 256)?;
    let r = c.acct.get_mut(Kind::Vpn, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    render_id(c.acct, Kind::Vpn, &id)
}

/// The reference documents no format for this file; the answer carries a
/// base64 OpenVPN configuration under `config_zip_file`.
pub fn vpn_config(c: &mut Ctx) -> ApiResult<Value> {
    let r = c.acct.get(Kind::Vpn, c.p(0))?;
    let remote = r.obj["ips"][0].as_str().unwrap_or("127.0.0.1").to_string();
    let conf = format!(
        "# {name}\nclient\ndev tun\nproto udp\nremote {remote} 1194\nresolv-retry infinite\nnobind\npersist-key\npersist-tun\nverb 3\n",
        name = r.name()
    );
    Ok(json!({"config_zip_file": base64::engine::general_purpose::STANDARD.encode(conf)}))
}
