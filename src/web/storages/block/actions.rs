//! Every change to a block storage. Each handler: the exact permission flag
//! and the account ([`Act::begin`]), the form checked (nothing sent when it
//! cannot be used), then the audited call ([`Act::run`]) and a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::detail::invalid_form;
use super::{list_href, storage_href};
use crate::cloudpanel::CloudError;
use crate::rbac::{Permission, perms};
use crate::web::cloud::{
    AccountParam, Act, Change, Target, Then, Upstream, check_id, check_typed_name, chosen_id,
};
use crate::web::confirm::Confirmation;
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::storages::{
    FieldErrors, Invalid, RenameFlags, check_description, check_name, rename_body,
};
use crate::web::{flash, redirect};

type StoragePath = web::Path<(String, String)>;

const RENAME_FLAGS: RenameFlags = RenameFlags {
    name: perms::BLOCK_STORAGES_SET_NAME,
    description: perms::BLOCK_STORAGES_SET_DESCRIPTION,
};

/// The common start of every handler: a valid id, the permission, the
/// account the form's address names.
async fn begin<'a>(
    ctx: &'a OrgCtx,
    session: &'a Session,
    account: &AccountParam,
    id: &str,
    permission: Permission,
) -> AppResult<Act<'a>> {
    check_id(id)?;
    Act::begin(ctx, session, account, permission, |up| Target {
        kind: "block_storage",
        id: id.to_owned(),
        page: format!("{}{}", storage_href(ctx, id), up.query()),
        list: list_href(ctx, up),
    })
    .await
}

/// A read the change depends on failed: said, nothing sent.
fn unreadable(act: &Act<'_>, e: &CloudError) -> AppResult<HttpResponse> {
    if matches!(e, CloudError::NotFound { .. }) {
        flash::error(
            act.session,
            "This no longer exists in the Cloud Panel: it was removed meanwhile.",
        );
        return Ok(redirect(act.list()));
    }
    act.unreadable("block storage", e)
}

// ---- name and description ----

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn rename(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: StoragePath,
    form: web::Form<RenameForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, RENAME_FLAGS.first(&ctx)).await?;
    let name = form.name.trim();
    let description = form.description.trim();
    let mut errors = FieldErrors::new();
    check_name(name, &mut errors);
    check_description(description, &mut errors);
    if !errors.is_empty() {
        let invalid = Invalid::new("rename", errors)
            .keep("name", name)
            .keep("description", description);
        return invalid_form(&act, &id, invalid).await;
    }
    // Only what changes is sent, and each change needs its own flag: the
    // current values are read first (fail closed when they cannot be).
    let current = match act.up.client().get_block_storage(&id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return unreadable(&act, &e),
    };
    let Some(body) = rename_body(
        &ctx,
        RENAME_FLAGS,
        (&current.name, &current.description),
        (name, description),
    )
    .await?
    else {
        flash::info(&session, "Nothing changed: these are the current values.");
        return Ok(redirect(act.page()));
    };
    let change = Change::new(
        "block_storage.rename",
        json!({ "name": body.name, "description": body.description }),
        "Saved: {name}.",
    );
    act.run(change, act.up.client().update_block_storage(&id, &body))
        .await
}

// ---- server ----

#[derive(Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    server_id: String,
}

pub async fn attach(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: StoragePath,
    form: web::Form<AttachForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
    )
    .await?;
    let Ok(Some(server_id)) = chosen_id(&form.server_id) else {
        return act
            .invalid("Choose the server to attach the block storage to. Nothing was changed.");
    };
    let server_name = server_name(&act.up, &server_id).await;
    let change = Change::new(
        "block_storage.attach",
        json!({ "server_id": server_id, "server_name": server_name }),
        format!(
            "Attaching {{name}} to {}.",
            server_name.as_deref().unwrap_or("the server")
        ),
    );
    act.run(
        change,
        act.up.client().attach_block_storage(&id, &server_id),
    )
    .await
}

/// A server's name from the (cached) list, for the audit log and the message.
async fn server_name(up: &Upstream, id: &str) -> Option<String> {
    up.client()
        .list_servers_shared(&crate::cloudpanel::ListQuery::all())
        .await
        .ok()
        .and_then(|f| f.value.iter().find(|s| s.id == id).map(|s| s.name.clone()))
}

pub async fn detach(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: StoragePath,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
    )
    .await?;
    if !form.given() {
        return act.unconfirmed("detach the block storage from its server");
    }
    // The server it is attached to now, named in the audit log and the message.
    let server = match act.up.client().get_block_storage_server(&id).await {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            return act.invalid(
                "The block storage is not attached to a server (any more). Nothing was changed.",
            );
        }
        Err(e) => return unreadable(&act, &e),
    };
    let change = Change::new(
        "block_storage.detach",
        json!({ "server_id": server.id, "server_name": server.name }),
        format!("Detaching {{name}} from {}.", server.name),
    );
    act.run(change, act.up.client().detach_block_storage(&id))
        .await
}

// ---- delete ----

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: StoragePath,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::BLOCK_STORAGES_DELETE).await?;
    // The typed name is compared with the storage's current name.
    let current = match act.up.client().get_block_storage(&id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return unreadable(&act, &e),
    };
    if let Err(message) =
        check_typed_name("block storage's name", &current.name, &form.confirm_name)
    {
        return act.invalid(&message);
    }
    let details = match &current.server {
        Some(server) if !server.id.is_empty() => {
            json!({ "detached_server_id": server.id, "detached_server_name": server.name })
        }
        _ => Value::Null,
    };
    let change = Change::new("block_storage.delete", details, "Deleting {name}.").then(Then::List);
    act.run(change, act.up.client().delete_block_storage(&id))
        .await
}
