//! The delete card: deleting the server (its name typed to confirm),
//! optionally keeping its IP addresses in the account.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use super::typed_name::confirm_name;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
    #[serde(default)]
    keep_ips: Option<String>,
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<DeleteForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_DELETE, &FAMILY)
        .await?;
    if let Err(message) = confirm_name(&act.up, id, &form.confirm_name).await {
        return act.invalid(&message);
    }
    let keep_ip = form.keep_ips.as_deref() == Some("true");
    let change = Change {
        action: "server.delete",
        details: json!({ "keep_ip": keep_ip }),
        success: if keep_ip {
            "Deleting {name}; its IP addresses stay in the account.".into()
        } else {
            "Deleting {name}.".into()
        },
        then: Then::List,
    };
    act.run(change, act.up.client().delete_server(id, keep_ip))
        .await
}
