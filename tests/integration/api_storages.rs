//! The changes to block and shared storages over the JSON API.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
