//! A firewall policy's page: overview and rename, rules, the server IPs it
//! filters, and deletion, each shown only to a member who may use it. The
//! status badge refreshes itself while the policy is being configured.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::list::current_row;
use super::rule_row::{ADD_PROTOCOLS, RuleRow};
use super::view::{self, PolicyRow};
use super::{SECTION, policy_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::common::ResourceState;
use crate::cloudpanel::networks::{FirewallPolicy, FirewallRule};
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Choice, Fallback, Upstream, check_id, connect, found, fragment,
};
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
    pub rules: bool,
    pub ips: bool,
    pub delete: bool,
}

impl Can {
    /// The default policy cannot be changed or deleted: those forms are not offered.
    fn new(ctx: &OrgCtx, policy: &FirewallPolicy) -> Self {
        let own = !policy.default;
        Self {
            set_name: own && ctx.can(perms::FIREWALL_POLICIES_SET_NAME),
            set_description: own && ctx.can(perms::FIREWALL_POLICIES_SET_DESCRIPTION),
            rules: own && ctx.can(perms::FIREWALL_POLICIES_MANAGE_RULES),
            ips: ctx.can(perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS),
            delete: own && ctx.can(perms::FIREWALL_POLICIES_DELETE),
        }
    }

    pub fn rename(&self) -> bool {
        self.set_name || self.set_description
    }
}

/// Forms that came back with errors: what was typed, and the messages.
#[derive(Default)]
pub struct Forms {
    /// The rename form's name and description.
    pub rename: Option<(String, String)>,
    pub rename_errors: BTreeMap<&'static str, String>,
    /// The "add a rule" form.
    pub rule: Option<RuleRow>,
}

#[derive(Template)]
#[template(path = "firewall_policies/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    policy: &'a FirewallPolicy,
    row: PolicyRow,
    href: String,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    /// Why rule changes are disabled (the policy is in a transition).
    busy: Option<String>,
    /// Being removed: nothing can be changed any more.
    removing: bool,
    ips: Vec<AttachedIp>,
    free_ips: Vec<OwnedIp>,
    ips_problem: Option<String>,
    /// Where an IP taken off this policy goes.
    default_policy: Option<Choice>,
    rename_name: String,
    rename_description: String,
    rename_errors: BTreeMap<&'static str, String>,
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

    pub fn ports(&self, rule: &FirewallRule) -> String {
        view::ports(rule)
    }

    pub fn source(&self, rule: &FirewallRule) -> String {
        view::source(rule)
    }

    pub fn action<'r>(&self, rule: &'r FirewallRule) -> &'r str {
        view::action(rule)
    }

    fn remove_rule_step(&self, rule: &FirewallRule) -> ConfirmStep {
        let summary = view::rule_summary(rule);
        ConfirmStep {
            action: format!("{}/rules/{}/delete{}", self.href, rule.id, self.row.query),
            verb: "Remove",
            subject: format!("the rule {summary}"),
            button: format!("Yes, remove {summary}"),
            consequence: format!(
                "The server IPs of {} no longer get this rule's traffic.",
                self.policy.name
            ),
        }
    }

    /// Taking an IP off the policy moves it to the default one (the API has
    /// no other way); none is offered when there is no default to move to.
    fn unassign_step(&self, ip: &AttachedIp) -> Option<ConfirmStep> {
        let default = self.default_policy.as_ref()?;
        Some(ConfirmStep {
            action: format!(
                "{}/server_ips/{}/unassign{}",
                self.href, ip.ip_id, self.row.query
            ),
            verb: "Unassign",
            subject: ip.label(),
            button: format!("Yes, move {} to {}", ip.ip, default.name),
            consequence: format!(
                "An IP always has a firewall policy: {} moves to the default policy {}.",
                ip.label(),
                default.name
            ),
        })
    }

    /// The policy an assignable IP uses now.
    pub fn current_policy<'i>(&self, ip: &'i OwnedIp) -> &'i str {
        ip.firewall_policy
            .as_ref()
            .map_or("none", |p| p.name.as_str())
    }
}

#[derive(Template)]
#[template(path = "firewall_policies/status.html")]
struct StatusFragment<'a> {
    row: &'a PolicyRow,
    from_refresh: bool,
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::FIREWALL_POLICIES_SHOW).await?;
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
    // Side by side: the page waits for the slowest, not the sum. The
    // account's other default policy depends on this one: it is read after.
    let (fetched, server_ips) =
        futures_util::join!(up.client().get_firewall_policy(id), ServerIps::load(up));
    let fetched = found(ctx, "this firewall policy", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let policy = fetched.value;
    let can = Can::new(ctx, &policy);
    let ips = server_ips.attached(ctx, up, &policy.server_ips);
    let free_ips = if can.ips {
        server_ips.except(|ip| policy.server_ips.iter().any(|on| on.id == ip.ip_id))
    } else {
        Vec::new()
    };
    let default_policy = if can.ips && !policy.default && !policy.server_ips.is_empty() {
        default_policy(up, &policy.id).await
    } else {
        None
    };
    let row = PolicyRow::new(&policy, policy_href(ctx, id), up.query());
    let removing = policy.state == ResourceState::Removing;
    let busy = busy_reason(&row, removing);
    let has_errors = !forms.rename_errors.is_empty()
        || forms.rule.as_ref().is_some_and(|r| !r.errors.is_empty());
    let (rename_name, rename_description) = forms
        .rename
        .unwrap_or_else(|| (policy.name.clone(), policy.description.clone()));
    let page = ctx.page.clone().with_section(SECTION);
    render(
        status,
        &DetailPage {
            page: &page,
            href: row.href.clone(),
            row,
            policy: &policy,
            list_href: up.href(ctx, "firewall_policies"),
            account_name: up.row().name.clone(),
            notice,
            can,
            busy,
            removing,
            ips,
            free_ips,
            ips_problem: server_ips.problem,
            default_policy,
            rename_name,
            rename_description,
            rename_errors: forms.rename_errors,
            rule: forms
                .rule
                .unwrap_or_else(|| RuleRow::blank("rule", "New rule", ADD_PROTOCOLS)),
            has_errors,
            from_refresh: false,
        },
    )
}

/// The account's default policy that is not `except`, when there is one
/// (the first by name when there are several).
pub async fn default_policy(up: &Upstream, except: &str) -> Option<Choice> {
    let policies = up
        .client()
        .list_firewall_policies(&ListQuery::all())
        .await
        .ok()?;
    let mut defaults: Vec<&FirewallPolicy> = policies
        .value
        .iter()
        .filter(|p| p.default && p.id != except && !p.state.is_transitional())
        .collect();
    defaults.sort_by_cached_key(|p| p.name.to_lowercase());
    defaults.first().map(|p| Choice::of(&p.id, &p.name))
}

/// While the policy is configured, rule changes wait; while it is removed,
/// everything does (a forged request still gets the API's own answer).
fn busy_reason(row: &PolicyRow, removing: bool) -> Option<String> {
    row.badge
        .busy_reason("policy", "Adding and removing rules", removing)
}

/// The status badge alone, for the page's script while work is in progress.
pub async fn status(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::FIREWALL_POLICIES_SHOW).await?;
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
