//! A server's page: overview and every action the member may take, in
//! sections; the status badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::server_href;
use super::view::ServerRow;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::common::ServerState;
use crate::cloudpanel::servers::{Hdd, Server, ServerIp};
use crate::cloudpanel::{CloudError, ListQuery};
use crate::rbac::perms;
use crate::web::cloud::{Choice, Choices, Object, attached, found, fragment, options};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

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

/// The pages of the objects a server uses that the member may open.
pub struct Links {
    pub block_storages: bool,
    pub shared_storages: bool,
    pub private_networks: bool,
    pub public_ips: bool,
    pub firewall_policies: bool,
    pub load_balancers: bool,
    pub monitoring: bool,
}

impl Links {
    fn new(ctx: &OrgCtx) -> Self {
        Self {
            block_storages: ctx.can(perms::BLOCK_STORAGES_SHOW),
            shared_storages: ctx.can(perms::SHARED_STORAGES_SHOW),
            private_networks: ctx.can(perms::PRIVATE_NETWORK_SHOW),
            public_ips: ctx.can(perms::PUBLIC_IPS_SHOW),
            firewall_policies: ctx.can(perms::FIREWALL_POLICIES_SHOW),
            load_balancers: ctx.can(perms::LOAD_BALANCERS_SHOW),
            monitoring: ctx.can(perms::MONITORING_CENTER_SHOW),
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
    /// Why the actions the API refuses during a transition are disabled.
    busy: Option<String>,
    /// The power card offers what the state allows.
    is_on: bool,
    is_off: bool,
    sizes: Choices,
    images: Choices,
    firewall_policies: Choices,
    load_balancers: Choices,
    networks: Choices,
    isos: Choices,
    recovery_images: Choices,
    datacenters: Choices,
    /// The storages attached to this server.
    block_storages: Choices,
    shared_storages: Choices,
    /// Which related pages the member may open.
    links: Links,
    /// `?account=ID`, for links to the related objects' pages.
    account_query: String,
    /// The status element shows a reload hint only after it refreshed itself.
    from_refresh: bool,
}

impl DetailPage<'_> {
    /// The clone form's name to start from.
    fn copy_name(&self) -> String {
        format!("{} copy", self.server.name)
    }

    // Selects start on the server's current value.

    fn is_fixed_size(&self, id: &str) -> bool {
        self.server.hardware.fixed_instance_size_id.as_deref() == Some(id)
    }

    fn is_current_image(&self, id: &str) -> bool {
        self.server.image.as_ref().is_some_and(|i| i.id == id)
    }

    fn is_loaded_dvd(&self, id: &str) -> bool {
        self.server.dvd.as_ref().is_some_and(|d| d.id == id)
    }

    fn is_firewall_of(&self, ip: &ServerIp, id: &str) -> bool {
        ip.firewall_policy.as_ref().is_some_and(|p| p.id == id)
    }

    /// Networks the server is not in yet.
    fn attachable_networks(&self) -> Vec<&Choice> {
        self.networks
            .items
            .iter()
            .filter(|c| !self.server.private_networks.iter().any(|n| n.id == c.id))
            .collect()
    }

    /// Load balancers this IP is not attached to yet.
    fn attachable_load_balancers(&self, ip: &ServerIp) -> Vec<&Choice> {
        self.load_balancers
            .items
            .iter()
            .filter(|c| !ip.load_balancers.iter().any(|lb| lb.id == c.id))
            .collect()
    }

    // The confirm steps of the actions that can be undone or redone.

    fn remove_disk_step(&self, hdd: &Hdd) -> ConfirmStep {
        ConfirmStep {
            action: format!("{}/hdds/{}/delete{}", self.href, hdd.id, self.row.query),
            verb: "Remove",
            subject: format!("the {} GB disk", hdd.size),
            button: "Yes, remove the disk".into(),
            consequence: format!(
                "Its data is lost; {} keeps its other disks.",
                self.server.name
            ),
        }
    }

    fn detach_load_balancer_step(&self, ip: &ServerIp, lb: &IdName) -> ConfirmStep {
        ConfirmStep {
            action: format!(
                "{}/ips/{}/load_balancers/{}/delete{}",
                self.href, ip.id, lb.id, self.row.query
            ),
            verb: "Detach",
            subject: format!("{} from {}", ip.ip, lb.name),
            button: format!("Yes, detach from {}", lb.name),
            consequence: format!("{} stops receiving traffic from {}.", ip.ip, lb.name),
        }
    }

    fn leave_network_step(&self, network: &IdName) -> ConfirmStep {
        ConfirmStep {
            action: format!(
                "{}/private_networks/{}/delete{}",
                self.href, network.id, self.row.query
            ),
            verb: "Leave",
            subject: network.name.clone(),
            button: format!("Yes, leave {}", network.name),
            consequence: format!(
                "{} is taken out of the private network {}.",
                self.server.name, network.name
            ),
        }
    }

    fn delete_snapshot_step(&self, snapshot_id: &str) -> ConfirmStep {
        ConfirmStep {
            action: format!(
                "{}/snapshots/{}/delete{}",
                self.href, snapshot_id, self.row.query
            ),
            verb: "Delete snapshot",
            subject: format!("of {}", self.server.name),
            button: "Yes, delete the snapshot".into(),
            consequence: "The server keeps running as it is; only the way back is gone.".into(),
        }
    }

    /// The page of a related object on this account: `related("vpns", id)`.
    fn related(&self, family: &str, id: &str) -> String {
        format!(
            "/o/{}/{family}/{id}{}",
            self.page.org_slug(),
            self.account_query
        )
    }

    /// A fixed size's name when the sizes were loaded, else its id.
    fn size_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.sizes
            .items
            .iter()
            .find(|c| c.id == id)
            .map_or(id, |c| c.name.as_str())
    }
}

#[derive(Template)]
#[template(path = "servers/status.html")]
struct StatusFragment<'a> {
    row: &'a ServerRow,
    href: &'a str,
    from_refresh: bool,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let id = object.id.as_str();
    let can = Can::new(&ctx);
    let links = Links::new(&ctx);

    // Side by side: the page waits for the slowest, not the sum. The server
    // and the lists for the action forms are read together, each list only
    // when the member may use the form that needs it; they are cached and
    // shared by every page. The sizes and recovery images depend on the
    // server's type: they go out as soon as the server's answer says which.
    let client = up.client();
    let all = ListQuery::all();
    let server_first = async {
        let result = client.get_server(id).await;
        let (read, is_baremetal) = match &result {
            Ok(fetched) => (true, fetched.value.server_type.as_str() == "baremetal"),
            Err(_) => (false, false),
        };
        let (sizes, recovery_images) = futures_util::join!(
            options(
                read && can.resize && !is_baremetal,
                "the instance sizes",
                client.list_fixed_instance_sizes(),
                |s| Choice::of(&s.id, &s.name)
            ),
            options(
                read && can.restart && is_baremetal,
                "the recovery images",
                client.list_recovery_appliances(&all),
                |a| Choice::of(&a.id, &a.name)
            ),
        );
        (result, sizes, recovery_images)
    };
    let (
        (fetched, sizes, recovery_images),
        images,
        firewall_policies,
        load_balancers,
        networks,
        isos,
        datacenters,
        block_storages,
        shared_storages,
    ) = futures_util::join!(
        server_first,
        options(
            can.reinstall,
            "the images",
            client.list_server_appliances(&all),
            |a| Choice::of(&a.id, &a.name)
        ),
        options(
            can.ip_firewall,
            "the firewall policies",
            client.list_firewall_policies(&all),
            |p| Choice::of(&p.id, &p.name)
        ),
        options(
            can.ip_load_balancers,
            "the load balancers",
            client.list_load_balancers(&all),
            |p| Choice::of(&p.id, &p.name)
        ),
        // Named for what the list is for: the networks the server is in
        // come with the server, and the card must not seem to contradict them.
        options(
            can.networks,
            "the networks this server could join",
            client.list_private_networks(&all),
            |p| Choice::of(&p.id, &p.name)
        ),
        options(can.dvd, "the DVD images", client.list_dvd_isos(&all), |a| {
            Choice::of(&a.id, &a.name)
        }),
        options(
            can.clone,
            "the datacenters",
            client.list_datacenters(&all),
            |d| { Choice::of(&d.id, &format!("{} ({})", d.location, d.country_code)) }
        ),
        attached(
            links.block_storages,
            "the block storages",
            client.list_block_storages(&all),
            |b| b
                .server
                .as_ref()
                .is_some_and(|s| s.id == id)
                .then(|| Choice::of(&b.id, &format!("{} ({} GB)", b.name, b.size)))
        ),
        attached(
            links.shared_storages,
            "the shared storages",
            client.list_shared_storages(&all),
            |s| s.servers.iter().find(|a| a.id == id).map(|a| {
                Choice::of(&s.id, &format!("{} ({}, {} GB)", s.name, a.rights, s.size))
            })
        ),
    );
    let fetched = found(&ctx, "this server", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let updating = fetched.updating;
    let server = fetched.value;
    let is_baremetal = server.server_type.as_str() == "baremetal";

    let href = server_href(&ctx, id);
    let page = ctx.page.clone().with_section("servers");
    let row = ServerRow::new(&server, href.clone(), up.query()).with_updating(updating);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: busy_reason(&row),
            is_on: server.status.state.is_running(),
            is_off: server.status.state == ServerState::PoweredOff,
            row,
            server: &server,
            href,
            list_href: up.list_href(&ctx),
            account_name: up.row().name.clone(),
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
            block_storages,
            shared_storages,
            links,
            account_query: up.query(),
            from_refresh: false,
        },
    )
}

/// While the server is in a transition the API refuses power, hardware,
/// disk, snapshot, DVD, reinstall and clone requests: the page says so
/// beside the disabled buttons (a forged request still gets the API's refusal).
fn busy_reason(row: &ServerRow) -> Option<String> {
    row.transitional.then(|| {
        let progress = row.percent.map(|p| format!(", {p}%")).unwrap_or_default();
        format!(
            "The server is {}{progress}. Power, hardware, disk, snapshot, DVD, reinstall \
             and clone actions wait until it is done; reload the page then.",
            row.label.to_lowercase()
        )
    })
}

/// The status badge alone, for the page's script while work is in progress:
/// read from the small `GET /servers/{id}/status`, not the whole server.
pub async fn status(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?.polling();
    let id = object.id.as_str();
    let href = server_href(&ctx, id);
    let row = match up.client().get_server_status(id).await {
        Ok(fetched) => {
            let updating = fetched.updating;
            let server = Server {
                id: id.to_owned(),
                status: fetched.value,
                ..Server::default()
            };
            ServerRow::new(&server, href.clone(), up.query()).with_updating(updating)
        }
        Err(e) if e.outside_scope() => return Err(crate::web::error::AppError::NotFound),
        Err(CloudError::NotFound { .. }) => ServerRow::removed(id, href.clone(), up.query()),
        // No answer of its own (budget spent, API failing, never read):
        // the last known state from the servers list, still refreshing.
        Err(_) => crate::web::servers::list::current_row(&up, &ctx, id).await?,
    };
    fragment(&StatusFragment {
        row: &row,
        href: &href,
        from_refresh: true,
    })
}
