//! E2E Networks MyAccount: the second API the panel speaks.
//!
//! Its accounts share everything below the API with the Cloud Panel's:
//! the budget, the read cache, stale answers, the change queue and the
//! client's grant. What is its own is here: how a request is signed (the
//! token as a bearer, the API key, project and location as query
//! parameters, added as the request leaves so they reach no cache key,
//! queued change or log), the `{code, message, data, errors}` envelope, the
//! endpoints with the permission each needs ([`endpoints`]), how fresh its
//! answers stay and what a change outdates ([`rules`]), and the typed calls.

pub mod catalogue;
pub mod endpoints;
pub mod images;
pub mod nodes;
pub mod rules;

pub use catalogue::{CommittedSku, ImageChoice, Plan};
pub use images::SavedImage;
pub use nodes::{BillingChoice, NewNode, Node, NodeAction, NodeState};

use super::SecretToken;
use std::fmt;

/// The public API.
pub const DEFAULT_BASE_URL: &str = "https://api.e2enetworks.com/myaccount/api/v1";

/// What an E2E account needs besides its bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct Access {
    /// Sent as the `apikey` query parameter; sealed like the token.
    pub api_key: SecretToken,
    pub project_id: String,
    /// The location the account's nodes are in (`Delhi`, `Mumbai`).
    pub location: String,
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Access")
            .field("api_key", &self.api_key)
            .field("project_id", &self.project_id)
            .field("location", &self.location)
            .finish()
    }
}

impl Access {
    /// Adds the account's parameters to a request's address.
    pub(crate) fn sign(&self, url: &mut reqwest::Url) {
        let mut pairs = url.query_pairs_mut();
        pairs.append_pair("apikey", self.api_key.expose());
        if !self.project_id.is_empty() {
            pairs.append_pair("project_id", &self.project_id);
        }
        if !self.location.is_empty() {
            pairs.append_pair("location", &self.location);
        }
    }
}
