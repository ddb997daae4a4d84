//! `/o/{slug}/`: an organisation's overview, as a dashboard.
//!
//! What the member's role is and which sections they may open; then, for
//! the cloud account in view, how many resources of each family the member
//! may see and how many are in a transition, the monitoring center's
//! alerts, the audit log's newest events, and for every cloud account how
//! much of the minute's request budget is left and whether the API answers.
//!
//! Every card stands on its own: a read that fails puts its problem in that
//! card, never an error page. Reads go through the client's cache, so a
//! visit right after a list page costs nothing; when the minute's budget
//! runs low the dashboard stops reading and leaves the rest to the list
//! pages and to changes, which need it more.

use crate::web::routing::org_routes;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::join;

use crate::audit::Filter;
use crate::cloudpanel::monitoring::MonitoredServer;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::{Permission, perms};
use crate::tenant::{AccountList, CloudAccountRow, Provider};
use crate::web::cloud::{AccountParam, Fallback, ListParams, Upstream, connect, read_problem};
use crate::web::error::{AppError, AppResult, url_encode};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::{NavLink, PageCtx};
use crate::web::redirect;
use crate::web::render;

/// Requests of a minute's budget the dashboard never spends: they stay for
/// the list pages and for changes.
const SPARE_REQUESTS: u32 = 8;
/// How many audit events the dashboard shows.
const AUDIT_TAIL: i64 = 8;

/// One resource family on the dashboard.
pub struct FamilyCard {
    pub label: &'static str,
    pub href: String,
    /// `None` when the list was not read.
    pub count: Option<usize>,
    /// How many are in a transition (deploying, powering off, ...).
    pub busy: usize,
    /// How old the count is, or why there is none.
    pub note: String,
    pub problem: bool,
    /// When the API gave the answer shown, if it is not an older one kept
    /// through a failure: the account card's health line needs no call of
    /// its own then.
    pub answered: Option<chrono::DateTime<chrono::Utc>>,
}

/// A server with open alerts in the monitoring center.
pub struct AlertRow {
    pub server: String,
    pub critical: u32,
    pub warning: u32,
    pub href: String,
}

/// The monitoring card: alerts, or why there are none to show.
pub struct Alerts {
    pub rows: Vec<AlertRow>,
    pub monitored: usize,
    pub note: String,
    pub problem: Option<String>,
}

/// One of the newest audit events.
pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub href: String,
}

/// One cloud account's budget and health.
pub struct AccountCard {
    pub id: i64,
    pub name: String,
    /// "IONOS Cloud Panel", "E2E Networks".
    pub provider: &'static str,
    pub current: bool,
    pub budget: String,
    pub remaining: u32,
    pub limit: u32,
    pub health: String,
    pub healthy: bool,
    /// The budget with the account's queue of changes, e.g. "3 requests
    /// left of 25 this minute · 2 changes queued, the last runs in about 40 s".
    pub queue: String,
}

/// The overview's line of an account's budget and queue.
fn queue_line(
    remaining: u32,
    limit: u32,
    window: &str,
    queue: Option<crate::tenant::QueueSummary>,
) -> String {
    let budget = format!("{remaining} requests left of {limit} this {window}");
    match queue {
        Some(q) if q.waiting > 0 => format!(
            "{budget} · {} change{} queued, the last runs in {}",
            q.waiting,
            if q.waiting == 1 { "" } else { "s" },
            match q.last_wait_secs {
                0 => "a moment".to_owned(),
                s => format!("about {s} s"),
            }
        ),
        _ => format!("{budget} · no change queued"),
    }
}

#[derive(Template)]
#[template(path = "org/home.html")]
struct OrgHomePage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    role_name: &'a str,
    role_description: &'a str,
    /// The sections this member may open, besides the overview.
    sections: Vec<&'a NavLink>,
    can_manage_members: bool,
    /// The account the counts are for, when one was opened.
    account_name: Option<String>,
    /// Why no account could be opened, when one should have been.
    account_problem: Option<String>,
    accounts: AccountList,
    account_id: i64,
    list_href: String,
    families: Vec<FamilyCard>,
    alerts: Option<Alerts>,
    audit: Option<Vec<AuditLine>>,
    audit_href: String,
    account_cards: Vec<AccountCard>,
}

org_routes! {
    "" {
        GET  "" => without_slash,
        GET  "/" => overview,
    }
    "/cloud_accounts" {
        POST "/{account_id}/check" => check_token,
    }
}

/// The cloud permission the dashboard opens accounts under: the first
/// show-flag the member holds. None: the member sees no cloud cards.
fn opener(ctx: &OrgCtx) -> Option<Permission> {
    cloud_panel_opener(|p| ctx.can(p))
}

/// The first Cloud Panel `show` flag of the overview's cards that `can`
/// holds: the one under which its accounts are opened to read their budget
/// (the API's account list opens them the same way).
pub fn cloud_panel_opener(can: impl Fn(Permission) -> bool) -> Option<Permission> {
    FAMILIES
        .iter()
        .map(|(p, _, _)| *p)
        .chain([perms::MONITORING_CENTER_SHOW])
        .find(|p| can(*p))
}

/// "Check the token now" on an account's card: `GET /ping_auth` with the
/// account's token, inside its request budget. A read, so not audited; the
/// answer is a flash message on the overview.
async fn check_token(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    // A member without any cloud flag is refused (and the refusal audited)
    // under the flag the dashboard's first card needs.
    let (_, account_id) = path.into_inner();
    // An E2E account is checked under the flag that shows its nodes.
    let e2e = ctx
        .as_member()
        .account(account_id)
        .await?
        .is_some_and(|row| Provider::parse(&row.provider) == Some(Provider::E2e));
    let permission = if e2e {
        perms::E2E_NODES_SHOW
    } else {
        opener(&ctx).unwrap_or(perms::SERVERS_SHOW)
    };
    let tenant = ctx.require(permission).await?;
    let named = AccountParam::named(Some(account_id));
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Default).await?;
    let name = up.row().name.clone();
    let checked = if e2e {
        up.client().check_e2e_access().await
    } else {
        up.client().ping_auth().await
    };
    match checked {
        Ok(()) => crate::web::flash::success(
            &session,
            if e2e {
                format!("E2E Networks accepted the token and API key of “{name}” just now.")
            } else {
                format!("The Cloud Panel accepted the token of “{name}” just now.")
            },
        ),
        Err(e) => crate::web::flash::cloud_error_from(&session, &e, up.api_name()),
    }
    // The overview's resource cards are the Cloud Panel's: an E2E account is not named there.
    let query = if e2e { String::new() } else { up.query() };
    Ok(redirect(&format!("{}{query}", ctx.href(""))))
}

async fn without_slash(org: OrgCtx) -> HttpResponse {
    redirect(&org.href(""))
}

/// The families counted, with the flag that shows each and its list page.
const FAMILIES: [(Permission, &str, &str); 10] = [
    (perms::SERVERS_SHOW, "Servers", "servers"),
    (
        perms::BLOCK_STORAGES_SHOW,
        "Block storages",
        "block_storages",
    ),
    (
        perms::SHARED_STORAGES_SHOW,
        "Shared storages",
        "shared_storages",
    ),
    (perms::PUBLIC_IPS_SHOW, "Public IPs", "public_ips"),
    (
        perms::PRIVATE_NETWORK_SHOW,
        "Private networks",
        "private_networks",
    ),
    (
        perms::FIREWALL_POLICIES_SHOW,
        "Firewall policies",
        "firewall_policies",
    ),
    (
        perms::LOAD_BALANCERS_SHOW,
        "Load balancers",
        "load_balancers",
    ),
    (perms::VPN_SHOW, "VPNs", "vpns"),
    (perms::IMAGES_SHOW, "Images", "images"),
    (perms::SSH_KEYS_SHOW, "SSH keys", "ssh_keys"),
];

async fn overview(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let page = ctx.page.clone().with_section("org_home");
    let sections = page
        .nav
        .links
        .iter()
        .filter(|l| l.key != "org_home")
        .collect();
    // Without the list of accounts the cloud cards are left out; the rest
    // of the overview still shows.
    let every_account = match ctx.as_member().accounts().await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = ?e, "Failed to list the cloud accounts for the overview");
            AccountList::default()
        }
    };
    // The resource cards are the Cloud Panel's; every account gets a budget card.
    let accounts: AccountList = every_account
        .iter()
        .filter(|a| Provider::parse(&a.provider) == Some(Provider::CloudPanel))
        .cloned()
        .collect();
    let audit = audit_tail(&ctx).await;

    // The cloud cards need an account opened under a cloud permission the
    // member holds; a member with none sees no cloud cards at all.
    let opener = opener(&ctx);
    let mut account_problem = None;
    let mut up = None;
    if let (Some(permission), false) = (opener, accounts.is_empty()) {
        let tenant = ctx.require(permission).await?;
        let named = AccountParam::named(params.account_id());
        match connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await {
            Ok(u) => up = Some(u),
            Err(e) => account_problem = Some(open_problem(&e)),
        }
    }
    let (families, alerts) = match &up {
        Some(up) => join!(families(&ctx, up), alerts(&ctx, up)),
        None => (Vec::new(), None),
    };
    let mut account_cards = match (&up, opener) {
        (Some(up), Some(permission)) => {
            let answered = families.iter().filter_map(|f| f.answered).max();
            account_cards(&ctx, permission, &accounts, up, answered).await
        }
        _ => Vec::new(),
    };
    account_cards.extend(e2e_account_cards(&ctx, &every_account).await);
    render(
        StatusCode::OK,
        &OrgHomePage {
            page: &page,
            org_name: &ctx.org().name,
            role_name: &ctx.role().name,
            role_description: ctx.role().builtin.map_or(
                "A custom role of this organisation.",
                crate::rbac::BuiltinRole::description,
            ),
            sections,
            can_manage_members: ctx.can(perms::ORGANISATION_MANAGE_MEMBERS),
            account_name: up.as_ref().map(|u| u.row().name.clone()),
            account_problem,
            account_id: up.as_ref().map_or(0, |u| u.row().id),
            accounts,
            list_href: ctx.href(""),
            families,
            alerts,
            audit,
            audit_href: ctx.href("audit"),
            account_cards,
        },
    )
}

/// Why the account could not be opened, in words fit for the card (an
/// internal error's text stays in the log).
fn open_problem(e: &AppError) -> String {
    match e {
        AppError::InPage { inner, .. } => open_problem(inner),
        AppError::BadRequest(message) => message.clone(),
        AppError::NotFound => "The cloud account named in the address does not exist.".into(),
        other => {
            tracing::warn!(error = ?other, "Failed to open a cloud account for the overview");
            "The cloud account could not be opened.".into()
        }
    }
}

/// Whether the dashboard may still spend a request of this account's minute.
fn may_read(client: &AccountClient) -> Result<(), String> {
    let budget = client.budget();
    if budget.remaining > SPARE_REQUESTS {
        Ok(())
    } else {
        Err(format!(
            "Not read now: {} of {} requests left this minute, kept for changes and list pages (fresh again in {} s).",
            budget.remaining,
            budget.limit,
            budget.resets_in.as_secs()
        ))
    }
}

/// "as of 12 s ago", with the reason when the data is older than usual.
fn age_note<T>(fetched: &Fetched<T>) -> String {
    match fetched.freshness() {
        Some(stale) => format!("Showing {stale}."),
        None => format!("As of {} s ago.", fetched.age().as_secs()),
    }
}

async fn family<T>(
    (label, href): (&'static str, String),
    fetch: impl Future<Output = Result<Fetched<Vec<T>>, CloudError>>,
    busy: impl Fn(&T) -> bool,
) -> FamilyCard {
    let mut card = FamilyCard {
        label,
        href,
        count: None,
        busy: 0,
        note: String::new(),
        problem: true,
        answered: None,
    };
    // No gate on the budget here: the client serves what it knows, and
    // these reads go after members' pages (see `families`).
    match fetch.await {
        Ok(f) => {
            card.count = Some(f.value.len());
            card.busy = f.value.iter().filter(|x| busy(x)).count();
            card.note = age_note(&f);
            card.problem = false;
            card.answered = f.stale_reason.is_none().then_some(f.fetched_at);
        }
        Err(e) => card.note = read_problem(&label.to_lowercase(), &e),
    }
    card
}

/// A card per family the member may see, in the side menu's order.
async fn families(ctx: &OrgCtx, up: &Upstream) -> Vec<FamilyCard> {
    // Counts for a summary: these reads go after members' pages for the
    // budget, and each family's list they fill serves its page too.
    let background = up.client().background();
    let c = &background;
    let all = ListQuery::all();
    let spec = |i: usize| {
        let (_, label, path) = FAMILIES[i];
        (label, up.href(ctx, path))
    };
    let shown = |i: usize| ctx.can(FAMILIES[i].0);
    // Each read is made only for a family the member may see; `join!` polls
    // them in this order, so the budget check of each sees the reads before it.
    let (servers, block, shared, ips, networks, firewalls, lbs, vpns, images, keys) = join!(
        maybe(
            shown(0),
            family(spec(0), c.list_servers(&all), |s| s.is_transitional())
        ),
        maybe(
            shown(1),
            family(spec(1), c.list_block_storages(&all), |s| s
                .state
                .is_transitional())
        ),
        maybe(
            shown(2),
            family(spec(2), c.list_shared_storages(&all), |s| s
                .state
                .is_transitional())
        ),
        maybe(
            shown(3),
            family(spec(3), c.list_public_ips(&all), |s| s
                .state
                .is_transitional())
        ),
        maybe(
            shown(4),
            family(spec(4), c.list_private_networks(&all), |s| s
                .state
                .is_transitional())
        ),
        maybe(
            shown(5),
            family(spec(5), c.list_firewall_policies(&all), |s| s
                .state
                .is_transitional())
        ),
        maybe(
            shown(6),
            family(spec(6), c.list_load_balancers(&all), |s| s
                .state
                .is_transitional())
        ),
        maybe(
            shown(7),
            family(spec(7), c.list_vpns(&all), |s| s.state.is_transitional())
        ),
        maybe(
            shown(8),
            family(spec(8), c.list_images(&all), |s| s.state.is_transitional())
        ),
        maybe(
            shown(9),
            family(spec(9), c.list_ssh_keys(&all), |s| s
                .state
                .is_transitional())
        ),
    );
    [
        servers, block, shared, ips, networks, firewalls, lbs, vpns, images, keys,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Runs `card` only when `shown`: a family the member may not see is never read.
async fn maybe<T>(shown: bool, card: impl Future<Output = T>) -> Option<T> {
    if shown { Some(card.await) } else { None }
}

/// The monitoring center's servers with open alerts, for a member with
/// `monitoring_center.show`.
async fn alerts(ctx: &OrgCtx, up: &Upstream) -> Option<Alerts> {
    if !ctx.can(perms::MONITORING_CENTER_SHOW) {
        return None;
    }
    // A summary: it goes after members' pages for the budget.
    let client = up.client().background();
    let mut card = Alerts {
        rows: Vec::new(),
        monitored: 0,
        note: String::new(),
        problem: None,
    };
    match client.list_monitoring_center(&ListQuery::all()).await {
        Ok(f) => {
            card.note = age_note(&f);
            card.monitored = f.value.len();
            card.rows = open_alerts(&f.value, &up.href(ctx, "monitoring"));
        }
        Err(e) => card.problem = Some(read_problem("the monitoring center", &e)),
    }
    Some(card)
}

/// The monitored servers with critical or warning alerts, the worst first.
fn open_alerts(servers: &[MonitoredServer], href: &str) -> Vec<AlertRow> {
    let mut rows: Vec<AlertRow> = servers
        .iter()
        .filter_map(|s| {
            let a = &s.alerts;
            let critical = a.resources.critical + a.ports.critical + a.process.critical;
            let warning = a.resources.warning + a.ports.warning + a.process.warning;
            (critical + warning > 0).then(|| AlertRow {
                server: if s.name.is_empty() {
                    s.id.clone()
                } else {
                    s.name.clone()
                },
                critical,
                warning,
                href: href.to_owned(),
            })
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse((r.critical, r.warning)));
    rows
}

/// The newest audit events, for a member who may read the audit log.
async fn audit_tail(ctx: &OrgCtx) -> Option<Vec<AuditLine>> {
    if !ctx.can(perms::ORGANISATION_VIEW_AUDIT) {
        return None;
    }
    let tenant = ctx.require(perms::ORGANISATION_VIEW_AUDIT).await.ok()?;
    let rows = match tenant.audit_search(&Filter::default(), 0, AUDIT_TAIL).await {
        Ok((rows, _)) => rows,
        Err(e) => {
            tracing::warn!(error = ?e, "Failed to read the audit log's newest events");
            Vec::new()
        }
    };
    Some(
        rows.into_iter()
            .map(|r| {
                let target = if r.target_name.is_empty() {
                    r.target_id.clone()
                } else {
                    r.target_name.clone()
                };
                let key = if r.target_id.is_empty() {
                    &target
                } else {
                    &r.target_id
                };
                AuditLine {
                    href: format!("{}?target={}", ctx.href("audit"), url_encode(key)),
                    at: r.at.chars().take(19).collect::<String>().replace('T', " "),
                    actor: r.actor_label,
                    action: r.action,
                    target,
                    outcome: r.outcome,
                }
            })
            .collect(),
    )
}

/// Every cloud account's budget and a health line: for the account the
/// family cards were just read from, the time of their newest answer; for
/// the others (or when no card could be read) `GET /ping`, cached by the
/// client, so a busy dashboard asks at most once per cache period.
async fn account_cards(
    ctx: &OrgCtx,
    permission: Permission,
    rows: &[std::sync::Arc<CloudAccountRow>],
    current: &Upstream,
    current_answered: Option<chrono::DateTime<chrono::Utc>>,
) -> Vec<AccountCard> {
    let Ok(tenant) = ctx.require(permission).await else {
        return Vec::new();
    };
    // Without the queue's rows the cards still show the budget.
    let queues = tenant.queue_summary().await.unwrap_or_else(|e| {
        tracing::warn!(error = ?e, "Failed to read the change queues for the overview");
        Vec::new()
    });
    let queue_of = |id: i64| queues.iter().find(|(a, _)| *a == id).map(|(_, q)| *q);
    let mut cards = Vec::with_capacity(rows.len());
    for row in rows {
        let is_current = row.id == current.row().id;
        let opened = if is_current {
            None
        } else {
            tenant.cloud(Some(row.id)).await.ok()
        };
        let client = match &opened {
            Some(account) => &account.client,
            None if is_current => current.client(),
            None => {
                cards.push(AccountCard {
                    id: row.id,
                    name: row.name.clone(),
                    provider: Provider::CloudPanel.title(),
                    current: false,
                    budget: "unknown".into(),
                    remaining: 0,
                    limit: 0,
                    health: "This account could not be opened.".into(),
                    healthy: false,
                    queue: String::new(),
                });
                continue;
            }
        };
        let answered = current_answered.filter(|_| is_current);
        let (health, healthy) = match (answered, may_read(client)) {
            (Some(at), _) => (
                format!(
                    "The API answered the counts above at {} UTC ({} s ago).",
                    at.format("%H:%M:%S"),
                    (chrono::Utc::now() - at).num_seconds().max(0)
                ),
                true,
            ),
            (None, Err(why)) => (format!("Not checked now. {why}"), true),
            (None, Ok(())) => match client.ping().await {
                Ok(f) => (
                    format!(
                        "The API answered “{}” at {} UTC ({} s ago).",
                        f.value.chars().take(20).collect::<String>(),
                        f.fetched_at.format("%H:%M:%S"),
                        f.age().as_secs()
                    ),
                    f.stale_reason.is_none(),
                ),
                Err(e) => (
                    format!("The API did not answer: {}", e.user_message()),
                    false,
                ),
            },
        };
        let b = client.budget();
        cards.push(AccountCard {
            id: row.id,
            name: row.name.clone(),
            provider: Provider::CloudPanel.title(),
            current: is_current,
            budget: format!(
                "{} of {} requests left this minute{}",
                b.remaining,
                b.limit,
                if b.resets_in.is_zero() {
                    String::new()
                } else {
                    format!(", full again in {} s", b.resets_in.as_secs())
                }
            ),
            remaining: b.remaining,
            limit: b.limit,
            health,
            healthy,
            queue: queue_line(b.remaining, b.limit, "minute", queue_of(row.id)),
        });
    }
    cards
}

/// The budget cards of the organisation's E2E Networks accounts, for a
/// member who may see their nodes: 5,000 requests an hour, each freeing an
/// hour after it was made. The health line is the node list's answer, read
/// after members' pages and kept for the nodes page.
async fn e2e_account_cards(ctx: &OrgCtx, every_account: &AccountList) -> Vec<AccountCard> {
    let rows: Vec<_> = every_account
        .iter()
        .filter(|a| Provider::parse(&a.provider) == Some(Provider::E2e))
        .collect();
    if rows.is_empty() || !ctx.can(perms::E2E_NODES_SHOW) {
        return Vec::new();
    }
    let Ok(tenant) = ctx.require(perms::E2E_NODES_SHOW).await else {
        return Vec::new();
    };
    let queues = tenant.queue_summary().await.unwrap_or_default();
    let mut cards = Vec::with_capacity(rows.len());
    for row in rows {
        let card = |health: String, healthy: bool, remaining: u32, limit: u32, frees: u64| {
            let queue = queues.iter().find(|(a, _)| *a == row.id).map(|(_, q)| *q);
            AccountCard {
                id: row.id,
                name: row.name.clone(),
                provider: Provider::E2e.title(),
                current: false,
                budget: format!(
                    "{remaining} of {limit} requests left this hour{}",
                    if frees == 0 {
                        String::new()
                    } else {
                        format!(", the next frees in {frees} s")
                    }
                ),
                remaining,
                limit,
                health,
                healthy,
                queue: queue_line(remaining, limit, "hour", queue),
            }
        };
        let Ok(account) = tenant.cloud(Some(row.id)).await else {
            cards.push(card(
                "This account could not be opened.".into(),
                false,
                0,
                0,
                0,
            ));
            continue;
        };
        let client = account.client.background();
        let (health, healthy) = match client.list_nodes().await {
            Ok(f) => (
                format!(
                    "E2E Networks answered {} node{} at {} UTC ({} s ago).",
                    f.value.len(),
                    if f.value.len() == 1 { "" } else { "s" },
                    f.fetched_at.format("%H:%M:%S"),
                    f.age().as_secs()
                ),
                f.stale_reason.is_none(),
            ),
            Err(e) => (
                format!(
                    "E2E Networks did not answer: {}",
                    e.user_message_for(client.api_name())
                ),
                false,
            ),
        };
        let b = client.budget();
        cards.push(card(
            health,
            healthy,
            b.remaining,
            b.limit,
            b.resets_in.as_secs(),
        ));
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn servers_with_alerts_are_listed_the_worst_first() {
        let servers: Vec<MonitoredServer> = crate::cloudpanel::de::decode_items(json!([
            {"id": "A", "name": "quiet", "alerts": {"resources": {"critical": 0, "warning": 0, "ok": 5}}},
            {"id": "B", "name": "", "alerts_count": {"ports": {"warning": "2"}}},
            {"id": "C", "name": "db", "alerts": {"resources": {"critical": 1}, "process": {"warning": 1}}},
            {"id": "D", "name": "odd", "alerts": "broken"}
        ]));
        let rows = open_alerts(&servers, "/o/x/monitoring");
        let shown: Vec<(&str, u32, u32)> = rows
            .iter()
            .map(|r| (r.server.as_str(), r.critical, r.warning))
            .collect();
        assert_eq!(shown, vec![("db", 1, 1), ("B", 0, 2)]);
    }
}
