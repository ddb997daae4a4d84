//! The changes to private networks, public IPs and VPNs over the JSON API.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
