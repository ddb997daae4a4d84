//! What every account shares: datacenters, appliances, ISOs, sizes, models and
//! prices.
//!
//! The endpoints that read it are in [`super::readonly`].

use super::errors::{ApiError, ApiResult};
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
