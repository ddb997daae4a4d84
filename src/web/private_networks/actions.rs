//! The changes made from a private network's page: attach servers, detach
//! one (confirm step), delete (typed name). Each goes through
//! `cloud::Act`: the exact flag, the audit pair, a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::networks::PrivateNetwork;
use crate::cloudpanel::{CloudError, ListQuery};
use crate::rbac::perms;
use crate::web::cloud::{Act, Change, Named, Object, Then, check_id};
use crate::web::confirm::Confirmation;
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::networks::parts::check_typed_name;
use crate::web::org_ctx::OrgCtx;

/// The network named by the answer of a change that answers something else.
struct NetworkName {
    id: String,
    name: String,
}

impl Named for NetworkName {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// The network as it is now, or the answer for a network that cannot be read.
async fn current(act: &Act<'_>, id: &str) -> Result<PrivateNetwork, AppResult<HttpResponse>> {
    match act.up.client().get_private_network(id).await {
        Ok(fetched) => Ok(fetched.value),
        Err(e) => Err(act.unreadable(FAMILY.one, &e)),
    }
}

fn label(server: &IdName) -> &str {
    if server.name.is_empty() {
        &server.id
    } else {
        &server.name
    }
}

pub async fn attach(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(
            &ctx,
            &session,
            perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
            &FAMILY,
        )
        .await?;
    // Repeated `server_id` fields: one per ticked server.
    let mut ids: Vec<String> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        let value = value.trim();
        if key != "server_id" || value.is_empty() {
            continue;
        }
        if check_id(value).is_err() {
            return act.invalid("Choose the servers from the list. Nothing was changed.");
        }
        if !ids.iter().any(|i| i == value) {
            ids.push(value.to_owned());
        }
    }
    if ids.is_empty() {
        return act.invalid("Choose at least one server to attach. Nothing was changed.");
    }
    let network = match current(&act, id).await {
        Ok(network) => network,
        Err(answer) => return answer,
    };
    // The servers' names, for the message (the list is cached and shared).
    let names: Vec<String> = match act.up.client().list_servers_shared(&ListQuery::all()).await {
        Ok(servers) => ids
            .iter()
            .map(|i| {
                servers
                    .value
                    .iter()
                    .find(|s| &s.id == i)
                    .map_or_else(|| i.clone(), |s| s.name.clone())
            })
            .collect(),
        Err(_) => ids.clone(),
    };
    let change = Change {
        action: "private_network.attach_servers",
        details: json!({ "server_ids": ids, "server_names": names }),
        success: format!("Attaching {} to {{name}}.", names.join(", ")),
        then: Then::Page,
    };
    let client = act.up.client();
    let named = NetworkName {
        id: network.id.clone(),
        name: network.name.clone(),
    };
    let call = async {
        client
            .add_private_network_servers(id, &ids)
            .await
            .map(|_attached| named)
    };
    act.run(change, call).await
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
            perms::PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
            &FAMILY,
        )
        .await?;
    if !form.given() {
        return act.unconfirmed("detach the server from the private network");
    }
    // The network's own account of the server: whether it is attached at
    // all, and its name for the message.
    let server = match act
        .up
        .client()
        .get_private_network_server(id, server_id)
        .await
    {
        Ok(fetched) => fetched.value,
        // The network itself is gone.
        Err(e) if matches!(&e, CloudError::NotFound { kind, .. } if kind.contains("PRIVATE_NETWORK")) =>
        {
            return act.unreadable(FAMILY.one, &e);
        }
        Err(CloudError::NotFound { .. }) => {
            return act.invalid(
                "That server is not attached to this private network any more. Nothing was changed.",
            );
        }
        Err(_) => IdName {
            id: server_id.to_owned(),
            name: String::new(),
        },
    };
    let name = if server.name.is_empty() {
        "the server".to_owned()
    } else {
        server.name.clone()
    };
    let change = Change {
        action: "private_network.detach_server",
        details: json!({ "server_id": server_id, "server_name": server.name }),
        success: format!("Detaching {name} from {{name}}."),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().remove_private_network_server(id, server_id),
    )
    .await
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::PRIVATE_NETWORK_DELETE, &FAMILY)
        .await?;
    let network = match current(&act, id).await {
        Ok(network) => network,
        Err(answer) => return answer,
    };
    if let Err(message) = check_typed_name("network's name", &network.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let detached: Vec<&str> = network.servers.iter().map(label).collect();
    let change = Change {
        action: "private_network.delete",
        details: json!({
            "detached_servers": network.servers.iter().map(|s| &s.id).collect::<Vec<_>>(),
        }),
        success: if detached.is_empty() {
            "Deleting {name}.".to_owned()
        } else {
            format!(
                "Deleting {{name}}; its servers are detached: {}.",
                detached.join(", ")
            )
        },
        then: Then::List,
    };
    act.run(change, act.up.client().delete_private_network(id))
        .await
}
