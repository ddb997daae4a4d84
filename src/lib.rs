//! teampanel: a self-hosted web control panel a team shares to run its
//! IONOS Cloud Panel account(s).

pub mod audit;
pub mod auth;
pub mod cli;
pub mod cloudpanel;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod rbac;
pub mod simulator;
pub mod startup;
pub mod telemetry;
pub mod tls;
pub mod web;
