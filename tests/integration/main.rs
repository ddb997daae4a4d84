//! One integration test binary: every area is a module, so the suite links once.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod audit_accounts;
mod auth;
mod cloudpanel;
mod helpers;
mod organisations;
mod servers;
mod simulator;
