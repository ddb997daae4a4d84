//! The changes made from a public IP's page: its reverse DNS name, and
//! deletion (the address typed to confirm). Each goes through `cloud::Act`:
//! the exact flag, the audit pair, a flash message.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::ip_href;
use crate::cloudpanel::CloudError;
use crate::domain::Hostname;
use crate::rbac::{Permission, perms};
use crate::web::cloud::{AccountParam, Act, Change, Target, Then, check_id};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::networks::parts::check_typed_name;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

type IpPath = web::Path<(String, String)>;

async fn begin<'a>(
    ctx: &'a OrgCtx,
    session: &'a Session,
    account: &AccountParam,
    id: &str,
    permission: Permission,
) -> AppResult<Act<'a>> {
    check_id(id)?;
    Act::begin(ctx, session, account, permission, |up| Target {
        kind: "public_ip",
        id: id.to_owned(),
        page: format!("{}{}", ip_href(ctx, id), up.query()),
        list: up.href(ctx, "public_ips"),
    })
    .await
}

#[derive(Deserialize)]
pub struct ReverseDnsForm {
    #[serde(default)]
    reverse_dns: String,
}

pub async fn reverse_dns(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: IpPath,
    form: web::Form<ReverseDnsForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(
        &ctx,
        &session,
        &account,
        &id,
        perms::PUBLIC_IPS_SET_REVERSE_DNS,
    )
    .await?;
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
    act.run(
        change,
        act.up.client().set_public_ip_reverse_dns(&id, &name),
    )
    .await
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: IpPath,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let act = begin(&ctx, &session, &account, &id, perms::PUBLIC_IPS_DELETE).await?;
    let ip = match act.up.client().get_public_ip(&id).await {
        Ok(fetched) => fetched.value,
        Err(CloudError::NotFound { .. }) => {
            flash::error(
                &session,
                "This no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            return Ok(redirect(act.list()));
        }
        Err(e) => return act.invalid(&format!("Nothing was changed. {}", e.summary())),
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
    act.run(change, act.up.client().delete_public_ip(&id)).await
}
