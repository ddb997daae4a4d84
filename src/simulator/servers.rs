//! Servers and everything below `/servers/{id}`: hardware, disks, image, IPs,
//! power, DVD, private networks, snapshots and clones.

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::generic::ensure_idle;
use super::network;
use super::render::render_id;
use super::render::servers::{ip_view, lb_refs, server_ips};
use super::state::{
    Account, Kind, Rec, date_in_days, date_now, new_cloudpanel_id, new_id, obj, random_password,
    str_list,
};
use super::validate::*;
use serde_json::{Value, json};

/// Simulated seconds each operation takes at speed 1.
pub mod secs {
    pub const DEPLOY: f64 = 30.0;
    pub const REINSTALL: f64 = 25.0;
    pub const CONFIGURE: f64 = 10.0;
    pub const DVD: f64 = 6.0;
    pub const SNAPSHOT: f64 = 8.0;
    pub const POWER_ON: f64 = 10.0;
    pub const POWER_OFF_SOFT: f64 = 8.0;
    pub const POWER_OFF_HARD: f64 = 3.0;
    pub const REBOOT_SOFT: f64 = 15.0;
    pub const REBOOT_HARD: f64 = 8.0;
    pub const REMOVE: f64 = 10.0;
}

const MAX_HDDS: usize = 8;

/// The state a server returns to after a change: where it was heading, or where it is.
fn steady(r: &Rec) -> String {
    match &r.tr {
        Some(t) if !t.remove => t.to.clone(),
        _ => Account::state_of(Kind::Server, r),
    }
}

fn server<'a>(c: &'a Ctx, id: &str) -> ApiResult<&'a Rec> {
    c.acct.get(Kind::Server, id)
}

/// Starts a transition on a server that must be idle, and answers the server.
fn transition(
    c: &mut Ctx,
    sid: &str,
    state: &str,
    to: Option<&str>,
    dur: f64,
    pct: Option<u8>,
) -> ApiResult<Value> {
    let now = c.now;
    let r = c.acct.get_mut(Kind::Server, sid)?;
    let to = to.map(str::to_string).unwrap_or_else(|| steady(r));
    Account::begin(r, Kind::Server, state, &to, now, dur, pct, false);
    render_id(c.acct, Kind::Server, sid)
}

fn idle_server(c: &Ctx, sid: &str) -> ApiResult<()> {
    ensure_idle(Kind::Server, server(c, sid)?)
}

/// An image usable for installing: a catalogue appliance of type IMAGE/APPLICATION or an own image.
fn installable(c: &Ctx, id: &str) -> Option<(String, u32, Value)> {
    if let Some(a) = c.cat.appliance(id)
        && a["type"] != "ISO"
    {
        let min = a["min_hdd_size"].as_u64().unwrap_or(20) as u32;
        return Some((
            a["name"].as_str().unwrap_or("").to_string(),
            min,
            a["server_type_compatibility"].clone(),
        ));
    }
    c.acct
        .find(Kind::Image, id)
        .filter(|i| i.s("state") == "ACTIVE")
        .map(|i| {
            (
                i.name().to_string(),
                i.obj["min_hdd_size"].as_u64().unwrap_or(20) as u32,
                json!(["cloud"]),
            )
        })
}

fn hdd_input(h: &Value, default_main: bool) -> ApiResult<(f64, bool)> {
    let size = req_num(h, "size", 20.0, 2000.0)?;
    check_step("ngcs.vm.hdd.size", size, 20.0)?;
    let main = opt_bool(h, "is_main")?.unwrap_or(default_main);
    Ok((size, main))
}

fn hdd_obj(size: f64, main: bool) -> Value {
    json!({"id": new_id(), "size": size as i64, "is_main": main})
}

/// Validates the hardware of a create request: one of model, fixed size or custom values.
fn hardware_input(c: &Ctx, b: &Value, server_type: &str) -> ApiResult<Value> {
    let hw = req_obj(b, "hardware")?;
    if server_type == "baremetal" {
        let id = req_str(hw, "baremetal_model_id", 64)?;
        let m = c
            .cat
            .model(&id)
            .ok_or_else(|| ApiError::wrong_value("baremetal_model_id", &json!(id)))?;
        let h = &m["hardware"];
        let hdds: Vec<Value> = h["hdds"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|d| hdd_obj(d["size"].as_f64().unwrap_or(800.0), true))
                    .collect()
            })
            .unwrap_or_default();
        return Ok(
            json!({"baremetal_model_id": id, "fixed_instance_size_id": null, "vcore": h["core"], "cores_per_processor": h["cores_per_processor"], "ram": h["ram"], "hdds": hdds}),
        );
    }
    if let Some(id) = opt_str(hw, "fixed_instance_size_id", 64)? {
        let s = c
            .cat
            .fixed_size(&id)
            .ok_or_else(|| ApiError::wrong_value("fixed_instance_size_id", &json!(id)))?;
        let h = &s["hardware"];
        let hdds: Vec<Value> = h["hdds"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|d| {
                        hdd_obj(
                            d["size"].as_f64().unwrap_or(40.0),
                            d["is_main"].as_bool().unwrap_or(true),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Ok(
            json!({"baremetal_model_id": null, "fixed_instance_size_id": id, "vcore": h["vcore"], "cores_per_processor": h["cores_per_processor"], "ram": h["ram"], "hdds": hdds}),
        );
    }
    let vcore = req_int(hw, "vcore", 1, 16)?;
    let cpp = req_int(hw, "cores_per_processor", 1, 16)?;
    let ram = req_num(hw, "ram", 1.0, 128.0)?;
    check_ram(ram)?;
    if cpp > vcore {
        return Err(ApiError::invalid(
            "Cores per processor cannot be greater than the number of vCPUs",
        ));
    }
    let list = req_array(hw, "hdds")?;
    if list.len() > MAX_HDDS {
        return Err(ApiError::tariff_too_high(
            "ngcs.vm.hdd",
            list.len() as u64,
            MAX_HDDS as u32,
        ));
    }
    let mut hdds = Vec::new();
    for (i, h) in list.iter().enumerate() {
        let (size, main) = hdd_input(h, false)?;
        if i == 0 && !main {
            return Err(ApiError::invalid("First HDD must be main HDD"));
        }
        if i > 0 && main {
            return Err(ApiError::invalid("Only the first HDD can be the main HDD"));
        }
        hdds.push(hdd_obj(size, main));
    }
    Ok(
        json!({"baremetal_model_id": null, "fixed_instance_size_id": null, "vcore": vcore, "cores_per_processor": cpp, "ram": crate::simulator::errors::num(ram), "hdds": hdds}),
    )
}

fn check_ram(ram: f64) -> ApiResult<()> {
    if (ram * 2.0).fract() != 0.0 {
        return Err(ApiError::wrong_value("ram", &json!(ram)));
    }
    Ok(())
}

fn main_hdd_size(hw: &Value) -> f64 {
    hw["hdds"]
        .as_array()
        .and_then(|h| h.iter().find(|d| d["is_main"] == true))
        .and_then(|d| d["size"].as_f64())
        .unwrap_or(0.0)
}

pub fn create(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let server_type =
        opt_enum(&b, "server_type", &["cloud", "baremetal"])?.unwrap_or_else(|| "cloud".into());
    let hardware = hardware_input(c, &b, &server_type)?;
    let appliance_id = req_str(&b, "appliance_id", 64)?;
    let (image_name, min_hdd, compat) = installable(c, &appliance_id)
        .ok_or_else(|| ApiError::wrong_value("appliance_id", &json!(appliance_id)))?;
    if !compat
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == server_type.as_str()))
    {
        return Err(ApiError::invalid(format!(
            "The appliance is not compatible with {server_type} servers"
        )));
    }
    if main_hdd_size(&hardware) < f64::from(min_hdd) {
        return Err(ApiError::invalid(format!(
            "The main HDD must be at least {min_hdd} GB for this appliance"
        )));
    }
    let dc = c.cat.body_dc(&b)?;
    let password = opt_len_str(&b, "password", 8, 64)?;
    let ssh_password = opt_bool(&b, "ssh_password")?.unwrap_or(true);
    let power_on = opt_bool(&b, "power_on")?.unwrap_or(true);
    let keys = opt_str_list(&b, "public_key")?.unwrap_or_default();
    for k in &keys {
        if !c.acct.exists(Kind::SshKey, k) {
            return Err(ApiError::wrong_value("public_key", &json!(k)));
        }
    }
    opt_str(&b, "rsa_key", 4096)?;
    if opt_str(&b, "user_data", 65_536)?.is_some() {
        req_enum(&b, "user_data_content_type", &["sh", "yaml", "txt", "cdm"])?;
    } else {
        opt_enum(&b, "user_data_content_type", &["sh", "yaml", "txt", "cdm"])?;
    }
    let firewall = match b.get("firewall_policy_id") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64() == Some(0) => Some(String::new()),
        Some(Value::String(s)) if s == "0" => Some(String::new()),
        Some(v @ Value::String(s)) => {
            if !c.acct.exists(Kind::Firewall, s) {
                return Err(ApiError::wrong_value("firewall_policy_id", v));
            }
            Some(s.clone())
        }
        Some(v) => return Err(ApiError::wrong_value("firewall_policy_id", v)),
    };
    let ip_id = opt_str(&b, "ip_id", 64)?;
    if let Some(ip) = &ip_id {
        let r = c
            .acct
            .find(Kind::PublicIp, ip)
            .ok_or_else(|| ApiError::wrong_value("ip_id", &json!(ip)))?;
        if !r.s("_server").is_empty() || !r.s("_lb_owner").is_empty() {
            return Err(ApiError::invalid("The IP is already assigned"));
        }
    }
    let lb = opt_str(&b, "load_balancer_id", 64)?;
    if let Some(l) = &lb
        && !c.acct.exists(Kind::LoadBalancer, l)
    {
        return Err(ApiError::wrong_value("load_balancer_id", &json!(l)));
    }
    let mp = opt_str(&b, "monitoring_policy_id", 64)?;
    if let Some(m) = &mp
        && !c.acct.exists(Kind::MonitoringPolicy, m)
    {
        return Err(ApiError::wrong_value("monitoring_policy_id", &json!(m)));
    }

    let id = new_id();
    let o = obj(json!({
        "id": id, "cloudpanel_id": new_cloudpanel_id(), "name": name, "description": description,
        "server_type": server_type, "datacenter": dc, "creation_date": date_now(),
        "first_password": password.unwrap_or_else(random_password), "ssh_password": ssh_password,
        "status": {"state": "DEPLOYING", "percent": 20}, "hardware": hardware,
        "image": {"id": appliance_id, "name": image_name}, "dvd": null, "snapshot": null,
        "ips": [], "alerts": null, "monitoring_policy": null, "private_networks": [],
        "_pns": [], "_mp": mp.unwrap_or_default(), "_keys": keys,
    }));
    c.acct.insert(Kind::Server, o);
    let fw = match firewall {
        Some(f) => f,
        None => network::default_firewall(c.acct, c.now),
    };
    let ip = match ip_id {
        Some(ip) => ip,
        None => network::new_ip(c.acct, dc.clone()),
    };
    network::assign_ip(c.acct, &ip, &id, &fw, true);
    if let Some(l) = lb
        && let Some(r) = c.acct.find_mut(Kind::PublicIp, &ip)
    {
        r.obj.insert("_lbs".into(), json!([l]));
    }
    let to = if power_on {
        "POWERED_ON"
    } else {
        "POWERED_OFF"
    };
    transition(c, &id, "DEPLOYING", Some(to), secs::DEPLOY, Some(20))
}

pub fn update(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    server(c, &sid)?;
    let name = req_str(&c.body, "name", 128)?;
    let description = match opt_str_allow_empty(&c.body, "description", 256)? {
        Some(d) => d,
        None => return Err(ApiError::required("description")),
    };
    let r = c.acct.get_mut(Kind::Server, &sid)?;
    r.obj.insert("name".into(), json!(name));
    r.obj.insert("description".into(), json!(description));
    render_id(c.acct, Kind::Server, &sid)
}

pub fn delete(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    let r = server(c, &sid)?;
    if r.tr.as_ref().is_some_and(|t| t.remove) {
        return Err(ApiError::invalid_state(
            "Server",
            &sid,
            "REMOVING",
            "The server is already being removed",
        ));
    }
    let keep = c.query("keep_ip").is_some_and(|v| v == "true")
        || opt_bool(&c.body, "keep_ip")?.unwrap_or(false);
    let shown = transition(c, &sid, "REMOVING", Some(""), secs::REMOVE, Some(25))?;
    if let Some(t) = c
        .acct
        .find_mut(Kind::Server, &sid)
        .and_then(|r| r.tr.as_mut())
    {
        t.remove = true;
    }
    let ips: Vec<String> = server_ips(c.acct, &sid)
        .map(|r| r.id().to_string())
        .collect();
    for ip in ips {
        network::release_ip(c.acct, &ip, !keep);
    }
    for k in [Kind::BlockStorage] {
        for r in c
            .acct
            .coll_mut(k)
            .iter_mut()
            .filter(|r| r.s("_server") == sid)
        {
            r.obj.insert("_server".into(), json!(""));
        }
    }
    Ok(shown)
}

pub fn hardware(c: &mut Ctx) -> ApiResult<Value> {
    Ok(server(c, c.p(0))?.obj["hardware"].clone())
}

pub fn resize(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    idle_server(c, &sid)?;
    let r = server(c, &sid)?;
    if r.obj["server_type"] == "baremetal" {
        return Err(ApiError::invalid("Baremetal servers cannot be resized"));
    }
    let off = Account::state_of(Kind::Server, r) == "POWERED_OFF";
    let cur = r.obj["hardware"].clone();
    let b = c.body.clone();
    let (vcore, cpp, ram, fixed, new_main) = if let Some(id) =
        opt_str(&b, "fixed_instance_size_id", 64)?
    {
        let s = c
            .cat
            .fixed_size(&id)
            .ok_or_else(|| ApiError::wrong_value("fixed_instance_size_id", &json!(id)))?;
        let h = &s["hardware"];
        let main = h["hdds"][0]["size"].as_f64().unwrap_or(0.0);
        if main < main_hdd_size(&cur) {
            return Err(ApiError::invalid(
                "It is not possible to resize to a fixed instance with a smaller SSD than the current one",
            ));
        }
        (
            h["vcore"].as_i64().unwrap_or(1),
            h["cores_per_processor"].as_i64().unwrap_or(1),
            h["ram"].as_f64().unwrap_or(1.0),
            Some(id),
            Some(main),
        )
    } else {
        let vcore = req_int(&b, "vcore", 1, 16)?;
        let cpp = req_int(&b, "cores_per_processor", 1, 16)?;
        let ram = req_num(&b, "ram", 1.0, 128.0)?;
        check_ram(ram)?;
        (vcore, cpp, ram, None, None)
    };
    if cpp > vcore {
        return Err(ApiError::invalid(
            "Cores per processor cannot be greater than the number of vCPUs",
        ));
    }
    if cpp != 1 && cpp != vcore && cpp % 2 != 0 {
        return Err(ApiError::invalid(
            "Valid values for cores per processor are 1, an even number and the total amount of cores",
        ));
    }
    let cur_v = cur["vcore"].as_i64().unwrap_or(1);
    let cur_c = cur["cores_per_processor"].as_i64().unwrap_or(1);
    let cur_r = cur["ram"].as_f64().unwrap_or(1.0);
    if !off && (vcore < cur_v || ram < cur_r || cpp != cur_c) {
        return Err(ApiError::invalid(
            "Decreasing vcore or ram, or changing cores per processor, is only possible while the server is powered off",
        ));
    }
    let r = c.acct.get_mut(Kind::Server, &sid)?;
    if let Some(hw) = r.obj.get_mut("hardware").and_then(Value::as_object_mut) {
        hw.insert("vcore".into(), json!(vcore));
        hw.insert("cores_per_processor".into(), json!(cpp));
        hw.insert("ram".into(), crate::simulator::errors::num(ram));
        hw.insert("fixed_instance_size_id".into(), json!(fixed));
        if let (Some(size), Some(Value::Array(hdds))) = (new_main, hw.get_mut("hdds")) {
            for h in hdds.iter_mut().filter(|h| h["is_main"] == true) {
                h["size"] = json!(size as i64);
            }
        }
    }
    transition(c, &sid, "CONFIGURING", None, secs::CONFIGURE, Some(10))
}

pub fn hdds(c: &mut Ctx) -> ApiResult<Value> {
    Ok(server(c, c.p(0))?.obj["hardware"]["hdds"].clone())
}

fn find_hdd(c: &Ctx) -> ApiResult<Value> {
    let r = server(c, c.p(0))?;
    r.obj["hardware"]["hdds"]
        .as_array()
        .and_then(|a| a.iter().find(|h| h["id"] == c.p(1)))
        .cloned()
        .ok_or_else(|| ApiError::not_found("HDDS_NOT_FOUND", "Hard disk SSD not found"))
}

pub fn hdd(c: &mut Ctx) -> ApiResult<Value> {
    find_hdd(c)
}

fn with_hdds(c: &mut Ctx, f: impl FnOnce(&mut Vec<Value>)) -> ApiResult<()> {
    let r = c.acct.get_mut(
        Kind::Server,
        c.params.first().map(String::as_str).unwrap_or(""),
    )?;
    if let Some(Value::Array(h)) = r.obj.get_mut("hardware").and_then(|hw| hw.get_mut("hdds")) {
        f(h);
    }
    Ok(())
}

pub fn add_hdds(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    idle_server(c, &sid)?;
    let list = req_array(&c.body, "hdds")?.clone();
    let count = server(c, &sid)?.obj["hardware"]["hdds"]
        .as_array()
        .map_or(0, Vec::len);
    if count + list.len() > MAX_HDDS {
        return Err(ApiError::tariff_too_high(
            "ngcs.vm.hdd",
            (count + list.len()) as u64,
            MAX_HDDS as u32,
        ));
    }
    let mut new = Vec::new();
    for h in &list {
        // The reference defaults is_main to true, but a server has one main disk:
        // added disks are always secondary.
        let (size, _) = hdd_input(h, false)?;
        new.push(hdd_obj(size, false));
    }
    with_hdds(c, |h| h.extend(new))?;
    c.acct.get_mut(Kind::Server, &sid)?.obj["hardware"]["fixed_instance_size_id"] = Value::Null;
    transition(c, &sid, "CONFIGURING", None, secs::CONFIGURE, Some(10))
}

pub fn resize_hdd(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    let hid = c.p(1).to_string();
    let cur = find_hdd(c)?;
    idle_server(c, &sid)?;
    let size = req_num(&c.body, "size", 20.0, 2000.0)?;
    check_step("ngcs.vm.hdd.size", size, 20.0)?;
    if size < cur["size"].as_f64().unwrap_or(0.0) {
        return Err(ApiError::invalid(
            "The size of a hard disk cannot be decreased",
        ));
    }
    with_hdds(c, |h| {
        for d in h.iter_mut().filter(|d| d["id"] == hid.as_str()) {
            d["size"] = json!(size as i64);
        }
    })?;
    c.acct.get_mut(Kind::Server, &sid)?.obj["hardware"]["fixed_instance_size_id"] = Value::Null;
    transition(c, &sid, "CONFIGURING", None, secs::CONFIGURE, Some(10))
}

pub fn remove_hdd(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    let hid = c.p(1).to_string();
    let cur = find_hdd(c)?;
    idle_server(c, &sid)?;
    if cur["is_main"] == true {
        return Err(ApiError::invalid("The main hard disk cannot be removed"));
    }
    with_hdds(c, |h| h.retain(|d| d["id"] != hid.as_str()))?;
    c.acct.get_mut(Kind::Server, &sid)?.obj["hardware"]["fixed_instance_size_id"] = Value::Null;
    transition(c, &sid, "CONFIGURING", None, secs::CONFIGURE, Some(10))
}

pub fn image(c: &mut Ctx) -> ApiResult<Value> {
    Ok(server(c, c.p(0))?.obj["image"].clone())
}

pub fn reinstall(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    idle_server(c, &sid)?;
    let b = c.body.clone();
    let id = req_str(&b, "id", 64)?;
    let (name, min_hdd, _) =
        installable(c, &id).ok_or_else(|| ApiError::wrong_value("id", &json!(id)))?;
    let password = opt_len_str(&b, "password", 8, 64)?;
    let ssh_password = opt_bool(&b, "ssh_password")?;
    let keys = opt_str_list(&b, "public_key")?;
    for k in keys.iter().flatten() {
        if !c.acct.exists(Kind::SshKey, k) {
            return Err(ApiError::wrong_value("public_key", &json!(k)));
        }
    }
    opt_str(&b, "rsa_key", 4096)?;
    if main_hdd_size(&server(c, &sid)?.obj["hardware"]) < f64::from(min_hdd) {
        return Err(ApiError::invalid(format!(
            "The main HDD must be at least {min_hdd} GB for this image"
        )));
    }
    let r = c.acct.get_mut(Kind::Server, &sid)?;
    r.obj
        .insert("image".into(), json!({"id": id, "name": name}));
    r.obj.insert(
        "first_password".into(),
        json!(password.unwrap_or_else(random_password)),
    );
    if let Some(s) = ssh_password {
        r.obj.insert("ssh_password".into(), json!(s));
    }
    if let Some(k) = keys {
        r.obj.insert("_keys".into(), json!(k));
    }
    transition(
        c,
        &sid,
        "DEPLOYING",
        Some("POWERED_ON"),
        secs::REINSTALL,
        Some(15),
    )
}

pub fn ips(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0);
    server(c, sid)?;
    Ok(Value::Array(
        server_ips(c.acct, sid)
            .map(|ip| {
                let mut v = ip_view(c.acct, ip);
                if let Some(o) = v.as_object_mut() {
                    o.remove("main");
                }
                v
            })
            .collect(),
    ))
}

fn server_ip<'a>(c: &'a Ctx) -> ApiResult<&'a Rec> {
    server(c, c.p(0))?;
    c.acct
        .find(Kind::PublicIp, c.p(1))
        .filter(|ip| ip.s("_server") == c.p(0))
        .ok_or_else(|| ApiError::not_found("IP_NOT_FOUND", "Public IP not found"))
}

pub fn ip(c: &mut Ctx) -> ApiResult<Value> {
    let ip = server_ip(c)?;
    let mut v = ip_view(c.acct, ip);
    if let Some(o) = v.as_object_mut() {
        o.remove("main");
    }
    Ok(v)
}

pub fn add_ip(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    let r = server(c, &sid)?;
    let dc = r.obj["datacenter"].clone();
    // The reference's example sends `type`; the schema says `type_ip`.
    let body = if c.body.get("type_ip").is_none() && c.body.get("type").is_some() {
        json!({"type_ip": c.body["type"]})
    } else {
        c.body.clone()
    };
    let ty = opt_enum(&body, "type_ip", &["IPV4", "IPV6"])?.unwrap_or_else(|| "IPV4".into());
    if ty != "IPV4" {
        return Err(ApiError::invalid("Invalid type. Only IPV4 allowed"));
    }
    let main_fw = server_ips(c.acct, &sid)
        .find(|ip| ip.obj.get("_main").and_then(Value::as_bool) == Some(true))
        .map(|ip| ip.s("_fw").to_string())
        .filter(|f| !f.is_empty());
    let fw = match main_fw {
        Some(f) => f,
        None => network::default_firewall(c.acct, c.now),
    };
    let ip = network::new_ip(c.acct, dc);
    network::assign_ip(c.acct, &ip, &sid, &fw, false);
    render_id(c.acct, Kind::Server, &sid)
}

pub fn remove_ip(c: &mut Ctx) -> ApiResult<Value> {
    let ipid = server_ip(c)?.id().to_string();
    let keep = opt_bool(&c.body, "keep_ip")?.unwrap_or(false) || c.query("keep_ip") == Some("true");
    network::release_ip(c.acct, &ipid, !keep);
    render_id(c.acct, Kind::Server, c.p(0))
}

pub fn ip_firewall(c: &mut Ctx) -> ApiResult<Value> {
    let ip = server_ip(c)?;
    c.acct
        .id_name(Kind::Firewall, ip.s("_fw"))
        .ok_or_else(|| Kind::Firewall.not_found())
}

pub fn set_ip_firewall(c: &mut Ctx) -> ApiResult<Value> {
    let ipid = server_ip(c)?.id().to_string();
    let fw = req_str(&c.body, "id", 64)?;
    if !c.acct.exists(Kind::Firewall, &fw) {
        return Err(ApiError::wrong_value("id", &json!(fw)));
    }
    if let Some(r) = c.acct.find_mut(Kind::PublicIp, &ipid) {
        r.obj.insert("_fw".into(), json!(fw));
    }
    network::touch(c, Kind::Firewall, &fw);
    render_id(c.acct, Kind::Server, c.p(0))
}

pub fn ip_load_balancers(c: &mut Ctx) -> ApiResult<Value> {
    let ip = server_ip(c)?;
    Ok(lb_refs(c.acct, ip))
}

pub fn add_ip_load_balancer(c: &mut Ctx) -> ApiResult<Value> {
    let ipid = server_ip(c)?.id().to_string();
    let lb = req_str(&c.body, "load_balancer_id", 64)?;
    if !c.acct.exists(Kind::LoadBalancer, &lb) {
        return Err(ApiError::wrong_value("load_balancer_id", &json!(lb)));
    }
    network::link_lb(c.acct, &ipid, &lb, true);
    network::touch(c, Kind::LoadBalancer, &lb);
    render_id(c.acct, Kind::Server, c.p(0))
}

pub fn remove_ip_load_balancer(c: &mut Ctx) -> ApiResult<Value> {
    let ip = server_ip(c)?;
    let lb = c.p(2).to_string();
    if !str_list(ip.obj.get("_lbs")).contains(&lb) || !c.acct.exists(Kind::LoadBalancer, &lb) {
        return Err(ApiError::not_found(
            "LOAD_BALANCER_NOT_FOUND",
            "Load balancer not found",
        ));
    }
    let ipid = ip.id().to_string();
    network::link_lb(c.acct, &ipid, &lb, false);
    network::touch(c, Kind::LoadBalancer, &lb);
    render_id(c.acct, Kind::Server, c.p(0))
}

pub fn status(c: &mut Ctx) -> ApiResult<Value> {
    Ok(server(c, c.p(0))?.obj["status"].clone())
}

pub fn action(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    let r = server(c, &sid)?;
    let b = c.body.clone();
    let action = match b.get("action") {
        None | Some(Value::Null) => return Err(ApiError::required("action")),
        Some(Value::String(a)) if ["POWER_ON", "POWER_OFF", "REBOOT"].contains(&a.as_str()) => {
            a.clone()
        }
        Some(_) => {
            return Err(ApiError::validation(
                "Invalid action. Valid actions are POWER_ON, POWER_OFF and REBOOT.",
            ));
        }
    };
    let method = opt_enum(&b, "method", &["SOFTWARE", "HARDWARE"])?;
    let cloud = r.obj["server_type"] != "baremetal";
    if method.is_none() && cloud && action != "POWER_ON" {
        return Err(ApiError::required("method"));
    }
    let recovery = opt_bool(&b, "recovery_mode")?.unwrap_or(false);
    if recovery {
        let img = req_str(&b, "recovery_image_id", 64)?;
        if c.cat.recovery(&img).is_none() {
            return Err(ApiError::wrong_value("recovery_image_id", &json!(img)));
        }
    }
    ensure_idle(Kind::Server, r)?;
    let state = Account::state_of(Kind::Server, r);
    let hard = method.as_deref() == Some("HARDWARE");
    match (action.as_str(), state.as_str()) {
        ("POWER_ON", "POWERED_ON") => Err(ApiError::validation("The server is already powered on")),
        ("POWER_OFF" | "REBOOT", "POWERED_OFF") => {
            Err(ApiError::validation("The server is powered off"))
        }
        ("POWER_ON", _) => transition(
            c,
            &sid,
            "POWERING_ON",
            Some("POWERED_ON"),
            secs::POWER_ON,
            None,
        ),
        ("POWER_OFF", _) => {
            let d = if hard {
                secs::POWER_OFF_HARD
            } else {
                secs::POWER_OFF_SOFT
            };
            transition(c, &sid, "POWERING_OFF", Some("POWERED_OFF"), d, None)
        }
        _ => {
            let d = if hard {
                secs::REBOOT_HARD
            } else {
                secs::REBOOT_SOFT
            };
            transition(c, &sid, "REBOOTING", Some("POWERED_ON"), d, None)
        }
    }
}

pub fn dvd(c: &mut Ctx) -> ApiResult<Value> {
    let r = server(c, c.p(0))?;
    match &r.obj["dvd"] {
        Value::Null => Err(ApiError::not_found(
            "ISO_NOT_FOUND",
            "No DVD is loaded in this server",
        )),
        v => Ok(v.clone()),
    }
}

pub fn load_dvd(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    idle_server(c, &sid)?;
    let id = req_str(&c.body, "id", 64)?;
    let iso = c
        .cat
        .iso(&id)
        .ok_or_else(|| ApiError::wrong_value("id", &json!(id)))?;
    let v = json!({"id": id, "name": iso["name"]});
    c.acct
        .get_mut(Kind::Server, &sid)?
        .obj
        .insert("dvd".into(), v);
    transition(c, &sid, "CONFIGURING", None, secs::DVD, Some(50))
}

pub fn eject_dvd(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    dvd(c)?;
    idle_server(c, &sid)?;
    c.acct
        .get_mut(Kind::Server, &sid)?
        .obj
        .insert("dvd".into(), Value::Null);
    transition(c, &sid, "CONFIGURING", None, secs::DVD, Some(50))
}

pub fn private_networks(c: &mut Ctx) -> ApiResult<Value> {
    let r = server(c, c.p(0))?;
    Ok(Value::Array(
        str_list(r.obj.get("_pns"))
            .iter()
            .filter_map(|id| c.acct.id_name(Kind::PrivateNetwork, id))
            .collect(),
    ))
}

pub fn add_private_network(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    server(c, &sid)?;
    let pn = req_str(&c.body, "id", 64)?;
    network::attach_pn(c, &pn, &sid, "id")?;
    render_id(c.acct, Kind::Server, &sid)
}

fn attached_pn(c: &Ctx) -> ApiResult<String> {
    let r = server(c, c.p(0))?;
    let pn = c.p(1).to_string();
    if !str_list(r.obj.get("_pns")).contains(&pn) || !c.acct.exists(Kind::PrivateNetwork, &pn) {
        return Err(ApiError::not_found(
            "NETWORK_NOT_FOUND",
            "Private network not found",
        ));
    }
    Ok(pn)
}

pub fn private_network(c: &mut Ctx) -> ApiResult<Value> {
    let pn = attached_pn(c)?;
    render_id(c.acct, Kind::PrivateNetwork, &pn)
}

pub fn remove_private_network(c: &mut Ctx) -> ApiResult<Value> {
    let pn = attached_pn(c)?;
    let sid = c.p(0).to_string();
    network::detach_pn(c, &pn, &sid);
    render_id(c.acct, Kind::Server, &sid)
}

pub fn snapshots(c: &mut Ctx) -> ApiResult<Value> {
    let r = server(c, c.p(0))?;
    Ok(match &r.obj["snapshot"] {
        Value::Null => json!([]),
        s => json!([s]),
    })
}

pub fn create_snapshot(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    idle_server(c, &sid)?;
    if !server(c, &sid)?.obj["snapshot"].is_null() {
        return Err(ApiError::tariff_too_high("ngcs.servers.snapshots", 2, 1));
    }
    let snap =
        json!({"id": new_id(), "creation_date": date_now(), "deletion_date": date_in_days(3)});
    c.acct
        .get_mut(Kind::Server, &sid)?
        .obj
        .insert("snapshot".into(), snap);
    transition(c, &sid, "CONFIGURING", None, secs::SNAPSHOT, None)
}

fn own_snapshot(c: &Ctx) -> ApiResult<()> {
    let r = server(c, c.p(0))?;
    if r.obj["snapshot"]["id"] != c.p(1) {
        return Err(ApiError::not_found(
            "SNAPSHOT_NOT_FOUND",
            "Snapshot not found",
        ));
    }
    Ok(())
}

pub fn restore_snapshot(c: &mut Ctx) -> ApiResult<Value> {
    own_snapshot(c)?;
    let sid = c.p(0).to_string();
    idle_server(c, &sid)?;
    transition(c, &sid, "CONFIGURING", None, secs::SNAPSHOT, None)
}

pub fn delete_snapshot(c: &mut Ctx) -> ApiResult<Value> {
    own_snapshot(c)?;
    let sid = c.p(0).to_string();
    idle_server(c, &sid)?;
    c.acct
        .get_mut(Kind::Server, &sid)?
        .obj
        .insert("snapshot".into(), Value::Null);
    transition(c, &sid, "CONFIGURING", None, secs::SNAPSHOT, None)
}

pub fn clone(c: &mut Ctx) -> ApiResult<Value> {
    let sid = c.p(0).to_string();
    let src = server(c, &sid)?.clone();
    let name = req_str(&c.body, "name", 128)?;
    let dc = match c.body.get("datacenter_id") {
        None | Some(Value::Null) => src.obj["datacenter"].clone(),
        _ => c.cat.body_dc(&c.body)?,
    };
    ensure_idle(Kind::Server, &src)?;
    let mut o = src.obj.clone();
    let id = new_id();
    let mut hw = o.get("hardware").cloned().unwrap_or(Value::Null);
    if let Some(Value::Array(h)) = hw.get_mut("hdds") {
        for d in h.iter_mut() {
            d["id"] = json!(new_id());
        }
    }
    for (k, v) in [
        ("id", json!(id)),
        ("cloudpanel_id", json!(new_cloudpanel_id())),
        ("name", json!(name)),
        ("datacenter", dc.clone()),
        ("creation_date", json!(date_now())),
        ("hardware", hw),
        ("snapshot", Value::Null),
        ("dvd", Value::Null),
        ("_pns", json!([])),
    ] {
        o.insert(k.into(), v);
    }
    c.acct.insert(Kind::Server, o);
    let fw = network::default_firewall(c.acct, c.now);
    let ip = network::new_ip(c.acct, dc);
    network::assign_ip(c.acct, &ip, &id, &fw, true);
    transition(
        c,
        &id,
        "DEPLOYING",
        Some("POWERED_ON"),
        secs::DEPLOY,
        Some(0),
    )
}
