//! What the block storage templates show, computed once from the API's answer.

use crate::cloudpanel::storages::BlockStorage;
use crate::web::cloud::StateBadge;
use crate::web::storages::datacenter_label;

/// The server a block storage is attached to, linked when the member may see servers.
#[derive(Debug, Clone)]
pub struct ServerLink {
    pub id: String,
    pub name: String,
    /// The server's page with the account query; empty when the member may not open it.
    pub href: String,
}

/// One row of the list (also the fragment a refreshing row fetches, and the
/// detail page's status).
#[derive(Debug, Clone)]
pub struct BlockRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    pub size: u32,
    pub datacenter: String,
    pub server: Option<ServerLink>,
    pub created: String,
    /// Whether the row carries a box for the list's bulk form.
    pub selectable: bool,
    /// The storage's address, without the account query.
    pub href: String,
    /// `?account=ID`: appended to every address built on `href`.
    pub query: String,
}

impl BlockRow {
    /// With a box for the list's bulk form, when the member may take a
    /// bulk action on the family.
    pub fn selectable(mut self, selectable: bool) -> Self {
        self.selectable = selectable;
        self
    }

    /// `server_href` gives a server's page, or `None` when the member may not open it.
    pub fn new(
        storage: &BlockStorage,
        href: String,
        query: String,
        server_href: impl Fn(&str) -> Option<String>,
    ) -> Self {
        Self {
            selectable: false,
            id: storage.id.clone(),
            name: storage.name.clone(),
            description: storage.description.clone(),
            badge: StateBadge::new(
                storage.state.as_str(),
                storage.state.is_transitional(),
                None,
            ),
            size: storage.size,
            datacenter: datacenter_label(&storage.datacenter),
            server: storage
                .server
                .as_ref()
                .filter(|s| !s.id.is_empty())
                .map(|s| ServerLink {
                    id: s.id.clone(),
                    name: if s.name.is_empty() {
                        s.id.clone()
                    } else {
                        s.name.clone()
                    },
                    href: server_href(&s.id).unwrap_or_default(),
                }),
            created: storage.creation_date.to_string(),
            href,
            query,
        }
    }

    /// A storage that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, href: String, query: String) -> Self {
        Self {
            selectable: false,
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            badge: StateBadge::removed(),
            size: 0,
            datacenter: String::new(),
            server: None,
            created: String::new(),
            href,
            query,
        }
    }
}
