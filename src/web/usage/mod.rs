//! `/o/{slug}/usage`: the account's usages, the pricing list and a monthly
//! cost estimate, all behind `usages.show` (the reference's role model has
//! no flag of its own for prices, see `pricing.rs`).

mod costs;
mod estimate;
mod pricing;
mod usages;

use actix_session::Session;

use crate::web::routing::org_routes;

use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::charts::bars::{self, Amount, BarChart};
use crate::web::cloud::{AccountParam, Upstream, open_switchable};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/usage" {
        GET  "" => usages::page,
        GET  "/pricing" => pricing::page,
        GET  "/costs" => costs::page,
    }
}

/// The account a page of the area shows, and the accounts to switch to.
async fn open(
    ctx: &OrgCtx,
    session: &Session,
    account_id: Option<i64>,
) -> AppResult<(Upstream, AccountList)> {
    let account = AccountParam::named(account_id);
    open_switchable(ctx, session, perms::USAGES_SHOW, &account).await
}

/// A bar chart with what the page needs around it: its heading and unit.
pub struct Chart {
    pub title: String,
    pub unit: String,
    pub chart: BarChart,
}

impl Chart {
    pub fn new(title: &str, unit: &str, amounts: &[Amount]) -> Self {
        Chart {
            title: title.to_owned(),
            unit: unit.to_owned(),
            chart: bars::draw(title, unit, amounts),
        }
    }
}

/// The three pages' links (words, address with the account, current).
fn account_tabs(ctx: &OrgCtx, query: &str, current: &str) -> Vec<(&'static str, String, bool)> {
    [
        ("Usages", "usage"),
        ("Pricing", "usage/pricing"),
        ("Cost estimate", "usage/costs"),
    ]
    .into_iter()
    .map(|(label, path)| (label, format!("{}{query}", ctx.href(path)), path == current))
    .collect()
}
