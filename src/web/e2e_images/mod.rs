//! `/o/{slug}/e2e_images`: the saved images of an E2E Networks account.
//! List, a page per image (drawn from the list: E2E has no single read of a
//! saved image), rename and delete with the typed name; images are saved
//! from a powered-off node's page. Each change behind its exact
//! `e2e_images.*` flag, audited as a pair of events.

pub(crate) mod actions;
mod detail;
pub(crate) mod list;
mod new;
mod view;

use crate::cloudpanel::e2e::SavedImage;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::perms;
use crate::web::cloud::{Family, list_page};
use crate::web::routing::org_routes;

/// Saved images, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "e2e_image",
    word: "e2e_images",
    object: "/images/{id}/",
    title: "E2E saved images",
    one: "saved image",
    many: "saved images",
    show: perms::E2E_IMAGES_SHOW,
    create: perms::E2E_IMAGES_SAVE,
};

/// One saved image, from the (cached) list: a missing one is E2E's 404.
pub(crate) async fn find_image(
    client: &AccountClient,
    id: &str,
) -> Result<Fetched<SavedImage>, CloudError> {
    let list = client.list_saved_images().await?;
    let found = list.value.iter().find(|i| i.image_id == id).cloned();
    match found {
        Some(image) => Ok(list.map(|_| image)),
        None => Err(CloudError::NotFound {
            kind: "saved image".into(),
            message: String::new(),
        }),
    }
}

// Every saved image route (literal segments before `{id}`).
org_routes! {
    "/e2e_images" {
        GET  "" => list_page::<list::Images>,
        GET  "/new" => new::page,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => detail::row,
        GET  "/{id}/status" => detail::status,
        POST "/{id}/rename" => actions::rename,
        POST "/{id}/delete" => actions::delete,
    }
}
