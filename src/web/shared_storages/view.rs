//! What the shared storage templates show, computed once from the API's answer.

use super::rights_label;
use crate::cloudpanel::storages::SharedStorage;
use crate::web::cloud::StateBadge;
use crate::web::storages::datacenter_label;

/// A server with access to a shared storage, linked when the member may see servers.
#[derive(Debug, Clone)]
pub struct ServerAccess {
    pub id: String,
    pub name: String,
    /// `R` or `RW`.
    pub rights: String,
    pub rights_label: &'static str,
    /// The server's page with the account query; empty when the member may not open it.
    pub href: String,
}

impl ServerAccess {
    pub fn writes(&self) -> bool {
        self.rights == "RW"
    }
}

/// One row of the list (also the fragment a refreshing row fetches, and the
/// detail page's status).
#[derive(Debug, Clone)]
pub struct SharedRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    pub size: u32,
    /// `12.5 % used`, empty when unknown.
    pub used: String,
    pub datacenter: String,
    /// For UNIX: `vid50995.nas1.lan/:vid50995`.
    pub nfs_path: String,
    /// For Windows: `\\vid50995.nas1.lan\vid50995`.
    pub cifs_path: String,
    pub servers: Vec<ServerAccess>,
    pub created: String,
    /// The storage's address, without the account query.
    pub href: String,
    /// `?account=ID`: appended to every address built on `href`.
    pub query: String,
    /// Whether the row carries a box for the list's bulk form.
    pub selectable: bool,
}

impl SharedRow {
    /// With a box for the list's bulk form, when the member may take a
    /// bulk action on the family.
    pub fn selectable(mut self, selectable: bool) -> Self {
        self.selectable = selectable;
        self
    }

    /// `server_href` gives a server's page, or `None` when the member may not open it.
    pub fn new(
        storage: &SharedStorage,
        href: String,
        query: String,
        server_href: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let mut servers: Vec<ServerAccess> = storage
            .servers
            .iter()
            .filter(|s| !s.id.is_empty())
            .map(|s| ServerAccess {
                id: s.id.clone(),
                name: if s.name.is_empty() {
                    s.id.clone()
                } else {
                    s.name.clone()
                },
                rights_label: rights_label(&s.rights),
                rights: s.rights.clone(),
                href: server_href(&s.id).unwrap_or_default(),
            })
            .collect();
        servers.sort_by_key(|s| s.name.to_lowercase());
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
            used: if storage.size > 0 {
                format!("{} % used", format_percent(storage.size_used))
            } else {
                String::new()
            },
            datacenter: datacenter_label(&storage.datacenter),
            nfs_path: storage.nfs_path.clone(),
            cifs_path: storage.cifs_path.clone(),
            servers,
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
            used: String::new(),
            datacenter: String::new(),
            nfs_path: String::new(),
            cifs_path: String::new(),
            servers: Vec::new(),
            created: String::new(),
            href,
            query,
        }
    }
}

/// `0`, `12.5`: no useless fraction.
fn format_percent(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_reads_as_a_short_percentage() {
        assert_eq!(format_percent(0.0), "0");
        assert_eq!(format_percent(12.54), "12.5");
        assert_eq!(format_percent(99.99), "100");
    }
}
