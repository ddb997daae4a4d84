//! A server's sub-resources, each read on its own: the pages of one disk,
//! one IP (with its firewall policy and load balancers) and one private
//! network the server is in, and the "Reload" of one card of the server's
//! page. The server page itself reads everything in one `GET /servers/{id}`;
//! these small reads spend the account's shared request budget only on what
//! the member asked to see again.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::server_href;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::networks::PrivateNetwork;
use crate::cloudpanel::servers::{Hardware, Hdd, ServerIp, Snapshot};
use crate::rbac::perms;
use crate::web::cloud::{Object, Upstream, datacenter_label, found, read_problem};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// Where a sub-page links back to: the server's page on the same account.
struct Back {
    /// The server's page, with the account query.
    server: String,
    /// `?account=ID`.
    query: String,
    /// The organisation's slug, for links to related pages.
    slug: String,
}

impl Back {
    fn new(ctx: &OrgCtx, up: &Upstream, id: &str) -> Self {
        Self {
            server: format!("{}{}", server_href(ctx, id), up.query()),
            query: up.query(),
            slug: ctx.page.org_slug().to_owned(),
        }
    }

    /// Another family's page of an object on this account.
    fn related(&self, family: &str, id: &str) -> String {
        format!("/o/{}/{family}/{id}{}", self.slug, self.query)
    }
}

fn notice_of<T>(fetched: &crate::cloudpanel::Fetched<T>) -> Option<String> {
    fetched.freshness().map(|f| format!("Showing {f}."))
}

// ---- one disk ----

#[derive(Template)]
#[template(path = "servers/part_hdd.html")]
struct HddPage<'a> {
    page: &'a PageCtx,
    back: Back,
    hdd: Hdd,
    notice: Option<String>,
}

pub async fn hdd(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let (id, hdd_id) = (&object.id, object.other("hdd_id")?);
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let fetched = found(
        &ctx,
        "this disk",
        up.client().get_server_hdd(id, hdd_id).await,
    )?;
    let page = ctx.page.clone().with_section("servers");
    render(
        StatusCode::OK,
        &HddPage {
            page: &page,
            back: Back::new(&ctx, &up, id),
            notice: notice_of(&fetched),
            hdd: fetched.value,
        },
    )
}

// ---- one IP ----

/// One related read of a page that still shows when it fails.
struct Part<T> {
    value: T,
    problem: Option<String>,
}

impl<T: Default> Part<T> {
    /// A 404 means the IP has none (no policy), not a failure.
    fn of(what: &str, result: Result<crate::cloudpanel::Fetched<T>, CloudError>) -> Self {
        match result {
            Ok(fetched) => Self {
                value: fetched.value,
                problem: None,
            },
            Err(CloudError::NotFound { .. }) => Self {
                value: T::default(),
                problem: None,
            },
            Err(e) => Self {
                value: T::default(),
                problem: Some(read_problem(what, &e)),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "servers/part_ip.html")]
struct IpPage<'a> {
    page: &'a PageCtx,
    back: Back,
    ip: ServerIp,
    notice: Option<String>,
    policy: Part<IdName>,
    load_balancers: Part<Vec<IdName>>,
    link_policy: bool,
    link_load_balancers: bool,
    link_ip: bool,
}

pub async fn ip(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let (id, ip_id) = (&object.id, object.other("ip_id")?);
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let client = up.client();
    // Side by side: the page waits for the slowest, not the sum. The IP,
    // its policy and its load balancers are read together.
    let (fetched, policy, load_balancers) = futures_util::join!(
        client.get_server_ip(id, ip_id),
        client.get_server_ip_firewall_policy(id, ip_id),
        client.list_server_ip_load_balancers(id, ip_id),
    );
    let fetched = found(&ctx, "this IP", fetched)?;
    let page = ctx.page.clone().with_section("servers");
    render(
        StatusCode::OK,
        &IpPage {
            page: &page,
            back: Back::new(&ctx, &up, id),
            notice: notice_of(&fetched),
            ip: fetched.value,
            policy: Part::of("the IP's firewall policy", policy),
            load_balancers: Part::of("the IP's load balancers", load_balancers),
            link_policy: ctx.can(perms::FIREWALL_POLICIES_SHOW),
            link_load_balancers: ctx.can(perms::LOAD_BALANCERS_SHOW),
            link_ip: ctx.can(perms::PUBLIC_IPS_SHOW),
        },
    )
}

// ---- one private network ----

#[derive(Template)]
#[template(path = "servers/part_network.html")]
struct NetworkPage<'a> {
    page: &'a PageCtx,
    back: Back,
    network: PrivateNetwork,
    datacenter: String,
    notice: Option<String>,
    link_network: bool,
}

pub async fn private_network(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let (id, network_id) = (&object.id, object.other("network_id")?);
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let fetched = found(
        &ctx,
        "this private network",
        up.client().get_server_private_network(id, network_id).await,
    )?;
    let page = ctx.page.clone().with_section("servers");
    render(
        StatusCode::OK,
        &NetworkPage {
            page: &page,
            back: Back::new(&ctx, &up, id),
            notice: notice_of(&fetched),
            datacenter: datacenter_label(&fetched.value.datacenter),
            network: fetched.value,
            link_network: ctx.can(perms::PRIVATE_NETWORK_SHOW),
        },
    )
}

// ---- one card of the server's page, read again ----

/// A card of the server's page and what its own read answered.
enum Card {
    Hardware(Hardware),
    Hdds(Vec<Hdd>),
    /// `None`: no image (a server being built, or a DVD install).
    Image(Option<IdName>),
    Ips(Vec<ServerIp>),
    /// `None`: no DVD loaded (the API answers 404).
    Dvd(Option<IdName>),
    PrivateNetworks(Vec<IdName>),
    Snapshots(Vec<Snapshot>),
}

/// The cards that can be read again, with their headings.
const CARDS: &[(&str, &str)] = &[
    ("hardware", "Hardware"),
    ("hdds", "Disks"),
    ("image", "Image"),
    ("ips", "IP addresses"),
    ("dvd", "DVD"),
    ("private_networks", "Private networks"),
    ("snapshots", "Snapshot"),
];

/// One sub-resource read, or the words of why it failed (with the request
/// limit's countdown when that was the cause).
type Read = Result<(Card, Option<String>), AppError>;

fn read<T>(
    what: &str,
    result: Result<crate::cloudpanel::Fetched<T>, CloudError>,
    card: impl FnOnce(T) -> Card,
) -> Read {
    match result {
        Ok(fetched) => {
            let notice = notice_of(&fetched);
            Ok((card(fetched.value), notice))
        }
        Err(CloudError::NotFound { .. }) => Err(AppError::NotFound),
        Err(e) => Err(AppError::cloud(what, &e)),
    }
}

/// A read whose 404 means "nothing there" (no image, no DVD loaded).
fn read_optional(
    what: &str,
    result: Result<crate::cloudpanel::Fetched<IdName>, CloudError>,
    card: impl FnOnce(Option<IdName>) -> Card,
) -> Read {
    match result {
        Err(CloudError::NotFound { .. }) => Ok((card(None), None)),
        other => read(what, other, |v: IdName| {
            card((!v.id.is_empty() || !v.name.is_empty()).then_some(v))
        }),
    }
}

async fn read_card(up: &Upstream, id: &str, name: &str) -> Option<Read> {
    let client = up.client();
    Some(match name {
        "hardware" => read(
            "the hardware",
            client.get_server_hardware(id).await,
            Card::Hardware,
        ),
        "hdds" => read("the disks", client.list_server_hdds(id).await, Card::Hdds),
        "image" => read_optional("the image", client.get_server_image(id).await, Card::Image),
        "ips" => read(
            "the IP addresses",
            client.list_server_ips(id).await,
            Card::Ips,
        ),
        "dvd" => read_optional("the DVD", client.get_server_dvd(id).await, Card::Dvd),
        "private_networks" => read(
            "the private networks",
            client.list_server_private_networks(id).await,
            Card::PrivateNetworks,
        ),
        "snapshots" => read(
            "the snapshots",
            client.list_server_snapshots(id).await,
            Card::Snapshots,
        ),
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "servers/part_card.html")]
struct CardPage<'a> {
    page: &'a PageCtx,
    back: Back,
    /// The card's name in the address (`hdds`).
    name: &'static str,
    title: &'static str,
    card: Card,
    notice: Option<String>,
    /// The server's address without the query, for the rows' own pages.
    href: String,
}

impl CardPage<'_> {
    fn gb(&self, ram: &f64) -> String {
        super::format_gb(*ram)
    }
}

pub async fn card(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let (id, card) = (&object.id, object.other("card")?);
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let Some((name, title)) = CARDS.iter().find(|(n, _)| *n == card).copied() else {
        return Err(AppError::NotFound.in_page(&ctx.page));
    };
    let (card, notice) = match read_card(&up, id, name).await {
        Some(Ok(read)) => read,
        Some(Err(e)) => return Err(e.in_page(&ctx.page)),
        None => return Err(AppError::NotFound.in_page(&ctx.page)),
    };
    let page = ctx.page.clone().with_section("servers");
    render(
        StatusCode::OK,
        &CardPage {
            page: &page,
            back: Back::new(&ctx, &up, id),
            name,
            title,
            card,
            notice,
            href: server_href(&ctx, id),
        },
    )
}
