//! The power card: power on, power off (software or hardware) and reboot,
//! into recovery mode when an image is chosen; each behind its own flag.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::FAMILY;
use super::server_href;
use crate::cloudpanel::servers::{PowerAction, PowerMethod, ServerAction};
use crate::rbac::perms;
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

pub async fn power(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<PowerForm>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let (action, permission, audit_action) = match form.action.as_str() {
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
        _ => {
            return invalid(
                &session,
                &ctx,
                &object.account,
                id,
                "Choose power on, power off or reboot.",
            );
        }
    };
    let act = object.act(&ctx, &session, permission, &FAMILY).await?;
    let method = match (&action, form.method.as_str()) {
        (PowerAction::PowerOn, _) => None,
        (_, "SOFTWARE" | "") => Some(PowerMethod::Software),
        (_, "HARDWARE") => Some(PowerMethod::Hardware),
        _ => {
            return act.invalid("The method is either software or hardware.");
        }
    };
    // Recovery mode is a kind of reboot; other actions ignore the field.
    let recovery_image_id = match action {
        PowerAction::Reboot => chosen_id(&form.recovery_image_id)?,
        _ => None,
    };
    let body = ServerAction {
        action: action.clone(),
        method: method.clone(),
        recovery_mode: recovery_image_id.as_ref().map(|_| true),
        recovery_image_id: recovery_image_id.clone(),
    };
    let verb = match (&action, &recovery_image_id) {
        (PowerAction::PowerOn, _) => "Powering on {name}.",
        (PowerAction::PowerOff, _) => "Powering off {name}.",
        (_, Some(_)) => "Rebooting {name} into recovery mode.",
        _ => "Rebooting {name}.",
    };
    let change = Change {
        action: audit_action,
        details: json!({
            "action": action.as_str(),
            "method": method.as_ref().map(|m| m.as_str().to_owned()),
            "recovery_image_id": recovery_image_id,
        }),
        success: verb.into(),
        then: Then::Page,
    };
    act.run(change, act.up.client().server_action(id, &body))
        .await
}
