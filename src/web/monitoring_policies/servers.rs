//! The servers a policy watches: attach some (each leaves its previous
//! policy), detach one after the confirm step.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, Object, chosen_id};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// Every change to a policy's servers needs this flag.
pub(crate) const MANAGE: Permission = perms::MONITORING_POLICIES_MANAGE_ATTACHED_SERVERS;

/// At most this many servers in one request.
const MAX_SERVERS: usize = 100;

/// The ticked servers (`server=ID`, repeated), or what is wrong with them.
fn chosen_servers(body: &[u8]) -> Result<Vec<String>, &'static str> {
    let ticked: Vec<String> = url::form_urlencoded::parse(body)
        .filter(|(key, _)| key == "server")
        .map(|(_, value)| value.into_owned())
        .collect();
    chosen(&ticked)
}

/// The servers to attach, each once, or what is wrong with them.
pub(crate) fn chosen(ticked: &[String]) -> Result<Vec<String>, &'static str> {
    let mut ids = Vec::new();
    for value in ticked {
        match chosen_id(value) {
            Ok(Some(id)) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => return Err("That is not a server of this account. Nothing was changed."),
        }
    }
    match ids.len() {
        0 => Err("Tick at least one server to attach. Nothing was changed."),
        n if n > MAX_SERVERS => Err("Too many servers at once. Nothing was changed."),
        _ => Ok(ids),
    }
}

pub async fn add(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object.act(&ctx, &session, MANAGE, &FAMILY).await?;
    let servers = match chosen_servers(&body) {
        Ok(servers) => servers,
        Err(message) => return act.invalid(message),
    };
    act.run(
        attached(&servers),
        act.up.client().add_monitoring_policy_servers(id, &servers),
    )
    .await
}

/// Attaching `servers`, as the audit log keeps it.
pub(crate) fn attached(servers: &[String]) -> Change {
    let count = servers.len();
    Change::new(
        "monitoring_policy.servers_attach",
        json!({ "servers": servers }),
        format!(
            "Attached {count} server{} to {{name}}.",
            if count == 1 { "" } else { "s" }
        ),
    )
}

/// Detaching the server `server_id`.
pub(crate) fn detached(server_id: &str) -> Change {
    Change::new(
        "monitoring_policy.server_detach",
        json!({ "server_id": server_id }),
        "The server is no longer watched by {name}.",
    )
}

pub async fn remove(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (id, server_id) = (&object.id, object.other("item_id")?);
    let act = object.act(&ctx, &session, MANAGE, &FAMILY).await?;
    if !form.given() {
        return act.unconfirmed("detach the server");
    }
    act.run(
        detached(server_id),
        act.up
            .client()
            .remove_monitoring_policy_server(id, server_id),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_servers_are_read_once_each() {
        assert_eq!(
            chosen_servers(b"server=A&server=B&server=A&csrf_token=x"),
            Ok(vec!["A".to_owned(), "B".to_owned()])
        );
        assert!(chosen_servers(b"csrf_token=x").is_err());
        assert!(chosen_servers(b"server=..%2Fx").is_err());
    }
}
