//! What every account shares: datacenters, appliances, ISOs, sizes, models and
//! prices; plus the read-only account views (logs, usages).

use super::errors::{ApiError, ApiResult};
use super::router::{Ctx, render};
use super::state::{Account, Kind};
use super::validate::opt_enum;
use serde_json::{Value, json};

/// Read-only data shared by every account.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub datacenters: Vec<Value>,
    pub appliances: Vec<Value>,
    pub recovery: Vec<Value>,
    pub dvd_isos: Vec<Value>,
    pub fixed_sizes: Vec<Value>,
    pub baremetal: Vec<Value>,
    pub pricing: Value,
}

pub const DC_US: &str = "D0F6D8C8ED29D3036F94C27BBB7BAD36";
pub const DC_ES: &str = "D0F6D8C8ED29D3036F94C27BBB7BAD37";
pub const DC_DE: &str = "4EFAD5836CE43ACA502FD5B99BEE44EF";
pub const DC_GB: &str = "5091F6D8CBFEF9C26ACE957C652D5D49";

pub const SIZE_M: &str = "8C626C1A7005D0D1F527143C413D461E";
pub const SIZE_L: &str = "8C626C1A7005D0D1F527143C413D461F";
pub const SIZE_XL: &str = "8C626C1A7005D0D1F527143C413D4620";
pub const SIZE_XXL: &str = "8C626C1A7005D0D1F527143C413D4621";

/// A stable 32-hex id derived from a name, so that catalogue ids never change between runs.
pub fn stable_id(name: &str) -> String {
    use sha2::Digest;
    hex::encode_upper(&sha2::Sha256::digest(name.as_bytes())[..16])
}

impl Catalogue {
    pub fn new() -> Self {
        let all_dcs = json!([DC_US, DC_ES, DC_DE, DC_GB]);
        let datacenters = vec![
            json!({"id": DC_US, "location": "USA", "country_code": "US", "default": 0}),
            json!({"id": DC_ES, "location": "Spain", "country_code": "SP", "default": 1}),
            json!({"id": DC_DE, "location": "Germany", "country_code": "DE", "default": 0}),
            json!({"id": DC_GB, "location": "United Kingdom", "country_code": "GB", "default": 0}),
        ];
        let appliance = |name: &str,
                         family: &str,
                         os: &str,
                         version: &str,
                         arch: u32,
                         image_type: &str,
                         ty: &str,
                         compat: Value,
                         min_hdd: u32,
                         licenses: Value| {
            json!({
                "id": stable_id(name), "name": name, "available_datacenters": all_dcs,
                "os_family": family, "os": os, "os_version": version,
                "os_architecture": arch, "architecture": arch,
                "os_image_type": image_type, "type": ty,
                "server_type_compatibility": compat, "min_hdd_size": min_hdd,
                "licenses": licenses, "version": null, "categories": [],
                "automatic_installation": ty == "IMAGE",
            })
        };
        let cloud = json!(["cloud"]);
        let both = json!(["cloud", "baremetal"]);
        let appliances = vec![
            appliance(
                "ubuntu2204-64std",
                "Linux",
                "Ubuntu",
                "Ubuntu22.04",
                64,
                "STANDARD",
                "IMAGE",
                both.clone(),
                20,
                json!([]),
            ),
            appliance(
                "ubuntu2404-64min",
                "Linux",
                "Ubuntu",
                "Ubuntu24.04",
                64,
                "MINIMAL",
                "IMAGE",
                both.clone(),
                20,
                json!([]),
            ),
            appliance(
                "debian12-64std",
                "Linux",
                "Debian",
                "Debian12",
                64,
                "STANDARD",
                "IMAGE",
                both.clone(),
                20,
                json!([]),
            ),
            appliance(
                "rockylinux9-64std",
                "Linux",
                "RockyLinux",
                "RockyLinux9",
                64,
                "STANDARD",
                "IMAGE",
                both,
                20,
                json!([]),
            ),
            appliance(
                "centos7-64std",
                "Linux",
                "Centos",
                "Centos7",
                64,
                "STANDARD",
                "IMAGE",
                cloud.clone(),
                20,
                json!([]),
            ),
            appliance(
                "w2012r2datacenter64iso",
                "Windows",
                "WindowsDatacenter",
                "Windows2012R2",
                64,
                "ISO_OS",
                "ISO",
                cloud.clone(),
                40,
                json!([]),
            ),
            appliance(
                "w2012r2datacenter64min",
                "Windows",
                "WindowsDatacenter",
                "Windows2012R2",
                64,
                "MINIMAL",
                "IMAGE",
                cloud.clone(),
                40,
                json!([{"name": "Windows 2012 Standard"}]),
            ),
            appliance(
                "w2012r2datacenter64std",
                "Windows",
                "WindowsDatacenter",
                "Windows2012R2",
                64,
                "STANDARD",
                "IMAGE",
                cloud.clone(),
                40,
                json!([{"name": "Windows 2012 Standard"}]),
            ),
            appliance(
                "w2012r2datacenter64std+SQL2012express",
                "Windows",
                "WindowsDatacenter",
                "Windows2012R2",
                64,
                "STANDARD",
                "APPLICATION",
                cloud,
                40,
                json!([{"name": "Windows 2012 Standard"}, {"name": "SQL Server 2012 Express"}]),
            ),
        ];
        let recovery = ["Linux 64-bit Rescue-System (debian/oldstable)", "Linux 64-bit Rescue-System (debian/stable)"]
            .iter()
            .zip(["52670D91E8FB744FB8304B6D6EA1099E", "B36BD02F7448CE912124ACF1718F5E68"])
            .map(|(name, id)| {
                json!({"id": id, "name": name, "os": "Other Linux", "os_family": "Linux", "os_version": "OtherLinux",
                       "os_architecture": 64, "architecture": 64, "available_datacenters": all_dcs})
            })
            .collect();
        let iso = |name: &str,
                   family: &str,
                   os: &str,
                   version: &str,
                   arch: u32,
                   image_type: &str| {
            json!({"id": stable_id(name), "name": name, "os_family": family, "os": os, "os_version": version,
                   "os_architecture": arch, "architecture": arch, "os_image_type": image_type, "type": "ISO",
                   "available_datacenters": all_dcs})
        };
        let dvd_isos = vec![
            iso("centos7-64iso", "Linux", "Centos", "Centos7", 64, "ISO_OS"),
            iso(
                "ubuntu1404-64iso",
                "Linux",
                "Ubuntu",
                "Ubuntu14.04",
                64,
                "ISO_OS",
            ),
            iso("debian7-32iso", "Linux", "Debian", "Debian7", 32, "ISO_OS"),
            iso(
                "freebsd10-64iso",
                "Others",
                "FreeBSD",
                "FreeBSD10",
                64,
                "ISO_OS",
            ),
            iso(
                "w2008r2datacenter64iso",
                "Windows",
                "WindowsDatacenter",
                "Windows2008R2",
                64,
                "ISO_OS",
            ),
            iso("gparted-live-iso", "", "GParted", "GParted", 0, "ISO_TOOLS"),
        ];
        let size = |id: &str, name: &str, vcore: u32, ram: u32, hdd: u32| {
            json!({"name": name, "id": id, "hardware": {"vcore": vcore, "cores_per_processor": 1, "ram": ram, "unit": "GB",
                   "hdds": [{"size": hdd, "unit": "GB", "is_main": true}]}})
        };
        let fixed_sizes = vec![
            size(SIZE_M, "M", 1, 1, 40),
            size(SIZE_L, "L", 2, 2, 80),
            size(SIZE_XL, "XL", 2, 4, 120),
            size(SIZE_XXL, "XXL", 4, 8, 160),
        ];
        let model = |id: &str, name: &str, ram: u32| {
            json!({"name": name, "id": id, "hardware": {"fixed_instance_size_id": null, "baremetal_model_id": id,
                   "core": 1, "cores_per_processor": 4, "ram": ram, "unit": "GB",
                   "hdds": [{"size": 800, "unit": "GB", "is_main": true}]}})
        };
        let baremetal = vec![
            model("81504C620D98BCEBAA5202D145203B4B", "BMC_L", 32),
            model("81504C620D98BCEBAA5202D145203B4C", "BMC_XL", 64),
        ];
        Catalogue {
            datacenters,
            appliances,
            recovery,
            dvd_isos,
            fixed_sizes,
            baremetal,
            pricing: pricing_table(),
        }
    }

    pub fn default_dc(&self) -> &str {
        DC_ES
    }

    /// The `{id, country_code, location}` reference embedded in resources.
    pub fn dc_ref(&self, id: &str) -> Option<Value> {
        self.datacenters
            .iter()
            .find(|d| d["id"] == id)
            .map(|d| json!({"id": d["id"], "country_code": d["country_code"], "location": d["location"]}))
    }

    /// Reads an optional `datacenter_id` from a body (400 when unknown); the default otherwise.
    pub fn body_dc(&self, body: &Value) -> ApiResult<Value> {
        match body.get("datacenter_id") {
            None | Some(Value::Null) => self
                .dc_ref(self.default_dc())
                .ok_or_else(ApiError::internal),
            Some(Value::String(s)) if s.is_empty() => self
                .dc_ref(self.default_dc())
                .ok_or_else(ApiError::internal),
            Some(v @ Value::String(s)) => self
                .dc_ref(s)
                .ok_or_else(|| ApiError::wrong_value("datacenter_id", v)),
            Some(v) => Err(ApiError::wrong_value("datacenter_id", v)),
        }
    }

    pub fn appliance(&self, id: &str) -> Option<&Value> {
        self.appliances.iter().find(|a| a["id"] == id)
    }

    pub fn fixed_size(&self, id: &str) -> Option<&Value> {
        self.fixed_sizes.iter().find(|a| a["id"] == id)
    }

    pub fn model(&self, id: &str) -> Option<&Value> {
        self.baremetal.iter().find(|a| a["id"] == id)
    }

    pub fn iso(&self, id: &str) -> Option<&Value> {
        self.dvd_isos.iter().find(|a| a["id"] == id)
    }

    pub fn recovery(&self, id: &str) -> Option<&Value> {
        self.recovery.iter().find(|a| a["id"] == id)
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Self::new()
    }
}

fn pricing_table() -> Value {
    let price = |name: &str, net: f64, gross: f64, unit: &str| json!({"name": name, "price_net": net, "price_gross": gross, "unit": unit});
    let fixed = |name: &str, net: f64, gross: f64, vcore: u32, ram: u32, hdd: u32| {
        json!({"name": name, "price_net": net, "price_gross": gross, "unit": "server/month",
               "hardware": {"vcore": vcore, "ram": ram, "hdds": [{"size": hdd}]}})
    };
    json!({
        "currency": "EUR",
        "vat": 20,
        "pricing_plans": {
            "server": {
                "fixed_servers": [
                    fixed("M", 9.99, 12.09, 1, 1, 40), fixed("L", 19.99, 24.19, 2, 2, 80),
                    fixed("XL", 29.99, 36.29, 2, 4, 120), fixed("XXL", 49.99, 60.50, 4, 8, 160),
                ],
                "flexible_sever": [
                    price("CPU", 7.20, 8.72, "vCore/month"), price("RAM", 7.20, 8.72, "GB/month"),
                    price("SSD", 0.072, 0.083, "GB/month"),
                ]
            },
            "public_ip": [price("unused_ip", 5.0, 6.05, "IP/month"), price("additional_ip", 5.0, 6.05, "IP/month")],
            "image": price("storage", 0.072, 0.087, "GB/month"),
            "shared_storage": price("storage", 0.072, 0.087, "GB/month"),
            "software_licenses": [
                price("windows", 10.00, 12.10, "license/month"),
                {"name": "red_hat_enterprise_linux", "price_net": 30.00, "pice_gross": 36.30, "unit": "license/month"},
                price("sql_server_web", 40.00, 48.21, "license/month"),
                price("sql_server_standard", 300.00, 363.00, "license/month"),
                price("cpanel", 15.00, 18.15, "license/month"),
                price("plesk", 15.00, 18.15, "license/month"),
            ],
            "backups": price("storage", 0.20, 0.24, "GB/month"),
        }
    })
}

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
