//! An SSH key's page: overview with the public key and the servers that
//! were given it, editing and deletion.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::view::KeyRow;
use crate::cloudpanel::ssh_keys::SshKey;
use crate::rbac::perms;
use crate::web::cloud::{Object, found};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub edit: bool,
    pub delete: bool,
}

#[derive(Template)]
#[template(path = "ssh_keys/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    key: &'a SshKey,
    row: KeyRow,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let fetched = found(
        &ctx,
        "this SSH key",
        up.client().get_ssh_key(&object.id).await,
    )?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let key = fetched.value;
    let row = KeyRow::new(&key, &ctx, &up);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            key: &key,
            row,
            list_href: FAMILY.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
            can: Can {
                edit: ctx.can(perms::SSH_KEYS_SET_NAME) || ctx.can(perms::SSH_KEYS_SET_DESCRIPTION),
                delete: ctx.can(perms::SSH_KEYS_DELETE),
            },
        },
    )
}
