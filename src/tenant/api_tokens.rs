//! Personal access tokens through the handle, and the lookup the API's
//! door starts from.
//!
//! Any member makes, lists and revokes their own tokens (through any
//! handle); seeing and revoking everyone's needs
//! `organisation.manage_members`. Each change commits with its audit event,
//! which names the token's id and never the token.

use serde_json::json;

use super::store::api_tokens::{self as store, Access, ApiTokenRow};
use super::{Door, Membership, Tenant};
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::rbac::perms::ORGANISATION_MANAGE_MEMBERS as MANAGE;

/// Why a revoke did not happen.
#[derive(Debug, Clone)]
pub enum Revoked {
    Done(Box<ApiTokenRow>),
    /// Revoked before (by someone else, or a second click).
    Already,
    /// Not in this organisation, or another member's without the flag.
    NotFound,
}

/// A token that opened a request: whose, for which organisation, with what.
#[derive(Debug, Clone)]
pub struct TokenUse {
    pub id: i64,
    pub user_id: i64,
    pub org_slug: String,
    pub access: Access,
}

impl Tenant<'_> {
    /// The member's own tokens here, newest first.
    pub async fn my_api_tokens(&self) -> anyhow::Result<Vec<ApiTokenRow>> {
        let mut conn = self.door.conn().await?;
        store::list(&mut conn, self.org_id(), Some(self.member.user_id())).await
    }

    /// Every member's tokens here, newest first.
    pub async fn all_api_tokens(&self) -> anyhow::Result<Vec<ApiTokenRow>> {
        self.needs(MANAGE)?;
        let mut conn = self.door.conn().await?;
        store::list(&mut conn, self.org_id(), None).await
    }

    /// A new token of the member for this organisation: its id and the
    /// token, which is shown once and stored only hashed.
    pub async fn create_api_token(
        &self,
        name: &str,
        access: Access,
        expires_at: i64,
        now: i64,
    ) -> anyhow::Result<(i64, String)> {
        let mut change = LocalChange::begin(&self.door.db).await?;
        let (id, token) = store::create(
            change.conn(),
            self.org_id(),
            self.member.user_id(),
            name,
            access,
            expires_at,
            now,
        )
        .await?;
        let event = NewEvent::new("api_token.create", Outcome::Succeeded)
            .target("api_token", id, name)
            .details(json!({ "access": access.key(), "expires_at": expires_at }));
        change.commit(self.actor.ctx(), event).await?;
        Ok((id, token))
    }

    /// Revokes a token: the member's own through any handle, anyone's
    /// through a handle granted `organisation.manage_members`.
    pub async fn revoke_api_token(&self, id: i64, now: i64) -> anyhow::Result<Revoked> {
        let mut change = LocalChange::begin(&self.door.db).await?;
        let Some(token) = store::get(change.conn(), self.org_id(), id).await? else {
            return Ok(Revoked::NotFound);
        };
        if token.user_id != self.member.user_id() && self.needs(MANAGE).is_err() {
            return Ok(Revoked::NotFound);
        }
        if !store::revoke(change.conn(), self.org_id(), id, now).await? {
            return Ok(Revoked::Already);
        }
        let event = NewEvent::new("api_token.revoke", Outcome::Succeeded)
            .target("api_token", id, &token.name)
            .details(json!({ "owner": token.user_email, "access": token.access }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(Revoked::Done(Box::new(token)))
    }
}

impl Door {
    /// The token a request presented, when it may be used now: known, not
    /// revoked, not expired. One answer (`None`) for every other case, so
    /// a caller learns nothing about a token it does not hold. Notes the
    /// use at most once a minute.
    pub async fn api_token(&self, presented: &str, now: i64) -> anyhow::Result<Option<TokenUse>> {
        let hash = store::hash_token(presented);
        // Kept between requests like memberships: any write to the tokens
        // (a revocation, a use noted) outdates it at once.
        let found = match self.cached.api_tokens.get(&hash) {
            Some(found) => found,
            None => {
                let generation = crate::db::cache::generation();
                let mut conn = self.conn().await?;
                let Some(found) = store::by_hash(&mut conn, &hash).await? else {
                    return Ok(None);
                };
                self.cached.api_tokens.put(hash, found.clone(), generation);
                found
            }
        };
        let token = found.token;
        if !token.usable(now) {
            return Ok(None);
        }
        if token.last_used_at.is_none_or(|at| at <= now - 60) {
            let mut conn = self.conn().await?;
            store::touch(&mut conn, token.id, now).await?;
        }
        Ok(Some(TokenUse {
            id: token.id,
            user_id: token.user_id,
            org_slug: found.org_slug,
            access: token.access(),
        }))
    }
}

impl Membership {
    /// The membership as a token with `access` may use it: a read-only
    /// token holds only the role's `show` flags.
    pub fn through_token(&self, access: Access) -> Self {
        match access {
            Access::Role => self.clone(),
            Access::Read => {
                let mut role = self.role().clone();
                role.permissions = role.permissions.iter().filter(|p| p.is_show()).collect();
                role.name = format!("{} (read-only token)", role.name);
                Self(std::sync::Arc::new(super::Held {
                    org: self.org().clone(),
                    role,
                    user_id: self.user_id(),
                    expires_at: self.expires_at(),
                    scope: self.0.scope.clone(),
                }))
            }
        }
    }
}
