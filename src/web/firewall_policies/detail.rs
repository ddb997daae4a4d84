//! A firewall policy's page: overview and rename, rules, the server IPs it
//! filters, and deletion, each shown only to a member who may use it. The
//! status badge refreshes itself while the policy is being configured.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::list::FirewallPolicies;
use super::rule_row::RuleRow;
use super::view::{self, PolicyRow};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::common::ResourceState;
use crate::cloudpanel::networks::{FirewallPolicy, FirewallRule};
use crate::rbac::perms;
use crate::web::cloud::{Choice, Listed, Object, Upstream, found};
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
    /// The "add a rule" form, as typed when it came back.
    rule: RuleRow,
    from_refresh: bool,
}

impl DetailPage<'_> {
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

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    show(&ctx, &up, &object.id).await
}

/// Renders the page; a form that came back shows what was typed, each
/// message beside its field.
async fn show(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<HttpResponse> {
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
    let row = FirewallPolicies::row(ctx, up, &policy);
    let removing = policy.state == ResourceState::Removing;
    let busy = busy_reason(&row, removing);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            href: row.href.clone(),
            row,
            policy: &policy,
            list_href: FAMILY.list_on(ctx, up),
            account_name: up.row().name.clone(),
            notice,
            can,
            busy,
            removing,
            ips,
            free_ips,
            ips_problem: server_ips.problem,
            default_policy,
            rule: RuleRow::added(&ctx.page),
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
