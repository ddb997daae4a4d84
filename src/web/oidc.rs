//! Sign-in with the organisation's identity provider (OpenID Connect): the
//! button's start and the provider's return.
//!
//! The flow's secrets (PKCE verifier, nonce, the expected `state`) stay in
//! the server-side session between the two, for ten minutes at most, and
//! are taken out of it on the return whatever happens: a replayed or
//! tampered return finds nothing to match and gets the sign-in page with a
//! 400, never a 500. The provider client and the token checks are
//! [`crate::auth::oidc`]; memberships from groups are
//! [`crate::tenant::sync_group_memberships`].

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{self, LocalChange, NewEvent, Outcome};
use crate::auth::oidc::{Flow, Identity, Oidc, OidcError};
use crate::db::users::User;
use crate::db::{now_unix, oidc_identities, sessions, two_factor, users};
use crate::web::auth_pages::{self, login_page, safe_next};
use crate::web::error::{AppError, AppResult};
use crate::web::page::PageCtx;
use crate::web::routing::Routes;
use crate::web::{audit_ctx, redirect};

pub fn routes(cfg: &mut Routes) {
    cfg.route("/login/oidc", web::get().to(start))
        .route("/login/oidc/callback", web::get().to(callback));
}

/// Session key of a started sign-in.
const FLOW_KEY: &str = "oidc_flow";
/// How long the provider's return is awaited.
const FLOW_SECS: i64 = 10 * 60;

#[derive(Serialize, Deserialize)]
struct Started {
    flow: Flow,
    next: String,
    until: i64,
}

/// A link, not a form: the panel's CSP keeps forms on its own origin, and
/// starting needs no protection of its own (the return must match the
/// `state` kept in the session of the browser that started).
#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

fn provider(state: &AppState) -> AppResult<&Oidc> {
    state.oidc.as_deref().ok_or(AppError::NotFound)
}

/// The sign-in page with a problem, and the problem in the log.
fn refuse(
    state: &AppState,
    page: &PageCtx,
    status: StatusCode,
    next: &str,
    message: &str,
) -> AppResult<HttpResponse> {
    login_page(state, page, status, "", next, Some(message))
}

async fn start(
    state: web::Data<AppState>,
    session: Session,
    page: PageCtx,
    query: web::Query<StartQuery>,
) -> AppResult<HttpResponse> {
    let oidc = provider(&state)?;
    let next = safe_next(&query.next).to_owned();
    match oidc.start().await {
        Ok((url, flow)) => {
            let started = Started {
                flow,
                next,
                until: now_unix() + FLOW_SECS,
            };
            session.insert(FLOW_KEY, started).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("Failed to store the session: {e}"))
            })?;
            Ok(redirect(&url))
        }
        Err(e) => {
            tracing::warn!(error = %e, "sign-in with the identity provider could not start");
            refuse(
                &state,
                &page,
                status_of(&e),
                &next,
                &e.user_message(oidc.label()),
            )
        }
    }
}

fn status_of(e: &OidcError) -> StatusCode {
    match e {
        OidcError::IssuerNotAllowed(_) | OidcError::Discovery(_) => StatusCode::SERVICE_UNAVAILABLE,
        OidcError::Unreachable(_) | OidcError::BadAnswer(_) | OidcError::NoIdToken => {
            StatusCode::BAD_GATEWAY
        }
        OidcError::CodeRefused(_) | OidcError::InvalidToken(_) => StatusCode::BAD_REQUEST,
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// The provider's error code, reduced to what such a code may hold.
fn plain_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect()
}

async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: PageCtx,
    query: web::Query<CallbackQuery>,
) -> AppResult<HttpResponse> {
    let oidc = provider(&state)?;
    let label = oidc.label().to_owned();
    let query = query.into_inner();
    // Taken out whatever happens next: a return is accepted once.
    let started = session
        .remove_as::<Started>(FLOW_KEY)
        .and_then(Result::ok)
        .filter(|s| s.until > now_unix());
    let Some(started) = started else {
        record_refusal(
            &state,
            &req,
            None,
            "",
            "no sign-in awaiting the provider (replayed or expired)",
        )
        .await;
        return refuse(
            &state,
            &page,
            StatusCode::BAD_REQUEST,
            "/",
            &format!("This sign-in with {label} was already used or has expired. Start again."),
        );
    };
    let next = started.next.clone();
    if query.state.as_deref() != Some(started.flow.state.as_str()) {
        record_refusal(&state, &req, None, "", "the state does not match").await;
        return refuse(
            &state,
            &page,
            StatusCode::BAD_REQUEST,
            &next,
            &format!(
                "The answer from {label} does not belong to the sign-in this browser started (its state does not match). Start again."
            ),
        );
    }
    if let Some(error) = &query.error {
        let code = plain_code(error);
        record_refusal(
            &state,
            &req,
            None,
            "",
            &format!("the provider answered {code}"),
        )
        .await;
        return refuse(
            &state,
            &page,
            StatusCode::FORBIDDEN,
            &next,
            &format!(
                "{label} did not sign you in ({code}). Start again, or ask your administrator."
            ),
        );
    }
    if query
        .iss
        .as_deref()
        .is_some_and(|iss| iss.trim_end_matches('/') != oidc.settings().issuer)
    {
        record_refusal(&state, &req, None, "", "the answer names another issuer").await;
        return refuse(
            &state,
            &page,
            StatusCode::BAD_REQUEST,
            &next,
            &format!("The answer did not come from {label}. Start again."),
        );
    }
    let Some(code) = query.code.filter(|c| !c.is_empty()) else {
        return refuse(
            &state,
            &page,
            StatusCode::BAD_REQUEST,
            &next,
            &format!("The answer from {label} has no sign-in code. Start again."),
        );
    };

    let identity = match oidc.finish(started.flow, code).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(error = %e, "a sign-in with the identity provider failed");
            record_refusal(&state, &req, None, "", &e.to_string()).await;
            return refuse(&state, &page, status_of(&e), &next, &e.user_message(&label));
        }
    };
    let who = identity
        .email
        .clone()
        .unwrap_or_else(|| identity.subject.clone());
    if let Err(wait) = state.throttle.check(auth_pages::peer_ip(&req), &who) {
        let secs = wait.as_secs().max(1);
        record_refusal(&state, &req, None, &who, "throttled").await;
        let mut response = refuse(
            &state,
            &page,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            &format!("Too many sign-in attempts. Try again in {secs} seconds."),
        )?;
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }

    let user = match match_user(&state, &req, oidc, &identity).await? {
        Ok(user) => user,
        Err(refusal) => {
            record_refusal(&state, &req, refusal.user.as_ref(), &who, refusal.reason).await;
            return refuse(
                &state,
                &page,
                StatusCode::FORBIDDEN,
                &next,
                &refusal.message,
            );
        }
    };

    if oidc.settings().groups_claim.is_some() {
        let ctx = audit_ctx(&req, None, Some(&user));
        let changed = crate::tenant::sync_group_memberships(
            state.raw_db(),
            &ctx,
            user.id,
            &user.email,
            &identity.groups,
        )
        .await?;
        if !changed.unknown.is_empty() {
            tracing::warn!(user_id = user.id, groups = ?changed.unknown, "groups name no organisation or role of this panel");
        }
    }

    let provider_mfa = identity.second_factor();
    if !provider_mfa && two_factor::is_enabled(state.raw_db(), user.id).await? {
        // The panel's own second factor, as after a password.
        crate::web::pending_sign_in::await_code(&session, user.id, &next)?;
        return Ok(redirect("/login/code"));
    }
    auth_pages::sign_in(&req, &session, &user)?;
    if provider_mfa {
        session
            .insert(sessions::PROVIDER_SECOND_FACTOR_KEY, true)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to store the session: {e}")))?;
    }
    crate::metrics::sign_in(Outcome::Succeeded.as_str());
    let event = NewEvent::new("auth.sign_in", Outcome::Succeeded)
        .target("user", user.id, &user.email)
        .details(json!({
            "via": "oidc",
            "second_factor": if provider_mfa { Some("identity provider") } else { None },
        }));
    if let Err(e) = audit::record(state.raw_db(), &audit_ctx(&req, None, Some(&user)), event).await
    {
        tracing::error!(error = ?e, "failed to audit a sign-in");
    }
    tracing::info!(user_id = user.id, "signed in through the identity provider");
    Ok(redirect(&next))
}

/// A sign-in the panel refused, and why (for the page and the log).
struct Refusal {
    user: Option<User>,
    reason: &'static str,
    message: String,
}

/// The panel user of a verified identity: the linked one, or one linked
/// or created now through a verified e-mail address.
async fn match_user(
    state: &AppState,
    req: &HttpRequest,
    oidc: &Oidc,
    identity: &Identity,
) -> AppResult<Result<User, Refusal>> {
    let label = oidc.label();
    let settings = oidc.settings();
    let verified_email = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let not_verified = || Refusal {
        user: None,
        reason: "no verified e-mail address",
        message: format!(
            "{label} has not verified your e-mail address, so the panel cannot match it to an account. Verify it with {label}, or ask your administrator."
        ),
    };
    if !settings.allowed_domains.is_empty() {
        let Some(email) = verified_email else {
            return Ok(Err(not_verified()));
        };
        let domain = email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
        if !domain.is_some_and(|d| settings.allowed_domains.contains(&d)) {
            return Ok(Err(Refusal {
                user: None,
                reason: "e-mail domain not allowed",
                message: format!(
                    "Only people with a verified address of {} may sign in with {label}.",
                    settings.allowed_domains.join(", ")
                ),
            }));
        }
    }
    let linked =
        oidc_identities::user_for(state.raw_db(), &identity.issuer, &identity.subject).await?;
    let user = match linked {
        Some(user_id) => users::by_id(state.raw_db(), user_id).await?,
        None => {
            let Some(email) = verified_email else {
                return Ok(Err(not_verified()));
            };
            Some(link_or_create(state, req, identity, email).await?)
        }
    };
    match user {
        Some(user) if !user.disabled => Ok(Ok(user)),
        other => Ok(Err(Refusal {
            user: other,
            reason: "disabled",
            message: "This account is disabled. Ask an instance admin.".into(),
        })),
    }
}

/// Links the identity to the user of that address, or creates one (with no
/// usable password), each with its audit event.
async fn link_or_create(
    state: &AppState,
    req: &HttpRequest,
    identity: &Identity,
    email: &str,
) -> AppResult<User> {
    let now = now_unix();
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let (user_id, event) = match users::by_email(change.conn(), email).await? {
        Some(user) => {
            let event = NewEvent::new("user.oidc_link", Outcome::Succeeded)
                .target("user", user.id, &user.email)
                .details(json!({ "issuer": identity.issuer, "subject": identity.subject }));
            (user.id, event)
        }
        None => {
            let name = identity
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(email);
            let Some(user_id) = users::insert(
                change.conn(),
                email,
                name,
                oidc_identities::NO_PASSWORD,
                false,
            )
            .await?
            else {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "A user with this address appeared during the sign-in"
                )));
            };
            let event = NewEvent::new("user.create", Outcome::Succeeded)
                .target("user", user_id, email)
                .details(json!({
                    "via": "oidc",
                    "issuer": identity.issuer,
                    "subject": identity.subject,
                }));
            (user_id, event)
        }
    };
    oidc_identities::link(
        change.conn(),
        &identity.issuer,
        &identity.subject,
        user_id,
        now,
    )
    .await?;
    let user = users::by_id(change.conn(), user_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("The linked user is gone")))?;
    let mut ctx = audit_ctx(req, None, Some(&user));
    ctx.actor_label = user.email.clone();
    change.commit(&ctx, event).await?;
    Ok(user)
}

async fn record_refusal(
    state: &AppState,
    req: &HttpRequest,
    user: Option<&User>,
    who: &str,
    reason: &str,
) {
    let mut ctx = audit_ctx(req, None, user);
    if user.is_none() {
        ctx.actor_label = who.chars().take(254).collect();
    }
    crate::metrics::sign_in(Outcome::Failed.as_str());
    let mut event = NewEvent::new("auth.sign_in", Outcome::Failed)
        .details(json!({ "via": "oidc" }))
        .error(reason);
    if let Some(user) = user {
        event = event.target("user", user.id, &user.email);
    }
    if let Err(e) = audit::record(state.raw_db(), &ctx, event).await {
        tracing::error!(error = ?e, "failed to audit a sign-in");
    }
}
