//! Changes to a policy itself: its name, description and e-mail (each
//! field needs its own flag), its thresholds and agent, a clone, and its
//! deletion. Each handler checks the exact flag, refuses bad values beside
//! their fields before anything is sent (back on the policy's page with
//! the form as typed), and goes through `Act::run`.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::json;

use super::FAMILY;
use super::thresholds::{self, ThresholdForm};
use super::values::{self, Fields, checked};
use crate::cloudpanel::monitoring::{
    CreateMonitoringPolicy, NewPortAlert, NewProcessAlert, UpdateMonitoringPolicy,
};
use crate::rbac::perms;
use crate::web::cloud::{Change, FieldErrors, Object, Then, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// The settings form as typed; the fields the member may not change are
/// not on it (`None`).
#[derive(Serialize)]
struct Settings {
    name: Option<String>,
    description: Option<String>,
    email: Option<String>,
}

/// Saves the name, description and/or e-mail. The form carries only the
/// fields the member may change, and each field sent needs its own flag.
pub async fn settings(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let fields = Fields::parse(&body);
    let sent = [
        ("name", perms::MONITORING_POLICIES_SET_NAME),
        ("description", perms::MONITORING_POLICIES_SET_DESCRIPTION),
        ("email", perms::MONITORING_POLICIES_SET_EMAIL),
    ];
    let first = sent
        .iter()
        .find(|(field, _)| fields.has(field))
        .map_or(perms::MONITORING_POLICIES_SET_NAME, |(_, flag)| *flag);
    let act = object.act(&ctx, &session, first, &FAMILY).await?;
    for (field, flag) in sent {
        if fields.has(field) {
            ctx.require(flag).await?;
        }
    }
    let typed = |field| fields.has(field).then(|| fields.trimmed(field));
    let settings = Settings {
        name: typed("name"),
        description: typed("description"),
        email: typed("email"),
    };
    let act = act.keeping("settings", &settings);
    if settings.name.is_none() && settings.description.is_none() && settings.email.is_none() {
        return act.invalid("Nothing to save: the form had no name, description or e-mail.");
    }
    let mut errors = FieldErrors::new();
    for (field, value, check) in [
        ("name", &settings.name, values::name as fn(&str) -> _),
        ("description", &settings.description, values::description),
        ("email", &settings.email, values::email),
    ] {
        if let Some(Err(e)) = value.as_deref().map(check) {
            errors.insert(field, e);
        }
    }
    if !errors.is_empty() {
        return act.invalid_fields(errors);
    }
    let body = UpdateMonitoringPolicy {
        name: settings.name,
        description: settings.description,
        email: settings.email,
        ..UpdateMonitoringPolicy::default()
    };
    let change = Change::new(
        "monitoring_policy.update",
        json!({ "name": body.name, "description": body.description, "email": body.email }),
        "Saved: {name}.",
    );
    act.run(change, act.up.client().update_monitoring_policy(id, &body))
        .await
}

/// Saves the thresholds and whether the agent is required.
pub async fn thresholds(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let fields = Fields::parse(&body);
    let agent = checked(&fields, "agent");
    let mut form = ThresholdForm::parse(&fields);
    let permission = perms::MONITORING_POLICIES_MODIFY_RESOURCES;
    let act = object
        .act(&ctx, &session, permission, &FAMILY)
        .await?
        .keeping(thresholds::FORM, &form.typed(agent));
    let Some(thresholds) = form.check() else {
        return act.invalid_fields(form.errors());
    };
    let change = Change::new(
        "monitoring_policy.thresholds",
        json!({ "agent": agent, "thresholds": thresholds }),
        "Saved the thresholds of {name}.",
    );
    let body = UpdateMonitoringPolicy {
        agent: Some(agent),
        thresholds: Some(thresholds),
        ..UpdateMonitoringPolicy::default()
    };
    act.run(change, act.up.client().update_monitoring_policy(id, &body))
        .await
}

/// A new policy from this one's current settings (the API has no clone):
/// same e-mail, agent, thresholds, ports and processes, no servers.
pub async fn clone(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let name = Fields::parse(&body).trimmed("name");
    let act = object
        .act(&ctx, &session, perms::MONITORING_POLICIES_CLONE, &FAMILY)
        .await?
        .keeping("clone", &json!({ "name": name }));
    if let Err(e) = values::name(&name) {
        return act.invalid_fields(FieldErrors::from([("name", e)]));
    }
    let source = match act.up.client().get_monitoring_policy(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => {
            return act.invalid(&format!(
                "Nothing was created: the panel could not read the policy ({}).",
                e.user_message()
            ));
        }
    };
    let request = CreateMonitoringPolicy {
        name,
        description: (!source.description.is_empty()).then(|| source.description.clone()),
        email: source.email.clone(),
        agent: source.agent,
        thresholds: source.thresholds.clone(),
        ports: source
            .ports
            .iter()
            .map(|p| NewPortAlert {
                protocol: p.protocol.clone(),
                port: p.port,
                alert_if: p.alert_if.clone(),
                email_notification: p.email_notification,
            })
            .collect(),
        processes: source
            .processes
            .iter()
            .map(|p| NewProcessAlert {
                process: p.process.clone(),
                alert_if: p.alert_if.clone(),
                email_notification: p.email_notification,
            })
            .collect(),
    };
    let mut details = super::create::details(&request);
    details["cloned_from"] = json!({ "id": source.id, "name": source.name });
    let change = Change::new(
        "monitoring_policy.clone",
        details,
        format!("Created {{name}}, a copy of {}.", source.name),
    )
    .then(Then::Created(|ctx, up, id| FAMILY.page_href(ctx, up, id)));
    act.run(change, act.up.client().create_monitoring_policy(&request))
        .await
}

/// Deletes the policy once its name is typed. The API refuses the default
/// policy (the page does not offer it).
pub async fn delete(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let act = object
        .act(&ctx, &session, perms::MONITORING_POLICIES_DELETE, &FAMILY)
        .await?;
    let client = act.up.client();
    let policy = match client.get_monitoring_policy(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => {
            return act.unreadable("policy", &e);
        }
    };
    if let Err(message) = check_typed_name("policy's name", &policy.name, &form.confirm_name) {
        return act.invalid(&message);
    }
    let change = Change::new(
        "monitoring_policy.delete",
        json!({
            "servers": policy.servers.iter().map(|s| json!({ "id": s.id, "name": s.name })).collect::<Vec<_>>(),
        }),
        "Deleting {name}.",
    )
    .then(Then::List);
    act.run(change, client.delete_monitoring_policy(id)).await
}
