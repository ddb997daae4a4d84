//! A node's page: its facts and billing, and a card for every change the
//! member may make, offered as the node's state allows (see
//! [`NodeState::allows`]); the status badge refreshes itself while the node
//! is between states.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::list::Nodes;
use super::origin::image_of;
use super::view::NodeRow;
use super::{FAMILY, account_label, numeric_id, read_problem};
use crate::cloudpanel::e2e::{BillingChoice, Node, NodeAction, NodeState, Plan};
use crate::rbac::perms;
use crate::web::cloud::{HasStatus, Listed, Object, Templates, Upstream, current_row, found_from};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member's role lets them do here; the template hides the rest.
pub struct Can {
    pub power: bool,
    pub rename: bool,
    pub save_image: bool,
    pub plan: bool,
    pub reinstall: bool,
    pub backups: bool,
    pub lock: bool,
    pub delete: bool,
}

impl Can {
    fn new(ctx: &OrgCtx) -> Self {
        Self {
            power: ctx.can(perms::E2E_NODES_POWER),
            rename: ctx.can(perms::E2E_NODES_RENAME),
            save_image: ctx.can(perms::E2E_IMAGES_SAVE),
            plan: ctx.can(perms::E2E_NODES_PLAN),
            reinstall: ctx.can(perms::E2E_NODES_REINSTALL),
            backups: ctx.can(perms::E2E_NODES_BACKUPS),
            lock: ctx.can(perms::E2E_NODES_LOCK),
            delete: ctx.can(perms::E2E_NODES_DELETE),
        }
    }
}

/// What E2E takes in the node's state now.
pub struct Allows {
    pub power_on: bool,
    pub power_off: bool,
    pub reboot: bool,
    pub rename: bool,
    pub save_image: bool,
    pub reinstall: bool,
    /// Backups and the lock.
    pub settings: bool,
}

impl Allows {
    fn new(state: NodeState) -> Self {
        Self {
            power_on: state.allows(NodeAction::PowerOn),
            power_off: state.allows(NodeAction::PowerOff),
            reboot: state.allows(NodeAction::Reboot),
            rename: state.allows(NodeAction::Rename),
            save_image: state.allows(NodeAction::SaveImages),
            reinstall: state.allows(NodeAction::Reinstall),
            settings: state.allows(NodeAction::LockVm),
        }
    }
}

/// A committed term of the node's plan, for the select.
pub struct Term {
    pub id: String,
    pub label: String,
}

/// The billing card: how the node is billed, and the plan's committed terms.
pub struct Billing {
    /// `auto_renew`, as E2E says it (empty when it did not).
    pub key: String,
    /// "Renew the commitment", or E2E's word for a billing the panel does not know.
    pub label: String,
    /// The committed term, in words, or empty for none.
    pub term: String,
    /// The term's id, preselected in the form.
    pub term_id: String,
    /// The plan's terms; `None` when the plan could not be found (the form
    /// then takes the term's number).
    pub terms: Option<Vec<Term>>,
    /// The plan's price, when it was found.
    pub price: String,
    /// Why the plan could not be read.
    pub problem: Option<String>,
}

/// "90 Days · 8,900.00 INR".
fn term_label(name: &str, price: f64, currency: &str) -> String {
    format!("{name} · {}", super::view::money(price, currency))
}

impl Billing {
    fn new(node: &Node, plan: Result<Option<Plan>, String>) -> Self {
        let label = BillingChoice::parse(&node.billing_type).map_or_else(
            || {
                if node.billing_type.is_empty() {
                    "not given".to_owned()
                } else {
                    node.billing_type.clone()
                }
            },
            |b| billing_words(b).to_owned(),
        );
        let term_id = node
            .committed_sku_id
            .map(|id| id.to_string())
            .unwrap_or_default();
        let (plan, problem) = match plan {
            Ok(plan) => (plan, None),
            Err(problem) => (None, Some(problem)),
        };
        let terms = plan.as_ref().map(|p| {
            p.committed_sku
                .iter()
                .map(|s| Term {
                    id: s.committed_sku_id.to_string(),
                    label: term_label(&s.committed_sku_name, s.committed_sku_price, &p.currency),
                })
                .collect::<Vec<_>>()
        });
        let term = match (&terms, node.committed_sku_id) {
            (_, None) => String::new(),
            (Some(terms), Some(id)) => terms
                .iter()
                .find(|t| t.id == id.to_string())
                .map_or_else(|| format!("term {id}"), |t| t.label.clone()),
            (None, Some(id)) => format!("term {id}"),
        };
        let price = plan.as_ref().map_or_else(String::new, |p| {
            format!(
                "{} an hour, {} a month",
                super::view::money(p.specs.price_per_hour, &p.currency),
                super::view::money(p.specs.price_per_month, &p.currency)
            )
        });
        Self {
            key: node.billing_type.clone(),
            label,
            term,
            term_id,
            terms,
            price,
            problem,
        }
    }
}

/// How a billing type reads on the page (the form's labels say what
/// happens after the period; this says how the node is billed now).
fn billing_words(choice: BillingChoice) -> &'static str {
    match choice {
        BillingChoice::AutoRenew => "Committed, renewed when the period ends",
        BillingChoice::AutoTerminate => "Committed, deleted when the period ends",
        BillingChoice::HourlyBilling => "By the hour",
    }
}

/// The node's plan as the catalogue has it, to show its price and offer its
/// committed terms: `Ok(None)` when its image or plan is not in the
/// catalogue (a node made from a saved image, a retired plan).
async fn plan_of(up: &Upstream, node: &Node) -> Result<Option<Plan>, String> {
    let choices = up
        .client()
        .image_choices()
        .await
        .map_err(|e| read_problem(up, "the node's plan", &e))?;
    let Some(image) = image_of(&choices.value, &node.image) else {
        return Ok(None);
    };
    let plans = up
        .client()
        .plans(image)
        .await
        .map_err(|e| read_problem(up, "the node's plan", &e))?;
    Ok(plans.value.into_iter().find(|p| p.plan == node.plan))
}

#[derive(Template)]
#[template(path = "e2e_nodes/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    node: &'a Node,
    row: NodeRow,
    specs: String,
    created: String,
    list_href: String,
    images_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    allows: Allows,
    billing: Billing,
    choices: [BillingChoice; 3],
    /// Why the actions E2E refuses during a transition wait.
    busy: Option<String>,
    /// Being deleted: nothing more to do.
    removing: bool,
    /// The status element shows a reload hint only after it refreshed itself.
    from_refresh: bool,
}

impl DetailPage<'_> {
    fn step(&self, action: NodeAction, verb: &'static str, consequence: &str) -> ConfirmStep {
        ConfirmStep {
            action: format!(
                "{}/actions/{}{}",
                self.row.href,
                action.key(),
                self.row.query
            ),
            verb,
            subject: self.node.name.clone(),
            button: format!("Yes, {} {}", verb.to_lowercase(), self.node.name),
            consequence: consequence.to_owned(),
        }
    }

    fn power_off_step(&self) -> ConfirmStep {
        self.step(
            NodeAction::PowerOff,
            "Power off",
            "The node stops: programs running on it end and what they had not written to disk is \
             lost. Its disk and addresses stay; power it on again here.",
        )
    }

    fn reboot_step(&self) -> ConfirmStep {
        self.step(
            NodeAction::Reboot,
            "Reboot",
            "The node restarts: programs running on it end, and it is unreachable for a minute or two.",
        )
    }

    /// The billing radio starts on the node's billing, or on what was typed.
    fn billing_checked(&self, choice: &BillingChoice) -> bool {
        self.page.typed("plan", "billing", &self.billing.key) == choice.key()
    }

    fn term_selected(&self, id: &str) -> bool {
        self.page
            .typed("plan", "committed_sku", &self.billing.term_id)
            == id
    }
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let id = numeric_id(&ctx, &object.id)?;
    let fetched = found_from(
        &ctx,
        up.api_name(),
        "this node",
        up.client().get_node(id).await,
    )?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let node = fetched.value;
    let row = Nodes::row(&ctx, &up, &node);
    let state = node.state();
    let removing = state == NodeState::Terminating;
    let billing = Billing::new(&node, plan_of(&up, &node).await);
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: row.badge.busy_reason(
                "node",
                "Power, renaming, saving an image, reinstalling, backups and the lock",
                removing,
            ),
            specs: super::view::specs(&node),
            created: super::view::created(&node.created_at),
            node: &node,
            row,
            list_href: FAMILY.list_on(&ctx, &up),
            images_href: up.href(&ctx, "e2e_images"),
            account_name: account_label(&up),
            notice,
            can: Can::new(&ctx),
            allows: Allows::new(state),
            billing,
            choices: BillingChoice::ALL,
            removing,
            from_refresh: false,
        },
    )
}

/// `GET /{id}/row`: one row, for a row between states that refreshes itself.
pub async fn row(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?.polling();
    let id = numeric_id(&ctx, &object.id)?;
    let row = current_row::<Nodes>(&up, &ctx, id).await?;
    Nodes::render_row(&row)
}

/// `GET /{id}/status`: the status badge alone, for the page's script.
pub async fn status(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?.polling();
    let id = numeric_id(&ctx, &object.id)?;
    let row = current_row::<Nodes>(&up, &ctx, id).await?;
    Nodes::render_status(&row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudpanel::e2e::CommittedSku;

    fn node(billing: &str, sku: Option<i64>) -> Node {
        Node {
            id: "2".into(),
            name: "db-1".into(),
            billing_type: billing.into(),
            committed_sku_id: sku,
            ..Node::default()
        }
    }

    fn plan() -> Plan {
        Plan {
            currency: "INR".into(),
            committed_sku: vec![CommittedSku {
                committed_sku_id: 322,
                committed_sku_name: "365 Days".into(),
                committed_days: 365,
                committed_sku_price: 51_500.0,
            }],
            ..Plan::default()
        }
    }

    #[test]
    fn billing_names_the_term_from_the_plan() {
        let b = Billing::new(&node("auto_renew", Some(322)), Ok(Some(plan())));
        assert_eq!(b.label, "Committed, renewed when the period ends");
        assert_eq!(b.term, "365 Days · 51,500.00 INR");
        assert_eq!(b.term_id, "322");
        assert_eq!(b.terms.as_ref().map(Vec::len), Some(1));
    }

    #[test]
    fn billing_without_the_plan_still_says_what_is_known() {
        let b = Billing::new(&node("auto_renew", Some(9)), Ok(None));
        assert!(b.terms.is_none() && b.term == "term 9");
        let b = Billing::new(&node("weekly", None), Err("Could not load".into()));
        assert_eq!(b.label, "weekly");
        assert!(b.problem.is_some() && b.term.is_empty());
    }
}
