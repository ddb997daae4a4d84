//! Changes to a firewall policy besides its rules: rename and describe,
//! assign and unassign server IPs, delete. Each handler checks the exact
//! permission flag, refuses bad values before anything is sent, and goes
//! through the one audited path (`Act::run`).
//!
//! The API has no DELETE for a policy's server IP: an IP always has one
//! policy. Unassigning moves the IP to the account's default policy with
//! `POST /firewall_policies/{default}/server_ips`, after checking with
//! `GET /firewall_policies/{id}/server_ips/{ip}` that it uses this one.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::detail::{self, Forms, default_policy};
use super::target;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::common::NameDescription;
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Act, Change, Named, Then, check_id, check_typed_name};
use crate::web::confirm::Confirmation;
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::networks::form::{Fields, check_description, check_name};
use crate::web::networks::server_ips::chosen_ips;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

type PolicyPath = web::Path<(String, String)>;

/// Renames and/or re-describes. The form carries only the fields the member
/// may change, and each field sent needs its own flag.
pub async fn rename(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: PolicyPath,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    check_id(&id)?;
    let fields = Fields::parse(&body);
    let (has_name, has_description) = (fields.has("name"), fields.has("description"));
    let permission = if has_name {
        perms::FIREWALL_POLICIES_SET_NAME
    } else {
        perms::FIREWALL_POLICIES_SET_DESCRIPTION
    };
    let act = Act::begin(&ctx, &session, &account, permission, |up| {
        target(&ctx, up, &id)
    })
    .await?;
    if has_name && has_description {
        ctx.require(perms::FIREWALL_POLICIES_SET_DESCRIPTION)
            .await?;
    }
    if !has_name && !has_description {
        return act.invalid("Nothing to save: the form had neither a name nor a description.");
    }
    let name = fields.trimmed("name");
    let description = fields.trimmed("description");
    let mut errors = BTreeMap::new();
    if has_name && let Err(message) = check_name(&name) {
        errors.insert("name", message);
    }
    if has_description && let Err(message) = check_description(&description) {
        errors.insert("description", message);
    }
    if !errors.is_empty() {
        ctx.require(perms::FIREWALL_POLICIES_SHOW).await?;
        let forms = Forms {
            rename: Some((name, description)),
            rename_errors: errors,
            ..Forms::default()
        };
        return detail::show(&ctx, &act.up, &id, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let body = NameDescription {
        name: has_name.then(|| name.clone()),
        description: has_description.then(|| description.clone()),
    };
    let change = Change::new(
        "firewall_policy.rename",
        json!({ "name": body.name, "description": body.description }),
        "Saved: {name}.",
    );
    act.run(change, act.up.client().update_firewall_policy(&id, &body))
        .await
}

/// Puts the chosen server IPs under this policy (each IP leaves its
/// previous one).
pub async fn assign_ips(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: PolicyPath,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    check_id(&id)?;
    let act = Act::begin(
        &ctx,
        &session,
        &account,
        perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
        |up| target(&ctx, up, &id),
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
        act.up.client().add_firewall_policy_server_ips(&id, &ips),
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
    account: web::Query<AccountParam>,
    path: web::Path<(String, String, String)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, id, ip_id) = path.into_inner();
    check_id(&id)?;
    check_id(&ip_id)?;
    let act = Act::begin(
        &ctx,
        &session,
        &account,
        perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
        |up| target(&ctx, up, &id),
    )
    .await?;
    if !form.given() {
        return act.unconfirmed("unassign the IP");
    }
    let client = act.up.client();
    // Only an IP that uses this policy is moved: the address cannot move
    // another policy's IP.
    let ip = match client.get_firewall_policy_server_ip(&id, &ip_id).await {
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
    let policy = match client.get_firewall_policy(&id).await {
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
    let Some(default) = default_policy(&act.up, &id).await else {
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
    account: web::Query<AccountParam>,
    path: PolicyPath,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    check_id(&id)?;
    let act = Act::begin(
        &ctx,
        &session,
        &account,
        perms::FIREWALL_POLICIES_DELETE,
        |up| target(&ctx, up, &id),
    )
    .await?;
    let client = act.up.client();
    let policy = match client.get_firewall_policy(&id).await {
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
        .list_firewall_policy_server_ips(&id)
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
    act.run(change, client.delete_firewall_policy(&id)).await
}
