//! The changes made from an image's page: stopping its scheduled creation
//! (the API's `frequency=ONCE`), and deletion (typed name).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::images::{Frequency, UpdateImage};
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

/// No new images from now on; the ones made so far stay.
pub async fn stop_schedule(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(
            &ctx,
            &session,
            perms::IMAGES_DISABLE_AUTOMATIC_CREATION,
            &FAMILY,
        )
        .await?;
    let image = match act.up.client().get_image(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    if matches!(image.frequency, Frequency::Once) {
        flash::info(
            &session,
            format!("Nothing to stop: {} is not made on a schedule.", image.name),
        );
        return Ok(redirect(act.page()));
    }
    let body = UpdateImage {
        frequency: Some(Frequency::Once),
        ..UpdateImage::default()
    };
    let change = Change::new(
        "image.stop_schedule",
        json!({ "name": image.name, "frequency": "ONCE" }),
        "{name} is no longer made on a schedule; the images made so far stay.",
    );
    act.run(change, act.up.client().update_image(id, &body))
        .await
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::IMAGES_DELETE, &FAMILY)
        .await?;
    let image = match act.up.client().get_image(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    if let Err(message) = check_typed_name("image's name", &image.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change {
        action: "image.delete",
        details: json!({ "name": image.name }),
        success: "Deleting {name}; servers can no longer be installed from it.".into(),
        then: Then::List,
    };
    act.run(change, act.up.client().delete_image(id)).await
}
