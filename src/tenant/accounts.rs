//! Cloud accounts through the handle: any member sees which exist; changing
//! them needs `organisation.manage_cloud_accounts`. Every change commits
//! with its audit event; a token never reaches an event, only its last four
//! characters.

use serde_json::json;

use super::panel_changes::{HeldCredentials, PanelChange};
use super::store::accounts::{self as store, CloudAccountRow, Credentials, NameTaken, Provider};
use super::{AccountList, Tenant};
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::domain::{AccountName, BaseUrl};
use crate::rbac::perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS as MANAGE;

impl Tenant<'_> {
    /// The organisation's accounts, the default first: shared with the
    /// cache, not copied, since most pages show them in their switcher.
    /// A handle granted a cloud permission sees the accounts of the provider
    /// it opens (see `cloud::provider_of`): the servers page switches among
    /// Cloud Panel accounts, the nodes page among E2E ones.
    /// A member whose role is limited to some accounts sees those only.
    pub async fn accounts(&self) -> anyhow::Result<AccountList> {
        let all = self.door.accounts(self.org_id()).await?;
        let Some(provider) = self.cloud_provider() else {
            return Ok(all);
        };
        let scope = self.member.scope();
        let shown = |a: &CloudAccountRow| {
            Provider::parse(&a.provider) == Some(provider)
                && scope.is_none_or(|s| super::cloud::in_scope(s, a))
        };
        if all.iter().all(|a| shown(a)) {
            return Ok(all);
        }
        Ok(all.iter().filter(|a| shown(a)).cloned().collect())
    }

    pub async fn account(&self, id: i64) -> anyhow::Result<Option<CloudAccountRow>> {
        let accounts = self.door.accounts(self.org_id()).await?;
        Ok(accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| CloudAccountRow::clone(a)))
    }

    /// Stores an account whose credentials its API just accepted.
    pub async fn add_account(
        &self,
        name: &AccountName,
        base_url: &BaseUrl,
        credentials: &Credentials,
    ) -> anyhow::Result<Result<CloudAccountRow, NameTaken>> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let row = match store::insert(
            change.conn(),
            &self.door.keys,
            self.org_id(),
            name.as_str(),
            base_url.as_str(),
            credentials,
            self.actor.ctx().actor_id,
        )
        .await?
        {
            Ok(row) => row,
            Err(taken) => return Ok(Err(taken)),
        };
        let event = NewEvent::new("cloud_account.create", Outcome::Succeeded)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({
                "base_url": row.base_url,
                "last_four": row.token_last4,
                "default": row.is_default,
                "provider": row.provider,
                "project_id": row.project_id,
                "location": row.location,
            }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(Ok(row))
    }

    /// Replaces the credentials (and base URL) of an account; returns the
    /// new token's last four characters, or `None` when the account is not
    /// the organisation's or of another provider. Its budget and cache
    /// start afresh.
    pub async fn replace_account_token(
        &self,
        row: &CloudAccountRow,
        base_url: &BaseUrl,
        credentials: &Credentials,
    ) -> anyhow::Result<Option<String>> {
        self.needs(MANAGE)?;
        let op = PanelChange::AccountToken {
            account_id: row.id,
            name: row.name.clone(),
            base_url: base_url.as_str().to_owned(),
            previous_base_url: row.base_url.clone(),
            previous_last_four: row.token_last4.clone(),
            credentials: HeldCredentials::of(credentials),
        };
        self.held_back(&op).await?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let replaced = store::replace_token(
            change.conn(),
            &self.door.keys,
            self.org_id(),
            row.id,
            base_url.as_str(),
            credentials,
        )
        .await?;
        if !replaced {
            return Ok(None);
        }
        let last_four = store::last4(credentials.token().expose());
        change.commit(self.actor.ctx(), op.event()).await?;
        self.door.cloud.forget_account(row.id);
        Ok(Some(last_four))
    }

    /// `Ok(Ok(false))` when the account is not the organisation's.
    pub async fn rename_account(
        &self,
        row: &CloudAccountRow,
        name: &AccountName,
    ) -> anyhow::Result<Result<bool, NameTaken>> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        match store::rename(change.conn(), self.org_id(), row.id, name.as_str()).await? {
            Ok(true) => {}
            other => return Ok(other),
        }
        let event = NewEvent::new("cloud_account.rename", Outcome::Succeeded)
            .target("cloud_account", row.id, name.as_str())
            .cloud_account(row.id)
            .details(json!({ "from": row.name, "to": name.as_str() }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(Ok(true))
    }

    pub async fn set_default_account(&self, row: &CloudAccountRow) -> anyhow::Result<bool> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        if !store::set_default(change.conn(), self.org_id(), row.id).await? {
            return Ok(false);
        }
        let event = NewEvent::new("cloud_account.set_default", Outcome::Succeeded)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id);
        change.commit(self.actor.ctx(), event).await?;
        Ok(true)
    }

    /// Deletes an account and its sealed token; the oldest remaining account
    /// becomes the default when this one was.
    pub async fn delete_account(&self, row: &CloudAccountRow) -> anyhow::Result<bool> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        if !store::delete(change.conn(), self.org_id(), row.id).await? {
            return Ok(false);
        }
        let event = NewEvent::new("cloud_account.delete", Outcome::Succeeded)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({ "base_url": row.base_url, "was_default": row.is_default }));
        change.commit(self.actor.ctx(), event).await?;
        self.door.cloud.forget_account(row.id);
        Ok(true)
    }
}
