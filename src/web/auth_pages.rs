//! Sign in, sign out, and the user's own account page (password, sessions;
//! its API token section is `web::api_tokens`).

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app_state::AppState;
use crate::audit::{self, LocalChange, NewEvent, Outcome};
use crate::auth::password;
use crate::config::PasswordSignIn;
use crate::db::users::User;
use crate::db::{sessions, two_factor, users};
use crate::web::api_tokens::section::{TokenErrors, TokenForm, TokenSection};
use crate::web::confirm::{self, ConfirmStep, Confirmation};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage<'a> {
    page: &'a PageCtx,
    email: &'a str,
    next: &'a str,
    error: Option<&'a str>,
    /// "Sign in with {label}", when an identity provider is configured.
    oidc_label: Option<&'a str>,
    /// Password sign-in is for instance admins only.
    admins_only: bool,
}

/// The sign-in page, with a problem to show (this page's, or a sign-in
/// through the identity provider's).
pub(crate) fn login_page(
    state: &AppState,
    page: &PageCtx,
    status: StatusCode,
    email: &str,
    next: &str,
    error: Option<&str>,
) -> AppResult<HttpResponse> {
    render(
        status,
        &LoginPage {
            page,
            email,
            next: safe_next(next),
            error,
            oidc_label: state.oidc.as_deref().map(|o| o.label()),
            admins_only: state.settings.password_sign_in == PasswordSignIn::AdminsOnly,
        },
    )
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// When to try again after every password check was busy: a queue of
/// sign-ins drains in about this long.
const BUSY_RETRY_SECS: u64 = 5;

fn retry_after(mut response: HttpResponse, secs: u64) -> HttpResponse {
    if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Only local paths are followed after sign-in, so a link cannot send the user elsewhere.
pub(crate) fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

pub async fn login_form(
    state: web::Data<AppState>,
    page: PageCtx,
    query: web::Query<LoginQuery>,
) -> AppResult<HttpResponse> {
    if page.user.is_some() {
        return Ok(redirect(safe_next(query.next.as_deref().unwrap_or("/"))));
    }
    login_page(
        &state,
        &page,
        StatusCode::OK,
        "",
        query.next.as_deref().unwrap_or("/"),
        None,
    )
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: PageCtx,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let email = form.email.trim();
    let next = safe_next(&form.next);
    let ip = peer_ip(&req);
    let show_error = |status: StatusCode, message: &str| {
        login_page(&state, &page, status, email, next, Some(message))
    };

    if let Err(wait) = state.throttle.check(ip, email) {
        let secs = wait.as_secs().max(1);
        tracing::warn!(%ip, "sign-in throttled");
        record_login(&state, &req, email, None, Outcome::Denied, "throttled").await;
        let mut response = show_error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too many sign-in attempts. Try again in {secs} seconds."),
        )?;
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }
    if email.is_empty() || form.password.is_empty() {
        return show_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your email and password.",
        );
    }

    let user = users::by_email(state.raw_db(), email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = match state.hasher.verify(form.password, stored).await {
        Ok(matches) => matches,
        Err(password::HashError::Busy) => {
            tracing::warn!(%ip, "sign-in refused: every password check is busy");
            let response = show_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many people are signing in right now. Try again in a few seconds.",
            )?;
            return Ok(retry_after(response, BUSY_RETRY_SECS));
        }
        Err(password::HashError::Failed(e)) => return Err(e.into()),
    };
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        other => {
            let reason = if other.as_ref().is_some_and(|u| u.disabled) {
                "disabled"
            } else {
                "wrong email or password"
            };
            record_login(&state, &req, email, other.as_ref(), Outcome::Failed, reason).await;
            return show_error(
                StatusCode::UNAUTHORIZED,
                "The email or password is wrong, or the account is disabled.",
            );
        }
    };

    if state.settings.password_sign_in == PasswordSignIn::AdminsOnly && !user.is_instance_admin {
        record_login(
            &state,
            &req,
            email,
            Some(&user),
            Outcome::Denied,
            "password sign-in is for instance admins only",
        )
        .await;
        let label = state
            .oidc
            .as_deref()
            .map_or("your organisation's sign-in", |o| o.label());
        return show_error(
            StatusCode::FORBIDDEN,
            &format!(
                "Password sign-in is turned off except for instance admins. Sign in with {label}."
            ),
        );
    }

    if two_factor::is_enabled(state.raw_db(), user.id).await? {
        // Half signed in: the code step alone accepts this marker.
        crate::web::pending_sign_in::await_code(&session, user.id, next)?;
        return Ok(redirect("/login/code"));
    }
    sign_in(&req, &session, &user)?;
    record_login(&state, &req, email, Some(&user), Outcome::Succeeded, "").await;
    tracing::info!(user_id = user.id, "signed in");
    Ok(redirect(next))
}

/// The peer's address, or 0.0.0.0 when unknown (the throttle's key for it).
pub(crate) fn peer_ip(req: &HttpRequest) -> std::net::IpAddr {
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

/// Makes the session a signed-in one for `user`, under a new id so that an
/// id planted before sign-in is worthless.
pub(crate) fn sign_in(req: &HttpRequest, session: &Session, user: &User) -> AppResult<()> {
    session.renew();
    session.remove("csrf");
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(200).collect::<String>());
    session
        .insert(sessions::USER_ID_KEY, user.id)
        .and_then(|()| session.insert(sessions::IP_KEY, peer_ip(req).to_string()))
        .and_then(|()| session.insert(sessions::USER_AGENT_KEY, user_agent.unwrap_or_default()))
        .and_then(|()| session.insert(sessions::PUBLIC_ID_KEY, sessions::new_public_id()))
        .and_then(|()| session.insert(sessions::SIGNED_IN_AT_KEY, crate::db::now_unix()))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to store the session: {e}")))
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> AppResult<HttpResponse> {
    if let Some(user) = crate::web::page_build::session_user(&state, &session).await? {
        let ctx = crate::web::audit_ctx(&req, None, Some(&user));
        let event =
            NewEvent::new("auth.sign_out", Outcome::Succeeded).target("user", user.id, &user.email);
        if let Err(e) = audit::record(state.raw_db(), &ctx, event).await {
            tracing::error!(error = ?e, "failed to audit a sign-out");
        }
    }
    session.purge();
    Ok(redirect("/login"))
}

#[derive(Template)]
#[template(path = "auth/profile.html")]
struct ProfilePage<'a> {
    page: &'a PageCtx,
    sessions: Vec<SessionView>,
    /// The password form's problem.
    error: Option<&'a str>,
    two_factor_on: bool,
    recovery_codes_left: i64,
    /// The turn-off form's problem.
    two_factor_error: Option<&'a str>,
    /// The member's API tokens and the form that makes one.
    tokens: TokenSection,
}

impl ProfilePage<'_> {
    fn sign_out_everywhere_step(&self) -> ConfirmStep {
        ConfirmStep {
            action: "/profile/sessions/end-all".into(),
            verb: "Sign out everywhere",
            subject: String::new(),
            button: "Yes, sign out everywhere".into(),
            consequence: format!(
                "Ends all {} session(s), this one included; you sign in again afterwards.",
                self.sessions.len()
            ),
        }
    }
}

struct SessionView {
    /// What the end form posts to; empty for a session that cannot be named.
    public_id: String,
    current: bool,
    started: String,
    last_seen: String,
    ip: String,
    user_agent: String,
}

fn format_unix(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Which form of the account page a problem belongs to.
pub(crate) enum ProfileProblem<'a> {
    None,
    Password(&'a str),
    TwoFactor(&'a str),
}

pub(crate) async fn profile_page(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    status: StatusCode,
    problem: ProfileProblem<'_>,
) -> AppResult<HttpResponse> {
    let tokens = TokenSection::load(
        state,
        &me.user,
        &me.page,
        TokenForm::default(),
        TokenErrors::default(),
        None,
    )
    .await?;
    profile_page_with(state, session, me, status, problem, tokens).await
}

/// The account page with its API token section as given (a form that came
/// back, or a token just made).
pub(crate) async fn profile_page_with(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    status: StatusCode,
    problem: ProfileProblem<'_>,
    tokens: TokenSection,
) -> AppResult<HttpResponse> {
    let current = session
        .get::<String>(sessions::PUBLIC_ID_KEY)
        .ok()
        .flatten();
    let sessions = sessions::list_for_user(state.raw_db(), me.user.id)
        .await?
        .into_iter()
        .map(|s| SessionView {
            current: s.public_id.is_some() && s.public_id == current,
            public_id: s.public_id.unwrap_or_default(),
            started: format_unix(s.signed_in_at.unwrap_or(s.created_at)),
            last_seen: format_unix(s.last_seen_at),
            ip: s.ip.unwrap_or_default(),
            user_agent: s.user_agent.unwrap_or_default(),
        })
        .collect();
    let two_factor_on = two_factor::is_enabled(state.raw_db(), me.user.id).await?;
    let recovery_codes_left = if two_factor_on {
        two_factor::recovery_codes_left(state.raw_db(), me.user.id).await?
    } else {
        0
    };
    let (error, two_factor_error) = match problem {
        ProfileProblem::None => (None, None),
        ProfileProblem::Password(message) => (Some(message), None),
        ProfileProblem::TwoFactor(message) => (None, Some(message)),
    };
    let page = me.page.clone().with_section("profile");
    render(
        status,
        &ProfilePage {
            page: &page,
            sessions,
            error,
            two_factor_on,
            recovery_codes_left,
            two_factor_error,
            tokens,
        },
    )
}

pub async fn profile(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<HttpResponse> {
    profile_page(&state, &session, &me, StatusCode::OK, ProfileProblem::None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    if !password::verify(form.current_password, Some(me.user.password_hash.clone())).await? {
        return profile_page(
            &state,
            &session,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            ProfileProblem::Password("The current password is wrong."),
        )
        .await;
    }
    if let Err(problem) = password::check_new(&form.new_password) {
        return profile_page(
            &state,
            &session,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            ProfileProblem::Password(&problem),
        )
        .await;
    }
    if form.new_password != form.confirm_password {
        return profile_page(
            &state,
            &session,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            ProfileProblem::Password("The two new passwords differ."),
        )
        .await;
    }
    let hash = password::hash(form.new_password).await?;
    // Every other session of this user ends; this one continues under a new id.
    let mut change = LocalChange::begin(state.raw_db()).await?;
    users::set_password(change.conn(), me.user.id, &hash).await?;
    let ended = sessions::end_all_for_user(change.conn(), me.user.id).await?;
    let event = NewEvent::new("user.change_password", Outcome::Succeeded)
        .target("user", me.user.id, &me.user.email)
        .details(serde_json::json!({ "sessions_ended": ended }));
    change
        .commit(&crate::web::audit_ctx(&req, None, Some(&me.user)), event)
        .await?;
    session.renew();
    flash::success(
        &session,
        "Password changed. Your other sessions were signed out.",
    );
    Ok(redirect("/profile"))
}

pub async fn end_all_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    if !form.given() {
        confirm::refuse(&session, "sign out everywhere");
        return Ok(redirect("/profile"));
    }
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let ended = sessions::end_all_for_user(change.conn(), me.user.id).await?;
    let event = NewEvent::new("auth.sign_out_everywhere", Outcome::Succeeded)
        .target("user", me.user.id, &me.user.email)
        .details(serde_json::json!({ "sessions_ended": ended }));
    change
        .commit(&crate::web::audit_ctx(&req, None, Some(&me.user)), event)
        .await?;
    session.purge();
    Ok(redirect("/login"))
}

/// Ends one of the member's own sessions (another device, or this one).
/// Another user's session, or one already ended, is the 404 page.
pub async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let public_id = path.into_inner();
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let Some(ended) = sessions::end_one(change.conn(), me.user.id, &public_id).await? else {
        return Err(AppError::NotFound.in_page(&me.page));
    };
    let current = session
        .get::<String>(sessions::PUBLIC_ID_KEY)
        .ok()
        .flatten()
        .is_some_and(|id| id == public_id);
    let event = NewEvent::new("auth.session_end", Outcome::Succeeded)
        .target("session", public_id.as_str(), &me.user.email)
        .details(serde_json::json!({
            "signed_in_at": ended.signed_in_at.unwrap_or(ended.created_at),
            "ip": ended.ip,
            "user_agent": ended.user_agent,
            "this_session": current,
        }));
    change
        .commit(&crate::web::audit_ctx(&req, None, Some(&me.user)), event)
        .await?;
    if current {
        session.purge();
        return Ok(redirect("/login"));
    }
    flash::success(&session, "That session was signed out.");
    Ok(redirect("/profile"))
}

/// A sign-in attempt, successful or not. Signing in does not wait on the
/// record: a failure to write it is logged.
pub(crate) async fn record_login(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
    user: Option<&User>,
    outcome: Outcome,
    reason: &str,
) {
    let mut ctx = crate::web::audit_ctx(req, None, user);
    if user.is_none() {
        ctx.actor_label = email.chars().take(254).collect();
    }
    crate::metrics::sign_in(outcome.as_str());
    let mut event = NewEvent::new("auth.sign_in", outcome);
    if let Some(user) = user {
        event = event.target("user", user.id, &user.email);
    }
    if !reason.is_empty() {
        event = event.error(reason);
    }
    if let Err(e) = audit::record(state.raw_db(), &ctx, event).await {
        tracing::error!(error = ?e, "failed to audit a sign-in");
    }
}
