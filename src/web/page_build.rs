//! Building a page's context from its request: the signed-in user from the
//! session, the application state, and [`PageCtx`] as an extractor.
//!
//! Kept apart from the context's types in [`crate::web::page`]: building one
//! needs the error type, the CSRF token and the navigation, and those need
//! the types, so the types sit below and this file above them.

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::app_state::AppState;
use crate::db::users::User;
use crate::web::csrf;
use crate::web::error::AppError;
use crate::web::flash;
use crate::web::page::{NavUser, PageCtx, PageData};

/// Loads the signed-in user from the session; a user who was disabled or
/// deleted meanwhile has their session ended.
pub async fn session_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<std::sync::Arc<User>>, AppError> {
    let Ok(Some(user_id)) = session.get::<i64>(crate::db::sessions::USER_ID_KEY) else {
        return Ok(None);
    };
    match state.people.user(state.raw_db(), user_id).await? {
        Some(user) if !user.disabled => Ok(Some(user)),
        _ => {
            session.purge();
            Ok(None)
        }
    }
}

pub(crate) fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state is missing")))
}

/// Builds the page context for a request and, when known, its user.
pub async fn build(
    state: &AppState,
    req: &HttpRequest,
    user: Option<&User>,
) -> Result<PageCtx, AppError> {
    let session = req.get_session();
    let mut page = PageCtx::from(PageData {
        user: user.map(|u| NavUser {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            is_instance_admin: u.is_instance_admin,
        }),
        csrf_token: csrf::token(&session),
        flashes: flash::take(&session),
        kept: flash::take_kept(&session),
        ..PageData::default()
    });
    if let Some(user) = user {
        crate::web::nav::fill(state, &mut page, user).await?;
    }
    Ok(page)
}

impl FromRequest for PageCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let user = session_user(&state, &req.get_session()).await?;
            build(&state, &req, user.as_deref()).await
        })
    }
}
