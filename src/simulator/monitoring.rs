//! The monitoring center (usage of servers) and monitoring policies.

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::network::{set_opt, touch};
use super::readonly::period_of;
use super::render::render_id;
use super::state::{Account, Kind, Rec, date_now, new_cloudpanel_id, new_id, obj};
use super::validate::*;
use serde_json::{Value, json};

const MAX_POLICIES: usize = 10;

/// (warning min, warning max, critical max) per threshold.
const LIMITS: [(&str, i64, i64, i64); 5] = [
    ("cpu", 1, 95, 100),
    ("ram", 1, 95, 100),
    ("disk", 1, 95, 100),
    ("internal_ping", 1, 100, 100),
    ("transfer", 1, 2000, 2000),
];

fn invalid_thresholds() -> ApiError {
    ApiError::new(
        400,
        "INVALID_PARAMETERS",
        "Invalid thresholds",
        json!({"invalid": "thresholds"}),
    )
}

fn level(v: &Value, min: i64, max: i64) -> ApiResult<Value> {
    let alert = req_bool(v, "alert").map_err(|_| invalid_thresholds())?;
    let value = req_int(v, "value", min, max).map_err(|_| invalid_thresholds())?;
    Ok(json!({"alert": alert, "value": value}))
}

/// Validates thresholds; with `all`, every key is required, otherwise merged into `cur`.
fn thresholds(v: &Value, cur: &Value, all: bool) -> ApiResult<Value> {
    if !v.is_object() {
        return Err(invalid_thresholds());
    }
    let mut out = cur.as_object().cloned().unwrap_or_default();
    for (k, wmin, wmax, cmax) in LIMITS {
        match v.get(k) {
            None | Some(Value::Null) if all => {
                return Err(ApiError::required(&format!("thresholds.{k}")));
            }
            None | Some(Value::Null) => {}
            Some(t) => {
                let w = level(t.get("warning").unwrap_or(&Value::Null), wmin, wmax)?;
                let c = level(t.get("critical").unwrap_or(&Value::Null), 1, cmax)?;
                if w["value"].as_i64() >= c["value"].as_i64() {
                    return Err(invalid_thresholds());
                }
                out.insert(k.into(), json!({"warning": w, "critical": c}));
            }
        }
    }
    Ok(Value::Object(out))
}

fn port_input(v: &Value) -> ApiResult<Value> {
    Ok(json!({
        "id": new_id(),
        "protocol": req_enum(v, "protocol", &["TCP", "UDP"])?,
        "port": req_int(v, "port", 1, 65535)?,
        "alert_if": req_enum(v, "alert_if", &["RESPONDING", "NOT_RESPONDING"])?,
        "email_notification": req_bool(v, "email_notification")?,
    }))
}

fn process_input(v: &Value) -> ApiResult<Value> {
    Ok(json!({
        "id": new_id(),
        "process": req_str(v, "process", 50)?,
        "alert_if": req_enum(v, "alert_if", &["RUNNING", "NOT_RUNNING"])?,
        "email_notification": req_bool(v, "email_notification")?,
    }))
}

fn no_dup(list: &[Value], key: &str, what: &str) -> ApiResult<()> {
    for (i, a) in list.iter().enumerate() {
        if list[..i]
            .iter()
            .any(|b| b[key] == a[key] && (key != "port" || b["protocol"] == a["protocol"]))
        {
            let v = a[key].to_string().trim_matches('"').to_string();
            return Err(ApiError::invalid(format!("{what} {v} already monitored")));
        }
    }
    Ok(())
}

pub fn create(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let agent = req_bool(&b, "agent")?;
    let email = req_str(&b, "email", 128)?;
    let th = thresholds(req_obj(&b, "thresholds")?, &json!({}), true)?;
    let ports: Vec<Value> = req_array_maybe_empty(&b, "ports")?
        .iter()
        .map(port_input)
        .collect::<ApiResult<_>>()?;
    let processes: Vec<Value> = req_array_maybe_empty(&b, "processes")?
        .iter()
        .map(process_input)
        .collect::<ApiResult<_>>()?;
    no_dup(&ports, "port", "Port")?;
    no_dup(&processes, "process", "Process")?;
    if !processes.is_empty() && !agent {
        return Err(ApiError::not_allowed(
            "Operation not allowed: agent required",
        ));
    }
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let count = c
        .acct
        .coll(Kind::MonitoringPolicy)
        .iter()
        .filter(|r| r.obj["default"] != 1)
        .count()
        + 1;
    if count > MAX_POLICIES {
        return Err(ApiError::tariff_too_high(
            "ngcs.monitoring.policies",
            count as u64,
            MAX_POLICIES as u32,
        ));
    }
    let id = c.acct.insert(
        Kind::MonitoringPolicy,
        obj(json!({
            "id": new_id(), "name": name, "description": description, "default": 0, "state": "ACTIVE",
            "creation_date": date_now(), "email": email, "agent": agent, "servers": [], "thresholds": th,
            "ports": ports, "processes": processes, "cloudpanel_id": format!("mo{}", new_cloudpanel_id()),
        })),
    );
    render_id(c.acct, Kind::MonitoringPolicy, &id)
}

fn editable<'a>(c: &'a Ctx) -> ApiResult<&'a Rec> {
    let r = c.acct.get(Kind::MonitoringPolicy, c.p(0))?;
    if r.obj["default"] == 1 {
        return Err(ApiError::not_allowed(
            "Operation not allowed in default monitoring policy",
        ));
    }
    Ok(r)
}

pub fn update(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let cur = editable(c)?.obj["thresholds"].clone();
    let b = c.body.clone();
    let name = opt_str(&b, "name", 128)?;
    let description = opt_str_allow_empty(&b, "description", 256)?;
    let email = opt_str(&b, "email", 128)?;
    let agent = opt_bool(&b, "agent")?;
    let th = match b.get("thresholds") {
        None | Some(Value::Null) => None,
        Some(t) => Some(thresholds(t, &cur, false)?),
    };
    let r = c.acct.get_mut(Kind::MonitoringPolicy, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    set_opt(r, "email", email);
    if let Some(a) = agent {
        r.obj.insert("agent".into(), json!(a));
    }
    if let Some(t) = th {
        r.obj.insert("thresholds".into(), t);
    }
    touch(c, Kind::MonitoringPolicy, &id);
    render_id(c.acct, Kind::MonitoringPolicy, &id)
}

pub fn delete(c: &mut Ctx) -> ApiResult<Value> {
    editable(c)?;
    super::generic::delete(c, Kind::MonitoringPolicy, "REMOVING", 5.0)
}

fn edit_list(c: &mut Ctx, key: &str, f: impl FnOnce(&mut Vec<Value>)) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get_mut(Kind::MonitoringPolicy, &id)?;
    if let Some(Value::Array(list)) = r.obj.get_mut(key) {
        f(list);
    }
    touch(c, Kind::MonitoringPolicy, &id);
    render_id(c.acct, Kind::MonitoringPolicy, &id)
}

fn item<'a>(r: &'a Rec, key: &str, id: &str) -> Option<&'a Value> {
    r.obj.get(key)?.as_array()?.iter().find(|x| x["id"] == id)
}

fn port_not_found() -> ApiError {
    ApiError::not_found("PORT_NOT_FOUND", "Monitoring policy port does not exist")
}

fn process_not_found() -> ApiError {
    ApiError::not_found(
        "PROCESS_NOT_FOUND",
        "Monitoring policy process does not exist",
    )
}

pub fn add_ports(c: &mut Ctx) -> ApiResult<Value> {
    let r = editable(c)?;
    let mut all = r.obj["ports"].as_array().cloned().unwrap_or_default();
    let new: Vec<Value> = req_array(&c.body, "ports")?
        .iter()
        .map(port_input)
        .collect::<ApiResult<_>>()?;
    all.extend(new.clone());
    no_dup(&all, "port", "Port")?;
    edit_list(c, "ports", |l| l.extend(new))
}

pub fn update_port(c: &mut Ctx) -> ApiResult<Value> {
    let r = editable(c)?;
    let cur = item(r, "ports", c.p(1))
        .cloned()
        .ok_or_else(port_not_found)?;
    let p = port_input(req_obj(&c.body, "ports")?)?;
    if p["protocol"] != cur["protocol"] || p["port"] != cur["port"] {
        return Err(ApiError::invalid(
            "The protocol and port of a monitored port can't be changed",
        ));
    }
    let pid = c.p(1).to_string();
    edit_list(c, "ports", |l| {
        for x in l.iter_mut().filter(|x| x["id"] == pid.as_str()) {
            x["alert_if"] = p["alert_if"].clone();
            x["email_notification"] = p["email_notification"].clone();
        }
    })
}

pub fn delete_port(c: &mut Ctx) -> ApiResult<Value> {
    let r = editable(c)?;
    item(r, "ports", c.p(1)).ok_or_else(port_not_found)?;
    let pid = c.p(1).to_string();
    edit_list(c, "ports", |l| l.retain(|x| x["id"] != pid.as_str()))
}

pub fn add_processes(c: &mut Ctx) -> ApiResult<Value> {
    let r = editable(c)?;
    if r.obj["agent"] != true {
        return Err(ApiError::not_allowed(
            "Operation not allowed: agent required",
        ));
    }
    let mut all = r.obj["processes"].as_array().cloned().unwrap_or_default();
    let new: Vec<Value> = req_array(&c.body, "processes")?
        .iter()
        .map(process_input)
        .collect::<ApiResult<_>>()?;
    all.extend(new.clone());
    no_dup(&all, "process", "Process")?;
    let v = edit_list(c, "processes", |l| l.extend(new))?;
    // The reference's example answers the policy's processes here, not the policy.
    Ok(v["processes"].clone())
}

pub fn update_process(c: &mut Ctx) -> ApiResult<Value> {
    let r = editable(c)?;
    let cur = item(r, "processes", c.p(1))
        .cloned()
        .ok_or_else(process_not_found)?;
    let p = process_input(req_obj(&c.body, "processes")?)?;
    if p["process"] != cur["process"] {
        return Err(ApiError::invalid(
            "The name of a monitored process can't be changed",
        ));
    }
    let pid = c.p(1).to_string();
    edit_list(c, "processes", |l| {
        for x in l.iter_mut().filter(|x| x["id"] == pid.as_str()) {
            x["alert_if"] = p["alert_if"].clone();
            x["email_notification"] = p["email_notification"].clone();
        }
    })
}

pub fn delete_process(c: &mut Ctx) -> ApiResult<Value> {
    let r = editable(c)?;
    item(r, "processes", c.p(1)).ok_or_else(process_not_found)?;
    let pid = c.p(1).to_string();
    edit_list(c, "processes", |l| l.retain(|x| x["id"] != pid.as_str()))
}

pub fn servers(c: &mut Ctx) -> ApiResult<Value> {
    Ok(render_id(c.acct, Kind::MonitoringPolicy, c.p(0))?["servers"].clone())
}

pub fn add_servers(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::MonitoringPolicy, &id)?;
    let ids = req_str_list(&c.body, "servers")?;
    for s in &ids {
        if !c.acct.exists(Kind::Server, s) {
            return Err(ApiError::wrong_value("servers", &json!(s)));
        }
    }
    for s in &ids {
        if let Some(r) = c.acct.find_mut(Kind::Server, s) {
            r.obj.insert("_mp".into(), json!(id));
        }
    }
    touch(c, Kind::MonitoringPolicy, &id);
    render_id(c.acct, Kind::MonitoringPolicy, &id)
}

pub fn server(c: &mut Ctx) -> ApiResult<Value> {
    let v = render_id(c.acct, Kind::MonitoringPolicy, c.p(0))?;
    v["servers"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == c.p(1)))
        .cloned()
        .ok_or_else(|| Kind::Server.not_found())
}

pub fn remove_server(c: &mut Ctx) -> ApiResult<Value> {
    server(c)?;
    let (id, sid) = (c.p(0).to_string(), c.p(1).to_string());
    if let Some(r) = c.acct.find_mut(Kind::Server, &sid) {
        r.obj.insert("_mp".into(), json!(""));
    }
    touch(c, Kind::MonitoringPolicy, &id);
    render_id(c.acct, Kind::MonitoringPolicy, &id)
}

/// A deterministic pseudo-measurement in 0..100 for a server and a moment.
fn sample(seed: &str, t: i64, salt: u8) -> f64 {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(seed.as_bytes());
    h.update(t.to_be_bytes());
    h.update([salt]);
    let d = h.finalize();
    f64::from(u16::from_be_bytes([d[0], d[1]])) / 65535.0 * 100.0
}

fn summary(a: &Account, r: &Rec, c: &Ctx) -> Value {
    let state = Account::state_of(Kind::Server, r);
    let on = state == "POWERED_ON";
    let mp = a.find(Kind::MonitoringPolicy, r.s("_mp"));
    let agent = mp.is_some_and(|m| m.obj["agent"] == true);
    let cpu = if on {
        (sample(r.id(), 0, 1) / 3.0).round()
    } else {
        0.0
    };
    json!({
        "id": r.id(), "name": r.name(),
        "status": {
            "state": state,
            "cpu": {"state": format!("CPU usage: OK - CPU_Total {cpu}% used")},
            "ram": {"state": "OK"}, "disk": {"state": "OK"}, "transfer": {"state": "OK"},
            "internal_ping": {"state": if on { "OK" } else { "CRITICAL" }},
        },
        "alerts": {
            "resources": {"critical": 0, "warning": 0, "ok": 5},
            "ports": {"critical": 0, "warning": 0, "ok": mp.map_or(0, |m| m.obj["ports"].as_array().map_or(0, Vec::len))},
            "process": {"critical": 0, "warning": 0, "ok": mp.map_or(0, |m| m.obj["processes"].as_array().map_or(0, Vec::len))},
        },
        "agent": {"agent_installed": agent, "monitoring_needs_agent": agent, "missing_agent_alert": false},
        "datacenter": r.obj["datacenter"],
        "_now": c.now,
    })
}

pub fn center(c: &mut Ctx) -> ApiResult<Value> {
    let lp = c.list_params()?;
    let items: Vec<Value> = c
        .acct
        .coll(Kind::Server)
        .iter()
        .map(|r| {
            let mut v = summary(c.acct, r, c);
            if let Some(o) = v.as_object_mut() {
                o.remove("_now");
            }
            v
        })
        .collect();
    Ok(Value::Array(lp.apply(items)))
}

pub fn center_server(c: &mut Ctx) -> ApiResult<Value> {
    let r = c.acct.get(Kind::Server, c.p(0))?;
    let (from, to) = period_of(c)?;
    let mut v = summary(c.acct, r, c);
    let on = Account::state_of(Kind::Server, r) == "POWERED_ON";
    let step = ((to - from) / 12).max(60);
    let points: Vec<i64> = (0..12).map(|i| from + i * step).collect();
    let fmt = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    };
    let id = r.id().to_string();
    let pct = |t: i64, salt: u8| {
        if on {
            (sample(&id, t, salt) * 0.6).round()
        } else {
            0.0
        }
    };
    let cpu: Vec<Value> = points
        .iter()
        .map(|t| json!({"date": fmt(*t), "used_percent": pct(*t, 1)}))
        .collect();
    let ram: Vec<Value> = points
        .iter()
        .map(|t| json!({"date": fmt(*t), "used_percent": pct(*t, 2)}))
        .collect();
    let ping: Vec<Value> = points.iter().map(|t| json!({"date": fmt(*t), "pl": 0, "rta": (sample(&id, *t, 3) / 10.0).round() / 10.0})).collect();
    let transfer: Vec<Value> = points.iter().map(|t| json!({"date": fmt(*t), "downstream": pct(*t, 4) as i64 * 10, "upstream": pct(*t, 5) as i64 * 5})).collect();
    if let Some(o) = v.as_object_mut() {
        o.remove("_now");
        let status = o
            .get("status")
            .and_then(|s| s.get("state"))
            .cloned()
            .unwrap_or(Value::Null);
        o.insert("status".into(), json!({"state": status}));
        o.insert("cpu".into(), json!({"critical": 95, "warning": 90, "data": cpu, "unit": {"used_percent": "%"}, "status": "OK"}));
        o.insert("ram".into(), json!({"critical": 95, "warning": 90, "data": ram, "unit": {"used_percent": "%"}, "status": "OK"}));
        o.insert(
            "disk".into(),
            json!({"critical": 90, "warning": 80, "status": "OK"}),
        );
        o.insert("internal_ping".into(), json!({"critical": 100, "warning": 50, "data": ping, "unit": {"pl": "%", "rta": "ms"}, "status": "OK"}));
        o.insert("transfer".into(), json!({"critical": 2000, "warning": 1000, "data": transfer, "unit": {"downstream": "bps", "upstream": "bps"}, "status": "OK"}));
    }
    Ok(v)
}
