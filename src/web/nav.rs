//! The navigation bar: which entries a user sees.

use crate::db::users::User;
use crate::error::AppError;
use crate::startup::AppState;
use crate::web::page::PageCtx;

/// Fills the organisation switcher and the navigation entries for a signed-in user.
pub async fn fill(_state: &AppState, page: &mut PageCtx, _user: &User) -> Result<(), AppError> {
    page.nav.clear();
    Ok(())
}
