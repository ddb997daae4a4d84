//! Monitoring center (2) and monitoring policies (19).

use super::common::{DatacenterRef, IdName, IdsBody, NameDescription, ResourceState, ServerState};
use super::de::{self, Timestamp};
use super::{AccountClient, CloudError, Fetched, ListQuery, TimeRange, seg};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

// ---------------------------------------------------------------- center

/// One monitored server in `GET /monitoring_center`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct MonitoredServer {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::obj")]
    pub status: MonitorStatus,
    /// Examples also say `alerts_count`.
    #[serde(deserialize_with = "de::obj", alias = "alerts_count")]
    pub alerts: AlertCounts,
    #[serde(deserialize_with = "de::obj")]
    pub agent: AgentInfo,
    #[serde(deserialize_with = "de::obj", alias = "region")]
    pub datacenter: DatacenterRef,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct MonitorStatus {
    pub state: ServerState,
    /// Free text such as "CPU usage: OK - CPU_Total 0% used".
    #[serde(deserialize_with = "state_text")]
    pub cpu: Option<String>,
    #[serde(deserialize_with = "state_text")]
    pub ram: Option<String>,
    #[serde(deserialize_with = "state_text")]
    pub disk: Option<String>,
    #[serde(deserialize_with = "state_text")]
    pub transfer: Option<String>,
    #[serde(deserialize_with = "state_text")]
    pub internal_ping: Option<String>,
}

/// `{state: "..."}` or a bare string.
fn state_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Object(m) => m.get("state").and_then(Value::as_str).map(str::to_string),
        _ => None,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct AlertCounts {
    #[serde(deserialize_with = "de::obj")]
    pub resources: Counts,
    #[serde(deserialize_with = "de::obj")]
    pub ports: Counts,
    #[serde(deserialize_with = "de::obj")]
    pub process: Counts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct Counts {
    #[serde(deserialize_with = "de::lenient_u32")]
    pub critical: u32,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub warning: u32,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub ok: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AgentInfo {
    #[serde(deserialize_with = "de::lenient_bool")]
    pub agent_installed: bool,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub monitoring_needs_agent: bool,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub missing_agent_alert: bool,
}

/// `GET /monitoring_center/{server_id}`: usage over a time range.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerMonitoring {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::obj")]
    pub status: MonitorStatus,
    #[serde(deserialize_with = "de::obj", alias = "alerts_count")]
    pub alerts: AlertCounts,
    #[serde(deserialize_with = "de::obj")]
    pub agent: AgentInfo,
    #[serde(deserialize_with = "de::obj", alias = "region")]
    pub datacenter: DatacenterRef,
    #[serde(deserialize_with = "de::opt_obj")]
    pub cpu: Option<Series>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub ram: Option<Series>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub disk: Option<Series>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub internal_ping: Option<Series>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub transfer: Option<Series>,
}

/// A measured resource: thresholds, samples and units.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Series {
    #[serde(deserialize_with = "de::opt_f64")]
    pub critical: Option<f64>,
    #[serde(deserialize_with = "de::opt_f64")]
    pub warning: Option<f64>,
    #[serde(deserialize_with = "de::vec")]
    pub data: Vec<Sample>,
    /// Per measured field, e.g. `used_percent` → `%`.
    #[serde(deserialize_with = "de::obj")]
    pub unit: std::collections::BTreeMap<String, Value>,
    #[serde(deserialize_with = "state_text")]
    pub status: Option<String>,
}

/// One sample: its date and every numeric field (`used_percent`, `pl`, `rta`, ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub date: Timestamp,
    pub values: Vec<(String, f64)>,
}

impl Sample {
    pub fn get(&self, field: &str) -> Option<f64> {
        self.values
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| *v)
    }
}

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Object(m) = Value::deserialize(d)? else {
            return Ok(Sample::default());
        };
        let mut s = Sample::default();
        for (k, v) in m {
            if k == "date" {
                s.date = v.as_str().map(Timestamp::parse).unwrap_or_default();
            } else if let Some(f) = v
                .as_f64()
                .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))
            {
                s.values.push((k, f));
            }
        }
        Ok(s)
    }
}

/// The sample as the API sent it: one object with `date` (left out when
/// there was none) beside each numeric field.
impl Serialize for Sample {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let dated = !self.date.is_empty();
        let mut m = s.serialize_map(Some(self.values.len() + usize::from(dated)))?;
        if dated {
            m.serialize_entry("date", &self.date)?;
        }
        for (k, v) in &self.values {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

// -------------------------------------------------------------- policies

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct MonitoringPolicy {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    /// The default policy cannot be changed or deleted.
    #[serde(deserialize_with = "de::lenient_bool")]
    pub default: bool,
    pub state: ResourceState,
    pub creation_date: Timestamp,
    /// Where notifications go.
    #[serde(deserialize_with = "de::string")]
    pub email: String,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub agent: bool,
    #[serde(deserialize_with = "de::vec")]
    pub servers: Vec<IdName>,
    #[serde(deserialize_with = "de::obj")]
    pub thresholds: Thresholds,
    #[serde(deserialize_with = "de::vec")]
    pub ports: Vec<PortAlert>,
    #[serde(deserialize_with = "de::vec")]
    pub processes: Vec<ProcessAlert>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    #[serde(deserialize_with = "de::obj")]
    pub cpu: Threshold,
    #[serde(deserialize_with = "de::obj")]
    pub ram: Threshold,
    #[serde(deserialize_with = "de::obj")]
    pub disk: Threshold,
    #[serde(deserialize_with = "de::obj")]
    pub internal_ping: Threshold,
    #[serde(deserialize_with = "de::obj")]
    pub transfer: Threshold,
}

impl Thresholds {
    /// The reference's example defaults, no alerts.
    pub fn defaults() -> Self {
        let t = |w, c| Threshold {
            warning: Level {
                alert: false,
                value: w,
            },
            critical: Level {
                alert: false,
                value: c,
            },
        };
        Thresholds {
            cpu: t(90, 95),
            ram: t(90, 95),
            disk: t(80, 90),
            internal_ping: t(50, 100),
            transfer: t(1000, 2000),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Threshold {
    #[serde(deserialize_with = "de::obj")]
    pub warning: Level,
    #[serde(deserialize_with = "de::obj")]
    pub critical: Level,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Level {
    #[serde(deserialize_with = "de::lenient_bool")]
    pub alert: bool,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub value: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct PortAlert {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// `TCP` or `UDP`.
    #[serde(deserialize_with = "de::string")]
    pub protocol: String,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub port: u32,
    /// `RESPONDING` or `NOT_RESPONDING`.
    #[serde(deserialize_with = "de::string")]
    pub alert_if: String,
    #[serde(deserialize_with = "de::lenient_bool", alias = "email_notifications")]
    pub email_notification: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ProcessAlert {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub process: String,
    /// `RUNNING` or `NOT_RUNNING`.
    #[serde(deserialize_with = "de::string")]
    pub alert_if: String,
    #[serde(deserialize_with = "de::lenient_bool", alias = "email_notifications")]
    pub email_notification: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewPortAlert {
    pub protocol: String,
    pub port: u32,
    pub alert_if: String,
    pub email_notification: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewProcessAlert {
    pub process: String,
    pub alert_if: String,
    pub email_notification: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateMonitoringPolicy {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub email: String,
    pub agent: bool,
    pub thresholds: Thresholds,
    pub ports: Vec<NewPortAlert>,
    pub processes: Vec<NewProcessAlert>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateMonitoringPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
}

impl From<NameDescription> for UpdateMonitoringPolicy {
    fn from(n: NameDescription) -> Self {
        UpdateMonitoringPolicy {
            name: n.name,
            description: n.description,
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct PortsBody<'a, T: Serialize> {
    ports: &'a T,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ProcessesBody<'a, T: Serialize> {
    processes: &'a T,
}

fn mp_path(id: &str) -> String {
    format!("/monitoring_policies/{}", seg(id))
}

impl AccountClient {
    // ---- monitoring center ----

    pub async fn list_monitoring_center(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<MonitoredServer>>, CloudError> {
        self.list("/monitoring_center", &q.pairs()).await
    }

    pub async fn get_server_monitoring(
        &self,
        server_id: &str,
        range: &TimeRange,
    ) -> Result<Fetched<ServerMonitoring>, CloudError> {
        self.get(
            &format!("/monitoring_center/{}", seg(server_id)),
            &range.pairs(),
        )
        .await
    }

    // ---- monitoring policies ----

    pub async fn list_monitoring_policies(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<MonitoringPolicy>>, CloudError> {
        self.list("/monitoring_policies", &q.pairs()).await
    }

    pub async fn create_monitoring_policy(
        &self,
        body: &CreateMonitoringPolicy,
    ) -> Result<MonitoringPolicy, CloudError> {
        self.post("/monitoring_policies", body).await
    }

    pub async fn get_monitoring_policy(
        &self,
        id: &str,
    ) -> Result<Fetched<MonitoringPolicy>, CloudError> {
        self.get(&mp_path(id), &[]).await
    }

    pub async fn update_monitoring_policy(
        &self,
        id: &str,
        body: &UpdateMonitoringPolicy,
    ) -> Result<MonitoringPolicy, CloudError> {
        self.put(&mp_path(id), body).await
    }

    pub async fn delete_monitoring_policy(&self, id: &str) -> Result<MonitoringPolicy, CloudError> {
        self.delete(&mp_path(id), &[]).await
    }

    pub async fn list_monitoring_policy_ports(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<PortAlert>>, CloudError> {
        self.list(&format!("{}/ports", mp_path(id)), &[]).await
    }

    pub async fn add_monitoring_policy_ports(
        &self,
        id: &str,
        ports: &[NewPortAlert],
    ) -> Result<MonitoringPolicy, CloudError> {
        self.post(
            &format!("{}/ports", mp_path(id)),
            &PortsBody { ports: &ports },
        )
        .await
    }

    pub async fn get_monitoring_policy_port(
        &self,
        id: &str,
        port_id: &str,
    ) -> Result<Fetched<PortAlert>, CloudError> {
        self.get(&format!("{}/ports/{}", mp_path(id), seg(port_id)), &[])
            .await
    }

    /// Protocol and port cannot be changed; the body is one object, not a list.
    pub async fn update_monitoring_policy_port(
        &self,
        id: &str,
        port_id: &str,
        port: &NewPortAlert,
    ) -> Result<MonitoringPolicy, CloudError> {
        self.put(
            &format!("{}/ports/{}", mp_path(id), seg(port_id)),
            &PortsBody { ports: port },
        )
        .await
    }

    pub async fn delete_monitoring_policy_port(
        &self,
        id: &str,
        port_id: &str,
    ) -> Result<MonitoringPolicy, CloudError> {
        self.delete(&format!("{}/ports/{}", mp_path(id), seg(port_id)), &[])
            .await
    }

    pub async fn list_monitoring_policy_processes(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<ProcessAlert>>, CloudError> {
        self.list(&format!("{}/processes", mp_path(id)), &[]).await
    }

    /// Answers the policy's processes (the reference's example), not the policy.
    pub async fn add_monitoring_policy_processes(
        &self,
        id: &str,
        processes: &[NewProcessAlert],
    ) -> Result<Vec<ProcessAlert>, CloudError> {
        let path = format!("{}/processes", mp_path(id));
        self.post_list(
            &path,
            &ProcessesBody {
                processes: &processes,
            },
            "processes",
        )
        .await
    }

    pub async fn get_monitoring_policy_process(
        &self,
        id: &str,
        process_id: &str,
    ) -> Result<Fetched<ProcessAlert>, CloudError> {
        self.get(
            &format!("{}/processes/{}", mp_path(id), seg(process_id)),
            &[],
        )
        .await
    }

    /// The process name cannot be changed; the body is one object.
    pub async fn update_monitoring_policy_process(
        &self,
        id: &str,
        process_id: &str,
        process: &NewProcessAlert,
    ) -> Result<MonitoringPolicy, CloudError> {
        let path = format!("{}/processes/{}", mp_path(id), seg(process_id));
        self.put(&path, &ProcessesBody { processes: process }).await
    }

    pub async fn delete_monitoring_policy_process(
        &self,
        id: &str,
        process_id: &str,
    ) -> Result<MonitoringPolicy, CloudError> {
        self.delete(
            &format!("{}/processes/{}", mp_path(id), seg(process_id)),
            &[],
        )
        .await
    }

    pub async fn list_monitoring_policy_servers(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<IdName>>, CloudError> {
        self.list(&format!("{}/servers", mp_path(id)), &[]).await
    }

    pub async fn add_monitoring_policy_servers(
        &self,
        id: &str,
        server_ids: &[String],
    ) -> Result<MonitoringPolicy, CloudError> {
        let body = IdsBody {
            servers: Some(server_ids),
            ..IdsBody::default()
        };
        self.post(&format!("{}/servers", mp_path(id)), &body).await
    }

    pub async fn get_monitoring_policy_server(
        &self,
        id: &str,
        server_id: &str,
    ) -> Result<Fetched<IdName>, CloudError> {
        self.get(&format!("{}/servers/{}", mp_path(id), seg(server_id)), &[])
            .await
    }

    pub async fn remove_monitoring_policy_server(
        &self,
        id: &str,
        server_id: &str,
    ) -> Result<MonitoringPolicy, CloudError> {
        self.delete(&format!("{}/servers/{}", mp_path(id), seg(server_id)), &[])
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn embedded_ports_with_the_example_keys_are_read() {
        let p: MonitoringPolicy = serde_json::from_value(json!({
            "id": "M", "default": 1, "agent": "true", "state": "ACTIVE",
            "thresholds": {"cpu": {"warning": {"alert": false, "value": "90"}, "critical": {"alert": true, "value": 95}}},
            "ports": [{"id": "P", "protocol": "TCP", "port": "22", "alert_when": false, "alert": true, "email_notifications": true}],
            "processes": [{"id": "Q", "process": "nginx", "alert_if": "NOT_RESPONDING"}]
        }))
        .unwrap();
        assert!(p.default && p.agent);
        assert_eq!(p.thresholds.cpu.warning.value, 90);
        assert!(p.thresholds.cpu.critical.alert);
        assert_eq!(p.thresholds.disk, Threshold::default());
        assert_eq!(p.ports[0].port, 22);
        assert!(p.ports[0].email_notification);
        assert_eq!(p.processes[0].alert_if, "NOT_RESPONDING");
    }

    #[test]
    fn monitoring_data_with_alerts_count_and_invalid_dates_is_read() {
        let m: ServerMonitoring = serde_json::from_value(json!({
            "id": "S", "status": {"state": "POWERED_ON", "cpu": {"state": "OK"}},
            "alerts_count": {"resources": {"critical": "1", "warning": 0, "ok": 4}},
            "cpu": {"critical": 95, "warning": 90, "unit": {"used_percent": "%"},
                    "data": [{"date": "2015-19-05T00:05:00Z", "used_percent": 1.5}, {"date": "2015-05-19T00:10:00Z", "used_percent": "2"}]},
            "internal_ping": {"data": [{"date": "2015-05-19T00:05:00Z", "pl": 0, "rta": 0.5}]}
        }))
        .unwrap();
        assert_eq!(m.status.cpu.as_deref(), Some("OK"));
        assert_eq!(m.alerts.resources.critical, 1);
        let cpu = m.cpu.unwrap_or_default();
        assert_eq!(cpu.data.len(), 2);
        assert!(cpu.data[0].date.parsed().is_none());
        assert_eq!(cpu.data[1].get("used_percent"), Some(2.0));
        assert_eq!(
            m.internal_ping.unwrap_or_default().data[0].get("rta"),
            Some(0.5)
        );
    }

    #[test]
    fn a_sample_is_written_back_as_the_api_sent_it() {
        let read: Vec<Sample> = serde_json::from_value(json!([
            {"date": "2015-05-19T00:05:00Z", "pl": 0, "rta": "0.5", "note": "text"},
            {"used_percent": 2}
        ]))
        .unwrap();
        let written = serde_json::to_value(&read).unwrap();
        assert_eq!(
            written,
            json!([
                {"date": "2015-05-19T00:05:00+00:00", "pl": 0.0, "rta": 0.5},
                {"used_percent": 2.0}
            ])
        );
        let again: Vec<Sample> = serde_json::from_value(written).unwrap();
        assert_eq!(again, read);
    }
}
