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
use serde::Serialize;
use serde_json::{Value, json};

use super::FAMILY;
use super::detail::default_policy;
use crate::cloudpanel::common::IdName;
use crate::cloudpanel::networks::FirewallPolicy;
use crate::cloudpanel::{AccountClient, CloudError};
use crate::rbac::perms;
use crate::web::cloud::{Change, Named, Object, Then, Upstream, check_typed_name};
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
/// answers with the default policy it moved to), and that policy.
#[derive(Serialize)]
pub(crate) struct Left {
    id: String,
    name: String,
    moved_to: IdName,
}

impl Named for Left {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Why an IP is not moved off a policy; nothing is sent.
pub(crate) enum Stays {
    /// The policy no longer exists.
    PolicyGone,
    /// The IP does not use this policy.
    NotHere,
    /// The IP could not be checked (fail closed).
    Unchecked(CloudError),
    /// The policy could not be read.
    Unreadable(CloudError),
    /// A default policy: an IP leaves it when another is assigned to it.
    Default,
    /// The account has no default policy to move the IP to.
    NoDefault,
}

impl Stays {
    /// The refusal in words (the gone and unreadable cases are said by
    /// each answer's own path).
    pub(crate) fn message(&self) -> String {
        match self {
            Stays::PolicyGone => {
                "This firewall policy no longer exists in the Cloud Panel: it was removed meanwhile."
                    .to_owned()
            }
            Stays::NotHere => {
                "This IP does not use this policy (any more). Nothing was changed.".to_owned()
            }
            Stays::Unchecked(e) => format!(
                "Nothing was changed: the panel could not check the IP ({}).",
                e.user_message()
            ),
            Stays::Unreadable(e) => format!(
                "Nothing was changed: the panel could not read the policy ({}).",
                e.user_message()
            ),
            Stays::Default => "An IP leaves a default policy when another policy is assigned to \
                               it. Nothing was changed."
                .to_owned(),
            Stays::NoDefault => "The account has no default firewall policy to move the IP to: \
                                 assign it another policy from that policy's page. Nothing was \
                                 changed."
                .to_owned(),
        }
    }
}

/// An IP's move off a policy to the account's default policy, checked and
/// ready to send.
pub(crate) struct Unassigning {
    /// What the audit log records.
    pub details: Value,
    /// The success message; `{name}` is the policy's name.
    pub success: String,
    ip_id: String,
    left: Left,
}

impl Unassigning {
    /// Moves the IP: the API has no DELETE for a policy's IP, so it is
    /// assigned to the default policy.
    pub(crate) async fn send(self, client: &AccountClient) -> Result<Left, CloudError> {
        client
            .add_firewall_policy_server_ips(
                &self.left.moved_to.id,
                std::slice::from_ref(&self.ip_id),
            )
            .await
            .map(|_| self.left)
    }
}

/// Checks that IP `ip_id` uses policy `id` (the address cannot move another
/// policy's IP), that the policy is not a default one, and finds the
/// account's default policy the IP moves to.
pub(crate) async fn unassigning(
    up: &Upstream,
    id: &str,
    ip_id: &str,
) -> Result<Unassigning, Stays> {
    let client = up.client();
    let ip = match client.get_firewall_policy_server_ip(id, ip_id).await {
        Ok(ip) => ip.value,
        Err(CloudError::NotFound { kind, .. }) if kind == "FIREWALL_NOT_FOUND" => {
            return Err(Stays::PolicyGone);
        }
        Err(CloudError::NotFound { .. }) => return Err(Stays::NotHere),
        Err(e) => return Err(Stays::Unchecked(e)),
    };
    let policy = client
        .get_firewall_policy(id)
        .await
        .map_err(Stays::Unreadable)?
        .value;
    if policy.default {
        return Err(Stays::Default);
    }
    let Some(default) = default_policy(up, id).await else {
        return Err(Stays::NoDefault);
    };
    let label = if ip.server_name.is_empty() {
        ip.ip.clone()
    } else {
        format!("{} ({})", ip.ip, ip.server_name)
    };
    Ok(Unassigning {
        details: json!({
            "ip_id": ip_id,
            "ip": ip.ip,
            "server_name": ip.server_name,
            "moved_to": { "id": default.id, "name": default.name },
        }),
        success: format!(
            "{label} leaves {{name}}: it moves to the default policy {}.",
            default.name
        ),
        ip_id: ip_id.to_owned(),
        left: Left {
            id: policy.id,
            name: policy.name,
            moved_to: IdName {
                id: default.id,
                name: default.name,
            },
        },
    })
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
    let moving = match unassigning(&act.up, id, ip_id).await {
        Ok(moving) => moving,
        Err(stays @ Stays::PolicyGone) => {
            flash::error(&session, stays.message());
            return Ok(redirect(act.list()));
        }
        Err(Stays::Unreadable(e)) => return act.unreadable("policy", &e),
        Err(stays) => return act.invalid(&stays.message()),
    };
    let change = Change::new(
        "firewall_policy.server_ip_unassign",
        moving.details.clone(),
        moving.success.clone(),
    );
    act.run(change, moving.send(act.up.client())).await
}

/// What a policy's deletion takes with it, for the audit log: its server
/// IPs (as the policy's own list has them, else as the policy read had
/// them), and how many.
pub(crate) async fn deletion_details(
    up: &Upstream,
    id: &str,
    policy: FirewallPolicy,
) -> (Value, usize) {
    let ips = up
        .client()
        .list_firewall_policy_server_ips(id)
        .await
        .map(|f| f.value)
        .unwrap_or(policy.server_ips);
    let details = json!({
        "server_ips": ips
            .iter()
            .map(|ip| json!({ "id": ip.id, "ip": ip.ip, "server_name": ip.server_name }))
            .collect::<Vec<_>>(),
    });
    (details, ips.len())
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
    let (details, count) = deletion_details(&act.up, id, policy).await;
    let success = match count {
        0 => "Deleting {name}.".to_owned(),
        1 => "Deleting {name}; its server IP loses it.".to_owned(),
        n => format!("Deleting {{name}}; its {n} server IPs lose it."),
    };
    let change = Change::new("firewall_policy.delete", details, success).then(Then::List);
    act.run(change, client.delete_firewall_policy(id)).await
}
