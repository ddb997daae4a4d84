//! Networks: private networks, public IPs, firewall policies, load
//! balancers and VPNs.

pub mod firewall_policies;
pub mod form;
pub mod load_balancers;
mod parts;
pub mod private_networks;
pub mod public_ips;
pub mod server_ips;
pub mod vpns;

pub fn routes(cfg: &mut crate::web::routing::Routes) {
    private_networks::routes(cfg);
    public_ips::routes(cfg);
    firewall_policies::routes(cfg);
    load_balancers::routes(cfg);
    vpns::routes(cfg);
}
