//! The clone card: copying the server under a new name, optionally into
//! another data centre; the answer leads to the copy.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::target::{ServerPath, begin};
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::servers::CloneServer;
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, chosen_id};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

#[derive(Deserialize)]
pub struct CloneForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    datacenter_id: String,
}

pub async fn clone(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<CloneForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::SERVERS_CLONE).await?;
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 128 {
        return act.invalid("The copy's name needs 1 to 128 characters.");
    }
    let datacenter_id = chosen_id(&form.datacenter_id)?;
    let body = CloneServer {
        name: name.clone(),
        datacenter_id: datacenter_id.clone(),
    };
    let event = NewEvent::new("server.clone", Outcome::Requested)
        .target("server", &id, "")
        .details(json!({ "name": name, "datacenter_id": datacenter_id }));
    let pending = act.up.account.request(event).await?;
    match act.up.client().clone_server(&id, &body).await {
        // The answer is the new server: the user goes to it. The outcome
        // names the source server, as the request did.
        Ok(copy) => {
            pending.finish(Outcome::Succeeded, None, None).await?;
            flash::success(&session, format!("Cloning into {}.", copy.name));
            let then = if copy.id.is_empty() {
                act.page().to_owned()
            } else {
                act.up.server_href(&ctx, &copy.id)
            };
            Ok(redirect(&then))
        }
        Err(e) => {
            pending
                .finish(Outcome::Failed, e.status(), Some(e.user_message()))
                .await?;
            flash::cloud_error(&session, &e);
            Ok(redirect(act.page()))
        }
    }
}
