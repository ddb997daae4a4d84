//! The route table (one line per endpoint of the reference) and matching a
//! request against it.
//!
//! What a handler sees is in [`super::ctx`], the generic handlers in
//! [`super::generic`] and how an element shows in [`super::render`]: the
//! families use them, and this table uses the families.

use super::ctx::Ctx;
use super::errors::{ApiError, ApiResult};
use super::generic::{delete, get, list, rule_not_found, sub_get, sub_list};
use super::state::Kind;
use super::{access, monitoring, network, readonly, servers, storage};
use serde_json::{Value, json};

pub type Handler = fn(&mut Ctx) -> ApiResult<Value>;

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// The documented success status.
    pub status: u16,
    pub handler: Handler,
}

macro_rules! routes {
    ($($m:ident $p:literal $s:literal $h:expr;)*) => {
        &[$(Route { method: stringify!($m), path: $p, status: $s, handler: $h },)*]
    };
}

/// Every endpoint of the reference, in the order of endpoints.tsv.
pub static ROUTES: &[Route] = routes! {
    GET "/servers" 200 |c| list(c, Kind::Server);
    POST "/servers" 202 servers::create;
    GET "/servers/fixed_instance_sizes" 200 readonly::fixed_sizes;
    GET "/servers/fixed_instance_sizes/{fixed_instance_size_id}" 200 readonly::fixed_size;
    GET "/servers/baremetal_models" 200 readonly::baremetal_models;
    GET "/servers/baremetal_models/{baremetal_model_id}" 200 readonly::baremetal_model;
    GET "/servers/{server_id}" 200 |c| get(c, Kind::Server);
    PUT "/servers/{server_id}" 200 servers::update;
    DELETE "/servers/{server_id}" 202 servers::delete;
    GET "/servers/{server_id}/hardware" 200 servers::hardware;
    PUT "/servers/{server_id}/hardware" 202 servers::resize;
    GET "/servers/{server_id}/hardware/hdds" 200 servers::hdds;
    POST "/servers/{server_id}/hardware/hdds" 202 servers::add_hdds;
    GET "/servers/{server_id}/hardware/hdds/{hdd_id}" 200 servers::hdd;
    PUT "/servers/{server_id}/hardware/hdds/{hdd_id}" 202 servers::resize_hdd;
    DELETE "/servers/{server_id}/hardware/hdds/{hdd_id}" 202 servers::remove_hdd;
    GET "/servers/{server_id}/image" 200 servers::image;
    PUT "/servers/{server_id}/image" 202 servers::reinstall;
    GET "/servers/{server_id}/ips" 200 servers::ips;
    POST "/servers/{server_id}/ips" 201 servers::add_ip;
    GET "/servers/{server_id}/ips/{ip_id}" 200 servers::ip;
    DELETE "/servers/{server_id}/ips/{ip_id}" 202 servers::remove_ip;
    GET "/servers/{server_id}/ips/{ip_id}/firewall_policy" 200 servers::ip_firewall;
    PUT "/servers/{server_id}/ips/{ip_id}/firewall_policy" 202 servers::set_ip_firewall;
    GET "/servers/{server_id}/ips/{ip_id}/load_balancers" 200 servers::ip_load_balancers;
    POST "/servers/{server_id}/ips/{ip_id}/load_balancers" 202 servers::add_ip_load_balancer;
    DELETE "/servers/{server_id}/ips/{ip_id}/load_balancers/{load_balancer_id}" 202 servers::remove_ip_load_balancer;
    GET "/servers/{server_id}/status" 200 servers::status;
    PUT "/servers/{server_id}/status/action" 202 servers::action;
    GET "/servers/{server_id}/dvd" 200 servers::dvd;
    PUT "/servers/{server_id}/dvd" 202 servers::load_dvd;
    DELETE "/servers/{server_id}/dvd" 202 servers::eject_dvd;
    GET "/servers/{server_id}/private_networks" 200 servers::private_networks;
    POST "/servers/{server_id}/private_networks" 202 servers::add_private_network;
    GET "/servers/{server_id}/private_networks/{private_network_id}" 200 servers::private_network;
    DELETE "/servers/{server_id}/private_networks/{private_network_id}" 202 servers::remove_private_network;
    GET "/servers/{server_id}/snapshots" 200 servers::snapshots;
    POST "/servers/{server_id}/snapshots" 202 servers::create_snapshot;
    PUT "/servers/{server_id}/snapshots/{snapshot_id}" 202 servers::restore_snapshot;
    DELETE "/servers/{server_id}/snapshots/{snapshot_id}" 202 servers::delete_snapshot;
    POST "/servers/{server_id}/clone" 202 servers::clone;
    GET "/images" 200 |c| list(c, Kind::Image);
    POST "/images" 202 storage::create_image;
    GET "/images/{image_id}" 200 |c| get(c, Kind::Image);
    PUT "/images/{image_id}" 200 storage::update_image;
    DELETE "/images/{image_id}" 202 storage::delete_image;
    GET "/block_storages" 200 |c| list(c, Kind::BlockStorage);
    POST "/block_storages" 201 storage::create_block;
    GET "/block_storages/{block_storage_id}" 200 |c| get(c, Kind::BlockStorage);
    PUT "/block_storages/{block_storage_id}" 202 storage::update_block;
    DELETE "/block_storages/{block_storage_id}" 202 |c| delete(c, Kind::BlockStorage, "REMOVING", 6.0);
    POST "/block_storages/{block_storage_id}/server" 202 storage::attach_block;
    DELETE "/block_storages/{block_storage_id}/server" 202 storage::detach_block;
    GET "/block_storages/{block_storage_id}/server" 200 storage::block_server;
    GET "/shared_storages" 200 |c| list(c, Kind::SharedStorage);
    POST "/shared_storages" 202 storage::create_shared;
    GET "/shared_storages/{shared_storage_id}" 200 |c| get(c, Kind::SharedStorage);
    PUT "/shared_storages/{shared_storage_id}" 202 storage::update_shared;
    DELETE "/shared_storages/{shared_storage_id}" 202 |c| delete(c, Kind::SharedStorage, "REMOVING", 8.0);
    GET "/shared_storages/{shared_storage_id}/servers" 200 storage::shared_servers;
    POST "/shared_storages/{shared_storage_id}/servers" 202 storage::attach_shared;
    GET "/shared_storages/{shared_storage_id}/servers/{server_id}" 200 storage::shared_server;
    DELETE "/shared_storages/{shared_storage_id}/servers/{server_id}" 202 storage::detach_shared;
    GET "/shared_storages/access" 200 storage::access;
    PUT "/shared_storages/access" 202 storage::set_access;
    GET "/firewall_policies" 200 |c| list(c, Kind::Firewall);
    POST "/firewall_policies" 202 network::create_firewall;
    GET "/firewall_policies/{firewall_id}" 200 |c| get(c, Kind::Firewall);
    PUT "/firewall_policies/{firewall_id}" 200 network::update_firewall;
    DELETE "/firewall_policies/{firewall_id}" 202 network::delete_firewall;
    GET "/firewall_policies/{firewall_id}/server_ips" 200 network::firewall_ips;
    POST "/firewall_policies/{firewall_id}/server_ips" 202 network::add_firewall_ips;
    GET "/firewall_policies/{firewall_id}/server_ips/{server_ip}" 200 network::firewall_ip;
    GET "/firewall_policies/{firewall_id}/rules" 200 |c| sub_list(c, Kind::Firewall, "rules");
    POST "/firewall_policies/{firewall_id}/rules" 202 network::add_firewall_rules;
    GET "/firewall_policies/{firewall_id}/rules/{rule_id}" 200 |c| sub_get(c, Kind::Firewall, "rules", rule_not_found("Firewall rule does not exist"));
    DELETE "/firewall_policies/{firewall_id}/rules/{rule_id}" 202 network::delete_firewall_rule;
    GET "/load_balancers" 200 |c| list(c, Kind::LoadBalancer);
    POST "/load_balancers" 202 network::create_lb;
    GET "/load_balancers/{load_balancer_id}" 200 |c| get(c, Kind::LoadBalancer);
    PUT "/load_balancers/{load_balancer_id}" 202 network::update_lb;
    DELETE "/load_balancers/{load_balancer_id}" 202 network::delete_lb;
    GET "/load_balancers/{load_balancer_id}/server_ips" 200 network::lb_ips;
    POST "/load_balancers/{load_balancer_id}/server_ips" 202 network::add_lb_ips;
    GET "/load_balancers/{load_balancer_id}/server_ips/{server_ip}" 200 network::lb_ip;
    DELETE "/load_balancers/{load_balancer_id}/server_ips/{server_ip}" 202 network::remove_lb_ip;
    GET "/load_balancers/{load_balancer_id}/rules" 200 |c| sub_list(c, Kind::LoadBalancer, "rules");
    POST "/load_balancers/{load_balancer_id}/rules" 202 network::add_lb_rules;
    GET "/load_balancers/{load_balancer_id}/rules/{rule_id}" 200 |c| sub_get(c, Kind::LoadBalancer, "rules", rule_not_found("Load balancer rule does not exist"));
    DELETE "/load_balancers/{load_balancer_id}/rules/{rule_id}" 202 network::delete_lb_rule;
    GET "/public_ips" 200 |c| list(c, Kind::PublicIp);
    POST "/public_ips" 201 network::create_ip;
    GET "/public_ips/{ip_id}" 200 |c| get(c, Kind::PublicIp);
    PUT "/public_ips/{ip_id}" 202 network::update_ip;
    DELETE "/public_ips/{ip_id}" 202 network::delete_ip;
    GET "/private_networks" 200 |c| list(c, Kind::PrivateNetwork);
    POST "/private_networks" 202 network::create_pn;
    GET "/private_networks/{private_network_id}" 200 |c| get(c, Kind::PrivateNetwork);
    PUT "/private_networks/{private_network_id}" 200 network::update_pn;
    DELETE "/private_networks/{private_network_id}" 202 |c| delete(c, Kind::PrivateNetwork, "REMOVING", 6.0);
    GET "/private_networks/{private_network_id}/servers" 200 network::pn_servers;
    POST "/private_networks/{private_network_id}/servers" 202 network::add_pn_servers;
    GET "/private_networks/{private_network_id}/servers/{server_id}" 200 network::pn_server;
    DELETE "/private_networks/{private_network_id}/servers/{server_id}" 202 network::remove_pn_server;
    GET "/vpns" 200 |c| list(c, Kind::Vpn);
    POST "/vpns" 202 network::create_vpn;
    GET "/vpns/{vpn_id}" 200 |c| get(c, Kind::Vpn);
    PUT "/vpns/{vpn_id}" 200 network::update_vpn;
    DELETE "/vpns/{vpn_id}" 202 |c| delete(c, Kind::Vpn, "REMOVING", 5.0);
    GET "/vpns/{vpn_id}/configuration_file" 200 network::vpn_config;
    GET "/monitoring_center" 200 monitoring::center;
    GET "/monitoring_center/{server_id}" 200 monitoring::center_server;
    GET "/monitoring_policies" 200 |c| list(c, Kind::MonitoringPolicy);
    POST "/monitoring_policies" 201 monitoring::create;
    GET "/monitoring_policies/{monitoring_policy_id}" 200 |c| get(c, Kind::MonitoringPolicy);
    PUT "/monitoring_policies/{monitoring_policy_id}" 202 monitoring::update;
    DELETE "/monitoring_policies/{monitoring_policy_id}" 202 monitoring::delete;
    GET "/monitoring_policies/{monitoring_policy_id}/ports" 200 |c| sub_list(c, Kind::MonitoringPolicy, "ports");
    POST "/monitoring_policies/{monitoring_policy_id}/ports" 202 monitoring::add_ports;
    GET "/monitoring_policies/{monitoring_policy_id}/ports/{port_id}" 200 |c| sub_get(c, Kind::MonitoringPolicy, "ports", ApiError::not_found("PORT_NOT_FOUND", "Monitoring policy port does not exist"));
    PUT "/monitoring_policies/{monitoring_policy_id}/ports/{port_id}" 202 monitoring::update_port;
    DELETE "/monitoring_policies/{monitoring_policy_id}/ports/{port_id}" 202 monitoring::delete_port;
    GET "/monitoring_policies/{monitoring_policy_id}/processes" 200 |c| sub_list(c, Kind::MonitoringPolicy, "processes");
    POST "/monitoring_policies/{monitoring_policy_id}/processes" 202 monitoring::add_processes;
    GET "/monitoring_policies/{monitoring_policy_id}/processes/{process_id}" 200 |c| sub_get(c, Kind::MonitoringPolicy, "processes", ApiError::not_found("PROCESS_NOT_FOUND", "Monitoring policy process does not exist"));
    PUT "/monitoring_policies/{monitoring_policy_id}/processes/{process_id}" 202 monitoring::update_process;
    DELETE "/monitoring_policies/{monitoring_policy_id}/processes/{process_id}" 202 monitoring::delete_process;
    GET "/monitoring_policies/{monitoring_policy_id}/servers" 200 monitoring::servers;
    POST "/monitoring_policies/{monitoring_policy_id}/servers" 202 monitoring::add_servers;
    GET "/monitoring_policies/{monitoring_policy_id}/servers/{server_id}" 200 monitoring::server;
    DELETE "/monitoring_policies/{monitoring_policy_id}/servers/{server_id}" 202 monitoring::remove_server;
    GET "/ssh_keys" 200 |c| list(c, Kind::SshKey);
    POST "/ssh_keys" 201 access::create_key;
    GET "/ssh_keys/{ssh_key_id}" 200 |c| get(c, Kind::SshKey);
    PUT "/ssh_keys/{ssh_key_id}" 202 access::update_key;
    DELETE "/ssh_keys/{ssh_key_id}" 202 |c| delete(c, Kind::SshKey, "DELETING", 3.0);
    GET "/users" 200 |c| list(c, Kind::User);
    POST "/users" 201 access::create_user;
    GET "/users/{user_id}" 200 |c| get(c, Kind::User);
    PUT "/users/{user_id}" 200 access::update_user;
    DELETE "/users/{user_id}" 202 access::delete_user;
    GET "/users/{user_id}/api" 200 access::user_api;
    PUT "/users/{user_id}/api" 200 access::set_user_api;
    GET "/users/{user_id}/api/key" 200 access::user_key;
    PUT "/users/{user_id}/api/key" 200 access::renew_user_key;
    GET "/users/{user_id}/api/ips" 200 access::user_ips;
    POST "/users/{user_id}/api/ips" 201 access::add_user_ips;
    DELETE "/users/{user_id}/api/ips/{ip}" 202 access::remove_user_ip;
    GET "/users/current_user_permissions" 200 access::current_permissions;
    GET "/roles" 200 |c| list(c, Kind::Role);
    POST "/roles" 201 access::create_role;
    GET "/roles/{role_id}" 200 |c| get(c, Kind::Role);
    PUT "/roles/{role_id}" 202 access::update_role;
    DELETE "/roles/{role_id}" 202 access::delete_role;
    GET "/roles/{role_id}/permissions" 200 access::role_permissions;
    PUT "/roles/{role_id}/permissions" 200 access::set_role_permissions;
    GET "/roles/{role_id}/users" 200 access::role_users;
    POST "/roles/{role_id}/users" 202 access::add_role_users;
    GET "/roles/{role_id}/users/{user_id}" 200 access::role_user;
    DELETE "/roles/{role_id}/users/{user_id}" 202 access::remove_role_user;
    POST "/roles/{role_id}/clone" 201 access::clone_role;
    GET "/logs" 200 readonly::logs;
    GET "/logs/{log_id}" 200 |c| get(c, Kind::Log);
    GET "/usages" 200 readonly::usages;
    GET "/server_appliances" 200 readonly::appliances;
    GET "/server_appliances/{id}" 200 readonly::appliance;
    GET "/recovery_appliances" 200 readonly::recovery_appliances;
    GET "/recovery_appliances/{id}" 200 readonly::recovery_appliance;
    GET "/dvd_isos" 200 readonly::dvd_isos;
    GET "/dvd_isos/{id}" 200 readonly::dvd_iso;
    GET "/ping" 200 |_| Ok(json!(["PONG"]));
    GET "/ping_auth" 200 |_| Ok(json!(["PONG"]));
    GET "/pricing" 200 readonly::pricing;
    GET "/datacenters" 200 readonly::datacenters;
    GET "/datacenters/{datacenter_id}" 200 readonly::datacenter;
};

/// The outcome of matching a method and path against the table.
pub enum Match {
    Found(&'static Route, Vec<String>),
    /// The path exists but not with this method; carries the allowed methods.
    WrongMethod(Vec<&'static str>),
    NotFound,
}

/// Matches `segments` (the path below `/v1`); literal segments win over `{id}` segments.
pub fn find(method: &str, segments: &[&str]) -> Match {
    let mut best: Option<(usize, &'static str)> = None;
    for r in ROUTES {
        if let Some(score) = score(r.path, segments)
            && best.is_none_or(|(b, _)| score > b)
        {
            best = Some((score, r.path));
        }
    }
    let Some((_, path)) = best else {
        return Match::NotFound;
    };
    let same: Vec<&'static Route> = ROUTES.iter().filter(|r| r.path == path).collect();
    match same.iter().find(|r| r.method == method) {
        Some(r) => {
            let params = r
                .path
                .split('/')
                .skip(1)
                .zip(segments)
                .filter(|(p, _)| p.starts_with('{'))
                .map(|(_, s)| (*s).to_string())
                .collect();
            Match::Found(r, params)
        }
        None => Match::WrongMethod(same.iter().map(|r| r.method).collect()),
    }
}

/// The number of literal segments when `pattern` matches, else None.
fn score(pattern: &str, segments: &[&str]) -> Option<usize> {
    let parts: Vec<&str> = pattern.split('/').skip(1).collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut literal = 0;
    for (p, s) in parts.iter().zip(segments) {
        if p.starts_with('{') {
            if s.is_empty() {
                return None;
            }
        } else if p == s {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<&str> {
        p.split('/').skip(1).collect()
    }

    #[test]
    fn literal_segments_win_over_ids() {
        match find("GET", &segs("/servers/fixed_instance_sizes")) {
            Match::Found(r, p) => {
                assert_eq!(r.path, "/servers/fixed_instance_sizes");
                assert!(p.is_empty());
            }
            _ => panic!("not found"),
        }
        match find("GET", &segs("/servers/ABC/ips/DEF")) {
            Match::Found(r, p) => {
                assert_eq!(r.path, "/servers/{server_id}/ips/{ip_id}");
                assert_eq!(p, ["ABC", "DEF"]);
            }
            _ => panic!("not found"),
        }
    }

    #[test]
    fn wrong_method_and_unknown_path() {
        assert!(
            matches!(find("POST", &segs("/servers/ABC")), Match::WrongMethod(m) if m == ["GET", "PUT", "DELETE"])
        );
        assert!(matches!(
            find("PUT", &segs("/shared_storages/access/x")),
            Match::NotFound
        ));
        assert!(matches!(find("GET", &segs("/nothing")), Match::NotFound));
    }

    #[test]
    fn table_has_175_distinct_endpoints() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(
                seen.insert((r.method, r.path)),
                "duplicate {} {}",
                r.method,
                r.path
            );
        }
        assert_eq!(ROUTES.len(), 175);
    }
}
