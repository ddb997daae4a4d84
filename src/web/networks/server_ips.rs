//! Server IPs as the firewall policy and load balancer pages show them: the
//! API names an IP by its id, address and server name only, so the servers
//! list (one cached read shared with the servers pages) tells which server
//! each IP belongs to, for the link to it and for the IPs a form may offer.

use crate::cloudpanel::ListQuery;
use crate::cloudpanel::common::{IdName, ServerIpRef};
use crate::web::cloud::{Upstream, read_problem};
use crate::web::org_ctx::OrgCtx;

/// One IP of one server.
#[derive(Debug, Clone)]
pub struct OwnedIp {
    pub ip_id: String,
    pub ip: String,
    pub server_id: String,
    pub server_name: String,
    pub firewall_policy: Option<IdName>,
    pub load_balancers: Vec<IdName>,
}

impl OwnedIp {
    /// `10.4.1.7 · web-01`, for a checkbox label.
    pub fn label(&self) -> String {
        format!("{} · {}", self.ip, self.server_name)
    }
}

/// Every server IP of the account, or why they could not be loaded.
#[derive(Debug, Default)]
pub struct ServerIps {
    pub all: Vec<OwnedIp>,
    pub problem: Option<String>,
}

impl ServerIps {
    pub async fn load(up: &Upstream) -> Self {
        match up.client().list_servers_shared(&ListQuery::all()).await {
            Ok(fetched) => {
                let mut all: Vec<OwnedIp> = fetched
                    .value
                    .iter()
                    .flat_map(|server| {
                        server.ips.iter().map(|ip| OwnedIp {
                            ip_id: ip.id.clone(),
                            ip: ip.ip.clone(),
                            server_id: server.id.clone(),
                            server_name: server.name.clone(),
                            firewall_policy: ip.firewall_policy.clone(),
                            load_balancers: ip.load_balancers.clone(),
                        })
                    })
                    .filter(|ip| !ip.ip_id.is_empty())
                    .collect();
                all.sort_by_cached_key(|ip| (ip.server_name.to_lowercase(), ip.ip.clone()));
                Self { all, problem: None }
            }
            Err(e) => Self {
                all: Vec::new(),
                problem: Some(read_problem("the servers and their IPs", &e)),
            },
        }
    }

    /// The server an IP belongs to, when the list knows it.
    pub fn owner(&self, ip_id: &str) -> Option<&OwnedIp> {
        self.all.iter().find(|ip| ip.ip_id == ip_id)
    }

    /// The IPs for which `assigned` is false, for an "assign" form.
    pub fn except(&self, assigned: impl Fn(&OwnedIp) -> bool) -> Vec<OwnedIp> {
        self.all
            .iter()
            .filter(|ip| !assigned(ip))
            .cloned()
            .collect()
    }

    /// The IPs a policy or balancer lists, each with its server's page.
    pub fn attached(&self, ctx: &OrgCtx, up: &Upstream, refs: &[ServerIpRef]) -> Vec<AttachedIp> {
        refs.iter()
            .map(|r| {
                let owner = self.owner(&r.id);
                AttachedIp {
                    ip_id: r.id.clone(),
                    ip: r.ip.clone(),
                    server_name: match (r.server_name.is_empty(), owner) {
                        (false, _) => r.server_name.clone(),
                        (true, Some(o)) => o.server_name.clone(),
                        (true, None) => String::new(),
                    },
                    server_href: owner.map(|o| up.server_href(ctx, &o.server_id)),
                }
            })
            .collect()
    }
}

/// An IP a policy or balancer serves, linked to its server when known.
#[derive(Debug, Clone)]
pub struct AttachedIp {
    pub ip_id: String,
    pub ip: String,
    pub server_name: String,
    pub server_href: Option<String>,
}

impl AttachedIp {
    /// `10.4.1.7 (web-01)`.
    pub fn label(&self) -> String {
        if self.server_name.is_empty() {
            self.ip.clone()
        } else {
            format!("{} ({})", self.ip, self.server_name)
        }
    }
}

/// The IP ids of an "assign" form: repeated `server_ip` fields, at least
/// one. The refusal is the form's message.
pub fn chosen_ips(body: &[u8]) -> Result<Vec<String>, &'static str> {
    let values: Vec<_> = url::form_urlencoded::parse(body)
        .filter(|(key, _)| key == "server_ip")
        .map(|(_, value)| value)
        .collect();
    checked_ips(values.iter().map(|v| v.as_ref()))
}

/// IP ids as an "assign" form or the API sends them: each an id (blank ones
/// skipped, repeats once), at least one. The refusal is the form's message.
pub fn checked_ips<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, &'static str> {
    let mut ids: Vec<String> = Vec::new();
    for value in values {
        if value.trim().is_empty() {
            continue;
        }
        let id = crate::web::cloud::check_id(value.trim())
            .map_err(|_| "Choose the server IPs from the list.")?;
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_owned());
        }
    }
    if ids.is_empty() {
        return Err("Choose at least one server IP to assign.");
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_ip_fields_are_read_once_each() {
        assert_eq!(
            chosen_ips(b"csrf_token=x&server_ip=A1&server_ip=B2&server_ip=A1&server_ip="),
            Ok(vec!["A1".to_owned(), "B2".to_owned()])
        );
        assert!(chosen_ips(b"server_ip=..%2Fservers").is_err());
        assert_eq!(
            chosen_ips(b"csrf_token=x&server_ip="),
            Err("Choose at least one server IP to assign.")
        );
    }
}
