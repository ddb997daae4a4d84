//! `/o/{slug}/cloud_accounts`: an organisation's cloud accounts (Cloud Panel API
//! tokens). Any member sees the list; changing it needs
//! `organisation.manage_cloud_accounts`. A token is only ever shown by its
//! last four characters, and is checked with `ping_auth` before it is saved.

use crate::web::routing::org_routes;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::{CloudError, SecretToken};
use crate::config::Secret;
use crate::domain::{AccountName, ApiToken, BaseUrl, DEFAULT_BASE_URL};
use crate::rbac::perms;
use crate::tenant::{CloudAccountRow, NameTaken, Tenant};
use crate::web::confirm::TypedName;
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

org_routes! {
    "/cloud_accounts" {
        GET  "" => list,
        POST "" => add,
        POST "/{account_id}/token" => replace_token,
        POST "/{account_id}/rename" => rename,
        POST "/{account_id}/default" => set_default,
        POST "/{account_id}/delete" => delete,
    }
}

// ---------------------------------------------------------------------------
// Checking a token with the Cloud Panel.

/// Why `ping_auth` did not accept a token, in words for the form.
struct PingProblem {
    message: String,
    upstream_status: Option<u16>,
}

impl PingProblem {
    fn message(&self) -> String {
        self.message.clone()
    }

    fn upstream_status(&self) -> Option<u16> {
        self.upstream_status
    }
}

impl From<CloudError> for PingProblem {
    fn from(error: CloudError) -> Self {
        let (message, upstream_status) = match &error {
            CloudError::Unauthorized => (
                "The Cloud Panel did not accept this token (401). Check that you copied the \
                 whole token and that it is active."
                    .to_owned(),
                Some(401),
            ),
            CloudError::Network { .. } => (
                "Could not reach the Cloud Panel at this base URL. Check the address and the \
                 network."
                    .to_owned(),
                None,
            ),
            CloudError::Timeout => (
                "The Cloud Panel at this base URL did not answer in time.".to_owned(),
                None,
            ),
            CloudError::RateLimited { .. } => (error.user_message(), Some(429)),
            CloudError::Forbidden { status, .. }
            | CloudError::Rejected { status, .. }
            | CloudError::Upstream { status } => (error.user_message(), Some(*status)),
            CloudError::NotFound { .. } => (
                "There is no Cloud Panel API at this base URL (404).".to_owned(),
                Some(404),
            ),
            CloudError::Undecodable { .. } => (
                "The address answered, but not like the Cloud Panel API (no PONG).".to_owned(),
                None,
            ),
            // A check is a read: it is never queued, nor refused for a grant.
            CloudError::Queued { .. }
            | CloudError::QueueFull { .. }
            | CloudError::NotGranted { .. } => (error.user_message(), None),
        };
        Self {
            message,
            upstream_status,
        }
    }
}

// ---------------------------------------------------------------------------
// Which base URLs a member may choose.

/// The one answer for a base URL outside the instance's list: it says
/// nothing about what, if anything, listens there, and nothing was sent.
const BASE_URL_NOT_ALLOWED: &str = "This panel does not allow that base URL. Choose one of the \
     allowed base URLs listed on this page, or ask an instance admin to set it.";

/// The panel's host sends requests to a base URL, so choosing one outside
/// `TEAMPANEL_ALLOWED_BASE_URLS` is the instance admin's call: otherwise an
/// Owner could probe the host's own and internal network through it.
fn check_base_url_allowed(
    state: &AppState,
    org: &OrgCtx,
    base_url: &BaseUrl,
) -> Result<(), &'static str> {
    if state.settings.base_url_allowed(base_url.as_str()) || org.user.is_instance_admin {
        Ok(())
    } else {
        Err(BASE_URL_NOT_ALLOWED)
    }
}

/// A refused base URL is recorded before the form comes back.
async fn record_refused_base_url(tenant: &Tenant<'_>, event: NewEvent) -> AppResult<()> {
    tenant
        .record_attempt(event.error(BASE_URL_NOT_ALLOWED))
        .await?;
    Ok(())
}

/// `GET {base}/ping_auth` with the token, outside any account's budget and cache.
async fn ping_auth(
    state: &AppState,
    base_url: &BaseUrl,
    token: &Secret,
) -> Result<(), PingProblem> {
    state
        .cloud
        .verify_token(base_url.as_str(), &SecretToken::new(token.expose()))
        .await
        .map_err(PingProblem::from)
}

// ---------------------------------------------------------------------------
// The page.

#[derive(Template)]
#[template(path = "cloud_accounts/list.html")]
struct AccountsPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    accounts: Vec<AccountView>,
    can_manage: bool,
    add: AddView,
    default_base_url: &'static str,
    allowed_base_urls: &'a [String],
    may_set_any_base_url: bool,
}

#[derive(Default)]
struct AddView {
    name: String,
    base_url: String,
    name_error: Option<String>,
    token_error: Option<String>,
    base_url_error: Option<String>,
    error: Option<String>,
}

struct AccountView {
    row: CloudAccountRow,
    /// Open the account's management panel (it holds a form with an error).
    open: bool,
    rename_value: String,
    rename_error: Option<String>,
    token_base_url: String,
    token_error: Option<String>,
    base_url_error: Option<String>,
    delete_typed: String,
    delete_error: Option<String>,
}

impl AccountView {
    fn new(row: CloudAccountRow) -> Self {
        Self {
            rename_value: row.name.clone(),
            token_base_url: row.base_url.clone(),
            row,
            open: false,
            rename_error: None,
            token_error: None,
            base_url_error: None,
            delete_typed: String::new(),
            delete_error: None,
        }
    }

    pub fn verified(&self) -> &str {
        self.row.verified_at.as_deref().unwrap_or("never")
    }
}

/// What to show again after a refused form.
enum Redo {
    None,
    Add(AddView),
    Account(i64, Box<dyn FnOnce(&mut AccountView)>),
}

async fn page(
    state: &AppState,
    org: &OrgCtx,
    status: StatusCode,
    redo: Redo,
) -> AppResult<HttpResponse> {
    let mut views: Vec<AccountView> = org
        .as_member()
        .accounts()
        .await?
        .iter()
        .map(|row| AccountView::new(CloudAccountRow::clone(row)))
        .collect();
    let mut add = AddView::default();
    match redo {
        Redo::None => {}
        Redo::Add(view) => add = view,
        Redo::Account(id, fill) => {
            if let Some(view) = views.iter_mut().find(|v| v.row.id == id) {
                view.open = true;
                fill(view);
            }
        }
    }
    let page = org.page.clone().with_section("cloud_accounts");
    render(
        status,
        &AccountsPage {
            page: &page,
            org_name: &org.org().name,
            accounts: views,
            can_manage: org.can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS),
            add,
            default_base_url: DEFAULT_BASE_URL,
            allowed_base_urls: &state.settings.allowed_base_urls,
            may_set_any_base_url: org.user.is_instance_admin,
        },
    )
}

async fn list(state: web::Data<AppState>, org: OrgCtx) -> AppResult<HttpResponse> {
    page(&state, &org, StatusCode::OK, Redo::None).await
}

/// A token the Cloud Panel refused: the attempt is recorded, nothing stored.
async fn record_refused_token(
    tenant: &Tenant<'_>,
    event: NewEvent,
    problem: &PingProblem,
) -> AppResult<()> {
    let mut event = event.error(problem.message());
    event.upstream_status = problem.upstream_status();
    tenant.record_attempt(event).await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    base_url: String,
}

async fn add(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    form: web::Form<AddForm>,
) -> AppResult<HttpResponse> {
    let tenant = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let form = form.into_inner();
    let name = AccountName::parse(&form.name);
    let token = ApiToken::parse(&form.token);
    let base_url = BaseUrl::parse(&form.base_url);
    let (name, token, base_url) = match (name, token, base_url) {
        (Ok(n), Ok(t), Ok(b)) => (n, t, b),
        (n, t, b) => {
            let view = AddView {
                name: form.name.trim().to_owned(),
                base_url: form.base_url.trim().to_owned(),
                name_error: n.err(),
                token_error: t.err(),
                base_url_error: b.err(),
                error: None,
            };
            return page(
                &state,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                Redo::Add(view),
            )
            .await;
        }
    };
    let refused = |message: String, name_error: Option<String>| AddView {
        name: name.as_str().to_owned(),
        base_url: form.base_url.trim().to_owned(),
        name_error,
        error: Some(message),
        ..AddView::default()
    };
    // Checked before the (slow) ping so a taken name is reported at once.
    if tenant
        .accounts()
        .await?
        .iter()
        .any(|a| a.name.eq_ignore_ascii_case(name.as_str()))
    {
        let view = refused(
            "Please correct the name.".into(),
            Some(format!(
                "An account named “{}” already exists here.",
                name.as_str()
            )),
        );
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            Redo::Add(view),
        )
        .await;
    }
    if let Err(message) = check_base_url_allowed(&state, &org, &base_url) {
        let event = NewEvent::new("cloud_account.create", Outcome::Failed)
            .target("cloud_account", "", name.as_str())
            .details(json!({ "base_url": base_url.as_str() }));
        record_refused_base_url(&tenant, event).await?;
        let view = AddView {
            base_url_error: Some(message.to_owned()),
            ..refused("Please choose an allowed base URL.".into(), None)
        };
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            Redo::Add(view),
        )
        .await;
    }
    if let Err(problem) = ping_auth(&state, &base_url, token.secret()).await {
        let event = NewEvent::new("cloud_account.create", Outcome::Failed)
            .target("cloud_account", "", name.as_str())
            .details(json!({ "base_url": base_url.as_str() }));
        record_refused_token(&tenant, event, &problem).await?;
        let view = refused(problem.message(), None);
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            Redo::Add(view),
        )
        .await;
    }
    let row = match tenant.add_account(&name, &base_url, &token).await? {
        Ok(row) => row,
        Err(NameTaken) => {
            let view = refused(
                "Please correct the name.".into(),
                Some(format!(
                    "An account named “{}” already exists here.",
                    name.as_str()
                )),
            );
            return page(
                &state,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                Redo::Add(view),
            )
            .await;
        }
    };
    flash::success(
        &session,
        format!(
            "Cloud account “{}” added; the Cloud Panel accepted its token (…{}).",
            row.name, row.token_last4
        ),
    );
    Ok(redirect(&org.href("cloud_accounts")))
}

async fn load(tenant: &Tenant<'_>, account_id: i64) -> AppResult<CloudAccountRow> {
    tenant.account(account_id).await?.ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    base_url: String,
}

async fn replace_token(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<TokenForm>,
) -> AppResult<HttpResponse> {
    let tenant = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let account_id = path.into_inner().1;
    let row = load(&tenant, account_id).await?;
    let form = form.into_inner();
    let typed_base_url = form.base_url.trim().to_owned();
    let redo = |token_error: Option<String>, base_url_error: Option<String>| {
        let typed = typed_base_url.clone();
        Redo::Account(
            account_id,
            Box::new(move |v: &mut AccountView| {
                v.token_base_url = typed;
                v.token_error = token_error;
                v.base_url_error = base_url_error;
            }),
        )
    };
    let (token, base_url) = match (ApiToken::parse(&form.token), BaseUrl::parse(&form.base_url)) {
        (Ok(t), Ok(b)) => (t, b),
        (t, b) => {
            return page(
                &state,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                redo(t.err(), b.err()),
            )
            .await;
        }
    };
    // The base URL it already has stays usable, whoever set it.
    if base_url.as_str() != row.base_url
        && let Err(message) = check_base_url_allowed(&state, &org, &base_url)
    {
        let event = NewEvent::new("cloud_account.replace_token", Outcome::Failed)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({ "base_url": base_url.as_str() }));
        record_refused_base_url(&tenant, event).await?;
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            redo(None, Some(message.to_owned())),
        )
        .await;
    }
    if let Err(problem) = ping_auth(&state, &base_url, token.secret()).await {
        let event = NewEvent::new("cloud_account.replace_token", Outcome::Failed)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({ "base_url": base_url.as_str() }));
        record_refused_token(&tenant, event, &problem).await?;
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            redo(Some(problem.message()), None),
        )
        .await;
    }
    // The new token may open another account: its budget and cache start afresh.
    let Some(last_four) = tenant
        .replace_account_token(&row, &base_url, &token)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    flash::success(
        &session,
        format!(
            "The token of “{}” was replaced (now …{last_four}) and accepted by the Cloud Panel.",
            row.name
        ),
    );
    Ok(redirect(&org.href("cloud_accounts")))
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

async fn rename(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<RenameForm>,
) -> AppResult<HttpResponse> {
    let tenant = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let account_id = path.into_inner().1;
    let row = load(&tenant, account_id).await?;
    let typed = form.name.trim().to_owned();
    let redo = |error: String| {
        let typed = typed.clone();
        Redo::Account(
            account_id,
            Box::new(move |v: &mut AccountView| {
                v.rename_value = typed;
                v.rename_error = Some(error);
            }),
        )
    };
    let name = match AccountName::parse(&form.name) {
        Ok(name) => name,
        Err(e) => return page(&state, &org, StatusCode::UNPROCESSABLE_ENTITY, redo(e)).await,
    };
    match tenant.rename_account(&row, &name).await? {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        Err(NameTaken) => {
            let message = format!("An account named “{}” already exists here.", name.as_str());
            return page(
                &state,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                redo(message),
            )
            .await;
        }
    }
    flash::success(
        &session,
        format!("Renamed “{}” to “{}”.", row.name, name.as_str()),
    );
    Ok(redirect(&org.href("cloud_accounts")))
}

async fn set_default(
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let tenant = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let row = load(&tenant, path.into_inner().1).await?;
    if !tenant.set_default_account(&row).await? {
        return Err(AppError::NotFound);
    }
    flash::success(
        &session,
        format!("“{}” is now the default account.", row.name),
    );
    Ok(redirect(&org.href("cloud_accounts")))
}

async fn delete(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<TypedName>,
) -> AppResult<HttpResponse> {
    let tenant = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let account_id = path.into_inner().1;
    let row = load(&tenant, account_id).await?;
    if form.confirm_name.trim() != row.name {
        let typed = form.confirm_name.trim().to_owned();
        let message = format!(
            "Type the account's name, “{}”, exactly to confirm. Nothing was deleted.",
            row.name
        );
        let redo = Redo::Account(
            account_id,
            Box::new(move |v: &mut AccountView| {
                v.delete_typed = typed;
                v.delete_error = Some(message);
            }),
        );
        return page(&state, &org, StatusCode::UNPROCESSABLE_ENTITY, redo).await;
    }
    if !tenant.delete_account(&row).await? {
        return Err(AppError::NotFound);
    }
    flash::success(
        &session,
        format!(
            "Cloud account “{}” deleted; its token is gone from the panel.",
            row.name
        ),
    );
    Ok(redirect(&org.href("cloud_accounts")))
}
