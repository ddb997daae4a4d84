//! The "Bulk action" card a list offers beside its rows (servers, E2E
//! nodes, block storages, public IPs): the actions this member may take,
//! and where the dry run is. The card shows only with one action at least, and so do
//! the rows' boxes.

use super::Upstream;
use crate::tenant::BulkFamily;
use crate::web::org_ctx::OrgCtx;

pub struct BulkCard {
    /// The family's key, posted with the choice.
    pub family: &'static str,
    /// "servers", "nodes".
    pub many: &'static str,
    /// Whether the family is powered on and off (the state filter shows).
    pub by_power: bool,
    /// The actions this member may take: key and title.
    pub actions: Vec<(&'static str, &'static str)>,
    pub plan_href: String,
}

impl BulkCard {
    /// The card for `family`'s list, when the member may take any action.
    pub fn for_member(ctx: &OrgCtx, up: &Upstream, family: BulkFamily) -> Option<Self> {
        let actions: Vec<_> = family
            .actions()
            .iter()
            .copied()
            .filter(|a| ctx.can(a.permission(family)))
            .map(|a| (a.key(), a.title(family)))
            .collect();
        (!actions.is_empty()).then(|| Self {
            family: family.key(),
            many: family.many(),
            by_power: family.has_power(),
            actions,
            plan_href: up.href(ctx, "bulk/plan"),
        })
    }

    /// Whether a row of `family` carries a box to tick.
    pub fn offered(ctx: &OrgCtx, family: BulkFamily) -> bool {
        family
            .actions()
            .iter()
            .any(|a| ctx.can(a.permission(family)))
    }
}
