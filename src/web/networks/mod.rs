//! What the network pages share: the posted fields, rename form and checks
//! of the firewall policy and load balancer forms (also used by the
//! monitoring policies), the pieces of the private network, public IP and
//! VPN pages, and server IPs as the firewall policy and load balancer pages
//! show them. Each family lives in its own module, named by its URL word.

pub mod form;
pub mod parts;
pub mod server_ips;
