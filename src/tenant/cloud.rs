//! Opening a cloud account: only a handle granted a cloud permission (any
//! group but the panel's own `organisation`) may, and only an account of its
//! organisation whose provider this build knows.

use std::sync::Arc;

use anyhow::Context;

use super::queue_core::QueueCore;
use super::store::accounts::{CloudAccountRow, Provider};
use super::{Actor, Door, Grant, Tenant};
use crate::audit::{self, NewEvent};
use crate::cloudpanel::{AccountClient, AccountKey, Parked};
use crate::crypto::KeyRing;
use crate::db::Db;
use crate::rbac::Permission;

/// Why an account could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the organisation has no cloud account yet")]
    NoAccount,
    #[error("no such cloud account in this organisation")]
    NotFound,
    #[error("the cloud account's provider `{0}` is not one this panel knows")]
    UnknownProvider(String),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// An open cloud account: its row, its client, and the one way to record a
/// change made through it.
pub struct CloudAccount {
    /// Shared with the organisation's cached list of accounts.
    pub row: Arc<CloudAccountRow>,
    pub provider: Provider,
    pub client: AccountClient,
    /// The permission the account was opened under: a change queued
    /// through it is checked against it again before it is sent.
    pub permission: Permission,
    /// Where the client parks a change the budget refuses (see
    /// [`crate::cloudpanel::Parked`]); armed only while a change is recorded.
    pub(super) parked: Parked,
    pub(super) queue: Arc<QueueCore>,
    pub(super) keys: KeyRing,
    pub(super) db: Db,
    pub(super) actor: Actor,
}

impl CloudAccount {
    /// Records the `requested` event of a change on this account; the call
    /// may go upstream only when this succeeded.
    pub async fn request(&self, event: NewEvent) -> anyhow::Result<audit::Change> {
        audit::begin(&self.db, self.actor.ctx(), event.cloud_account(self.row.id)).await
    }
}

fn is_cloud_permission(permission: Permission) -> bool {
    permission.group() != "organisation"
}

/// An account opened for the organisation, before it is bound to a handle.
pub(super) struct Opened {
    pub row: Arc<CloudAccountRow>,
    pub provider: Provider,
    pub client: AccountClient,
}

impl Door {
    /// Opens one of an organisation's cloud accounts: `Some(id)`, or its
    /// default with `None`. The caller has checked the permission: a
    /// handle's grant ([`Tenant::cloud`]) or, for a queued change, the
    /// member's role again.
    pub(super) async fn open_cloud(
        &self,
        org_id: i64,
        account_id: Option<i64>,
    ) -> Result<Opened, OpenError> {
        let accounts = self.accounts(org_id).await?;
        let row = match account_id {
            Some(id) => accounts
                .iter()
                .find(|a| a.id == id)
                .ok_or(OpenError::NotFound)?,
            // The one marked default, else the oldest.
            None => accounts
                .iter()
                .min_by_key(|a| (!a.is_default, a.id))
                .ok_or(OpenError::NoAccount)?,
        }
        .clone();
        let provider = Provider::parse(&row.provider)
            .ok_or_else(|| OpenError::UnknownProvider(row.provider.clone()))?;
        let token = self
            .token(org_id, row.id)
            .await
            .context("Failed to open a cloud account's token")?
            .ok_or(OpenError::NotFound)?;
        let client = match provider {
            Provider::CloudPanel => {
                self.cloud
                    .account(AccountKey::new(row.id, row.base_url.clone(), token))
            }
        };
        Ok(Opened {
            row,
            provider,
            client,
        })
    }
}

impl Tenant<'_> {
    /// Opens one of the organisation's cloud accounts: `Some(id)`, or its
    /// default with `None`.
    pub async fn cloud(&self, account_id: Option<i64>) -> Result<CloudAccount, OpenError> {
        self.needs_one(|| "a cloud permission".to_owned(), is_cloud_permission)?;
        let Grant::Permission(permission) = self.grant else {
            // `needs_one` passed, so the grant is a permission.
            return Err(OpenError::Failed(anyhow::anyhow!(
                "a cloud account was opened without a permission"
            )));
        };
        let opened = self.door.open_cloud(self.org_id(), account_id).await?;
        let (client, parked) = opened.client.queueing();
        Ok(CloudAccount {
            row: opened.row,
            provider: opened.provider,
            client,
            permission,
            parked,
            queue: self.door.queue.clone(),
            keys: self.door.keys.clone(),
            db: self.door.db.clone(),
            actor: self.actor.clone(),
        })
    }
}
