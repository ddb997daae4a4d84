//! Changes to a firewall policy besides its rules: rename and describe,
//! assign and unassign server IPs, delete. Each handler checks the exact
//! permission flag, refuses bad values before anything is sent, and goes
//! through the one audited path (`Act::run`).
//!
//! The API has no DELETE for a policy's server IP: an IP always has one
//! policy. Unassigning moves the IP to the account's default policy with
//! `POST /firewall_policies/{default}/server_ips`, after checking with
//! `GET /firewall_policies/{id}/server_ips/{ip}` that it uses this one.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::FAMILY;
use super::detail::default_policy;
use crate::cloudpanel::CloudError;
use crate::rbac::perms;
use crate::web::cloud::{Change, Named, Object, Then, check_typed_name};
use crate::web::confirm::Confirmation;
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::networks::form::RenameForm;
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
        perms::FIREWALL_POLICIES_SET_NAME,
        perms::FIREWALL_POLICIES_SET_DESCRIPTION,
    );
    let (act, body) = match form.act(&ctx, &session, &object, flags, &FAMILY).await? {
        Ok(renaming) => renaming,
        Err(back) => return Ok(back),
    };
    let change = Change::new(
        "firewall_policy.rename",
        json!({ "name": body.name, "description": body.description }),
        "Saved: {name}.",
    );
    let call = act.up.client().update_firewall_policy(&object.id, &body);
    act.run(change, call).await
}

/// Puts the chosen server IPs under this policy (each IP leaves its
/// previous one).
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
            perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
            &FAMILY,
        )
        .await?;
    let ips = match chosen_ips(&body) {
        Ok(ips) => ips,
        Err(message) => return act.invalid(message),
    };
    let count = ips.len();
    let change = Change::new(
        "firewall_policy.server_ips_assign",
        json!({ "server_ips": ips }),
        format!(
            "Assigning {count} server IP{} to {{name}}.",
            if count == 1 { "" } else { "s" }
        ),
    );
    act.run(
        change,
        act.up.client().add_firewall_policy_server_ips(id, &ips),
    )
    .await
}

/// The policy an IP left, for the audit log and the message (the API
/// answers with the default policy it moved to).
struct Left {
    id: String,
    name: String,
}

impl Named for Left {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Moves one IP off this policy, to the account's default policy.
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
            perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
            &FAMILY,
        )
        .await?;
    if !form.given() {
        return act.unconfirmed("unassign the IP");
    }
    let client = act.up.client();
    // Only an IP that uses this policy is moved: the address cannot move
    // another policy's IP.
    let ip = match client.get_firewall_policy_server_ip(id, ip_id).await {
        Ok(ip) => ip.value,
        Err(CloudError::NotFound { kind, .. }) if kind == "FIREWALL_NOT_FOUND" => {
            flash::error(
                &session,
                "This firewall policy no longer exists in the Cloud Panel: it was removed meanwhile.",
            );
            return Ok(redirect(act.list()));
        }
        Err(CloudError::NotFound { .. }) => {
            return act
                .invalid("This IP does not use this policy (any more). Nothing was changed.");
        }
        Err(e) => {
            return act.invalid(&format!(
                "Nothing was changed: the panel could not check the IP ({}).",
                e.user_message()
            ));
        }
    };
    let policy = match client.get_firewall_policy(id).await {
        Ok(policy) => policy.value,
        Err(e) => {
            return act.unreadable("policy", &e);
        }
    };
    if policy.default {
        return act.invalid(
            "An IP leaves a default policy when another policy is assigned to it. Nothing was changed.",
        );
    }
    let Some(default) = default_policy(&act.up, id).await else {
        return act.invalid(
            "The account has no default firewall policy to move the IP to: assign it another \
             policy from that policy's page. Nothing was changed.",
        );
    };
    let label = if ip.server_name.is_empty() {
        ip.ip.clone()
    } else {
        format!("{} ({})", ip.ip, ip.server_name)
    };
    let change = Change::new(
        "firewall_policy.server_ip_unassign",
        json!({
            "ip_id": ip_id,
            "ip": ip.ip,
            "server_name": ip.server_name,
            "moved_to": { "id": default.id, "name": default.name },
        }),
        format!(
            "{label} leaves {{name}}: it moves to the default policy {}.",
            default.name
        ),
    );
    let left = Left {
        id: policy.id.clone(),
        name: policy.name.clone(),
    };
    let ip_id = ip_id.to_owned();
    let moved = async {
        client
            .add_firewall_policy_server_ips(&default.id, std::slice::from_ref(&ip_id))
            .await
            .map(|_| left)
    };
    act.run(change, moved).await
}

/// Deletes the policy once its name is typed; its server IPs lose it. The
/// API refuses the default policies (the page does not offer them).
pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::FIREWALL_POLICIES_DELETE, &FAMILY)
        .await?;
    let client = act.up.client();
    let policy = match client.get_firewall_policy(id).await {
        Ok(policy) => policy.value,
        Err(e) => {
            return act.unreadable("policy", &e);
        }
    };
    if let Err(message) = check_typed_name("policy's name", &policy.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    // What the deletion takes with it, for the audit log.
    let ips = client
        .list_firewall_policy_server_ips(id)
        .await
        .map(|f| f.value)
        .unwrap_or(policy.server_ips);
    let success = match ips.len() {
        0 => "Deleting {name}.".to_owned(),
        1 => "Deleting {name}; its server IP loses it.".to_owned(),
        n => format!("Deleting {{name}}; its {n} server IPs lose it."),
    };
    let change = Change::new(
        "firewall_policy.delete",
        json!({
            "server_ips": ips
                .iter()
                .map(|ip| json!({ "id": ip.id, "ip": ip.ip, "server_name": ip.server_name }))
                .collect::<Vec<_>>(),
        }),
        success,
    )
    .then(Then::List);
    act.run(change, client.delete_firewall_policy(id)).await
}
