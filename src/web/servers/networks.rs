//! The private networks card: attaching the server to a private network and
//! taking it out.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::target::{ServerPath, SubPath, begin};
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Change, Then, check_id, chosen_id};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

#[derive(Deserialize)]
pub struct NetworkForm {
    #[serde(default)]
    private_network_id: String,
}

pub async fn attach_network(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ServerPath,
    form: web::Form<NetworkForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
    )
    .await?;
    let Some(network) = chosen_id(&form.private_network_id)? else {
        return act.invalid("Choose a private network.");
    };
    let change = Change {
        action: "server.private_network_attach",
        details: json!({ "private_network_id": network }),
        success: "Attaching {name} to the private network.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().add_server_private_network(&id, &network),
    )
    .await
}

pub async fn detach_network(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: SubPath,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, id, network_id) = path.into_inner();
    check_id(&network_id)?;
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
    )
    .await?;
    if !form.given() {
        return act.unconfirmed("take the server out of the private network");
    }
    let change = Change {
        action: "server.private_network_detach",
        details: json!({ "private_network_id": network_id }),
        success: "Detaching {name} from the private network.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up
            .client()
            .remove_server_private_network(&id, &network_id),
    )
    .await
}
