//! Images, block storages and shared storages (with their access credentials).

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::generic::ensure_idle;
use super::network::set_opt;
use super::render::render_id;
use super::state::{Account, Kind, date_now, new_cloudpanel_id, new_id, obj};
use super::validate::*;
use serde_json::{Value, json};

const MAX_BLOCK: usize = 10;
const MAX_SHARED: usize = 10;

fn begin(c: &mut Ctx, k: Kind, id: &str, state: &str, to: &str, dur: f64) {
    let now = c.now;
    if let Some(r) = c.acct.find_mut(k, id) {
        Account::begin(r, k, state, to, now, dur, None, false);
    }
}

// ---- images ----

pub fn create_image(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let sid = req_str(&b, "server_id", 64)?;
    let name = req_str(&b, "name", 128)?;
    let frequency = req_enum(&b, "frequency", &["ONCE", "DAILY", "WEEKLY"])?;
    let num = match opt_num(&b, "num_images", f64::MIN, f64::MAX)? {
        Some(n) if !(1.0..=50.0).contains(&n) || n.fract() != 0.0 => {
            return Err(ApiError::invalid(
                "Number of images must be between 1 and 50",
            ));
        }
        Some(n) => Some(n as i64),
        None if frequency != "ONCE" => return Err(ApiError::required("num_images")),
        None => None,
    };
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let source =
        opt_enum(&b, "source", &["server", "image", "iso"])?.unwrap_or_else(|| "server".into());
    if source != "server" {
        opt_str(&b, "url", 2048)?.ok_or_else(|| ApiError::required("url"))?;
    }
    if source == "iso" {
        req_enum(&b, "type", &["os", "app"])?;
    }
    let dc = c.cat.body_dc(&b)?;
    let server = c
        .acct
        .find(Kind::Server, &sid)
        .ok_or_else(|| ApiError::wrong_value("server_id", &json!(sid)))?;
    let state = Account::state_of(Kind::Server, server);
    if state == "DEPLOYING" || state == "REMOVING" {
        return Err(ApiError::invalid_state(
            "Server",
            &sid,
            &state,
            format!("Appliance cannot be created when VM is in state: {state}"),
        ));
    }
    let appliance = c
        .cat
        .appliance(server.obj["image"]["id"].as_str().unwrap_or(""))
        .cloned()
        .unwrap_or(Value::Null);
    let hdds = server.obj["hardware"]["hdds"].clone();
    let min = hdds
        .as_array()
        .and_then(|h| h.iter().find(|d| d["is_main"] == true))
        .map(|d| d["size"].clone())
        .unwrap_or(json!(20));
    let suffix = chrono::Utc::now().format("%Y%m%d");
    let arch = appliance
        .get("os_architecture")
        .cloned()
        .unwrap_or(json!(64));
    let o = obj(json!({
        "id": new_id(), "name": format!("{name}_{suffix}"), "datacenter": dc,
        "os_family": appliance.get("os_family").cloned().unwrap_or(json!("Linux")),
        "os": appliance.get("os").cloned().unwrap_or(json!("Linux")),
        "os_version": appliance.get("os_version").cloned().unwrap_or(Value::Null),
        "os_architecture": arch, "architecture": arch, "os_image_type": "Personal", "type": "MY_IMAGE",
        "min_hdd_size": min, "licenses": appliance.get("licenses").cloned().unwrap_or(json!([])),
        "cloudpanel_id": format!("im{}", new_cloudpanel_id()), "state": "DEPLOYING", "description": description,
        "hdds": hdds, "server_id": sid, "frequency": frequency, "num_images": num, "creation_date": date_now(),
    }));
    let id = c.acct.insert(Kind::Image, o);
    begin(c, Kind::Image, &id, "DEPLOYING", "ACTIVE", 20.0);
    render_id(c.acct, Kind::Image, &id)
}

pub fn update_image(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get(Kind::Image, &id)?;
    let state = r.s("state").to_string();
    let name = opt_str(&c.body, "name", 128)?;
    let description = opt_str_allow_empty(&c.body, "description", 256)?;
    let frequency = match c.body.get("frequency") {
        None | Some(Value::Null) => None,
        Some(Value::String(f)) if f == "ONCE" => Some(f.clone()),
        Some(_) => return Err(ApiError::invalid("Invalid frequency. Only ONCE allowed")),
    };
    if frequency.is_some() && state == "DEPLOYING" {
        return Err(ApiError::invalid_state(
            "Image",
            &id,
            &state,
            "Cannot change frequency while deploying",
        ));
    }
    let r = c.acct.get_mut(Kind::Image, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    set_opt(r, "frequency", frequency);
    render_id(c.acct, Kind::Image, &id)
}

pub fn delete_image(c: &mut Ctx) -> ApiResult<Value> {
    let r = c.acct.get(Kind::Image, c.p(0))?;
    if r.s("state") == "DEPLOYING" {
        return Err(ApiError::invalid_state(
            "Image",
            r.id(),
            "DEPLOYING",
            "Cannot delete while deploying",
        ));
    }
    super::generic::delete(c, Kind::Image, "REMOVING", 6.0)
}

// ---- block storages ----

fn block_size(b: &Value, required: bool) -> ApiResult<Option<f64>> {
    let size = if required {
        Some(req_num(b, "size", 20.0, 500.0)?)
    } else {
        opt_num(b, "size", 20.0, 500.0)?
    };
    if let Some(s) = size {
        check_step("ngcs.blockstorage.size", s, 10.0)?;
    }
    Ok(size)
}

pub fn create_block(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let size = block_size(&b, true)?.unwrap_or(20.0);
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let dc = c.cat.body_dc(&b)?;
    let server = opt_str(&b, "server_id", 64)?;
    if let Some(s) = &server
        && !c.acct.exists(Kind::Server, s)
    {
        return Err(ApiError::wrong_value("server_id", &json!(s)));
    }
    let count = c.acct.coll(Kind::BlockStorage).len() + 1;
    if count > MAX_BLOCK {
        return Err(ApiError::tariff_too_high(
            "ngcs.blockstorage",
            count as u64,
            MAX_BLOCK as u32,
        ));
    }
    let o = obj(json!({
        "id": new_id(), "name": name, "description": description, "size": size as i64, "state": "CONFIGURING",
        "datacenter": dc, "creation_date": date_now(), "server": null, "uuid": new_id().to_lowercase(),
        "_server": server.unwrap_or_default(),
    }));
    let id = c.acct.insert(Kind::BlockStorage, o);
    begin(c, Kind::BlockStorage, &id, "CONFIGURING", "ACTIVE", 8.0);
    render_id(c.acct, Kind::BlockStorage, &id)
}

pub fn update_block(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get(Kind::BlockStorage, &id)?;
    ensure_idle(Kind::BlockStorage, r)?;
    let cur = r.obj["size"].as_f64().unwrap_or(0.0);
    let size = block_size(&c.body, false)?;
    if size.is_some_and(|s| s < cur) {
        return Err(ApiError::invalid(
            "The size of a block storage cannot be decreased",
        ));
    }
    let name = opt_str(&c.body, "name", 128)?;
    let description = opt_str_allow_empty(&c.body, "description", 256)?;
    let r = c.acct.get_mut(Kind::BlockStorage, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    if let Some(s) = size {
        r.obj.insert("size".into(), json!(s as i64));
    }
    begin(c, Kind::BlockStorage, &id, "CONFIGURING", "ACTIVE", 6.0);
    render_id(c.acct, Kind::BlockStorage, &id)
}

pub fn attach_block(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get(Kind::BlockStorage, &id)?;
    ensure_idle(Kind::BlockStorage, r)?;
    let current = r.s("_server").to_string();
    let sid = req_str(&c.body, "server_id", 64)?;
    let server = c
        .acct
        .find(Kind::Server, &sid)
        .ok_or_else(|| ApiError::wrong_value("server_id", &json!(sid)))?;
    if server.obj["datacenter"]["id"] != r.obj["datacenter"]["id"] {
        return Err(ApiError::invalid(
            "The server and the block storage must be in the same datacenter",
        ));
    }
    if c.acct.exists(Kind::Server, &current) {
        return Err(ApiError::invalid(
            "The block storage is already attached to a server",
        ));
    }
    c.acct
        .get_mut(Kind::BlockStorage, &id)?
        .obj
        .insert("_server".into(), json!(sid));
    begin(c, Kind::BlockStorage, &id, "CONFIGURING", "ACTIVE", 6.0);
    render_id(c.acct, Kind::BlockStorage, &id)
}

pub fn block_server(c: &mut Ctx) -> ApiResult<Value> {
    let r = c.acct.get(Kind::BlockStorage, c.p(0))?;
    c.acct
        .id_name(Kind::Server, r.s("_server"))
        .ok_or_else(|| Kind::Server.not_found())
}

pub fn detach_block(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get(Kind::BlockStorage, &id)?;
    if r.tr.is_some() && r.s("state") == "CONFIGURING" {
        return Err(ApiError::new(
            403,
            "BLOCK_STORAGE_DETTACH",
            "The disk is currently being detached.",
            Value::Null,
        ));
    }
    block_server(c)?;
    c.acct
        .get_mut(Kind::BlockStorage, &id)?
        .obj
        .insert("_server".into(), json!(""));
    begin(c, Kind::BlockStorage, &id, "CONFIGURING", "ACTIVE", 6.0);
    render_id(c.acct, Kind::BlockStorage, &id)
}

// ---- shared storages ----

fn shared_size(b: &Value, required: bool) -> ApiResult<Option<f64>> {
    let size = if required {
        Some(req_num(b, "size", 50.0, 2000.0)?)
    } else {
        opt_num(b, "size", 50.0, 2000.0)?
    };
    if let Some(s) = size {
        check_step("ngcs.sharedstorage.size", s, 50.0)?;
    }
    Ok(size)
}

pub fn create_shared(c: &mut Ctx) -> ApiResult<Value> {
    let b = c.body.clone();
    let name = req_str(&b, "name", 128)?;
    let size = shared_size(&b, true)?.unwrap_or(50.0);
    let description = opt_str(&b, "description", 256)?.unwrap_or_default();
    let dc = c.cat.body_dc(&b)?;
    let count = c.acct.coll(Kind::SharedStorage).len() + 1;
    if count > MAX_SHARED {
        return Err(ApiError::tariff_too_high(
            "ngcs.sharedstorage",
            count as u64,
            MAX_SHARED as u32,
        ));
    }
    let vid = format!("vid{}", 10_000 + rand::random::<u32>() % 89_999);
    let o = obj(json!({
        "id": new_id(), "name": name, "description": description, "size": size as i64, "state": "CONFIGURING",
        "datacenter": dc, "cloudpanel_id": vid, "size_used": 0,
        "cifs_path": format!("\\\\{vid}.nas1.lan\\{vid}"), "nfs_path": format!("{vid}.nas1.lan/:{vid}"),
        "creation_date": date_now(), "servers": [], "_servers": [],
    }));
    let id = c.acct.insert(Kind::SharedStorage, o);
    begin(c, Kind::SharedStorage, &id, "CONFIGURING", "ACTIVE", 10.0);
    render_id(c.acct, Kind::SharedStorage, &id)
}

pub fn update_shared(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    let r = c.acct.get(Kind::SharedStorage, &id)?;
    ensure_idle(Kind::SharedStorage, r)?;
    let cur = r.obj["size"].as_f64().unwrap_or(0.0);
    let size = shared_size(&c.body, false)?;
    if size.is_some_and(|s| s < cur) {
        return Err(ApiError::invalid(
            "The size of a shared storage cannot be decreased",
        ));
    }
    let name = opt_str(&c.body, "name", 128)?;
    let description = opt_str_allow_empty(&c.body, "description", 256)?;
    let r = c.acct.get_mut(Kind::SharedStorage, &id)?;
    set_opt(r, "name", name);
    set_opt(r, "description", description);
    if let Some(s) = size {
        r.obj.insert("size".into(), json!(s as i64));
    }
    begin(c, Kind::SharedStorage, &id, "CONFIGURING", "ACTIVE", 6.0);
    render_id(c.acct, Kind::SharedStorage, &id)
}

pub fn shared_servers(c: &mut Ctx) -> ApiResult<Value> {
    Ok(render_id(c.acct, Kind::SharedStorage, c.p(0))?["servers"].clone())
}

pub fn attach_shared(c: &mut Ctx) -> ApiResult<Value> {
    let id = c.p(0).to_string();
    c.acct.get(Kind::SharedStorage, &id)?;
    let list = req_array(&c.body, "servers")?.clone();
    let mut add = Vec::new();
    for s in &list {
        let sid = req_str(s, "id", 64)?;
        let rights = req_enum(s, "rights", &["R", "RW"])?;
        if !c.acct.exists(Kind::Server, &sid) {
            return Err(ApiError::wrong_value("id", &json!(sid)));
        }
        add.push((sid, rights));
    }
    let r = c.acct.get_mut(Kind::SharedStorage, &id)?;
    let mut cur: Vec<Value> = r
        .obj
        .get("_servers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (sid, rights) in add {
        cur.retain(|x| x["id"] != sid.as_str());
        cur.push(json!({"id": sid, "rights": rights}));
    }
    r.obj.insert("_servers".into(), Value::Array(cur));
    begin(c, Kind::SharedStorage, &id, "CONFIGURING", "ACTIVE", 5.0);
    render_id(c.acct, Kind::SharedStorage, &id)
}

pub fn shared_server(c: &mut Ctx) -> ApiResult<Value> {
    let v = render_id(c.acct, Kind::SharedStorage, c.p(0))?;
    v["servers"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == c.p(1)))
        .cloned()
        .ok_or_else(|| Kind::Server.not_found())
}

pub fn detach_shared(c: &mut Ctx) -> ApiResult<Value> {
    shared_server(c)?;
    let (id, sid) = (c.p(0).to_string(), c.p(1).to_string());
    let r = c.acct.get_mut(Kind::SharedStorage, &id)?;
    if let Some(Value::Array(list)) = r.obj.get_mut("_servers") {
        list.retain(|x| x["id"] != sid.as_str());
    }
    begin(c, Kind::SharedStorage, &id, "CONFIGURING", "ACTIVE", 5.0);
    render_id(c.acct, Kind::SharedStorage, &id)
}

/// One credentials entry per datacenter that holds a shared storage (all, when there is none yet).
pub fn access(c: &mut Ctx) -> ApiResult<Value> {
    let state = match c.acct.access_changed {
        Some(t) if c.now < t + 10.0 => "CONFIGURING",
        _ => "ACTIVE",
    };
    let mut dcs: Vec<String> = c
        .acct
        .coll(Kind::SharedStorage)
        .iter()
        .filter_map(|r| r.obj["datacenter"]["id"].as_str().map(str::to_string))
        .collect();
    dcs.dedup();
    if dcs.is_empty() {
        dcs = c
            .cat
            .datacenters
            .iter()
            .filter_map(|d| d["id"].as_str().map(str::to_string))
            .collect();
    }
    let mut seen = std::collections::HashSet::new();
    let list: Vec<Value> = dcs
        .iter()
        .filter(|d| seen.insert((*d).clone()))
        .filter_map(|d| c.cat.dc_ref(d))
        .map(|dc| {
            json!({"datacenter": dc, "state": state,
                   "kerberos_content_file": "BQIAAABSAAIACERFVjEuTEFOAANuZnMAEnVpZDYyNDQ1OS5kZXYxLmxhbgAAAAEAAAAAQAASACAobHpZknT8WqX14kQhOrFI9hwO37NUg/p3Ne/8w2MPJA==",
                   "needs_password_reset": i32::from(c.acct.access_changed.is_none()), "user_domain": c.acct.access_user})
        })
        .collect();
    Ok(Value::Array(list))
}

pub fn set_access(c: &mut Ctx) -> ApiResult<Value> {
    req_len_str(&c.body, "password", 8, 64)?;
    c.acct.access_changed = Some(c.now);
    access(c)
}
