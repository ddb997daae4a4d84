//! A load balancer's page: overview and rename, its settings (health check,
//! persistence, method), rules, the server IPs it balances, and deletion,
//! each shown only to a member who may use it. The status badge refreshes
//! itself while the balancer is being configured.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::list::LoadBalancers;
use super::rule_row::RuleRow;
use super::settings::Settings;
use super::view::{self, BalancerRow};
use crate::cloudpanel::common::ResourceState;
use crate::cloudpanel::networks::{LbRule, LoadBalancer};
use crate::rbac::perms;
use crate::web::cloud::{Listed, Object, Upstream, found};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::networks::server_ips::{AttachedIp, OwnedIp, ServerIps};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub set_name: bool,
    pub set_description: bool,
    pub modify: bool,
    pub rules: bool,
    pub ips: bool,
    pub delete: bool,
}

impl Can {
    fn new(ctx: &OrgCtx) -> Self {
        Self {
            set_name: ctx.can(perms::LOAD_BALANCERS_SET_NAME),
            set_description: ctx.can(perms::LOAD_BALANCERS_SET_DESCRIPTION),
            modify: ctx.can(perms::LOAD_BALANCERS_MODIFY),
            rules: ctx.can(perms::LOAD_BALANCERS_MANAGE_RULES),
            ips: ctx.can(perms::LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS),
            delete: ctx.can(perms::LOAD_BALANCERS_DELETE),
        }
    }

    pub fn rename(&self) -> bool {
        self.set_name || self.set_description
    }
}

#[derive(Template)]
#[template(path = "load_balancers/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    lb: &'a LoadBalancer,
    row: BalancerRow,
    href: String,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    busy: Option<String>,
    removing: bool,
    ips: Vec<AttachedIp>,
    free_ips: Vec<OwnedIp>,
    ips_problem: Option<String>,
    /// The settings form, as typed when it came back.
    settings: Settings,
    /// The "add a rule" form, as typed when it came back.
    rule: RuleRow,
    from_refresh: bool,
}

impl DetailPage<'_> {
    fn rule_row(&self) -> &RuleRow {
        &self.rule
    }

    fn s(&self) -> &Settings {
        &self.settings
    }

    pub fn port(&self, port: &u32) -> String {
        if *port == 0 {
            "all".into()
        } else {
            port.to_string()
        }
    }

    pub fn source(&self, rule: &LbRule) -> String {
        view::source(rule)
    }

    pub fn test_label<'t>(&self, test: &'t str) -> &'t str {
        view::test_label(test)
    }

    fn remove_rule_step(&self, rule: &LbRule) -> ConfirmStep {
        let summary = view::rule_summary(rule);
        ConfirmStep {
            action: format!("{}/rules/{}/delete{}", self.href, rule.id, self.row.query),
            verb: "Remove",
            subject: format!("the rule {summary}"),
            button: format!("Yes, remove {summary}"),
            consequence: format!("{} stops forwarding this traffic.", self.lb.name),
        }
    }

    fn unassign_step(&self, ip: &AttachedIp) -> ConfirmStep {
        ConfirmStep {
            action: format!(
                "{}/server_ips/{}/unassign{}",
                self.href, ip.ip_id, self.row.query
            ),
            verb: "Unassign",
            subject: ip.label(),
            button: format!("Yes, unassign {}", ip.ip),
            consequence: format!(
                "{} stops receiving traffic from {}.",
                ip.label(),
                self.lb.name
            ),
        }
    }
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    show(&ctx, &up, &object.id).await
}

/// Renders the page; a form that came back shows what was typed, each
/// message beside its field.
async fn show(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<HttpResponse> {
    // Side by side: the page waits for the slowest, not the sum.
    let (fetched, server_ips) =
        futures_util::join!(up.client().get_load_balancer(id), ServerIps::load(up));
    let fetched = found(ctx, "this load balancer", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let lb = fetched.value;
    let can = Can::new(ctx);
    let ips = server_ips.attached(ctx, up, &lb.server_ips);
    let free_ips = if can.ips {
        server_ips.except(|ip| lb.server_ips.iter().any(|on| on.id == ip.ip_id))
    } else {
        Vec::new()
    };
    let row = LoadBalancers::row(ctx, up, &lb);
    let removing = lb.state == ResourceState::Removing;
    let busy = busy_reason(&row, removing);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            href: row.href.clone(),
            row,
            list_href: FAMILY.list_on(ctx, up),
            account_name: up.row().name.clone(),
            notice,
            can,
            busy,
            removing,
            ips,
            free_ips,
            ips_problem: server_ips.problem,
            settings: Settings::modified(&ctx.page, &lb),
            rule: RuleRow::added(&ctx.page),
            from_refresh: false,
            lb: &lb,
        },
    )
}

/// While the balancer is configured, settings and rule changes wait; while
/// it is removed, everything does.
fn busy_reason(row: &BalancerRow, removing: bool) -> Option<String> {
    row.badge.busy_reason(
        "load balancer",
        "Changes to its settings and rules",
        removing,
    )
}
