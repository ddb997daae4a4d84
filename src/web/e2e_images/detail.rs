//! A saved image's page, drawn from the list (E2E has no single read of
//! one): its facts, rename and delete. The status badge refreshes itself
//! while the image is being saved.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::list::Images;
use super::view::ImageRow;
use super::{FAMILY, find_image};
use crate::cloudpanel::e2e::SavedImage;
use crate::rbac::perms;
use crate::web::cloud::{HasStatus, Listed, Object, Templates, current_row, found_from};
use crate::web::e2e_nodes::{account_label, numeric_id};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member's role lets them do here.
pub struct Can {
    pub rename: bool,
    pub delete: bool,
    /// Creating nodes from the image.
    pub create_node: bool,
}

#[derive(Template)]
#[template(path = "e2e_images/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    image: &'a SavedImage,
    row: ImageRow,
    list_href: String,
    /// The create page with this image chosen, when it is ready.
    new_node_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    /// Why renaming and deleting wait.
    busy: Option<String>,
    from_refresh: bool,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let id = numeric_id(&ctx, &object.id)?;
    let fetched = found_from(
        &ctx,
        up.api_name(),
        "this saved image",
        find_image(up.client(), id).await,
    )?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let image = fetched.value;
    let row = Images::row(&ctx, &up, &image);
    let new_node_href = format!(
        "{}&image={}",
        up.href(&ctx, "e2e_nodes/new"),
        crate::web::error::url_encode(&format!("saved:{}", image.template_id))
    );
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: row
                .badge
                .busy_reason("saved image", "Renaming and deleting", false),
            image: &image,
            row,
            list_href: FAMILY.list_on(&ctx, &up),
            new_node_href,
            account_name: account_label(&up),
            notice,
            can: Can {
                rename: ctx.can(perms::E2E_IMAGES_RENAME),
                delete: ctx.can(perms::E2E_IMAGES_DELETE),
                create_node: ctx.can(perms::E2E_NODES_CREATE),
            },
            from_refresh: false,
        },
    )
}

/// `GET /{id}/row`: one row, for a row being saved that refreshes itself.
pub async fn row(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?.polling();
    let id = numeric_id(&ctx, &object.id)?;
    let row = current_row::<Images>(&up, &ctx, id).await?;
    Images::render_row(&row)
}

/// `GET /{id}/status`: the status badge alone, for the page's script.
pub async fn status(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?.polling();
    let id = numeric_id(&ctx, &object.id)?;
    let row = current_row::<Images>(&up, &ctx, id).await?;
    Images::render_status(&row)
}
