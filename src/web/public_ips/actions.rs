//! The changes made from a public IP's page: its reverse DNS name, and
//! deletion (the address typed to confirm). Each goes through `cloud::Act`:
//! the exact flag, the audit pair, a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::FAMILY;
use crate::domain::Hostname;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::networks::parts::check_typed_name;
use crate::web::org_ctx::OrgCtx;

#[derive(Deserialize, Serialize)]
pub struct ReverseDnsForm {
    #[serde(default)]
    reverse_dns: String,
}

pub async fn reverse_dns(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<ReverseDnsForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::PUBLIC_IPS_SET_REVERSE_DNS, &FAMILY)
        .await?
        .keeping("reverse_dns", &*form);
    // Empty removes the name; anything else must be a host name.
    let typed = form.reverse_dns.trim();
    let name = if typed.is_empty() {
        String::new()
    } else {
        match Hostname::parse(typed) {
            Ok(name) => name.as_str().to_owned(),
            Err(message) => {
                return act.invalid(&format!("Reverse DNS: {message} Nothing was changed."));
            }
        }
    };
    let change = Change {
        action: "public_ip.set_reverse_dns",
        details: json!({ "reverse_dns": name }),
        success: if name.is_empty() {
            "Removing the reverse DNS name of {name}.".to_owned()
        } else {
            format!("Setting the reverse DNS name of {{name}} to {name}.")
        },
        then: Then::Page,
    };
    act.run(change, act.up.client().set_public_ip_reverse_dns(id, &name))
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
        .act(&ctx, &session, perms::PUBLIC_IPS_DELETE, &FAMILY)
        .await?;
    let ip = match act.up.client().get_public_ip(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    if let Err(message) = check_typed_name("address", &ip.ip, &form.confirm_name) {
        return act.invalid(&message);
    }
    let assigned = ip.assigned_to.as_ref().filter(|a| !a.id.is_empty());
    let change = Change {
        action: "public_ip.delete",
        details: json!({
            "ip": ip.ip,
            "assigned_to": assigned.map(|a| json!({ "id": a.id, "name": a.name, "type": a.kind })),
        }),
        success: match assigned {
            Some(a) if !a.name.is_empty() => {
                format!("Deleting {{name}}; {} no longer has this address.", a.name)
            }
            _ => "Deleting {name}.".to_owned(),
        },
        then: Then::List,
    };
    act.run(change, act.up.client().delete_public_ip(id)).await
}
