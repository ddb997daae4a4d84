//! An image's page: overview with its source server and schedule, editing,
//! stopping the schedule and deletion; the status badge refreshes itself
//! while the image is being made.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::view::{ImageRow, busy_reason, servers};
use crate::cloudpanel::images::Image;
use crate::rbac::perms;
use crate::web::cloud::{Object, found};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub edit: bool,
    pub stop_schedule: bool,
    pub delete: bool,
}

#[derive(Template)]
#[template(path = "images/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    image: &'a Image,
    row: ImageRow,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    busy: Option<String>,
    from_refresh: bool,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    // Side by side: the page waits for the slowest, not the sum.
    let client = up.client();
    let (fetched, servers) = futures_util::join!(client.get_image(&object.id), servers(client));
    let fetched = found(&ctx, "this image", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let image = fetched.value;
    let row = ImageRow::new(&image, &servers, &ctx, &up);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: busy_reason(&row.badge, "image", "Stopping the schedule and deletion"),
            image: &image,
            can: Can {
                edit: ctx.can(perms::IMAGES_SET_NAME) || ctx.can(perms::IMAGES_SET_DESCRIPTION),
                stop_schedule: row.scheduled && ctx.can(perms::IMAGES_DISABLE_AUTOMATIC_CREATION),
                delete: ctx.can(perms::IMAGES_DELETE),
            },
            row,
            list_href: FAMILY.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
            from_refresh: false,
        },
    )
}
