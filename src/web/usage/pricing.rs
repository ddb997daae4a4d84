//! `/o/{slug}/usage/pricing`: the Cloud Panel's price list (`GET /pricing`).
//!
//! Guarded by `usages.show`: the reference's role model (16 groups, 99
//! flags) has no group for pricing, and of the flags it has, "Allows to list
//! usages" is the one about what the account costs; `interactive_invoices`
//! would fit too but has no endpoint. Reading the price list with the same
//! flag as the usages keeps the three pages of this area behind one door.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::account_tabs;
use super::estimate::{HOURS_PER_MONTH, unit_price};
use crate::cloudpanel::catalogue::{Price, Pricing};
use crate::tenant::AccountList;
use crate::web::charts::bars::number;
use crate::web::cloud::{ListParams, Loaded};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One family of the list with its prices.
pub struct PriceGroup {
    pub label: &'static str,
    pub rows: Vec<PriceRow>,
}

pub struct PriceRow {
    pub name: String,
    /// What the price is for, as the list says (`vCore/month`).
    pub unit: String,
    pub net: String,
    pub gross: String,
    /// The net price per hour, or why it cannot be given.
    pub per_hour: String,
    /// A fixed size's hardware, when the list gives it.
    pub hardware: String,
}

#[derive(Template)]
#[template(path = "usage/pricing.html")]
struct PricingPage<'a> {
    page: &'a PageCtx,
    tabs: Vec<(&'static str, String, bool)>,
    accounts: AccountList,
    account_id: i64,
    list_href: String,
    groups: Vec<PriceGroup>,
    currency: String,
    vat: String,
    hours_per_month: String,
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
    let loaded: Loaded<Pricing> = Loaded::from("the pricing list", up.client().get_pricing().await);
    let pricing = &loaded.items;
    let page = ctx.page.clone().with_section("usage");
    render(
        StatusCode::OK,
        &PricingPage {
            page: &page,
            tabs: account_tabs(&ctx, &up.query(), "usage/pricing"),
            account_id: up.row().id,
            accounts,
            list_href: ctx.href("usage/pricing"),
            groups: groups(pricing),
            currency: currency(pricing),
            vat: number(pricing.vat),
            hours_per_month: number(HOURS_PER_MONTH),
            notice: loaded.notice,
            problem: loaded.problem,
            retry_after: loaded.retry_after,
        },
    )
}

/// The list's currency, or a word that says it is missing.
pub fn currency(pricing: &Pricing) -> String {
    let c = pricing.currency.trim();
    if c.is_empty() {
        "(currency not given)".into()
    } else {
        c.chars().take(12).collect()
    }
}

/// The list in the order a reader looks for things; empty families left out.
pub fn groups(pricing: &Pricing) -> Vec<PriceGroup> {
    let plans = &pricing.pricing_plans;
    let one = |p: &Option<Price>| p.iter().cloned().collect::<Vec<_>>();
    [
        (
            "Servers of a fixed size",
            plans.server.fixed_servers.clone(),
        ),
        (
            "Flexible servers (per part)",
            plans.server.flexible_server.clone(),
        ),
        ("Public IPs", plans.public_ip.clone()),
        ("Images", one(&plans.image)),
        ("Shared storages", one(&plans.shared_storage)),
        ("Backups", one(&plans.backups)),
        ("Software licences", plans.software_licenses.clone()),
    ]
    .into_iter()
    .filter(|(_, prices)| !prices.is_empty())
    .map(|(label, prices)| PriceGroup {
        label,
        rows: prices.iter().map(row).collect(),
    })
    .collect()
}

fn money(price: Option<f64>) -> String {
    price
        .filter(|p| p.is_finite())
        .map_or_else(|| "—".into(), number)
}

fn row(price: &Price) -> PriceRow {
    PriceRow {
        name: words(&price.name),
        unit: if price.unit.is_empty() {
            "—".into()
        } else {
            price.unit.clone()
        },
        net: money(price.price_net),
        gross: money(price.price_gross),
        per_hour: match unit_price(price) {
            Ok(p) => format!("{} per {}", number(p.per_hour), p.unit),
            Err(_) => "—".into(),
        },
        hardware: price.hardware.as_ref().map(hardware).unwrap_or_default(),
    }
}

/// `red_hat_enterprise_linux` → `Red hat enterprise linux`.
fn words(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "(no name)".into(),
    }
}

fn amount(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// `1 vCore · 1 GB RAM · 40 GB disk`, from whatever the list gives.
fn hardware(hw: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(v) = hw.get("vcore").and_then(amount) {
        parts.push(format!("{} vCore", number(v)));
    }
    if let Some(v) = hw.get("ram").and_then(amount) {
        parts.push(format!("{} GB RAM", number(v)));
    }
    let disk: f64 = hw
        .get("hdds")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .filter_map(|h| h.get("size").and_then(amount))
                .sum()
        })
        .unwrap_or(0.0);
    if disk > 0.0 {
        parts.push(format!("{} GB disk", number(disk)));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_list_reads_as_families_with_hourly_prices() {
        let p: Pricing = serde_json::from_value(json!({
            "currency": "EUR", "vat": 20,
            "pricing_plans": {
                "server": {"fixed_servers": [{"name": "M", "price_net": 9.99, "price_gross": 12.09, "unit": "server/month",
                    "hardware": {"vcore": 1, "ram": "1", "hdds": [{"size": 40}]}}]},
                "software_licenses": [{"name": "red_hat_enterprise_linux", "price_net": "30", "pice_gross": 36.30, "unit": "license/month"}],
                "image": {"name": "storage", "price_net": null, "unit": "GB/month"}
            }
        }))
        .unwrap();
        let g = groups(&p);
        let labels: Vec<&str> = g.iter().map(|g| g.label).collect();
        assert_eq!(
            labels,
            vec!["Servers of a fixed size", "Images", "Software licences"]
        );
        let m = &g[0].rows[0];
        assert_eq!((m.net.as_str(), m.gross.as_str()), ("9.99", "12.09"));
        assert_eq!(m.per_hour, "0.01368 per server");
        assert_eq!(m.hardware, "1 vCore · 1 GB RAM · 40 GB disk");
        assert_eq!(g[1].rows[0].net, "—");
        assert_eq!(g[1].rows[0].per_hour, "—");
        assert_eq!(g[2].rows[0].name, "Red hat enterprise linux");
        assert_eq!(g[2].rows[0].gross, "36.3");
    }

    #[test]
    fn nothing_usable_gives_no_groups() {
        let p: Pricing = serde_json::from_value(json!({"pricing_plans": "broken"})).unwrap();
        assert!(groups(&p).is_empty());
        assert_eq!(currency(&p), "(currency not given)");
    }
}
