//! `/o/{slug}/usage`: the account's usages, the pricing list and a monthly
//! cost estimate, all behind `usages.show` (the reference's role model has
//! no flag of its own for prices, see `pricing.rs`).

mod costs;
mod estimate;
mod pricing;
mod usages;

use crate::web::routing::Routes;
use actix_web::web;

use crate::web::charts::bars::{self, Amount, BarChart};
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/usage"),
    ("GET", "/o/{slug}/usage/pricing"),
    ("GET", "/o/{slug}/usage/costs"),
];

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    cfg.route("/o/{slug}/usage", web::get().to(usages::page))
        .route("/o/{slug}/usage/pricing", web::get().to(pricing::page))
        .route("/o/{slug}/usage/costs", web::get().to(costs::page));
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
