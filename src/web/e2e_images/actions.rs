//! Renaming and deleting a saved image, each behind its exact flag, checked
//! before anything is sent, then the audited call and a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{FAMILY, find_image};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::e2e::SavedImage;
use crate::rbac::perms;
use crate::web::cloud::{Act, Change, FieldErrors, Object, Then, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::e2e_nodes::name::E2eName;
use crate::web::e2e_nodes::{Acted, numeric_id};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// The image as the list shows it now: fail closed when it cannot be read.
async fn current(act: &Act<'_>, id: &str) -> Result<SavedImage, AppResult<HttpResponse>> {
    match find_image(act.up.client(), id).await {
        Ok(fetched) => Ok(fetched.value),
        Err(e) => Err(act.unreadable(FAMILY.one, &e)),
    }
}

#[derive(Deserialize, Serialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

pub async fn rename(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RenameForm>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, perms::E2E_IMAGES_RENAME, &FAMILY)
        .await?
        .keeping("rename", &*form);
    let id = numeric_id(&ctx, &object.id)?;
    let name = match E2eName::parse(&form.name, "image name") {
        Ok(name) => name,
        Err(message) => return act.invalid_fields(FieldErrors::from([("name", message)])),
    };
    // The name before, for the audit log; the rename does not wait for it.
    let before = find_image(act.up.client(), id)
        .await
        .map(|f| f.value.name)
        .unwrap_or_default();
    let change = renamed(&name, &before);
    let call = async {
        act.up
            .client()
            .rename_saved_image(id, name.as_str())
            .await?;
        Ok::<_, CloudError>(Acted::new(id, name.as_str()))
    };
    act.run(change, call).await
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, perms::E2E_IMAGES_DELETE, &FAMILY)
        .await?;
    let id = numeric_id(&ctx, &object.id)?;
    let image = match current(&act, id).await {
        Ok(image) => image,
        Err(answer) => return answer,
    };
    if let Err(message) = check_typed_name("saved image's name", &image.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = deleted(&image);
    let call = async {
        act.up.client().delete_saved_image(id).await?;
        Ok::<_, CloudError>(Acted::new(id, &image.name))
    };
    act.run(change, call).await
}

/// Renaming a saved image to `name` (it was `before`).
pub(crate) fn renamed(name: &E2eName, before: &str) -> Change {
    Change::new(
        "e2e_image.rename",
        json!({ "name": name.as_str(), "previous_name": before }),
        "Renamed to {name}.",
    )
}

/// Deleting `image`, as the audit log keeps it.
pub(crate) fn deleted(image: &SavedImage) -> Change {
    Change::new(
        "e2e_image.delete",
        json!({
            "template_id": image.template_id,
            "distro": image.distro,
            "image_size": image.image_size,
        }),
        "Deleting {name}.",
    )
    .then(Then::List)
}
