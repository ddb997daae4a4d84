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
    CreateMonitoringPolicy, MonitoringPolicy, NewPortAlert, NewProcessAlert, Thresholds,
    UpdateMonitoringPolicy,
};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, FieldErrors, Object, Then, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// The settings form as typed; the fields the member may not change are
/// not on it (`None`).
#[derive(Serialize)]
pub(crate) struct Settings {
    pub name: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
}

/// Why settings cannot be sent: nothing to save, or a message beside each
/// bad field.
pub(crate) enum Unsaved {
    Nothing(&'static str),
    Fields(FieldErrors),
}

impl Settings {
    /// The flag of each field sent, in the form's order: each needs its own.
    pub(crate) fn flags(&self) -> Vec<Permission> {
        [
            (&self.name, perms::MONITORING_POLICIES_SET_NAME),
            (
                &self.description,
                perms::MONITORING_POLICIES_SET_DESCRIPTION,
            ),
            (&self.email, perms::MONITORING_POLICIES_SET_EMAIL),
        ]
        .into_iter()
        .filter_map(|(value, flag)| value.is_some().then_some(flag))
        .collect()
    }

    /// The change to send and record, or why there is none.
    pub(crate) fn change(&self) -> Result<(UpdateMonitoringPolicy, Change), Unsaved> {
        if self.name.is_none() && self.description.is_none() && self.email.is_none() {
            return Err(Unsaved::Nothing(
                "Nothing to save: the form had no name, description or e-mail.",
            ));
        }
        let mut errors = FieldErrors::new();
        for (field, value, check) in [
            ("name", &self.name, values::name as fn(&str) -> _),
            ("description", &self.description, values::description),
            ("email", &self.email, values::email),
        ] {
            if let Some(Err(e)) = value.as_deref().map(check) {
                errors.insert(field, e);
            }
        }
        if !errors.is_empty() {
            return Err(Unsaved::Fields(errors));
        }
        let body = UpdateMonitoringPolicy {
            name: self.name.clone(),
            description: self.description.clone(),
            email: self.email.clone(),
            ..UpdateMonitoringPolicy::default()
        };
        let change = Change::new(
            "monitoring_policy.update",
            json!({ "name": body.name, "description": body.description, "email": body.email }),
            "Saved: {name}.",
        );
        Ok((body, change))
    }
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
    let typed = |field| fields.has(field).then(|| fields.trimmed(field));
    let settings = Settings {
        name: typed("name"),
        description: typed("description"),
        email: typed("email"),
    };
    let flags = settings.flags();
    let first = flags
        .first()
        .copied()
        .unwrap_or(perms::MONITORING_POLICIES_SET_NAME);
    let act = object.act(&ctx, &session, first, &FAMILY).await?;
    for flag in flags {
        ctx.require(flag).await?;
    }
    let act = act.keeping("settings", &settings);
    let (body, change) = match settings.change() {
        Ok(planned) => planned,
        Err(Unsaved::Nothing(message)) => return act.invalid(message),
        Err(Unsaved::Fields(errors)) => return act.invalid_fields(errors),
    };
    act.run(change, act.up.client().update_monitoring_policy(id, &body))
        .await
}

/// The thresholds and agent to send and record.
pub(crate) fn thresholds_change(
    agent: bool,
    thresholds: Thresholds,
) -> (UpdateMonitoringPolicy, Change) {
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
    (body, change)
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
    let (body, change) = thresholds_change(agent, thresholds);
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
    let (request, change) = clone_of(&source, name);
    act.run(change, act.up.client().create_monitoring_policy(&request))
        .await
}

/// A new policy named `name` from `source`'s current settings, and the
/// change that records it.
pub(crate) fn clone_of(
    source: &MonitoringPolicy,
    name: String,
) -> (CreateMonitoringPolicy, Change) {
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
    (request, change)
}

/// The deletion of `policy`, as the audit log keeps it.
pub(crate) fn delete_change(policy: &MonitoringPolicy) -> Change {
    Change::new(
        "monitoring_policy.delete",
        json!({
            "servers": policy.servers.iter().map(|s| json!({ "id": s.id, "name": s.name })).collect::<Vec<_>>(),
        }),
        "Deleting {name}.",
    )
    .then(Then::List)
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
    act.run(delete_change(&policy), client.delete_monitoring_policy(id))
        .await
}
