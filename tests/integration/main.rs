//! One integration test binary: every area is a module, so the suite links once.

mod audit_accounts;
mod auth;
mod cloudpanel;
mod helpers;
mod organisations;
mod simulator;
