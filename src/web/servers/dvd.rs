//! The DVD card: loading an ISO image into the server's drive and ejecting it.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{FAMILY, chosen};
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// Asked for when the load form chose no image.
pub(crate) const CHOOSE_ISO: &str = "Choose an ISO image.";

#[derive(Deserialize)]
pub struct DvdForm {
    #[serde(default)]
    iso_id: String,
}

pub async fn load_dvd(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<DvdForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_MANAGE_DVD, &FAMILY)
        .await?;
    let iso = match chosen(&form.iso_id, CHOOSE_ISO)? {
        Ok(iso) => iso,
        Err(message) => return act.invalid(message),
    };
    let change = Change {
        action: "server.dvd_load",
        details: json!({ "iso_id": iso }),
        success: "Loading the DVD into {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().load_server_dvd(id, &iso))
        .await
}

pub async fn eject_dvd(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_MANAGE_DVD, &FAMILY)
        .await?;
    let change = Change {
        action: "server.dvd_eject",
        details: Value::Null,
        success: "Ejecting the DVD of {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().eject_server_dvd(id)).await
}
