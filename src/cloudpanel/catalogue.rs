//! What an account can choose from: fixed sizes, baremetal models,
//! appliances, recovery images, DVD ISOs, datacenters, pricing; and ping.

use super::common::first_text;
use super::de::{self};
use super::servers::Hardware;
use super::{AccountClient, CloudError, Fetched, ListQuery, seg};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A fixed instance size (M, L, XL, XXL...) or a baremetal model.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct InstanceSize {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::obj")]
    pub hardware: Hardware,
}

/// An installable image: server appliances, recovery appliances and DVD ISOs
/// share this shape (examples say `architecture` for `os_architecture`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Appliance {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::strings")]
    pub available_datacenters: Vec<String>,
    /// `Windows`, `Linux`, `Other` (ISOs: `Others` or empty).
    #[serde(deserialize_with = "de::string")]
    pub os_family: String,
    #[serde(deserialize_with = "de::string")]
    pub os: String,
    #[serde(deserialize_with = "de::string")]
    pub os_version: String,
    #[serde(deserialize_with = "de::lenient_u32", alias = "architecture")]
    pub os_architecture: u32,
    #[serde(deserialize_with = "de::opt_string")]
    pub os_image_type: Option<String>,
    /// `IMAGE`, `MY_IMAGE`, `APPLICATION`, `ISO`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    #[serde(deserialize_with = "de::strings")]
    pub server_type_compatibility: Vec<String>,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub min_hdd_size: u32,
    /// Items are `{name}` in lists and plain strings in details.
    #[serde(deserialize_with = "license_names")]
    pub licenses: Vec<String>,
    #[serde(deserialize_with = "de::string")]
    pub version: String,
    #[serde(deserialize_with = "de::strings")]
    pub categories: Vec<String>,
    #[serde(deserialize_with = "de::opt_bool")]
    pub automatic_installation: Option<bool>,
}

impl Appliance {
    /// Usable in this datacenter (an empty list means "anywhere").
    pub fn available_in(&self, datacenter_id: &str) -> bool {
        self.available_datacenters.is_empty()
            || self
                .available_datacenters
                .iter()
                .any(|d| d == datacenter_id)
    }
}

fn license_names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Value::deserialize(d)?;
    let Value::Array(items) = v else {
        return Ok(Vec::new());
    };
    Ok(items
        .into_iter()
        .filter_map(|i| match i {
            Value::String(s) => Some(s),
            Value::Object(m) => m.get("name").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .collect())
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Datacenter {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string", alias = "name")]
    pub location: String,
    #[serde(deserialize_with = "de::string")]
    pub country_code: String,
    /// 1 for the account's default datacenter.
    #[serde(deserialize_with = "de::lenient_bool")]
    pub default: bool,
}

/// `GET /pricing`: only an example exists, with typos; read by hand.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Pricing {
    #[serde(deserialize_with = "de::string")]
    pub currency: String,
    #[serde(deserialize_with = "de::lenient_f64")]
    pub vat: f64,
    #[serde(deserialize_with = "de::obj")]
    pub pricing_plans: PricingPlans,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct PricingPlans {
    #[serde(deserialize_with = "de::obj")]
    pub server: ServerPricing,
    #[serde(deserialize_with = "de::vec")]
    pub public_ip: Vec<Price>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub image: Option<Price>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub shared_storage: Option<Price>,
    #[serde(deserialize_with = "de::vec")]
    pub software_licenses: Vec<Price>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub backups: Option<Price>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerPricing {
    #[serde(deserialize_with = "de::vec")]
    pub fixed_servers: Vec<Price>,
    /// The reference spells it `flexible_sever`.
    #[serde(deserialize_with = "de::vec", alias = "flexible_sever")]
    pub flexible_server: Vec<Price>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Price {
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::opt_f64")]
    pub price_net: Option<f64>,
    /// One example spells it `pice_gross`.
    #[serde(deserialize_with = "de::opt_f64", alias = "pice_gross")]
    pub price_gross: Option<f64>,
    #[serde(deserialize_with = "de::string")]
    pub unit: String,
    #[serde(deserialize_with = "de::opt_obj")]
    pub hardware: Option<Value>,
}

impl AccountClient {
    pub async fn list_fixed_instance_sizes(
        &self,
    ) -> Result<Fetched<Vec<InstanceSize>>, CloudError> {
        self.list("/servers/fixed_instance_sizes", &[]).await
    }

    pub async fn get_fixed_instance_size(
        &self,
        id: &str,
    ) -> Result<Fetched<InstanceSize>, CloudError> {
        self.get(&format!("/servers/fixed_instance_sizes/{}", seg(id)), &[])
            .await
    }

    pub async fn list_baremetal_models(&self) -> Result<Fetched<Vec<InstanceSize>>, CloudError> {
        self.list("/servers/baremetal_models", &[]).await
    }

    pub async fn get_baremetal_model(&self, id: &str) -> Result<Fetched<InstanceSize>, CloudError> {
        self.get(&format!("/servers/baremetal_models/{}", seg(id)), &[])
            .await
    }

    /// The images a server can be created from.
    pub async fn list_server_appliances(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<Appliance>>, CloudError> {
        self.list("/server_appliances", &q.pairs()).await
    }

    pub async fn get_server_appliance(&self, id: &str) -> Result<Fetched<Appliance>, CloudError> {
        self.get(&format!("/server_appliances/{}", seg(id)), &[])
            .await
    }

    pub async fn list_recovery_appliances(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<Appliance>>, CloudError> {
        self.list("/recovery_appliances", &q.pairs()).await
    }

    pub async fn get_recovery_appliance(&self, id: &str) -> Result<Fetched<Appliance>, CloudError> {
        self.get(&format!("/recovery_appliances/{}", seg(id)), &[])
            .await
    }

    pub async fn list_dvd_isos(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<Appliance>>, CloudError> {
        self.list("/dvd_isos", &q.pairs()).await
    }

    pub async fn get_dvd_iso(&self, id: &str) -> Result<Fetched<Appliance>, CloudError> {
        self.get(&format!("/dvd_isos/{}", seg(id)), &[]).await
    }

    pub async fn list_datacenters(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<Datacenter>>, CloudError> {
        self.list("/datacenters", &q.pairs()).await
    }

    pub async fn get_datacenter(&self, id: &str) -> Result<Fetched<Datacenter>, CloudError> {
        self.get(&format!("/datacenters/{}", seg(id)), &[]).await
    }

    pub async fn get_pricing(&self) -> Result<Fetched<Pricing>, CloudError> {
        self.get("/pricing", &[]).await
    }

    /// `GET /ping`: "PONG" when the API is up.
    pub async fn ping(&self) -> Result<Fetched<String>, CloudError> {
        let f = self.read_value("/ping", &[]).await?;
        let text = first_text(&f.value);
        Ok(f.map(|_| text))
    }

    /// `GET /ping_auth`: succeeds when the API is up and the token is valid.
    /// Never cached: it is how a token is checked.
    pub async fn ping_auth(&self) -> Result<(), CloudError> {
        let v: Value = self.read_uncached("/ping_auth", &[]).await?;
        let text = first_text(&v);
        if text.eq_ignore_ascii_case("PONG") {
            Ok(())
        } else {
            Err(CloudError::Undecodable {
                detail: format!(
                    "expected PONG, got {}",
                    text.chars().take(40).collect::<String>()
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn baremetal_models_with_core_and_a_single_hdd_object_are_read() {
        let m: InstanceSize = serde_json::from_value(json!({
            "id": "81504C620D98BCEBAA5202D145203B4B", "name": "BMC_L",
            "hardware": {"core": 1, "cores_per_processor": 4, "ram": 32,
                "hdds": {"size": 800, "unit": "GB", "is_main": true}}
        }))
        .unwrap();
        assert_eq!(m.hardware.vcore, 1);
        assert_eq!(m.hardware.hdds.len(), 1);
        assert_eq!(m.hardware.hdds[0].size, 800);
    }

    #[test]
    fn appliances_with_architecture_and_both_license_shapes_are_read() {
        let a: Vec<Appliance> = crate::cloudpanel::de::decode_items(json!([
            {"id": "A", "name": "w2012r2datacenter64std", "architecture": 64, "os_family": "Windows",
             "licenses": [{"name": "Windows 2012 Standard"}], "type": "IMAGE", "automatic_installation": true,
             "available_datacenters": ["D1"], "min_hdd_size": "40"},
            {"id": "B", "os_architecture": "32", "licenses": ["Windows"], "os_image_type": null}
        ]));
        assert_eq!(a[0].os_architecture, 64);
        assert_eq!(a[0].licenses, vec!["Windows 2012 Standard"]);
        assert_eq!(a[0].min_hdd_size, 40);
        assert!(a[0].available_in("D1") && !a[0].available_in("D2"));
        assert_eq!(a[1].os_architecture, 32);
        assert_eq!(a[1].licenses, vec!["Windows"]);
        assert!(a[1].available_in("D2"));
    }

    #[test]
    fn pricing_typos_are_tolerated() {
        let p: Pricing = serde_json::from_value(json!({
            "currency": "EUR", "vat": 20,
            "pricing_plans": {"server": {"fixed_servers": [{"name": "M", "price_net": 9.99, "price_gross": 12.09, "unit": "server/month"}],
                "flexible_sever": [{"name": "CPU", "price_net": "4", "price_gross": 4.84}]},
                "software_licenses": [{"name": "red_hat_enterprise_linux", "price_net": 10, "pice_gross": 12.1}],
                "image": {"name": "storage", "price_net": 0.1}}
        }))
        .unwrap();
        assert_eq!(
            p.pricing_plans.server.flexible_server[0].price_net,
            Some(4.0)
        );
        assert_eq!(p.pricing_plans.software_licenses[0].price_gross, Some(12.1));
        assert_eq!(p.pricing_plans.server.fixed_servers[0].name, "M");
    }

    #[test]
    fn datacenter_default_is_an_int_flag() {
        let d: Datacenter = serde_json::from_value(
            json!({"id": "D", "location": "Spain", "country_code": "ES", "default": 1}),
        )
        .unwrap();
        assert!(d.default);
    }
}
