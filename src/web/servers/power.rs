//! The power card: power on, power off (software or hardware) and reboot,
//! into recovery mode when an image is chosen; each behind its own flag.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::FAMILY;
use super::server_href;
use crate::cloudpanel::servers::{PowerAction, PowerMethod, ServerAction};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{AccountParam, Change, Object, Then, chosen_id};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::{flash, redirect};

/// A form value that cannot be used before the account is open: said in a
/// flash message, nothing sent.
fn invalid(
    session: &Session,
    ctx: &OrgCtx,
    account: &AccountParam,
    id: &str,
    message: &str,
) -> AppResult<HttpResponse> {
    flash::error(session, message.to_owned());
    Ok(redirect(&format!(
        "{}{}",
        server_href(ctx, id),
        account.query()
    )))
}

#[derive(Deserialize)]
pub struct PowerForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    recovery_image_id: String,
}

/// A power request as the page and the API send it: the action, the flag
/// it needs and its audit action.
pub struct Power {
    action: PowerAction,
    pub permission: Permission,
    pub audit_action: &'static str,
}

/// What to send for a power request, and how to record and announce it.
pub struct PowerChange {
    pub body: ServerAction,
    pub details: Value,
    /// The success message; `{name}` is the server's name.
    pub verb: &'static str,
}

/// The one message for an action that is none of the three.
pub const UNKNOWN_ACTION: &str = "Choose power on, power off or reboot.";

impl Power {
    /// `POWER_ON`, `POWER_OFF` or `REBOOT`.
    pub fn parse(action: &str) -> Option<Self> {
        let (action, permission, audit_action) = match action {
            "POWER_ON" => (
                PowerAction::PowerOn,
                perms::SERVERS_START,
                "server.power_on",
            ),
            "POWER_OFF" => (
                PowerAction::PowerOff,
                perms::SERVERS_SHUTDOWN,
                "server.power_off",
            ),
            "REBOOT" => (PowerAction::Reboot, perms::SERVERS_RESTART, "server.reboot"),
            _ => return None,
        };
        Some(Self {
            action,
            permission,
            audit_action,
        })
    }

    /// Only a reboot may go into recovery mode.
    pub fn takes_recovery_image(&self) -> bool {
        matches!(self.action, PowerAction::Reboot)
    }

    /// The request with its method (`SOFTWARE`, the default, or
    /// `HARDWARE`; none for power on) and, for a reboot into recovery mode,
    /// the recovery image (already checked as an id; other actions ignore it).
    pub fn change(
        &self,
        method: &str,
        recovery_image_id: Option<String>,
    ) -> Result<PowerChange, &'static str> {
        let action = self.action.clone();
        let method = match (&action, method) {
            (PowerAction::PowerOn, _) => None,
            (_, "SOFTWARE" | "") => Some(PowerMethod::Software),
            (_, "HARDWARE") => Some(PowerMethod::Hardware),
            _ => return Err("The method is either software or hardware."),
        };
        // Recovery mode is a kind of reboot; other actions ignore the field.
        let recovery_image_id = match action {
            PowerAction::Reboot => recovery_image_id,
            _ => None,
        };
        let verb = match (&action, &recovery_image_id) {
            (PowerAction::PowerOn, _) => "Powering on {name}.",
            (PowerAction::PowerOff, _) => "Powering off {name}.",
            (_, Some(_)) => "Rebooting {name} into recovery mode.",
            _ => "Rebooting {name}.",
        };
        let details = json!({
            "action": action.as_str(),
            "method": method.as_ref().map(|m| m.as_str().to_owned()),
            "recovery_image_id": recovery_image_id,
        });
        Ok(PowerChange {
            body: ServerAction {
                action,
                method,
                recovery_mode: recovery_image_id.as_ref().map(|_| true),
                recovery_image_id,
            },
            details,
            verb,
        })
    }
}

pub async fn power(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<PowerForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let Some(power) = Power::parse(&form.action) else {
        return invalid(&session, &ctx, &object.account, id, UNKNOWN_ACTION);
    };
    let act = object
        .act(&ctx, &session, power.permission, &FAMILY)
        .await?;
    let recovery_image_id = if power.takes_recovery_image() {
        chosen_id(&form.recovery_image_id)?
    } else {
        None
    };
    let planned = match power.change(&form.method, recovery_image_id) {
        Ok(planned) => planned,
        Err(message) => return act.invalid(message),
    };
    let change = Change {
        action: power.audit_action,
        details: planned.details,
        success: planned.verb.into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().server_action(id, &planned.body))
        .await
}
