//! Deleting an SSH key (typed name).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SSH_KEYS_DELETE, &FAMILY)
        .await?;
    let key = match act.up.client().get_ssh_key(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    if let Err(message) = check_typed_name("key's name", &key.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change {
        action: "ssh_key.delete",
        details: json!({ "name": key.name, "md5": key.md5 }),
        success: "Deleting {name}; new servers can no longer be given it.".into(),
        then: Then::List,
    };
    act.run(change, act.up.client().delete_ssh_key(id)).await
}
