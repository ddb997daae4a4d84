//! The changes made from an image's page: stopping its scheduled creation
//! (the API's `frequency=ONCE`), and deletion (typed name).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::FAMILY;
use super::list::{Images, Sourced};
use crate::cloudpanel::images::{Frequency, Image, UpdateImage};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, Deletable, Object, Then, check_typed_name};
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
    let (body, change) = match stopped(&image) {
        Ok(planned) => planned,
        Err(news) => {
            flash::info(&session, news);
            return Ok(redirect(act.page()));
        }
    };
    act.run(change, act.up.client().update_image(id, &body))
        .await
}

/// What stopping the schedule of `image` sends and how it is described;
/// an image not made on a schedule has nothing to stop (said as news).
pub(crate) fn stopped(image: &Image) -> Result<(UpdateImage, Change), String> {
    if matches!(image.frequency, Frequency::Once) {
        return Err(format!(
            "Nothing to stop: {} is not made on a schedule.",
            image.name
        ));
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
    Ok((body, change))
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object.act(&ctx, &session, Images::DELETE, &FAMILY).await?;
    let image = match Images::get(act.up.client(), id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    if let Err(message) =
        check_typed_name("image's name", Images::typed(&image), &form.confirm_name)
    {
        return act.invalid(&message);
    }
    let change = Change {
        action: Images::ACTION,
        details: Images::details(&image),
        success: "Deleting {name}; servers can no longer be installed from it.".into(),
        then: Then::List,
    };
    act.run(change, Images::delete(act.up.client(), id)).await
}

/// An image's deletion, as its page and the JSON API make it.
impl Deletable for Images {
    const DELETE: Permission = perms::IMAGES_DELETE;
    const ACTION: &'static str = "image.delete";
    type Answer = Image;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<Sourced>, CloudError> {
        Ok(client.get_image(id).await?.map(Sourced::alone))
    }

    async fn delete(client: &AccountClient, id: &str) -> Result<Image, CloudError> {
        client.delete_image(id).await
    }

    fn typed(item: &Sourced) -> &str {
        &item.image().name
    }

    fn details(item: &Sourced) -> Value {
        json!({ "name": item.image().name })
    }
}
