//! The changes made from a private network's page: attach servers, detach
//! one (confirm step), delete (typed name). Each goes through
//! `cloud::Act`: the exact flag, the audit pair, a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::FAMILY;
use super::list::PrivateNetworks;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::networks::PrivateNetwork;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Act, Change, Deletable, Named, Object, Then, Upstream, check_id};
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
    match PrivateNetworks::get(act.up.client(), id).await {
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
    let typed = url::form_urlencoded::parse(&body)
        .filter(|(key, _)| key == "server_id")
        .map(|(_, value)| value);
    let ids = match chosen_servers(typed) {
        Ok(ids) => ids,
        Err(message) => return act.invalid(&format!("{message} Nothing was changed.")),
    };
    let network = match current(&act, id).await {
        Ok(network) => network,
        Err(answer) => return answer,
    };
    let change = attach_change(&ids, &server_names(&act.up, &ids).await);
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

/// The servers an attach names, each once, in order: empty values are
/// skipped; one that is not an id refuses the attach (the message).
pub(crate) fn chosen_servers<S: AsRef<str>>(
    typed: impl IntoIterator<Item = S>,
) -> Result<Vec<String>, &'static str> {
    let mut ids: Vec<String> = Vec::new();
    for value in typed {
        let value = value.as_ref().trim();
        if value.is_empty() {
            continue;
        }
        if check_id(value).is_err() {
            return Err("Choose the servers from the list.");
        }
        if !ids.iter().any(|i| i == value) {
            ids.push(value.to_owned());
        }
    }
    if ids.is_empty() {
        return Err("Choose at least one server to attach.");
    }
    Ok(ids)
}

/// The servers' names, for the message (the list is cached and shared);
/// a server the list does not know is named by its id.
pub(crate) async fn server_names(up: &Upstream, ids: &[String]) -> Vec<String> {
    match up.client().list_servers_shared(&ListQuery::all()).await {
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
        Err(_) => ids.to_vec(),
    }
}

/// An attach of the servers `ids` (named `names`), described for the audit
/// log and the member.
pub(crate) fn attach_change(ids: &[String], names: &[String]) -> Change {
    Change {
        action: "private_network.attach_servers",
        details: json!({ "server_ids": ids, "server_names": names }),
        success: format!("Attaching {} to {{name}}.", names.join(", ")),
        then: Then::Page,
    }
}

/// The server a detach names, as the network knows it.
pub(crate) enum OnNetwork {
    /// Attached (named by its id alone when the network could not say).
    Attached(IdName),
    /// The network itself is gone.
    NetworkGone(CloudError),
    /// The server is not attached (any more).
    NotAttached,
}

/// Reads the network's answer about the server `server_id`.
pub(crate) fn on_network(
    answer: Result<Fetched<IdName>, CloudError>,
    server_id: &str,
) -> OnNetwork {
    match answer {
        Ok(fetched) => OnNetwork::Attached(fetched.value),
        Err(e) if matches!(&e, CloudError::NotFound { kind, .. } if kind.contains("PRIVATE_NETWORK")) => {
            OnNetwork::NetworkGone(e)
        }
        Err(CloudError::NotFound { .. }) => OnNetwork::NotAttached,
        Err(_) => OnNetwork::Attached(IdName {
            id: server_id.to_owned(),
            name: String::new(),
        }),
    }
}

/// The refusal of a detach of a server that is not attached.
pub(crate) const NOT_ATTACHED: &str =
    "That server is not attached to this private network any more.";

/// A detach of `server`, described for the audit log and the member.
pub(crate) fn detach_change(server_id: &str, server: &IdName) -> Change {
    let name = if server.name.is_empty() {
        "the server".to_owned()
    } else {
        server.name.clone()
    };
    Change {
        action: "private_network.detach_server",
        details: json!({ "server_id": server_id, "server_name": server.name }),
        success: format!("Detaching {name} from {{name}}."),
        then: Then::Page,
    }
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
    let answer = act
        .up
        .client()
        .get_private_network_server(id, server_id)
        .await;
    let server = match on_network(answer, server_id) {
        OnNetwork::Attached(server) => server,
        OnNetwork::NetworkGone(e) => return act.unreadable(FAMILY.one, &e),
        OnNetwork::NotAttached => {
            return act.invalid(&format!("{NOT_ATTACHED} Nothing was changed."));
        }
    };
    let change = detach_change(server_id, &server);
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
        .act(&ctx, &session, PrivateNetworks::DELETE, &FAMILY)
        .await?;
    let network = match current(&act, id).await {
        Ok(network) => network,
        Err(answer) => return answer,
    };
    let typed = PrivateNetworks::typed(&network);
    if let Err(message) = check_typed_name("network's name", typed, &form.confirm_name) {
        return act.invalid(&message);
    }
    let detached: Vec<&str> = network.servers.iter().map(label).collect();
    let change = Change {
        action: PrivateNetworks::ACTION,
        details: PrivateNetworks::details(&network),
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
    act.run(change, PrivateNetworks::delete(act.up.client(), id))
        .await
}

/// A network's deletion, as its page and the JSON API make it: the servers
/// it detaches are recorded.
impl Deletable for PrivateNetworks {
    const DELETE: Permission = perms::PRIVATE_NETWORK_DELETE;
    const ACTION: &'static str = "private_network.delete";
    type Answer = PrivateNetwork;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<PrivateNetwork>, CloudError> {
        client.get_private_network(id).await
    }

    async fn delete(client: &AccountClient, id: &str) -> Result<PrivateNetwork, CloudError> {
        client.delete_private_network(id).await
    }

    fn typed(network: &PrivateNetwork) -> &str {
        &network.name
    }

    fn details(network: &PrivateNetwork) -> Value {
        network.delete_details()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_to_attach_are_ids_each_once() {
        assert_eq!(
            chosen_servers(["A1", " B2 ", "", "A1"]),
            Ok(vec!["A1".to_owned(), "B2".to_owned()])
        );
        assert_eq!(
            chosen_servers(["A1", "../servers"]),
            Err("Choose the servers from the list.")
        );
        assert_eq!(
            chosen_servers(Vec::<String>::new()),
            Err("Choose at least one server to attach.")
        );
    }
}
