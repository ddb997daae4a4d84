//! `/o/{slug}/usage/costs`: a monthly cost estimate from the pricing list and
//! the resources the account holds now, per server and per family, each
//! figure with how it was computed.
//!
//! The lists are the same cached reads the resource pages make, so a visit
//! right after one of them costs no request. A family the member may not
//! see is not read at all, and the page says it is left out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::join;

use super::estimate::{Estimate, Family, HOURS_PER_MONTH, Resources, estimate};
use super::pricing::currency;
use super::{Chart, account_tabs};
use crate::cloudpanel::catalogue::Pricing;
use crate::cloudpanel::{CloudError, Fetched, ListQuery};
use crate::rbac::{Permission, perms};
use crate::tenant::AccountList;
use crate::web::charts::bars::{Amount, number};
use crate::web::cloud::{ListParams, Loaded, read_problem};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// A family's list as the estimate got it.
enum Read<T> {
    /// The member may not see this family: not read.
    Hidden,
    Failed(String),
    Got(Fetched<Vec<T>>),
}

impl<T> Read<T> {
    fn items(&self) -> Option<&[T]> {
        match self {
            Read::Got(f) => Some(&f.value),
            _ => None,
        }
    }
}

async fn read<T>(
    ctx: &OrgCtx,
    permission: Permission,
    what: &str,
    fetch: impl Future<Output = Result<Fetched<Vec<T>>, CloudError>>,
) -> Read<T> {
    if !ctx.can(permission) {
        return Read::Hidden;
    }
    match fetch.await {
        Ok(f) => Read::Got(f),
        Err(e) => Read::Failed(read_problem(what, &e)),
    }
}

pub struct LineView {
    pub family: &'static str,
    pub resource: String,
    pub part: String,
    pub computation: String,
    pub monthly: String,
}

pub struct UnpricedView {
    pub family: &'static str,
    pub resource: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "usage/costs.html")]
struct CostsPage<'a> {
    page: &'a PageCtx,
    tabs: Vec<(&'static str, String, bool)>,
    accounts: AccountList,
    account_id: i64,
    list_href: String,
    currency: String,
    vat: String,
    hours_per_month: String,
    lines: Vec<LineView>,
    per_server: Vec<(String, String)>,
    total: String,
    /// The chart per family (one, in a list for the shared partial).
    charts: Vec<Chart>,
    unpriced: Vec<UnpricedView>,
    notes: Vec<String>,
    /// Families the member may not see.
    hidden: Vec<&'static str>,
    /// Families that could not be read, with why.
    failed: Vec<String>,
    /// Stale reads, with their age.
    stale: Vec<String>,
    /// Whether the pricing list was read; without it there is no estimate.
    priced: bool,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let (up, accounts) = super::open(&ctx, &session, params.account_id()).await?;
    let client = up.client();
    let all = ListQuery::all();
    let (pricing, sizes, servers, block, shared, ips, images, lbs) = join!(
        client.get_pricing(),
        client.list_fixed_instance_sizes(),
        read(
            &ctx,
            perms::SERVERS_SHOW,
            "the servers",
            client.list_servers(&all)
        ),
        read(
            &ctx,
            perms::BLOCK_STORAGES_SHOW,
            "the block storages",
            client.list_block_storages(&all)
        ),
        read(
            &ctx,
            perms::SHARED_STORAGES_SHOW,
            "the shared storages",
            client.list_shared_storages(&all)
        ),
        read(
            &ctx,
            perms::PUBLIC_IPS_SHOW,
            "the public IPs",
            client.list_public_ips(&all)
        ),
        read(
            &ctx,
            perms::IMAGES_SHOW,
            "the images",
            client.list_images(&all)
        ),
        read(
            &ctx,
            perms::LOAD_BALANCERS_SHOW,
            "the load balancers",
            client.list_load_balancers(&all)
        ),
    );
    let priced = pricing.is_ok();
    let loaded: Loaded<Pricing> = Loaded::from("the pricing list", pricing);
    let mut failed = Vec::new();
    // Without the sizes a fixed-size server cannot be named: it is then
    // listed as not priced, and the page says why.
    let sizes = match sizes {
        Ok(f) => f.value,
        Err(e) => {
            failed.push(read_problem("the fixed server sizes", &e));
            Vec::new()
        }
    };
    let families = [
        (Family::Servers, state(&servers)),
        (Family::BlockStorages, state(&block)),
        (Family::SharedStorages, state(&shared)),
        (Family::PublicIps, state(&ips)),
        (Family::Images, state(&images)),
        (Family::LoadBalancers, state(&lbs)),
    ];
    let mut hidden = Vec::new();
    let mut stale = Vec::new();
    for (family, state) in families {
        match state {
            State::Hidden => hidden.push(family.label()),
            State::Failed(why) => failed.push(why),
            State::Fresh => {}
            State::Stale(line) => stale.push(format!("{}: {line}", family.label())),
        }
    }
    let estimate = if priced {
        estimate(
            &loaded.items,
            &Resources {
                servers: servers.items(),
                sizes: &sizes,
                block_storages: block.items(),
                shared_storages: shared.items(),
                public_ips: ips.items(),
                images: images.items(),
                load_balancers: lbs.items(),
            },
        )
    } else {
        Estimate::default()
    };
    let currency = currency(&loaded.items);
    let per_family = estimate.per_family();
    let chart = Chart::new(
        &format!("Estimated monthly cost per family, in {currency}"),
        &currency,
        &per_family
            .iter()
            .map(|(f, sum)| Amount::new(f.label(), *sum))
            .collect::<Vec<_>>(),
    );
    let page = ctx.page.clone().with_section("usage");
    render(
        StatusCode::OK,
        &CostsPage {
            page: &page,
            tabs: account_tabs(&ctx, &up.query(), "usage/costs"),
            account_id: up.row().id,
            accounts,
            list_href: ctx.href("usage/costs"),
            vat: number(loaded.items.vat),
            hours_per_month: number(HOURS_PER_MONTH),
            lines: estimate
                .lines
                .iter()
                .map(|l| LineView {
                    family: l.family.label(),
                    resource: l.resource.clone(),
                    part: l.part.clone(),
                    computation: l.computation(&currency),
                    monthly: number(l.monthly()),
                })
                .collect(),
            per_server: estimate
                .per_server()
                .into_iter()
                .map(|(name, sum)| (name, number(sum)))
                .collect(),
            total: number(estimate.total()),
            charts: vec![chart],
            unpriced: estimate
                .unpriced
                .iter()
                .map(|u| UnpricedView {
                    family: u.family.label(),
                    resource: u.resource.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
            notes: estimate.notes.clone(),
            currency,
            hidden,
            failed,
            stale,
            priced,
            notice: loaded.notice,
            problem: loaded.problem,
            retry_after: loaded.retry_after,
        },
    )
}

enum State {
    Hidden,
    Failed(String),
    Fresh,
    Stale(String),
}

fn state<T>(read: &Read<T>) -> State {
    match read {
        Read::Hidden => State::Hidden,
        Read::Failed(why) => State::Failed(why.clone()),
        Read::Got(f) => f.freshness().map_or(State::Fresh, State::Stale),
    }
}
