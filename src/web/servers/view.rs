//! What the server templates show, computed once from the API's answer.

use crate::cloudpanel::servers::Server;
use crate::web::cloud::{badge_class, datacenter_label, state_label};

/// One row of the servers list (also the fragment a refreshing row fetches).
#[derive(Debug, Clone)]
pub struct ServerRow {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The API's state, e.g. `POWERED_ON`.
    pub state: String,
    pub label: String,
    pub badge: &'static str,
    pub percent: Option<u32>,
    pub transitional: bool,
    /// Shown from an answer that predates a change: the last known state,
    /// refreshing itself until the API gives the new one.
    pub updating: bool,
    pub datacenter: String,
    pub ips: Vec<String>,
    pub hardware: String,
    pub server_type: String,
    pub created: String,
    /// The server's address, without the account query.
    pub href: String,
    /// `?account=ID`: appended to every address built on `href`, so links,
    /// forms and refreshing fragments act on the account the page shows.
    pub query: String,
}

impl ServerRow {
    pub fn new(server: &Server, href: String, query: String) -> Self {
        let state = server.status.state.as_str().to_owned();
        Self {
            id: server.id.clone(),
            name: server.name.clone(),
            description: server.description.clone(),
            label: state_label(&state),
            badge: badge_class(&state, server.is_transitional()),
            percent: server.status.percent.filter(|_| server.is_transitional()),
            transitional: server.is_transitional(),
            updating: false,
            datacenter: datacenter(server),
            ips: server
                .ips
                .iter()
                .map(|ip| ip.ip.clone())
                .filter(|ip| !ip.is_empty())
                .collect(),
            hardware: hardware_summary(server),
            server_type: server.server_type.as_str().to_owned(),
            created: server.creation_date.to_string(),
            href,
            query,
            state,
        }
    }
}

impl ServerRow {
    /// Marks the row as the last known state before a change.
    pub fn with_updating(mut self, updating: bool) -> Self {
        self.updating = updating;
        self
    }

    /// Whether the row (or the status badge) fetches itself again: while
    /// the server is in a transition, or while its state predates a change.
    pub fn refreshes(&self) -> bool {
        self.transitional || self.updating
    }

    /// A server that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, href: String, query: String) -> Self {
        Self {
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            state: "REMOVED".into(),
            label: "Removed".into(),
            badge: badge_class("REMOVED", false),
            percent: None,
            transitional: false,
            updating: false,
            datacenter: String::new(),
            ips: Vec::new(),
            hardware: String::new(),
            server_type: String::new(),
            created: String::new(),
            href,
            query,
        }
    }
}

pub fn datacenter(server: &Server) -> String {
    datacenter_label(&server.datacenter)
}

/// `2 vCores · 4 GB RAM · 80 GB disk`
pub fn hardware_summary(server: &Server) -> String {
    let hw = &server.hardware;
    let mut parts = Vec::new();
    if hw.vcore > 0 {
        parts.push(format!(
            "{} vCore{}",
            hw.vcore,
            if hw.vcore == 1 { "" } else { "s" }
        ));
    }
    if hw.ram > 0.0 {
        parts.push(format!("{} GB RAM", format_gb(hw.ram)));
    }
    let disk = hw.total_disk_gb();
    if disk > 0 {
        parts.push(format!("{disk} GB disk"));
    }
    parts.join(" · ")
}

/// `4` for 4.0, `0.5` for 0.5.
pub fn format_gb(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gigabytes_drop_a_useless_fraction() {
        assert_eq!(format_gb(4.0), "4");
        assert_eq!(format_gb(0.5), "0.5");
    }
}
