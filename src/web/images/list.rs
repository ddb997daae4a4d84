//! The images list: search, sort and pages computed in the panel over one
//! cached upstream list; rows in a transition refresh themselves.

use std::sync::Arc;

use super::FAMILY;
use super::view::{ImageRow, servers};
use crate::cloudpanel::images::Image;
use crate::cloudpanel::servers::Server;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::web::cloud::{Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    Images,
    ImageRow,
    "images/list.html",
    "images/row.html",
    "images/status.html"
);

/// An image with the account's servers, read beside it: its row names the
/// server it was made from.
pub struct Sourced {
    image: Image,
    servers: Arc<Vec<Server>>,
}

/// The API answers the image alone: the servers are only read for its row.
impl serde::Serialize for Sourced {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.image.serialize(serializer)
    }
}

impl Sourced {
    /// An image read alone (before its deletion): no servers beside it.
    pub(crate) fn alone(image: Image) -> Self {
        Self {
            image,
            servers: Arc::default(),
        }
    }

    pub(crate) fn image(&self) -> &Image {
        &self.image
    }
}

pub struct Images;

impl Listed for Images {
    type Item = Sourced;
    const FAMILY: &'static Family = &FAMILY;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<Sourced>>, CloudError> {
        // Side by side: the page waits for the slowest, not the sum.
        let all = ListQuery::all();
        let (images, servers) = futures_util::join!(client.list_images(&all), servers(client));
        Ok(images?.map(|images| {
            images
                .into_iter()
                .map(|image| Sourced {
                    image,
                    servers: servers.clone(),
                })
                .collect()
        }))
    }

    fn id(item: &Sourced) -> &str {
        &item.image.id
    }

    fn matches(item: &Sourced, q: &str) -> bool {
        let image = &item.image;
        [
            &image.name,
            &image.description,
            &image.id,
            &image.os,
            &image.datacenter.location,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
    }

    fn sort(items: &mut Vec<&Sourced>, key: &str) {
        match key {
            "-name" => items.sort_by_cached_key(|i| std::cmp::Reverse(i.image.name.to_lowercase())),
            "state" => items.sort_by_cached_key(|i| {
                (
                    i.image.state.as_str().to_owned(),
                    i.image.name.to_lowercase(),
                )
            }),
            "-created" => {
                items.sort_by_cached_key(|i| std::cmp::Reverse(i.image.creation_date.to_string()))
            }
            "created" => items.sort_by_cached_key(|i| i.image.creation_date.to_string()),
            _ => items.sort_by_cached_key(|i| i.image.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, item: &Sourced) -> ImageRow {
        ImageRow::new(&item.image, &item.servers, ctx, up)
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> ImageRow {
        ImageRow::removed(id, ctx, up)
    }
}
