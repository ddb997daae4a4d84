//! Every change to a node. Each handler: the exact permission flag and the
//! account ([`Object::act`]), the path's id checked as a number, the form
//! checked (nothing sent when it cannot be used), then the audited call
//! ([`Act::run`]) and a flash message. A change the budget cannot take now
//! waits in the account's queue, as for every family.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::name::E2eName;
use super::{Acted, FAMILY, numeric_id};
use crate::cloudpanel::CloudError;
use crate::cloudpanel::e2e::{BillingChoice, Node, NodeAction};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Act, Change, FieldErrors, Object, Then, Upstream, check_typed_name};
use crate::web::confirm::{Confirmation, TypedName};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;

/// A node action without a form of its own: what it is sent as, under
/// which flag, how the audit log names it, and what the member confirms.
pub struct Simple {
    pub action: NodeAction,
    pub flag: Permission,
    pub audit: &'static str,
    /// What a POST without `confirm=yes` was not confirmed to do; `None`
    /// for actions that lose nothing.
    pub confirm: Option<&'static str>,
    /// The flash message; `{name}` is the node's name.
    pub success: &'static str,
}

/// The actions `POST /{id}/actions/{action}` takes, by E2E's word.
pub const SIMPLE: &[Simple] = &[
    Simple {
        action: NodeAction::PowerOn,
        flag: perms::E2E_NODES_POWER,
        audit: "e2e_node.power_on",
        confirm: None,
        success: "Powering on {name}.",
    },
    Simple {
        action: NodeAction::PowerOff,
        flag: perms::E2E_NODES_POWER,
        audit: "e2e_node.power_off",
        confirm: Some("power off the node"),
        success: "Powering off {name}.",
    },
    Simple {
        action: NodeAction::Reboot,
        flag: perms::E2E_NODES_POWER,
        audit: "e2e_node.reboot",
        confirm: Some("reboot the node"),
        success: "Rebooting {name}.",
    },
    Simple {
        action: NodeAction::EnableBackups,
        flag: perms::E2E_NODES_BACKUPS,
        audit: "e2e_node.enable_backups",
        confirm: None,
        success: "Backups are on for {name}.",
    },
    Simple {
        action: NodeAction::DisableBackups,
        flag: perms::E2E_NODES_BACKUPS,
        audit: "e2e_node.disable_backups",
        confirm: None,
        success: "Backups are off for {name}.",
    },
    Simple {
        action: NodeAction::LockVm,
        flag: perms::E2E_NODES_LOCK,
        audit: "e2e_node.lock",
        confirm: None,
        success: "{name} is locked: E2E refuses changes to it until it is unlocked.",
    },
    Simple {
        action: NodeAction::UnlockVm,
        flag: perms::E2E_NODES_LOCK,
        audit: "e2e_node.unlock",
        confirm: None,
        success: "{name} is unlocked.",
    },
];

impl Simple {
    /// The action, as the audit log keeps it.
    pub fn change(&self) -> Change {
        Change::new(
            self.audit,
            json!({ "type": self.action.key() }),
            self.success,
        )
    }
}

/// The simple action E2E calls `key`, if the panel offers it.
pub fn simple(key: &str) -> Option<&'static Simple> {
    let action = NodeAction::parse(key)?;
    SIMPLE.iter().find(|s| s.action == action)
}

/// The node's name for the audit log and the message, from the (cached)
/// node: a change is never held up for it, so it may be missing.
async fn node_name(up: &Upstream, id: &str) -> String {
    up.client()
        .get_node(id)
        .await
        .map(|fetched| fetched.value.name)
        .unwrap_or_default()
}

/// The node as it is now, for a change that depends on it (the name to
/// type): fail closed when it cannot be read.
async fn current(act: &Act<'_>, id: &str) -> Result<Node, AppResult<HttpResponse>> {
    match act.up.client().get_node(id).await {
        Ok(fetched) => Ok(fetched.value),
        Err(e) => Err(act.unreadable(FAMILY.one, &e)),
    }
}

// ---- power, backups, lock ----

/// `POST /{id}/actions/{action}`: power on, power off, reboot, backups on
/// and off, lock and unlock, each under its own flag.
pub async fn node_action(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let key = object.other("action").map_err(|e| e.in_page(&ctx.page))?;
    let Some(simple) = simple(key) else {
        // No flag goes with an action the panel does not offer: the page's
        // own flag is checked, and nothing is sent.
        let act = object.act(&ctx, &session, FAMILY.show, &FAMILY).await?;
        numeric_id(&ctx, &object.id)?;
        return act.invalid(&format!(
            "“{key}” is not an action the panel offers for nodes. Nothing was changed."
        ));
    };
    let act = object.act(&ctx, &session, simple.flag, &FAMILY).await?;
    let id = numeric_id(&ctx, &object.id)?;
    if let Some(what) = simple.confirm
        && !form.given()
    {
        return act.unconfirmed(what);
    }
    let name = node_name(&act.up, id).await;
    let change = simple.change();
    let call = async {
        act.up.client().node_action(id, simple.action, None).await?;
        Ok::<_, CloudError>(Acted::new(id, &name))
    };
    act.run(change, call).await
}

// ---- name ----

#[derive(Deserialize, Serialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// A name form's value, or the message beside its field.
pub(crate) fn parsed_name(raw: &str, what: &str) -> Result<E2eName, FieldErrors> {
    E2eName::parse(raw, what).map_err(|message| FieldErrors::from([("name", message)]))
}

/// Renaming a node to `name` (it was `before`).
pub(crate) fn renamed(name: &E2eName, before: &str) -> Change {
    Change::new(
        "e2e_node.rename",
        json!({ "name": name.as_str(), "previous_name": before }),
        "Renamed to {name}.",
    )
}

/// Saving an image of a node as `image`.
pub(crate) fn image_saved(image: &E2eName) -> Change {
    Change::new(
        "e2e_node.save_image",
        json!({ "image_name": image.as_str() }),
        format!(
            "Saving an image of {{name}} as {}: it is listed under Saved images, and can be used \
             once it is ready.",
            image.as_str()
        ),
    )
}

pub async fn rename(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<NameForm>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, perms::E2E_NODES_RENAME, &FAMILY)
        .await?
        .keeping("rename", &*form);
    let id = numeric_id(&ctx, &object.id)?;
    let name = match parsed_name(&form.name, "node name") {
        Ok(name) => name,
        Err(errors) => return act.invalid_fields(errors),
    };
    let before = node_name(&act.up, id).await;
    let change = renamed(&name, &before);
    let call = async {
        act.up
            .client()
            .node_action(id, NodeAction::Rename, Some(name.as_str()))
            .await?;
        Ok::<_, CloudError>(Acted::new(id, name.as_str()))
    };
    act.run(change, call).await
}

// ---- save an image ----

pub async fn save_image(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<NameForm>,
) -> AppResult<HttpResponse> {
    // Saving makes a saved image: the images' flag, as E2E's table says.
    let act = object
        .act(&ctx, &session, perms::E2E_IMAGES_SAVE, &FAMILY)
        .await?
        .keeping("save_image", &*form);
    let id = numeric_id(&ctx, &object.id)?;
    let image = match parsed_name(&form.name, "image name") {
        Ok(name) => name,
        Err(errors) => return act.invalid_fields(errors),
    };
    let name = node_name(&act.up, id).await;
    let change = image_saved(&image);
    let call = async {
        act.up
            .client()
            .node_action(id, NodeAction::SaveImages, Some(image.as_str()))
            .await?;
        Ok::<_, CloudError>(Acted::new(id, &name))
    };
    act.run(change, call).await
}

// ---- committed plan ----

#[derive(Deserialize, Serialize)]
pub struct PlanForm {
    #[serde(default)]
    billing: String,
    #[serde(default)]
    committed_sku: String,
}

/// What the plan form asks for: the billing after the committed period,
/// and the SKU to renew on (only for a renewal).
fn parsed_plan(form: &PlanForm) -> Result<(BillingChoice, Option<i64>), FieldErrors> {
    plan_of(&form.billing, &form.committed_sku)
}

/// [`parsed_plan`] of the two values as typed.
pub(crate) fn plan_of(
    billing: &str,
    committed_sku: &str,
) -> Result<(BillingChoice, Option<i64>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let choice = BillingChoice::parse(billing.trim());
    if choice.is_none() {
        errors.insert(
            "billing",
            "Choose what happens when the committed period ends.".to_owned(),
        );
    }
    let raw = committed_sku.trim();
    let sku = if raw.is_empty() || choice != Some(BillingChoice::AutoRenew) {
        None
    } else {
        match raw.parse::<i64>() {
            Ok(sku) if sku > 0 && raw.len() <= 18 => Some(sku),
            _ => {
                errors.insert(
                    "committed_sku",
                    "Choose one of the plan's committed terms (its number).".to_owned(),
                );
                None
            }
        }
    };
    match choice {
        Some(choice) if errors.is_empty() => Ok((choice, sku)),
        _ => Err(errors),
    }
}

pub async fn plan(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<PlanForm>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, perms::E2E_NODES_PLAN, &FAMILY)
        .await?
        .keeping("plan", &*form);
    let id = numeric_id(&ctx, &object.id)?;
    let (choice, sku) = match parsed_plan(&form) {
        Ok(plan) => plan,
        Err(errors) => return act.invalid_fields(errors),
    };
    // Digits only, at most 18 of them: always an i64.
    let node_id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let name = node_name(&act.up, id).await;
    let change = plan_changed(choice, sku);
    let call = async {
        act.up
            .client()
            .update_committed_node(node_id, choice, sku)
            .await?;
        Ok::<_, CloudError>(Acted::new(id, &name))
    };
    act.run(change, call).await
}

/// The billing after the committed period, and the SKU to renew on.
pub(crate) fn plan_changed(choice: BillingChoice, sku: Option<i64>) -> Change {
    Change::new(
        "e2e_node.update_plan",
        json!({ "billing_type": choice.key(), "committed_sku_id": sku }),
        format!(
            "Billing of {{name}} updated: {}.",
            choice.label().to_lowercase()
        ),
    )
}

/// Reinstalling `node`: its disk erased and its image installed afresh.
pub(crate) fn reinstalled(node: &Node) -> Change {
    Change::new(
        "e2e_node.reinstall",
        json!({ "image": node.image }),
        "Reinstalling {name}: its disk is erased and its image installed afresh.",
    )
}

/// Deleting `node`, as the audit log keeps it.
pub(crate) fn deleted(node: &Node) -> Change {
    Change::new(
        "e2e_node.delete",
        json!({
            "plan": node.plan,
            "public_ip_address": node.public_ip_address,
            "billing_type": node.billing_type,
        }),
        "Deleting {name}.",
    )
    .then(Then::List)
}

// ---- reinstall and delete: the node's name typed to confirm ----

pub async fn reinstall(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, perms::E2E_NODES_REINSTALL, &FAMILY)
        .await?;
    let id = numeric_id(&ctx, &object.id)?;
    let node = match current(&act, id).await {
        Ok(node) => node,
        Err(answer) => return answer,
    };
    if let Err(message) = check_typed_name("node's name", &node.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = reinstalled(&node);
    let call = async {
        act.up
            .client()
            .node_action(id, NodeAction::Reinstall, None)
            .await?;
        Ok::<_, CloudError>(Acted::new(id, &node.name))
    };
    act.run(change, call).await
}

pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let act = object
        .act(&ctx, &session, perms::E2E_NODES_DELETE, &FAMILY)
        .await?;
    let id = numeric_id(&ctx, &object.id)?;
    let node = match current(&act, id).await {
        Ok(node) => node,
        Err(answer) => return answer,
    };
    if let Err(message) = check_typed_name("node's name", &node.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = deleted(&node);
    let call = async {
        act.up.client().delete_node(id).await?;
        Ok::<_, CloudError>(Acted::new(id, &node.name))
    };
    act.run(change, call).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_simple_action_is_sent_under_the_flag_its_endpoint_names() {
        for s in SIMPLE {
            assert_eq!(s.flag.key(), s.action.flag(), "{:?}", s.action);
            assert_eq!(simple(s.action.key()).map(|f| f.audit), Some(s.audit));
        }
        // The ones with forms of their own are not simple.
        for key in ["rename", "save_images", "reinstall", "format_disk", ""] {
            assert!(simple(key).is_none(), "{key}");
        }
    }

    #[test]
    fn the_plan_form_is_checked() {
        let form = |billing: &str, sku: &str| PlanForm {
            billing: billing.into(),
            committed_sku: sku.into(),
        };
        assert_eq!(
            parsed_plan(&form("auto_renew", "322")).unwrap(),
            (BillingChoice::AutoRenew, Some(322))
        );
        // A term matters only for a renewal.
        assert_eq!(
            parsed_plan(&form("hourly_billing", "x")).unwrap(),
            (BillingChoice::HourlyBilling, None)
        );
        assert!(
            parsed_plan(&form("forever", ""))
                .unwrap_err()
                .contains_key("billing")
        );
        for bad in ["x", "-1", "0", "1e3"] {
            let errors = parsed_plan(&form("auto_renew", bad)).unwrap_err();
            assert!(errors.contains_key("committed_sku"), "{bad}");
        }
    }
}
