//! Two-factor sign-in (TOTP): the code step of signing in, and the member's
//! own enrolment and turning off, from their account page.
//!
//! Between the password and the code the session holds only a short-lived
//! pending marker, not the user id: no page but the code form accepts it.

use crate::web::routing::Routes;
use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{self, LocalChange, NewEvent, Outcome};
use crate::auth::totp;
use crate::crypto;
use crate::db::users::User;
use crate::db::{now_unix, two_factor, users};
use crate::web::auth_pages::{self, ProfileProblem};
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::page::PageCtx;
use crate::web::pending_sign_in::{PENDING_KEY, pending};
use crate::web::{flash, redirect, render};

pub fn routes(cfg: &mut Routes) {
    cfg.route("/login/code", web::get().to(code_form))
        .route("/login/code", web::post().to(submit_code))
        .route("/profile/two-factor", web::get().to(enrol_page))
        .route("/profile/two-factor/start", web::post().to(start))
        .route("/profile/two-factor/confirm", web::post().to(confirm))
        .route("/profile/two-factor/disable", web::post().to(disable));
}

fn expired(session: &Session) -> HttpResponse {
    session.remove(PENDING_KEY);
    flash::error(
        session,
        "Your sign-in was not finished in time. Enter your email and password again.",
    );
    redirect("/login")
}

#[derive(Template)]
#[template(path = "auth/code.html")]
struct CodePage<'a> {
    page: &'a PageCtx,
    error: Option<&'a str>,
}

async fn code_form(session: Session, page: PageCtx) -> AppResult<HttpResponse> {
    if pending(&session).is_none() {
        return Ok(expired(&session));
    }
    render(
        StatusCode::OK,
        &CodePage {
            page: &page,
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// How a code was accepted.
enum Accepted {
    App,
    RecoveryCode { left: i64 },
}

/// Checks a code from the app or a recovery code against the user's
/// enabled factor, and spends it in `change` (so a code works once).
/// `None`: wrong, used, or no factor enabled.
async fn spend_code(
    state: &AppState,
    change: &mut LocalChange,
    user: &User,
    typed: &str,
) -> AppResult<Option<Accepted>> {
    let Some(factor) = two_factor::get(change.conn(), user.id)
        .await?
        .filter(|f| f.enabled)
    else {
        return Ok(None);
    };
    if totp::is_app_code(typed) {
        let secret = crypto::open_user_secret(&state.keys, user.id, &factor.sealed)?;
        let Some(step) = totp::check_code(&secret, typed, now_unix(), factor.last_step)? else {
            return Ok(None);
        };
        let fresh = two_factor::accept_step(change.conn(), user.id, step).await?;
        return Ok(fresh.then_some(Accepted::App));
    }
    let hash = totp::hash_recovery_code(typed);
    if !two_factor::use_recovery_code(change.conn(), user.id, &hash).await? {
        return Ok(None);
    }
    let left = two_factor::recovery_codes_left(change.conn(), user.id).await?;
    Ok(Some(Accepted::RecoveryCode { left }))
}

/// Counts a code attempt. Codes are limited like passwords, per address
/// and per account, but in an account bucket of their own: a sign-in takes
/// a password and a code, and should not cost two of the password's
/// attempts. The address bucket is shared, so guessing codes and passwords
/// from one place together stays within one limit.
fn check_throttle(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
) -> Result<(), std::time::Duration> {
    state
        .throttle
        .check(auth_pages::peer_ip(req), &format!("second factor: {email}"))
}

fn throttled(message_page: &PageCtx, wait: std::time::Duration) -> AppResult<HttpResponse> {
    let secs = wait.as_secs().max(1);
    let message = format!("Too many attempts. Try again in {secs} seconds.");
    let mut response = render(
        StatusCode::TOO_MANY_REQUESTS,
        &CodePage {
            page: message_page,
            error: Some(&message),
        },
    )?;
    if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Ok(response)
}

async fn submit_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: PageCtx,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    let Some(waiting) = pending(&session) else {
        return Ok(expired(&session));
    };
    let user = match users::by_id(state.raw_db(), waiting.user_id).await? {
        Some(user) if !user.disabled => user,
        _ => return Ok(expired(&session)),
    };
    // Six digits would fall to guessing without a limit.
    if let Err(wait) = check_throttle(&state, &req, &user.email) {
        tracing::warn!(user_id = user.id, "second-factor code throttled");
        auth_pages::record_login(
            &state,
            &req,
            &user.email,
            Some(&user),
            Outcome::Denied,
            "second factor throttled",
        )
        .await;
        return throttled(&page, wait);
    }
    let typed = form.code.trim();
    if typed.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &CodePage {
                page: &page,
                error: Some("Enter the code from your authenticator app, or a recovery code."),
            },
        );
    }
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let Some(accepted) = spend_code(&state, &mut change, &user, typed).await? else {
        drop(change);
        auth_pages::record_login(
            &state,
            &req,
            &user.email,
            Some(&user),
            Outcome::Failed,
            "wrong or used second-factor code",
        )
        .await;
        return render(
            StatusCode::UNAUTHORIZED,
            &CodePage {
                page: &page,
                error: Some("The code is wrong or was already used."),
            },
        );
    };
    let details = match accepted {
        Accepted::App => json!({ "second_factor": "authenticator app" }),
        Accepted::RecoveryCode { left } => {
            json!({ "second_factor": "recovery code", "recovery_codes_left": left })
        }
    };
    let event = NewEvent::new("auth.sign_in", Outcome::Succeeded)
        .target("user", user.id, &user.email)
        .details(details);
    change
        .commit(&crate::web::audit_ctx(&req, None, Some(&user)), event)
        .await?;
    session.remove(PENDING_KEY);
    auth_pages::sign_in(&req, &session, &user)?;
    if let Accepted::RecoveryCode { left } = accepted {
        flash::info(
            &session,
            format!(
                "You signed in with a recovery code; {left} remain. Each works once: turn two-factor sign-in off and on again for new ones."
            ),
        );
    }
    tracing::info!(user_id = user.id, "signed in with a second factor");
    Ok(redirect(&waiting.next))
}

#[derive(Template)]
#[template(path = "auth/two_factor.html")]
struct EnrolPage<'a> {
    page: &'a PageCtx,
    /// Set once enrolment started: what the authenticator app needs.
    setup: Option<Setup>,
    error: Option<&'a str>,
}

struct Setup {
    uri: String,
    secret_text: String,
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct RecoveryCodesPage<'a> {
    page: &'a PageCtx,
    codes: Vec<String>,
}

async fn show_enrolment(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    error: Option<&str>,
) -> AppResult<HttpResponse> {
    let setup = match two_factor::get(state.raw_db(), me.user.id).await? {
        Some(factor) if !factor.enabled => {
            let secret = crypto::open_user_secret(&state.keys, me.user.id, &factor.sealed)?;
            let uri = totp::otpauth_uri(&secret, &me.user.email)?;
            Some(Setup {
                qr_svg: totp::qr_svg(&uri)?,
                secret_text: totp::secret_text(&secret)?,
                uri,
            })
        }
        _ => None,
    };
    let page = me.page.clone().with_section("profile");
    render(
        status,
        &EnrolPage {
            page: &page,
            setup,
            error,
        },
    )
}

async fn enrol_page(state: web::Data<AppState>, me: CurrentUser) -> AppResult<HttpResponse> {
    if two_factor::is_enabled(state.raw_db(), me.user.id).await? {
        return Ok(redirect("/profile"));
    }
    show_enrolment(&state, &me, StatusCode::OK, None).await
}

/// A new secret, awaiting its first code. Starting again replaces one not
/// yet confirmed (a lost phone halfway through).
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
) -> AppResult<HttpResponse> {
    let sealed =
        crypto::seal_user_secret(state.keys.sealing_key(), me.user.id, &totp::new_secret())?;
    let mut change = LocalChange::begin(state.raw_db()).await?;
    if !two_factor::start_enrolment(change.conn(), me.user.id, &sealed).await? {
        drop(change);
        flash::info(&session, "Two-factor sign-in is already on.");
        return Ok(redirect("/profile"));
    }
    let event = NewEvent::new("user.two_factor_enrolment_start", Outcome::Succeeded).target(
        "user",
        me.user.id,
        &me.user.email,
    );
    change
        .commit(&crate::web::audit_ctx(&req, None, Some(&me.user)), event)
        .await?;
    Ok(redirect("/profile/two-factor"))
}

/// The first code turns the factor on; the recovery codes are shown on this
/// answer and never again (only their hashes are kept).
async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: CurrentUser,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    let Some(factor) = two_factor::get(state.raw_db(), me.user.id).await? else {
        return show_enrolment(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Start the set-up first."),
        )
        .await;
    };
    if factor.enabled {
        return Ok(redirect("/profile"));
    }
    if let Err(wait) = check_throttle(&state, &req, &me.user.email) {
        let message = format!(
            "Too many attempts. Try again in {} seconds.",
            wait.as_secs().max(1)
        );
        return show_enrolment(&state, &me, StatusCode::TOO_MANY_REQUESTS, Some(&message)).await;
    }
    let secret = crypto::open_user_secret(&state.keys, me.user.id, &factor.sealed)?;
    let Some(step) = totp::check_code(&secret, &form.code, now_unix(), None)? else {
        return show_enrolment(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("That code does not match. Enter the six digits your app shows now."),
        )
        .await;
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    let mut change = LocalChange::begin(state.raw_db()).await?;
    if !two_factor::enable(change.conn(), me.user.id, step, &hashes).await? {
        drop(change);
        return Ok(redirect("/profile"));
    }
    let event = NewEvent::new("user.two_factor_enable", Outcome::Succeeded)
        .target("user", me.user.id, &me.user.email)
        .details(json!({ "recovery_codes": codes.len() }));
    change
        .commit(&crate::web::audit_ctx(&req, None, Some(&me.user)), event)
        .await?;
    let page = me.page.clone().with_section("profile");
    render(StatusCode::OK, &RecoveryCodesPage { page: &page, codes })
}

/// Turning off takes a current code or a recovery code: a session left
/// open on a shared computer is not enough.
async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    let problem = |message: &'static str, status: StatusCode| {
        auth_pages::profile_page(
            &state,
            &session,
            &me,
            status,
            ProfileProblem::TwoFactor(message),
        )
    };
    if !two_factor::is_enabled(state.raw_db(), me.user.id).await? {
        flash::info(&session, "Two-factor sign-in is already off.");
        return Ok(redirect("/profile"));
    }
    if check_throttle(&state, &req, &me.user.email).is_err() {
        return problem(
            "Too many attempts. Wait a minute and try again.",
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let typed = form.code.trim();
    if typed.is_empty() {
        return problem(
            "Enter a code from your authenticator app, or a recovery code.",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let Some(accepted) = spend_code(&state, &mut change, &me.user, typed).await? else {
        drop(change);
        let ctx = crate::web::audit_ctx(&req, None, Some(&me.user));
        let event = NewEvent::new("user.two_factor_disable", Outcome::Failed)
            .target("user", me.user.id, &me.user.email)
            .error("wrong or used code");
        if let Err(e) = audit::record(state.raw_db(), &ctx, event).await {
            tracing::error!(error = ?e, "failed to audit a refused two-factor change");
        }
        return problem(
            "The code is wrong or was already used; two-factor sign-in stays on.",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    two_factor::remove(change.conn(), me.user.id).await?;
    let with = match accepted {
        Accepted::App => "authenticator app",
        Accepted::RecoveryCode { .. } => "recovery code",
    };
    let event = NewEvent::new("user.two_factor_disable", Outcome::Succeeded)
        .target("user", me.user.id, &me.user.email)
        .details(json!({ "confirmed_with": with }));
    change
        .commit(&crate::web::audit_ctx(&req, None, Some(&me.user)), event)
        .await?;
    flash::success(&session, "Two-factor sign-in is off.");
    Ok(redirect("/profile"))
}
