//! The changes made from an image's page: stopping its scheduled creation
//! (the API's `frequency=ONCE`), and deletion (typed name).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::image_href;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::images::{Frequency, Image, UpdateImage};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{AccountParam, Act, Change, Target, Then, check_id, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

type ImagePath = web::Path<(String, String)>;

async fn begin<'a>(
    ctx: &'a OrgCtx,
    session: &'a Session,
    account: &AccountParam,
    id: &str,
    permission: Permission,
) -> AppResult<Act<'a>> {
    check_id(id)?;
    Act::begin(ctx, session, account, permission, |up| Target {
        kind: "image",
        id: id.to_owned(),
        page: format!("{}{}", image_href(ctx, id), up.query()),
        list: up.href(ctx, "images"),
    })
    .await
}

/// The image as it is now, or the answer for an image that is gone.
async fn current(act: &Act<'_>, id: &str) -> Result<Image, AppResult<HttpResponse>> {
    match act.up.client().get_image(id).await {
        Ok(fetched) => Ok(fetched.value),
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                act.session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            Err(Ok(redirect(act.list())))
        }
        Err(e) => Err(act.invalid(&format!("Nothing was done. {}", e.summary()))),
    }
}

/// No new images from now on; the ones made so far stay.
pub async fn stop_schedule(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ImagePath,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::IMAGES_DISABLE_AUTOMATIC_CREATION,
    )
    .await?;
    let image = match current(&act, &id).await {
        Ok(image) => image,
        Err(answer) => return answer,
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
    act.run(change, act.up.client().update_image(&id, &body))
        .await
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: ImagePath,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::IMAGES_DELETE).await?;
    let image = match current(&act, &id).await {
        Ok(image) => image,
        Err(answer) => return answer,
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
    act.run(change, act.up.client().delete_image(&id)).await
}
