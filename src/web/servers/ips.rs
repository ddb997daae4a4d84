//! The IP addresses card: adding and removing an address, its firewall
//! policy and its load balancers.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, chosen_id};
use crate::web::confirm::{self, Confirmation};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

pub async fn add_ip(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_ASSIGN_IP, &FAMILY)
        .await?;
    let body = crate::cloudpanel::servers::AddServerIp {
        type_ip: Some(crate::cloudpanel::common::IpType::parse("IPV4")),
    };
    let change = Change {
        action: "server.ip_add",
        details: json!({ "type": "IPV4" }),
        success: "Adding an IPv4 address to {name}.".into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().add_server_ip(id, &body))
        .await
}

#[derive(Deserialize)]
pub struct RemoveIpForm {
    #[serde(default)]
    keep_ip: Option<String>,
    #[serde(default)]
    confirm: String,
}

pub async fn remove_ip(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RemoveIpForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let ip_id = object.other("ip_id")?;
    let act = object
        .act(&ctx, &session, perms::SERVERS_ASSIGN_IP, &FAMILY)
        .await?;
    if !confirm::is_yes(&form.confirm) {
        return act.unconfirmed("remove the IP address");
    }
    let keep_ip = form.keep_ip.as_deref() == Some("true");
    let change = Change {
        action: "server.ip_remove",
        details: json!({ "ip_id": ip_id, "keep_ip": keep_ip }),
        success: if keep_ip {
            "Released an IP address from {name}; it stays in the account.".into()
        } else {
            "Removed an IP address from {name}.".into()
        },
        then: Then::Page,
    };
    act.run(change, act.up.client().delete_server_ip(id, ip_id, keep_ip))
        .await
}

#[derive(Deserialize)]
pub struct FirewallForm {
    #[serde(default)]
    firewall_policy_id: String,
}

pub async fn ip_firewall(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<FirewallForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let ip_id = object.other("ip_id")?;
    let act = object
        .act(
            &ctx,
            &session,
            perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
            &FAMILY,
        )
        .await?;
    let Some(policy) = chosen_id(&form.firewall_policy_id)? else {
        return act.invalid("Choose a firewall policy.");
    };
    let change = Change {
        action: "server.ip_firewall_policy",
        details: json!({ "ip_id": ip_id, "firewall_policy_id": policy }),
        success: "Assigning the firewall policy to an IP of {name}.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up
            .client()
            .set_server_ip_firewall_policy(id, ip_id, &policy),
    )
    .await
}

#[derive(Deserialize)]
pub struct LoadBalancerForm {
    #[serde(default)]
    load_balancer_id: String,
}

pub async fn ip_add_lb(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<LoadBalancerForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let ip_id = object.other("ip_id")?;
    let act = object
        .act(
            &ctx,
            &session,
            perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
            &FAMILY,
        )
        .await?;
    let Some(lb) = chosen_id(&form.load_balancer_id)? else {
        return act.invalid("Choose a load balancer.");
    };
    let change = Change {
        action: "server.ip_load_balancer_add",
        details: json!({ "ip_id": ip_id, "load_balancer_id": lb }),
        success: "Attaching an IP of {name} to the load balancer.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up.client().add_server_ip_load_balancer(id, ip_id, &lb),
    )
    .await
}

pub async fn ip_remove_lb(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let ip_id = object.other("ip_id")?;
    let lb_id = object.other("lb_id")?;
    let act = object
        .act(
            &ctx,
            &session,
            perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
            &FAMILY,
        )
        .await?;
    if !form.given() {
        return act.unconfirmed("detach the IP from the load balancer");
    }
    let change = Change {
        action: "server.ip_load_balancer_remove",
        details: json!({ "ip_id": ip_id, "load_balancer_id": lb_id }),
        success: "Detaching an IP of {name} from the load balancer.".into(),
        then: Then::Page,
    };
    act.run(
        change,
        act.up
            .client()
            .remove_server_ip_load_balancer(id, ip_id, lb_id),
    )
    .await
}
