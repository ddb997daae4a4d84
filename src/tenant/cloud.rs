//! Opening a cloud account: only a handle granted a cloud permission (any
//! group but the panel's own `organisation`) may, and only an account of its
//! organisation whose provider this build knows.

use std::sync::Arc;

use anyhow::Context;

use super::store::accounts::{CloudAccountRow, Provider};
use super::{Actor, Tenant};
use crate::audit::{self, NewEvent};
use crate::cloudpanel::{AccountClient, AccountKey};
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
    db: Db,
    actor: Actor,
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

impl Tenant<'_> {
    /// Opens one of the organisation's cloud accounts: `Some(id)`, or its
    /// default with `None`.
    pub async fn cloud(&self, account_id: Option<i64>) -> Result<CloudAccount, OpenError> {
        self.needs_one(|| "a cloud permission".to_owned(), is_cloud_permission)?;
        let db = &self.door.db;
        let accounts = self.door.accounts(self.org_id()).await?;
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
            .door
            .token(self.org_id(), row.id)
            .await
            .context("Failed to open a cloud account's token")?
            .ok_or(OpenError::NotFound)?;
        let client = match provider {
            Provider::CloudPanel => {
                self.door
                    .cloud
                    .account(AccountKey::new(row.id, row.base_url.clone(), token))
            }
        };
        Ok(CloudAccount {
            row,
            provider,
            client,
            db: db.clone(),
            actor: self.actor.clone(),
        })
    }
}
