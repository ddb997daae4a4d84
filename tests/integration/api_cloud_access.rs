//! The changes to cloud users and cloud roles over the JSON API.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
