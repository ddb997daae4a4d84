//! An element as the API shows it: hidden relation keys removed, and the
//! fields that come from other elements filled, one file per family.
//!
//! Below the families: their handlers answer with the element as shown,
//! and showing any element reads the relations of the others.

mod access;
mod monitoring;
mod network;
pub(super) mod servers;
mod storage;

use super::errors::ApiResult;
use super::state::{Account, Kind, Obj, Rec, public};
use serde_json::Value;

/// An element as the API shows it: hidden relation keys removed, derived fields filled.
pub fn render(a: &Account, k: Kind, r: &Rec) -> Value {
    let mut o: Obj = public(&r.obj);
    match k {
        Kind::Server => servers::decorate(a, r, &mut o),
        Kind::PublicIp => network::decorate_ip(a, r, &mut o),
        Kind::Firewall => network::decorate_firewall(a, r, &mut o),
        Kind::LoadBalancer => network::decorate_lb(a, r, &mut o),
        Kind::PrivateNetwork => network::decorate_pn(a, r, &mut o),
        Kind::BlockStorage | Kind::SharedStorage => storage::decorate(a, k, r, &mut o),
        Kind::MonitoringPolicy => monitoring::decorate(a, r, &mut o),
        Kind::SshKey | Kind::User | Kind::Role => access::decorate(a, k, r, &mut o),
        Kind::Image | Kind::Vpn | Kind::Log => {}
    }
    Value::Object(o)
}

pub fn render_id(a: &Account, k: Kind, id: &str) -> ApiResult<Value> {
    let r = a.get(k, id)?;
    Ok(render(a, k, r))
}
