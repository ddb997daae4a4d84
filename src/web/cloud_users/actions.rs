//! Deleting a Cloud Panel user (typed name) and changing its role.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Acted, FAMILY};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::access::User;
use crate::rbac::perms;
use crate::web::cloud::{Act, Change, Object, Then, check_typed_name, chosen_id};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

/// The user as it is now, or the flash and redirect that say why not.
pub async fn current(act: &Act<'_>, id: &str) -> Result<User, HttpResponse> {
    match act.up.client().get_user(id).await {
        Ok(fetched) => Ok(fetched.value),
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                act.session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            Err(redirect(act.list()))
        }
        Err(e) => {
            flash::error(act.session, format!("Nothing was done. {}", e.summary()));
            Err(redirect(act.page()))
        }
    }
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::USERS_DELETE, &FAMILY)
        .await?;
    let user = match current(&act, id).await {
        Ok(user) => user,
        Err(response) => return Ok(response),
    };
    if let Err(message) = check_typed_name("user's name", &user.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = delete_change(&user);
    let client = act.up.client();
    act.run(change, async {
        client.delete_user(id).await.map(|u| Acted::of(&u))
    })
    .await
}

/// Deleting `user`, as the audit log keeps it.
pub(crate) fn delete_change(user: &User) -> Change {
    Change {
        action: "cloud_user.delete",
        details: json!({ "name": user.name, "email": user.email }),
        success: format!(
            "Deleting {}; it can no longer sign in to the Cloud Panel or use its key.",
            user.name
        ),
        then: Then::List,
    }
}

/// Giving `user` the role `role_id`; `None` when it already has it.
pub(crate) fn role_change(user: &User, role_id: &str) -> Option<Change> {
    if user.roles.as_ref().is_some_and(|r| r.id == role_id) {
        return None;
    }
    Some(Change::new(
        "cloud_user.change_role",
        json!({
            "role_id": role_id,
            "previous_role_id": user.roles.as_ref().map(|r| r.id.clone()),
        }),
        "{name} has its new role.",
    ))
}

#[derive(Deserialize, Serialize)]
pub struct RoleForm {
    #[serde(default)]
    role_id: String,
}

pub async fn role(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RoleForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::USERS_CHANGE_ROLE, &FAMILY)
        .await?
        .keeping("change-role", &*form);
    let Some(role_id) = chosen_id(&form.role_id)? else {
        return act.invalid("Choose a role. Nothing was changed.");
    };
    let user = match current(&act, id).await {
        Ok(user) => user,
        Err(response) => return Ok(response),
    };
    let Some(change) = role_change(&user, &role_id) else {
        flash::info(
            &session,
            format!("Nothing to change: {} already has this role.", user.name),
        );
        return Ok(redirect(act.page()));
    };
    let client = act.up.client();
    let acted = Acted::of(&user);
    act.run(change, async {
        client
            .add_role_users(&role_id, std::slice::from_ref(id))
            .await
            .map(|_| acted)
    })
    .await
}
