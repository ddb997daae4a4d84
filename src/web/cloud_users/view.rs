//! What the Cloud Panel user templates show, computed once from the API's
//! answer. The API key itself never gets here: only its last four characters.

use crate::cloudpanel::access::User;
use crate::web::cloud::{StateBadge, Upstream};
use crate::web::org_ctx::OrgCtx;

/// One user, as the list row and the detail page show it.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub badge: StateBadge,
    /// The Cloud Panel role's name; empty when none.
    pub role: String,
    pub role_id: String,
    pub api_active: bool,
    /// `…abcd`, or empty when the user has no key.
    pub key_hint: String,
    pub allowed_ips: Vec<String>,
    pub created: String,
    /// The user's address in the panel, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
}

impl UserRow {
    pub fn new(user: &User, ctx: &OrgCtx, up: &Upstream) -> Self {
        let role = user.roles.as_ref();
        Self {
            id: user.id.clone(),
            name: user.name.clone(),
            description: user.description.clone(),
            email: user.email.clone(),
            badge: StateBadge::new(user.state.as_str(), user.state.is_transitional(), None),
            role: role.map(|r| r.name.clone()).unwrap_or_default(),
            role_id: role.map(|r| r.id.clone()).unwrap_or_default(),
            api_active: user.api.active,
            key_hint: user
                .api
                .key
                .as_ref()
                .map(|k| format!("…{}", k.last_four()))
                .unwrap_or_default(),
            allowed_ips: user.api.allowed_ips.clone(),
            created: user.creation_date.to_string(),
            href: super::FAMILY.href(ctx, &user.id),
            query: up.query(),
        }
    }
}
