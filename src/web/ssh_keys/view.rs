//! What the SSH key templates show, computed once from the API's answer.

use super::FAMILY;
use crate::cloudpanel::ssh_keys::SshKey;
use crate::web::cloud::{StateBadge, Upstream};
use crate::web::org_ctx::OrgCtx;

/// A server that was given the key.
#[derive(Debug, Clone)]
pub struct ServerLink {
    pub name: String,
    pub href: String,
}

/// One row of the list (also the fragment a refreshing row fetches).
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    /// The key's type and fingerprint as the API gives them.
    pub kind: String,
    pub md5: String,
    pub servers: Vec<ServerLink>,
    /// The key's address in the panel, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
}

impl KeyRow {
    pub fn new(key: &SshKey, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            id: key.id.clone(),
            name: key.name.clone(),
            description: key.description.clone(),
            badge: badge(key),
            kind: key
                .public_key
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
            md5: key.md5.clone(),
            servers: key
                .servers
                .iter()
                .filter(|s| !s.id.is_empty())
                .map(|s| ServerLink {
                    name: if s.name.is_empty() {
                        s.id.clone()
                    } else {
                        s.name.clone()
                    },
                    href: up.server_href(ctx, &s.id),
                })
                .collect(),
            href: FAMILY.href(ctx, &key.id),
            query: up.query(),
        }
    }

    /// A key that left the list meanwhile: shown as removed.
    pub fn removed(id: &str, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            badge: StateBadge::removed(),
            kind: String::new(),
            md5: String::new(),
            servers: Vec::new(),
            href: FAMILY.href(ctx, id),
            query: up.query(),
        }
    }
}

pub fn badge(key: &SshKey) -> StateBadge {
    StateBadge::new(key.state.as_str(), key.state.is_transitional(), None)
}
