//! Firewall policies (12), load balancers (13), public IPs (5), private
//! networks (9) and VPNs (6).

use super::common::{
    DatacenterRef, IdName, IdsBody, IpType, NameDescription, ResourceState, ServerIpRef,
};
use super::de::{self, Timestamp, api_enum};
use super::{AccountClient, CloudError, Fetched, ListQuery, seg};
use serde::{Deserialize, Serialize};

api_enum!(
    /// Firewall and load-balancer rule protocols (create-policy also takes AH and ESP).
    Protocol {
        Tcp => "TCP",
        Udp => "UDP",
        TcpUdp => "TCP/UDP",
        Icmp => "ICMP",
        Ipsec => "IPSEC",
        Ah => "AH",
        Esp => "ESP",
        Gre => "GRE",
        Any => "ANY",
    }
);

// ---------------------------------------------------------------- firewall

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct FirewallPolicy {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    pub state: ResourceState,
    pub creation_date: Timestamp,
    /// The panel's default policy (cannot be changed or deleted).
    #[serde(deserialize_with = "de::lenient_bool")]
    pub default: bool,
    #[serde(deserialize_with = "de::vec")]
    pub rules: Vec<FirewallRule>,
    #[serde(deserialize_with = "de::vec")]
    pub server_ips: Vec<ServerIpRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct FirewallRule {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    pub protocol: Protocol,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    /// `accept` or `deny` (the input says `allow`).
    #[serde(deserialize_with = "de::string")]
    pub action: String,
    #[serde(deserialize_with = "de::opt_u32")]
    pub port_from: Option<u32>,
    #[serde(deserialize_with = "de::opt_u32")]
    pub port_to: Option<u32>,
    /// `0.0.0.0` means everyone.
    #[serde(deserialize_with = "de::string")]
    pub source: String,
}

/// A rule to add: either `port` ("80" or "8000-8080") or `port_from`/`port_to`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewFirewallRule {
    pub protocol: Protocol,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_from: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_to: Option<u32>,
    /// `allow` (default) or `deny` (only with ANY).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl NewFirewallRule {
    pub fn ports(protocol: Protocol, from: u32, to: u32) -> Self {
        NewFirewallRule {
            protocol,
            port_from: Some(from),
            port_to: Some(to),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateFirewallPolicy {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub rules: Vec<NewFirewallRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct RulesBody<'a, T> {
    rules: &'a [T],
}

// ----------------------------------------------------------- load balancers

api_enum!(HealthCheckTest {
    None => "NONE",
    Tcp => "TCP",
    Http => "HTTP",
    Icmp => "ICMP",
});

api_enum!(BalancingMethod {
    RoundRobin => "ROUND_ROBIN",
    LeastConnections => "LEAST_CONNECTIONS",
});

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct LoadBalancer {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    pub state: ResourceState,
    pub creation_date: Timestamp,
    /// Null right after creation.
    #[serde(deserialize_with = "de::opt_string")]
    pub ip: Option<String>,
    pub health_check_test: HealthCheckTest,
    /// Seconds.
    #[serde(deserialize_with = "de::lenient_u32")]
    pub health_check_interval: u32,
    #[serde(deserialize_with = "de::opt_string")]
    pub health_check_path: Option<String>,
    #[serde(
        deserialize_with = "de::opt_string",
        alias = "health_check_parse",
        alias = "health_check_parser"
    )]
    pub health_check_path_parser: Option<String>,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub persistence: bool,
    /// Seconds.
    #[serde(deserialize_with = "de::lenient_u32")]
    pub persistence_time: u32,
    pub method: BalancingMethod,
    #[serde(deserialize_with = "de::obj", alias = "region")]
    pub datacenter: DatacenterRef,
    #[serde(deserialize_with = "de::vec")]
    pub rules: Vec<LbRule>,
    #[serde(deserialize_with = "de::vec")]
    pub server_ips: Vec<ServerIpRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct LbRule {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    pub protocol: Protocol,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub port_balancer: u32,
    #[serde(deserialize_with = "de::lenient_u32")]
    pub port_server: u32,
    #[serde(deserialize_with = "de::string")]
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewLbRule {
    pub protocol: Protocol,
    /// 0 means every port (only with both 0 and a NONE or ICMP check).
    pub port_balancer: u32,
    pub port_server: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateLoadBalancer {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub health_check_test: HealthCheckTest,
    pub health_check_interval: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_parse: Option<String>,
    pub persistence: bool,
    pub persistence_time: u32,
    pub method: BalancingMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
    pub rules: Vec<NewLbRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateLoadBalancer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_test: Option<HealthCheckTest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_interval: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_parse: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistence: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistence_time: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<BalancingMethod>,
}

// --------------------------------------------------------------- public IPs

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct PublicIp {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub ip: String,
    #[serde(rename = "type")]
    pub ip_type: IpType,
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    #[serde(deserialize_with = "de::opt_obj")]
    pub assigned_to: Option<AssignedTo>,
    #[serde(deserialize_with = "de::opt_string")]
    pub reverse_dns: Option<String>,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub is_dhcp: bool,
    pub state: ResourceState,
    pub creation_date: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct AssignedTo {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// `SERVER` or `LOAD_BALANCER`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreatePublicIp {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_dns: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ip_type: Option<IpType>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ReverseDns<'a> {
    reverse_dns: &'a str,
}

// --------------------------------------------------------- private networks

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct PrivateNetwork {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    /// "" when unset.
    #[serde(deserialize_with = "de::string")]
    pub network_address: String,
    #[serde(deserialize_with = "de::string")]
    pub subnet_mask: String,
    pub state: ResourceState,
    pub creation_date: Timestamp,
    #[serde(deserialize_with = "de::vec")]
    pub servers: Vec<IdName>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreatePrivateNetwork {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_mask: Option<String>,
}

/// `PUT /private_networks/{id}`: the name is required here too.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdatePrivateNetwork {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_mask: Option<String>,
}

// --------------------------------------------------------------------- VPNs

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Vpn {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub cloudpanel_id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    pub state: ResourceState,
    #[serde(deserialize_with = "de::obj")]
    pub datacenter: DatacenterRef,
    /// `SSL`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    #[serde(deserialize_with = "de::strings")]
    pub ips: Vec<String>,
    pub creation_date: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateVpn {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter_id: Option<String>,
}

/// The VPN client configuration (the reference does not document its shape;
/// the API sends the file base64-encoded in `config_zip_file`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct VpnConfiguration {
    // The client's keys and certificates: never written out by the panel's API.
    #[serde(deserialize_with = "de::string", skip_serializing)]
    pub config_zip_file: String,
}

impl VpnConfiguration {
    /// The file's bytes, when the content is valid base64.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(self.config_zip_file.trim())
            .ok()
    }
}

fn fw_path(id: &str) -> String {
    format!("/firewall_policies/{}", seg(id))
}

fn lb_path(id: &str) -> String {
    format!("/load_balancers/{}", seg(id))
}

fn pn_path(id: &str) -> String {
    format!("/private_networks/{}", seg(id))
}

impl AccountClient {
    // ---- firewall policies ----

    pub async fn list_firewall_policies(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<FirewallPolicy>>, CloudError> {
        self.list("/firewall_policies", &q.pairs()).await
    }

    pub async fn create_firewall_policy(
        &self,
        body: &CreateFirewallPolicy,
    ) -> Result<FirewallPolicy, CloudError> {
        self.post("/firewall_policies", body).await
    }

    pub async fn get_firewall_policy(
        &self,
        id: &str,
    ) -> Result<Fetched<FirewallPolicy>, CloudError> {
        self.get(&fw_path(id), &[]).await
    }

    pub async fn update_firewall_policy(
        &self,
        id: &str,
        body: &NameDescription,
    ) -> Result<FirewallPolicy, CloudError> {
        self.put(&fw_path(id), body).await
    }

    pub async fn delete_firewall_policy(&self, id: &str) -> Result<FirewallPolicy, CloudError> {
        self.delete(&fw_path(id), &[]).await
    }

    pub async fn list_firewall_policy_server_ips(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<ServerIpRef>>, CloudError> {
        self.list(&format!("{}/server_ips", fw_path(id)), &[]).await
    }

    /// Assigns server IPs (by IP id) to the policy.
    pub async fn add_firewall_policy_server_ips(
        &self,
        id: &str,
        ip_ids: &[String],
    ) -> Result<FirewallPolicy, CloudError> {
        let body = IdsBody {
            server_ips: Some(ip_ids),
            ..IdsBody::default()
        };
        self.post(&format!("{}/server_ips", fw_path(id)), &body)
            .await
    }

    pub async fn get_firewall_policy_server_ip(
        &self,
        id: &str,
        ip_id: &str,
    ) -> Result<Fetched<ServerIpRef>, CloudError> {
        self.get(&format!("{}/server_ips/{}", fw_path(id), seg(ip_id)), &[])
            .await
    }

    pub async fn list_firewall_policy_rules(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<FirewallRule>>, CloudError> {
        self.list(&format!("{}/rules", fw_path(id)), &[]).await
    }

    pub async fn add_firewall_policy_rules(
        &self,
        id: &str,
        rules: &[NewFirewallRule],
    ) -> Result<FirewallPolicy, CloudError> {
        self.post(&format!("{}/rules", fw_path(id)), &RulesBody { rules })
            .await
    }

    pub async fn get_firewall_policy_rule(
        &self,
        id: &str,
        rule_id: &str,
    ) -> Result<Fetched<FirewallRule>, CloudError> {
        self.get(&format!("{}/rules/{}", fw_path(id), seg(rule_id)), &[])
            .await
    }

    pub async fn delete_firewall_policy_rule(
        &self,
        id: &str,
        rule_id: &str,
    ) -> Result<FirewallPolicy, CloudError> {
        self.delete(&format!("{}/rules/{}", fw_path(id), seg(rule_id)), &[])
            .await
    }

    // ---- load balancers ----

    pub async fn list_load_balancers(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<LoadBalancer>>, CloudError> {
        self.list("/load_balancers", &q.pairs()).await
    }

    pub async fn create_load_balancer(
        &self,
        body: &CreateLoadBalancer,
    ) -> Result<LoadBalancer, CloudError> {
        self.post("/load_balancers", body).await
    }

    pub async fn get_load_balancer(&self, id: &str) -> Result<Fetched<LoadBalancer>, CloudError> {
        self.get(&lb_path(id), &[]).await
    }

    pub async fn update_load_balancer(
        &self,
        id: &str,
        body: &UpdateLoadBalancer,
    ) -> Result<LoadBalancer, CloudError> {
        self.put(&lb_path(id), body).await
    }

    pub async fn delete_load_balancer(&self, id: &str) -> Result<LoadBalancer, CloudError> {
        self.delete(&lb_path(id), &[]).await
    }

    pub async fn list_load_balancer_server_ips(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<ServerIpRef>>, CloudError> {
        self.list(&format!("{}/server_ips", lb_path(id)), &[]).await
    }

    pub async fn add_load_balancer_server_ips(
        &self,
        id: &str,
        ip_ids: &[String],
    ) -> Result<LoadBalancer, CloudError> {
        let body = IdsBody {
            server_ips: Some(ip_ids),
            ..IdsBody::default()
        };
        self.post(&format!("{}/server_ips", lb_path(id)), &body)
            .await
    }

    pub async fn get_load_balancer_server_ip(
        &self,
        id: &str,
        ip_id: &str,
    ) -> Result<Fetched<ServerIpRef>, CloudError> {
        self.get(&format!("{}/server_ips/{}", lb_path(id), seg(ip_id)), &[])
            .await
    }

    pub async fn remove_load_balancer_server_ip(
        &self,
        id: &str,
        ip_id: &str,
    ) -> Result<LoadBalancer, CloudError> {
        self.delete(&format!("{}/server_ips/{}", lb_path(id), seg(ip_id)), &[])
            .await
    }

    pub async fn list_load_balancer_rules(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<LbRule>>, CloudError> {
        self.list(&format!("{}/rules", lb_path(id)), &[]).await
    }

    pub async fn add_load_balancer_rules(
        &self,
        id: &str,
        rules: &[NewLbRule],
    ) -> Result<LoadBalancer, CloudError> {
        self.post(&format!("{}/rules", lb_path(id)), &RulesBody { rules })
            .await
    }

    pub async fn get_load_balancer_rule(
        &self,
        id: &str,
        rule_id: &str,
    ) -> Result<Fetched<LbRule>, CloudError> {
        self.get(&format!("{}/rules/{}", lb_path(id), seg(rule_id)), &[])
            .await
    }

    pub async fn delete_load_balancer_rule(
        &self,
        id: &str,
        rule_id: &str,
    ) -> Result<LoadBalancer, CloudError> {
        self.delete(&format!("{}/rules/{}", lb_path(id), seg(rule_id)), &[])
            .await
    }

    // ---- public IPs ----

    pub async fn list_public_ips(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<PublicIp>>, CloudError> {
        self.list("/public_ips", &q.pairs()).await
    }

    pub async fn create_public_ip(&self, body: &CreatePublicIp) -> Result<PublicIp, CloudError> {
        self.post("/public_ips", body).await
    }

    pub async fn get_public_ip(&self, id: &str) -> Result<Fetched<PublicIp>, CloudError> {
        self.get(&format!("/public_ips/{}", seg(id)), &[]).await
    }

    /// A blank name removes the previous one.
    pub async fn set_public_ip_reverse_dns(
        &self,
        id: &str,
        reverse_dns: &str,
    ) -> Result<PublicIp, CloudError> {
        self.put(
            &format!("/public_ips/{}", seg(id)),
            &ReverseDns { reverse_dns },
        )
        .await
    }

    pub async fn delete_public_ip(&self, id: &str) -> Result<PublicIp, CloudError> {
        self.delete(&format!("/public_ips/{}", seg(id)), &[]).await
    }

    // ---- private networks ----

    pub async fn list_private_networks(
        &self,
        q: &ListQuery,
    ) -> Result<Fetched<Vec<PrivateNetwork>>, CloudError> {
        self.list("/private_networks", &q.pairs()).await
    }

    pub async fn create_private_network(
        &self,
        body: &CreatePrivateNetwork,
    ) -> Result<PrivateNetwork, CloudError> {
        self.post("/private_networks", body).await
    }

    pub async fn get_private_network(
        &self,
        id: &str,
    ) -> Result<Fetched<PrivateNetwork>, CloudError> {
        self.get(&pn_path(id), &[]).await
    }

    pub async fn update_private_network(
        &self,
        id: &str,
        body: &UpdatePrivateNetwork,
    ) -> Result<PrivateNetwork, CloudError> {
        self.put(&pn_path(id), body).await
    }

    pub async fn delete_private_network(&self, id: &str) -> Result<PrivateNetwork, CloudError> {
        self.delete(&pn_path(id), &[]).await
    }

    pub async fn list_private_network_servers(
        &self,
        id: &str,
    ) -> Result<Fetched<Vec<IdName>>, CloudError> {
        self.list(&format!("{}/servers", pn_path(id)), &[]).await
    }

    /// Answers the network's attached servers (the reference's example).
    pub async fn add_private_network_servers(
        &self,
        id: &str,
        server_ids: &[String],
    ) -> Result<Vec<IdName>, CloudError> {
        let body = IdsBody {
            servers: Some(server_ids),
            ..IdsBody::default()
        };
        self.post_list(&format!("{}/servers", pn_path(id)), &body, "servers")
            .await
    }

    pub async fn get_private_network_server(
        &self,
        id: &str,
        server_id: &str,
    ) -> Result<Fetched<IdName>, CloudError> {
        self.get(&format!("{}/servers/{}", pn_path(id), seg(server_id)), &[])
            .await
    }

    pub async fn remove_private_network_server(
        &self,
        id: &str,
        server_id: &str,
    ) -> Result<PrivateNetwork, CloudError> {
        self.delete(&format!("{}/servers/{}", pn_path(id), seg(server_id)), &[])
            .await
    }

    // ---- VPNs ----

    pub async fn list_vpns(&self, q: &ListQuery) -> Result<Fetched<Vec<Vpn>>, CloudError> {
        self.list("/vpns", &q.pairs()).await
    }

    pub async fn create_vpn(&self, body: &CreateVpn) -> Result<Vpn, CloudError> {
        self.post("/vpns", body).await
    }

    pub async fn get_vpn(&self, id: &str) -> Result<Fetched<Vpn>, CloudError> {
        self.get(&format!("/vpns/{}", seg(id)), &[]).await
    }

    pub async fn update_vpn(&self, id: &str, body: &NameDescription) -> Result<Vpn, CloudError> {
        self.put(&format!("/vpns/{}", seg(id)), body).await
    }

    pub async fn delete_vpn(&self, id: &str) -> Result<Vpn, CloudError> {
        self.delete(&format!("/vpns/{}", seg(id)), &[]).await
    }

    /// The configuration file for a download: the client's keys are in it,
    /// so it is asked for each time and never kept in the read cache (nor
    /// served stale from it).
    pub async fn download_vpn_configuration_file(
        &self,
        id: &str,
    ) -> Result<VpnConfiguration, CloudError> {
        self.read_uncached(&format!("/vpns/{}/configuration_file", seg(id)), &[])
            .await
    }
}

// What each deletion takes with it, for the audit log: the same whether
// it is made on the object's page, by the JSON API or in a bulk run.

impl PublicIp {
    /// The address, and what it was assigned to.
    pub fn delete_details(&self) -> serde_json::Value {
        let assigned = self.assigned_to.as_ref().filter(|a| !a.id.is_empty());
        serde_json::json!({
            "ip": self.ip,
            "assigned_to": assigned
                .map(|a| serde_json::json!({ "id": a.id, "name": a.name, "type": a.kind })),
        })
    }
}

impl PrivateNetwork {
    /// The servers it is taken from.
    pub fn delete_details(&self) -> serde_json::Value {
        serde_json::json!({
            "detached_servers": self.servers.iter().map(|s| &s.id).collect::<Vec<_>>(),
        })
    }
}

impl Vpn {
    pub fn delete_details(&self) -> serde_json::Value {
        serde_json::json!({ "name": self.name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn firewall_rules_with_unknown_protocols_and_string_ports_are_read() {
        let p: FirewallPolicy = serde_json::from_value(json!({
            "id": "F", "name": "Linux", "state": "CONFIGURING", "default": 1,
            "rules": [{"id": "R1", "protocol": "TCP", "port_from": "80", "port_to": 80, "source": "0.0.0.0", "action": "accept"},
                      {"id": "R2", "protocol": "SCTP", "port_from": null}],
            "server_ips": [{"id": "I", "ip": "10.4.140.213", "server_name": "web"}]
        }))
        .unwrap();
        assert!(p.default);
        assert!(p.state.is_transitional());
        assert_eq!(p.rules[0].port_from, Some(80));
        assert_eq!(p.rules[1].protocol, Protocol::Other("SCTP".into()));
        assert_eq!(p.rules[1].port_from, None);
        assert_eq!(p.server_ips[0].server_name, "web");
    }

    #[test]
    fn load_balancers_with_region_and_parser_aliases_are_read() {
        let lb: LoadBalancer = serde_json::from_value(json!({
            "id": "L", "ip": null, "health_check_test": "TCP", "health_check_interval": "40",
            "health_check_parser": "^OK", "persistence": true, "persistence_time": 1200,
            "method": "ROUND_ROBIN", "region": {"id": "D", "name": "Spain"},
            "rules": [{"id": "R", "protocol": "TCP", "port_balancer": 80, "port_server": "8080", "source": "0.0.0.0"}]
        }))
        .unwrap();
        assert_eq!(lb.ip, None);
        assert_eq!(lb.health_check_interval, 40);
        assert_eq!(lb.health_check_path_parser.as_deref(), Some("^OK"));
        assert_eq!(lb.datacenter.location, "Spain");
        assert_eq!(lb.rules[0].port_server, 8080);
        assert_eq!(lb.method, BalancingMethod::RoundRobin);
    }

    #[test]
    fn public_ips_and_vpns_with_odd_dates_are_read() {
        let ip: PublicIp = serde_json::from_value(json!({
            "id": "P", "ip": "10.5.135.140", "type": "IPV4", "assigned_to": {"id": "S", "name": "web", "type": "SERVER"},
            "reverse_dns": null, "is_dhcp": false, "state": "ACTIVE", "creation_date": "2015-05-06T08:17:33+00:00"
        }))
        .unwrap();
        assert_eq!(ip.assigned_to.map(|a| a.kind), Some("SERVER".into()));
        let vpn: Vpn = serde_json::from_value(
            json!({"id": "V", "ips": ["10.131.1.45", "10.131.0.45"], "type": "SSL",
            "creation_date": "30-06-2015T 14:52:35+00.00", "state": "ACTIVE"}),
        )
        .unwrap();
        assert_eq!(vpn.ips.len(), 2);
        assert_eq!(vpn.creation_date.to_string(), "30-06-2015T 14:52:35+00.00");
        let conf = VpnConfiguration {
            config_zip_file: "aGVsbG8=".into(),
        };
        assert_eq!(conf.bytes(), Some(b"hello".to_vec()));
    }

    #[test]
    fn rule_requests_are_shaped_like_the_reference() {
        let body = CreateFirewallPolicy {
            name: "web".into(),
            description: None,
            rules: vec![NewFirewallRule::ports(Protocol::Tcp, 80, 80)],
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"name": "web", "rules": [{"protocol": "TCP", "port_from": 80, "port_to": 80}]})
        );
    }

    #[test]
    fn a_vpn_configuration_is_never_serialised() {
        let conf: VpnConfiguration =
            serde_json::from_value(json!({"config_zip_file": "aGVsbG8="})).unwrap();
        assert_eq!(serde_json::to_value(&conf).unwrap(), json!({}));
    }
}
