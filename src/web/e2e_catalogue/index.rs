//! The catalogue page: the image select's groups as a list of links, and
//! the chosen image's plans as a table.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::cloudpanel::e2e::{ImageChoice, Plan};
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{AccountParam, open_switchable};
use crate::web::e2e_nodes::view::{money, ram};
use crate::web::e2e_nodes::{account_label, read_problem};
use crate::web::error::{AppResult, url_encode};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// The menu entry and URL word.
const WORD: &str = "e2e_catalogue";

/// `?image=<key>`: the image whose plans are shown.
#[derive(Debug, Default, Deserialize)]
pub struct ImageParam {
    #[serde(default)]
    image: String,
}

/// One image, linked to its plans.
pub struct ImageLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// The images of one display category.
pub struct Category {
    pub title: String,
    pub images: Vec<ImageLink>,
}

/// One plan of the chosen image.
pub struct PlanRow {
    pub name: String,
    pub plan: String,
    pub series: String,
    pub cpu: u32,
    pub ram: String,
    pub disk: u32,
    pub per_hour: String,
    pub per_month: String,
    /// "90 Days: 8,900.00 INR", one per committed term.
    pub committed: Vec<String>,
}

#[derive(Template)]
#[template(path = "e2e_catalogue/index.html")]
struct CataloguePage<'a> {
    page: &'a PageCtx,
    categories: Vec<Category>,
    /// The chosen image in words; empty when none is.
    chosen: String,
    plans: Vec<PlanRow>,
    problems: Vec<String>,
    accounts: AccountList,
    account_id: i64,
    account_name: String,
    list_href: String,
    /// The create page for the chosen image, for members who may create nodes.
    new_href: Option<String>,
}

fn plan_row(plan: &Plan) -> PlanRow {
    PlanRow {
        name: plan.name.clone(),
        plan: plan.plan.clone(),
        series: plan.specs.series.clone(),
        cpu: plan.specs.cpu,
        ram: ram(&plan.specs.ram),
        disk: plan.specs.disk_space,
        per_hour: money(plan.specs.price_per_hour, &plan.currency),
        per_month: money(plan.specs.price_per_month, &plan.currency),
        committed: plan
            .committed_sku
            .iter()
            .map(|s| {
                format!(
                    "{}: {}",
                    s.committed_sku_name,
                    money(s.committed_sku_price, &plan.currency)
                )
            })
            .collect(),
    }
}

/// The images grouped by display category, in the catalogue's order.
fn categories(
    choices: &[ImageChoice],
    href: impl Fn(&ImageChoice) -> String,
    chosen: Option<&ImageChoice>,
) -> Vec<Category> {
    let mut out: Vec<Category> = Vec::new();
    for c in choices {
        let title = if c.display_category.is_empty() {
            "Other images".to_owned()
        } else {
            c.display_category.clone()
        };
        let link = ImageLink {
            label: c.label(),
            href: href(c),
            current: chosen == Some(c),
        };
        match out.iter_mut().find(|g| g.title == title) {
            Some(group) => group.images.push(link),
            None => out.push(Category {
                title,
                images: vec![link],
            }),
        }
    }
    out
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    image: web::Query<ImageParam>,
) -> AppResult<HttpResponse> {
    let (up, accounts) = open_switchable(&ctx, &session, perms::E2E_NODES_SHOW, &account).await?;
    let mut problems = Vec::new();
    let choices = match up.client().image_choices().await {
        Ok(fetched) => fetched.value,
        Err(e) => {
            problems.push(read_problem(&up, "the OS images", &e));
            Vec::new()
        }
    };
    let key = image.image.trim();
    let chosen = if key.is_empty() {
        None
    } else {
        let found = ImageChoice::from_key(key).filter(|c| choices.contains(c));
        if found.is_none() && !choices.is_empty() {
            problems.push(
                "The chosen image is not among the images E2E Networks offers now: choose one below."
                    .to_owned(),
            );
        }
        found
    };
    let plans = match &chosen {
        None => Vec::new(),
        Some(c) => match up.client().plans(c).await {
            Ok(fetched) => fetched.value.iter().map(plan_row).collect(),
            Err(e) => {
                problems.push(read_problem(&up, "the plans of this image", &e));
                Vec::new()
            }
        },
    };
    let base = up.href(&ctx, WORD);
    let new_href = chosen
        .as_ref()
        .filter(|_| ctx.can(perms::E2E_NODES_CREATE))
        .map(|c| {
            format!(
                "{}&image={}",
                up.href(&ctx, "e2e_nodes/new"),
                url_encode(&c.key())
            )
        });
    let page = ctx.page.clone().with_section(WORD);
    render(
        StatusCode::OK,
        &CataloguePage {
            page: &page,
            categories: categories(
                &choices,
                |c| format!("{base}&image={}", url_encode(&c.key())),
                chosen.as_ref(),
            ),
            chosen: chosen.as_ref().map(ImageChoice::label).unwrap_or_default(),
            plans,
            problems,
            account_id: up.row().id,
            account_name: account_label(&up),
            accounts,
            list_href: ctx.href(WORD),
            new_href,
        },
    )
}
