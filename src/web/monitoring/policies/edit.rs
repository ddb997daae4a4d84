//! Changes to a policy itself: its name, description and e-mail (each
//! field needs its own flag), its thresholds and agent, a clone, and its
//! deletion. Each handler checks the exact flag, refuses bad values beside
//! their fields before anything is sent, and goes through `Act::run`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::detail::{self, Forms};
use super::thresholds::ThresholdForm;
use super::values::{self, Fields, checked};
use super::{created_page, target};
use crate::cloudpanel::monitoring::{
    CreateMonitoringPolicy, NewPortAlert, NewProcessAlert, UpdateMonitoringPolicy,
};
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Act, Change, FieldErrors, Then, check_id, check_typed_name};
use crate::web::confirm::TypedName;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

type PolicyPath = web::Path<(String, String)>;

/// Saves the name, description and/or e-mail. The form carries only the
/// fields the member may change, and each field sent needs its own flag.
pub async fn settings(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: PolicyPath,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    check_id(&id)?;
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
    let act = Act::begin(&ctx, &session, &account, first, |up| target(&ctx, up, &id)).await?;
    for (field, flag) in sent {
        if fields.has(field) {
            ctx.require(flag).await?;
        }
    }
    let (has_name, has_description, has_email) = (
        fields.has("name"),
        fields.has("description"),
        fields.has("email"),
    );
    if !has_name && !has_description && !has_email {
        return act.invalid("Nothing to save: the form had no name, description or e-mail.");
    }
    let (name, description, email) = (
        fields.trimmed("name"),
        fields.trimmed("description"),
        fields.trimmed("email"),
    );
    let mut errors = FieldErrors::new();
    if has_name && let Err(e) = values::name(&name) {
        errors.insert("settings-name", e);
    }
    if has_description && let Err(e) = values::description(&description) {
        errors.insert("settings-description", e);
    }
    if has_email && let Err(e) = values::email(&email) {
        errors.insert("settings-email", e);
    }
    if !errors.is_empty() {
        ctx.require(perms::MONITORING_POLICIES_SHOW).await?;
        let forms = Forms {
            settings: Some((name, description, email)),
            errors,
            ..Forms::default()
        };
        return detail::show(&ctx, &act.up, &id, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let body = UpdateMonitoringPolicy {
        name: has_name.then_some(name),
        description: has_description.then_some(description),
        email: has_email.then_some(email),
        ..UpdateMonitoringPolicy::default()
    };
    let change = Change::new(
        "monitoring_policy.update",
        json!({ "name": body.name, "description": body.description, "email": body.email }),
        "Saved: {name}.",
    );
    act.run(change, act.up.client().update_monitoring_policy(&id, &body))
        .await
}

/// Saves the thresholds and whether the agent is required.
pub async fn thresholds(
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
        perms::MONITORING_POLICIES_MODIFY_RESOURCES,
        |up| target(&ctx, up, &id),
    )
    .await?;
    let fields = Fields::parse(&body);
    let agent = checked(&fields, "agent");
    let mut form = ThresholdForm::parse(&fields);
    let Some(thresholds) = form.check() else {
        ctx.require(perms::MONITORING_POLICIES_SHOW).await?;
        let forms = Forms {
            thresholds: Some((agent, form)),
            ..Forms::default()
        };
        return detail::show(&ctx, &act.up, &id, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
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
    act.run(change, act.up.client().update_monitoring_policy(&id, &body))
        .await
}

/// A new policy from this one's current settings (the API has no clone):
/// same e-mail, agent, thresholds, ports and processes, no servers.
pub async fn clone(
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
        perms::MONITORING_POLICIES_CLONE,
        |up| target(&ctx, up, &id),
    )
    .await?;
    let name = Fields::parse(&body).trimmed("name");
    if let Err(e) = values::name(&name) {
        ctx.require(perms::MONITORING_POLICIES_SHOW).await?;
        let mut errors = FieldErrors::new();
        errors.insert("clone-name", e);
        let forms = Forms {
            clone_name: Some(name),
            errors,
            ..Forms::default()
        };
        return detail::show(&ctx, &act.up, &id, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let source = match act.up.client().get_monitoring_policy(&id).await {
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
    .then(Then::Created(created_page));
    act.run(change, act.up.client().create_monitoring_policy(&request))
        .await
}

/// Deletes the policy once its name is typed. The API refuses the default
/// policy (the page does not offer it).
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
        perms::MONITORING_POLICIES_DELETE,
        |up| target(&ctx, up, &id),
    )
    .await?;
    let client = act.up.client();
    let policy = match client.get_monitoring_policy(&id).await {
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
    act.run(change, client.delete_monitoring_policy(&id)).await
}
