//! One integration test binary: every area is a module, so the suite links once.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access_pages;
mod audit_accounts;
mod auth;
mod block_storages;
mod catalogue;
mod cloudpanel;
mod crash;
mod firewall_policies;
mod helpers;
mod images;
mod load_balancers;
mod logs;
mod organisations;
mod private_networks;
mod public_ips;
mod rows;
mod server_forms;
mod servers;
mod shared_storages;
mod simulator;
mod ssh_keys;
mod tenancy;
mod two_accounts;
mod vpns;
