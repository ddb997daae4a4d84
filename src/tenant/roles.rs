//! Roles through the handle: every member sees them; creating, changing and
//! deleting them needs `organisation.manage_roles`, and each change commits
//! with its audit event.

use serde_json::json;

use super::Tenant;
use super::panel_changes::PanelChange;
use super::store::roles::{self as store, DeleteOutcome, RoleRow, RoleSummary, UpdateOutcome};
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::rbac::PermissionSet;
use crate::rbac::perms::ORGANISATION_MANAGE_ROLES as MANAGE;

impl Tenant<'_> {
    /// The organisation's roles with how many members and invitations hold each.
    pub async fn roles(&self, now: i64) -> anyhow::Result<Vec<RoleSummary>> {
        let mut conn = self.door.conn().await?;
        store::list(&mut conn, self.org_id(), now).await
    }

    pub async fn role(&self, role_id: i64) -> anyhow::Result<Option<RoleRow>> {
        let mut conn = self.door.conn().await?;
        store::by_id(&mut conn, self.org_id(), role_id).await
    }

    /// A new custom role; `None` when the name is taken.
    pub async fn create_role(&self, name: &str) -> anyhow::Result<Option<i64>> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let Some(id) =
            store::create(change.conn(), self.org_id(), name, &PermissionSet::empty()).await?
        else {
            return Ok(None);
        };
        let event = NewEvent::new("role.create", Outcome::Succeeded).target("role", id, name);
        change.commit(self.actor.ctx(), event).await?;
        Ok(Some(id))
    }

    /// A copy of `role` under a free name; `None` when a race took the name.
    pub async fn clone_role(&self, role: &RoleRow) -> anyhow::Result<Option<(i64, String)>> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let name = store::free_copy_name(change.conn(), self.org_id(), &role.name).await?;
        let Some(id) =
            store::create(change.conn(), self.org_id(), &name, &role.permissions).await?
        else {
            return Ok(None);
        };
        let event = NewEvent::new("role.clone", Outcome::Succeeded)
            .target("role", id, &name)
            .details(json!({ "from_role_id": role.id, "from": role.name }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(Some((id, name)))
    }

    /// Renames a custom role and replaces its permissions.
    pub async fn update_role(
        &self,
        role: &RoleRow,
        name: &str,
        wanted: &PermissionSet,
    ) -> anyhow::Result<UpdateOutcome> {
        self.needs(MANAGE)?;
        let keys = |set: Vec<crate::rbac::Permission>| set.iter().map(|p| p.key()).collect();
        let op = PanelChange::RoleUpdate {
            role_id: role.id,
            name_from: role.name.clone(),
            name: name.to_owned(),
            permissions: wanted.iter().map(|p| p.key()).collect(),
            added: keys(wanted.missing_from(&role.permissions)),
            removed: keys(role.permissions.missing_from(wanted)),
        };
        self.held_back(&op).await?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome = store::update(change.conn(), self.org_id(), role.id, name, wanted).await?;
        if outcome != UpdateOutcome::Updated {
            return Ok(outcome);
        }
        change.commit(self.actor.ctx(), op.event()).await?;
        Ok(outcome)
    }

    /// Deletes a custom role that nobody holds.
    pub async fn delete_role(&self, role: &RoleRow, now: i64) -> anyhow::Result<DeleteOutcome> {
        self.needs(MANAGE)?;
        let op = PanelChange::RoleDelete {
            role_id: role.id,
            name: role.name.clone(),
        };
        self.held_back(&op).await?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let outcome = store::delete(change.conn(), self.org_id(), role.id, now).await?;
        if outcome != DeleteOutcome::Deleted {
            return Ok(outcome);
        }
        change.commit(self.actor.ctx(), op.event()).await?;
        Ok(outcome)
    }
}
