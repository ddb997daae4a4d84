//! The navigation bar: which entries a user sees.
//!
//! Organisation pages add their own entries, filtered by permission, in
//! [`crate::web::org_ctx::OrgCtx`].

use crate::app_state::AppState;
use crate::db::users::User;
use crate::web::error::AppError;
use crate::web::page::PageCtx;

/// Fills the organisation switcher for a signed-in user.
pub async fn fill(state: &AppState, page: &mut PageCtx, user: &User) -> Result<(), AppError> {
    page.orgs = state.people.orgs(state.raw_db(), user.id).await?;
    Ok(())
}
