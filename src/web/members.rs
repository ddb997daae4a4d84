//! Members of an organisation, invitations, and the public accept page `/invite/{token}`.

use crate::web::routing::{Routes, org_routes};
use actix_session::{Session, SessionExt};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{NewEvent, Outcome};
use crate::auth::password;
use crate::cloudpanel::Scope;
use crate::db::{now_unix, sessions, users};
use crate::domain::{AccessEnd, Email, parse_display_name};
use crate::rbac::perms;
use crate::tenant::unguarded::{self, Joiner};
use crate::tenant::{
    Accepted, FoundInvitation, Invitation, InvitationState, Member, MemberChange as Change,
    RoleRow, Tenant,
};
use crate::web::confirm::{self, ConfirmStep, Confirmation};
use crate::web::error::{AppError, AppResult, error_page};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::page_build;
use crate::web::{flash, redirect, render};

/// The new invitation's link, shown once on the next members page.
const NEW_LINK_KEY: &str = "invite_link";

org_routes! {
    fn org_pages;
    "/members" {
        GET  "" => list,
        POST "/invite" => invite,
        POST "/{user_id}/role" => change_role,
        POST "/{user_id}/expiry" => set_expiry,
        POST "/{user_id}/remove" => remove,
    }
    "/invitations" {
        POST "/{invitation_id}/revoke" => revoke,
    }
}

pub fn routes(cfg: &mut Routes) {
    org_pages(cfg);
    cfg.route("/invite/{token}", web::get().to(accept_page))
        .route("/invite/{token}", web::post().to(accept));
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role_id: String,
}

struct InvitationView {
    email: String,
    role_name: String,
    expires: String,
    expired: bool,
    invited_by: String,
    withdraw: ConfirmStep,
}

/// A member's scope as the form's fields show it.
#[derive(Default)]
struct ScopeValues {
    account_id: Option<i64>,
    name_prefix: String,
    datacenter: String,
}

struct MemberView {
    member: Member,
    /// When their access ends, in words; empty when it does not.
    ends: String,
    /// The end as the form's `datetime-local` field shows it.
    ends_value: String,
    /// What the member's role covers, in words.
    scope: String,
    /// The scope as its form shows it.
    scope_form: ScopeValues,
    /// The viewer may change this member's role and remove them: the
    /// member's role grants nothing beyond the viewer's own.
    manageable: bool,
    remove: ConfirmStep,
}

#[derive(Template)]
#[template(path = "members/list.html")]
struct MembersPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    me: i64,
    members: Vec<MemberView>,
    /// Roles this member may hand out (never more than they hold).
    grantable: Vec<RoleRow>,
    can_manage: bool,
    invitations: Vec<InvitationView>,
    new_link: Option<String>,
    form: &'a InviteForm,
    /// The invite form's selected role: what was chosen when the form is
    /// shown again, else the least powerful role.
    invite_role: Option<i64>,
    email_error: Option<String>,
    role_error: Option<String>,
    /// The organisation's two-factor setting (its card; src/web/org_two_factor.rs).
    two_factor: crate::web::org_two_factor::Setting,
    /// The organisation's cloud accounts, for the scope form.
    accounts: crate::tenant::AccountList,
}

impl MembersPage<'_> {
    fn is_invite_role(&self, id: &i64) -> bool {
        self.invite_role == Some(*id)
    }
}

/// The role an invitation offers unless told otherwise: the one granting
/// the fewest permissions; on a tie a built-in role (Viewer), then by name.
fn least_powerful(roles: &[RoleRow]) -> Option<&RoleRow> {
    roles
        .iter()
        .min_by_key(|r| (r.permissions.len(), !r.is_builtin(), r.name.to_lowercase()))
}

/// The invite form's role: the submitted one when it is still grantable,
/// else the least powerful.
fn invite_role(grantable: &[RoleRow], submitted: &str) -> Option<i64> {
    let submitted = submitted.trim().parse::<i64>().ok();
    submitted
        .filter(|id| grantable.iter().any(|r| r.id == *id))
        .or_else(|| least_powerful(grantable).map(|r| r.id))
}

fn remove_step(org: &OrgCtx, member: &Member) -> ConfirmStep {
    let org_name = &org.org().name;
    let action = org.href(&format!("members/{}/remove", member.user_id));
    if member.user_id == org.user.id {
        ConfirmStep {
            action,
            verb: "Leave",
            subject: org_name.clone(),
            button: format!("Yes, leave {org_name}"),
            consequence: format!(
                "You lose access to {org_name} at once. Only someone who manages its members can invite you back."
            ),
        }
    } else {
        ConfirmStep {
            action,
            verb: "Remove",
            subject: member.name.clone(),
            button: format!("Yes, remove {}", member.name),
            consequence: format!(
                "{} loses access to {org_name} at once. Their account stays; invite them again to bring them back.",
                member.name
            ),
        }
    }
}

fn withdraw_step(org: &OrgCtx, id: i64, email: &str) -> ConfirmStep {
    ConfirmStep {
        action: org.href(&format!("invitations/{id}/revoke")),
        verb: "Withdraw",
        subject: format!("the invitation for {email}"),
        button: format!("Yes, withdraw the invitation for {email}"),
        consequence: "Its link stops working at once.".to_owned(),
    }
}

fn format_unix(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

async fn show(
    session: &Session,
    org: &OrgCtx,
    status: StatusCode,
    form: &InviteForm,
    email_error: Option<String>,
    role_error: Option<String>,
) -> AppResult<HttpResponse> {
    let now = now_unix();
    let members = org.as_member().members().await?;
    let can_manage = org.can(perms::ORGANISATION_MANAGE_MEMBERS);
    let (grantable, invitations, new_link) = if can_manage {
        let tenant = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
        let grantable: Vec<RoleRow> = tenant
            .roles(now)
            .await?
            .into_iter()
            .map(|s| s.role)
            .filter(|r| tenant.may_grant(&r.permissions))
            .collect();
        let invitations = tenant
            .invitations(now)
            .await?
            .into_iter()
            .map(|i| InvitationView {
                expired: i.state(now) == InvitationState::Expired,
                withdraw: withdraw_step(org, i.id, &i.email),
                email: i.email,
                role_name: i.role_name,
                expires: format_unix(i.expires_at),
                invited_by: i.created_by_label.unwrap_or_default(),
            })
            .collect();
        let new_link = session
            .remove_as::<String>(NEW_LINK_KEY)
            .and_then(Result::ok);
        (grantable, invitations, new_link)
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let accounts = org.as_member().accounts().await?;
    let members = members
        .into_iter()
        .map(|member| {
            // A stored scope the panel cannot read opens nothing (the door
            // refuses it): said so rather than shown as no limit.
            let scope = member.scope.as_deref().map(serde_json::from_str::<Scope>);
            let (words, values) = match scope {
                None => ("the whole organisation".to_owned(), ScopeValues::default()),
                Some(Ok(s)) => (
                    s.describe(|id| accounts.iter().find(|a| a.id == id).map(|a| a.name.clone())),
                    ScopeValues {
                        account_id: s.accounts.first().copied(),
                        name_prefix: s.name_prefix.unwrap_or_default(),
                        datacenter: s.datacenter.unwrap_or_default(),
                    },
                ),
                Some(Err(_)) => (
                    "nothing (the stored scope could not be read: set it again)".to_owned(),
                    ScopeValues::default(),
                ),
            };
            (member, words, values)
        })
        .map(|(member, scope, scope_form)| MemberView {
            manageable: can_manage && grantable.iter().any(|r| r.id == member.role_id),
            ends: member.expires_at.map(format_unix).unwrap_or_default(),
            ends_value: AccessEnd::field_value(member.expires_at),
            scope,
            scope_form,
            remove: remove_step(org, &member),
            member,
        })
        .collect();
    let invite_role = invite_role(&grantable, &form.role_id);
    let two_factor = crate::web::org_two_factor::Setting::of(org);
    let page = org.page.clone().with_section("members");
    render(
        status,
        &MembersPage {
            page: &page,
            org_name: &org.org().name,
            me: org.user.id,
            members,
            grantable,
            can_manage,
            invitations,
            new_link,
            form,
            invite_role,
            email_error,
            role_error,
            two_factor,
            accounts,
        },
    )
}

async fn list(session: Session, org: OrgCtx) -> AppResult<HttpResponse> {
    show(
        &session,
        &org,
        StatusCode::OK,
        &InviteForm::default(),
        None,
        None,
    )
    .await
}

/// Refuses an attempt to hand out more than the actor holds: audited as denied.
pub(crate) async fn refuse_escalation(
    tenant: &Tenant<'_>,
    action: &str,
    target: &str,
    role: &RoleRow,
) -> AppError {
    let missing = tenant.missing(&role.permissions);
    tenant
        .deny(
            NewEvent::new(action, Outcome::Denied)
                .target("member", target, target)
                .details(json!({ "role": role.name, "missing": missing }))
                .error("the role grants permissions the actor does not hold"),
        )
        .await;
    AppError::Forbidden(format!(
        "The role {} grants permissions you do not hold yourself ({}), so you cannot give it or take it away.",
        role.name,
        missing.join(", ")
    ))
}

/// The address the invited person opens.
pub(crate) fn invite_link(state: &AppState, req: &HttpRequest, token: &str) -> String {
    let base = match &state.settings.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    format!("{base}/invite/{token}")
}

async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    form: web::Form<InviteForm>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let form = form.into_inner();
    let problem = |email_error: Option<String>, role_error: Option<String>| {
        show(
            &session,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            email_error,
            role_error,
        )
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => return problem(Some(format!("{}.", capitalise(&e))), None).await,
    };
    let role = match form.role_id.trim().parse::<i64>() {
        Ok(id) => tenant.role(id).await?,
        Err(_) => None,
    };
    let Some(role) = role else {
        return problem(None, Some("Choose the role the person will hold.".into())).await;
    };
    if !tenant.may_grant(&role.permissions) {
        return Err(refuse_escalation(&tenant, "member.invite", email.as_str(), &role).await);
    }
    if tenant.member_by_email(&email).await?.is_some() {
        return problem(
            Some(format!(
                "{} is already a member of {}.",
                email.as_str(),
                org.org().name
            )),
            None,
        )
        .await;
    }
    let (_id, token) = tenant.invite(&email, &role, now_unix()).await?;
    let _ = session.insert(NEW_LINK_KEY, invite_link(&state, &req, &token));
    flash::success(
        &session,
        format!(
            "Invitation for {} created. Copy the link below and send it to them; it is shown only once.",
            email.as_str()
        ),
    );
    Ok(redirect(&org.href("members")))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => format!("{}{}", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role_id: String,
}

async fn target_member(tenant: &Tenant<'_>, user_id: i64) -> AppResult<Member> {
    tenant.member(user_id).await?.ok_or(AppError::NotFound)
}

async fn change_role(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<RoleForm>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, user_id) = path.into_inner();
    let member = target_member(&tenant, user_id).await?;
    let new_role = match form.role_id.trim().parse::<i64>() {
        Ok(id) => tenant.role(id).await?,
        Err(_) => None,
    };
    let Some(new_role) = new_role else {
        flash::error(&session, "Choose one of the organisation's roles.");
        return Ok(redirect(&org.href("members")));
    };
    let current = tenant
        .role(member.role_id)
        .await?
        .ok_or(AppError::NotFound)?;
    for role in [&current, &new_role] {
        if !tenant.may_grant(&role.permissions) {
            return Err(
                refuse_escalation(&tenant, "member.change_role", &member.email, role).await,
            );
        }
    }
    match tenant.set_member_role(&member, &current, &new_role).await? {
        Change::Done => {
            flash::success(
                &session,
                format!("{} is now {}.", member.email, new_role.name),
            );
        }
        Change::LastOwner => flash::error(
            &session,
            format!(
                "{} is the last Owner of {}. Make someone else Owner first.",
                member.email,
                org.org().name
            ),
        ),
        Change::NotFound => return Err(AppError::NotFound),
    }
    Ok(redirect(&org.href("members")))
}

#[derive(Deserialize)]
pub struct ExpiryForm {
    #[serde(default)]
    until: String,
}

/// Sets or clears when a member's access ends. Like a role change: only
/// for a member whose role grants nothing beyond the actor's, and never
/// the last Owner's (an organisation keeps an Owner for good).
async fn set_expiry(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<ExpiryForm>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, user_id) = path.into_inner();
    let member = target_member(&tenant, user_id).await?;
    let end = match AccessEnd::parse(&form.until, now_unix()) {
        Ok(end) => end,
        Err(message) => {
            flash::error(
                &session,
                format!("{}: {message} Nothing was changed.", member.email),
            );
            return Ok(redirect(&org.href("members")));
        }
    };
    let current = tenant
        .role(member.role_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !tenant.may_grant(&current.permissions) {
        return Err(refuse_escalation(&tenant, "member.set_expiry", &member.email, &current).await);
    }
    match tenant
        .set_member_expiry(&member, &current, end.secs())
        .await?
    {
        Change::Done => flash::success(
            &session,
            match end.secs() {
                Some(secs) => format!(
                    "{}'s access to {} ends {}.",
                    member.email,
                    org.org().name,
                    format_unix(secs)
                ),
                None => format!(
                    "{}'s access to {} no longer ends.",
                    member.email,
                    org.org().name
                ),
            },
        ),
        Change::LastOwner => flash::error(
            &session,
            format!(
                "{} is the only Owner of {} whose access does not end: make someone else Owner \
                 for good first.",
                member.email,
                org.org().name
            ),
        ),
        Change::NotFound => return Err(AppError::NotFound),
    }
    Ok(redirect(&org.href("members")))
}

async fn remove(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, user_id) = path.into_inner();
    let member = target_member(&tenant, user_id).await?;
    if !form.given() {
        let what = if member.user_id == org.user.id {
            format!("leave {}", org.org().name)
        } else {
            format!("remove {} ({})", member.name, member.email)
        };
        confirm::refuse(&session, &what);
        return Ok(redirect(&org.href("members")));
    }
    let current = tenant
        .role(member.role_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !tenant.may_grant(&current.permissions) {
        return Err(refuse_escalation(&tenant, "member.remove", &member.email, &current).await);
    }
    match tenant.remove_member(&member, &current).await? {
        Change::Done => {
            flash::success(
                &session,
                format!("{} was removed from {}.", member.email, org.org().name),
            );
            if member.user_id == org.user.id {
                return Ok(redirect("/"));
            }
        }
        Change::LastOwner => flash::error(
            &session,
            format!(
                "{} is the last Owner of {} and cannot be removed. Make someone else Owner first.",
                member.email,
                org.org().name
            ),
        ),
        Change::NotFound => return Err(AppError::NotFound),
    }
    Ok(redirect(&org.href("members")))
}

async fn revoke(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, invitation_id) = path.into_inner();
    let invitation: Invitation = tenant
        .invitation(invitation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !form.given() {
        let what = format!("withdraw the invitation for {}", invitation.email);
        confirm::refuse(&session, &what);
        return Ok(redirect(&org.href("members")));
    }
    if tenant.revoke_invitation(&invitation, now_unix()).await? {
        flash::success(
            &session,
            format!(
                "The invitation for {} was withdrawn; its link no longer works.",
                invitation.email
            ),
        );
    } else {
        flash::info(
            &session,
            format!(
                "The invitation for {} was already used or withdrawn.",
                invitation.email
            ),
        );
    }
    Ok(redirect(&org.href("members")))
}

// ---- The accept page: reached by the link, signed in or not. ----

#[derive(Template)]
#[template(path = "members/accept.html")]
struct AcceptPage<'a> {
    page: &'a PageCtx,
    token: &'a str,
    org_name: &'a str,
    role_name: &'a str,
    email: &'a str,
    /// `join` (signed in as the invited email), `other_user`, `sign_in` (account exists), `register`.
    mode: &'static str,
    name: &'a str,
    error: Option<&'a str>,
}

/// The clear page for a link that cannot be used (any more).
fn refuse_link(page: &PageCtx, found: Option<&FoundInvitation>, now: i64) -> Option<HttpResponse> {
    let Some(found) = found else {
        return Some(error_page(
            StatusCode::NOT_FOUND,
            page,
            "Invitation not found",
            "This invitation link is not valid. Check that you copied the whole link, or ask for a new one.",
        ));
    };
    let inv = &found.invitation;
    let (title, message) = match inv.state(now) {
        InvitationState::Open => return None,
        InvitationState::Used => (
            "Invitation already used",
            "This invitation link was already used; each link works once. If it was you, sign in. \
             Otherwise ask the person who invited you for a new link."
                .to_owned(),
        ),
        InvitationState::Revoked => (
            "Invitation withdrawn",
            "This invitation was withdrawn. Ask the person who invited you for a new link."
                .to_owned(),
        ),
        InvitationState::Expired => (
            "Invitation expired",
            format!(
                "This invitation expired on {}. Ask {} for a new link.",
                format_unix(inv.expires_at),
                inv.created_by_label
                    .as_deref()
                    .unwrap_or("the person who invited you")
            ),
        ),
    };
    Some(error_page(StatusCode::GONE, page, title, &message))
}

async fn accept_view(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
    status: StatusCode,
    name: &str,
    error: Option<&str>,
) -> AppResult<HttpResponse> {
    let session = req.get_session();
    let user = page_build::session_user(state, &session).await?;
    let page = page_build::build(state, req, user.as_deref()).await?;
    let found = unguarded::invitation_by_token(state.raw_db(), token).await?;
    if let Some(refusal) = refuse_link(&page, found.as_ref(), now_unix()) {
        return Ok(refusal);
    }
    let Some(found) = found else {
        return Err(AppError::NotFound);
    };
    let inv = &found.invitation;
    let mode = match &user {
        Some(u) if u.email.eq_ignore_ascii_case(&inv.email) => "join",
        Some(_) => "other_user",
        None => match users::by_email(state.raw_db(), &inv.email).await? {
            Some(_) => "sign_in",
            None => "register",
        },
    };
    render(
        status,
        &AcceptPage {
            page: &page,
            token,
            org_name: &found.org_name,
            role_name: &inv.role_name,
            email: &inv.email,
            mode,
            name,
            error,
        },
    )
}

async fn accept_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    accept_view(&state, &req, &path.into_inner(), StatusCode::OK, "", None).await
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

fn sign_in(req: &HttpRequest, session: &Session, user_id: i64) -> AppResult<()> {
    session.renew();
    session.remove("csrf");
    let ip = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let user_agent: String = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(200).collect())
        .unwrap_or_default();
    session
        .insert(sessions::USER_ID_KEY, user_id)
        .and_then(|()| session.insert(sessions::IP_KEY, ip))
        .and_then(|()| session.insert(sessions::USER_AGENT_KEY, user_agent))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to store the session: {e}")))
}

async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let now = now_unix();
    let user = page_build::session_user(&state, &session).await?;
    let found = unguarded::invitation_by_token(state.raw_db(), &token).await?;
    if found
        .as_ref()
        .is_none_or(|f| f.invitation.state(now) != InvitationState::Open)
    {
        let page = page_build::build(&state, &req, user.as_deref()).await?;
        if let Some(refusal) = refuse_link(&page, found.as_ref(), now) {
            return Ok(refusal);
        }
    }
    let Some(found) = found else {
        return Err(AppError::NotFound);
    };
    let inv = &found.invitation;
    let ctx = crate::web::audit_ctx(&req, None, None);
    let joiner = Joiner {
        ctx: &ctx,
        new_account: user.is_none(),
    };
    let outcome = match &user {
        Some(u) if u.email.eq_ignore_ascii_case(&inv.email) => {
            unguarded::accept_invitation(state.raw_db(), &joiner, inv, u.id, now).await?
        }
        Some(_) => {
            return accept_view(&state, &req, &token, StatusCode::FORBIDDEN, "", None).await;
        }
        None => {
            if users::by_email(state.raw_db(), &inv.email).await?.is_some() {
                return Ok(redirect(&format!(
                    "/login?next={}",
                    crate::web::error::url_encode(&format!("/invite/{token}"))
                )));
            }
            let name = match parse_display_name(&form.name, "name") {
                Ok(name) => name,
                Err(e) => {
                    return accept_view(
                        &state,
                        &req,
                        &token,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &form.name,
                        Some(&e),
                    )
                    .await;
                }
            };
            let problem = password::check_new(&form.password).err().or_else(|| {
                (form.password != form.confirm_password)
                    .then(|| "The two passwords differ.".to_owned())
            });
            if let Some(problem) = problem {
                return accept_view(
                    &state,
                    &req,
                    &token,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form.name,
                    Some(&problem),
                )
                .await;
            }
            let hash = password::hash(form.password.clone()).await?;
            unguarded::accept_invitation_as_new_user(
                state.raw_db(),
                &joiner,
                inv,
                &name,
                &hash,
                now,
            )
            .await?
        }
    };
    let user_id = match outcome {
        Accepted::Joined(id) | Accepted::AlreadyMember(id) => id,
        Accepted::NotOpen => {
            let page = page_build::build(&state, &req, user.as_deref()).await?;
            return Ok(error_page(
                StatusCode::GONE,
                &page,
                "Invitation already used",
                "This invitation link was used or withdrawn a moment ago; each link works once.",
            ));
        }
        Accepted::EmailTaken => {
            return Ok(redirect(&format!(
                "/login?next={}",
                crate::web::error::url_encode(&format!("/invite/{token}"))
            )));
        }
    };
    let Some(member) = users::by_id(state.raw_db(), user_id).await? else {
        return Err(AppError::NotFound);
    };
    if user.is_none() {
        sign_in(&req, &session, member.id)?;
    }
    if matches!(outcome, Accepted::AlreadyMember(_)) {
        flash::info(
            &session,
            format!(
                "You were already a member of {}; your role is unchanged.",
                found.org_name
            ),
        );
    } else {
        flash::success(
            &session,
            format!(
                "Welcome to {}. You joined as {}.",
                found.org_name, inv.role_name
            ),
        );
    }
    Ok(redirect(&format!("/o/{}/", found.org_slug)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::{BuiltinRole, PermissionSet, perms};

    fn role(
        id: i64,
        name: &str,
        builtin: Option<BuiltinRole>,
        permissions: PermissionSet,
    ) -> RoleRow {
        RoleRow {
            id,
            org_id: 1,
            name: name.to_owned(),
            builtin,
            permissions,
        }
    }

    fn builtins() -> Vec<RoleRow> {
        BuiltinRole::ALL
            .into_iter()
            .zip(1..)
            .map(|(b, id)| role(id, b.name(), Some(b), b.permissions()))
            .collect()
    }

    #[test]
    fn invitations_offer_the_least_powerful_role() {
        let roles = builtins();
        assert_eq!(
            least_powerful(&roles).map(|r| r.name.as_str()),
            Some("Viewer")
        );
        // A custom role with Viewer's permissions ties; the built-in wins.
        let mut with_copy = roles.clone();
        with_copy.insert(
            0,
            role(9, "Copy of Viewer", None, BuiltinRole::Viewer.permissions()),
        );
        assert_eq!(least_powerful(&with_copy).map(|r| r.id), Some(4));
        // A role granting less still comes first.
        let one: PermissionSet = [perms::SERVERS_SHOW].into_iter().collect();
        with_copy.push(role(10, "Servers only", None, one));
        assert_eq!(least_powerful(&with_copy).map(|r| r.id), Some(10));
        assert!(least_powerful(&[]).is_none());
    }

    #[test]
    fn the_invite_form_keeps_a_grantable_choice_only() {
        let roles = builtins();
        assert_eq!(invite_role(&roles, ""), Some(4));
        assert_eq!(invite_role(&roles, "2"), Some(2));
        assert_eq!(invite_role(&roles, " 3 "), Some(3));
        // Not offered (say, Owner to an Admin) or not a number: the default.
        assert_eq!(invite_role(&roles[1..], "1"), Some(4));
        assert_eq!(invite_role(&roles, "owner"), Some(4));
    }
}
