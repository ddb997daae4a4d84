//! Changes to the panel's own tables that an organisation may hold for a
//! second member's approval: who has access (invitations, members' roles,
//! removals, ends and scopes, what a role allows) and a cloud account's
//! token. A [`PanelChange`] is the whole change as plain values: the
//! handle's methods record its event when they make it at once, and when
//! the organisation holds its kind it is kept, sealed (an invitation's
//! token and an account's credentials are secrets), as a request
//! (`Tenant::held_back`, beside the approvals). An approval makes it then, in the approval's
//! own transaction, as the member who asked ([`PanelChange::apply`]),
//! after their role is checked again ([`PanelChange::allowed_for`]).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::SqliteConnection;

use super::store::accounts::{self as accounts, Credentials};
use super::store::invitations;
use super::store::members::{self as members, Change};
use super::store::roles::{self as roles, DeleteOutcome, UpdateOutcome};
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::Scope;
use crate::config::Secret;
use crate::crypto::KeyRing;
use crate::rbac::{Permission, PermissionSet, perms};

/// A change the organisation holds for approval was kept as request
/// `approval_id` instead of being made: the pages go to its page, where
/// its requester says why. Carried as an error so that every caller of a
/// held method stops where it stands.
#[derive(Debug, Clone, thiserror::Error)]
#[error("held for approval as request {approval_id}")]
pub struct HeldBack {
    pub approval_id: i64,
    /// The request's page.
    pub href: String,
}

/// An account's new credentials as they are kept while held (sealed with
/// the request, never shown).
#[derive(Clone, Serialize, Deserialize)]
pub struct HeldCredentials {
    token: String,
    api_key: Option<String>,
    project_id: String,
    location: String,
}

impl std::fmt::Debug for HeldCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeldCredentials(…)")
    }
}

impl HeldCredentials {
    pub fn of(credentials: &Credentials) -> Self {
        match credentials {
            Credentials::CloudPanel { token } => Self {
                token: token.expose().to_owned(),
                api_key: None,
                project_id: String::new(),
                location: String::new(),
            },
            Credentials::E2e {
                token,
                api_key,
                project_id,
                location,
            } => Self {
                token: token.expose().to_owned(),
                api_key: Some(api_key.expose().to_owned()),
                project_id: project_id.clone(),
                location: location.clone(),
            },
        }
    }

    fn credentials(&self) -> Credentials {
        let token = Secret::new(self.token.clone());
        match &self.api_key {
            None => Credentials::CloudPanel { token },
            Some(api_key) => Credentials::E2e {
                token,
                api_key: Secret::new(api_key.clone()),
                project_id: self.project_id.clone(),
                location: self.location.clone(),
            },
        }
    }
}

/// One change to who has access, or to an account's token, as plain values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PanelChange {
    Invite {
        email: String,
        role_id: i64,
        role: String,
        /// The one-time token, made when it was asked for: its link is
        /// shown to the requester once the request is approved.
        token: String,
    },
    MemberRole {
        user_id: i64,
        email: String,
        from: String,
        role_id: i64,
        to: String,
    },
    MemberRemove {
        user_id: i64,
        email: String,
        role: String,
    },
    MemberExpiry {
        user_id: i64,
        email: String,
        role: String,
        expires_at: Option<i64>,
        previous: Option<i64>,
    },
    MemberScope {
        user_id: i64,
        email: String,
        role: String,
        scope: Scope,
        previous: Option<Value>,
    },
    RoleUpdate {
        role_id: i64,
        name_from: String,
        name: String,
        permissions: Vec<String>,
        added: Vec<String>,
        removed: Vec<String>,
    },
    RoleDelete {
        role_id: i64,
        name: String,
    },
    AccountToken {
        account_id: i64,
        name: String,
        base_url: String,
        previous_base_url: String,
        previous_last_four: String,
        credentials: HeldCredentials,
    },
}

impl PanelChange {
    /// The flag its requester needs, when asking and when it is made.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Invite { .. }
            | Self::MemberRole { .. }
            | Self::MemberRemove { .. }
            | Self::MemberExpiry { .. }
            | Self::MemberScope { .. } => perms::ORGANISATION_MANAGE_MEMBERS,
            Self::RoleUpdate { .. } | Self::RoleDelete { .. } => perms::ORGANISATION_MANAGE_ROLES,
            Self::AccountToken { .. } => perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS,
        }
    }

    /// The cloud account it concerns, if any.
    pub(super) fn cloud_account(&self) -> Option<i64> {
        match self {
            Self::AccountToken { account_id, .. } => Some(*account_id),
            _ => None,
        }
    }

    /// Its audit event (never a token or a secret).
    pub fn event(&self) -> NewEvent {
        let ok = |action: &str| NewEvent::new(action, Outcome::Succeeded);
        match self {
            Self::Invite { email, role, .. } => ok("member.invite")
                .target("invitation", "", email)
                .details(json!({ "email": email, "role": role })),
            Self::MemberRole {
                user_id,
                email,
                from,
                to,
                ..
            } => ok("member.change_role")
                .target("member", user_id, email)
                .details(json!({ "from": from, "to": to })),
            Self::MemberRemove {
                user_id,
                email,
                role,
            } => ok("member.remove")
                .target("member", user_id, email)
                .details(json!({ "role": role })),
            Self::MemberExpiry {
                user_id,
                email,
                role,
                expires_at,
                previous,
            } => ok("member.set_expiry")
                .target("member", user_id, email)
                .details(json!({ "role": role, "expires_at": expires_at, "previous": previous })),
            Self::MemberScope {
                user_id,
                email,
                role,
                scope,
                previous,
            } => ok("member.set_scope")
                .target("member", user_id, email)
                .details(json!({ "role": role, "scope": scope, "previous": previous })),
            Self::RoleUpdate {
                role_id,
                name_from,
                name,
                added,
                removed,
                ..
            } => ok("role.update")
                .target("role", role_id, name)
                .details(json!({
                    "name_from": name_from,
                    "name_to": name,
                    "added": added,
                    "removed": removed,
                })),
            Self::RoleDelete { role_id, name } => ok("role.delete").target("role", role_id, name),
            Self::AccountToken {
                account_id,
                name,
                base_url,
                previous_base_url,
                previous_last_four,
                credentials,
            } => ok("cloud_account.replace_token")
                .target("cloud_account", account_id, name)
                .cloud_account(*account_id)
                .details(json!({
                    "previous_last_four": previous_last_four,
                    "last_four": accounts::last4(&credentials.token),
                    "base_url": base_url,
                    "previous_base_url": previous_base_url,
                })),
        }
    }

    /// Whether a member holding `role` may still make it: the flag, and
    /// every permission it hands out (nobody hands out more than they
    /// hold). `Err` says why not.
    pub async fn allowed_for(
        &self,
        conn: &mut SqliteConnection,
        org_id: i64,
        role: &PermissionSet,
        role_name: &str,
    ) -> anyhow::Result<Result<(), String>> {
        let needed = self.permission();
        if !role.contains(needed) {
            return Ok(Err(format!("the role {role_name} no longer has {needed}")));
        }
        let handed_out = match self {
            Self::Invite { role_id, .. } | Self::MemberRole { role_id, .. } => {
                match roles::by_id(conn, org_id, *role_id).await? {
                    Some(r) => r.permissions,
                    None => return Ok(Err("the role it gives no longer exists".into())),
                }
            }
            Self::RoleUpdate { permissions, .. } => {
                match PermissionSet::from_keys(permissions.iter().map(String::as_str)) {
                    Ok(set) => set,
                    Err(_) => return Ok(Err("a permission it names is not known".into())),
                }
            }
            _ => PermissionSet::empty(),
        };
        if !handed_out.missing_from(role).is_empty() {
            return Ok(Err(format!(
                "the role {role_name} does not hold every permission it hands out"
            )));
        }
        Ok(Ok(()))
    }

    /// Makes the change on `conn` (the approval's transaction) in the name
    /// of `by_user_id`; `Err` says why it could not be made.
    pub async fn apply(
        &self,
        conn: &mut SqliteConnection,
        keys: &KeyRing,
        org_id: i64,
        by_user_id: i64,
        now: i64,
    ) -> anyhow::Result<Result<(), String>> {
        let member_change = |outcome: Change| match outcome {
            Change::Done => Ok(()),
            Change::NotFound => Err("the member is no longer in the organisation".to_owned()),
            Change::LastOwner => Err("the organisation would have no Owner left".to_owned()),
        };
        Ok(match self {
            Self::Invite {
                email,
                role_id,
                token,
                ..
            } => {
                if members::by_email(conn, org_id, email).await?.is_some() {
                    return Ok(Err(format!("{email} is already a member")));
                }
                invitations::create(conn, org_id, email, *role_id, by_user_id, now, token).await?;
                Ok(())
            }
            Self::MemberRole {
                user_id, role_id, ..
            } => member_change(members::set_role(conn, org_id, *user_id, *role_id).await?),
            Self::MemberRemove { user_id, .. } => {
                member_change(members::remove(conn, org_id, *user_id).await?)
            }
            Self::MemberExpiry {
                user_id,
                expires_at,
                ..
            } => member_change(members::set_expiry(conn, org_id, *user_id, *expires_at).await?),
            Self::MemberScope { user_id, scope, .. } => {
                let stored = scope
                    .is_limited()
                    .then(|| serde_json::to_string(scope))
                    .transpose()?;
                member_change(members::set_scope(conn, org_id, *user_id, stored.as_deref()).await?)
            }
            Self::RoleUpdate {
                role_id,
                name,
                permissions,
                ..
            } => {
                let Ok(wanted) = PermissionSet::from_keys(permissions.iter().map(String::as_str))
                else {
                    return Ok(Err("a permission it names is not known".into()));
                };
                match roles::update(conn, org_id, *role_id, name, &wanted).await? {
                    UpdateOutcome::Updated => Ok(()),
                    UpdateOutcome::NotFound => Err("the role no longer exists".into()),
                    UpdateOutcome::Builtin => Err("built-in roles do not change".into()),
                    UpdateOutcome::NameTaken => Err(format!("another role is named {name}")),
                }
            }
            Self::RoleDelete { role_id, .. } => {
                match roles::delete(conn, org_id, *role_id, now).await? {
                    DeleteOutcome::Deleted => Ok(()),
                    DeleteOutcome::NotFound => Err("the role no longer exists".into()),
                    DeleteOutcome::Builtin => Err("built-in roles are not deleted".into()),
                    DeleteOutcome::InUse => Err("members or invitations hold the role".into()),
                }
            }
            Self::AccountToken {
                account_id,
                base_url,
                credentials,
                ..
            } => {
                let replaced = accounts::replace_token(
                    conn,
                    keys,
                    org_id,
                    *account_id,
                    base_url,
                    &credentials.credentials(),
                )
                .await?;
                if replaced {
                    Ok(())
                } else {
                    Err("the cloud account no longer exists".into())
                }
            }
        })
    }
}
