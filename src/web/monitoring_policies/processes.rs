//! A policy's watched processes: add one, change when it alerts, remove
//! one (after the confirm step). Processes are watched by the agent: the
//! panel says so before sending when the policy does not require it. The
//! name of a watched process cannot change: it is read back from the API.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::json;

use super::values::{self, Fields, PROCESS_ALERTS, checked};
use super::{FAMILY, OfPolicy};
use crate::cloudpanel::monitoring::{MonitoringPolicy, NewProcessAlert, ProcessAlert};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{Change, FieldErrors, Object};
use crate::web::confirm::Confirmation;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// Every change to a policy's processes needs this flag.
pub(crate) const MANAGE: Permission = perms::MONITORING_POLICIES_MANAGE_PROCESSES;

/// The "add a process" form of the policy's page, as typed.
#[derive(Serialize)]
struct ProcessForm {
    process: String,
    alert_if: String,
    email_notification: bool,
}

pub async fn add(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = &object.id;
    let f = Fields::parse(&body);
    let typed = ProcessForm {
        process: f.trimmed("process"),
        alert_if: f.trimmed("alert_if"),
        email_notification: checked(&f, "email_notification"),
    };
    let act = object
        .act(&ctx, &session, MANAGE, &FAMILY)
        .await?
        .keeping("add-process", &typed);
    let client = act.up.client();
    let policy = match client.get_monitoring_policy(id).await {
        Ok(fetched) => fetched.value,
        Err(e) => {
            return act.unreadable("policy", &e);
        }
    };
    let checked_process = new_process(
        &policy,
        &typed.process,
        &typed.alert_if,
        typed.email_notification,
    );
    let process = match checked_process {
        Ok(process) => process,
        Err(message) => return act.invalid_fields(FieldErrors::from([("process", message)])),
    };
    let change = process_added(&process);
    let added = async {
        client
            .add_monitoring_policy_processes(id, std::slice::from_ref(&process))
            .await
            .map(|answer| OfPolicy::after(&policy, answer))
    };
    act.run(change, added).await
}

/// A process for `policy` to watch, checked (the policy must require the
/// agent); the message goes beside the process's field.
pub(crate) fn new_process(
    policy: &MonitoringPolicy,
    process: &str,
    alert_if: &str,
    email_notification: bool,
) -> Result<NewProcessAlert, String> {
    values::process(process)
        .and_then(|()| {
            if policy.agent {
                Ok(())
            } else {
                Err("Processes are watched by the monitoring agent: require it under Thresholds first.".to_owned())
            }
        })
        .and_then(|()| {
            Ok(NewProcessAlert {
                process: process.to_owned(),
                alert_if: values::choice(alert_if, PROCESS_ALERTS)?.into(),
                email_notification,
            })
        })
}

/// Watching `process`, as the audit log keeps it.
pub(crate) fn process_added(process: &NewProcessAlert) -> Change {
    Change::new(
        "monitoring_policy.process_add",
        json!({ "processes": [process] }),
        format!("{} is watched by {{name}}.", process.process),
    )
}

/// When a watched process alerts: its name stays as `current` has it.
pub(crate) fn process_update(
    current: &ProcessAlert,
    process_id: &str,
    alert_if: &str,
    email_notification: bool,
) -> (NewProcessAlert, Change) {
    let process = NewProcessAlert {
        process: current.process.clone(),
        alert_if: alert_if.into(),
        email_notification,
    };
    let change = Change::new(
        "monitoring_policy.process_update",
        json!({ "process_id": process_id, "process": &process }),
        format!("Saved {} of {{name}}.", process.process),
    );
    (process, change)
}

/// No longer watching the process `process_id`.
pub(crate) fn process_removed(process_id: &str) -> Change {
    Change::new(
        "monitoring_policy.process_remove",
        json!({ "process_id": process_id }),
        "The process is no longer watched by {name}.",
    )
}

pub async fn update(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (id, process_id) = (&object.id, object.other("item_id")?);
    let act = object.act(&ctx, &session, MANAGE, &FAMILY).await?;
    let f = Fields::parse(&body);
    let alert_if = match values::choice(&f.trimmed("alert_if"), PROCESS_ALERTS) {
        Ok(alert_if) => alert_if,
        Err(message) => return act.invalid(&format!("{message} Nothing was changed.")),
    };
    let client = act.up.client();
    let current = match client.get_monitoring_policy_process(id, process_id).await {
        Ok(fetched) => fetched.value,
        Err(e) => {
            return act.unreadable("process", &e);
        }
    };
    let (process, change) = process_update(
        &current,
        process_id,
        alert_if,
        checked(&f, "email_notification"),
    );
    act.run(
        change,
        client.update_monitoring_policy_process(id, process_id, &process),
    )
    .await
}

pub async fn remove(
    ctx: OrgCtx,
    session: Session,
    object: Object,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (id, process_id) = (&object.id, object.other("item_id")?);
    let act = object.act(&ctx, &session, MANAGE, &FAMILY).await?;
    if !form.given() {
        return act.unconfirmed("stop watching the process");
    }
    act.run(
        process_removed(process_id),
        act.up
            .client()
            .delete_monitoring_policy_process(id, process_id),
    )
    .await
}
