//! Starting contents of an account: `empty` (the account's own user and the
//! built-in roles) or `demo` (a small, lived-in account in several states).

use super::access::{Perms, permissions, role_obj, user_obj};
use super::catalogue::{Catalogue, SIZE_L, SIZE_M, SIZE_XL, stable_id};
use super::ctx::Ctx;
use super::errors::ApiResult;
use super::router::Handler;
use super::state::{Account, Kind};
use super::{access, monitoring, network, servers, storage};
use serde_json::{Value, json};

fn call(
    a: &mut Account,
    cat: &Catalogue,
    h: Handler,
    params: &[&str],
    body: Value,
) -> ApiResult<Value> {
    let mut c = Ctx {
        acct: a,
        cat,
        params: params.iter().map(|s| (*s).to_string()).collect(),
        query: Vec::new(),
        body,
        now: 0.0,
    };
    h(&mut c)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or("").to_string()
}

/// Ends every pending transition at once, as if the account had been running for a while.
fn settle(a: &mut Account, except: &[String]) {
    for k in Kind::ALL {
        for r in a.coll_mut(k).iter_mut() {
            if except.iter().any(|e| e == r.id()) {
                continue;
            }
            if let Some(t) = r.tr.take() {
                let to = t.to;
                if k == Kind::Server {
                    r.obj
                        .insert("status".into(), json!({"state": to, "percent": null}));
                } else {
                    r.obj.insert("state".into(), json!(to));
                }
            }
        }
    }
}

pub fn empty(a: &mut Account, token: &str) {
    let admin = a.insert(
        Kind::Role,
        role_obj(
            "Administrator",
            json!("Full access to the account"),
            1,
            permissions(Perms::All(true)),
        ),
    );
    a.insert(
        Kind::Role,
        role_obj(
            "Read only",
            json!("Can look at everything and change nothing"),
            1,
            permissions(Perms::ShowOnly),
        ),
    );
    let name = format!("{}.api", a.user_prefix);
    let me = a.insert(
        Kind::User,
        user_obj(
            &name,
            "Account owner",
            "owner@example.com",
            Some(token.to_string()),
            &admin,
        ),
    );
    a.me = me;
}

pub fn demo(a: &mut Account, cat: &Catalogue, token: &str) -> ApiResult<()> {
    empty(a, token);
    let ubuntu = stable_id("ubuntu2204-64std");
    let debian = stable_id("debian12-64std");

    let key = call(
        a,
        cat,
        access::create_key,
        &[],
        json!({"name": "deploy-key", "description": "CI deploys",
        "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@ci"}),
    )?;
    let fw = call(
        a,
        cat,
        network::create_firewall,
        &[],
        json!({"name": "web", "description": "HTTP, HTTPS and SSH",
        "rules": [{"protocol": "TCP", "port": "80"}, {"protocol": "TCP", "port": "443"}, {"protocol": "TCP", "port_from": 22, "port_to": 22, "source": "0.0.0.0"}]}),
    )?;
    let th = |w: i64, c: i64| json!({"warning": {"alert": false, "value": w}, "critical": {"alert": true, "value": c}});
    let mp = call(
        a,
        cat,
        monitoring::create,
        &[],
        json!({"name": "Production", "description": "Alerts for production servers",
        "email": "ops@example.com", "agent": true,
        "thresholds": {"cpu": th(90, 95), "ram": th(90, 95), "disk": th(80, 90), "internal_ping": th(50, 100), "transfer": th(1000, 2000)},
        "ports": [{"protocol": "TCP", "port": 443, "alert_if": "NOT_RESPONDING", "email_notification": true}],
        "processes": [{"process": "nginx", "alert_if": "NOT_RUNNING", "email_notification": true}]}),
    )?;
    let pn = call(
        a,
        cat,
        network::create_pn,
        &[],
        json!({"name": "backend", "description": "Private traffic between web and db",
        "network_address": "192.168.10.0", "subnet_mask": "255.255.255.0"}),
    )?;

    let web1 = call(
        a,
        cat,
        servers::create,
        &[],
        json!({"name": "web-01", "description": "Public web server",
        "hardware": {"fixed_instance_size_id": SIZE_XL}, "appliance_id": ubuntu, "firewall_policy_id": id(&fw),
        "monitoring_policy_id": id(&mp), "public_key": [id(&key)]}),
    )?;
    let web2 = call(
        a,
        cat,
        servers::create,
        &[],
        json!({"name": "web-02", "description": "Public web server",
        "hardware": {"fixed_instance_size_id": SIZE_L}, "appliance_id": ubuntu, "firewall_policy_id": id(&fw)}),
    )?;
    let db = call(
        a,
        cat,
        servers::create,
        &[],
        json!({"name": "db-01", "description": "PostgreSQL",
        "hardware": {"vcore": 4, "cores_per_processor": 2, "ram": 8, "hdds": [{"size": 80, "is_main": true}, {"size": 200, "is_main": false}]},
        "appliance_id": debian, "monitoring_policy_id": id(&mp)}),
    )?;
    call(
        a,
        cat,
        servers::create,
        &[],
        json!({"name": "staging", "description": "Switched off between releases",
        "hardware": {"fixed_instance_size_id": SIZE_M}, "appliance_id": debian, "power_on": false}),
    )?;

    let lb = call(
        a,
        cat,
        network::create_lb,
        &[],
        json!({"name": "web-lb", "description": "Front of web-01 and web-02",
        "health_check_test": "TCP", "health_check_interval": 15, "persistence": true, "persistence_time": 1200,
        "method": "ROUND_ROBIN", "rules": [{"protocol": "TCP", "port_balancer": 80, "port_server": 80}, {"protocol": "TCP", "port_balancer": 443, "port_server": 443}]}),
    )?;
    let web_ips: Vec<String> = [&web1, &web2]
        .iter()
        .filter_map(|s| s["ips"][0]["id"].as_str().map(str::to_string))
        .collect();
    call(
        a,
        cat,
        network::add_lb_ips,
        &[&id(&lb)],
        json!({"server_ips": web_ips}),
    )?;
    call(
        a,
        cat,
        network::add_pn_servers,
        &[&id(&pn)],
        json!({"servers": [id(&web1), id(&web2), id(&db)]}),
    )?;

    let data = call(
        a,
        cat,
        storage::create_block,
        &[],
        json!({"name": "db-data", "size": 100, "description": "Database volume"}),
    )?;
    call(
        a,
        cat,
        storage::create_block,
        &[],
        json!({"name": "scratch", "size": 50}),
    )?;
    let shared = call(
        a,
        cat,
        storage::create_shared,
        &[],
        json!({"name": "assets", "size": 200, "description": "Uploaded files"}),
    )?;
    call(
        a,
        cat,
        network::create_ip,
        &[],
        json!({"reverse_dns": "mail.example.com"}),
    )?;
    call(
        a,
        cat,
        network::create_vpn,
        &[],
        json!({"name": "office", "description": "Access from the office"}),
    )?;
    settle(a, &[]);
    call(
        a,
        cat,
        storage::attach_block,
        &[&id(&data)],
        json!({"server_id": id(&db)}),
    )?;
    call(
        a,
        cat,
        storage::attach_shared,
        &[&id(&shared)],
        json!({"servers": [{"id": id(&web1), "rights": "RW"}, {"id": id(&web2), "rights": "R"}]}),
    )?;
    call(
        a,
        cat,
        storage::create_image,
        &[],
        json!({"server_id": id(&web1), "name": "web-golden", "frequency": "ONCE", "description": "web-01 after setup"}),
    )?;
    let alice = call(
        a,
        cat,
        access::create_user,
        &[],
        json!({"name": "alice", "password": "Correct-Horse-9", "email": "alice@example.com", "description": "Developer"}),
    )?;
    let ro = a
        .coll(Kind::Role)
        .iter()
        .find(|r| r.name() == "Read only")
        .map(|r| r.id().to_string())
        .unwrap_or_default();
    call(
        a,
        cat,
        access::add_role_users,
        &[&ro],
        json!({"users": [id(&alice)]}),
    )?;
    settle(a, &[]);

    // Work still in progress, so that a first look shows states side by
    // side: a server deploying, a block storage and a VPN being set up.
    call(
        a,
        cat,
        servers::create,
        &[],
        json!({"name": "build-runner", "description": "Being deployed",
        "hardware": {"fixed_instance_size_id": SIZE_L}, "appliance_id": ubuntu}),
    )?;
    call(
        a,
        cat,
        storage::create_block,
        &[],
        json!({"name": "backups", "size": 200, "description": "Nightly dumps"}),
    )?;
    call(
        a,
        cat,
        network::create_vpn,
        &[],
        json!({"name": "partner", "description": "Access for the agency"}),
    )?;
    Ok(())
}
