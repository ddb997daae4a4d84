//! A block storage's page: overview, its server, and every action the
//! member may take; the status badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::list::BlockStorages;
use super::view::{BlockRow, ServerLink};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::storages::BlockStorage;
use crate::rbac::perms;
use crate::web::cloud::{
    Choice, Choices, Listed, Object, Upstream, current_row, found, fragment, read_problem,
};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    /// The rename form (either flag).
    pub rename: bool,
    pub set_name: bool,
    pub set_description: bool,
    pub manage_server: bool,
    pub delete: bool,
}

impl Can {
    fn new(ctx: &OrgCtx) -> Self {
        let set_name = ctx.can(perms::BLOCK_STORAGES_SET_NAME);
        let set_description = ctx.can(perms::BLOCK_STORAGES_SET_DESCRIPTION);
        Self {
            rename: set_name || set_description,
            set_name,
            set_description,
            manage_server: ctx.can(perms::BLOCK_STORAGES_MANAGE_ATTACHED_SERVER),
            delete: ctx.can(perms::BLOCK_STORAGES_DELETE),
        }
    }
}

#[derive(Template)]
#[template(path = "block_storages/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    storage: &'a BlockStorage,
    row: BlockRow,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    /// Why the actions the API refuses during a transition are disabled.
    busy: Option<String>,
    /// Being deleted: nothing more to do.
    removing: bool,
    /// Servers in the storage's datacenter, for the attach form.
    servers: Choices,
    /// The status element shows a reload hint only after it refreshed itself.
    from_refresh: bool,
}

impl DetailPage<'_> {
    fn detach_step(&self, server: &ServerLink) -> ConfirmStep {
        ConfirmStep {
            action: format!("{}/server/delete{}", self.row.href, self.row.query),
            verb: "Detach",
            subject: format!("{} from {}", self.storage.name, server.name),
            button: format!("Yes, detach from {}", server.name),
            consequence: format!(
                "{} loses the disk {}; unmount it there first so that nothing being written is lost. \
                 The data stays on the block storage.",
                server.name, self.storage.name
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "block_storages/status.html")]
struct StatusFragment<'a> {
    row: &'a BlockRow,
    from_refresh: bool,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    show(&ctx, &up, &object.id).await
}

async fn show(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<HttpResponse> {
    let fetched = found(
        ctx,
        "this block storage",
        up.client().get_block_storage(id).await,
    )?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let storage = fetched.value;
    let can = Can::new(ctx);
    let row = BlockStorages::row(ctx, up, &storage);

    // The attach form offers the servers of the storage's own datacenter
    // (the API refuses the others); loaded only when the form is shown.
    let servers = if can.manage_server && row.server.is_none() {
        match up.client().list_servers_shared(&ListQuery::all()).await {
            Ok(fetched) => {
                let mut items: Vec<Choice> = fetched
                    .value
                    .iter()
                    .filter(|s| {
                        storage.datacenter.id.is_empty() || s.datacenter.id == storage.datacenter.id
                    })
                    .map(|s| Choice::of(&s.id, &s.name))
                    .collect();
                items.sort_by_key(|c| c.name.to_lowercase());
                Choices {
                    items,
                    problem: None,
                }
            }
            Err(e) => Choices {
                items: Vec::new(),
                problem: Some(read_problem("the servers", &e)),
            },
        }
    } else {
        Choices::default()
    };

    let removing = matches!(storage.state.as_str(), "REMOVING" | "DELETING");
    let page = ctx.page.clone().with_section("block_storages");
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: busy_reason(&row, removing),
            removing,
            row,
            storage: &storage,
            list_href: FAMILY.list_on(ctx, up),
            account_name: up.row().name.clone(),
            notice,
            can,
            servers,
            from_refresh: false,
        },
    )
}

/// While the storage is in a transition the API refuses renaming, attaching
/// and detaching: the page says so beside the disabled buttons.
fn busy_reason(row: &BlockRow, removing: bool) -> Option<String> {
    row.badge.busy_reason(
        "block storage",
        "Renaming, attaching and detaching",
        removing,
    )
}

/// The status badge alone, for the page's script while work is in progress.
pub async fn status(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?.polling();
    let row = current_row::<BlockStorages>(&up, &ctx, &object.id).await?;
    fragment(&StatusFragment {
        row: &row,
        from_refresh: true,
    })
}
