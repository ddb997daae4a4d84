//! The read-only endpoints: the catalogue every account shares
//! (datacenters, appliances, ISOs, sizes, models and prices), and the
//! account's logs and usages.
//!
//! Apart from the catalogue's data ([`super::catalogue`]) because the
//! handlers take the request context, which carries the catalogue.

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::render::render;
use super::state::{Account, Kind};
use super::validate::opt_enum;
use serde_json::{Value, json};

fn listed(c: &Ctx, items: &[Value]) -> ApiResult<Value> {
    Ok(Value::Array(c.list_params()?.apply(items.to_vec())))
}

fn one(items: &[Value], id: &str, kind: &str, message: &str) -> ApiResult<Value> {
    items
        .iter()
        .find(|x| x["id"] == id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(kind, message))
}

pub fn datacenters(c: &mut Ctx) -> ApiResult<Value> {
    listed(c, &c.cat.datacenters)
}
pub fn datacenter(c: &mut Ctx) -> ApiResult<Value> {
    one(
        &c.cat.datacenters,
        c.p(0),
        "DATACENTER_NOT_FOUND",
        "Datacenter does not exists",
    )
}
pub fn appliances(c: &mut Ctx) -> ApiResult<Value> {
    listed(c, &c.cat.appliances)
}
pub fn appliance(c: &mut Ctx) -> ApiResult<Value> {
    one(
        &c.cat.appliances,
        c.p(0),
        "APPLIANCES_NOT_FOUND",
        "Required appliance does not exists",
    )
}
pub fn recovery_appliances(c: &mut Ctx) -> ApiResult<Value> {
    listed(c, &c.cat.recovery)
}
pub fn recovery_appliance(c: &mut Ctx) -> ApiResult<Value> {
    one(
        &c.cat.recovery,
        c.p(0),
        "APPLIANCES_NOT_FOUND",
        "Required appliance does not exists",
    )
}
pub fn dvd_isos(c: &mut Ctx) -> ApiResult<Value> {
    listed(c, &c.cat.dvd_isos)
}
pub fn dvd_iso(c: &mut Ctx) -> ApiResult<Value> {
    one(
        &c.cat.dvd_isos,
        c.p(0),
        "ISO_NOT_FOUND",
        "Required dvd ISO image does not exists",
    )
}
pub fn fixed_sizes(c: &mut Ctx) -> ApiResult<Value> {
    Ok(Value::Array(c.cat.fixed_sizes.clone()))
}
pub fn fixed_size(c: &mut Ctx) -> ApiResult<Value> {
    c.cat
        .fixed_size(c.p(0))
        .cloned()
        .ok_or_else(|| ApiError::not_found("FIXED_SIZE_NOT_FOUND", "Fixed size does not exists"))
}
pub fn baremetal_models(c: &mut Ctx) -> ApiResult<Value> {
    Ok(Value::Array(c.cat.baremetal.clone()))
}
pub fn baremetal_model(c: &mut Ctx) -> ApiResult<Value> {
    c.cat.model(c.p(0)).cloned().ok_or_else(|| {
        ApiError::not_found(
            "BAREMETAL_METAL_NOT_FOUND",
            "Baremetal model does not exist",
        )
    })
}
pub fn pricing(c: &mut Ctx) -> ApiResult<Value> {
    Ok(c.cat.pricing.clone())
}

/// The window a `period` query names, in seconds back from now (None = CUSTOM).
fn period(c: &Ctx) -> ApiResult<(i64, i64)> {
    let p = opt_enum(
        &json!({"period": c.query("period")}),
        "period",
        &[
            "LAST_HOUR",
            "LAST_24H",
            "LAST_7D",
            "LAST_30D",
            "LAST_365D",
            "CUSTOM",
        ],
    )?
    .ok_or_else(|| ApiError::required("period"))?;
    let now = chrono::Utc::now().timestamp();
    let back = match p.as_str() {
        "LAST_HOUR" => 3600,
        "LAST_24H" => 86_400,
        "LAST_7D" => 7 * 86_400,
        "LAST_30D" => 30 * 86_400,
        "LAST_365D" => 365 * 86_400,
        _ => {
            let parse = |k: &str| -> ApiResult<i64> {
                let v = c.query(k).ok_or_else(|| ApiError::required(k))?;
                chrono::DateTime::parse_from_rfc3339(v)
                    .map(|d| d.timestamp())
                    .or_else(|_| {
                        chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%SZ")
                            .map(|d| d.and_utc().timestamp())
                    })
                    .map_err(|_| ApiError::wrong_value(k, &Value::String(v.to_string())))
            };
            let (s, e) = (parse("start_date")?, parse("end_date")?);
            if e < s {
                return Err(ApiError::invalid("end_date must be after start_date"));
            }
            return Ok((s, e));
        }
    };
    Ok((now - back, now + 1))
}

pub fn period_of(c: &Ctx) -> ApiResult<(i64, i64)> {
    period(c)
}

pub fn logs(c: &mut Ctx) -> ApiResult<Value> {
    let (from, to) = period(c)?;
    let lp = c.list_params()?;
    let items: Vec<Value> = c
        .acct
        .coll(Kind::Log)
        .iter()
        .filter(|r| {
            let t = r.obj.get("_t").and_then(Value::as_i64).unwrap_or(0);
            t >= from && t <= to
        })
        .map(|r| {
            let mut v = render(c.acct, Kind::Log, r);
            // Logs have no name of their own; search and sort look at the resource's.
            if let Some(o) = v.as_object_mut()
                && let Some(n) = r.obj.get("resource").and_then(|x| x.get("name")).cloned()
            {
                o.insert("name".into(), n);
            }
            v
        })
        .collect();
    // Newest first unless a sort was asked for.
    let mut items = items;
    if lp.sort.is_none() {
        items.reverse();
    }
    let mut out = lp.apply(items);
    for v in &mut out {
        if let Some(o) = v.as_object_mut() {
            o.remove("name");
        }
    }
    Ok(Value::Array(out))
}

/// Usage per resource class over the period, from what the account holds now.
pub fn usages(c: &mut Ctx) -> ApiResult<Value> {
    let (from, to) = period(c)?;
    let fmt = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S+00:00").to_string())
            .unwrap_or_default()
    };
    let (start, end) = (fmt(from), fmt(to.min(chrono::Utc::now().timestamp())));
    let hours = ((to - from) as f64 / 3600.0).max(1.0).round();
    let service = |ty: &str, amount: f64, unit: &str| {
        json!({"type": ty, "avg_amount": format!("{amount}"), "unit": unit, "usage": amount * hours,
               "detail": [{"avg_amount": format!("{amount}"), "unit": unit, "start_date": start, "end_date": end, "usage": amount * hours}]})
    };
    let a: &Account = c.acct;
    let servers: Vec<Value> = a
        .coll(Kind::Server)
        .iter()
        .map(|r| {
            let hw = &r.obj["hardware"];
            let hdd: f64 = hw["hdds"]
                .as_array()
                .map(|h| h.iter().filter_map(|d| d["size"].as_f64()).sum())
                .unwrap_or(0.0);
            let mut services = vec![
                service("CPU", hw["vcore"].as_f64().unwrap_or(0.0), "vCore"),
                service("HDD", hdd, "GB"),
                service("RAM", hw["ram"].as_f64().unwrap_or(0.0), "GB"),
            ];
            for ip in a
                .coll(Kind::PublicIp)
                .iter()
                .filter(|ip| ip.s("_server") == r.id())
            {
                let mut s = service("IP", 1.0, "IP");
                if let Some(o) = s.as_object_mut() {
                    o.insert("name".into(), json!(ip.s("ip")));
                }
                services.push(s);
            }
            json!({"id": r.id(), "name": r.name(), "services": services})
        })
        .collect();
    let images: Vec<Value> = a
        .coll(Kind::Image)
        .iter()
        .map(|r| json!({"id": r.id(), "name": r.name(), "services": [service("size", r.obj["min_hdd_size"].as_f64().unwrap_or(0.0), "GB")]}))
        .collect();
    let shared: Vec<Value> = a
        .coll(Kind::SharedStorage)
        .iter()
        .map(|r| json!({"name": r.name(), "services": [service("size", r.obj["size"].as_f64().unwrap_or(0.0), "GB")]}))
        .collect();
    let unused: Vec<Value> = a
        .coll(Kind::PublicIp)
        .iter()
        .filter(|r| r.s("_server").is_empty() && r.s("_lb_owner").is_empty())
        .map(|r| json!({"name": r.s("ip"), "services": [service("UNUSED_IP", 1.0, "IP")]}))
        .collect();
    let lp = c.list_params()?;
    Ok(json!({
        "SERVERS": lp.apply(servers),
        "IMAGES": lp.apply(images),
        "SHARED_STORAGES": lp.apply(shared),
        "PUBLIC_IPS": lp.apply(unused),
    }))
}
