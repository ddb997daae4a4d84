//! An organisation's "require two-factor sign-in" setting: a card on the
//! Members page that an Owner changes. The requirement itself is enforced by
//! `OrgCtx` on every organisation page.

use crate::web::routing::org_routes;
use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::db::two_factor;
use crate::rbac::{BuiltinRole, perms};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

org_routes! {
    "/members" {
        POST "/two-factor" => set_requirement,
    }
}

/// What the Members page's card shows.
pub struct Setting {
    pub required: bool,
    pub can_change: bool,
}

impl Setting {
    pub fn of(org: &OrgCtx) -> Self {
        Self {
            required: org.two_factor_required(),
            can_change: is_owner(org),
        }
    }
}

/// The setting decides who may enter at all, so it is an Owner's, not
/// every member manager's.
fn is_owner(org: &OrgCtx) -> bool {
    org.role().builtin == Some(BuiltinRole::Owner)
}

#[derive(Deserialize)]
pub struct RequirementForm {
    #[serde(default)]
    require: String,
}

async fn set_requirement(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    form: web::Form<RequirementForm>,
) -> AppResult<HttpResponse> {
    // The permission check records a refusal; the Owner check narrows it.
    org.require(perms::ORGANISATION_MANAGE_MEMBERS).await?;
    if !is_owner(&org) {
        return Err(AppError::Forbidden(format!(
            "Only an Owner of {} can change whether two-factor sign-in is required.",
            org.org().name
        ))
        .in_page(&org.page));
    }
    let required = match form.require.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(AppError::BadRequest(
                "The form did not say whether to require two-factor sign-in.".into(),
            )
            .in_page(&org.page));
        }
    };
    let back = org.href("members");
    if required == org.two_factor_required() {
        return Ok(redirect(&back));
    }
    // An Owner without a second factor would shut themselves out at once.
    if required && !two_factor::is_enabled(state.raw_db(), org.user.id).await? {
        flash::error(
            &session,
            "Set up two-factor sign-in for yourself first (on your account page); otherwise the requirement would lock you out.",
        );
        return Ok(redirect(&back));
    }
    let mut change = LocalChange::begin(state.raw_db()).await?;
    two_factor::set_org_requires(change.conn(), org.org().id, required).await?;
    let event = NewEvent::new("organisation.require_two_factor", Outcome::Succeeded)
        .target("organisation", org.org().id, &org.org().name)
        .details(json!({ "required": required }));
    let ctx = crate::web::audit_ctx(&req, Some(org.org().id), Some(&org.user));
    change.commit(&ctx, event).await?;
    flash::success(
        &session,
        if required {
            "Two-factor sign-in is now required. Members without it are sent to set it up."
        } else {
            "Two-factor sign-in is no longer required."
        },
    );
    Ok(redirect(&back))
}
