//! A server's page: overview and every action the member may take, in
//! sections; the status badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::list::fragment;
use super::view::{self, ServerRow};
use super::{check_id, connect, read_problem, server_href};
use crate::cloudpanel::servers::Server;
use crate::cloudpanel::{CloudError, Fetched, ListQuery};
use crate::error::{AppError, AppResult};
use crate::rbac::perms;
use crate::startup::AppState;
use crate::web::org::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// Options for a select, or why they could not be loaded.
pub struct Choices {
    pub items: Vec<Choice>,
    pub problem: Option<String>,
}

impl Choices {
    pub fn from<T>(
        what: &str,
        result: Result<Fetched<Vec<T>>, CloudError>,
        f: impl Fn(&T) -> Choice,
    ) -> Self {
        match result {
            Ok(fetched) => Self {
                items: fetched.value.iter().map(f).collect(),
                problem: None,
            },
            Err(e) => Self {
                items: Vec::new(),
                problem: Some(read_problem(what, &e)),
            },
        }
    }
}

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub rename: bool,
    pub start: bool,
    pub shutdown: bool,
    pub restart: bool,
    pub resize: bool,
    pub reinstall: bool,
    pub assign_ip: bool,
    pub ip_firewall: bool,
    pub ip_load_balancers: bool,
    pub networks: bool,
    pub snapshots: bool,
    pub dvd: bool,
    pub clone: bool,
    pub delete: bool,
}

impl Can {
    fn new(ctx: &OrgCtx) -> Self {
        Self {
            rename: ctx.can(perms::SERVERS_SET_NAME) || ctx.can(perms::SERVERS_SET_DESCRIPTION),
            start: ctx.can(perms::SERVERS_START),
            shutdown: ctx.can(perms::SERVERS_SHUTDOWN),
            restart: ctx.can(perms::SERVERS_RESTART),
            resize: ctx.can(perms::SERVERS_RESIZE),
            reinstall: ctx.can(perms::SERVERS_REINSTALL),
            assign_ip: ctx.can(perms::SERVERS_ASSIGN_IP),
            ip_firewall: ctx.can(perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS),
            ip_load_balancers: ctx.can(perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS),
            networks: ctx.can(perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS),
            snapshots: ctx.can(perms::SERVERS_MANAGE_SNAPSHOT),
            dvd: ctx.can(perms::SERVERS_MANAGE_DVD),
            clone: ctx.can(perms::SERVERS_CLONE),
            delete: ctx.can(perms::SERVERS_DELETE),
        }
    }
}

#[derive(Template)]
#[template(path = "servers/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    server: &'a Server,
    row: ServerRow,
    href: String,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    is_baremetal: bool,
    sizes: Choices,
    images: Choices,
    firewall_policies: Choices,
    load_balancers: Choices,
    networks: Choices,
    isos: Choices,
    recovery_images: Choices,
    datacenters: Choices,
    /// The status element shows a reload hint only after it refreshed itself.
    from_refresh: bool,
}

#[derive(Template)]
#[template(path = "servers/status.html")]
struct StatusFragment<'a> {
    row: &'a ServerRow,
    href: &'a str,
    from_refresh: bool,
}

fn named<T>(id: impl Fn(&T) -> &String, name: impl Fn(&T) -> &String) -> impl Fn(&T) -> Choice {
    move |t| Choice {
        id: id(t).clone(),
        name: name(t).clone(),
    }
}

fn skipped() -> Choices {
    Choices {
        items: Vec::new(),
        problem: None,
    }
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let allowed = ctx.require(perms::SERVERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&state, &allowed, &session, None).await?;
    let fetched = match up.client.get_server(id).await {
        Ok(fetched) => fetched,
        Err(CloudError::NotFound { .. }) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::Upstream(read_problem("this server", &e))),
    };
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let server = fetched.value;
    let can = Can::new(&ctx);
    let is_baremetal = server.server_type.as_str() == "baremetal";

    // Lists for the action forms, loaded together, each only when the member
    // may use the form that needs it; they are cached and shared by every page.
    let client = &up.client;
    let (
        sizes,
        images,
        firewall_policies,
        load_balancers,
        networks,
        isos,
        recovery_images,
        datacenters,
    ) = futures_util::join!(
        async {
            if can.resize && !is_baremetal {
                Some(client.list_fixed_instance_sizes().await)
            } else {
                None
            }
        },
        async {
            if can.reinstall {
                Some(client.list_server_appliances(&ListQuery::all()).await)
            } else {
                None
            }
        },
        async {
            if can.ip_firewall {
                Some(client.list_firewall_policies(&ListQuery::all()).await)
            } else {
                None
            }
        },
        async {
            if can.ip_load_balancers {
                Some(client.list_load_balancers(&ListQuery::all()).await)
            } else {
                None
            }
        },
        async {
            if can.networks {
                Some(client.list_private_networks(&ListQuery::all()).await)
            } else {
                None
            }
        },
        async {
            if can.dvd {
                Some(client.list_dvd_isos(&ListQuery::all()).await)
            } else {
                None
            }
        },
        async {
            if can.restart && is_baremetal {
                Some(client.list_recovery_appliances(&ListQuery::all()).await)
            } else {
                None
            }
        },
        async {
            if can.clone {
                Some(client.list_datacenters(&ListQuery::all()).await)
            } else {
                None
            }
        },
    );
    let sizes = sizes.map_or_else(skipped, |r| {
        Choices::from(
            "the instance sizes",
            r,
            named(
                |s: &crate::cloudpanel::catalogue::InstanceSize| &s.id,
                |s| &s.name,
            ),
        )
    });
    let images = images.map_or_else(skipped, |r| {
        Choices::from(
            "the images",
            r,
            named(
                |a: &crate::cloudpanel::catalogue::Appliance| &a.id,
                |a| &a.name,
            ),
        )
    });
    let firewall_policies = firewall_policies.map_or_else(skipped, |r| {
        Choices::from(
            "the firewall policies",
            r,
            named(
                |p: &crate::cloudpanel::networks::FirewallPolicy| &p.id,
                |p| &p.name,
            ),
        )
    });
    let load_balancers = load_balancers.map_or_else(skipped, |r| {
        Choices::from(
            "the load balancers",
            r,
            named(
                |p: &crate::cloudpanel::networks::LoadBalancer| &p.id,
                |p| &p.name,
            ),
        )
    });
    let networks = networks.map_or_else(skipped, |r| {
        Choices::from(
            "the private networks",
            r,
            named(
                |p: &crate::cloudpanel::networks::PrivateNetwork| &p.id,
                |p| &p.name,
            ),
        )
    });
    let isos = isos.map_or_else(skipped, |r| {
        Choices::from(
            "the DVD images",
            r,
            named(
                |a: &crate::cloudpanel::catalogue::Appliance| &a.id,
                |a| &a.name,
            ),
        )
    });
    let recovery_images = recovery_images.map_or_else(skipped, |r| {
        Choices::from(
            "the recovery images",
            r,
            named(
                |a: &crate::cloudpanel::catalogue::Appliance| &a.id,
                |a| &a.name,
            ),
        )
    });
    let datacenters = datacenters.map_or_else(skipped, |r| {
        Choices::from(
            "the datacenters",
            r,
            |d: &crate::cloudpanel::catalogue::Datacenter| Choice {
                id: d.id.clone(),
                name: format!("{} ({})", d.location, d.country_code),
            },
        )
    });

    let href = server_href(&ctx, id);
    let page = ctx.page.clone().with_section("servers");
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            row: ServerRow::new(&server, href.clone()),
            server: &server,
            href,
            list_href: ctx.href("servers"),
            account_name: up.account.name.clone(),
            notice,
            can,
            is_baremetal,
            sizes,
            images,
            firewall_policies,
            load_balancers,
            networks,
            isos,
            recovery_images,
            datacenters,
            from_refresh: false,
        },
    )
}

/// The status badge alone, for the page's script while work is in progress.
pub async fn status(
    state: web::Data<AppState>,
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let allowed = ctx.require(perms::SERVERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&state, &allowed, &session, None).await?;
    // Read from the shared, cached list: see `list::row`.
    let servers = up
        .client
        .list_servers_shared(&ListQuery::all())
        .await
        .map_err(|e| AppError::Upstream(e.user_message()))?;
    let href = server_href(&ctx, id);
    let row = match servers.value.iter().find(|s| s.id == id) {
        Some(server) => ServerRow::new(server, href.clone()),
        None => ServerRow {
            state: "REMOVED".into(),
            label: "Removed".into(),
            badge: view::badge_class("REMOVED", false),
            transitional: false,
            percent: None,
            ..ServerRow::new(&Server::default(), href.clone())
        },
    };
    fragment(&StatusFragment {
        row: &row,
        href: &href,
        from_refresh: true,
    })
}
