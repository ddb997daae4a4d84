//! `POST /o/{slug}/members/{user_id}/scope`: an Owner limits a member's
//! role to one cloud account, to names starting with a prefix, and to a
//! datacenter (see [`crate::cloudpanel::Scope`] for what each limit does).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::cloudpanel::Scope;
use crate::rbac::perms;
use crate::tenant::MemberChange as Change;
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::routing::org_routes;
use crate::web::{flash, redirect};

org_routes! {
    fn routes;
    "/members" {
        POST "/{user_id}/scope" => set_scope,
    }
}

#[derive(Deserialize)]
pub struct ScopeForm {
    /// A cloud account's id; empty: every account.
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    name_prefix: String,
    #[serde(default)]
    datacenter: String,
}

/// The scope the form asks for, or what is wrong with it, in words.
fn parse(form: &ScopeForm, known: &[i64]) -> Result<Scope, String> {
    let accounts = match form.account_id.trim() {
        "" => Vec::new(),
        raw => match raw.parse::<i64>() {
            Ok(id) if known.contains(&id) => vec![id],
            _ => return Err("Choose one of the organisation's cloud accounts.".into()),
        },
    };
    Ok(Scope {
        accounts,
        name_prefix: Scope::parse_prefix(&form.name_prefix)?,
        datacenter: Scope::parse_datacenter(&form.datacenter)?,
    })
}

/// Sets or lifts a member's scope: like a role change, only for a member
/// whose role grants nothing beyond the actor's, and never an Owner's.
pub async fn set_scope(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<ScopeForm>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, user_id) = path.into_inner();
    let member = tenant.member(user_id).await?.ok_or(AppError::NotFound)?;
    let back = || Ok(redirect(&org.href("members")));
    let known: Vec<i64> = org
        .as_member()
        .accounts()
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    let scope = match parse(&form, &known) {
        Ok(scope) => scope,
        Err(message) => {
            flash::error(
                &session,
                format!("{}: {message} Nothing was changed.", member.email),
            );
            return back();
        }
    };
    let current = tenant
        .role(member.role_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !tenant.may_grant(&current.permissions) {
        return Err(super::members::refuse_escalation(
            &tenant,
            "member.set_scope",
            &member.email,
            &current,
        )
        .await);
    }
    if member.is_owner() && scope.is_limited() {
        flash::error(
            &session,
            format!(
                "{} is an Owner: an Owner's role covers the whole organisation. Give them another \
                 role first. Nothing was changed.",
                member.email
            ),
        );
        return back();
    }
    match tenant.set_member_scope(&member, &current, &scope).await? {
        Change::Done => {
            let accounts = org.as_member().accounts().await?;
            let words =
                scope.describe(|id| accounts.iter().find(|a| a.id == id).map(|a| a.name.clone()));
            flash::success(
                &session,
                format!(
                    "{}'s role {} now covers {words}.",
                    member.email, current.name
                ),
            );
        }
        Change::LastOwner => flash::error(
            &session,
            format!(
                "{} is an Owner: an Owner's role is never limited.",
                member.email
            ),
        ),
        Change::NotFound => return Err(AppError::NotFound),
    }
    back()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(account: &str, prefix: &str, dc: &str) -> ScopeForm {
        ScopeForm {
            account_id: account.into(),
            name_prefix: prefix.into(),
            datacenter: dc.into(),
        }
    }

    #[test]
    fn the_form_names_only_the_organisations_accounts() {
        let scope = parse(&form("2", " staging-", "DE"), &[1, 2]).unwrap();
        assert_eq!(scope.accounts, vec![2]);
        assert_eq!(scope.name_prefix.as_deref(), Some("staging-"));
        assert_eq!(scope.datacenter.as_deref(), Some("DE"));
        assert!(parse(&form("3", "", ""), &[1, 2]).is_err());
        assert!(parse(&form("x", "", ""), &[1, 2]).is_err());
        assert!(!parse(&form("", "", ""), &[1]).unwrap().is_limited());
    }
}
