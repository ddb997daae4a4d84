//! The "Bulk action" card a list offers beside its rows (the Cloud Panel's
//! servers, E2E's nodes): the actions this member may take, and where the
//! dry run is. The card shows only with one action at least, and so do
//! the rows' boxes.

use super::Upstream;
use crate::tenant::{BulkAction, BulkFamily};
use crate::web::org_ctx::OrgCtx;

pub struct BulkCard {
    /// The family's key, posted with the choice.
    pub family: &'static str,
    /// "servers", "nodes".
    pub many: &'static str,
    /// The actions this member may take: key and title.
    pub actions: Vec<(&'static str, &'static str)>,
    pub plan_href: String,
}

impl BulkCard {
    /// The card for `family`'s list, when the member may take any action.
    pub fn for_member(ctx: &OrgCtx, up: &Upstream, family: BulkFamily) -> Option<Self> {
        let actions: Vec<_> = BulkAction::ALL
            .into_iter()
            .filter(|a| ctx.can(a.permission(family)))
            .map(|a| (a.key(), a.title(family)))
            .collect();
        (!actions.is_empty()).then(|| Self {
            family: family.key(),
            many: family.many(),
            actions,
            plan_href: up.href(ctx, "bulk/plan"),
        })
    }

    /// Whether a row of `family` carries a box to tick.
    pub fn offered(ctx: &OrgCtx, family: BulkFamily) -> bool {
        BulkAction::ALL
            .into_iter()
            .any(|a| ctx.can(a.permission(family)))
    }
}
