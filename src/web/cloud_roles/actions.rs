//! Deleting a Cloud Panel role (typed name). A built-in role is not offered
//! for deletion; a forged POST reaches the API, whose refusal is the flash.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::access::Role;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::ROLES_DELETE, &FAMILY)
        .await?;
    let role = match act.up.client().get_role(id).await {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            return Ok(redirect(act.list()));
        }
        Err(e) => return act.invalid(&format!("Nothing was done. {}", e.summary())),
    };
    if let Err(message) = check_typed_name("role's name", &role.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    act.run(delete_change(&role), act.up.client().delete_role(id))
        .await
}

/// Deleting `role`, as the audit log keeps it.
pub(crate) fn delete_change(role: &Role) -> Change {
    Change {
        action: "cloud_role.delete",
        details: json!({ "name": role.name, "users": role.users.len() }),
        success: "Deleting the Cloud Panel role {name}.".into(),
        then: Then::List,
    }
}
