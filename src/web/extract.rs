//! `CurrentUser`: the signed-in user, or a redirect to the sign-in page.

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::db::users::User;
use crate::web::error::AppError;
use crate::web::page::PageCtx;
use crate::web::page_build;

/// A signed-in, enabled user and the context for the page they asked for.
pub struct CurrentUser {
    pub user: std::sync::Arc<User>,
    pub page: PageCtx,
}

impl CurrentUser {
    /// The signed-in user of `req`, or the redirect to the sign-in page.
    pub async fn of(req: &HttpRequest) -> Result<Self, AppError> {
        let state = page_build::app_state(req)?;
        let Some(user) = page_build::session_user(&state, &req.get_session()).await? else {
            // After signing in, come back to the page asked for (never to a form post).
            let next = if req.method() == Method::GET {
                req.uri()
                    .path_and_query()
                    .map_or("/", |pq| pq.as_str())
                    .to_owned()
            } else {
                "/".to_owned()
            };
            return Err(AppError::SignInRequired { next });
        };
        let page = page_build::build(&state, req, Some(&user)).await?;
        Ok(Self { user, page })
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Self::of(&req).await })
    }
}

/// An instance admin; anyone else gets the 403 page.
pub struct InstanceAdmin(pub CurrentUser);

impl FromRequest for InstanceAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let current = CurrentUser::of(&req).await?;
            if !current.user.is_instance_admin {
                return Err(AppError::Forbidden(
                    "Only instance admins may manage the installation.".into(),
                ));
            }
            Ok(Self(current))
        })
    }
}
