//! teampanel: a self-hosted web control panel a team shares to run its
//! IONOS Cloud Panel account(s).
//!
//! Modules depend one way: `cli` and `demo` on `startup` and `commands`;
//! `startup` on `web`; `web` on everything below it; below it, `tenant`
//! (the one door to an organisation's rows) on `audit`, `db`, `crypto`,
//! `rbac`, `domain` and `cloudpanel`. Nothing below `web` imports from it.
//! `metrics` imports nothing, so every layer may record into it.

pub mod app_state;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod cloudpanel;
pub mod commands;
pub mod config;
pub mod crypto;
pub mod data_dir_lock;
pub mod db;
pub mod demo;
pub mod domain;
pub mod metrics;
pub mod rbac;
pub mod simulator;
pub mod startup;
pub mod telemetry;
pub mod tenant;
pub mod tls;
pub mod web;
