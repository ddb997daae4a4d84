//! One integration test binary: every area is a module, so the suite links once.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access_pages;
mod audit_accounts;
mod auth;
mod backup;
mod base_urls;
mod block_storages;
mod catalogue;
mod cloud_roles;
mod cloud_users;
mod cloudpanel;
mod cold_pages;
mod crash;
mod dashboard;
mod firewall_policies;
mod granted;
mod helpers;
mod images;
mod load_balancers;
mod logs;
mod member_sessions;
mod metrics;
mod monitoring;
mod organisations;
mod private_networks;
mod public_ips;
mod queue;
mod revocation;
mod rows;
mod server_forms;
mod server_operations;
mod server_parts;
mod servers;
mod shared_budget;
mod shared_storages;
mod simulator;
mod ssh_keys;
mod stale;
mod team_load;
mod tenancy;
mod two_accounts;
mod two_factor;
mod usage;
mod vpns;
