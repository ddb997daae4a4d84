//! `/o/{slug}/usage`: what the account used over a period (`GET /usages`),
//! grouped by the payload's resource classes, with totals and a bar chart
//! per unit. The period is read like the logs' (a wrong custom range is
//! refused beside its field and nothing is sent).

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chart, account_tabs};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::logs::{UsageItem, Usages};
use crate::tenant::AccountList;
use crate::web::charts::bars::{self, Amount};
use crate::web::cloud::{FieldErrors, Loaded};
use crate::web::error::AppResult;
use crate::web::logs::filter::{Filter, LogsParams, PERIODS};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One period of the select.
pub struct PeriodOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One resource class of the payload (`SERVERS`, `IMAGES`, ...).
pub struct Family {
    pub key: String,
    pub label: String,
    pub items: Vec<Item>,
    /// The family's usage summed per unit: (unit, amount).
    pub totals: Vec<(String, String)>,
    /// What in the payload could not be read as a number.
    pub notes: Vec<String>,
}

pub struct Item {
    pub name: String,
    pub id: String,
    pub services: Vec<Service>,
}

pub struct Service {
    /// `CPU`, `RAM`, `size`, `UNUSED_IP`, ...
    pub kind: String,
    /// The address of an `IP` service, for instance.
    pub name: String,
    pub avg_amount: String,
    pub unit: String,
    pub usage: String,
}

#[derive(Template)]
#[template(path = "usage/usages.html")]
struct UsagesPage<'a> {
    page: &'a PageCtx,
    tabs: Vec<(&'static str, String, bool)>,
    filter: Filter,
    periods: Vec<PeriodOption>,
    errors: FieldErrors,
    accounts: AccountList,
    account_id: i64,
    list_href: String,
    families: Vec<Family>,
    charts: Vec<Chart>,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
    /// Whether the period was asked of the Cloud Panel.
    fetched: bool,
}

impl UsagesPage<'_> {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<LogsParams>,
) -> AppResult<HttpResponse> {
    let params = params.into_inner();
    let (up, accounts) = super::open(&ctx, &session, params.account_id()).await?;
    let account_id = up.row().id;
    let (filter, range, errors) = params.read();
    let fetched = range.is_some();
    let loaded: Loaded<Usages> = match &range {
        Some(range) => Loaded::from(
            "the usages",
            up.client().get_usages(range, &ListQuery::all()).await,
        ),
        // A wrong custom date: the message beside the field, nothing sent.
        None => Loaded {
            items: Usages::default(),
            notice: None,
            problem: None,
            retry_after: None,
        },
    };
    let (families, charts) = summarise(&loaded.items);
    let page = ctx.page.clone().with_section("usage");
    render(
        StatusCode::OK,
        &UsagesPage {
            page: &page,
            tabs: account_tabs(&ctx, &up.query(), "usage"),
            periods: PERIODS
                .iter()
                .map(|(key, label)| PeriodOption {
                    key,
                    label,
                    selected: *key == filter.period,
                })
                .collect(),
            filter,
            errors,
            accounts,
            account_id,
            list_href: ctx.href("usage"),
            families,
            charts,
            notice: loaded.notice,
            problem: loaded.problem,
            retry_after: loaded.retry_after,
            fetched,
        },
    )
}

/// Words for the resource classes the reference shows; any other class is
/// still listed, under its own key made readable.
pub fn family_label(key: &str) -> String {
    match key {
        "SERVERS" => "Servers".into(),
        "IMAGES" => "Images".into(),
        "SHARED_STORAGES" => "Shared storages".into(),
        "PUBLIC_IPS" => "Public IPs".into(),
        "SNAPSHOTS" => "Snapshots".into(),
        "BLOCK_STORAGES" => "Block storages".into(),
        "LOAD_BALANCERS" => "Load balancers".into(),
        other => {
            let words = other.replace('_', " ").to_lowercase();
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => "(unnamed)".into(),
            }
        }
    }
}

/// A unit as the payload spells it, or a word when it gave none.
fn unit_of(unit: &str) -> String {
    let unit = unit.trim();
    if unit.is_empty() {
        "units".into()
    } else {
        unit.to_owned()
    }
}

/// The payload as families with totals, and one chart per unit whose bars
/// are each family's services ("Servers · RAM"). The usage is the average
/// amount times the hours of the period, so the charts are in unit-hours.
pub fn summarise(usages: &Usages) -> (Vec<Family>, Vec<Chart>) {
    let mut per_unit: BTreeMap<String, Vec<Amount>> = BTreeMap::new();
    let families = usages
        .0
        .iter()
        .map(|(key, items)| {
            let label = family_label(key);
            let mut totals: BTreeMap<String, f64> = BTreeMap::new();
            let mut by_service: BTreeMap<(String, String), f64> = BTreeMap::new();
            for service in items.iter().flat_map(|i| &i.services) {
                let unit = unit_of(&service.unit);
                *totals.entry(unit.clone()).or_default() += service.usage;
                *by_service.entry((unit, service.kind.clone())).or_default() += service.usage;
            }
            for ((unit, kind), amount) in by_service {
                let bar = if kind.is_empty() {
                    label.clone()
                } else {
                    format!("{label} · {kind}")
                };
                per_unit
                    .entry(unit)
                    .or_default()
                    .push(Amount::new(bar, amount));
            }
            let notes = items
                .iter()
                .flat_map(|i| i.services.iter().map(move |s| (i, s)))
                .filter(|(_, s)| {
                    let raw = s.avg_amount.trim();
                    !raw.is_empty() && !raw.parse::<f64>().is_ok_and(f64::is_finite)
                })
                .map(|(i, s)| {
                    format!(
                        "{} · {}: the average amount “{}” is not a number; it is shown as given.",
                        i.name, s.kind, s.avg_amount
                    )
                })
                .collect();
            Family {
                key: key.clone(),
                label,
                notes,
                items: items.iter().map(item).collect(),
                totals: totals
                    .into_iter()
                    .map(|(unit, sum)| (format!("{unit}·h"), bars::number(sum)))
                    .collect(),
            }
        })
        .collect();
    let charts = per_unit
        .into_iter()
        .map(|(unit, amounts)| {
            let title = format!("Usage in {unit}-hours per family and service");
            Chart::new(&title, &format!("{unit}·h"), &amounts)
        })
        .collect();
    (families, charts)
}

fn item(i: &UsageItem) -> Item {
    Item {
        name: if i.name.is_empty() {
            "(no name)".into()
        } else {
            i.name.clone()
        },
        id: i.id.clone().unwrap_or_default(),
        services: i
            .services
            .iter()
            .map(|s| Service {
                kind: s.kind.clone(),
                name: s.name.clone(),
                avg_amount: s
                    .avg_amount
                    .trim()
                    .parse::<f64>()
                    .map_or_else(|_| s.avg_amount.clone(), bars::number),
                unit: s.unit.clone(),
                usage: bars::number(s.usage),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn usages(v: serde_json::Value) -> Usages {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn families_have_totals_per_unit_and_a_chart_per_unit() {
        let u = usages(json!({
            "SERVERS": [{"id": "S", "name": "web", "services": [
                {"type": "CPU", "avg_amount": "2", "unit": "vCore", "usage": 48},
                {"type": "RAM", "avg_amount": "4", "unit": "GB", "usage": 96},
                {"type": "HDD", "avg_amount": "40", "unit": "GB", "usage": 960}]}],
            "IMAGES": [{"id": "I", "name": "img", "services": [{"type": "size", "avg_amount": "10", "unit": "GB", "usage": "240"}]}],
            "PUBLIC_IPS": [{"name": "10.0.0.1", "services": [{"type": "UNUSED_IP", "unit": "IP", "usage": 24}]}]
        }));
        let (families, charts) = summarise(&u);
        let servers = families.iter().find(|f| f.key == "SERVERS").unwrap();
        assert_eq!(servers.label, "Servers");
        assert_eq!(
            servers.totals,
            vec![
                ("GB·h".to_string(), "1\u{202f}056".to_string()),
                ("vCore·h".to_string(), "48".to_string())
            ]
        );
        let images = families.iter().find(|f| f.key == "IMAGES").unwrap();
        assert_eq!(images.items[0].services[0].usage, "240");
        let units: Vec<&str> = charts.iter().map(|c| c.unit.as_str()).collect();
        assert_eq!(units, vec!["GB·h", "IP·h", "vCore·h"]);
        let gb = &charts[0];
        let labels: Vec<&str> = gb.chart.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            vec!["Images · size", "Servers · HDD", "Servers · RAM"]
        );
    }

    #[test]
    fn a_hostile_payload_is_shown_not_fatal() {
        let u = usages(json!({
            "SERVERS": "not a list",
            "NEW_THING": [{"name": "<b>x</b>", "services": [
                {"type": "size", "avg_amount": "lots", "unit": "", "usage": "many"},
                {"type": "size", "avg_amount": 1e300, "unit": "GB", "usage": -5}]}],
            "SNAPSHOTS": []
        }));
        let (families, charts) = summarise(&u);
        assert_eq!(families.len(), 3);
        let new = families.iter().find(|f| f.key == "NEW_THING").unwrap();
        assert_eq!(new.label, "New thing");
        assert_eq!(new.items[0].services[0].avg_amount, "lots");
        assert_eq!(new.notes.len(), 1, "{:?}", new.notes);
        assert!(new.notes[0].contains("“lots” is not a number"));
        assert_eq!(new.items[0].services[1].usage, "-5");
        let gb = charts.iter().find(|c| c.unit == "GB·h").unwrap();
        assert!(gb.chart.svg.is_none(), "a negative amount is not drawn");
        assert!(gb.chart.notes[0].contains("negative"));
        assert!(
            families
                .iter()
                .any(|f| f.key == "SNAPSHOTS" && f.items.is_empty())
        );
    }

    #[test]
    fn nothing_at_all_gives_no_chart() {
        let (families, charts) = summarise(&Usages::default());
        assert!(families.is_empty() && charts.is_empty());
    }
}
