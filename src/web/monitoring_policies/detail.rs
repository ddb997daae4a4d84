//! A monitoring policy's page, in cards: overview, settings, thresholds,
//! ports, processes, servers, clone and deletion, each shown only to a
//! member who may use it. A form that comes back refused keeps what was
//! typed and shows each message beside its field.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::thresholds::{self, ThresholdForm};
use super::values::{PORT_ALERTS, PROCESS_ALERTS, PROTOCOLS};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::common::ResourceState;
use crate::cloudpanel::monitoring::{MonitoringPolicy, PortAlert, ProcessAlert};
use crate::rbac::perms;
use crate::web::cloud::{Choice, Choices, Object, StateBadge, found, options};
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
    /// The thresholds form (the agent and the levels): the policy's, or
    /// as typed when it came back refused.
    agent: bool,
    thresholds: ThresholdForm,
    clone_name: String,
    free_servers: Choices,
    protocols: &'static [&'static str],
    port_alerts: &'static [(&'static str, &'static str)],
    process_alerts: &'static [(&'static str, &'static str)],
}

impl DetailPage<'_> {
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

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let id = &object.id;
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
    let fetched = found(&ctx, "this monitoring policy", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let policy = fetched.value;
    let can = Can::new(&ctx, &policy);
    free_servers
        .items
        .retain(|s| !policy.servers.iter().any(|on| on.id == s.id));
    let badge = StateBadge::new(policy.state.as_str(), policy.state.is_transitional(), None);
    let removing = policy.state == ResourceState::Removing;
    let busy = badge.busy_reason("policy", "Changes", removing);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            badge,
            href: FAMILY.href(&ctx, id),
            query: up.query(),
            list_href: FAMILY.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
            can,
            busy,
            removing,
            agent: thresholds::flag(&page, "agent", policy.agent),
            thresholds: ThresholdForm::from(&policy.thresholds).kept(&page),
            clone_name: format!("{} (copy)", policy.name),
            free_servers,
            protocols: PROTOCOLS,
            port_alerts: PORT_ALERTS,
            process_alerts: PROCESS_ALERTS,
            page: &page,
            policy: &policy,
        },
    )
}
