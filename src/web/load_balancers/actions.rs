//! Changes to a load balancer besides its rules: rename and describe (each
//! field its own flag), modify the health check, persistence and method
//! (`modify`), assign and unassign server IPs, delete. Each handler checks
//! the exact permission flag, refuses bad values before anything is sent,
//! and goes through the one audited path (`Act::run`).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::FAMILY;
use super::settings::{Checked, MODIFY_FORM, Settings};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::common::ServerIpRef;
use crate::cloudpanel::networks::{LoadBalancer, UpdateLoadBalancer};
use crate::rbac::perms;
use crate::web::cloud::{Change, Object, Then, Upstream, check_typed_name};
use crate::web::confirm::Confirmation;
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::networks::form::{Fields, RenameForm};
use crate::web::networks::server_ips::chosen_ips;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

/// Renames and/or re-describes. The form carries only the fields the member
/// may change, and each field sent needs its own flag.
pub async fn rename(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<RenameForm>,
) -> AppResult<HttpResponse> {
    let flags = (
        perms::LOAD_BALANCERS_SET_NAME,
        perms::LOAD_BALANCERS_SET_DESCRIPTION,
    );
    let (act, renamed) = match form.act(&ctx, &session, &object, flags, &FAMILY).await? {
        Ok(renaming) => renaming,
        Err(back) => return Ok(back),
    };
    let body = UpdateLoadBalancer {
        name: renamed.name,
        description: renamed.description,
        ..UpdateLoadBalancer::default()
    };
    let change = Change::new(
        "load_balancer.rename",
        json!({ "name": body.name, "description": body.description }),
        "Saved: {name}.",
    );
    let call = act.up.client().update_load_balancer(&object.id, &body);
    act.run(change, call).await
}

/// Changes the health check, persistence and method; a bad value comes back
/// to the balancer's page beside its field, with what was typed.
pub async fn modify(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let fields = Fields::parse(&body);
    let act = object
        .act(&ctx, &session, perms::LOAD_BALANCERS_MODIFY, &FAMILY)
        .await?
        .keeping(MODIFY_FORM, &fields);
    let mut settings = Settings::read(&fields, "modify-");
    let Some(checked) = settings.check() else {
        return act.invalid_fields(settings.errors);
    };
    let (body, details) = modification(&checked);
    let change = Change::new(
        "load_balancer.modify",
        details,
        "Saving the settings of {name}.",
    );
    act.run(change, act.up.client().update_load_balancer(id, &body))
        .await
}

/// The request of checked settings, and what the audit log records of it.
pub(crate) fn modification(checked: &Checked) -> (UpdateLoadBalancer, Value) {
    let body = UpdateLoadBalancer {
        health_check_test: Some(checked.test.clone()),
        health_check_interval: Some(checked.interval),
        health_check_path: checked.path.clone(),
        health_check_parse: checked.parser.clone(),
        persistence: Some(checked.persistence),
        persistence_time: Some(checked.persistence_time),
        method: Some(checked.method.clone()),
        ..UpdateLoadBalancer::default()
    };
    let details = json!({
        "health_check_test": checked.test.as_str(),
        "health_check_interval": checked.interval,
        "health_check_path": checked.path,
        "health_check_parse": checked.parser,
        "persistence": checked.persistence,
        "persistence_time": checked.persistence_time,
        "method": checked.method.as_str(),
    });
    (body, details)
}

/// Sends the traffic of the balancer to the chosen server IPs too.
pub async fn assign_ips(
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
            perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
            &FAMILY,
        )
        .await?;
    let ips = match chosen_ips(&body) {
        Ok(ips) => ips,
        Err(message) => return act.invalid(message),
    };
    let count = ips.len();
    let change = Change::new(
        "load_balancer.server_ips_assign",
        json!({ "server_ips": ips }),
        format!(
            "Assigning {count} server IP{} to {{name}}.",
            if count == 1 { "" } else { "s" }
        ),
    );
    act.run(
        change,
        act.up.client().add_load_balancer_server_ips(id, &ips),
    )
    .await
}

/// Takes one server IP off the balancer, after the confirm step.
pub async fn unassign_ip(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (id, ip_id) = (&object.id, object.other("ip_id")?);
    let act = object
        .act(
            &ctx,
            &session,
            perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
            &FAMILY,
        )
        .await?;
    if !form.given() {
        return act.unconfirmed("unassign the IP");
    }
    // The IP as the balancer lists it, for the message; an IP it does not
    // list is said so here rather than as a vanished balancer.
    let ip = match act.up.client().get_load_balancer_server_ip(id, ip_id).await {
        Ok(ip) => ip.value,
        Err(CloudError::NotFound { kind, .. }) if kind == "BALANCER_NOT_FOUND" => {
            flash::error(
                &session,
                "This load balancer no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            return Ok(redirect(act.list()));
        }
        Err(CloudError::NotFound { .. }) => {
            return act
                .invalid("This IP is not on this load balancer (any more). Nothing was changed.");
        }
        Err(e) => {
            return act.invalid(&format!(
                "Nothing was changed: the panel could not check the IP ({}).",
                e.user_message()
            ));
        }
    };
    let label = if ip.server_name.is_empty() {
        ip.ip.clone()
    } else {
        format!("{} ({})", ip.ip, ip.server_name)
    };
    let change = Change::new(
        "load_balancer.server_ip_unassign",
        unassign_details(ip_id, &ip),
        format!("{label} no longer receives traffic from {{name}}."),
    );
    act.run(
        change,
        act.up.client().remove_load_balancer_server_ip(id, ip_id),
    )
    .await
}

/// What the audit log records of an IP taken off a balancer.
pub(crate) fn unassign_details(ip_id: &str, ip: &ServerIpRef) -> Value {
    json!({ "ip_id": ip_id, "ip": ip.ip, "server_name": ip.server_name })
}

/// What a balancer's deletion takes with it, for the audit log: its address
/// and its server IPs (as its own list has them, else as the balancer read
/// had them), and how many IPs.
pub(crate) async fn deletion_details(up: &Upstream, id: &str, lb: LoadBalancer) -> (Value, usize) {
    let ips = up
        .client()
        .list_load_balancer_server_ips(id)
        .await
        .map(|f| f.value)
        .unwrap_or(lb.server_ips);
    let details = json!({
        "ip": lb.ip,
        "server_ips": ips
            .iter()
            .map(|ip| json!({ "id": ip.id, "ip": ip.ip, "server_name": ip.server_name }))
            .collect::<Vec<_>>(),
    });
    (details, ips.len())
}

/// Deletes the balancer once its name is typed; its server IPs stop
/// receiving its traffic.
pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::LOAD_BALANCERS_DELETE, &FAMILY)
        .await?;
    let client = act.up.client();
    let lb = match client.get_load_balancer(id).await {
        Ok(lb) => lb.value,
        Err(e) => {
            return act.unreadable("load balancer", &e);
        }
    };
    if let Err(message) = check_typed_name("load balancer's name", &lb.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let (details, count) = deletion_details(&act.up, id, lb).await;
    let success = match count {
        0 => "Deleting {name}.".to_owned(),
        1 => "Deleting {name}; its server IP no longer receives its traffic.".to_owned(),
        n => format!("Deleting {{name}}; its {n} server IPs no longer receive its traffic."),
    };
    let change = Change::new("load_balancer.delete", details, success).then(Then::List);
    act.run(change, client.delete_load_balancer(id)).await
}
