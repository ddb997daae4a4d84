//! A public IP's page: what it is, what it is assigned to (a link to that
//! server or load balancer), its reverse DNS name, and deletion; the status
//! badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::view::IpRow;
use crate::cloudpanel::networks::PublicIp;
use crate::rbac::perms;
use crate::web::cloud::{Object, found};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub reverse_dns: bool,
    pub delete: bool,
}

#[derive(Template)]
#[template(path = "public_ips/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    ip: &'a PublicIp,
    row: IpRow,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    busy: Option<String>,
    from_refresh: bool,
}

impl DetailPage<'_> {
    /// What deleting takes with it.
    fn delete_consequence(&self) -> String {
        match &self.row.assigned {
            Some(a) if a.is_load_balancer => format!(
                "It is the address of the load balancer {}: the Cloud Panel refuses to delete it \
                 while it is attached there.",
                a.link.label
            ),
            Some(a) => format!(
                "Its assignment to the {} {} ends: {} loses this address.",
                a.kind, a.link.label, a.link.label
            ),
            None => "It is not assigned to anything.".to_owned(),
        }
    }
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let fetched = found(
        &ctx,
        "this public IP",
        up.client().get_public_ip(&object.id).await,
    )?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let ip = fetched.value;
    let row = IpRow::new(&ip, &ctx, &up);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: row
                .badge
                .busy_reason("IP", "Changes to its reverse DNS name", false),
            ip: &ip,
            row,
            list_href: FAMILY.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
            can: Can {
                reverse_dns: ctx.can(perms::PUBLIC_IPS_SET_REVERSE_DNS),
                delete: ctx.can(perms::PUBLIC_IPS_DELETE),
            },
            from_refresh: false,
        },
    )
}
