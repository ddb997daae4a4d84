//! Members of an organisation, invitations, and the public accept page `/invite/{token}`.

use actix_session::{Session, SessionExt};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, AuditCtx, NewEvent, Outcome};
use crate::auth::password;
use crate::db::invitations::{self, Accepted, FoundInvitation, Invitation, InvitationState};
use crate::db::members::{self, Change, Member};
use crate::db::orgs::parse_display_name;
use crate::db::roles::{self, RoleRow};
use crate::db::{now_unix, sessions, users};
use crate::error::{AppError, AppResult, error_page};
use crate::rbac::perms;
use crate::startup::AppState;
use crate::web::auth_pages::redirect;
use crate::web::flash;
use crate::web::forms::Email;
use crate::web::org::{Allowed, OrgCtx};
use crate::web::page::{self, PageCtx};
use crate::web::render;

/// The new invitation's link, shown once on the next members page.
const NEW_LINK_KEY: &str = "invite_link";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{slug}/members", web::get().to(list))
        .route("/o/{slug}/members/invite", web::post().to(invite))
        .route(
            "/o/{slug}/members/{user_id}/role",
            web::post().to(change_role),
        )
        .route("/o/{slug}/members/{user_id}/remove", web::post().to(remove))
        .route(
            "/o/{slug}/invitations/{invitation_id}/revoke",
            web::post().to(revoke),
        )
        .route("/invite/{token}", web::get().to(accept_page))
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
    id: i64,
    email: String,
    role_name: String,
    expires: String,
    expired: bool,
    invited_by: String,
}

#[derive(Template)]
#[template(path = "members/list.html")]
struct MembersPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    me: i64,
    members: Vec<Member>,
    /// Roles this member may hand out (never more than they hold).
    grantable: Vec<RoleRow>,
    can_manage: bool,
    invitations: Vec<InvitationView>,
    new_link: Option<String>,
    form: &'a InviteForm,
    email_error: Option<String>,
    role_error: Option<String>,
}

fn format_unix(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Whether the acting member may hand out (or take away) a role: only one
/// that grants nothing beyond what they hold themselves.
fn may_grant(org: &OrgCtx, role_permissions: &crate::rbac::PermissionSet) -> bool {
    role_permissions.is_subset(&org.role.permissions)
}

async fn show(
    state: &AppState,
    session: &Session,
    org: &OrgCtx,
    status: StatusCode,
    form: &InviteForm,
    email_error: Option<String>,
    role_error: Option<String>,
) -> AppResult<HttpResponse> {
    let now = now_unix();
    let members = members::list(&state.db, org.org.id).await?;
    let can_manage = org.can(perms::ORGANISATION_MANAGE_MEMBERS);
    let (grantable, invitations, new_link) = if can_manage {
        let grantable = roles::list(&state.db, org.org.id, now)
            .await?
            .into_iter()
            .map(|s| s.role)
            .filter(|r| may_grant(org, &r.permissions))
            .collect();
        let invitations = invitations::outstanding(&state.db, org.org.id, now)
            .await?
            .into_iter()
            .map(|i| InvitationView {
                expired: i.state(now) == InvitationState::Expired,
                id: i.id,
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
    let page = org.page.clone().with_section("members");
    render(
        status,
        &MembersPage {
            page: &page,
            org_name: &org.org.name,
            me: org.user.id,
            members,
            grantable,
            can_manage,
            invitations,
            new_link,
            form,
            email_error,
            role_error,
        },
    )
}

async fn list(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
) -> AppResult<HttpResponse> {
    show(
        &state,
        &session,
        &org,
        StatusCode::OK,
        &InviteForm::default(),
        None,
        None,
    )
    .await
}

async fn record(state: &AppState, ctx: &AuditCtx, event: NewEvent) {
    if let Err(e) = audit::record(&state.db, ctx, event).await {
        tracing::error!(error = ?e, "failed to audit a membership change");
    }
}

/// Refuses an attempt to hand out more than the actor holds: audited as denied.
async fn refuse_escalation(
    state: &AppState,
    org: &OrgCtx,
    action: &str,
    target: &str,
    role: &RoleRow,
) -> AppError {
    let missing: Vec<String> = role
        .permissions
        .missing_from(&org.role.permissions)
        .iter()
        .map(|p| p.key())
        .collect();
    record(
        state,
        org.audit_ctx(),
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
fn invite_link(state: &AppState, req: &HttpRequest, token: &str) -> String {
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
    let allowed = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let form = form.into_inner();
    let problem = |email_error: Option<String>, role_error: Option<String>| {
        show(
            &state,
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
        Ok(id) => roles::by_id(&state.db, allowed.org_id(), id).await?,
        Err(_) => None,
    };
    let Some(role) = role else {
        return problem(None, Some("Choose the role the person will hold.".into())).await;
    };
    if !may_grant(&org, &role.permissions) {
        return Err(refuse_escalation(&state, &org, "member.invite", email.as_str(), &role).await);
    }
    if members::by_email(&state.db, allowed.org_id(), email.as_str())
        .await?
        .is_some()
    {
        return problem(
            Some(format!(
                "{} is already a member of {}.",
                email.as_str(),
                org.org.name
            )),
            None,
        )
        .await;
    }
    let (id, token) = invitations::create(
        &state.db,
        allowed.org_id(),
        email.as_str(),
        role.id,
        org.user.id,
        now_unix(),
    )
    .await?;
    record(
        &state,
        org.audit_ctx(),
        NewEvent::new("member.invite", Outcome::Succeeded)
            .target("invitation", id, email.as_str())
            .details(json!({ "email": email.as_str(), "role": role.name })),
    )
    .await;
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

async fn target_member(state: &AppState, allowed: &Allowed, user_id: i64) -> AppResult<Member> {
    members::get(&state.db, allowed.org_id(), user_id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn change_role(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<RoleForm>,
) -> AppResult<HttpResponse> {
    let allowed = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, user_id) = path.into_inner();
    let member = target_member(&state, &allowed, user_id).await?;
    let new_role = match form.role_id.trim().parse::<i64>() {
        Ok(id) => roles::by_id(&state.db, allowed.org_id(), id).await?,
        Err(_) => None,
    };
    let Some(new_role) = new_role else {
        flash::error(&session, "Choose one of the organisation's roles.");
        return Ok(redirect(&org.href("members")));
    };
    let current = roles::by_id(&state.db, allowed.org_id(), member.role_id)
        .await?
        .ok_or(AppError::NotFound)?;
    for role in [&current, &new_role] {
        if !may_grant(&org, &role.permissions) {
            return Err(
                refuse_escalation(&state, &org, "member.change_role", &member.email, role).await,
            );
        }
    }
    match members::set_role(&state.db, allowed.org_id(), member.user_id, new_role.id).await? {
        Change::Done => {
            record(
                &state,
                org.audit_ctx(),
                NewEvent::new("member.change_role", Outcome::Succeeded)
                    .target("member", member.user_id, &member.email)
                    .details(json!({ "from": current.name, "to": new_role.name })),
            )
            .await;
            flash::success(
                &session,
                format!("{} is now {}.", member.email, new_role.name),
            );
        }
        Change::LastOwner => flash::error(
            &session,
            format!(
                "{} is the last Owner of {}. Make someone else Owner first.",
                member.email, org.org.name
            ),
        ),
        Change::NotFound => return Err(AppError::NotFound),
    }
    Ok(redirect(&org.href("members")))
}

async fn remove(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let allowed = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, user_id) = path.into_inner();
    let member = target_member(&state, &allowed, user_id).await?;
    let current = roles::by_id(&state.db, allowed.org_id(), member.role_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_grant(&org, &current.permissions) {
        return Err(
            refuse_escalation(&state, &org, "member.remove", &member.email, &current).await,
        );
    }
    match members::remove(&state.db, allowed.org_id(), member.user_id).await? {
        Change::Done => {
            record(
                &state,
                org.audit_ctx(),
                NewEvent::new("member.remove", Outcome::Succeeded)
                    .target("member", member.user_id, &member.email)
                    .details(json!({ "role": current.name })),
            )
            .await;
            flash::success(
                &session,
                format!("{} was removed from {}.", member.email, org.org.name),
            );
            if member.user_id == org.user.id {
                return Ok(redirect("/"));
            }
        }
        Change::LastOwner => flash::error(
            &session,
            format!(
                "{} is the last Owner of {} and cannot be removed. Make someone else Owner first.",
                member.email, org.org.name
            ),
        ),
        Change::NotFound => return Err(AppError::NotFound),
    }
    Ok(redirect(&org.href("members")))
}

async fn revoke(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let allowed = org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    let (_, invitation_id) = path.into_inner();
    let invitation: Invitation = invitations::by_id(&state.db, allowed.org_id(), invitation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if invitations::revoke(&state.db, allowed.org_id(), invitation.id, now_unix()).await? {
        record(
            &state,
            org.audit_ctx(),
            NewEvent::new("member.revoke_invitation", Outcome::Succeeded)
                .target("invitation", invitation.id, &invitation.email)
                .details(json!({ "role": invitation.role_name })),
        )
        .await;
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
    let user = page::session_user(state, &session).await?;
    let page = page::build(state, req, user.as_ref()).await?;
    let found = invitations::by_token(&state.db, token).await?;
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
        None => match users::by_email(&state.db, &inv.email).await? {
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
    let user = page::session_user(&state, &session).await?;
    let found = invitations::by_token(&state.db, &token).await?;
    if found
        .as_ref()
        .is_none_or(|f| f.invitation.state(now) != InvitationState::Open)
    {
        let page = page::build(&state, &req, user.as_ref()).await?;
        if let Some(refusal) = refuse_link(&page, found.as_ref(), now) {
            return Ok(refusal);
        }
    }
    let Some(found) = found else {
        return Err(AppError::NotFound);
    };
    let inv = &found.invitation;
    let outcome = match &user {
        Some(u) if u.email.eq_ignore_ascii_case(&inv.email) => {
            invitations::accept_existing(&state.db, inv, u.id, now).await?
        }
        Some(_) => {
            return accept_view(&state, &req, &token, StatusCode::FORBIDDEN, "", None).await;
        }
        None => {
            if users::by_email(&state.db, &inv.email).await?.is_some() {
                return Ok(redirect(&format!(
                    "/login?next={}",
                    crate::error::url_encode(&format!("/invite/{token}"))
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
            invitations::accept_new_user(&state.db, inv, &name, &hash, now).await?
        }
    };
    let user_id = match outcome {
        Accepted::Joined(id) | Accepted::AlreadyMember(id) => id,
        Accepted::NotOpen => {
            let page = page::build(&state, &req, user.as_ref()).await?;
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
                crate::error::url_encode(&format!("/invite/{token}"))
            )));
        }
    };
    let Some(member) = users::by_id(&state.db, user_id).await? else {
        return Err(AppError::NotFound);
    };
    if user.is_none() {
        sign_in(&req, &session, member.id)?;
    }
    let ctx = AuditCtx::from_request(&req, Some(inv.org_id), Some(&member));
    record(
        &state,
        &ctx,
        NewEvent::new("member.join", Outcome::Succeeded)
            .target("member", member.id, &member.email)
            .details(json!({ "role": inv.role_name, "invitation_id": inv.id, "new_account": user.is_none() })),
    )
    .await;
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
