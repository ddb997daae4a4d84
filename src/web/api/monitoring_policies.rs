//! Monitoring policies over the API: create, the settings (each field
//! under its own flag), the thresholds, clone and delete, the watched
//! ports and processes, and the attached servers. Every value is checked
//! by the same functions as the policy's pages (`create::build`,
//! `edit::Settings`, `ThresholdForm`, `ports::new_port`,
//! `processes::new_process`, `servers::chosen`), and every change is
//! recorded with the page's action and details.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Route, web};
use serde::Serialize;

use super::act::ApiAct;
use super::door::ApiCtx;
use super::error::ApiError;
use super::params::Fields;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Body, CREATE, Kind, Param, Verb};
use super::storages::field_errors as refused;
use crate::cloudpanel::CloudError;
use crate::cloudpanel::monitoring::{MonitoringPolicy, ProcessAlert, Thresholds};
use crate::rbac::perms;
use crate::web::cloud::{Change, FieldErrors, Named};
use crate::web::monitoring_policies::create::{Values, build, details};
use crate::web::monitoring_policies::edit::{
    Settings, Unsaved, clone_of, delete_change, thresholds_change,
};
use crate::web::monitoring_policies::thresholds::ThresholdForm;
use crate::web::monitoring_policies::values::{self, PORT_ALERTS, PROCESS_ALERTS};
use crate::web::monitoring_policies::{FAMILY, ports, processes, servers};

/// The answers' key: one policy.
const KEY: &str = "monitoring_policy";

/// The fields of a body with the thresholds form's twenty fields after
/// `$field`s (checked against the form's own list in the tests).
macro_rules! with_thresholds {
    ($($field:expr),* $(,)?) => {
        &[
            $($field,)*
            Param::optional("cpu_warning", Kind::Integer, "CPU warning level, 1 to 95 (%)."),
            Param::optional("cpu_warning_alert", Kind::Boolean, "Alert at the CPU warning level."),
            Param::optional("cpu_critical", Kind::Integer, "CPU critical level, above the warning, at most 100 (%)."),
            Param::optional("cpu_critical_alert", Kind::Boolean, "Alert at the CPU critical level."),
            Param::optional("ram_warning", Kind::Integer, "RAM warning level, 1 to 95 (%)."),
            Param::optional("ram_warning_alert", Kind::Boolean, "Alert at the RAM warning level."),
            Param::optional("ram_critical", Kind::Integer, "RAM critical level, above the warning, at most 100 (%)."),
            Param::optional("ram_critical_alert", Kind::Boolean, "Alert at the RAM critical level."),
            Param::optional("disk_warning", Kind::Integer, "Disk warning level, 1 to 95 (%)."),
            Param::optional("disk_warning_alert", Kind::Boolean, "Alert at the disk warning level."),
            Param::optional("disk_critical", Kind::Integer, "Disk critical level, above the warning, at most 100 (%)."),
            Param::optional("disk_critical_alert", Kind::Boolean, "Alert at the disk critical level."),
            Param::optional("internal_ping_warning", Kind::Integer, "Ping warning level, 1 to 100 (ms)."),
            Param::optional("internal_ping_warning_alert", Kind::Boolean, "Alert at the ping warning level."),
            Param::optional("internal_ping_critical", Kind::Integer, "Ping critical level, above the warning, at most 100 (ms)."),
            Param::optional("internal_ping_critical_alert", Kind::Boolean, "Alert at the ping critical level."),
            Param::optional("transfer_warning", Kind::Integer, "Transfer warning level, 1 to 2000 (kbps)."),
            Param::optional("transfer_warning_alert", Kind::Boolean, "Alert at the transfer warning level."),
            Param::optional("transfer_critical", Kind::Integer, "Transfer critical level, above the warning, at most 2000 (kbps)."),
            Param::optional("transfer_critical_alert", Kind::Boolean, "Alert at the transfer critical level."),
        ]
    };
}

const CREATE_FIELDS: &[Param] = with_thresholds![
    Param::required("name", Kind::Text, "1 to 128 characters."),
    Param::optional("description", Kind::Text, "At most 256 characters."),
    Param::required(
        "email",
        Kind::Text,
        "The address that gets the alerts, at most 128 characters."
    ),
    Param::optional(
        "agent",
        Kind::Boolean,
        "Whether the monitoring agent is required (processes need it); false when absent."
    ),
    Param::optional("port", Kind::Integer, "A first port to watch, 1 to 65535."),
    Param::optional("port_protocol", Kind::Text, "TCP (the default) or UDP."),
    Param::optional(
        "port_alert_if",
        Kind::Text,
        "NOT_RESPONDING (the default) or RESPONDING."
    ),
    Param::optional(
        "port_email_notification",
        Kind::Boolean,
        "E-mail the port's alerts; true when absent."
    ),
    Param::optional(
        "process",
        Kind::Text,
        "A first process to watch, 1 to 50 characters (needs agent)."
    ),
    Param::optional(
        "process_alert_if",
        Kind::Text,
        "NOT_RUNNING (the default) or RUNNING."
    ),
    Param::optional(
        "process_email_notification",
        Kind::Boolean,
        "E-mail the process's alerts; true when absent."
    ),
];

const SETTINGS_FIELDS: &[Param] = &[
    Param::optional(
        "name",
        Kind::Text,
        "1 to 128 characters; needs monitoring_policies.set_name.",
    ),
    Param::optional(
        "description",
        Kind::Text,
        "At most 256 characters; needs monitoring_policies.set_description.",
    ),
    Param::optional(
        "email",
        Kind::Text,
        "The address that gets the alerts; needs monitoring_policies.set_email.",
    ),
];

const THRESHOLD_FIELDS: &[Param] = with_thresholds![Param::optional(
    "agent",
    Kind::Boolean,
    "Whether the monitoring agent is required."
)];

const NAME_FIELDS: &[Param] = &[Param::required(
    "name",
    Kind::Text,
    "The copy's name, 1 to 128 characters.",
)];

const PORT_FIELDS: &[Param] = &[
    Param::required("port", Kind::Integer, "1 to 65535."),
    Param::required("protocol", Kind::Text, "TCP or UDP."),
    Param::required("alert_if", Kind::Text, "NOT_RESPONDING or RESPONDING."),
    Param::optional(
        "email_notification",
        Kind::Boolean,
        "E-mail its alerts; false when absent.",
    ),
];

const PORT_UPDATE_FIELDS: &[Param] = &[
    Param::required("alert_if", Kind::Text, "NOT_RESPONDING or RESPONDING."),
    Param::optional(
        "email_notification",
        Kind::Boolean,
        "E-mail its alerts; as it is when absent.",
    ),
];

const PROCESS_FIELDS: &[Param] = &[
    Param::required(
        "process",
        Kind::Text,
        "The process's name, 1 to 50 characters; the policy must require the agent.",
    ),
    Param::required("alert_if", Kind::Text, "NOT_RUNNING or RUNNING."),
    Param::optional(
        "email_notification",
        Kind::Boolean,
        "E-mail its alerts; false when absent.",
    ),
];

const PROCESS_UPDATE_FIELDS: &[Param] = &[
    Param::required("alert_if", Kind::Text, "NOT_RUNNING or RUNNING."),
    Param::optional(
        "email_notification",
        Kind::Boolean,
        "E-mail its alerts; as it is when absent.",
    ),
];

const SERVERS_FIELDS: &[Param] = &[Param::required(
    "servers",
    Kind::Texts,
    "Ids of the account's servers (at most 100); each leaves its previous policy.",
)];

pub fn routes() -> Vec<ApiRoute> {
    let tag = FAMILY.title;
    let word = FAMILY.word;
    let body = |root, fields| Body { root, fields };
    vec![
        ApiRoute::org(
            Verb::Post,
            &format!("/{word}"),
            tag,
            "Create a monitoring policy, with its thresholds and optionally a first port and process",
            Some(perms::MONITORING_POLICIES_CREATE),
            |r: Route| r.to(create),
        )
        .query(DETAIL_QUERY)
        .body(body(Some(KEY), CREATE_FIELDS))
        .answers(CREATE),
        ApiRoute::org(
            Verb::Put,
            &format!("/{word}/{{id}}"),
            tag,
            "Change a policy's name, description or e-mail (each sent field needs its flag: \
             monitoring_policies.set_name, set_description, set_email)",
            None,
            |r: Route| r.to(settings),
        )
        .query(DETAIL_QUERY)
        .body(body(Some(KEY), SETTINGS_FIELDS)),
        ApiRoute::org(
            Verb::Put,
            &format!("/{word}/{{id}}/thresholds"),
            tag,
            "Change a policy's thresholds and whether it requires the agent (a level or flag \
             not sent stays as it is)",
            Some(perms::MONITORING_POLICIES_MODIFY_RESOURCES),
            |r: Route| r.to(thresholds),
        )
        .query(DETAIL_QUERY)
        .body(body(Some("thresholds"), THRESHOLD_FIELDS)),
        ApiRoute::org(
            Verb::Post,
            &format!("/{word}/{{id}}/clone"),
            tag,
            "Create a policy from this one's current settings, ports and processes (no servers)",
            Some(perms::MONITORING_POLICIES_CLONE),
            |r: Route| r.to(clone),
        )
        .query(DETAIL_QUERY)
        .body(body(None, NAME_FIELDS))
        .answers(CREATE),
        ApiRoute::org(
            Verb::Delete,
            &format!("/{word}/{{id}}"),
            tag,
            "Delete a monitoring policy",
            Some(perms::MONITORING_POLICIES_DELETE),
            |r: Route| r.to(delete),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            &format!("/{word}/{{id}}/ports"),
            tag,
            "Watch a port",
            Some(ports::MANAGE),
            |r: Route| r.to(port_add),
        )
        .query(DETAIL_QUERY)
        .body(body(Some("port"), PORT_FIELDS)),
        ApiRoute::org(
            Verb::Put,
            &format!("/{word}/{{id}}/ports/{{port_id}}"),
            tag,
            "Change when a watched port alerts (its protocol and port stay)",
            Some(ports::MANAGE),
            |r: Route| r.to(port_update),
        )
        .query(DETAIL_QUERY)
        .body(body(Some("port"), PORT_UPDATE_FIELDS)),
        ApiRoute::org(
            Verb::Delete,
            &format!("/{word}/{{id}}/ports/{{port_id}}"),
            tag,
            "Stop watching a port",
            Some(ports::MANAGE),
            |r: Route| r.to(port_remove),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            &format!("/{word}/{{id}}/processes"),
            tag,
            "Watch a process",
            Some(processes::MANAGE),
            |r: Route| r.to(process_add),
        )
        .query(DETAIL_QUERY)
        .body(body(Some("process"), PROCESS_FIELDS)),
        ApiRoute::org(
            Verb::Put,
            &format!("/{word}/{{id}}/processes/{{process_id}}"),
            tag,
            "Change when a watched process alerts (its name stays)",
            Some(processes::MANAGE),
            |r: Route| r.to(process_update),
        )
        .query(DETAIL_QUERY)
        .body(body(Some("process"), PROCESS_UPDATE_FIELDS)),
        ApiRoute::org(
            Verb::Delete,
            &format!("/{word}/{{id}}/processes/{{process_id}}"),
            tag,
            "Stop watching a process",
            Some(processes::MANAGE),
            |r: Route| r.to(process_remove),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Post,
            &format!("/{word}/{{id}}/servers"),
            tag,
            "Attach servers to a policy",
            Some(servers::MANAGE),
            |r: Route| r.to(servers_attach),
        )
        .query(DETAIL_QUERY)
        .body(body(None, SERVERS_FIELDS)),
        ApiRoute::org(
            Verb::Delete,
            &format!("/{word}/{{id}}/servers/{{server_id}}"),
            tag,
            "Detach a server from a policy",
            Some(servers::MANAGE),
            |r: Route| r.to(server_detach),
        )
        .query(DETAIL_QUERY),
    ]
}

/// Sends a change the page describes, with its action and details.
async fn run<T: Named + Serialize>(
    act: &ApiAct<'_>,
    change: Change,
    status: StatusCode,
    call: impl Future<Output = Result<T, CloudError>>,
) -> Result<HttpResponse, ApiError> {
    act.run(change.action, change.details, status, KEY, call)
        .await
}

/// Opens the policy of the path for a change under `permission`.
async fn begin<'a>(
    ctx: &'a ApiCtx,
    permission: crate::rbac::Permission,
) -> Result<(ApiAct<'a>, String), ApiError> {
    ApiAct::on_path(ctx, permission, FAMILY.kind).await
}

/// The policy as it is now; a change that depends on it fails closed.
async fn current(act: &ApiAct<'_>, id: &str) -> Result<MonitoringPolicy, ApiError> {
    act.up
        .client()
        .get_monitoring_policy(id)
        .await
        .map(|fetched| fetched.value)
        .map_err(act.failed())
}

/// The thresholds form on `base`, with the levels and flags the body sent.
fn threshold_form(fields: &Fields, base: &Thresholds) -> ThresholdForm {
    ThresholdForm::over(base, |field| fields.sent(field), |field| fields.flag(field))
}

/// `POST /monitoring_policies`: checked as the create page checks it; each
/// problem is named with its field.
async fn create(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some(KEY),
            fields: CREATE_FIELDS,
        },
    )?;
    let act = ApiAct::begin(
        &ctx,
        perms::MONITORING_POLICIES_CREATE,
        query.account()?,
        FAMILY.kind,
        "",
    )
    .await?;
    let blank = Values::blank();
    let text_or = |name: &str, default: String| {
        if fields.has(name) {
            fields.text(name)
        } else {
            default
        }
    };
    let mut values = Values {
        name: fields.text("name"),
        description: fields.text("description"),
        email: fields.text("email"),
        agent: fields.flag("agent").unwrap_or(blank.agent),
        thresholds: threshold_form(&fields, &Thresholds::defaults()),
        port: fields.text("port"),
        port_protocol: text_or("port_protocol", blank.port_protocol),
        port_alert_if: text_or("port_alert_if", blank.port_alert_if),
        port_email: fields
            .flag("port_email_notification")
            .unwrap_or(blank.port_email),
        process: fields.text("process"),
        process_alert_if: text_or("process_alert_if", blank.process_alert_if),
        process_email: fields
            .flag("process_email_notification")
            .unwrap_or(blank.process_email),
    };
    let request = match build(&mut values) {
        Ok(request) => request,
        Err(mut errors) => {
            errors.extend(values.thresholds.errors());
            return Err(refused(errors));
        }
    };
    act.run(
        "monitoring_policy.create",
        details(&request),
        StatusCode::CREATED,
        KEY,
        act.up.client().create_monitoring_policy(&request),
    )
    .await
}

/// `PUT /monitoring_policies/{id}`: the fields sent, each under its flag.
async fn settings(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some(KEY),
            fields: SETTINGS_FIELDS,
        },
    )?;
    let settings = Settings {
        name: fields.sent("name"),
        description: fields.sent("description"),
        email: fields.sent("email"),
    };
    let flags = settings.flags();
    let first = flags
        .first()
        .copied()
        .unwrap_or(perms::MONITORING_POLICIES_SET_NAME);
    let (act, id) = begin(&ctx, first).await?;
    for flag in flags {
        ctx.require(flag).await?;
    }
    let (body, change) = match settings.change() {
        Ok(planned) => planned,
        Err(Unsaved::Nothing(message)) => return Err(ApiError::invalid(message)),
        Err(Unsaved::Fields(errors)) => return Err(refused(errors)),
    };
    run(
        &act,
        change,
        StatusCode::OK,
        act.up.client().update_monitoring_policy(&id, &body),
    )
    .await
}

/// `PUT /monitoring_policies/{id}/thresholds`: a level or flag not sent
/// is the policy's current one (read only when one is missing).
async fn thresholds(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("thresholds"),
            fields: THRESHOLD_FIELDS,
        },
    )?;
    let (act, id) = begin(&ctx, perms::MONITORING_POLICIES_MODIFY_RESOURCES).await?;
    let whole = ThresholdForm::field_names()
        .into_iter()
        .chain(["agent".to_owned()])
        .all(|field| fields.has(&field));
    let (base, agent) = if whole {
        (Thresholds::defaults(), false)
    } else {
        let policy = current(&act, &id).await?;
        (policy.thresholds, policy.agent)
    };
    let mut form = threshold_form(&fields, &base);
    let agent = fields.flag("agent").unwrap_or(agent);
    let Some(thresholds) = form.check() else {
        return Err(refused(form.errors()));
    };
    let (body, change) = thresholds_change(agent, thresholds);
    run(
        &act,
        change,
        StatusCode::OK,
        act.up.client().update_monitoring_policy(&id, &body),
    )
    .await
}

/// `POST /monitoring_policies/{id}/clone`.
async fn clone(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: None,
            fields: NAME_FIELDS,
        },
    )?;
    let (act, id) = begin(&ctx, perms::MONITORING_POLICIES_CLONE).await?;
    let name = fields.text("name");
    if let Err(e) = values::name(&name) {
        return Err(refused(FieldErrors::from([("name", e)])));
    }
    let source = current(&act, &id).await?;
    let (request, change) = clone_of(&source, name);
    run(
        &act,
        change,
        StatusCode::CREATED,
        act.up.client().create_monitoring_policy(&request),
    )
    .await
}

/// `DELETE /monitoring_policies/{id}`: the verb is the confirmation.
async fn delete(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let (act, id) = begin(&ctx, perms::MONITORING_POLICIES_DELETE).await?;
    let policy = current(&act, &id).await?;
    run(
        &act,
        delete_change(&policy),
        StatusCode::OK,
        act.up.client().delete_monitoring_policy(&id),
    )
    .await
}

/// `POST /monitoring_policies/{id}/ports`.
async fn port_add(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("port"),
            fields: PORT_FIELDS,
        },
    )?;
    let (act, id) = begin(&ctx, ports::MANAGE).await?;
    let port = ports::new_port(
        &fields.text("protocol"),
        &fields.text("port"),
        &fields.text("alert_if"),
        fields.flag("email_notification").unwrap_or(false),
    )
    .map_err(|message| refused(FieldErrors::from([("port", message)])))?;
    run(
        &act,
        ports::port_added(&port),
        StatusCode::OK,
        act.up
            .client()
            .add_monitoring_policy_ports(&id, std::slice::from_ref(&port)),
    )
    .await
}

/// `PUT /monitoring_policies/{id}/ports/{port_id}`.
async fn port_update(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("port"),
            fields: PORT_UPDATE_FIELDS,
        },
    )?;
    let port_id = ctx.object_id("port_id")?;
    let (act, id) = begin(&ctx, ports::MANAGE).await?;
    let alert_if =
        values::choice(&fields.text("alert_if"), PORT_ALERTS).map_err(ApiError::invalid)?;
    let current = act
        .up
        .client()
        .get_monitoring_policy_port(&id, &port_id)
        .await
        .map_err(act.failed())?
        .value;
    let email = fields
        .flag("email_notification")
        .unwrap_or(current.email_notification);
    let (port, change) = ports::port_update(&current, &port_id, alert_if, email);
    run(
        &act,
        change,
        StatusCode::OK,
        act.up
            .client()
            .update_monitoring_policy_port(&id, &port_id, &port),
    )
    .await
}

/// `DELETE /monitoring_policies/{id}/ports/{port_id}`.
async fn port_remove(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let port_id = ctx.object_id("port_id")?;
    let (act, id) = begin(&ctx, ports::MANAGE).await?;
    run(
        &act,
        ports::port_removed(&port_id),
        StatusCode::OK,
        act.up.client().delete_monitoring_policy_port(&id, &port_id),
    )
    .await
}

/// What adding processes answers: the policy's processes, named after the
/// policy they were added to.
#[derive(Serialize)]
struct WithProcesses {
    id: String,
    name: String,
    processes: Vec<ProcessAlert>,
}

impl Named for WithProcesses {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// `POST /monitoring_policies/{id}/processes`: the policy must require the agent.
async fn process_add(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("process"),
            fields: PROCESS_FIELDS,
        },
    )?;
    let (act, id) = begin(&ctx, processes::MANAGE).await?;
    let policy = current(&act, &id).await?;
    let process = processes::new_process(
        &policy,
        &fields.text("process"),
        &fields.text("alert_if"),
        fields.flag("email_notification").unwrap_or(false),
    )
    .map_err(|message| refused(FieldErrors::from([("process", message)])))?;
    let added = async {
        act.up
            .client()
            .add_monitoring_policy_processes(&id, std::slice::from_ref(&process))
            .await
            .map(|processes| WithProcesses {
                id: policy.id.clone(),
                name: policy.name.clone(),
                processes,
            })
    };
    run(
        &act,
        processes::process_added(&process),
        StatusCode::OK,
        added,
    )
    .await
}

/// `PUT /monitoring_policies/{id}/processes/{process_id}`.
async fn process_update(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: Some("process"),
            fields: PROCESS_UPDATE_FIELDS,
        },
    )?;
    let process_id = ctx.object_id("process_id")?;
    let (act, id) = begin(&ctx, processes::MANAGE).await?;
    let alert_if =
        values::choice(&fields.text("alert_if"), PROCESS_ALERTS).map_err(ApiError::invalid)?;
    let current = act
        .up
        .client()
        .get_monitoring_policy_process(&id, &process_id)
        .await
        .map_err(act.failed())?
        .value;
    let email = fields
        .flag("email_notification")
        .unwrap_or(current.email_notification);
    let (process, change) = processes::process_update(&current, &process_id, alert_if, email);
    run(
        &act,
        change,
        StatusCode::OK,
        act.up
            .client()
            .update_monitoring_policy_process(&id, &process_id, &process),
    )
    .await
}

/// `DELETE /monitoring_policies/{id}/processes/{process_id}`.
async fn process_remove(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let process_id = ctx.object_id("process_id")?;
    let (act, id) = begin(&ctx, processes::MANAGE).await?;
    run(
        &act,
        processes::process_removed(&process_id),
        StatusCode::OK,
        act.up
            .client()
            .delete_monitoring_policy_process(&id, &process_id),
    )
    .await
}

/// `POST /monitoring_policies/{id}/servers`.
async fn servers_attach(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    let fields = Fields::parse(
        &bytes,
        &Body {
            root: None,
            fields: SERVERS_FIELDS,
        },
    )?;
    let (act, id) = begin(&ctx, servers::MANAGE).await?;
    let chosen = servers::chosen(&fields.texts("servers")).map_err(ApiError::invalid)?;
    run(
        &act,
        servers::attached(&chosen),
        StatusCode::OK,
        act.up.client().add_monitoring_policy_servers(&id, &chosen),
    )
    .await
}

/// `DELETE /monitoring_policies/{id}/servers/{server_id}`.
async fn server_detach(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let server_id = ctx.object_id("server_id")?;
    let (act, id) = begin(&ctx, servers::MANAGE).await?;
    run(
        &act,
        servers::detached(&server_id),
        StatusCode::OK,
        act.up
            .client()
            .remove_monitoring_policy_server(&id, &server_id),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_fields_are_the_forms() {
        let form = ThresholdForm::field_names();
        for fields in [CREATE_FIELDS, THRESHOLD_FIELDS] {
            let declared: Vec<&str> = fields
                .iter()
                .map(|p| p.name)
                .filter(|name| form.iter().any(|f| f == name))
                .collect();
            assert_eq!(declared, form, "every threshold field, in the form's order");
        }
    }
}
