//! What the handlers of every card of a server's page share. Each handler:
//! parse the form (a bad value is a flash message, nothing sent), check the
//! exact permission flag, record the `requested` event, call the Cloud
//! Panel, record the outcome with the same correlation id, and redirect with
//! a flash message (POST/redirect/GET). This file holds the common start
//! (the server's id, the permission, the account), the paths a handler takes
//! and the typed-name check of the destructive changes.

use actix_session::Session;
use actix_web::web;

use crate::rbac::Permission;
use crate::web::cloud::{AccountParam, Act, Target, Upstream, check_id, check_typed_name};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// The common start of every handler: a valid id, the permission, the
/// account the form's address names (the organisation's default when it
/// names none, never another tab's choice).
pub(super) async fn begin<'a>(
    ctx: &'a OrgCtx,
    session: &'a Session,
    account: &AccountParam,
    id: &str,
    permission: Permission,
) -> AppResult<Act<'a>> {
    check_id(id)?;
    Act::begin(ctx, session, account, permission, |up| Target {
        kind: "server",
        id: id.to_owned(),
        page: up.server_href(ctx, id),
        list: up.list_href(ctx),
    })
    .await
}

pub(super) type ServerPath = web::Path<(String, String)>;
pub(super) type SubPath = web::Path<(String, String, String)>;

/// Destructive actions need the server's name typed exactly.
pub(super) async fn confirm_name(up: &Upstream, id: &str, typed: &str) -> Result<(), String> {
    let server = up
        .client()
        .get_server(id)
        .await
        .map_err(|e| e.user_message())?;
    check_typed_name("server's name", &server.value.name, typed)
}
