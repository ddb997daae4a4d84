//! The fields the network elements show from their relations: whom a public
//! IP is assigned to, the server IPs of a firewall policy or load balancer
//! (and a balancer's own IP), and the servers in a private network.

use crate::simulator::state::{Account, Kind, Obj, Rec, str_list};
use serde_json::{Value, json};

pub fn decorate_ip(a: &Account, r: &Rec, o: &mut Obj) {
    let assigned = if let Some(s) = a.find(Kind::Server, r.s("_server")) {
        json!({"id": s.id(), "name": s.name(), "type": "SERVER"})
    } else if let Some(l) = a.find(Kind::LoadBalancer, r.s("_lb_owner")) {
        json!({"id": l.id(), "name": l.name(), "type": "LOAD_BALANCER"})
    } else {
        Value::Null
    };
    o.insert("assigned_to".into(), assigned);
}

fn ip_row(a: &Account, ip: &Rec) -> Value {
    json!({"id": ip.id(), "ip": ip.s("ip"), "server_name": a.name_of(Kind::Server, ip.s("_server")).unwrap_or_default()})
}

pub fn decorate_firewall(a: &Account, r: &Rec, o: &mut Obj) {
    let ips: Vec<Value> = a
        .coll(Kind::PublicIp)
        .iter()
        .filter(|ip| ip.s("_fw") == r.id() && a.exists(Kind::Server, ip.s("_server")))
        .map(|ip| ip_row(a, ip))
        .collect();
    o.insert("server_ips".into(), Value::Array(ips));
}

pub fn decorate_lb(a: &Account, r: &Rec, o: &mut Obj) {
    let ips: Vec<Value> = a
        .coll(Kind::PublicIp)
        .iter()
        .filter(|ip| {
            str_list(ip.obj.get("_lbs")).iter().any(|l| l == r.id())
                && a.exists(Kind::Server, ip.s("_server"))
        })
        .map(|ip| ip_row(a, ip))
        .collect();
    o.insert("server_ips".into(), Value::Array(ips));
    let own = a
        .coll(Kind::PublicIp)
        .iter()
        .find(|ip| ip.s("_lb_owner") == r.id());
    o.insert("ip".into(), own.map_or(Value::Null, |ip| json!(ip.s("ip"))));
}

pub fn decorate_pn(a: &Account, r: &Rec, o: &mut Obj) {
    let servers: Vec<Value> = a
        .coll(Kind::Server)
        .iter()
        .filter(|s| str_list(s.obj.get("_pns")).iter().any(|p| p == r.id()))
        .map(|s| json!({"id": s.id(), "name": s.name()}))
        .collect();
    o.insert("servers".into(), Value::Array(servers));
}
