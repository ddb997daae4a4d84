//! Every change to a block storage. Each handler: the exact permission flag
//! and the account ([`Act::begin`]), the form checked (nothing sent when it
//! cannot be used), then the audited call ([`Act::run`]) and a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::FAMILY;
use super::list::BlockStorages;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::storages::{BlockStorage, UpdateStorage};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, Deletable, NameFlags, Object, Upstream, chosen_id};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::storages::Renamed;

// ---- server ----

#[derive(Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    server_id: String,
}

pub async fn attach(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<AttachForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(
            &ctx,
            &session,
            perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
            &FAMILY,
        )
        .await?;
    let Ok(Some(server_id)) = chosen_id(&form.server_id) else {
        return act.invalid(&format!("{CHOOSE_SERVER} Nothing was changed."));
    };
    let change = attach_change(&server_id, server_name(&act.up, &server_id).await);
    act.run(change, act.up.client().attach_block_storage(id, &server_id))
        .await
}

/// The refusal of an attach that names no server.
pub(crate) const CHOOSE_SERVER: &str = "Choose the server to attach the block storage to.";

/// An attach to the server `server_id`, described for the audit log and the member.
pub(crate) fn attach_change(server_id: &str, server_name: Option<String>) -> Change {
    let message = format!(
        "Attaching {{name}} to {}.",
        server_name.as_deref().unwrap_or("the server")
    );
    Change::new(
        "block_storage.attach",
        json!({ "server_id": server_id, "server_name": server_name }),
        message,
    )
}

/// A server's name from the (cached) list, for the audit log and the message.
pub(crate) async fn server_name(up: &Upstream, id: &str) -> Option<String> {
    up.client()
        .list_servers_shared(&crate::cloudpanel::ListQuery::all())
        .await
        .ok()
        .and_then(|f| f.value.iter().find(|s| s.id == id).map(|s| s.name.clone()))
}

pub async fn detach(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(
            &ctx,
            &session,
            perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
            &FAMILY,
        )
        .await?;
    if !form.given() {
        return act.unconfirmed("detach the block storage from its server");
    }
    // The server it is attached to now, named in the audit log and the message.
    let server = match act.up.client().get_block_storage_server(id).await {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            return act.invalid(&format!("{NOT_ATTACHED} Nothing was changed."));
        }
        Err(e) => return act.unreadable("block storage", &e),
    };
    act.run(
        detach_change(&server),
        act.up.client().detach_block_storage(id),
    )
    .await
}

/// The refusal of a detach when the provider knows no server of the storage.
pub(crate) const NOT_ATTACHED: &str = "The block storage is not attached to a server (any more).";

/// A detach from `server`, the one it is attached to now.
pub(crate) fn detach_change(server: &IdName) -> Change {
    Change::new(
        "block_storage.detach",
        json!({ "server_id": server.id, "server_name": server.name }),
        format!("Detaching {{name}} from {}.", server.name),
    )
}

// ---- name and description ----

impl Renamed for BlockStorages {
    const FLAGS: NameFlags = NameFlags {
        name: perms::BLOCK_STORAGES_SET_NAME,
        description: perms::BLOCK_STORAGES_SET_DESCRIPTION,
    };
    const RENAME: &'static str = "block_storage.rename";

    fn description(storage: &BlockStorage) -> &str {
        &storage.description
    }

    async fn update(
        client: &AccountClient,
        id: &str,
        body: &UpdateStorage,
    ) -> Result<BlockStorage, CloudError> {
        client.update_block_storage(id, body).await
    }
}

// ---- delete ----

impl Deletable for BlockStorages {
    const DELETE: Permission = perms::BLOCK_STORAGES_DELETE;
    const ACTION: &'static str = "block_storage.delete";
    type Answer = BlockStorage;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<BlockStorage>, CloudError> {
        client.get_block_storage(id).await
    }

    async fn delete(client: &AccountClient, id: &str) -> Result<BlockStorage, CloudError> {
        client.delete_block_storage(id).await
    }

    fn typed(storage: &BlockStorage) -> &str {
        &storage.name
    }

    fn details(storage: &BlockStorage) -> Value {
        storage.delete_details()
    }
}
