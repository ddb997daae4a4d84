//! A policy's watched ports: add one, change when it alerts, remove one
//! (after the confirm step). The protocol and port of a watched port
//! cannot change (the API refuses): they are read back from the API.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::json;

use super::FAMILY;
use super::values::{self, Fields, PORT_ALERTS, checked};
use crate::cloudpanel::monitoring::{NewPortAlert, PortAlert};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, FieldErrors, Object};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// Every change to a policy's ports needs this flag.
pub(crate) const MANAGE: Permission = perms::MONITORING_POLICIES_MANAGE_PORTS;

/// The "add a port" form of the policy's page, as typed.
#[derive(Serialize)]
struct PortForm {
    protocol: String,
    port: String,
    alert_if: String,
    email_notification: bool,
}

pub async fn add(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let f = Fields::parse(&body);
    let typed = PortForm {
        protocol: f.trimmed("protocol"),
        port: f.trimmed("port"),
        alert_if: f.trimmed("alert_if"),
        email_notification: checked(&f, "email_notification"),
    };
    let act = object
        .act(&ctx, &session, MANAGE, &FAMILY)
        .await?
        .keeping("add-port", &typed);
    let checked_port = new_port(
        &typed.protocol,
        &typed.port,
        &typed.alert_if,
        typed.email_notification,
    );
    let port = match checked_port {
        Ok(port) => port,
        Err(message) => return act.invalid_fields(FieldErrors::from([("port", message)])),
    };
    act.run(
        port_added(&port),
        act.up
            .client()
            .add_monitoring_policy_ports(id, std::slice::from_ref(&port)),
    )
    .await
}

/// A port to watch, checked; the message goes beside the port's field.
pub(crate) fn new_port(
    protocol: &str,
    port: &str,
    alert_if: &str,
    email_notification: bool,
) -> Result<NewPortAlert, String> {
    values::port(port).and_then(|port| {
        Ok(NewPortAlert {
            protocol: values::protocol(protocol)?.into(),
            port,
            alert_if: values::choice(alert_if, PORT_ALERTS)?.into(),
            email_notification,
        })
    })
}

/// Watching `port`, as the audit log keeps it.
pub(crate) fn port_added(port: &NewPortAlert) -> Change {
    Change::new(
        "monitoring_policy.port_add",
        json!({ "ports": [port] }),
        format!("{} {} is watched by {{name}}.", port.protocol, port.port),
    )
}

/// When a watched port alerts: its protocol and port stay as `current` has them.
pub(crate) fn port_update(
    current: &PortAlert,
    port_id: &str,
    alert_if: &str,
    email_notification: bool,
) -> (NewPortAlert, Change) {
    let port = NewPortAlert {
        protocol: current.protocol.clone(),
        port: current.port,
        alert_if: alert_if.into(),
        email_notification,
    };
    let change = Change::new(
        "monitoring_policy.port_update",
        json!({ "port_id": port_id, "port": &port }),
        format!("Saved {} {} of {{name}}.", port.protocol, port.port),
    );
    (port, change)
}

/// No longer watching the port `port_id`.
pub(crate) fn port_removed(port_id: &str) -> Change {
    Change::new(
        "monitoring_policy.port_remove",
        json!({ "port_id": port_id }),
        "The port is no longer watched by {name}.",
    )
}

pub async fn update(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (id, port_id) = (&object.id, object.other("item_id")?);
    let act = object.act(&ctx, &session, MANAGE, &FAMILY).await?;
    let f = Fields::parse(&body);
    let alert_if = match values::choice(&f.trimmed("alert_if"), PORT_ALERTS) {
        Ok(alert_if) => alert_if,
        Err(message) => return act.invalid(&format!("{message} Nothing was changed.")),
    };
    let client = act.up.client();
    let current = match client.get_monitoring_policy_port(id, port_id).await {
        Ok(fetched) => fetched.value,
        Err(e) => {
            return act.unreadable("port", &e);
        }
    };
    let (port, change) = port_update(
        &current,
        port_id,
        alert_if,
        checked(&f, "email_notification"),
    );
    act.run(
        change,
        client.update_monitoring_policy_port(id, port_id, &port),
    )
    .await
}

pub async fn remove(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (id, port_id) = (&object.id, object.other("item_id")?);
    let act = object.act(&ctx, &session, MANAGE, &FAMILY).await?;
    if !form.given() {
        return act.unconfirmed("stop watching the port");
    }
    act.run(
        port_removed(port_id),
        act.up.client().delete_monitoring_policy_port(id, port_id),
    )
    .await
}
