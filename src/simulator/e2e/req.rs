//! What a handler works with: the account, the catalogue and the request.

use super::catalogue::Catalogue;
use super::state::Account;
use serde_json::Value;

/// What a handler works with.
pub struct Req<'a> {
    pub acct: &'a mut Account,
    pub cat: &'a Catalogue,
    /// The path's `{node_id}` or `{image_id}`, as written.
    pub id: Option<String>,
    pub query: Vec<(String, String)>,
    pub body: Value,
    /// Simulated seconds (see `Clock`).
    pub now: f64,
}

impl Req<'_> {
    /// A query parameter; the first one when repeated.
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The path's id as a number; None when it cannot name anything.
    pub fn path_id(&self) -> Option<u64> {
        self.id.as_deref().and_then(|s| s.parse().ok())
    }
}
