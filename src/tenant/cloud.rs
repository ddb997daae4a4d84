//! Opening a cloud account: only a handle granted a cloud permission (any
//! group but the panel's own `organisation`) may, and only an account of its
//! organisation whose provider this build knows.

use std::sync::Arc;

use anyhow::Context;

use super::queue_core::QueueCore;
use super::store::accounts::{self as store, CloudAccountRow, Provider};
use super::{Actor, Door, Grant, Tenant};
use crate::audit::{self, NewEvent};
use crate::cloudpanel::{
    AccountClient, AccountKey, Parked, Scope, ScopeGuard, ScopeRefusal, Witness, e2e,
};
use crate::crypto::KeyRing;
use crate::db::Db;
use crate::rbac::Permission;

/// Why an account could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the organisation has no {} account yet", of.title())]
    NoAccount { of: Provider },
    #[error("no such cloud account in this organisation")]
    NotFound,
    #[error("the cloud account's provider `{0}` is not one this panel knows")]
    UnknownProvider(String),
    /// The account named is of another provider than the page's.
    #[error("the cloud account is a {is} account, not a {wanted} one")]
    OtherProvider {
        is: &'static str,
        wanted: &'static str,
    },
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// An open cloud account: its row, its client, and the one way to record a
/// change made through it.
pub struct CloudAccount {
    /// Shared with the organisation's cached list of accounts.
    pub row: Arc<CloudAccountRow>,
    pub provider: Provider,
    /// Granted [`CloudAccount::permission`]: it sends no other change.
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
        let mut event = event.cloud_account(self.row.id);
        // The provider is named in the event where it is not the Cloud Panel.
        if self.provider != Provider::CloudPanel {
            let provider = serde_json::Value::from(self.provider.key());
            match &mut event.details {
                serde_json::Value::Object(map) => {
                    map.insert("provider".into(), provider);
                }
                serde_json::Value::Null => {
                    event.details = serde_json::json!({ "provider": provider });
                }
                _ => {}
            }
        }
        audit::begin(&self.db, self.actor.ctx(), event).await
    }
}

fn is_cloud_permission(permission: Permission) -> bool {
    permission.group() != "organisation"
}

/// The provider whose accounts a cloud permission opens: E2E's groups open
/// E2E accounts, every other cloud group the Cloud Panel's. So a page can
/// never send one provider's calls to the other's API.
pub(super) fn provider_of(permission: Permission) -> Provider {
    match permission.source() {
        crate::rbac::Source::E2e => Provider::E2e,
        crate::rbac::Source::CloudPanel | crate::rbac::Source::Panel => Provider::CloudPanel,
    }
}

/// Whether an account is inside a member's scope (an E2E account by its
/// one location as well).
pub(super) fn in_scope(scope: &Scope, row: &CloudAccountRow) -> bool {
    let e2e_location =
        (Provider::parse(&row.provider) == Some(Provider::E2e)).then_some(row.location.as_str());
    scope.covers_account(row.id, e2e_location)
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
    ///
    /// A member's `scope` hides the accounts outside it: one of them is
    /// "not found", as another organisation's, and the default is the
    /// first inside it.
    pub(super) async fn open_cloud(
        &self,
        org_id: i64,
        account_id: Option<i64>,
        wanted: Option<Provider>,
        scope: Option<&Scope>,
    ) -> Result<Opened, OpenError> {
        let accounts = self.accounts(org_id).await?;
        let of_wanted = |a: &&Arc<CloudAccountRow>| {
            wanted.is_none_or(|w| Provider::parse(&a.provider) == Some(w))
                && scope.is_none_or(|s| in_scope(s, a))
        };
        let row = match account_id {
            Some(id) => accounts
                .iter()
                .filter(|a| scope.is_none_or(|s| in_scope(s, a)))
                .find(|a| a.id == id)
                .ok_or(OpenError::NotFound)?,
            // The one marked default, else the oldest, of the provider asked for.
            None => accounts
                .iter()
                .filter(of_wanted)
                .min_by_key(|a| (!a.is_default, a.id))
                .ok_or(OpenError::NoAccount {
                    of: wanted.unwrap_or(Provider::CloudPanel),
                })?,
        }
        .clone();
        let provider = Provider::parse(&row.provider)
            .ok_or_else(|| OpenError::UnknownProvider(row.provider.clone()))?;
        if let Some(wanted) = wanted.filter(|w| *w != provider) {
            return Err(OpenError::OtherProvider {
                is: provider.title(),
                wanted: wanted.title(),
            });
        }
        let token = self
            .token(org_id, row.id)
            .await
            .context("Failed to open a cloud account's token")?
            .ok_or(OpenError::NotFound)?;
        let key = match provider {
            Provider::CloudPanel => AccountKey::new(row.id, row.base_url.clone(), token),
            Provider::E2e => {
                let (bearer, api_key) = store::e2e_secrets(token.expose())
                    .context("An E2E account's sealed keys could not be read")?;
                let access = e2e::Access {
                    api_key: api_key.into(),
                    project_id: row.project_id.clone(),
                    location: row.location.clone(),
                };
                AccountKey::e2e(row.id, row.base_url.clone(), bearer, access)
            }
        };
        let client = self.cloud.account(key);
        Ok(Opened {
            row,
            provider,
            client,
        })
    }
}

impl Tenant<'_> {
    /// The provider whose accounts this handle opens (see [`provider_of`]);
    /// `None` for a handle of the panel's own permissions.
    pub fn cloud_provider(&self) -> Option<Provider> {
        match self.grant {
            Grant::Permission(p) if is_cloud_permission(p) => Some(provider_of(p)),
            _ => None,
        }
    }

    /// Opens one of the organisation's cloud accounts: `Some(id)`, or its
    /// default with `None`. Its client is granted the handle's permission
    /// only ([`AccountClient::granted`]): it reads anything, but refuses a
    /// change whose endpoint that permission does not cover.
    pub async fn cloud(&self, account_id: Option<i64>) -> Result<CloudAccount, OpenError> {
        self.needs_one(|| "a cloud permission".to_owned(), is_cloud_permission)?;
        let Grant::Permission(permission) = self.grant else {
            // `needs_one` passed, so the grant is a permission.
            return Err(OpenError::Failed(anyhow::anyhow!(
                "a cloud account was opened without a permission"
            )));
        };
        let scope = self.member.scope();
        let opened = self
            .door
            .open_cloud(
                self.org_id(),
                account_id,
                Some(provider_of(permission)),
                scope,
            )
            .await?;
        // The client sends only the changes the handle's one permission
        // covers, and reads and changes only the objects of the scope.
        let mut client = opened
            .client
            .granted(&permission.key())
            .viewed_by(self.member.user_id());
        if let Some(scope) = scope {
            client = client.scoped(ScopeGuard {
                scope: scope.clone(),
                witness: Some(self.scope_witness(opened.row.id)),
            });
        }
        let (client, parked) = client.queueing();
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

impl Tenant<'_> {
    /// What records a scope's refusal: a `denied` event naming the
    /// request, written beside the request (the refusal does not wait for
    /// it; a failure to write it is logged).
    fn scope_witness(&self, account_id: i64) -> Witness {
        let db = self.door.db.clone();
        let ctx = self.actor.ctx().clone();
        let org = self.member.org().clone();
        let role = self.member.role().name.clone();
        let scope = self.member.scope().cloned().unwrap_or_default();
        Arc::new(move |refusal: ScopeRefusal| {
            let event = NewEvent::new("scope", audit::Outcome::Denied)
                .target("organisation", org.id, &org.slug)
                .cloud_account(account_id)
                .details(serde_json::json!({
                    "method": refusal.method,
                    "path": refusal.path,
                    "role": role,
                    "scope": scope,
                }))
                .error(format!("the role {role} is limited: {}", refusal.reason));
            let (db, ctx) = (db.clone(), ctx.clone());
            tokio::spawn(async move {
                if let Err(e) = audit::record(&db, &ctx, event).await {
                    tracing::error!(error = ?e, "failed to audit a request refused for its scope");
                }
            });
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudpanel::e2e::endpoints::ENDPOINTS as E2E_ENDPOINTS;
    use crate::cloudpanel::endpoints::ENDPOINTS;

    /// The client keeps the permission keys as strings (it sits below
    /// `rbac`): each must be one of the vocabulary, or no handle could ever
    /// send the change.
    #[test]
    fn every_flag_of_the_endpoint_table_is_a_permission() {
        for e in ENDPOINTS.iter().chain(E2E_ENDPOINTS) {
            let actions = e.actions.iter().map(|a| &a.flag);
            for flag in e.flags.iter().chain(actions) {
                // Exactly its key: the client compares the strings as they are.
                assert_eq!(
                    Permission::parse(flag).map(|p| p.key()).as_deref(),
                    Ok(*flag),
                    "{} {}: {flag} is not a permission",
                    e.method,
                    e.path
                );
            }
        }
    }

    /// A change no flag names could be sent by no page; a change named only
    /// by the panel's own flags could not either (they open no account).
    #[test]
    fn every_change_names_a_cloud_permission() {
        for e in ENDPOINTS
            .iter()
            .chain(E2E_ENDPOINTS)
            .filter(|e| !e.is_read())
        {
            let actions = e.actions.iter().map(|a| &a.flag);
            assert!(
                e.flags
                    .iter()
                    .chain(actions)
                    .filter_map(|f| Permission::parse(f).ok())
                    .any(is_cloud_permission),
                "{} {} names no cloud permission",
                e.method,
                e.path
            );
        }
    }
}
