//! The clone card: copying the server under a new name, optionally into
//! another data centre; the answer leads to the copy.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::FAMILY;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::servers::CloneServer;
use crate::rbac::perms;
use crate::web::cloud::{Object, chosen_id, recorded};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

#[derive(Deserialize, Serialize)]
pub struct CloneForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    datacenter_id: String,
}

pub async fn clone(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<CloneForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_CLONE, &FAMILY)
        .await?
        .keeping("clone", &*form);
    let body = match clone_request(&form.name, &form.datacenter_id)? {
        Ok(body) => body,
        Err(message) => return act.invalid(message),
    };
    let event = NewEvent::new("server.clone", Outcome::Requested)
        .target("server", id, "")
        .details(clone_details(&body));
    // The answer is the new server: the user goes to it. The outcome names
    // the source server, as the request did.
    let answer = recorded(
        &act.up,
        event,
        act.up.client().clone_server(id, &body),
        |_| (String::new(), String::new()),
    )
    .await?;
    match answer {
        Ok(copy) => {
            flash::success(&session, format!("Cloning into {}.", copy.name));
            let then = if copy.id.is_empty() {
                act.page().to_owned()
            } else {
                act.up.server_href(&ctx, &copy.id)
            };
            Ok(redirect(&then))
        }
        Err(e) => act.refused(&e),
    }
}

/// A copy as the clone card and the API ask for it: its name (1 to 128
/// characters) and an optional data centre; or the message. A data centre
/// that is not an id is refused like an unknown address.
pub(crate) fn clone_request(
    name: &str,
    datacenter_id: &str,
) -> AppResult<Result<CloneServer, &'static str>> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 {
        return Ok(Err("The copy's name needs 1 to 128 characters."));
    }
    Ok(Ok(CloneServer {
        name,
        datacenter_id: chosen_id(datacenter_id)?,
    }))
}

/// What the audit log records of a copy.
pub(crate) fn clone_details(body: &CloneServer) -> Value {
    json!({ "name": body.name, "datacenter_id": body.datacenter_id })
}
