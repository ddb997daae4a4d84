//! The changes made from a public IP's page: its reverse DNS name, and
//! deletion (the address typed to confirm). Each goes through `cloud::Act`:
//! the exact flag, the audit pair, a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::FAMILY;
use super::list::PublicIps;
use crate::cloudpanel::networks::{AssignedTo, PublicIp};
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::domain::Hostname;
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, Deletable, Object, Then};
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
    let (name, change) = match reverse_dns_change(&form.reverse_dns) {
        Ok(planned) => planned,
        Err(message) => {
            return act.invalid(&format!("Reverse DNS: {message} Nothing was changed."));
        }
    };
    act.run(change, act.up.client().set_public_ip_reverse_dns(id, &name))
        .await
}

/// The reverse DNS name to send and how its change is described: empty
/// removes the name; anything else must be a host name (else the message).
pub(crate) fn reverse_dns_change(typed: &str) -> Result<(String, Change), String> {
    let typed = typed.trim();
    let name = if typed.is_empty() {
        String::new()
    } else {
        Hostname::parse(typed)?.as_str().to_owned()
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
    Ok((name, change))
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, PublicIps::DELETE, &FAMILY)
        .await?;
    let ip = match PublicIps::get(act.up.client(), id).await {
        Ok(fetched) => fetched.value,
        Err(e) => return act.unreadable(FAMILY.one, &e),
    };
    if let Err(message) = check_typed_name("address", PublicIps::typed(&ip), &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change {
        action: PublicIps::ACTION,
        details: PublicIps::details(&ip),
        success: match assigned(&ip) {
            Some(a) if !a.name.is_empty() => {
                format!("Deleting {{name}}; {} no longer has this address.", a.name)
            }
            _ => "Deleting {name}.".to_owned(),
        },
        then: Then::List,
    };
    act.run(change, PublicIps::delete(act.up.client(), id))
        .await
}

/// What an address is assigned to, when anything.
fn assigned(ip: &PublicIp) -> Option<&AssignedTo> {
    ip.assigned_to.as_ref().filter(|a| !a.id.is_empty())
}

/// An address's deletion, as its page and the JSON API make it: the
/// address is its name, and what it was assigned to is recorded.
impl Deletable for PublicIps {
    const DELETE: Permission = perms::PUBLIC_IPS_DELETE;
    const ACTION: &'static str = "public_ip.delete";
    type Answer = PublicIp;

    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<PublicIp>, CloudError> {
        client.get_public_ip(id).await
    }

    async fn delete(client: &AccountClient, id: &str) -> Result<PublicIp, CloudError> {
        client.delete_public_ip(id).await
    }

    fn typed(ip: &PublicIp) -> &str {
        &ip.ip
    }

    fn details(ip: &PublicIp) -> Value {
        ip.delete_details()
    }
}
