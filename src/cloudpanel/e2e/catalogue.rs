//! What nodes can be made of: OS images by category, and the plans for one.

use crate::cloudpanel::de;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One OS image a node can start from: the four values the plans are asked by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ImageChoice {
    /// "Linux Virtual Node", "Windows Virtual Node".
    #[serde(deserialize_with = "de::string")]
    pub display_category: String,
    #[serde(deserialize_with = "de::string")]
    pub category: String,
    #[serde(deserialize_with = "de::string")]
    pub os: String,
    #[serde(deserialize_with = "de::string", alias = "osversion")]
    pub version: String,
}

impl ImageChoice {
    /// "Ubuntu 22.04".
    pub fn label(&self) -> String {
        format!("{} {}", self.os, self.version).trim().to_owned()
    }

    /// One value for a form's select: the four fields joined by `|`.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.display_category, self.category, self.os, self.version
        )
    }

    pub fn from_key(key: &str) -> Option<ImageChoice> {
        let mut parts = key.split('|');
        let choice = ImageChoice {
            display_category: parts.next()?.to_owned(),
            category: parts.next()?.to_owned(),
            os: parts.next()?.to_owned(),
            version: parts.next()?.to_owned(),
        };
        (parts.next().is_none() && !choice.os.is_empty()).then_some(choice)
    }
}

/// A committed price of a plan: so many days at a fixed price.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CommittedSku {
    #[serde(deserialize_with = "de::lenient_i64")]
    pub committed_sku_id: i64,
    #[serde(deserialize_with = "de::string")]
    pub committed_sku_name: String,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub committed_days: u32,
    #[serde(deserialize_with = "de::lenient_f64")]
    pub committed_sku_price: f64,
}

/// A plan's size and price.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanSpecs {
    #[serde(deserialize_with = "de::lenient_u32")]
    pub cpu: u32,
    #[serde(deserialize_with = "de::string")]
    pub ram: String,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub disk_space: u32,
    #[serde(deserialize_with = "de::lenient_f64")]
    pub price_per_hour: f64,
    #[serde(deserialize_with = "de::lenient_f64")]
    pub price_per_month: f64,
    #[serde(deserialize_with = "de::string")]
    pub series: String,
}

/// A plan a node of one image can have.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Plan {
    /// "C2.12GB".
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// What `POST /nodes/` takes as `plan`.
    #[serde(deserialize_with = "de::string")]
    pub plan: String,
    /// What `POST /nodes/` takes as `image`.
    #[serde(deserialize_with = "de::string")]
    pub image: String,
    #[serde(deserialize_with = "de::obj")]
    pub specs: PlanSpecs,
    #[serde(deserialize_with = "de::string")]
    pub currency: String,
    #[serde(deserialize_with = "de::string")]
    pub location: String,
    #[serde(deserialize_with = "de::vec")]
    pub committed_sku: Vec<CommittedSku>,
}

/// The category list comes as `{category_list: [{OS, version: [..]}]}`;
/// a flat list of choices is read too.
fn choices_of(v: &Value) -> Vec<ImageChoice> {
    let groups = v.get("category_list").unwrap_or(v);
    let Some(groups) = groups.as_array() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for group in groups {
        match group.get("version").and_then(Value::as_array) {
            Some(versions) => out.extend(de::decode_items_ref::<ImageChoice>(&Value::Array(
                versions.clone(),
            ))),
            None => out.extend(de::decode_items_ref::<ImageChoice>(&Value::Array(vec![
                group.clone(),
            ]))),
        }
    }
    out.retain(|c| !c.os.is_empty());
    out
}

impl AccountClient {
    /// The OS images nodes can start from.
    pub async fn image_choices(&self) -> Result<Fetched<Vec<ImageChoice>>, CloudError> {
        let f = self.read_value("/images/category-list/", &[]).await?;
        let choices = choices_of(&f.value);
        Ok(f.map(|_| choices))
    }

    /// The plans for one image.
    pub async fn plans(&self, image: &ImageChoice) -> Result<Fetched<Vec<Plan>>, CloudError> {
        self.list(
            "/images/",
            &[
                ("display_category", image.display_category.clone()),
                ("category", image.category.clone()),
                ("osversion", image.version.clone()),
                ("os", image.os.clone()),
            ],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_shapes_of_the_category_list_are_read() {
        let nested = json!({"category_list": [{"OS": "Ubuntu", "version": [
            {"os": "Ubuntu", "version": "22.04", "display_category": "Linux Virtual Node", "category": "Ubuntu"}
        ]}]});
        let flat = json!([{"os": "Debian", "osversion": "12", "display_category": "Linux Virtual Node", "category": "Debian"}]);
        assert_eq!(choices_of(&nested)[0].label(), "Ubuntu 22.04");
        assert_eq!(choices_of(&flat)[0].version, "12");
        let key = choices_of(&nested)[0].key();
        assert_eq!(
            ImageChoice::from_key(&key),
            Some(choices_of(&nested)[0].clone())
        );
        assert_eq!(ImageChoice::from_key("a|b"), None);
    }
}
