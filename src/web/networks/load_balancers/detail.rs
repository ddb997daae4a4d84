//! A load balancer's page: overview and rename, its settings (health check,
//! persistence, method), rules, the server IPs it balances, and deletion,
//! each shown only to a member who may use it. The status badge refreshes
//! itself while the balancer is being configured.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::list::current_row;
use super::rule_row::RuleRow;
use super::settings::Settings;
use super::view::{self, BalancerRow};
use super::{SECTION, balancer_href};
use crate::cloudpanel::common::ResourceState;
use crate::cloudpanel::networks::{LbRule, LoadBalancer};
use crate::rbac::perms;
use crate::web::cloud::{AccountParam, Fallback, Upstream, check_id, connect, found, fragment};
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

/// Forms that came back with errors: what was typed, and the messages.
#[derive(Default)]
pub struct Forms {
    pub rename: Option<(String, String)>,
    pub rename_errors: BTreeMap<&'static str, String>,
    pub settings: Option<Settings>,
    pub rule: Option<RuleRow>,
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
    rename_name: String,
    rename_description: String,
    rename_errors: BTreeMap<&'static str, String>,
    settings: Settings,
    rule: RuleRow,
    has_errors: bool,
    from_refresh: bool,
}

impl DetailPage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.rename_errors.get(field)
    }

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

#[derive(Template)]
#[template(path = "load_balancers/status.html")]
struct StatusFragment<'a> {
    row: &'a BalancerRow,
    from_refresh: bool,
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::LOAD_BALANCERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
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
    let row = BalancerRow::new(&lb, balancer_href(ctx, id), up.query());
    let removing = lb.state == ResourceState::Removing;
    let busy = busy_reason(&row, removing);
    let has_errors = !forms.rename_errors.is_empty()
        || forms
            .settings
            .as_ref()
            .is_some_and(|s| !s.errors.is_empty())
        || forms.rule.as_ref().is_some_and(|r| !r.errors.is_empty());
    let (rename_name, rename_description) = forms
        .rename
        .unwrap_or_else(|| (lb.name.clone(), lb.description.clone()));
    let page = ctx.page.clone().with_section(SECTION);
    render(
        status,
        &DetailPage {
            page: &page,
            href: row.href.clone(),
            row,
            list_href: up.href(ctx, "load_balancers"),
            account_name: up.row().name.clone(),
            notice,
            can,
            busy,
            removing,
            ips,
            free_ips,
            ips_problem: server_ips.problem,
            rename_name,
            rename_description,
            rename_errors: forms.rename_errors,
            settings: forms
                .settings
                .unwrap_or_else(|| Settings::of(&lb, "modify-")),
            rule: forms
                .rule
                .unwrap_or_else(|| RuleRow::blank("rule", "New rule")),
            has_errors,
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

/// The status badge alone, for the page's script while work is in progress.
pub async fn status(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::LOAD_BALANCERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&StatusFragment {
        row: &row,
        from_refresh: true,
    })
}
