//! The image card: reinstalling the server from an image, with an optional
//! new root password; the server's name is typed to confirm.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use super::typed_name::confirm_name;
use crate::cloudpanel::servers::ReinstallImage;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, chosen_id};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

#[derive(Deserialize)]
pub struct ReinstallForm {
    #[serde(default)]
    image_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_name: String,
}

pub async fn reinstall(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<ReinstallForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_REINSTALL, &FAMILY)
        .await?;
    let form = form.into_inner();
    let Some(image_id) = chosen_id(&form.image_id)? else {
        return act.invalid("Choose the image to install.");
    };
    let password = (!form.password.is_empty()).then_some(form.password);
    if let Some(p) = &password
        && !(8..=64).contains(&p.chars().count())
    {
        return act.invalid("The new root password needs 8 to 64 characters.");
    }
    if let Err(message) = confirm_name(&act.up, id, &form.confirm_name).await {
        return act.invalid(&message);
    }
    let body = ReinstallImage {
        id: image_id.clone(),
        password,
        ..ReinstallImage::default()
    };
    let change = Change {
        action: "server.reinstall",
        details: json!({ "image_id": image_id, "password_set": body.password.is_some() }),
        success: "Reinstalling {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().reinstall_server_image(id, &body))
        .await
}
