//! The words of a page or card waiting for the request budget.
//!
//! Its own file because the error type words its waiting page with it too
//! ([`crate::web::error::AppError::cloud`]), and the error type sits below
//! the cloud pages, which depend on it.

/// What a page or card with nothing known yet says while the request
/// budget is spent: not a failure, it fills in when the budget allows.
pub fn loading(what: &str) -> String {
    format!(
        "Loading {what}: the organisation's shared request budget for this cloud account \
         is spent for the moment, and nothing was read here before."
    )
}
