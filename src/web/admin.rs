//! `/admin`: the instance admin manages users and organisations.

use crate::web::routing::Routes;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};
use crate::auth::password;
use crate::db::orgs::{self, OrgSummary};
use crate::db::users::{self, User};
use crate::db::{sessions, two_factor};
use crate::domain::{Email, OrgSlug, parse_display_name};
use crate::web::confirm::{self, ConfirmStep, Confirmation};
use crate::web::error::{AppError, AppResult};
use crate::web::extract::{CurrentUser, InstanceAdmin};
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

pub fn routes(cfg: &mut Routes) {
    cfg.route("/admin", web::get().to(index))
        .route("/admin/users", web::post().to(create_user))
        .route("/admin/users/{user_id}/rename", web::post().to(rename_user))
        .route(
            "/admin/users/{user_id}/disable",
            web::post().to(disable_user),
        )
        .route("/admin/users/{user_id}/enable", web::post().to(enable_user))
        .route("/admin/users/{user_id}/delete", web::post().to(delete_user))
        .route(
            "/admin/users/{user_id}/two-factor/reset",
            web::post().to(reset_two_factor),
        )
        .route("/admin/organisations", web::post().to(create_org))
        .route(
            "/admin/organisations/{org_id}/rename",
            web::post().to(rename_org),
        )
        .route(
            "/admin/organisations/{org_id}/delete",
            web::post().to(delete_org),
        );
}

/// The new-user form as typed, with a message per field.
#[derive(Deserialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    instance_admin: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NewOrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    owner_email: String,
}

#[derive(Default)]
struct Errors {
    email: Option<String>,
    name: Option<String>,
    password: Option<String>,
    slug: Option<String>,
    owner_email: Option<String>,
}

/// A refused change to one row of a table, shown next to that row.
struct RowError {
    kind: &'static str,
    id: i64,
    message: String,
    typed: String,
}

struct UserView {
    user: User,
    orgs: i64,
    is_me: bool,
    two_factor: bool,
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminPage<'a> {
    page: &'a PageCtx,
    users: Vec<UserView>,
    orgs: Vec<OrgSummary>,
    new_user: &'a NewUserForm,
    user_errors: Errors,
    new_org: &'a NewOrgForm,
    org_errors: Errors,
    row_error: Option<RowError>,
}

impl AdminPage<'_> {
    fn disable_step(&self, user: &User) -> ConfirmStep {
        ConfirmStep {
            action: format!("/admin/users/{}/disable", user.id),
            verb: "Disable",
            subject: user.email.clone(),
            button: format!("Yes, disable {}", user.email),
            consequence: "They are signed out everywhere and cannot sign in until enabled again."
                .into(),
        }
    }

    fn reset_two_factor_step(&self, user: &User) -> ConfirmStep {
        ConfirmStep {
            action: format!("/admin/users/{}/two-factor/reset", user.id),
            verb: "Reset two-factor",
            subject: user.email.clone(),
            button: format!("Yes, reset the second factor of {}", user.email),
            consequence: "For someone who lost their phone and recovery codes: they sign in with their password alone until they set it up again. Their sessions end."
                .into(),
        }
    }

    fn row_error_for(&self, kind: &str, id: &i64) -> Option<&RowError> {
        self.row_error
            .as_ref()
            .filter(|e| e.kind == kind && e.id == *id)
    }
}

struct Problems {
    user_errors: Errors,
    org_errors: Errors,
    row_error: Option<RowError>,
}

impl Problems {
    fn none() -> Self {
        Self {
            user_errors: Errors::default(),
            org_errors: Errors::default(),
            row_error: None,
        }
    }
}

async fn show(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    new_user: &NewUserForm,
    new_org: &NewOrgForm,
    problems: Problems,
) -> AppResult<HttpResponse> {
    let counts: std::collections::HashMap<i64, i64> = users::membership_counts(state.raw_db())
        .await?
        .into_iter()
        .collect();
    let with_two_factor: std::collections::HashSet<i64> =
        two_factor::enabled_user_ids(state.raw_db())
            .await?
            .into_iter()
            .collect();
    let users = users::all(state.raw_db())
        .await?
        .into_iter()
        .map(|user| UserView {
            orgs: counts.get(&user.id).copied().unwrap_or(0),
            is_me: user.id == me.user.id,
            two_factor: with_two_factor.contains(&user.id),
            user,
        })
        .collect();
    let orgs = orgs::all(state.raw_db()).await?;
    let page = me.page.clone().with_section("admin");
    render(
        status,
        &AdminPage {
            page: &page,
            users,
            orgs,
            new_user,
            user_errors: problems.user_errors,
            new_org,
            org_errors: problems.org_errors,
            row_error: problems.row_error,
        },
    )
}

async fn index(state: web::Data<AppState>, admin: InstanceAdmin) -> AppResult<HttpResponse> {
    let me = admin.0;
    let new_org = NewOrgForm {
        owner_email: me.user.email.clone(),
        ..NewOrgForm::default()
    };
    show(
        &state,
        &me,
        StatusCode::OK,
        &NewUserForm::default(),
        &new_org,
        Problems::none(),
    )
    .await
}

fn audit_ctx(req: &HttpRequest, me: &CurrentUser) -> AuditCtx {
    crate::web::audit_ctx(req, None, Some(&me.user))
}

fn default_org_form(me: &CurrentUser) -> NewOrgForm {
    NewOrgForm {
        owner_email: me.user.email.clone(),
        ..NewOrgForm::default()
    }
}

async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    form: web::Form<NewUserForm>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let form = form.into_inner();
    let mut errors = Errors::default();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.email = Some(capitalise(&e)))
        .ok();
    let name = parse_display_name(&form.name, "name")
        .map_err(|e| errors.name = Some(e))
        .ok();
    if let Err(e) = password::check_new(&form.password) {
        errors.password = Some(e);
    }
    if let Some(email) = &email
        && users::by_email(state.raw_db(), email.as_str())
            .await?
            .is_some()
    {
        errors.email = Some(format!(
            "There is already a user with the email {}.",
            email.as_str()
        ));
    }
    let (Some(email), Some(name), None, None) = (email, name, &errors.password, &errors.email)
    else {
        let problems = Problems {
            user_errors: errors,
            ..Problems::none()
        };
        return show(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewUserForm {
                password: String::new(),
                ..form
            },
            &default_org_form(&me),
            problems,
        )
        .await;
    };
    let is_admin = form.instance_admin.is_some();
    let hash = password::hash(form.password).await?;
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let Some(id) = users::insert(change.conn(), email.as_str(), &name, &hash, is_admin).await?
    else {
        drop(change);
        let problems = Problems {
            user_errors: Errors {
                email: Some(format!(
                    "There is already a user with the email {}.",
                    email.as_str()
                )),
                ..Errors::default()
            },
            ..Problems::none()
        };
        let form = NewUserForm {
            password: String::new(),
            ..form
        };
        return show(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &default_org_form(&me),
            problems,
        )
        .await;
    };
    let event = NewEvent::new("user.create", Outcome::Succeeded)
        .target("user", id, email.as_str())
        .details(json!({ "name": name, "instance_admin": is_admin }));
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(&session, format!("User {} created.", email.as_str()));
    Ok(redirect("/admin"))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

async fn load_user(state: &AppState, user_id: i64) -> AppResult<User> {
    users::by_id(state.raw_db(), user_id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn row_problem(
    state: &AppState,
    me: &CurrentUser,
    kind: &'static str,
    id: i64,
    message: String,
    typed: String,
) -> AppResult<HttpResponse> {
    show(
        state,
        me,
        StatusCode::UNPROCESSABLE_ENTITY,
        &NewUserForm::default(),
        &default_org_form(me),
        Problems {
            row_error: Some(RowError {
                kind,
                id,
                message,
                typed,
            }),
            ..Problems::none()
        },
    )
    .await
}

async fn rename_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    path: web::Path<i64>,
    form: web::Form<NameForm>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let user = load_user(&state, path.into_inner()).await?;
    let name = match parse_display_name(&form.name, "name") {
        Ok(name) => name,
        Err(message) => {
            return row_problem(&state, &me, "user", user.id, message, form.name.clone()).await;
        }
    };
    let mut change = LocalChange::begin(state.raw_db()).await?;
    users::rename_user(change.conn(), user.id, &name).await?;
    let event = NewEvent::new("user.rename", Outcome::Succeeded)
        .target("user", user.id, &user.email)
        .details(json!({ "from": user.name, "to": name }));
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(&session, format!("{} is now called {name}.", user.email));
    Ok(redirect("/admin"))
}

async fn disable_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    path: web::Path<i64>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let user = load_user(&state, path.into_inner()).await?;
    if !form.given() {
        confirm::refuse(&session, &format!("disable {}", user.email));
        return Ok(redirect("/admin"));
    }
    if user.id == me.user.id {
        flash::error(
            &session,
            "You cannot disable your own account: ask another instance admin.",
        );
        return Ok(redirect("/admin"));
    }
    let mut change = LocalChange::begin(state.raw_db()).await?;
    users::set_disabled(change.conn(), user.id, true).await?;
    let ended = sessions::end_all_for_user(change.conn(), user.id).await?;
    let event = NewEvent::new("user.disable", Outcome::Succeeded)
        .target("user", user.id, &user.email)
        .details(json!({ "sessions_ended": ended }));
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(
        &session,
        format!(
            "{} is disabled and was signed out of {ended} session(s).",
            user.email
        ),
    );
    Ok(redirect("/admin"))
}

async fn enable_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let user = load_user(&state, path.into_inner()).await?;
    let mut change = LocalChange::begin(state.raw_db()).await?;
    users::set_disabled(change.conn(), user.id, false).await?;
    let event =
        NewEvent::new("user.enable", Outcome::Succeeded).target("user", user.id, &user.email);
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(&session, format!("{} can sign in again.", user.email));
    Ok(redirect("/admin"))
}

async fn delete_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    path: web::Path<i64>,
    form: web::Form<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let user = load_user(&state, path.into_inner()).await?;
    let typed = form.confirm.trim().to_owned();
    let problem = if user.id == me.user.id {
        Some("You cannot delete your own account.".to_owned())
    } else if !typed.eq_ignore_ascii_case(&user.email) {
        Some(format!(
            "Type the email {} to confirm deleting this user.",
            user.email
        ))
    } else {
        let alone = users::orgs_where_last_owner(state.raw_db(), user.id).await?;
        (!alone.is_empty()).then(|| {
            format!(
                "{} is the only Owner of {}. Make someone else Owner there first, or delete the organisation.",
                user.email,
                alone.join(", ")
            )
        })
    };
    if let Some(message) = problem {
        return row_problem(&state, &me, "user_delete", user.id, message, typed).await;
    }
    let mut change = LocalChange::begin(state.raw_db()).await?;
    users::delete_user(change.conn(), user.id).await?;
    let event =
        NewEvent::new("user.delete", Outcome::Succeeded).target("user", user.id, &user.email);
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(&session, format!("User {} deleted.", user.email));
    Ok(redirect("/admin"))
}

async fn create_org(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    form: web::Form<NewOrgForm>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let mut form = form.into_inner();
    let mut errors = Errors::default();
    let name = parse_display_name(&form.name, "name")
        .map_err(|e| errors.name = Some(e))
        .ok();
    if form.slug.trim().is_empty() {
        form.slug = OrgSlug::suggest(&form.name);
    }
    let slug = OrgSlug::parse(&form.slug)
        .map_err(|e| errors.slug = Some(e))
        .ok();
    let owner = match Email::parse(&form.owner_email) {
        Err(e) => {
            errors.owner_email = Some(capitalise(&e));
            None
        }
        Ok(email) => match users::by_email(state.raw_db(), email.as_str()).await? {
            Some(user) if !user.disabled => Some(user),
            Some(_) => {
                errors.owner_email = Some(format!(
                    "The user {} is disabled; enable them first or pick another Owner.",
                    email.as_str()
                ));
                None
            }
            None => {
                errors.owner_email = Some(format!(
                    "There is no user with the email {}. Create the user first.",
                    email.as_str()
                ));
                None
            }
        },
    };
    let mut change = LocalChange::begin(state.raw_db()).await?;
    let created = match (&name, &slug, &owner) {
        (Some(name), Some(slug), Some(owner)) => {
            let created = orgs::create(change.conn(), name, slug, owner.id).await?;
            if created.is_none() {
                errors.slug = Some(format!(
                    "The address /o/{}/ is taken; pick another.",
                    slug.as_str()
                ));
            }
            created
        }
        _ => None,
    };
    let (Some(org), Some(owner)) = (created, owner) else {
        drop(change);
        let problems = Problems {
            org_errors: errors,
            ..Problems::none()
        };
        return show(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewUserForm::default(),
            &form,
            problems,
        )
        .await;
    };
    let event = NewEvent::new("organisation.create", Outcome::Succeeded)
        .target("organisation", org.id, &org.slug)
        .details(json!({ "name": org.name, "owner": owner.email }));
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(
        &session,
        format!(
            "Organisation {} created at /o/{}/ with {} as Owner.",
            org.name, org.slug, owner.email
        ),
    );
    Ok(redirect("/admin"))
}

async fn rename_org(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    path: web::Path<i64>,
    form: web::Form<NameForm>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let org = orgs::by_id(state.raw_db(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let name = match parse_display_name(&form.name, "name") {
        Ok(name) => name,
        Err(message) => {
            return row_problem(&state, &me, "org", org.id, message, form.name.clone()).await;
        }
    };
    let mut change = LocalChange::begin(state.raw_db()).await?;
    orgs::rename(change.conn(), org.id, &name).await?;
    let event = NewEvent::new("organisation.rename", Outcome::Succeeded)
        .target("organisation", org.id, &org.slug)
        .details(json!({ "from": org.name, "to": name }));
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(&session, format!("{} is now called {name}.", org.name));
    Ok(redirect("/admin"))
}

async fn delete_org(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    path: web::Path<i64>,
    form: web::Form<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let org = orgs::by_id(state.raw_db(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let typed = form.confirm.trim().to_owned();
    if typed != org.slug {
        let message = format!(
            "Type the address name {} to confirm deleting the organisation.",
            org.slug
        );
        return row_problem(&state, &me, "org_delete", org.id, message, typed).await;
    }
    let event = NewEvent::new("organisation.delete", Outcome::Succeeded)
        .target("organisation", org.id, &org.slug)
        .details(json!({ "name": org.name }));
    let deleted = async {
        let mut change = LocalChange::begin(state.raw_db()).await?;
        orgs::delete(change.conn(), org.id).await?;
        change.commit(&audit_ctx(&req, &me), event).await
    }
    .await;
    if let Err(e) = deleted {
        tracing::error!(error = ?e, org_id = org.id, "failed to delete an organisation");
        let message =
            "The organisation could not be deleted; nothing was changed. The cause was logged."
                .to_owned();
        return row_problem(&state, &me, "org_delete", org.id, message, typed).await;
    }
    flash::success(&session, format!("Organisation {} deleted.", org.name));
    Ok(redirect("/admin"))
}

/// Removes a user's second factor (a lost phone and lost recovery codes).
/// Their sessions end too: whoever holds one may be the reason for the reset.
async fn reset_two_factor(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: InstanceAdmin,
    path: web::Path<i64>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let me = admin.0;
    let user = load_user(&state, path.into_inner()).await?;
    if !form.given() {
        confirm::refuse(
            &session,
            &format!("reset the second factor of {}", user.email),
        );
        return Ok(redirect("/admin"));
    }
    let mut change = LocalChange::begin(state.raw_db()).await?;
    if !two_factor::remove(change.conn(), user.id).await? {
        drop(change);
        flash::info(
            &session,
            format!("{} has no second factor to reset.", user.email),
        );
        return Ok(redirect("/admin"));
    }
    let ended = if user.id == me.user.id {
        0
    } else {
        sessions::end_all_for_user(change.conn(), user.id).await?
    };
    let event = NewEvent::new("user.two_factor_reset", Outcome::Succeeded)
        .target("user", user.id, &user.email)
        .details(json!({ "sessions_ended": ended }));
    change.commit(&audit_ctx(&req, &me), event).await?;
    flash::success(
        &session,
        format!(
            "The second factor of {} was reset; they sign in with their password and can set it up again.",
            user.email
        ),
    );
    Ok(redirect("/admin"))
}
