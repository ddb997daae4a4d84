//! A shared storage's page: overview and paths, size, the servers with
//! access and their rights, and every action the member may take; the
//! status badge refreshes itself while work is in progress.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::list::SharedStorages;
use super::view::{ServerAccess, SharedRow};
use super::{FAMILY, access_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::storages::SharedStorage;
use crate::rbac::perms;
use crate::web::cloud::{Choice, Choices, Listed, Object, found, read_problem};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;
use crate::web::storages::SHARED_SIZE;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    /// The rename form (either flag).
    pub rename: bool,
    pub set_name: bool,
    pub set_description: bool,
    pub resize: bool,
    pub manage_servers: bool,
    pub delete: bool,
    pub access: bool,
}

impl Can {
    fn new(ctx: &OrgCtx) -> Self {
        let set_name = ctx.can(perms::SHARED_STORAGES_SET_NAME);
        let set_description = ctx.can(perms::SHARED_STORAGES_SET_DESCRIPTION);
        Self {
            rename: set_name || set_description,
            set_name,
            set_description,
            resize: ctx.can(perms::SHARED_STORAGES_RESIZE),
            manage_servers: ctx.can(perms::SHARED_STORAGES_MANAGE_ATTACHED_SERVERS),
            delete: ctx.can(perms::SHARED_STORAGES_DELETE),
            access: ctx.can(perms::SHARED_STORAGES_ACCESS),
        }
    }
}

#[derive(Template)]
#[template(path = "shared_storages/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    storage: &'a SharedStorage,
    row: SharedRow,
    list_href: String,
    access_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    /// Why the actions the API refuses during a transition are disabled.
    busy: Option<String>,
    /// Being deleted: nothing more to do.
    removing: bool,
    /// Servers without access yet, for the attach form.
    servers: Choices,
    /// The resize field's bounds: the current size up to the API's maximum.
    max_size: u32,
    /// What the resize field starts on: the current size.
    size: String,
    /// The status element shows a reload hint only after it refreshed itself.
    from_refresh: bool,
}

impl DetailPage<'_> {
    fn server_href(&self, server: &ServerAccess) -> String {
        format!("{}/servers/{}", self.row.href, server.id)
    }

    fn detach_step(&self, server: &ServerAccess) -> ConfirmStep {
        ConfirmStep {
            action: format!("{}/delete{}", self.server_href(server), self.row.query),
            verb: "Detach",
            subject: server.name.clone(),
            button: format!("Yes, detach {}", server.name),
            consequence: format!(
                "{} loses access to {}: its mounts of the storage stop working. The files stay.",
                server.name, self.storage.name
            ),
        }
    }

    fn read_only_step(&self, server: &ServerAccess) -> ConfirmStep {
        ConfirmStep {
            action: format!("{}/rights{}", self.server_href(server), self.row.query),
            verb: "Make read-only",
            subject: server.name.clone(),
            button: format!("Yes, make {} read-only", server.name),
            consequence: format!(
                "{} can still read the files on {} but no longer change them; writes in progress fail.",
                server.name, self.storage.name
            ),
        }
    }
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    let can = Can::new(&ctx);
    // Side by side: the page waits for the slowest, not the sum. The attach
    // form offers the servers that have no access yet; they are loaded only
    // when the form is shown.
    let client = up.client();
    let (fetched, servers) = futures_util::join!(client.get_shared_storage(&object.id), async {
        if can.manage_servers {
            Some(client.list_servers_shared(&ListQuery::all()).await)
        } else {
            None
        }
    });
    let fetched = found(&ctx, "this shared storage", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let storage = fetched.value;
    let row = <SharedStorages>::row(&ctx, &up, &storage);

    let servers = match servers {
        Some(Ok(fetched)) => {
            let mut items: Vec<Choice> = fetched
                .value
                .iter()
                .filter(|s| !row.servers.iter().any(|a| a.id == s.id))
                .map(|s| Choice::of(&s.id, &s.name))
                .collect();
            items.sort_by_key(|c| c.name.to_lowercase());
            Choices {
                items,
                problem: None,
            }
        }
        Some(Err(e)) => Choices {
            items: Vec::new(),
            problem: Some(read_problem("the servers", &e)),
        },
        None => Choices::default(),
    };

    let removing = matches!(storage.state.as_str(), "REMOVING" | "DELETING");
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            busy: busy_reason(&row, removing),
            removing,
            row,
            storage: &storage,
            list_href: FAMILY.list_on(&ctx, &up),
            access_href: access_href(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
            can,
            servers,
            max_size: SHARED_SIZE.max,
            size: storage.size.to_string(),
            from_refresh: false,
        },
    )
}

/// While the storage is in a transition the API refuses renaming and
/// resizing: the page says so beside the disabled buttons.
fn busy_reason(row: &SharedRow, removing: bool) -> Option<String> {
    row.badge
        .busy_reason("shared storage", "Renaming and resizing", removing)
}
