//! A Cloud Panel user's page, in cards: overview, role, API access (on or
//! off, the key's last four characters, the allowed addresses) and deletion.
//! One `GET /users/{id}` fills it; the roles are read only for a member who
//! may change the role.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::UserRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::access::User;
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Choice, Choices, Fallback, Upstream, check_id, connect, found, options,
};
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
    ips: IpsForm,
}

/// The allowed-addresses form: empty, or what was typed and why it was refused.
#[derive(Default)]
pub struct IpsForm {
    pub typed: String,
    pub error: Option<String>,
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

    fn is_current_role(&self, id: &str) -> bool {
        self.row.role_id == id
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::USERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    // Side by side: the page waits for the slowest, not the sum.
    let (fetched, roles) = futures_util::join!(up.client().get_user(id), roles(&ctx, &up));
    let fetched = found(&ctx, "this user", fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    render_page(
        &ctx,
        &up,
        &fetched.value,
        notice,
        IpsForm::default(),
        StatusCode::OK,
        roles,
    )
}

/// The roles for the role form, read only for a member who may change the role.
async fn roles(ctx: &OrgCtx, up: &Upstream) -> Choices {
    options(
        Can::new(ctx).change_role,
        "the Cloud Panel roles",
        up.client().list_roles(&ListQuery::all()),
        |r| Choice::of(&r.id, &r.name),
    )
    .await
}

/// The page of `user`; a refused address form comes back with `ips`.
pub async fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    user: &User,
    notice: Option<String>,
    ips: IpsForm,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let roles = roles(ctx, up).await;
    render_page(ctx, up, user, notice, ips, status, roles)
}

/// The page of `user`, its roles read already.
fn render_page(
    ctx: &OrgCtx,
    up: &Upstream,
    user: &User,
    notice: Option<String>,
    ips: IpsForm,
    status: StatusCode,
    roles: Choices,
) -> AppResult<HttpResponse> {
    let row = UserRow::new(user, ctx, up);
    let can = Can::new(ctx);
    let page = ctx.page.clone().with_section("cloud_users");
    render(
        status,
        &DetailPage {
            page: &page,
            row,
            list_href: up.href(ctx, "cloud_users"),
            members_href: ctx.href("members"),
            account_name: up.row().name.clone(),
            notice,
            can,
            roles,
            ips,
        },
    )
}
