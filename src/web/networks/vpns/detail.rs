//! A VPN's page: overview, the configuration file to download, editing and
//! deletion; the status badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::list::current_row;
use super::view::VpnRow;
use crate::cloudpanel::networks::Vpn;
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Fallback, check_id, connect, found, fragment};
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

#[derive(Template)]
#[template(path = "vpns/status.html")]
struct StatusFragment<'a> {
    row: &'a VpnRow,
    from_refresh: bool,
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::VPN_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let fetched = found(&ctx, "this VPN", up.client().get_vpn(id).await)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let vpn = fetched.value;
    let row = VpnRow::new(&vpn, &ctx, &up);
    let page = ctx.page.clone().with_section("vpns");
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: row
                .badge
                .busy_reason("VPN", "Editing and the configuration file", false),
            vpn: &vpn,
            row,
            list_href: up.href(&ctx, "vpns"),
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

/// The status badge alone, for the page's script while work is in progress.
pub async fn status(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::VPN_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&StatusFragment {
        row: &row,
        from_refresh: true,
    })
}
