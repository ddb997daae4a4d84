//! The overview card's form: a server's name and description. A member
//! without the description flag may rename only when the description is
//! seen to stay as it is.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::servers::UpdateServer;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, Upstream};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

#[derive(Deserialize, Serialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn rename(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RenameForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let name = form.name.trim().to_owned();
    let description = form.description.trim().to_owned();
    let act = object
        .act(&ctx, &session, perms::SERVERS_SET_NAME, &FAMILY)
        .await?
        .keeping("rename", &*form);
    if let Err(message) = check(&name, &description) {
        return act.invalid(message);
    }
    // Changing the description needs its own flag. A member without it may
    // rename only when the panel can see that the description stays as it
    // is; when the server cannot be read, that cannot be told, so the
    // change is refused and nothing goes upstream (fail closed). An older
    // answer shown because the API failed cannot tell either.
    if !ctx.can(perms::SERVERS_SET_DESCRIPTION) {
        match description_check(&act.up, id, &description).await {
            Described::Same => {}
            Described::Changed => {
                ctx.require(perms::SERVERS_SET_DESCRIPTION).await?;
            }
            Described::Unknown(why) => {
                return act.invalid(&format!(
                    "Nothing was changed: the panel could not read the server to check that \
                     its description stays as it is, which your role may not change ({why})."
                ));
            }
        }
    }
    let body = UpdateServer {
        name: name.clone(),
        description: description.clone(),
    };
    let change = Change {
        action: "server.rename",
        details: json!({ "name": name, "description": description }),
        success: "Saved: {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().update_server(id, &body))
        .await
}

/// Whether a rename keeps the server's description, for a member who may
/// not change it.
pub enum Described {
    Same,
    Changed,
    /// It cannot be told (why, in words): the change is refused.
    Unknown(String),
}

/// Changing the description needs its own flag. A member without it may
/// rename only when the panel can see that the description stays as it
/// is; when the server cannot be read, that cannot be told, so the change
/// is refused and nothing goes upstream (fail closed). An older answer
/// shown because the API failed cannot tell either.
pub async fn description_check(up: &Upstream, id: &str, description: &str) -> Described {
    match up.client().get_server(id).await {
        Ok(current) if current.stale => Described::Unknown(
            current
                .stale_reason
                .map(|r| r.describe())
                .unwrap_or_default(),
        ),
        Ok(current) if current.value.description == description => Described::Same,
        Ok(_) => Described::Changed,
        Err(e) => Described::Unknown(e.user_message()),
    }
}

/// A server's name and description as the Cloud Panel takes them.
pub fn check(name: &str, description: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.chars().count() > 128 {
        return Err("The name needs 1 to 128 characters.");
    }
    if description.chars().count() > 256 {
        return Err("The description may have at most 256 characters.");
    }
    Ok(())
}
