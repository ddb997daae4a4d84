//! A private network's page: overview, the servers attached to it (each
//! linking to its page) with attach and detach, and deletion; the status
//! badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::view::{NetworkRow, server_links};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::networks::PrivateNetwork;
use crate::cloudpanel::servers::Server;
use crate::rbac::perms;
use crate::web::cloud::{Object, found, read_problem};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::networks::parts::Link;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub edit: bool,
    pub manage_servers: bool,
    pub delete: bool,
}

impl Can {
    fn new(ctx: &OrgCtx) -> Self {
        Self {
            edit: ctx.can(perms::PRIVATE_NETWORK_SET_NAME)
                || ctx.can(perms::PRIVATE_NETWORK_SET_DESCRIPTION)
                || ctx.can(perms::PRIVATE_NETWORK_SET_NETWORK_INFO),
            manage_servers: ctx.can(perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS),
            delete: ctx.can(perms::PRIVATE_NETWORK_DELETE),
        }
    }
}

/// An attached server and its page.
pub struct Attached {
    pub server: IdName,
    pub link: Link,
}

/// A server that may be attached: not in the network yet, in its datacenter.
pub struct Candidate {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "private_networks/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    network: &'a PrivateNetwork,
    row: NetworkRow,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    busy: Option<String>,
    /// The attached servers, from the network's own servers list.
    attached: Vec<Attached>,
    attached_problem: Option<String>,
    candidates: Vec<Candidate>,
    candidates_problem: Option<String>,
    from_refresh: bool,
}

impl DetailPage<'_> {
    fn detach_step(&self, server: &IdName) -> ConfirmStep {
        let name = if server.name.is_empty() {
            &server.id
        } else {
            &server.name
        };
        ConfirmStep {
            action: format!(
                "{}/servers/{}/delete{}",
                self.row.href, server.id, self.row.query
            ),
            verb: "Detach",
            subject: name.clone(),
            button: format!("Yes, detach {name}"),
            consequence: format!(
                "{name} leaves {} and no longer reaches the other servers over it.",
                self.network.name
            ),
        }
    }

    /// What deleting takes with it.
    fn delete_consequence(&self) -> String {
        if self.attached.is_empty() {
            "No servers are attached to it.".to_owned()
        } else {
            let names: Vec<&str> = self
                .attached
                .iter()
                .map(|a| a.link.label.as_str())
                .collect();
            format!(
                "Its attached servers are detached from it: {}.",
                names.join(", ")
            )
        }
    }
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let id = object.id.as_str();
    let can = Can::new(&ctx);
    let client = up.client();
    let (fetched, attached, servers) = futures_util::join!(
        client.get_private_network(id),
        client.list_private_network_servers(id),
        async {
            if can.manage_servers {
                Some(client.list_servers_shared(&ListQuery::all()).await)
            } else {
                None
            }
        }
    );
    let fetched = found(&ctx, "this private network", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let network = fetched.value;
    // The network's own list of its servers; the copy inside the network
    // when that list could not be read.
    let (attached, attached_problem) = match attached {
        Ok(list) => (list.value, None),
        Err(e) => (
            network.servers.clone(),
            Some(read_problem("the attached servers", &e)),
        ),
    };
    let (candidates, candidates_problem) = match servers {
        Some(Ok(servers)) => (candidates(&servers.value, &network, &attached), None),
        Some(Err(e)) => (Vec::new(), Some(read_problem("the servers", &e))),
        None => (Vec::new(), None),
    };
    let row = NetworkRow::new(&network, &ctx, &up);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: row.badge.busy_reason(
                "private network",
                "Editing it and attaching or detaching servers",
                false,
            ),
            row,
            attached: server_links(&attached, &ctx, &up)
                .into_iter()
                .zip(attached)
                .map(|(link, server)| Attached { server, link })
                .collect(),
            attached_problem,
            candidates,
            candidates_problem,
            network: &network,
            list_href: FAMILY.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
            can,
            from_refresh: false,
        },
    )
}

/// Servers that may join: not attached yet and, when both say, in the
/// network's datacenter (the Cloud Panel refuses the others).
fn candidates(servers: &[Server], network: &PrivateNetwork, attached: &[IdName]) -> Vec<Candidate> {
    let dc = &network.datacenter.id;
    let mut out: Vec<Candidate> = servers
        .iter()
        .filter(|s| !attached.iter().any(|a| a.id == s.id))
        .filter(|s| dc.is_empty() || s.datacenter.id.is_empty() || &s.datacenter.id == dc)
        .map(|s| Candidate {
            id: s.id.clone(),
            name: s.name.clone(),
        })
        .collect();
    out.sort_by_cached_key(|c| c.name.to_lowercase());
    out
}
