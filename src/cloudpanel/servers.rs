//! Servers and their sub-resources (37 endpoints).

use super::common::{DatacenterRef, Empty, IdBody, IdName, IpType, ServerStatus, ServerType};
use super::de::{self, Timestamp, api_enum};
use super::networks::PrivateNetwork;
use super::{AccountClient, CloudError, Fetched, ListQuery, seg};
use serde::{Deserialize, Deserializer, Serialize};

/// A server, as `GET /servers/{id}` and most server changes return it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Server {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    pub server_type: ServerType,
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    pub creation_date: Timestamp,
    /// The first root password, when it was generated.
    // A password: never written out by the panel's API.
    #[serde(deserialize_with = "de::opt_string", skip_serializing)]
    pub first_password: Option<String>,
    /// True when SSH password login is enabled.
    #[serde(deserialize_with = "de::lenient_bool")]
    pub ssh_password: bool,
    #[serde(deserialize_with = "de::obj")]
    pub status: ServerStatus,
    #[serde(deserialize_with = "de::obj")]
    pub hardware: Hardware,
    #[serde(deserialize_with = "de::opt_obj")]
    pub image: Option<IdName>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub dvd: Option<IdName>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub snapshot: Option<Snapshot>,
    #[serde(deserialize_with = "de::vec")]
    pub ips: Vec<ServerIp>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub alerts: Option<Alerts>,
    #[serde(deserialize_with = "de::opt_obj")]
    pub monitoring_policy: Option<IdName>,
    #[serde(deserialize_with = "de::vec")]
    pub private_networks: Vec<IdName>,
}

impl Server {
    /// Something is in progress (deploying, powering off, ...).
    pub fn is_transitional(&self) -> bool {
        self.status.state.is_transitional()
    }

    pub fn main_ip(&self) -> Option<&ServerIp> {
        self.ips
            .iter()
            .find(|i| i.main)
            .or_else(|| self.ips.first())
    }
}

/// A fixed-size or baremetal id: `0`, `""` and null all mean "none".
fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(de::opt_string(d)?.filter(|s| !s.is_empty() && s != "0"))
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Hardware {
    #[serde(deserialize_with = "opt_id")]
    pub baremetal_model_id: Option<String>,
    #[serde(deserialize_with = "opt_id")]
    pub fixed_instance_size_id: Option<String>,
    /// Baremetal models call it `core`.
    #[serde(deserialize_with = "de::lenient_u32", alias = "core")]
    pub vcore: u32,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub cores_per_processor: u32,
    /// GB.
    #[serde(deserialize_with = "de::lenient_f64")]
    pub ram: f64,
    #[serde(deserialize_with = "de::vec")]
    pub hdds: Vec<Hdd>,
}

impl Hardware {
    pub fn total_disk_gb(&self) -> u32 {
        self.hdds.iter().map(|h| h.size).sum()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Hdd {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// GB.
    #[serde(deserialize_with = "de::lenient_u32")]
    pub size: u32,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub is_main: bool,
}

/// An IP of a server.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerIp {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub ip: String,
    #[serde(rename = "type")]
    pub ip_type: IpType,
    #[serde(deserialize_with = "de::opt_string")]
    pub reverse_dns: Option<String>,
    /// Provided through DHCP (single-server answers only).
    #[serde(deserialize_with = "de::lenient_bool")]
    pub main: bool,
    /// Two examples spell it `firewall_policies`.
    #[serde(deserialize_with = "de::opt_obj", alias = "firewall_policies")]
    pub firewall_policy: Option<IdName>,
    #[serde(deserialize_with = "de::vec")]
    pub load_balancers: Vec<IdName>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Snapshot {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    pub creation_date: Timestamp,
    pub deletion_date: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Alerts {
    #[serde(deserialize_with = "de::vec")]
    pub critical: Vec<Alert>,
    #[serde(deserialize_with = "de::vec")]
    pub warning: Vec<Alert>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Alert {
    pub date: Timestamp,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    /// `agent`, `internal_ping`, `cpu`, `disk`, `ram`, ...
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
}

// ---- requests ----

/// The hardware of a new server: a fixed size, a baremetal model, or custom.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateHardware {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baremetal_model_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_instance_size_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcore: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cores_per_processor: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ram: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hdds: Option<Vec<NewHdd>>,
}

impl CreateHardware {
    pub fn fixed(fixed_instance_size_id: impl Into<String>) -> Self {
        CreateHardware {
            fixed_instance_size_id: Some(fixed_instance_size_id.into()),
            ..Self::default()
        }
    }

    pub fn baremetal(baremetal_model_id: impl Into<String>) -> Self {
        CreateHardware {
            baremetal_model_id: Some(baremetal_model_id.into()),
            ..Self::default()
        }
    }

    /// `hdds`: the first must be the main disk.
    pub fn custom(vcore: u32, cores_per_processor: u32, ram_gb: f64, hdds: Vec<NewHdd>) -> Self {
        CreateHardware {
            vcore: Some(vcore),
            cores_per_processor: Some(cores_per_processor),
            ram: Some(ram_gb),
            hdds: Some(hdds),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NewHdd {
    /// GB, 20..2000 in steps of 20.
    pub size: u32,
    pub is_main: bool,
}

impl NewHdd {
    pub fn main(size: u32) -> Self {
        NewHdd {
            size,
            is_main: true,
        }
    }

    pub fn extra(size: u32) -> Self {
        NewHdd {
            size,
            is_main: false,
        }
    }
}

api_enum!(UserDataContentType {
    Sh => "sh",
    Yaml => "yaml",
    Txt => "txt",
    Cdm => "cdm",
});

/// `POST /servers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateServer {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_type: Option<ServerType>,
    pub hardware: CreateHardware,
    /// The image to install (from `/server_appliances`).
    pub appliance_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
    /// False allows SSH-key login only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_password: Option<bool>,
    /// SSH key ids from `/ssh_keys`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<Vec<String>>,
    /// A literal public key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsa_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data_content_type: Option<UserDataContentType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power_on: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firewall_policy_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitoring_policy_id: Option<String>,
}

impl CreateServer {
    pub fn new(
        name: impl Into<String>,
        appliance_id: impl Into<String>,
        hardware: CreateHardware,
    ) -> Self {
        CreateServer {
            name: name.into(),
            appliance_id: appliance_id.into(),
            hardware,
            ..Self::default()
        }
    }
}

/// `PUT /servers/{id}`: both fields are required by the API.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateServer {
    pub name: String,
    pub description: String,
}

/// `PUT /servers/{id}/hardware`: a fixed size, or vcore/cores/ram.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateHardware {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_instance_size_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcore: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cores_per_processor: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ram: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AddHdds {
    pub hdds: Vec<NewHdd>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResizeHdd {
    pub size: u32,
}

/// `PUT /servers/{id}/image`: reinstall.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReinstallImage {
    /// The image id.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_password: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsa_key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AddServerIp {
    /// Only IPV4 is accepted at the moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_ip: Option<IpType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
struct KeepIp {
    keep_ip: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct LoadBalancerIdBody {
    load_balancer_id: String,
}

api_enum!(PowerAction {
    PowerOn => "POWER_ON",
    PowerOff => "POWER_OFF",
    Reboot => "REBOOT",
});

api_enum!(PowerMethod {
    Software => "SOFTWARE",
    Hardware => "HARDWARE",
});

/// `PUT /servers/{id}/status/action`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerAction {
    pub action: PowerAction,
    /// Required for cloud servers when powering off or rebooting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<PowerMethod>,
    /// Baremetal only: restart into a recovery image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_mode: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_image_id: Option<String>,
}

impl ServerAction {
    pub fn power_on() -> Self {
        ServerAction {
            action: PowerAction::PowerOn,
            method: None,
            recovery_mode: None,
            recovery_image_id: None,
        }
    }

    pub fn power_off(method: PowerMethod) -> Self {
        ServerAction {
            action: PowerAction::PowerOff,
            method: Some(method),
            recovery_mode: None,
            recovery_image_id: None,
        }
    }

    pub fn reboot(method: PowerMethod) -> Self {
        ServerAction {
            action: PowerAction::Reboot,
            method: Some(method),
            recovery_mode: None,
            recovery_image_id: None,
        }
    }

    /// Restart a baremetal server into a recovery appliance.
    pub fn reboot_into_recovery(method: PowerMethod, recovery_image_id: impl Into<String>) -> Self {
        ServerAction {
            action: PowerAction::Reboot,
            method: Some(method),
            recovery_mode: Some(true),
            recovery_image_id: Some(recovery_image_id.into()),
        }
    }
}

/// `POST /servers/{id}/clone`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CloneServer {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
}

fn server_path(id: &str) -> String {
    format!("/servers/{}", seg(id))
}

impl AccountClient {
    // ---- core ----

    pub async fn list_servers(&self, q: &ListQuery) -> Result<Fetched<Vec<Server>>, CloudError> {
        self.list("/servers", &q.pairs()).await
    }

    /// [`Self::list_servers`] without a copy: the decoded list is shared by
    /// every read of the same cached answer.
    pub async fn list_servers_shared(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<std::sync::Arc<Vec<Server>>>, CloudError> {
        self.list_shared("/servers", &q.pairs()).await
    }

    /// Answers 202 with the server in DEPLOYING.
    pub async fn create_server(&self, body: &CreateServer) -> Result<Server, CloudError> {
        self.post("/servers", body).await
    }

    pub async fn get_server(&self, id: &str) -> Result<Fetched<Server>, CloudError> {
        self.get(&server_path(id), &[]).await
    }

    /// Rename or re-describe.
    pub async fn update_server(&self, id: &str, body: &UpdateServer) -> Result<Server, CloudError> {
        self.put(&server_path(id), body).await
    }

    /// `keep_ip` keeps the server's IPs after deletion.
    pub async fn delete_server(&self, id: &str, keep_ip: bool) -> Result<Server, CloudError> {
        let query = if keep_ip {
            vec![("keep_ip", "true".to_string())]
        } else {
            Vec::new()
        };
        self.delete(&server_path(id), &query).await
    }

    // ---- hardware ----

    pub async fn get_server_hardware(&self, id: &str) -> Result<Fetched<Hardware>, CloudError> {
        self.get(&format!("{}/hardware", server_path(id)), &[])
            .await
    }

    pub async fn update_server_hardware(
        &self,
        id: &str,
        body: &UpdateHardware,
    ) -> Result<Server, CloudError> {
        self.put(&format!("{}/hardware", server_path(id)), body)
            .await
    }

    pub async fn list_server_hdds(&self, id: &str) -> Result<Fetched<Vec<Hdd>>, CloudError> {
        self.list(&format!("{}/hardware/hdds", server_path(id)), &[])
            .await
    }

    pub async fn add_server_hdds(&self, id: &str, body: &AddHdds) -> Result<Server, CloudError> {
        self.post(&format!("{}/hardware/hdds", server_path(id)), body)
            .await
    }

    pub async fn get_server_hdd(&self, id: &str, hdd_id: &str) -> Result<Fetched<Hdd>, CloudError> {
        self.get(
            &format!("{}/hardware/hdds/{}", server_path(id), seg(hdd_id)),
            &[],
        )
        .await
    }

    pub async fn resize_server_hdd(
        &self,
        id: &str,
        hdd_id: &str,
        size_gb: u32,
    ) -> Result<Server, CloudError> {
        let path = format!("{}/hardware/hdds/{}", server_path(id), seg(hdd_id));
        self.put(&path, &ResizeHdd { size: size_gb }).await
    }

    pub async fn delete_server_hdd(&self, id: &str, hdd_id: &str) -> Result<Server, CloudError> {
        self.delete(
            &format!("{}/hardware/hdds/{}", server_path(id), seg(hdd_id)),
            &[],
        )
        .await
    }

    // ---- image ----

    pub async fn get_server_image(&self, id: &str) -> Result<Fetched<IdName>, CloudError> {
        self.get(&format!("{}/image", server_path(id)), &[]).await
    }

    /// Reinstall the server with an image.
    pub async fn reinstall_server_image(
        &self,
        id: &str,
        body: &ReinstallImage,
    ) -> Result<Server, CloudError> {
        self.put(&format!("{}/image", server_path(id)), body).await
    }

    // ---- IPs ----

    pub async fn list_server_ips(&self, id: &str) -> Result<Fetched<Vec<ServerIp>>, CloudError> {
        self.list(&format!("{}/ips", server_path(id)), &[]).await
    }

    pub async fn add_server_ip(&self, id: &str, body: &AddServerIp) -> Result<Server, CloudError> {
        self.post(&format!("{}/ips", server_path(id)), body).await
    }

    pub async fn get_server_ip(
        &self,
        id: &str,
        ip_id: &str,
    ) -> Result<Fetched<ServerIp>, CloudError> {
        self.get(&format!("{}/ips/{}", server_path(id), seg(ip_id)), &[])
            .await
    }

    /// `keep_ip` releases the IP without removing it from the account.
    pub async fn delete_server_ip(
        &self,
        id: &str,
        ip_id: &str,
        keep_ip: bool,
    ) -> Result<Server, CloudError> {
        self.delete_with(
            &format!("{}/ips/{}", server_path(id), seg(ip_id)),
            &KeepIp { keep_ip },
        )
        .await
    }

    pub async fn get_server_ip_firewall_policy(
        &self,
        id: &str,
        ip_id: &str,
    ) -> Result<Fetched<IdName>, CloudError> {
        self.get(
            &format!("{}/ips/{}/firewall_policy", server_path(id), seg(ip_id)),
            &[],
        )
        .await
    }

    pub async fn set_server_ip_firewall_policy(
        &self,
        id: &str,
        ip_id: &str,
        firewall_policy_id: &str,
    ) -> Result<Server, CloudError> {
        let path = format!("{}/ips/{}/firewall_policy", server_path(id), seg(ip_id));
        self.put(&path, &IdBody::new(firewall_policy_id)).await
    }

    pub async fn list_server_ip_load_balancers(
        &self,
        id: &str,
        ip_id: &str,
    ) -> Result<Fetched<Vec<IdName>>, CloudError> {
        self.list(
            &format!("{}/ips/{}/load_balancers", server_path(id), seg(ip_id)),
            &[],
        )
        .await
    }

    pub async fn add_server_ip_load_balancer(
        &self,
        id: &str,
        ip_id: &str,
        load_balancer_id: &str,
    ) -> Result<Server, CloudError> {
        let path = format!("{}/ips/{}/load_balancers", server_path(id), seg(ip_id));
        let body = LoadBalancerIdBody {
            load_balancer_id: load_balancer_id.to_string(),
        };
        self.post(&path, &body).await
    }

    pub async fn remove_server_ip_load_balancer(
        &self,
        id: &str,
        ip_id: &str,
        load_balancer_id: &str,
    ) -> Result<Server, CloudError> {
        let path = format!(
            "{}/ips/{}/load_balancers/{}",
            server_path(id),
            seg(ip_id),
            seg(load_balancer_id)
        );
        self.delete(&path, &[]).await
    }

    // ---- status ----

    pub async fn get_server_status(&self, id: &str) -> Result<Fetched<ServerStatus>, CloudError> {
        self.get(&format!("{}/status", server_path(id)), &[]).await
    }

    /// Power on, power off or reboot.
    pub async fn server_action(
        &self,
        id: &str,
        action: &ServerAction,
    ) -> Result<Server, CloudError> {
        self.put(&format!("{}/status/action", server_path(id)), action)
            .await
    }

    // ---- DVD ----

    pub async fn get_server_dvd(&self, id: &str) -> Result<Fetched<IdName>, CloudError> {
        self.get(&format!("{}/dvd", server_path(id)), &[]).await
    }

    /// Load an ISO (from `/dvd_isos`).
    pub async fn load_server_dvd(&self, id: &str, iso_id: &str) -> Result<Server, CloudError> {
        self.put(&format!("{}/dvd", server_path(id)), &IdBody::new(iso_id))
            .await
    }

    pub async fn eject_server_dvd(&self, id: &str) -> Result<Server, CloudError> {
        self.delete(&format!("{}/dvd", server_path(id)), &[]).await
    }

    // ---- private networks ----

    pub async fn list_server_private_networks(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<IdName>>, CloudError> {
        self.list(&format!("{}/private_networks", server_path(id)), &[])
            .await
    }

    pub async fn add_server_private_network(
        &self,
        id: &str,
        private_network_id: &str,
    ) -> Result<Server, CloudError> {
        self.post(
            &format!("{}/private_networks", server_path(id)),
            &IdBody::new(private_network_id),
        )
        .await
    }

    /// The schema says `{id, name}`, the example a whole network: both are read.
    pub async fn get_server_private_network(
        &self,
        id: &str,
        private_network_id: &str,
    ) -> Result<Fetched<PrivateNetwork>, CloudError> {
        let path = format!(
            "{}/private_networks/{}",
            server_path(id),
            seg(private_network_id)
        );
        self.get(&path, &[]).await
    }

    pub async fn remove_server_private_network(
        &self,
        id: &str,
        private_network_id: &str,
    ) -> Result<Server, CloudError> {
        let path = format!(
            "{}/private_networks/{}",
            server_path(id),
            seg(private_network_id)
        );
        self.delete(&path, &[]).await
    }

    // ---- snapshots ----

    pub async fn list_server_snapshots(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<Snapshot>>, CloudError> {
        self.list(&format!("{}/snapshots", server_path(id)), &[])
            .await
    }

    pub async fn create_server_snapshot(&self, id: &str) -> Result<Server, CloudError> {
        self.post(&format!("{}/snapshots", server_path(id)), &Empty {})
            .await
    }

    /// Restore the snapshot into the server.
    pub async fn restore_server_snapshot(
        &self,
        id: &str,
        snapshot_id: &str,
    ) -> Result<Server, CloudError> {
        let path = format!("{}/snapshots/{}", server_path(id), seg(snapshot_id));
        self.put(&path, &Empty {}).await
    }

    pub async fn delete_server_snapshot(
        &self,
        id: &str,
        snapshot_id: &str,
    ) -> Result<Server, CloudError> {
        self.delete(
            &format!("{}/snapshots/{}", server_path(id), seg(snapshot_id)),
            &[],
        )
        .await
    }

    // ---- clone ----

    /// Answers with the new server.
    pub async fn clone_server(&self, id: &str, body: &CloneServer) -> Result<Server, CloudError> {
        self.post(&format!("{}/clone", server_path(id)), body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudpanel::common::ServerState;
    use serde_json::json;

    /// The `GET /servers` example of the reference.
    fn list_example() -> serde_json::Value {
        json!([{
            "id": "39AA65F5D5B02FA02D58173094EBAF95", "cloudpanel_id": "958FA92",
            "name": "My Server 1", "description": "", "server_type": "cloud",
            "datacenter": {"id": "D0F6D8C8ED29D3036F94C27BBB7BAD36", "location": "USA", "country_code": "US"},
            "creation_date": "2015-05-04T06:32:15+00:00", "first_password": "Fg52K21nz8", "ssh_password": true,
            "status": {"state": "POWERED_OFF", "percent": 0},
            "hardware": {"baremetal_model_id": null, "fixed_instance_size_id": null, "vcore": 1,
                "cores_per_processor": 1, "ram": 2,
                "hdds": [{"id": "8C626C1A7005D0D1F527143C413D461E", "size": 40, "is_main": true}]},
            "image": {"id": "3C3B80327CBBD7F0023F793F666C24D0", "name": "w2008r2datacenter64std"},
            "dvd": {}, "snapshot": {},
            "ips": [{"id": "8D135204687B9CF9E79E7A93C096E336", "ip": "10.4.140.213", "type": "IPV4",
                "reverse_dns": "", "firewall_policy": {"id": "7DFF10879F4EBA8D478A1D58A46665AE", "name": "Linux"},
                "load_balancers": []}],
            "alerts": null, "monitoring_policy": null, "private_networks": []
        }])
    }

    #[test]
    fn the_reference_list_example_decodes() {
        let servers: Vec<Server> = crate::cloudpanel::de::decode_items(list_example());
        let s = &servers[0];
        assert_eq!(s.name, "My Server 1");
        assert_eq!(s.server_type, ServerType::Cloud);
        assert_eq!(s.status.state, ServerState::PoweredOff);
        assert_eq!(s.hardware.hdds[0].size, 40);
        assert!((s.hardware.ram - 2.0).abs() < f64::EPSILON);
        assert_eq!(s.dvd, None);
        assert_eq!(s.snapshot, None);
        assert_eq!(
            s.ips[0].firewall_policy.as_ref().map(|f| f.name.as_str()),
            Some("Linux")
        );
        assert_eq!(s.datacenter.country_code, "US");
        assert!(s.creation_date.parsed().is_some());
    }

    #[test]
    fn a_loose_server_still_decodes() {
        // The POST example's oddities plus what real payloads do.
        let s: Server = serde_json::from_value(json!({
            "id": "A", "name": 42, "status": {"state": "POWERING_ON", "percent": "20"},
            "hardware": {"fixed_instance_size_id": 0, "vcore": "2", "cores_per_processor": null, "ram": "1.5",
                "hdds": [{"id": "H", "size": "60", "is_main": "true"}, null]},
            "ips": null, "private_networks": null, "alerts": [],
            "snapshot": {"id": "S", "creation_date": "30-06-2015T 14:52:35+00.00"},
            "ips_extra": 1, "datacenter": null, "creation_date": null,
            "firewall": "unexpected"
        }))
        .unwrap();
        assert_eq!(s.name, "42");
        assert!(s.is_transitional());
        assert_eq!(s.status.percent, Some(20));
        assert_eq!(s.hardware.fixed_instance_size_id, None);
        assert_eq!(s.hardware.vcore, 2);
        assert_eq!(s.hardware.total_disk_gb(), 60);
        assert!(s.hardware.hdds[0].is_main);
        assert!(s.ips.is_empty());
        assert_eq!(s.alerts, None);
        assert!(
            s.snapshot
                .as_ref()
                .is_some_and(|sn| sn.creation_date.parsed().is_none())
        );
    }

    #[test]
    fn alerts_and_plural_firewall_policies_are_read() {
        let s: Server = serde_json::from_value(json!({
            "alerts": {"critical": [{"date": "2015-05-07 09:47:34", "description": "MONITORING_AGENT_NOT_INSTALLED", "type": "agent"}], "warning": []},
            "ips": [{"id": "I", "ip": "1.2.3.4", "type": "IPV4", "main": true, "firewall_policies": {"id": "F", "name": "Linux"}}]
        }))
        .unwrap();
        let alerts = s.alerts.clone().unwrap_or_default();
        assert_eq!(alerts.critical[0].kind, "agent");
        assert!(alerts.critical[0].date.parsed().is_some());
        assert_eq!(s.main_ip().map(|i| i.ip.as_str()), Some("1.2.3.4"));
        assert_eq!(
            s.ips[0].firewall_policy.as_ref().map(|f| f.id.as_str()),
            Some("F")
        );
    }

    #[test]
    fn requests_leave_out_what_is_not_set() {
        let body = CreateServer::new("web", "APP", CreateHardware::fixed("M"));
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"name": "web", "appliance_id": "APP", "hardware": {"fixed_instance_size_id": "M"}})
        );
        let custom = CreateHardware::custom(2, 1, 4.0, vec![NewHdd::main(40), NewHdd::extra(20)]);
        assert_eq!(
            serde_json::to_value(&custom).unwrap(),
            json!({"vcore": 2, "cores_per_processor": 1, "ram": 4.0, "hdds": [{"size": 40, "is_main": true}, {"size": 20, "is_main": false}]})
        );
        assert_eq!(
            serde_json::to_value(ServerAction::power_off(PowerMethod::Software)).unwrap(),
            json!({"action": "POWER_OFF", "method": "SOFTWARE"})
        );
        assert_eq!(
            serde_json::to_value(ServerAction::power_on()).unwrap(),
            json!({"action": "POWER_ON"})
        );
    }

    #[test]
    fn a_servers_first_password_is_never_serialised() {
        let servers: Vec<Server> = crate::cloudpanel::de::decode_items(list_example());
        let written = serde_json::to_value(&servers[0]).unwrap();
        assert!(!written.to_string().contains("Fg52K21nz8"));
        assert!(written.get("first_password").is_none());
        assert_eq!(written["ips"][0]["type"], json!("IPV4"));
        assert_eq!(written["status"]["state"], json!("POWERED_OFF"));
        let again: Server = serde_json::from_value(written).unwrap();
        assert_eq!(
            again,
            Server {
                first_password: None,
                ..servers[0].clone()
            }
        );
    }
}
