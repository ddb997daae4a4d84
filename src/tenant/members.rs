//! Members and invitations through the handle: every member sees who
//! belongs; inviting, changing roles, removing and withdrawing invitations
//! need `organisation.manage_members`, and each change commits with its
//! audit event. The invitation token is returned once and never recorded.

use serde_json::json;

use super::Tenant;
use super::panel_changes::PanelChange;
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
        let token = invitations::new_token();
        let op = PanelChange::Invite {
            email: email.as_str().to_owned(),
            role_id: role.id,
            role: role.name.clone(),
            token: token.clone(),
        };
        self.held_back(&op).await?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let id = invitations::create(
            change.conn(),
            self.org_id(),
            email.as_str(),
            role.id,
            self.member.user_id(),
            now,
            &token,
        )
        .await?;
        let mut event = op.event();
        event.target_id = id.to_string();
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
        let op = PanelChange::MemberRole {
            user_id: member.user_id,
            email: member.email.clone(),
            from: from.name.clone(),
            role_id: to.id,
            to: to.name.clone(),
        };
        self.held_back(&op).await?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome = store::set_role(change.conn(), self.org_id(), member.user_id, to.id).await?;
        if outcome != Change::Done {
            return Ok(outcome);
        }
        change.commit(self.actor.ctx(), op.event()).await?;
        Ok(outcome)
    }

    pub async fn remove_member(&self, member: &Member, role: &RoleRow) -> anyhow::Result<Change> {
        self.needs(MANAGE)?;
        let op = PanelChange::MemberRemove {
            user_id: member.user_id,
            email: member.email.clone(),
            role: role.name.clone(),
        };
        self.held_back(&op).await?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome = store::remove(change.conn(), self.org_id(), member.user_id).await?;
        if outcome != Change::Done {
            return Ok(outcome);
        }
        change.commit(self.actor.ctx(), op.event()).await?;
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
        let op = PanelChange::MemberExpiry {
            user_id: member.user_id,
            email: member.email.clone(),
            role: role.name.clone(),
            expires_at,
            previous: member.expires_at,
        };
        self.held_back(&op).await?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome =
            store::set_expiry(change.conn(), self.org_id(), member.user_id, expires_at).await?;
        if outcome != Change::Done {
            return Ok(outcome);
        }
        change.commit(self.actor.ctx(), op.event()).await?;
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
        let previous = member
            .scope
            .as_deref()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
        let op = PanelChange::MemberScope {
            user_id: member.user_id,
            email: member.email.clone(),
            role: role.name.clone(),
            scope: scope.clone(),
            previous,
        };
        self.held_back(&op).await?;
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
        change.commit(self.actor.ctx(), op.event()).await?;
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
