//! The IP addresses card: adding and removing an address, its firewall
//! policy and its load balancers.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{FAMILY, chosen};
use crate::cloudpanel::common::IpType;
use crate::cloudpanel::servers::AddServerIp;
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then};
use crate::web::confirm::{self, Confirmation};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// What the card's "Add" asks for: an IPv4 address (the only kind the
/// panel offers), with what the audit log records of it.
pub(crate) fn new_ip() -> (AddServerIp, Value) {
    let body = AddServerIp {
        type_ip: Some(IpType::parse("IPV4")),
    };
    (body, json!({ "type": "IPV4" }))
}

/// Asked for when an IP's firewall form chose none (an IP always has one).
pub(crate) const CHOOSE_POLICY: &str = "Choose a firewall policy.";
/// Asked for when an IP's load balancer form chose none.
pub(crate) const CHOOSE_LOAD_BALANCER: &str = "Choose a load balancer.";

pub async fn add_ip(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::SERVERS_ASSIGN_IP, &FAMILY)
        .await?;
    let (body, details) = new_ip();
    let change = Change {
        action: "server.ip_add",
        details,
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
    let policy = match chosen(&form.firewall_policy_id, CHOOSE_POLICY)? {
        Ok(policy) => policy,
        Err(message) => return act.invalid(message),
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
    let lb = match chosen(&form.load_balancer_id, CHOOSE_LOAD_BALANCER)? {
        Ok(lb) => lb,
        Err(message) => return act.invalid(message),
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
