//! What the image templates show, computed once from the API's answer.

use std::sync::Arc;

use super::FAMILY;
use crate::cloudpanel::images::{Frequency, Image};
use crate::cloudpanel::servers::Server;
use crate::cloudpanel::{AccountClient, ListQuery};
use crate::web::cloud::{StateBadge, Upstream, datacenter_label};
use crate::web::org_ctx::OrgCtx;

/// Another object a page links to.
#[derive(Debug, Clone)]
pub struct Link {
    pub label: String,
    /// Empty when the panel has no page for it.
    pub href: String,
}

/// Why the actions the API would refuse wait, while the object is in a
/// transition: `None` when it is steady.
pub fn busy_reason(badge: &StateBadge, what: &str, waiting: &str) -> Option<String> {
    badge.transitional.then(|| {
        format!(
            "The {what} is {}. {waiting} wait until it is done; reload the page then.",
            badge.label.to_lowercase()
        )
    })
}

/// One row of the list (also the fragment a refreshing row fetches).
#[derive(Debug, Clone)]
pub struct ImageRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    pub datacenter: String,
    /// The server it was made from; `None` when the API names none.
    pub server: Option<Link>,
    /// "Once", or "Daily, keeps the last 5".
    pub schedule: String,
    /// True while a new image is made daily or weekly.
    pub scheduled: bool,
    pub os: String,
    /// The smallest disk it installs on, in GB.
    pub min_hdd_size: u32,
    /// The image's address in the panel, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
}

/// The account's servers, to name an image's source; empty when they could
/// not be read (the link then shows the id).
pub async fn servers(client: &AccountClient) -> Arc<Vec<Server>> {
    client
        .list_servers_shared(&ListQuery::all())
        .await
        .map(|fetched| fetched.value)
        .unwrap_or_default()
}

impl ImageRow {
    pub fn new(image: &Image, servers: &[Server], ctx: &OrgCtx, up: &Upstream) -> Self {
        let server = image
            .server_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map(|id| match servers.iter().find(|s| s.id == id) {
                Some(s) => Link {
                    label: s.name.clone(),
                    href: up.server_href(ctx, id),
                },
                None if servers.is_empty() => Link {
                    label: id.to_owned(),
                    href: up.server_href(ctx, id),
                },
                None => Link {
                    label: format!("{id} (removed)"),
                    href: String::new(),
                },
            });
        let os = [image.os.as_str(), image.os_version.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            id: image.id.clone(),
            name: image.name.clone(),
            description: image.description.clone(),
            badge: badge(image),
            datacenter: datacenter_label(&image.datacenter),
            server,
            schedule: schedule(image),
            scheduled: matches!(image.frequency, Frequency::Daily | Frequency::Weekly),
            os,
            min_hdd_size: image.min_hdd_size,
            href: FAMILY.href(ctx, &image.id),
            query: up.query(),
        }
    }

    /// An image that left the list meanwhile: shown as removed.
    pub fn removed(id: &str, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            badge: StateBadge::removed(),
            datacenter: String::new(),
            server: None,
            schedule: String::new(),
            scheduled: false,
            os: String::new(),
            min_hdd_size: 0,
            href: FAMILY.href(ctx, id),
            query: up.query(),
        }
    }
}

pub fn badge(image: &Image) -> StateBadge {
    StateBadge::new(image.state.as_str(), image.state.is_transitional(), None)
}

/// How often the image is made, in words.
pub fn schedule(image: &Image) -> String {
    let keeps = image
        .num_images
        .map(|n| format!(", keeps the last {n}"))
        .unwrap_or_default();
    match &image.frequency {
        Frequency::Once => "Once".into(),
        Frequency::Daily => format!("Daily{keeps}"),
        Frequency::Weekly => format!("Weekly{keeps}"),
        Frequency::Other(other) => other.clone(),
    }
}
