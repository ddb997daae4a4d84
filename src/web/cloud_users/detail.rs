//! A Cloud Panel user's page, in cards: overview, role, API access (on or
//! off, the key's last four characters, the allowed addresses) and deletion.
//! One `GET /users/{id}` fills it; the roles are read only for a member who
//! may change the role.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::view::UserRow;
use crate::cloudpanel::ListQuery;
use crate::rbac::perms;
use crate::web::cloud::{Choice, Choices, Object, found, options};
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub edit: bool,
    pub delete: bool,
    pub change_role: bool,
    pub manage_api: bool,
}

impl Can {
    fn new(ctx: &OrgCtx) -> Self {
        Self {
            edit: super::form::may_edit_any(ctx),
            delete: ctx.can(perms::USERS_DELETE),
            change_role: ctx.can(perms::USERS_CHANGE_ROLE),
            manage_api: ctx.can(perms::USERS_MANAGE_API),
        }
    }
}

#[derive(Template)]
#[template(path = "cloud_users/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    row: UserRow,
    list_href: String,
    members_href: String,
    account_name: String,
    notice: Option<String>,
    can: Can,
    roles: Choices,
}

impl DetailPage<'_> {
    fn regenerate_step(&self) -> ConfirmStep {
        ConfirmStep {
            action: format!("{}/api/key/regenerate{}", self.row.href, self.row.query),
            verb: "Regenerate key",
            subject: self.row.name.clone(),
            button: format!("Yes, issue {} a new key", self.row.name),
            consequence: "The current key stops working at once: every program that uses it \
                          must be given the new one."
                .into(),
        }
    }

    /// The role the role form shows: the one chosen when the form came
    /// back, else the user's.
    fn is_chosen_role(&self, id: &str) -> bool {
        self.page.typed("change-role", "role_id", &self.row.role_id) == id
    }
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    // Side by side: the page waits for the slowest, not the sum.
    let can = Can::new(&ctx);
    let all = ListQuery::all();
    let (fetched, roles) = futures_util::join!(
        up.client().get_user(&object.id),
        options(
            can.change_role,
            "the Cloud Panel roles",
            up.client().list_roles(&all),
            |r| Choice::of(&r.id, &r.name),
        )
    );
    let fetched = found(&ctx, "this user", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            row: UserRow::new(&fetched.value, &ctx, &up),
            list_href: FAMILY.list_on(&ctx, &up),
            members_href: ctx.href("members"),
            account_name: up.row().name.clone(),
            notice,
            can,
            roles,
        },
    )
}
