//! The role's users: one user's place in the role (`get_role_user`),
//! adding a user (a select of the account's users not in the role yet)
//! and removing one (confirm step), behind `roles.manage_users`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::FAMILY;
use super::detail::remove_step;
use crate::cloudpanel::access::Role;
use crate::cloudpanel::common::IdName;
use crate::rbac::perms;
use crate::web::cloud::{Change, FieldErrors, Object, chosen_id, found};
use crate::web::cloud_users::FAMILY as USERS;
use crate::web::confirm::{ConfirmStep, Confirmation};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

#[derive(Template)]
#[template(path = "cloud_roles/user.html")]
struct UserPage<'a> {
    page: &'a PageCtx,
    role: &'a Role,
    user: &'a IdName,
    role_href: String,
    user_href: String,
    list_href: String,
    panel_roles_href: String,
    notice: Option<String>,
    /// `None` when the member may not manage the role's users.
    remove: Option<ConfirmStep>,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let (id, user_id) = (object.id.as_str(), object.other("cloud_user_id")?);
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    // Side by side: the page waits for the slowest, not the sum.
    let client = up.client();
    let (role, user) = futures_util::join!(client.get_role(id), client.get_role_user(id, user_id));
    let role = found(&ctx, "this Cloud Panel role", role)?.value;
    let fetched = found(&ctx, "this user of the role", user)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let user = fetched.value;
    let name = if user.name.is_empty() {
        user_id
    } else {
        &user.name
    };
    let remove = ctx
        .can(perms::ROLES_MANAGE_USERS)
        .then(|| remove_step(&ctx, &up, &role, user_id, name));
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &UserPage {
            page: &page,
            role: &role,
            user: &user,
            role_href: FAMILY.page_href(&ctx, &up, id),
            user_href: USERS.page_href(&ctx, &up, user_id),
            list_href: FAMILY.list_on(&ctx, &up),
            panel_roles_href: ctx.href("roles"),
            notice,
            remove,
        },
    )
}

#[derive(Deserialize, Serialize)]
pub struct AddForm {
    #[serde(default)]
    user_id: String,
}

pub async fn add(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<AddForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::ROLES_MANAGE_USERS, &FAMILY)
        .await?
        .keeping("add-role-user", &*form);
    let Some(user_id) = chosen_id(&form.user_id)? else {
        return act.invalid_fields(FieldErrors::from([(
            "user_id",
            "Choose the user to add. Nothing was sent.".into(),
        )]));
    };
    act.run(
        user_added(&user_id),
        act.up.client().add_role_users(id, &[user_id]),
    )
    .await
}

/// Adding the user `user_id` to the role.
pub(crate) fn user_added(user_id: &str) -> Change {
    Change::new(
        "cloud_role.add_user",
        json!({ "users": [user_id] }),
        "Added the user to {name}; they now have its permissions.",
    )
}

/// Removing the user `user_id` from the role.
pub(crate) fn user_removed(user_id: &str) -> Change {
    Change::new(
        "cloud_role.remove_user",
        json!({ "user": user_id }),
        "Removed the user from {name}.",
    )
}

pub async fn remove(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    confirm: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (id, user_id) = (&object.id, object.other("cloud_user_id")?);
    let act = object
        .act(&ctx, &session, perms::ROLES_MANAGE_USERS, &FAMILY)
        .await?;
    if !confirm.given() {
        return act.unconfirmed("remove this user from the role");
    }
    act.run(
        user_removed(user_id),
        act.up.client().remove_role_user(id, user_id),
    )
    .await
}
