//! The fields a server shows from other resources: its IPs (as
//! `/servers/{id}/ips` shows them), private networks and monitoring policy.

use crate::simulator::state::{Account, Kind, Obj, Rec, str_list};
use serde_json::{Value, json};

/// Fills the fields that come from other resources (IPs, networks, policy).
pub fn decorate(a: &Account, r: &Rec, o: &mut Obj) {
    let ips: Vec<Value> = server_ips(a, r.id()).map(|ip| ip_view(a, ip)).collect();
    o.insert("ips".into(), Value::Array(ips));
    let pns: Vec<Value> = str_list(r.obj.get("_pns"))
        .iter()
        .filter_map(|id| a.id_name(Kind::PrivateNetwork, id))
        .collect();
    o.insert("private_networks".into(), Value::Array(pns));
    let mp = a
        .id_name(Kind::MonitoringPolicy, r.s("_mp"))
        .unwrap_or(Value::Null);
    o.insert("monitoring_policy".into(), mp);
}

pub fn server_ips<'a>(a: &'a Account, sid: &'a str) -> impl Iterator<Item = &'a Rec> + 'a {
    a.coll(Kind::PublicIp)
        .iter()
        .filter(move |ip| ip.s("_server") == sid)
}

/// The server-IP object as `/servers/{id}/ips` shows it.
pub fn ip_view(a: &Account, ip: &Rec) -> Value {
    json!({
        "id": ip.id(),
        "ip": ip.s("ip"),
        "type": ip.s("type"),
        "reverse_dns": ip.obj.get("reverse_dns").cloned().unwrap_or(Value::Null),
        "main": ip.obj.get("_main").and_then(Value::as_bool).unwrap_or(false),
        "firewall_policy": a.id_name(Kind::Firewall, ip.s("_fw")).unwrap_or(Value::Null),
        "load_balancers": lb_refs(a, ip),
    })
}

pub fn lb_refs(a: &Account, ip: &Rec) -> Value {
    Value::Array(
        str_list(ip.obj.get("_lbs"))
            .iter()
            .filter_map(|id| a.id_name(Kind::LoadBalancer, id))
            .collect(),
    )
}
