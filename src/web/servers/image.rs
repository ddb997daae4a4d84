//! The image card: reinstalling the server from an image, with an optional
//! new root password; the server's name is typed to confirm.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

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
    let image_id = chosen_id(&form.image_id)?;
    let (body, details) = match reinstall_request(image_id, form.password) {
        Ok(planned) => planned,
        Err(message) => return act.invalid(message),
    };
    if let Err(message) = confirm_name(&act.up, id, &form.confirm_name).await {
        return act.invalid(&message);
    }
    let change = Change {
        action: "server.reinstall",
        details,
        success: "Reinstalling {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().reinstall_server_image(id, &body))
        .await
}

/// A reinstall as the image card and the API send it: the chosen image and
/// an optional new root password (8 to 64 characters), with what the audit
/// log records of it (whether a password was set, never the password); or
/// the message of the first problem.
pub(crate) fn reinstall_request(
    image_id: Option<String>,
    password: String,
) -> Result<(ReinstallImage, Value), &'static str> {
    let Some(image_id) = image_id else {
        return Err("Choose the image to install.");
    };
    let password = (!password.is_empty()).then_some(password);
    if let Some(p) = &password
        && !(8..=64).contains(&p.chars().count())
    {
        return Err("The new root password needs 8 to 64 characters.");
    }
    let details = json!({ "image_id": image_id, "password_set": password.is_some() });
    let body = ReinstallImage {
        id: image_id,
        password,
        ..ReinstallImage::default()
    };
    Ok((body, details))
}
