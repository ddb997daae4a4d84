//! Creating a monitoring policy: name, description, the e-mail address
//! that gets the alerts, whether the agent is required, the thresholds, and
//! optionally a first port and a first process (more are added on the
//! policy's page). Every value is checked before anything is sent, and the
//! form keeps what was typed.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::json;

use super::FAMILY;
use super::thresholds::ThresholdForm;
use super::values::{self, Fields, PORT_ALERTS, PROCESS_ALERTS, PROTOCOLS, checked};
use crate::cloudpanel::monitoring::{
    CreateMonitoringPolicy, NewPortAlert, NewProcessAlert, Thresholds,
};
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Change, Fallback, FieldErrors, Upstream, among, connect, create,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the user typed.
pub struct Values {
    pub name: String,
    pub description: String,
    pub email: String,
    pub agent: bool,
    pub thresholds: ThresholdForm,
    pub port: String,
    pub port_protocol: String,
    pub port_alert_if: String,
    pub port_email: bool,
    pub process: String,
    pub process_alert_if: String,
    pub process_email: bool,
}

impl Values {
    /// The form as it first shows: no name, the reference's thresholds,
    /// and the first port's and process's choices preselected.
    pub(crate) fn blank() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            email: String::new(),
            agent: false,
            thresholds: ThresholdForm::from(&Thresholds::defaults()),
            port: String::new(),
            port_protocol: "TCP".into(),
            port_alert_if: "NOT_RESPONDING".into(),
            port_email: true,
            process: String::new(),
            process_alert_if: "NOT_RUNNING".into(),
            process_email: true,
        }
    }

    fn parse(body: &[u8]) -> Self {
        let f = Fields::parse(body);
        Self {
            name: f.trimmed("name"),
            description: f.trimmed("description"),
            email: f.trimmed("email"),
            agent: checked(&f, "agent"),
            thresholds: ThresholdForm::parse(&f),
            port: f.trimmed("port"),
            port_protocol: f.trimmed("port_protocol"),
            port_alert_if: f.trimmed("port_alert_if"),
            port_email: checked(&f, "port_email_notification"),
            process: f.trimmed("process"),
            process_alert_if: f.trimmed("process_alert_if"),
            process_email: checked(&f, "process_email_notification"),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring_policies/create.html")]
struct CreatePage<'a> {
    page: &'a PageCtx,
    v: &'a Values,
    errors: &'a FieldErrors,
    has_errors: bool,
    problem: Option<String>,
    action: String,
    list_href: String,
    protocols: &'static [&'static str],
    port_alerts: &'static [(&'static str, &'static str)],
    process_alerts: &'static [(&'static str, &'static str)],
}

impl CreatePage<'_> {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    fn thresholds(&self) -> &ThresholdForm {
        &self.v.thresholds
    }
}

fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    v: &Values,
    errors: &FieldErrors,
    problem: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        status,
        &CreatePage {
            page: &page,
            v,
            errors,
            has_errors: !errors.is_empty() || v.thresholds.has_errors(),
            problem,
            action: FAMILY.list_on(ctx, up),
            list_href: FAMILY.list_on(ctx, up),
            protocols: PROTOCOLS,
            port_alerts: PORT_ALERTS,
            process_alerts: PROCESS_ALERTS,
        },
    )
}

pub async fn form(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::MONITORING_POLICIES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show(
        &ctx,
        &up,
        &Values::blank(),
        &BTreeMap::new(),
        None,
        StatusCode::OK,
    )
}

/// The request, or the problems beside the fields (the thresholds' on
/// `v.thresholds`' rows).
pub(crate) fn build(v: &mut Values) -> Result<CreateMonitoringPolicy, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut check = |field: &'static str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.insert(field, message);
        }
    };
    check("name", values::name(&v.name));
    check("description", values::description(&v.description));
    check("email", values::email(&v.email));
    let thresholds = v.thresholds.check();
    let mut ports = Vec::new();
    if !v.port.is_empty() {
        match (
            values::port(&v.port),
            values::protocol(&v.port_protocol),
            values::choice(&v.port_alert_if, PORT_ALERTS),
        ) {
            (Ok(port), Ok(protocol), Ok(alert_if)) => ports.push(NewPortAlert {
                protocol: protocol.into(),
                port,
                alert_if: alert_if.into(),
                email_notification: v.port_email,
            }),
            (port, protocol, alert_if) => {
                for e in [port.err(), protocol.err(), alert_if.err()]
                    .into_iter()
                    .flatten()
                {
                    errors.entry("port").or_insert(e);
                }
            }
        }
    }
    let mut processes = Vec::new();
    if !v.process.is_empty() {
        if let Err(e) = values::process(&v.process) {
            errors.insert("process", e);
        } else if !v.agent {
            errors.insert(
                "process",
                "Processes are watched by the agent: tick “Requires the monitoring agent” or leave this empty."
                    .into(),
            );
        } else {
            match values::choice(&v.process_alert_if, PROCESS_ALERTS) {
                Ok(alert_if) => processes.push(NewProcessAlert {
                    process: v.process.clone(),
                    alert_if: alert_if.into(),
                    email_notification: v.process_email,
                }),
                Err(e) => {
                    errors.insert("process", e);
                }
            }
        }
    }
    match thresholds {
        Some(thresholds) if errors.is_empty() => Ok(CreateMonitoringPolicy {
            name: v.name.clone(),
            description: (!v.description.is_empty()).then(|| v.description.clone()),
            email: v.email.clone(),
            agent: v.agent,
            thresholds,
            ports,
            processes,
        }),
        _ => Err(errors),
    }
}

/// What the audit log keeps of a new policy (no secret in it).
pub fn details(request: &CreateMonitoringPolicy) -> serde_json::Value {
    json!({
        "name": request.name,
        "description": request.description,
        "email": request.email,
        "agent": request.agent,
        "thresholds": request.thresholds,
        "ports": request.ports,
        "processes": request.processes,
    })
}

pub async fn submit(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::MONITORING_POLICIES_CREATE).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let mut values = Values::parse(&body);
    let request = match build(&mut values) {
        Ok(request) => request,
        Err(errors) => {
            return show(
                &ctx,
                &up,
                &values,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let change = Change::new(
        "monitoring_policy.create",
        details(&request),
        "Created {name}.",
    );
    let again = (&ctx, &up, &values);
    create(
        &ctx,
        &session,
        &up,
        &FAMILY,
        change,
        &request.name,
        up.client().create_monitoring_policy(&request),
        among(&["name", "description", "email"]),
        |errors, problem| async move {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(again.0, again.1, again.2, &errors, Some(problem), status)
        },
    )
    .await
}
