//! A policy's ports, processes and servers, each read on its own
//! (`GET /monitoring_policies/{id}/ports`, `/processes`, `/servers` and
//! `/servers/{server_id}`): the "Reload" of one card of the policy's page,
//! and the page of one attached server. The policy's page itself reads
//! everything in one `GET /monitoring_policies/{id}`; these small reads
//! spend the account's shared request budget only on what the member asked
//! to see again.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::monitoring::{PortAlert, ProcessAlert};
use crate::rbac::perms;
use crate::web::cloud::{Object, found};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One card of the policy's page, as its own read answered it.
enum Card {
    Ports(Vec<PortAlert>),
    Processes(Vec<ProcessAlert>),
    Servers(Vec<IdName>),
}

#[derive(Template)]
#[template(path = "monitoring_policies/part_card.html")]
struct CardPage<'a> {
    page: &'a PageCtx,
    /// The policy's page, with the account query.
    policy: String,
    /// This card's own address, with the account query.
    reload: String,
    /// Where the attached servers' pages start (without the account query).
    servers_base: String,
    query: String,
    title: &'static str,
    name: &'static str,
    card: Card,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "monitoring_policies/part_server.html")]
struct ServerPage<'a> {
    page: &'a PageCtx,
    policy: String,
    server: IdName,
    /// The server's monitoring data, for members who may open it.
    monitoring: Option<String>,
    notice: Option<String>,
}

fn notice_of<T>(fetched: &crate::cloudpanel::Fetched<T>) -> Option<String> {
    fetched.freshness().map(|f| format!("Showing {f}."))
}

/// `GET /o/{slug}/monitoring_policies/{id}/cards/{card}`.
pub async fn card(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let (id, name) = (&object.id, object.other("card")?);
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let client = up.client();
    let (title, name, card, notice) = match name {
        "ports" => {
            let fetched = found(
                &ctx,
                "this policy's ports",
                client.list_monitoring_policy_ports(id).await,
            )?;
            let notice = notice_of(&fetched);
            ("Ports", "ports", Card::Ports(fetched.value), notice)
        }
        "processes" => {
            let fetched = found(
                &ctx,
                "this policy's processes",
                client.list_monitoring_policy_processes(id).await,
            )?;
            let notice = notice_of(&fetched);
            (
                "Processes",
                "processes",
                Card::Processes(fetched.value),
                notice,
            )
        }
        "servers" => {
            let fetched = found(
                &ctx,
                "this policy's servers",
                client.list_monitoring_policy_servers(id).await,
            )?;
            let notice = notice_of(&fetched);
            ("Servers", "servers", Card::Servers(fetched.value), notice)
        }
        _ => return Err(AppError::NotFound.in_page(&ctx.page)),
    };
    let policy_href = FAMILY.href(&ctx, id);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &CardPage {
            page: &page,
            policy: format!("{policy_href}{}", up.query()),
            reload: format!("{policy_href}/cards/{name}{}", up.query()),
            servers_base: format!("{policy_href}/servers"),
            query: up.query(),
            title,
            name,
            card,
            notice,
        },
    )
}

/// `GET /o/{slug}/monitoring_policies/{id}/servers/{item_id}`: one attached server.
pub async fn server(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let (id, server_id) = (&object.id, object.other("item_id")?);
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let fetched = found(
        &ctx,
        "this server in the policy",
        up.client()
            .get_monitoring_policy_server(id, server_id)
            .await,
    )?;
    let monitoring = ctx
        .can(perms::MONITORING_CENTER_SHOW)
        .then(|| up.href(&ctx, &format!("monitoring/{server_id}")));
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &ServerPage {
            page: &page,
            policy: FAMILY.page_href(&ctx, &up, id),
            notice: notice_of(&fetched),
            server: fetched.value,
            monitoring,
        },
    )
}
