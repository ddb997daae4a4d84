//! Logs (2) and usages (1).

use super::common::IdName;
use super::de::{self, Timestamp};
use super::{AccountClient, CloudError, Fetched, ListQuery, TimeRange, seg};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct LogEntry {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    pub start_date: Timestamp,
    pub end_date: Timestamp,
    /// Seconds.
    #[serde(deserialize_with = "de::lenient_u32")]
    pub duration: u32,
    #[serde(deserialize_with = "de::obj")]
    pub status: LogStatus,
    /// `CREATE`, `DELETE`, ...
    #[serde(deserialize_with = "de::string")]
    pub action: String,
    /// The resource type, e.g. `MONITORINGPOLICY`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    #[serde(deserialize_with = "de::opt_obj")]
    pub resource: Option<IdName>,
    /// Free-form.
    pub details: Value,
    #[serde(deserialize_with = "de::opt_obj")]
    pub user: Option<IdName>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct LogStatus {
    /// e.g. `COMPLETED`.
    #[serde(deserialize_with = "de::string")]
    pub state: String,
    #[serde(deserialize_with = "de::opt_u32")]
    pub percent: Option<u32>,
}

/// `GET /usages`: resource class (`SERVERS`, `IMAGES`, ...) → items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usages(pub BTreeMap<String, Vec<UsageItem>>);

impl<'de> Deserialize<'de> for Usages {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Object(m) = Value::deserialize(d)? else {
            return Ok(Usages::default());
        };
        Ok(Usages(
            m.into_iter()
                .map(|(k, v)| (k, de::decode_items(v)))
                .collect(),
        ))
    }
}

/// The usages as the API sent them: resource class → list of items.
impl Serialize for Usages {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct UsageItem {
    #[serde(deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::vec")]
    pub services: Vec<UsageService>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct UsageService {
    /// `CPU`, `RAM`, `HDD`, `IP`, `size`, `UNUSED_IP`, ...
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// A string in the reference.
    #[serde(deserialize_with = "de::string")]
    pub avg_amount: String,
    #[serde(deserialize_with = "de::string")]
    pub unit: String,
    #[serde(deserialize_with = "de::lenient_f64")]
    pub usage: f64,
    #[serde(deserialize_with = "de::vec")]
    pub detail: Vec<UsageDetail>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct UsageDetail {
    #[serde(deserialize_with = "de::string")]
    pub avg_amount: String,
    #[serde(deserialize_with = "de::string")]
    pub unit: String,
    pub start_date: Timestamp,
    pub end_date: Timestamp,
    #[serde(deserialize_with = "de::lenient_f64")]
    pub usage: f64,
}

fn range_and_list(range: &TimeRange, q: &ListQuery) -> Vec<(&'static str, String)> {
    let mut pairs = range.pairs();
    pairs.extend(q.pairs());
    pairs
}

impl AccountClient {
    pub async fn list_logs(
        &self,
        range: &TimeRange,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<LogEntry>>, CloudError> {
        self.list("/logs", &range_and_list(range, q)).await
    }

    pub async fn get_log(&self, id: &str) -> Result<Fetched<LogEntry>, CloudError> {
        self.get(&format!("/logs/{}", seg(id)), &[]).await
    }

    pub async fn get_usages(
        &self,
        range: &TimeRange,
        q: &ListQuery,
    ) -> Result<Fetched<Usages>, CloudError> {
        self.get("/usages", &range_and_list(range, q)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn logs_and_usages_from_the_reference_are_read() {
        let l: LogEntry = serde_json::from_value(json!({
            "id": "L", "start_date": "2015-05-07T07:20:01Z", "duration": "12",
            "status": {"state": "COMPLETED", "percent": 100}, "action": "CREATE", "type": "MONITORINGPOLICY",
            "resource": {"id": "M", "name": "policy"}, "details": {}, "user": {"id": "U", "name": "admin"}
        }))
        .unwrap();
        assert_eq!(l.duration, 12);
        assert_eq!(l.status.percent, Some(100));
        let u: Usages = serde_json::from_value(json!({
            "SERVERS": [{"id": "S", "name": "web", "services": [{"type": "CPU", "avg_amount": "1.00", "unit": "vCore", "usage": "24",
                "detail": [{"avg_amount": 1, "unit": "vCore", "start_date": "2015-05-07T00:00:00Z", "usage": 24}]}]}],
            "PUBLIC_IPS": [{"name": "10.5.135.140", "services": [{"type": "UNUSED_IP", "usage": 12}]}],
            "NEW_THING": null
        }))
        .unwrap();
        assert_eq!(u.0["SERVERS"][0].services[0].usage, 24.0);
        assert_eq!(u.0["SERVERS"][0].services[0].detail[0].avg_amount, "1");
        assert_eq!(u.0["PUBLIC_IPS"][0].id, None);
        assert!(u.0["NEW_THING"].is_empty());
    }

    #[test]
    fn usages_are_written_back_by_resource_class() {
        let u: Usages = serde_json::from_value(json!({
            "SERVERS": [{"id": "S", "name": "web", "services": [{"type": "CPU", "avg_amount": "1.00", "unit": "vCore", "usage": "24",
                "detail": [{"avg_amount": 1, "unit": "vCore", "start_date": "2015-05-07T00:00:00Z", "end_date": "", "usage": 24}]}]}],
            "NEW_THING": null
        }))
        .unwrap();
        let written = serde_json::to_value(&u).unwrap();
        assert_eq!(written["NEW_THING"], json!([]));
        let service = &written["SERVERS"][0]["services"][0];
        assert_eq!(service["type"], json!("CPU"));
        assert_eq!(service["usage"], json!(24.0));
        assert_eq!(
            service["detail"][0]["start_date"],
            json!("2015-05-07T00:00:00+00:00")
        );
        let again: Usages = serde_json::from_value(written).unwrap();
        assert_eq!(again, u);
    }
}
