//! The navigation bar: which entries a user sees.
//!
//! Organisation pages add their own entries, filtered by permission, in
//! [`crate::web::org::OrgCtx`].

use crate::db::users::User;
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::page::{NavOrg, PageCtx};

/// Fills the organisation switcher for a signed-in user.
pub async fn fill(state: &AppState, page: &mut PageCtx, user: &User) -> Result<(), AppError> {
    page.nav.clear();
    page.orgs = crate::db::orgs::for_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|o| NavOrg {
            slug: o.slug,
            name: o.name,
        })
        .collect();
    Ok(())
}
