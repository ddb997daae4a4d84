//! `/o/{slug}/shared_storages/access`: how servers reach the account's
//! shared storages: the credentials' state per datacenter, the NFS and CIFS
//! paths, and the access password. The new password is sent to the Cloud
//! Panel and nowhere else: not logged, not audited (the audit details say
//! only that it was changed), never shown again, not even on a form that
//! comes back with errors.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::list::SharedStorages;
use super::view::SharedRow;
use super::{FAMILY, access_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::storages::SharedStorageAccess;
use crate::rbac::perms;
use crate::web::cloud::{
    AccountParam, Act, Change, Fallback, Listed, Named, StateBadge, Target, Upstream, connect,
    fragment, read_problem,
};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;
use crate::web::storages::{FieldErrors, datacenter_label};

/// The credentials of one datacenter, as the page shows them.
pub struct AccessRow {
    pub datacenter: String,
    pub badge: StateBadge,
    pub user_domain: String,
    pub needs_password_reset: bool,
}

impl AccessRow {
    fn new(access: &SharedStorageAccess) -> Self {
        Self {
            datacenter: datacenter_label(&access.datacenter),
            badge: StateBadge::new(access.state.as_str(), access.state.is_transitional(), None),
            user_domain: access.user_domain.clone(),
            needs_password_reset: access.needs_password_reset,
        }
    }
}

/// The state table, also the fragment it refreshes itself with.
pub struct AccessState {
    pub rows: Vec<AccessRow>,
    /// The state the element carries: the first transitional one, else the first.
    pub state: String,
    pub transitional: bool,
    /// `/o/{slug}/shared_storages/access/state?account=ID`.
    pub refresh_href: String,
}

impl AccessState {
    fn new(list: &[SharedStorageAccess], refresh_href: String) -> Self {
        let rows: Vec<AccessRow> = list.iter().map(AccessRow::new).collect();
        let busy = rows.iter().find(|r| r.badge.transitional);
        Self {
            state: busy
                .or(rows.first())
                .map(|r| r.badge.state.clone())
                .unwrap_or_default(),
            transitional: busy.is_some(),
            rows,
            refresh_href,
        }
    }

    pub fn needs_password(&self) -> bool {
        self.rows.iter().any(|r| r.needs_password_reset)
    }
}

#[derive(Template)]
#[template(path = "shared_storages/access.html")]
struct AccessPage<'a> {
    page: &'a PageCtx,
    access: Option<AccessState>,
    problem: Option<String>,
    notice: Option<String>,
    /// The storages and their paths, for members who may see shared storages.
    storages: Option<Vec<SharedRow>>,
    storages_problem: Option<String>,
    errors: &'a FieldErrors,
    action: String,
    list_href: String,
    account_name: String,
}

impl AccessPage<'_> {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "shared_storages/access_state.html")]
struct StateFragment<'a> {
    access: &'a AccessState,
}

fn state_href(ctx: &OrgCtx, up: &Upstream) -> String {
    up.href(ctx, "shared_storages/access/state")
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SHARED_STORAGES_ACCESS).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    show(&ctx, &up, &FieldErrors::new(), StatusCode::OK).await
}

async fn show(
    ctx: &OrgCtx,
    up: &Upstream,
    errors: &FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let client = up.client();
    let may_see_storages = ctx.can(perms::SHARED_STORAGES_SHOW);
    let (access, storages) = futures_util::join!(client.get_shared_storage_access(), async {
        if may_see_storages {
            Some(client.list_shared_storages(&ListQuery::all()).await)
        } else {
            None
        }
    });
    let (access, notice, problem) = match access {
        Ok(fetched) => (
            Some(AccessState::new(&fetched.value, state_href(ctx, up))),
            fetched.freshness().map(|f| format!("Showing {f}.")),
            None,
        ),
        Err(e) => (None, None, Some(read_problem("the access credentials", &e))),
    };
    let (storages, storages_problem) = match storages {
        Some(Ok(fetched)) => {
            let mut rows: Vec<SharedRow> = fetched
                .value
                .iter()
                .map(|s| <SharedStorages>::row(ctx, up, s))
                .collect();
            rows.sort_by_key(|r| r.name.to_lowercase());
            (Some(rows), None)
        }
        Some(Err(e)) => (None, Some(read_problem("the shared storages", &e))),
        None => (None, None),
    };
    let page = ctx.page.clone().with_section(FAMILY.word);
    render(
        status,
        &AccessPage {
            page: &page,
            access,
            problem,
            notice,
            storages,
            storages_problem,
            errors,
            action: up.href(ctx, "shared_storages/access/password"),
            list_href: FAMILY.list_on(ctx, up),
            account_name: up.row().name.clone(),
        },
    )
}

/// The state table alone, for the page's script while a change is applied.
pub async fn state(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SHARED_STORAGES_ACCESS).await?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let fetched = up
        .client()
        .get_shared_storage_access()
        .await
        .map_err(|e| AppError::cloud("the access credentials", &e))?;
    let access = AccessState::new(&fetched.value, state_href(&ctx, &up));
    fragment(&StateFragment { access: &access })
}

/// The password form. Deliberately without `Debug`: nothing prints it.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

/// The API asks for 8 to 64 characters "using uppercase letters, numbers
/// and other special symbols". The message never repeats the password.
pub(crate) fn check_password(password: &str, repeat: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let len = password.chars().count();
    if !(8..=64).contains(&len) {
        errors.insert(
            "password",
            "The password needs 8 to 64 characters.".to_owned(),
        );
    } else if !password.chars().any(char::is_uppercase)
        || !password.chars().any(|c| c.is_ascii_digit())
        || !password.chars().any(|c| !c.is_alphanumeric())
    {
        errors.insert(
            "password",
            "The password needs an uppercase letter, a digit and a special character \
             (neither a letter nor a digit)."
                .to_owned(),
        );
    }
    if errors.is_empty() && password != repeat {
        errors.insert(
            "password_repeat",
            "The two passwords differ; type the same password twice.".to_owned(),
        );
    }
    errors
}

/// The API answers a password change with the credentials again; the audit
/// log and the message only need to know that it went through.
struct PasswordChanged;

impl Named for PasswordChanged {
    fn id(&self) -> &str {
        ""
    }

    fn name(&self) -> &str {
        ""
    }
}

/// The audit log's target type of the access credentials.
pub(crate) const ACCESS_KIND: &str = "shared_storage_access";

/// A change of the access password, described without it.
pub(crate) fn password_change() -> Change {
    Change::new(
        "shared_storage.access_password",
        // Keys naming a password are dropped by the audit log's redaction:
        // the details say what changed in words, never the value.
        json!({ "changed": "access password" }),
        "The access password was changed; the Cloud Panel applies it to every datacenter \
         in a moment. Servers that mount shared storages with the old password need the new one.",
    )
}

pub async fn password(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let act = Act::begin(
        &ctx,
        &session,
        &account,
        perms::SHARED_STORAGES_ACCESS,
        |up| Target {
            kind: ACCESS_KIND,
            id: String::new(),
            page: access_href(&ctx, up),
            list: access_href(&ctx, up),
        },
    )
    .await?;
    let form = form.into_inner();
    let errors = check_password(&form.password, &form.password_repeat);
    if !errors.is_empty() {
        return show(&ctx, &act.up, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let change = password_change();
    let client = act.up.client();
    let call = async {
        client
            .set_shared_storage_access_password(&form.password)
            .await
            .map(|_| PasswordChanged)
    };
    act.run(change, call).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_follows_the_apis_rule() {
        assert!(check_password("Str0ng-pass", "Str0ng-pass").is_empty());
        assert!(check_password("Sh0rt-", "Sh0rt-").contains_key("password"));
        assert!(check_password(&format!("A1-{}", "x".repeat(62)), "").contains_key("password"));
        assert!(check_password("alllowercase1-", "alllowercase1-").contains_key("password"));
        assert!(check_password("NoDigitsHere-", "NoDigitsHere-").contains_key("password"));
        assert!(check_password("NoSymbols123", "NoSymbols123").contains_key("password"));
        let errors = check_password("Str0ng-pass", "Str0ng-pasS");
        assert!(errors.contains_key("password_repeat"));
        assert!(!errors.values().any(|m| m.contains("Str0ng")));
    }
}
