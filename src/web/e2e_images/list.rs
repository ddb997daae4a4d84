//! The saved images list: search, sort and pages computed in the panel
//! over one cached upstream list, which every refreshing row and every
//! image's page share too.

use std::sync::Arc;

use super::FAMILY;
use super::view::{ImageRow, created};
use crate::cloudpanel::e2e::SavedImage;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::web::cloud::{Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    Images,
    ImageRow,
    "e2e_images/list.html",
    "e2e_images/row.html",
    "e2e_images/status.html"
);

pub struct Images;

impl Listed for Images {
    type Item = SavedImage;
    const FAMILY: &'static Family = &FAMILY;
    const NEW_LABEL: Option<&'static str> = Some("Save an image of a node");
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<SavedImage>>, CloudError> {
        // The list is shared with every reader; the page needs its own copy.
        Ok(client.list_saved_images().await?.map(Arc::unwrap_or_clone))
    }

    fn id(image: &SavedImage) -> &str {
        &image.image_id
    }

    fn matches(image: &SavedImage, q: &str) -> bool {
        [
            &image.name,
            &image.image_id,
            &image.distro,
            &image.os_distribution,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
    }

    fn sort(images: &mut Vec<&SavedImage>, key: &str) {
        match key {
            "-name" => images.sort_by_cached_key(|i| std::cmp::Reverse(i.name.to_lowercase())),
            "state" => {
                images.sort_by_cached_key(|i| (i.image_state.to_lowercase(), i.name.to_lowercase()))
            }
            "-created" => {
                images.sort_by_cached_key(|i| std::cmp::Reverse(created(&i.creation_time)));
            }
            "created" => images.sort_by_cached_key(|i| created(&i.creation_time)),
            _ => images.sort_by_cached_key(|i| i.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, image: &SavedImage) -> ImageRow {
        ImageRow::new(image, FAMILY.href(ctx, &image.image_id), up.query())
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> ImageRow {
        ImageRow::removed(id, FAMILY.href(ctx, id), up.query())
    }
}
