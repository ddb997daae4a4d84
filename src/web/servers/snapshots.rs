//! The snapshot card: taking, restoring (the server's name typed to confirm)
//! and deleting the server's snapshot.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::FAMILY;
use super::typed_name::confirm_name;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

pub async fn create_snapshot(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_MANAGE_SNAPSHOT, &FAMILY)
        .await?;
    let change = Change {
        action: "server.snapshot_create",
        details: Value::Null,
        success: "Taking a snapshot of {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().create_server_snapshot(id))
        .await
}

/// Restoring overwrites the disks: the server's name is typed to confirm.
#[derive(Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    confirm_name: String,
}

pub async fn restore_snapshot(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RestoreForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let snapshot_id = object.other("snapshot_id")?;
    let act = object
        .act(&ctx, &session, perms::SERVERS_MANAGE_SNAPSHOT, &FAMILY)
        .await?;
    if let Err(message) = confirm_name(&act.up, id, &form.confirm_name).await {
        return act.invalid(&message);
    }
    let change = Change {
        action: "server.snapshot_restore",
        details: json!({ "snapshot_id": snapshot_id }),
        success: "Restoring {name} from its snapshot.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().restore_server_snapshot(id, snapshot_id),
    )
    .await
}

pub async fn delete_snapshot(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let snapshot_id = object.other("snapshot_id")?;
    let act = object
        .act(&ctx, &session, perms::SERVERS_MANAGE_SNAPSHOT, &FAMILY)
        .await?;
    if !form.given() {
        return act.unconfirmed("delete the snapshot");
    }
    let change = Change {
        action: "server.snapshot_delete",
        details: json!({ "snapshot_id": snapshot_id }),
        success: "Deleting the snapshot of {name}.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().delete_server_snapshot(id, snapshot_id),
    )
    .await
}
