//! A monitoring policy's page, in cards: overview, settings, thresholds,
//! ports, processes, servers, clone and deletion, each shown only to a
//! member who may use it. A form that comes back with errors keeps what
//! was typed and shows each message beside its field.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::thresholds::ThresholdForm;
use super::values::{PORT_ALERTS, PROCESS_ALERTS, PROTOCOLS};
use super::{SECTION, policy_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::common::ResourceState;
use crate::cloudpanel::monitoring::{MonitoringPolicy, PortAlert, ProcessAlert};
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Choice, Choices, Fallback, FieldErrors, StateBadge, Upstream, check_id, connect,
    found, options,
};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub set_name: bool,
    pub set_description: bool,
    pub set_email: bool,
    pub resources: bool,
    pub ports: bool,
    pub processes: bool,
    pub servers: bool,
    pub clone: bool,
    pub delete: bool,
    pub open_servers: bool,
}

impl Can {
    /// The default policy cannot be changed or deleted: those forms are not offered.
    fn new(ctx: &OrgCtx, policy: &MonitoringPolicy) -> Self {
        let own = !policy.default;
        Self {
            set_name: own && ctx.can(perms::MONITORING_POLICIES_SET_NAME),
            set_description: own && ctx.can(perms::MONITORING_POLICIES_SET_DESCRIPTION),
            set_email: own && ctx.can(perms::MONITORING_POLICIES_SET_EMAIL),
            resources: own && ctx.can(perms::MONITORING_POLICIES_MODIFY_RESOURCES),
            ports: own && ctx.can(perms::MONITORING_POLICIES_MANAGE_PORTS),
            processes: own && ctx.can(perms::MONITORING_POLICIES_MANAGE_PROCESSES),
            servers: ctx.can(perms::MONITORING_POLICIES_MANAGE_ATTACHED_SERVERS),
            clone: ctx.can(perms::MONITORING_POLICIES_CLONE),
            delete: own && ctx.can(perms::MONITORING_POLICIES_DELETE),
            open_servers: ctx.can(perms::SERVERS_SHOW),
        }
    }

    pub fn settings(&self) -> bool {
        self.set_name || self.set_description || self.set_email
    }
}

/// The "add a port" form, as typed.
pub struct PortForm {
    pub protocol: String,
    pub port: String,
    pub alert_if: String,
    pub email: bool,
}

/// The "add a process" form, as typed.
pub struct ProcessForm {
    pub process: String,
    pub alert_if: String,
    pub email: bool,
}

/// Forms that came back with errors: what was typed, and the messages
/// (keyed by the field's id on the page).
#[derive(Default)]
pub struct Forms {
    /// Name, description and e-mail.
    pub settings: Option<(String, String, String)>,
    pub thresholds: Option<(bool, ThresholdForm)>,
    pub port: Option<PortForm>,
    pub process: Option<ProcessForm>,
    pub clone_name: Option<String>,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "monitoring_policies/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    policy: &'a MonitoringPolicy,
    badge: StateBadge,
    href: String,
    query: String,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    busy: Option<String>,
    removing: bool,
    name: String,
    description: String,
    email: String,
    agent: bool,
    thresholds: ThresholdForm,
    port: PortForm,
    process: ProcessForm,
    clone_name: String,
    errors: FieldErrors,
    has_errors: bool,
    free_servers: Choices,
    protocols: &'static [&'static str],
    port_alerts: &'static [(&'static str, &'static str)],
    process_alerts: &'static [(&'static str, &'static str)],
}

impl DetailPage<'_> {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    fn thresholds(&self) -> &ThresholdForm {
        &self.thresholds
    }

    fn server_href(&self, id: &str) -> String {
        format!("/o/{}/servers/{id}{}", self.page.org_slug(), self.query)
    }

    fn monitoring_href(&self, id: &str) -> String {
        format!("/o/{}/monitoring/{id}{}", self.page.org_slug(), self.query)
    }

    fn alert_words(&self, key: &str) -> String {
        PORT_ALERTS
            .iter()
            .chain(PROCESS_ALERTS)
            .find(|(k, _)| *k == key)
            .map_or_else(|| key.to_owned(), |(_, w)| format!("alert {w}"))
    }

    fn port_label(&self, p: &PortAlert) -> String {
        format!("{} {}", p.protocol, p.port)
    }

    fn remove_port_step(&self, p: &PortAlert) -> ConfirmStep {
        let label = self.port_label(p);
        ConfirmStep {
            action: format!("{}/ports/{}/delete{}", self.href, p.id, self.query),
            verb: "Remove",
            subject: format!("port {label}"),
            button: format!("Yes, stop watching {label}"),
            consequence: format!(
                "No more alerts for {label} on the servers of {}.",
                self.policy.name
            ),
        }
    }

    fn remove_process_step(&self, p: &ProcessAlert) -> ConfirmStep {
        ConfirmStep {
            action: format!("{}/processes/{}/delete{}", self.href, p.id, self.query),
            verb: "Remove",
            subject: format!("process {}", p.process),
            button: format!("Yes, stop watching {}", p.process),
            consequence: format!(
                "No more alerts for {} on the servers of {}.",
                p.process, self.policy.name
            ),
        }
    }

    fn remove_server_step(&self, id: &str, name: &str) -> ConfirmStep {
        ConfirmStep {
            action: format!("{}/servers/{id}/remove{}", self.href, self.query),
            verb: "Detach",
            subject: name.to_owned(),
            button: format!("Yes, detach {name}"),
            consequence: format!("{name} is no longer watched by {}.", self.policy.name),
        }
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::MONITORING_POLICIES_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id).map_err(|e| e.in_page(&ctx.page))?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show(&ctx, &up, id, Forms::default(), StatusCode::OK).await
}

/// Renders the page; a form that came back with errors keeps what was typed.
pub async fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    id: &str,
    forms: Forms,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    // Side by side: the page waits for the slowest, not the sum. The
    // servers are read only for a member who may attach them (`Can::servers`).
    let client = up.client();
    let all = ListQuery::all();
    let (fetched, mut free_servers) = futures_util::join!(
        client.get_monitoring_policy(id),
        options(
            ctx.can(perms::MONITORING_POLICIES_MANAGE_ATTACHED_SERVERS),
            "the servers",
            client.list_servers(&all),
            |s| Choice::of(&s.id, &s.name),
        ),
    );
    let fetched = found(ctx, "this monitoring policy", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let policy = fetched.value;
    let can = Can::new(ctx, &policy);
    free_servers
        .items
        .retain(|s| !policy.servers.iter().any(|on| on.id == s.id));
    let badge = StateBadge::new(policy.state.as_str(), policy.state.is_transitional(), None);
    let removing = policy.state == ResourceState::Removing;
    let busy = badge.busy_reason("policy", "Changes", removing);
    let has_errors = !forms.errors.is_empty()
        || forms
            .thresholds
            .as_ref()
            .is_some_and(|(_, t)| t.has_errors());
    let (name, description, email) = forms.settings.unwrap_or_else(|| {
        (
            policy.name.clone(),
            policy.description.clone(),
            policy.email.clone(),
        )
    });
    let (agent, thresholds) = forms
        .thresholds
        .unwrap_or_else(|| (policy.agent, ThresholdForm::from(&policy.thresholds)));
    let page = ctx.page.clone().with_section(SECTION);
    render(
        status,
        &DetailPage {
            page: &page,
            policy: &policy,
            badge,
            href: policy_href(ctx, id),
            query: up.query(),
            list_href: up.href(ctx, "monitoring_policies"),
            account_name: up.row().name.clone(),
            notice,
            can,
            busy,
            removing,
            name,
            description,
            email,
            agent,
            thresholds,
            port: forms.port.unwrap_or(PortForm {
                protocol: "TCP".into(),
                port: String::new(),
                alert_if: "NOT_RESPONDING".into(),
                email: true,
            }),
            process: forms.process.unwrap_or(ProcessForm {
                process: String::new(),
                alert_if: "NOT_RUNNING".into(),
                email: true,
            }),
            clone_name: forms
                .clone_name
                .unwrap_or_else(|| format!("{} (copy)", policy.name)),
            errors: forms.errors,
            has_errors,
            free_servers,
            protocols: PROTOCOLS,
            port_alerts: PORT_ALERTS,
            process_alerts: PROCESS_ALERTS,
        },
    )
}
