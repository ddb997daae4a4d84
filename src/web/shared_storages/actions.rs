//! Every change to a shared storage. Each handler: the exact permission
//! flag and the account ([`Object::act`]), the form checked (nothing sent
//! when it cannot be used), then the audited call (`Act::run`) and a flash;
//! the deletion is the common one ([`Deletable`]).
//!
//! The API has no call to change a server's rights: attaching a server that
//! already has access replaces its rights. So attaching refuses servers that
//! have access (it would silently lower RW to R), and the rights change is
//! its own action, whose lowering takes the confirm step.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::list::SharedStorages;
use super::{FAMILY, rights_label};
use crate::cloudpanel::storages::{
    SharedStorage, SharedStorageGrant, SharedStorageServer, UpdateStorage,
};
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, Deletable, NameFlags, Object, Upstream, chosen_id};
use crate::web::confirm::{self, Confirmation};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::storages::{FieldErrors, Plan, Renamed, SHARED_SIZE};
use crate::web::{flash, redirect};

/// `R` or `RW`; anything else is `None`.
pub(crate) fn parse_rights(raw: &str) -> Option<&'static str> {
    match raw.trim() {
        "R" => Some("R"),
        "RW" => Some("RW"),
        _ => None,
    }
}

/// A server's name from the (cached) list, for the audit log and the message.
pub(crate) async fn server_name(up: &Upstream, id: &str) -> Option<String> {
    up.client()
        .list_servers_shared(&ListQuery::all())
        .await
        .ok()
        .and_then(|f| f.value.iter().find(|s| s.id == id).map(|s| s.name.clone()))
}

// ---- size ----

#[derive(Deserialize, Serialize)]
pub struct ResizeForm {
    #[serde(default)]
    size: String,
}

pub async fn resize(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<ResizeForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SHARED_STORAGES_RESIZE, &FAMILY)
        .await?
        .keeping("resize", &*form);
    let size = match SHARED_SIZE.parse(&form.size) {
        Ok(size) => size,
        Err(message) => return act.invalid(&format!("{message} Nothing was changed.")),
    };
    let current = match act.up.client().get_shared_storage(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    let (body, change) = match resized(&current, size) {
        Plan::Send(planned) => planned,
        Plan::Same(news) => {
            flash::info(&session, news);
            return Ok(redirect(act.page()));
        }
        Plan::Refused(message) => return act.invalid(&format!("{message} Nothing was changed.")),
    };
    act.run(change, act.up.client().update_shared_storage(id, &body))
        .await
}

/// A resize of `current` to `size` GB (a size of the family's rule): it
/// never shrinks.
pub(crate) fn resized(current: &SharedStorage, size: u32) -> Plan<(UpdateStorage, Change)> {
    if size < current.size {
        return Plan::Refused(format!(
            "A shared storage cannot shrink: choose at least its current {} GB.",
            current.size
        ));
    }
    if size == current.size {
        return Plan::Same(format!(
            "Nothing changed: {} already has {size} GB.",
            current.name
        ));
    }
    let body = UpdateStorage {
        size: Some(size),
        ..Default::default()
    };
    let change = Change::new(
        "shared_storage.resize",
        json!({ "size": size, "previous_size": current.size }),
        format!("Resizing {{name}} to {size} GB."),
    );
    Plan::Send((body, change))
}

// ---- servers ----

#[derive(Deserialize, Serialize)]
pub struct AttachForm {
    #[serde(default)]
    server_id: String,
    #[serde(default)]
    rights: String,
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
            perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
            &FAMILY,
        )
        .await?
        .keeping("attach", &*form);
    let (server_id, rights) =
        match attach_checked(act.up.client(), id, &form.server_id, &form.rights).await {
            Ok(Ok(checked)) => checked,
            Ok(Err(errors)) => return act.invalid_fields(errors),
            Err(e) => return act.unreadable(FAMILY.one, &e),
        };
    let server_name = server_name(&act.up, &server_id).await;
    let (grant, change) = attach_change(&server_id, server_name, rights);
    act.run(
        change,
        act.up.client().attach_shared_storage_servers(id, &grant),
    )
    .await
}

/// The server and rights an attach gives the storage `id`, checked as its
/// form is: the message beside each bad field, or the read that failed.
/// A server with access already would have its rights replaced: refused
/// here, so that a right is only ever lowered through its own change.
pub(crate) async fn attach_checked(
    client: &AccountClient,
    id: &str,
    server_id: &str,
    rights: &str,
) -> Result<Result<(String, &'static str), FieldErrors>, CloudError> {
    let mut errors = FieldErrors::new();
    let server_id = match chosen_id(server_id) {
        Ok(Some(server_id)) => Some(server_id),
        _ => {
            errors.insert("server_id", "Choose the server to give access.".to_owned());
            None
        }
    };
    let rights = parse_rights(rights);
    if rights.is_none() {
        errors.insert("rights", CHOOSE_RIGHTS.to_owned());
    }
    if let Some(server_id) = &server_id {
        let attached = client.list_shared_storage_servers(id).await?;
        if let Some(server) = attached.value.iter().find(|s| &s.id == server_id) {
            errors.insert(
                "server_id",
                format!(
                    "{} already has access ({}); change its rights in the table above.",
                    server.name,
                    rights_label(&server.rights)
                ),
            );
        }
    }
    Ok(match (server_id, rights) {
        (Some(server_id), Some(rights)) if errors.is_empty() => Ok((server_id, rights)),
        _ => Err(errors),
    })
}

/// What an attach sends and how it is described.
pub(crate) fn attach_change(
    server_id: &str,
    server_name: Option<String>,
    rights: &'static str,
) -> ([SharedStorageGrant; 1], Change) {
    let grant = [SharedStorageGrant {
        id: server_id.to_owned(),
        rights: rights.to_owned(),
    }];
    let message = format!(
        "Giving {} {} access to {{name}}.",
        server_name.as_deref().unwrap_or("the server"),
        rights_label(rights)
    );
    let change = Change::new(
        "shared_storage.attach",
        json!({ "server_id": server_id, "server_name": server_name, "rights": rights }),
        message,
    );
    (grant, change)
}

/// The refusal of rights that are neither `R` nor `RW`.
pub(crate) const CHOOSE_RIGHTS: &str = "Choose read only (R) or read and write (RW).";

/// The refusal of a change to a server without access.
pub(crate) const NO_ACCESS: &str = "That server has no access to this shared storage (any more).";

#[derive(Deserialize)]
pub struct RightsForm {
    #[serde(default)]
    rights: String,
    #[serde(default)]
    confirm: String,
}

pub async fn rights(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RightsForm>,
) -> AppResult<HttpResponse> {
    let (id, server_id) = (&object.id, object.other("server_id")?);
    let act = object
        .act(
            &ctx,
            &session,
            perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
            &FAMILY,
        )
        .await?;
    let Some(rights) = parse_rights(&form.rights) else {
        return act.invalid(&format!("{CHOOSE_RIGHTS} Nothing was changed."));
    };
    // Read only is the least a server can have: asking for it may lower a right.
    if rights == "R" && !confirm::is_yes(&form.confirm) {
        return act.unconfirmed("make the server read-only");
    }
    let current = match act
        .up
        .client()
        .get_shared_storage_server(id, server_id)
        .await
    {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            return act.invalid(&format!("{NO_ACCESS} Nothing was changed."));
        }
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    let (grant, change) = match rights_changed(server_id, &current, rights) {
        Plan::Send(planned) => planned,
        Plan::Same(news) => {
            flash::info(&session, news);
            return Ok(redirect(act.page()));
        }
        Plan::Refused(message) => return act.invalid(&format!("{message} Nothing was changed.")),
    };
    act.run(
        change,
        act.up.client().attach_shared_storage_servers(id, &grant),
    )
    .await
}

/// A change of the rights of `current`, a server with access, to `rights`.
pub(crate) fn rights_changed(
    server_id: &str,
    current: &SharedStorageServer,
    rights: &'static str,
) -> Plan<([SharedStorageGrant; 1], Change)> {
    if current.rights == rights {
        return Plan::Same(format!(
            "Nothing changed: {} already has {} access.",
            current.name,
            rights_label(rights)
        ));
    }
    let grant = [SharedStorageGrant {
        id: server_id.to_owned(),
        rights: rights.to_owned(),
    }];
    let change = Change::new(
        "shared_storage.rights",
        json!({
            "server_id": server_id,
            "server_name": current.name,
            "rights": rights,
            "previous_rights": current.rights,
        }),
        format!(
            "{} now gets {} access to {{name}}.",
            current.name,
            rights_label(rights)
        ),
    );
    Plan::Send((grant, change))
}

pub async fn detach(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (id, server_id) = (&object.id, object.other("server_id")?);
    let act = object
        .act(
            &ctx,
            &session,
            perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
            &FAMILY,
        )
        .await?;
    if !form.given() {
        return act.unconfirmed("detach the server from the shared storage");
    }
    let change = detach_change(server_id, server_name(&act.up, server_id).await);
    act.run(
        change,
        act.up.client().detach_shared_storage_server(id, server_id),
    )
    .await
}

/// A detach of the server `server_id`, described for the audit log and the member.
pub(crate) fn detach_change(server_id: &str, server_name: Option<String>) -> Change {
    let message = format!(
        "Detaching {} from {{name}}.",
        server_name.as_deref().unwrap_or("the server")
    );
    Change::new(
        "shared_storage.detach",
        json!({ "server_id": server_id, "server_name": server_name }),
        message,
    )
}

// ---- name and description ----

impl Renamed for SharedStorages {
    const FLAGS: NameFlags = NameFlags {
        name: perms::SHARED_STORAGES_SET_NAME,
        description: perms::SHARED_STORAGES_SET_DESCRIPTION,
    };
    const RENAME: &'static str = "shared_storage.rename";

    fn description(storage: &SharedStorage) -> &str {
        &storage.description
    }

    async fn update(
        client: &AccountClient,
        id: &str,
        body: &UpdateStorage,
    ) -> Result<SharedStorage, CloudError> {
        client.update_shared_storage(id, body).await
    }
}

// ---- delete ----

impl Deletable for SharedStorages {
    const DELETE: Permission = perms::SHARED_STORAGES_DELETE;
    const ACTION: &'static str = "shared_storage.delete";
    type Answer = SharedStorage;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<SharedStorage>, CloudError> {
        client.get_shared_storage(id).await
    }

    async fn delete(client: &AccountClient, id: &str) -> Result<SharedStorage, CloudError> {
        client.delete_shared_storage(id).await
    }

    fn typed(storage: &SharedStorage) -> &str {
        &storage.name
    }

    fn details(storage: &SharedStorage) -> Value {
        storage.delete_details()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apis_rights_are_accepted() {
        assert_eq!(parse_rights("R"), Some("R"));
        assert_eq!(parse_rights(" RW "), Some("RW"));
        for other in ["", "r", "W", "RWX", "rw"] {
            assert_eq!(parse_rights(other), None, "{other:?}");
        }
    }
}
