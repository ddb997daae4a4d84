//! `GET /new`: images are saved from a node, powered off so that its disk
//! holds still. This page says so and lists the nodes, the powered-off
//! ones linked to their "Save an image" card.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::FAMILY;
use crate::cloudpanel::e2e::NodeState;
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Fallback, connect};
use crate::web::e2e_nodes::{account_label, read_problem};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// A node an image could be saved of, now or after powering it off.
pub struct NodeLink {
    pub name: String,
    pub status: String,
    /// Its "Save an image" card.
    pub href: String,
    pub ready: bool,
}

#[derive(Template)]
#[template(path = "e2e_images/new.html")]
struct NewPage<'a> {
    page: &'a PageCtx,
    nodes: Vec<NodeLink>,
    problem: Option<String>,
    list_href: String,
    account_name: String,
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::E2E_IMAGES_SAVE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let (mut nodes, problem) = match up.client().list_nodes().await {
        Ok(fetched) => (
            fetched
                .value
                .iter()
                .map(|n| NodeLink {
                    name: n.name.clone(),
                    status: n.status.clone(),
                    href: format!(
                        "{}#save-image",
                        up.href(&ctx, &format!("e2e_nodes/{}", n.id))
                    ),
                    ready: n.state() == NodeState::PoweredOff,
                })
                .collect::<Vec<_>>(),
            None,
        ),
        Err(e) => (Vec::new(), Some(read_problem(&up, "the nodes", &e))),
    };
    nodes.sort_by_cached_key(|n| (!n.ready, n.name.to_lowercase()));
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &NewPage {
            page: &page,
            nodes,
            problem,
            list_href: FAMILY.list_on(&ctx, &up),
            account_name: account_label(&up),
        },
    )
}
