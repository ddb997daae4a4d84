//! The changes to images and SSH keys over the JSON API.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
