//! The request context every handler takes: [`Ctx`].
//!
//! Its own file because every family's handlers take it while the route
//! table ([`super::router`]) names every family's handlers.

use super::catalogue::Catalogue;
use super::errors::ApiResult;
use super::list::ListParams;
use super::state::Account;
use serde_json::Value;

/// What a handler sees: the caller's account, the shared catalogue and the parsed request.
pub struct Ctx<'a> {
    pub acct: &'a mut Account,
    pub cat: &'a Catalogue,
    /// Path parameters in the order they appear in the pattern.
    pub params: Vec<String>,
    pub query: Vec<(String, String)>,
    /// The JSON body, `{}` when none was sent.
    pub body: Value,
    /// Simulated seconds since the simulator started (durations are in these units).
    pub now: f64,
}

impl Ctx<'_> {
    pub fn p(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or("")
    }

    pub fn query(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(qk, _)| qk == k)
            .map(|(_, v)| v.as_str())
    }

    pub fn list_params(&self) -> ApiResult<ListParams> {
        ListParams::parse(&self.query)
    }
}
