//! A Cloud Panel role's page: overview, its permission matrix, its users
//! (add one, remove one), and links to edit, clone and delete it. A refused
//! matrix or add-user form comes back on this page as it was filled in,
//! with its message beside it.

use std::collections::BTreeSet;

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::FAMILY;
use super::view::RoleRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::access::Role;
use crate::rbac::perms;
use crate::web::cloud::{Choice, Choices, Object, Upstream, check_id, found, read_problem};
use crate::web::cloud_users::FAMILY as USERS;
use crate::web::confirm::ConfirmStep;
use crate::web::error::AppResult;
use crate::web::matrix::{self, Matrix, Scope};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// The matrix form's name on the page (its element id), for the boxes kept
/// as ticked.
pub const MATRIX_FORM: &str = "cloud-role-permissions";

/// What the member may do on this page; the template hides the rest.
pub struct Can {
    pub edit: bool,
    pub modify: bool,
    pub manage_users: bool,
    pub clone: bool,
    pub delete: bool,
}

/// One user holding the role.
pub struct UserRow {
    pub id: String,
    pub name: String,
    /// The user's own page (the account's users).
    pub href: String,
    /// The user's place in this role.
    pub membership_href: String,
    pub remove: ConfirmStep,
}

#[derive(Template)]
#[template(path = "cloud_roles/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    role: &'a Role,
    row: RoleRow,
    list_href: String,
    panel_roles_href: String,
    account_name: String,
    notice: Option<String>,
    /// `None` when the permissions could not be read (`permissions_problem` says why).
    matrix: Option<Matrix>,
    permissions_problem: Option<String>,
    users: Vec<UserRow>,
    users_problem: Option<String>,
    /// Account users not in the role yet, for the add form.
    candidates: Choices,
    can: Can,
}

/// The boxes of the matrix as they were ticked when it came back refused
/// (kept as one field, the ticked `group.flag`s separated by spaces).
fn kept_ticks(page: &PageCtx) -> Option<BTreeSet<String>> {
    let kept = page.kept.as_ref().filter(|k| k.form == MATRIX_FORM)?;
    let ticked = kept.values.get(matrix::FIELD).map_or("", String::as_str);
    Some(ticked.split_whitespace().map(str::to_owned).collect())
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?;
    show(&ctx, &up, &object.id).await
}

async fn show(ctx: &OrgCtx, up: &Upstream, id: &str) -> AppResult<HttpResponse> {
    // The page's four reads side by side: on a cold cache it waits for the
    // slowest, not for their sum. The users of the account are read only
    // for a member who may add them to the role.
    let client = up.client();
    let may_manage_users = ctx.can(perms::ROLES_MANAGE_USERS);
    let all = ListQuery::all();
    let (role, permissions, role_users, account_users) = futures_util::join!(
        client.get_role(id),
        client.get_role_permissions(id),
        client.list_role_users(id),
        async {
            if may_manage_users {
                Some(client.list_users(&all).await)
            } else {
                None
            }
        },
    );
    let fetched = found(ctx, "this Cloud Panel role", role)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let role = fetched.value;
    let row = RoleRow::new(&role, ctx, up);
    // The API refuses every change to its built-in roles but clones and
    // their users: the page offers no more.
    let custom = !row.builtin;
    let can = Can {
        edit: custom && (ctx.can(perms::ROLES_SET_NAME) || ctx.can(perms::ROLES_SET_DESCRIPTION)),
        modify: custom && ctx.can(perms::ROLES_MODIFY),
        manage_users: may_manage_users,
        clone: ctx.can(perms::ROLES_CLONE),
        delete: custom && ctx.can(perms::ROLES_DELETE),
    };
    let (matrix, permissions_problem) = match permissions {
        Ok(granted) => {
            // A refused matrix shows its boxes as they were ticked.
            let kept = kept_ticks(&ctx.page).filter(|_| can.modify);
            let matrix = Matrix::new(Scope::CloudPanel, can.modify, |g, f| match &kept {
                Some(ticked) => ticked.contains(&format!("{g}.{f}")),
                None => granted.value.allows(g, f),
            });
            (Some(matrix), None)
        }
        Err(e) => (None, Some(read_problem("this role's permissions", &e))),
    };
    let (users, users_problem) = match role_users {
        Ok(users) => (
            users
                .value
                .iter()
                .filter(|u| check_id(&u.id).is_ok())
                .map(|u| user_row(ctx, up, &role, &u.id, &u.name))
                .collect(),
            None,
        ),
        Err(e) => (Vec::new(), Some(read_problem("this role's users", &e))),
    };
    let candidates = if let Some(account_users) = account_users {
        let mut choices = Choices::from("the account's users", account_users, |u| {
            // A user holds one role: adding moves them from theirs.
            let now = u.roles.as_ref().map(|r| r.name.as_str()).unwrap_or("");
            let name = if now.is_empty() {
                u.name.clone()
            } else {
                format!("{} (now {now})", u.name)
            };
            Choice::of(&u.id, &name)
        });
        choices
            .items
            .retain(|c| !users.iter().any(|u: &UserRow| u.id == c.id));
        choices
    } else {
        Choices::default()
    };
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            role: &role,
            row,
            list_href: FAMILY.list_on(ctx, up),
            panel_roles_href: ctx.href("roles"),
            account_name: up.row().name.clone(),
            notice,
            matrix,
            permissions_problem,
            users,
            users_problem,
            candidates,
            can,
        },
    )
}

fn user_row(ctx: &OrgCtx, up: &Upstream, role: &Role, id: &str, name: &str) -> UserRow {
    let shown = if name.is_empty() { id } else { name };
    let membership = format!("{}/users/{id}{}", FAMILY.href(ctx, &role.id), up.query());
    UserRow {
        id: id.to_owned(),
        name: shown.to_owned(),
        href: USERS.page_href(ctx, up, id),
        membership_href: membership,
        remove: remove_step(ctx, up, role, id, shown),
    }
}

/// The confirm step that takes a user out of the role.
pub fn remove_step(ctx: &OrgCtx, up: &Upstream, role: &Role, id: &str, name: &str) -> ConfirmStep {
    ConfirmStep {
        action: format!(
            "{}/users/{id}/remove{}",
            FAMILY.href(ctx, &role.id),
            up.query()
        ),
        verb: "Remove",
        subject: format!("{name} from {}", role.name),
        button: format!("Yes, remove {name}"),
        consequence: format!(
            "{name} loses what {} allows, with their API key and in the Cloud Panel, until given a role again.",
            role.name
        ),
    }
}
