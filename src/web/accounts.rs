//! `/o/{slug}/accounts`: an organisation's cloud accounts (Cloud Panel API
//! tokens). Any member sees the list; changing it needs
//! `organisation.manage_cloud_accounts`. A token is only ever shown by its
//! last four characters, and is checked with `ping_auth` before it is saved.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, NewEvent, Outcome};
use crate::cloudpanel::{AccountKey, CloudError, SecretToken};
use crate::config::Secret;
use crate::db::accounts::{self, CloudAccountRow, DEFAULT_BASE_URL, NameTaken};
use crate::error::{AppError, AppResult};
use crate::rbac::perms;
use crate::startup::AppState;
use crate::web::auth_pages::redirect;
use crate::web::flash;
use crate::web::org::{Allowed, OrgCtx};
use crate::web::page::PageCtx;
use crate::web::render;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{slug}/accounts", web::get().to(list))
        .route("/o/{slug}/accounts", web::post().to(add))
        .route(
            "/o/{slug}/accounts/{account_id}/token",
            web::post().to(replace_token),
        )
        .route(
            "/o/{slug}/accounts/{account_id}/rename",
            web::post().to(rename),
        )
        .route(
            "/o/{slug}/accounts/{account_id}/default",
            web::post().to(set_default),
        )
        .route(
            "/o/{slug}/accounts/{account_id}/delete",
            web::post().to(delete),
        );
}

// ---------------------------------------------------------------------------
// Domain types: a form is parsed into these first.

/// A cloud account's name: trimmed, 1 to 60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Enter a name for the account, such as “prod” or “staging”.".into());
        }
        if name.chars().count() > 60 {
            return Err("The name may have at most 60 characters.".into());
        }
        if name.chars().any(char::is_control) {
            return Err("The name may not contain control characters.".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Cloud Panel API token as typed: printable ASCII without spaces. Its
/// errors never repeat it.
pub struct ApiToken(Secret);

impl ApiToken {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let token = raw.trim();
        if token.is_empty() {
            return Err("Enter the API token.".into());
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(
                "The API token may only contain letters, digits and punctuation, without spaces."
                    .into(),
            );
        }
        if token.len() < 8 || token.len() > 512 {
            return Err(
                "That does not look like an API token: it should have 8 to 512 characters.".into(),
            );
        }
        Ok(Self(Secret::new(token.to_owned())))
    }

    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

/// The API's base URL: `https://` anywhere, `http://` only on this machine
/// (the simulator); no credentials, query or fragment. Empty means the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self(DEFAULT_BASE_URL.to_owned()));
        }
        let url = url::Url::parse(raw)
            .map_err(|_| "The base URL is not a web address (https://…).".to_owned())?;
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(
                    "The base URL must use https:// (http:// is allowed only for this machine)."
                        .into(),
                );
            }
            _ => return Err("The base URL must start with https://.".into()),
        }
        if url.host().is_none() {
            return Err("The base URL needs a host name.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("The base URL may not contain a user name or password.".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("The base URL may not contain ? or #.".into());
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// ---------------------------------------------------------------------------
// For the resource pages.

/// Loads a cloud account of the organisation (its default when `account_id`
/// is `None`) and opens its token. Server pages call this after `require`.
pub async fn open_account_token(
    state: &AppState,
    allowed: &Allowed,
    account_id: Option<i64>,
) -> AppResult<(CloudAccountRow, Secret)> {
    let org_id = allowed.org_id();
    let row = match account_id {
        Some(id) => accounts::get(&state.db, org_id, id)
            .await?
            .ok_or(AppError::NotFound)?,
        None => accounts::default_for(&state.db, org_id)
            .await?
            .ok_or_else(|| {
                AppError::BadRequest(
                    "This organisation has no cloud account yet. Someone who may manage cloud \
                     accounts adds one under Cloud accounts."
                        .into(),
                )
            })?,
    };
    let token = accounts::open_token(&state.db, &state.keys, org_id, row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((row, token))
}

/// As [`open_account_token`], ready for the Cloud Panel client:
/// `state.cloud.account(key)`.
pub async fn open_account(
    state: &AppState,
    allowed: &Allowed,
    account_id: Option<i64>,
) -> AppResult<(CloudAccountRow, AccountKey)> {
    let (row, token) = open_account_token(state, allowed, account_id).await?;
    let key = AccountKey::new(
        row.id,
        row.base_url.clone(),
        SecretToken::new(token.expose()),
    );
    Ok((row, key))
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
        };
        Self {
            message,
            upstream_status,
        }
    }
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
#[template(path = "accounts/list.html")]
struct AccountsPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    accounts: Vec<AccountView>,
    can_manage: bool,
    add: AddView,
    default_base_url: &'static str,
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
    let mut views: Vec<AccountView> = accounts::list(&state.db, org.org.id)
        .await?
        .into_iter()
        .map(AccountView::new)
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
    let page = org.page.clone().with_section("accounts");
    render(
        status,
        &AccountsPage {
            page: &page,
            org_name: &org.org.name,
            accounts: views,
            can_manage: org.can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS),
            add,
            default_base_url: DEFAULT_BASE_URL,
        },
    )
}

async fn list(state: web::Data<AppState>, org: OrgCtx) -> AppResult<HttpResponse> {
    page(&state, &org, StatusCode::OK, Redo::None).await
}

async fn record(state: &AppState, org: &OrgCtx, event: NewEvent) {
    if let Err(e) = audit::record(&state.db, org.audit_ctx(), event).await {
        tracing::error!(error = ?e, "failed to audit a cloud account change");
    }
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
    let allowed = org
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
    if accounts::list(&state.db, allowed.org_id())
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
    if let Err(problem) = ping_auth(&state, &base_url, token.secret()).await {
        let mut event = NewEvent::new("cloud_account.create", Outcome::Failed)
            .target("cloud_account", "", name.as_str())
            .details(json!({ "base_url": base_url.as_str() }))
            .error(problem.message());
        event.upstream_status = problem.upstream_status();
        record(&state, &org, event).await;
        let view = refused(problem.message(), None);
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            Redo::Add(view),
        )
        .await;
    }
    let row = match accounts::insert(
        &state.db,
        &state.keys,
        allowed.org_id(),
        name.as_str(),
        base_url.as_str(),
        token.secret(),
        Some(org.user.id),
    )
    .await?
    {
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
    accounts::mark_verified(&state.db, allowed.org_id(), row.id).await?;
    record(
        &state,
        &org,
        NewEvent::new("cloud_account.create", Outcome::Succeeded)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({
                "base_url": row.base_url,
                "last_four": row.token_last4,
                "default": row.is_default,
            })),
    )
    .await;
    flash::success(
        &session,
        format!(
            "Cloud account “{}” added; the Cloud Panel accepted its token (…{}).",
            row.name, row.token_last4
        ),
    );
    Ok(redirect(&org.href("accounts")))
}

async fn load(state: &AppState, allowed: &Allowed, account_id: i64) -> AppResult<CloudAccountRow> {
    accounts::get(&state.db, allowed.org_id(), account_id)
        .await?
        .ok_or(AppError::NotFound)
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
    let allowed = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let account_id = path.into_inner().1;
    let row = load(&state, &allowed, account_id).await?;
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
    if let Err(problem) = ping_auth(&state, &base_url, token.secret()).await {
        let mut event = NewEvent::new("cloud_account.replace_token", Outcome::Failed)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({ "base_url": base_url.as_str() }))
            .error(problem.message());
        event.upstream_status = problem.upstream_status();
        record(&state, &org, event).await;
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            redo(Some(problem.message()), None),
        )
        .await;
    }
    if !accounts::replace_token(
        &state.db,
        &state.keys,
        allowed.org_id(),
        row.id,
        base_url.as_str(),
        token.secret(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    // The new token may open another account: its budget and cache start afresh.
    state.cloud.forget_account(row.id);
    let last_four = accounts::last4(token.secret().expose());
    record(
        &state,
        &org,
        NewEvent::new("cloud_account.replace_token", Outcome::Succeeded)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({
                "previous_last_four": row.token_last4,
                "last_four": last_four,
                "base_url": base_url.as_str(),
                "previous_base_url": row.base_url,
            })),
    )
    .await;
    flash::success(
        &session,
        format!(
            "The token of “{}” was replaced (now …{last_four}) and accepted by the Cloud Panel.",
            row.name
        ),
    );
    Ok(redirect(&org.href("accounts")))
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
    let allowed = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let account_id = path.into_inner().1;
    let row = load(&state, &allowed, account_id).await?;
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
    match accounts::rename(&state.db, allowed.org_id(), row.id, name.as_str()).await? {
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
    record(
        &state,
        &org,
        NewEvent::new("cloud_account.rename", Outcome::Succeeded)
            .target("cloud_account", row.id, name.as_str())
            .cloud_account(row.id)
            .details(json!({ "from": row.name, "to": name.as_str() })),
    )
    .await;
    flash::success(
        &session,
        format!("Renamed “{}” to “{}”.", row.name, name.as_str()),
    );
    Ok(redirect(&org.href("accounts")))
}

async fn set_default(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let allowed = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let row = load(&state, &allowed, path.into_inner().1).await?;
    if !accounts::set_default(&state.db, allowed.org_id(), row.id).await? {
        return Err(AppError::NotFound);
    }
    record(
        &state,
        &org,
        NewEvent::new("cloud_account.set_default", Outcome::Succeeded)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id),
    )
    .await;
    flash::success(
        &session,
        format!("“{}” is now the default account.", row.name),
    );
    Ok(redirect(&org.href("accounts")))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
}

async fn delete(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<DeleteForm>,
) -> AppResult<HttpResponse> {
    let allowed = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let account_id = path.into_inner().1;
    let row = load(&state, &allowed, account_id).await?;
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
    if !accounts::delete(&state.db, allowed.org_id(), row.id).await? {
        return Err(AppError::NotFound);
    }
    state.cloud.forget_account(row.id);
    record(
        &state,
        &org,
        NewEvent::new("cloud_account.delete", Outcome::Succeeded)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({ "base_url": row.base_url, "was_default": row.is_default })),
    )
    .await;
    flash::success(
        &session,
        format!(
            "Cloud account “{}” deleted; its token is gone from the panel.",
            row.name
        ),
    );
    Ok(redirect(&org.href("accounts")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(AccountName::parse("  prod ").unwrap().as_str(), "prod");
        assert!(AccountName::parse("   ").is_err());
        assert!(AccountName::parse(&"x".repeat(61)).is_err());
        assert!(AccountName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn tokens_are_checked_without_being_repeated() {
        assert_eq!(
            ApiToken::parse(" abcdef123456 ").unwrap().secret().expose(),
            "abcdef123456"
        );
        for bad in ["", "short", "with space inside", "ünïcødé-token"] {
            let err = ApiToken::parse(bad).err().unwrap();
            assert!(bad.is_empty() || !err.contains(bad), "{err}");
        }
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(BaseUrl::parse("").unwrap().as_str(), DEFAULT_BASE_URL);
        assert_eq!(
            BaseUrl::parse("https://api.example.com/v1/")
                .unwrap()
                .as_str(),
            "https://api.example.com/v1"
        );
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:9000/v1").unwrap().as_str(),
            "http://127.0.0.1:9000/v1"
        );
        assert!(BaseUrl::parse("http://localhost:9000").is_ok());
        for bad in [
            "http://example.com",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/?a=1",
            "not a url",
            "file:///etc/passwd",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
