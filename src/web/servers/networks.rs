//! The private networks card: attaching the server to a private network and
//! taking it out.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{FAMILY, chosen};
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// Asked for when the attach form chose no network.
pub(crate) const CHOOSE_NETWORK: &str = "Choose a private network.";

#[derive(Deserialize)]
pub struct NetworkForm {
    #[serde(default)]
    private_network_id: String,
}

pub async fn attach_network(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<NetworkForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(
            &ctx,
            &session,
            perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
            &FAMILY,
        )
        .await?;
    let network = match chosen(&form.private_network_id, CHOOSE_NETWORK)? {
        Ok(network) => network,
        Err(message) => return act.invalid(message),
    };
    let change = Change {
        action: "server.private_network_attach",
        details: json!({ "private_network_id": network }),
        success: "Attaching {name} to the private network.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().add_server_private_network(id, &network),
    )
    .await
}

pub async fn detach_network(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let network_id = object.other("network_id")?;
    let act = object
        .act(
            &ctx,
            &session,
            perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
            &FAMILY,
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
            .remove_server_private_network(id, network_id),
    )
    .await
}
