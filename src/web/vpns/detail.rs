//! A VPN's page: overview, the configuration file to download, editing and
//! deletion; the status badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::view::VpnRow;
use crate::cloudpanel::networks::Vpn;
use crate::rbac::perms;
use crate::web::cloud::{Object, found};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub edit: bool,
    pub download: bool,
    pub delete: bool,
}

#[derive(Template)]
#[template(path = "vpns/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    vpn: &'a Vpn,
    row: VpnRow,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    busy: Option<String>,
    from_refresh: bool,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let fetched = found(&ctx, "this VPN", up.client().get_vpn(&object.id).await)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let vpn = fetched.value;
    let row = VpnRow::new(&vpn, &ctx, &up);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: row
                .badge
                .busy_reason("VPN", "Editing and the configuration file", false),
            vpn: &vpn,
            row,
            list_href: FAMILY.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
            can: Can {
                edit: ctx.can(perms::VPN_SET_NAME) || ctx.can(perms::VPN_SET_DESCRIPTION),
                download: ctx.can(perms::VPN_DOWNLOAD_FILE),
                delete: ctx.can(perms::VPN_DELETE),
            },
            from_refresh: false,
        },
    )
}
