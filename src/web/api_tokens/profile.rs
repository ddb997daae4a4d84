//! Making and revoking one's own tokens on the profile page.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::section::{NewToken, TokenErrors, TokenForm, TokenSection};
use crate::app_state::AppState;
use crate::tenant::{Actor, Membership, TokenRevoked};
use crate::web::auth_pages::{ProfileProblem, profile_page_with};
use crate::web::confirm::{self, Confirmation};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::CurrentUser;
use crate::web::{flash, redirect};

fn actor(req: &HttpRequest, me: &CurrentUser, org_id: i64) -> Actor {
    let (req, user) = (req.clone(), me.user.clone());
    Actor::new(Some(org_id), move || {
        crate::web::audit_ctx(&req, None, Some(&user))
    })
}

/// The organisation the form names, when the member may make a token for
/// it: one of theirs, and open to them (its two-factor rule kept).
async fn chosen_org(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    errors: &mut TokenErrors,
) -> AppResult<Option<Membership>> {
    let slug = slug.trim();
    if slug.is_empty() {
        errors.org = Some("Choose an organisation.".into());
        return Ok(None);
    }
    let Some(member) = state.door.membership(slug, me.user.id).await? else {
        errors.org = Some("Choose one of your organisations.".into());
        return Ok(None);
    };
    let two_factor = state
        .people
        .two_factor(state.raw_db(), member.org().id, me.user.id)
        .await?;
    if two_factor.blocks() {
        errors.org = Some(format!(
            "{} requires two-factor sign-in: set it up before making a token for it.",
            member.org().name
        ));
        return Ok(None);
    }
    Ok(Some(member))
}

/// Makes a token and answers with the profile page showing it, once. A bad
/// field shows the page again with its message beside it.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<TokenForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let mut errors = TokenErrors::default();
    let member = chosen_org(&state, &me, &form.org, &mut errors).await?;
    let checked = form.check(&mut errors);
    let (Some(member), Some(checked)) = (member, checked) else {
        let tokens = TokenSection::load(&state, &me.user, &me.page, form, errors, None).await?;
        return profile_page_with(
            &state,
            &session,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            ProfileProblem::None,
            tokens,
        )
        .await;
    };
    let now = crate::db::now_unix();
    let actor = actor(&req, &me, member.org().id);
    let tenant = state.door.as_member(&member, &actor);
    let (_, token) = tenant
        .create_api_token(
            &checked.name,
            checked.access,
            now + checked.days * 24 * 3600,
            now,
        )
        .await?;
    let created = NewToken {
        token,
        name: checked.name,
        org_name: member.org().name.clone(),
    };
    let tokens = TokenSection::load(
        &state,
        &me.user,
        &me.page,
        TokenForm::default(),
        TokenErrors::default(),
        Some(created),
    )
    .await?;
    profile_page_with(
        &state,
        &session,
        &me,
        StatusCode::OK,
        ProfileProblem::None,
        tokens,
    )
    .await
}

/// Revokes one of the member's own tokens; another member's, or one of
/// an organisation they are not in, is the 404 page.
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    path: web::Path<(String, i64)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (slug, token_id) = path.into_inner();
    let Some(member) = state.door.membership(&slug, me.user.id).await? else {
        return Err(AppError::NotFound.in_page(&me.page));
    };
    if !form.given() {
        confirm::refuse(&session, "revoke this API token");
        return Ok(redirect("/profile"));
    }
    let actor = actor(&req, &me, member.org().id);
    let tenant = state.door.as_member(&member, &actor);
    match tenant
        .revoke_api_token(token_id, crate::db::now_unix())
        .await?
    {
        TokenRevoked::Done(token) => flash::success(
            &session,
            format!(
                "The API token “{}” was revoked: requests with it are refused from now on.",
                token.name
            ),
        ),
        TokenRevoked::Already => flash::info(&session, "That API token was already revoked."),
        TokenRevoked::NotFound => return Err(AppError::NotFound.in_page(&me.page)),
    }
    Ok(redirect("/profile"))
}
