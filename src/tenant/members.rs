//! Members and invitations through the handle: every member sees who
//! belongs; inviting, changing roles, removing and withdrawing invitations
//! need `organisation.manage_members`, and each change commits with its
//! audit event. The invitation token is returned once and never recorded.

use serde_json::json;

use super::Tenant;
use super::store::invitations::{self as invitations, Invitation};
use super::store::members::{self as store, Change, Member};
use super::store::roles::RoleRow;
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::cloudpanel::Scope;
use crate::domain::Email;
use crate::rbac::perms::ORGANISATION_MANAGE_MEMBERS as MANAGE;

impl Tenant<'_> {
    pub async fn members(&self) -> anyhow::Result<Vec<Member>> {
        let mut conn = self.door.conn().await?;
        store::list(&mut conn, self.org_id()).await
    }

    pub async fn member(&self, user_id: i64) -> anyhow::Result<Option<Member>> {
        let mut conn = self.door.conn().await?;
        store::get(&mut conn, self.org_id(), user_id).await
    }

    pub async fn member_by_email(&self, email: &Email) -> anyhow::Result<Option<Member>> {
        let mut conn = self.door.conn().await?;
        store::by_email(&mut conn, self.org_id(), email.as_str()).await
    }

    /// Invitations not used yet (recently expired ones included).
    pub async fn invitations(&self, now: i64) -> anyhow::Result<Vec<Invitation>> {
        self.needs(MANAGE)?;
        let mut conn = self.door.conn().await?;
        invitations::outstanding(&mut conn, self.org_id(), now).await
    }

    pub async fn invitation(&self, id: i64) -> anyhow::Result<Option<Invitation>> {
        self.needs(MANAGE)?;
        let mut conn = self.door.conn().await?;
        invitations::by_id(&mut conn, self.org_id(), id).await
    }

    /// Creates an invitation; returns its id and the one-time token.
    pub async fn invite(
        &self,
        email: &Email,
        role: &RoleRow,
        now: i64,
    ) -> anyhow::Result<(i64, String)> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let (id, token) = invitations::create(
            change.conn(),
            self.org_id(),
            email.as_str(),
            role.id,
            self.member.user_id(),
            now,
        )
        .await?;
        let event = NewEvent::new("member.invite", Outcome::Succeeded)
            .target("invitation", id, email.as_str())
            .details(json!({ "email": email.as_str(), "role": role.name }));
        change.commit(self.actor.ctx(), event).await?;
        Ok((id, token))
    }

    pub async fn set_member_role(
        &self,
        member: &Member,
        from: &RoleRow,
        to: &RoleRow,
    ) -> anyhow::Result<Change> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome = store::set_role(change.conn(), self.org_id(), member.user_id, to.id).await?;
        if outcome != Change::Done {
            return Ok(outcome);
        }
        let event = NewEvent::new("member.change_role", Outcome::Succeeded)
            .target("member", member.user_id, &member.email)
            .details(json!({ "from": from.name, "to": to.name }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(outcome)
    }

    pub async fn remove_member(&self, member: &Member, role: &RoleRow) -> anyhow::Result<Change> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome = store::remove(change.conn(), self.org_id(), member.user_id).await?;
        if outcome != Change::Done {
            return Ok(outcome);
        }
        let event = NewEvent::new("member.remove", Outcome::Succeeded)
            .target("member", member.user_id, &member.email)
            .details(json!({ "role": role.name }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(outcome)
    }

    /// Sets when the member's access ends (`None`: never), audited as
    /// `member.set_expiry` with the time and the role it ends.
    pub async fn set_member_expiry(
        &self,
        member: &Member,
        role: &RoleRow,
        expires_at: Option<i64>,
    ) -> anyhow::Result<Change> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome =
            store::set_expiry(change.conn(), self.org_id(), member.user_id, expires_at).await?;
        if outcome != Change::Done {
            return Ok(outcome);
        }
        let event = NewEvent::new("member.set_expiry", Outcome::Succeeded)
            .target("member", member.user_id, &member.email)
            .details(json!({
                "role": role.name,
                "expires_at": expires_at,
                "previous": member.expires_at,
            }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(outcome)
    }

    /// Limits the member's role to `scope` (an empty scope lifts the
    /// limit), audited as `member.set_scope` with the scope before and
    /// after. An Owner's role is never limited ([`Change::LastOwner`]).
    pub async fn set_member_scope(
        &self,
        member: &Member,
        role: &RoleRow,
        scope: &Scope,
    ) -> anyhow::Result<Change> {
        self.needs(MANAGE)?;
        let stored = scope
            .is_limited()
            .then(|| serde_json::to_string(scope))
            .transpose()?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome = store::set_scope(
            change.conn(),
            self.org_id(),
            member.user_id,
            stored.as_deref(),
        )
        .await?;
        if outcome != Change::Done {
            return Ok(outcome);
        }
        let previous = member
            .scope
            .as_deref()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
        let event = NewEvent::new("member.set_scope", Outcome::Succeeded)
            .target("member", member.user_id, &member.email)
            .details(json!({ "role": role.name, "scope": scope, "previous": previous }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(outcome)
    }

    /// Withdraws an open invitation; `false` when it was not open any more.
    pub async fn revoke_invitation(
        &self,
        invitation: &Invitation,
        now: i64,
    ) -> anyhow::Result<bool> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        if !invitations::revoke(change.conn(), self.org_id(), invitation.id, now).await? {
            return Ok(false);
        }
        let event = NewEvent::new("member.revoke_invitation", Outcome::Succeeded)
            .target("invitation", invitation.id, &invitation.email)
            .details(json!({ "role": invitation.role_name }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(true)
    }
}
