//! The changes to server parts over the JSON API.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
