//! `/o/{slug}/cloud_accounts`: an organisation's cloud accounts, of the
//! IONOS Cloud Panel (an API token) or E2E Networks (a bearer token, an API
//! key, a project and a location). Any member sees the list; changing it
//! needs `organisation.manage_cloud_accounts`. A token is only ever shown
//! by its last four characters, and credentials are checked with their API
//! before they are saved.

use crate::web::routing::org_routes;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{NewEvent, Outcome};
use crate::cloudpanel::{CloudError, SecretToken, e2e};
use crate::domain::{AccountName, ApiToken, BaseUrl, DEFAULT_BASE_URL, Location, ProjectId};
use crate::rbac::perms;
use crate::tenant::{CloudAccountRow, Credentials, NameTaken, Provider, Tenant};
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

impl PingProblem {
    /// Why the API of `provider` refused the credentials, in words for the form.
    fn new(error: &CloudError, provider: Provider) -> Self {
        let api = provider.api_name();
        let the_api = crate::cloudpanel::capitalised(api);
        let (credentials, them, product, reply) = match provider {
            Provider::CloudPanel => (
                "this token",
                "the whole token and that it is",
                "Cloud Panel",
                " (no PONG)",
            ),
            Provider::E2e => (
                "this token and API key",
                "them whole and that they are",
                "E2E Networks",
                "",
            ),
        };
        let (message, upstream_status) = match error {
            CloudError::Unauthorized => (
                format!(
                    "{the_api} did not accept {credentials} (401). Check that you copied \
                     {them} active."
                ),
                Some(401),
            ),
            CloudError::Network { .. } => (
                format!(
                    "Could not reach {api} at this base URL. Check the address and the network."
                ),
                None,
            ),
            CloudError::Timeout => (
                format!("{the_api} at this base URL did not answer in time."),
                None,
            ),
            CloudError::RateLimited { .. } => (error.user_message_for(api), Some(429)),
            CloudError::Forbidden { status, .. }
            | CloudError::Rejected { status, .. }
            | CloudError::Upstream { status } => (error.user_message_for(api), Some(*status)),
            CloudError::NotFound { .. } => (
                format!("There is no {product} API at this base URL (404)."),
                Some(404),
            ),
            CloudError::Undecodable { .. } => (
                format!("The address answered, but not like the {product} API{reply}."),
                None,
            ),
            // A check is a read: it is never queued, nor refused for a grant.
            CloudError::Queued { .. }
            | CloudError::QueueFull { .. }
            | CloudError::NotGranted { .. }
            | CloudError::OutOfScope { .. }
            | CloudError::HeldForApproval { .. } => (error.user_message_for(api), None),
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

/// Checks credentials with their API, outside any account's budget and
/// cache: the Cloud Panel's `GET /ping_auth`, one page of E2E's nodes.
async fn verify(
    state: &AppState,
    base_url: &BaseUrl,
    credentials: &Credentials,
) -> Result<(), PingProblem> {
    let token = SecretToken::new(credentials.token().expose());
    let checked = match credentials {
        Credentials::CloudPanel { .. } => state.cloud.verify_token(base_url.as_str(), &token).await,
        Credentials::E2e {
            api_key,
            project_id,
            location,
            ..
        } => {
            let access = e2e::Access {
                api_key: SecretToken::new(api_key.expose()),
                project_id: project_id.clone(),
                location: location.clone(),
            };
            state
                .cloud
                .verify_e2e(base_url.as_str(), &token, access)
                .await
        }
    };
    checked.map_err(|e| PingProblem::new(&e, credentials.provider()))
}

// ---------------------------------------------------------------------------
// The credentials a form asks for, by provider.

/// The fields of the add and replace forms that open an account. A Cloud
/// Panel form posts only the token and base URL; an E2E form the rest too.
#[derive(Deserialize, Default)]
pub struct CredentialsForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    api_key: String,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    location: String,
}

/// Each credentials field's message, for a form that comes back.
#[derive(Default)]
struct CredentialErrors {
    token: Option<String>,
    base_url: Option<String>,
    api_key: Option<String>,
    project_id: Option<String>,
    location: Option<String>,
}

/// The form's credentials for `provider`, or every field's message.
fn parse_credentials(
    provider: Provider,
    form: &CredentialsForm,
) -> Result<(BaseUrl, Credentials), CredentialErrors> {
    match provider {
        Provider::CloudPanel => {
            match (ApiToken::parse(&form.token), BaseUrl::parse(&form.base_url)) {
                (Ok(token), Ok(base_url)) => Ok((
                    base_url,
                    Credentials::CloudPanel {
                        token: token.secret().clone(),
                    },
                )),
                (t, b) => Err(CredentialErrors {
                    token: t.err(),
                    base_url: b.err(),
                    ..CredentialErrors::default()
                }),
            }
        }
        Provider::E2e => {
            let token = ApiToken::parse_as(&form.token, "API token", 4096);
            let base_url = BaseUrl::parse_or(&form.base_url, e2e::DEFAULT_BASE_URL);
            let api_key = ApiToken::parse_as(&form.api_key, "API key", 512);
            let project_id = ProjectId::parse(&form.project_id);
            let location = Location::parse(&form.location);
            match (token, base_url, api_key, project_id, location) {
                (Ok(token), Ok(base_url), Ok(api_key), Ok(project_id), Ok(location)) => Ok((
                    base_url,
                    Credentials::E2e {
                        token: token.secret().clone(),
                        api_key: api_key.secret().clone(),
                        project_id: project_id.as_str().to_owned(),
                        location: location.as_str().to_owned(),
                    },
                )),
                (t, b, k, p, l) => Err(CredentialErrors {
                    token: t.err(),
                    base_url: b.err(),
                    api_key: k.err(),
                    project_id: p.err(),
                    location: l.err(),
                }),
            }
        }
    }
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
    e2e_base_url: &'static str,
    default_location: &'static str,
    allowed_base_urls: &'a [String],
    may_set_any_base_url: bool,
}

impl AccountsPage<'_> {
    /// A base URL field's attributes, with the provider's public API as its placeholder.
    fn url_attrs(&self, placeholder: &str) -> String {
        format!("type=\"url\" list=\"allowed-base-urls\" placeholder=\"{placeholder}\"")
    }

    fn location_attrs(&self) -> String {
        format!("maxlength=\"40\" placeholder=\"{}\"", self.default_location)
    }
}

/// The add forms: one per provider, each asking only for what its
/// accounts need; the one that came back is open with its values.
struct AddView {
    /// Which form came back (the other is shown empty).
    provider: Provider,
    name: String,
    base_url: String,
    project_id: String,
    location: String,
    name_error: Option<String>,
    errors: CredentialErrors,
    error: Option<String>,
}

impl Default for AddView {
    fn default() -> Self {
        AddView {
            provider: Provider::CloudPanel,
            name: String::new(),
            base_url: String::new(),
            project_id: String::new(),
            location: String::new(),
            name_error: None,
            errors: CredentialErrors::default(),
            error: None,
        }
    }
}

impl AddView {
    /// Whether the form of `provider` (its key) is the one that came back.
    fn is(&self, provider: &str) -> bool {
        self.provider.key() == provider
    }

    /// Whether the form of `provider` came back with a problem.
    fn refused(&self, provider: &str) -> bool {
        self.is(provider)
            && (self.error.is_some()
                || self.name_error.is_some()
                || self.errors.token.is_some()
                || self.errors.base_url.is_some())
    }
}

struct AccountView {
    row: CloudAccountRow,
    /// Open the account's management panel (it holds a form with an error).
    open: bool,
    rename_value: String,
    rename_error: Option<String>,
    token_base_url: String,
    token_project_id: String,
    token_location: String,
    errors: CredentialErrors,
    delete_typed: String,
    delete_error: Option<String>,
}

impl AccountView {
    fn new(row: CloudAccountRow) -> Self {
        Self {
            rename_value: row.name.clone(),
            token_base_url: row.base_url.clone(),
            token_project_id: row.project_id.clone(),
            token_location: row.location.clone(),
            row,
            open: false,
            rename_error: None,
            errors: CredentialErrors::default(),
            delete_typed: String::new(),
            delete_error: None,
        }
    }

    pub fn verified(&self) -> &str {
        self.row.verified_at.as_deref().unwrap_or("never")
    }

    /// A field's id in this account's forms: `token-3`.
    pub fn field_id(&self, what: &str) -> String {
        format!("{what}-{}", self.row.id)
    }

    /// "IONOS Cloud Panel", "E2E Networks".
    pub fn kind(&self) -> &'static str {
        Provider::parse(&self.row.provider).map_or("Unknown", Provider::title)
    }

    pub fn is_e2e(&self) -> bool {
        Provider::parse(&self.row.provider) == Some(Provider::E2e)
    }
}

/// What to show again after a refused form.
enum Redo {
    None,
    Add(Box<AddView>),
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
        Redo::Add(view) => add = *view,
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
            e2e_base_url: e2e::DEFAULT_BASE_URL,
            default_location: Location::DEFAULT,
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
    /// Which form posted: `cloudpanel` or `e2e`.
    #[serde(default)]
    provider: String,
    #[serde(flatten)]
    credentials: CredentialsForm,
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
    let provider = match form.provider.trim() {
        "" => Provider::CloudPanel,
        key => Provider::parse(key).ok_or_else(|| {
            AppError::BadRequest("There is no such kind of cloud account.".into())
        })?,
    };
    let typed = &form.credentials;
    let again =
        |name_error: Option<String>, errors: CredentialErrors, error: Option<String>| AddView {
            provider,
            name: form.name.trim().to_owned(),
            base_url: typed.base_url.trim().to_owned(),
            project_id: typed.project_id.trim().to_owned(),
            location: typed.location.trim().to_owned(),
            name_error,
            errors,
            error,
        };
    let (name, (base_url, credentials)) = match (
        AccountName::parse(&form.name),
        parse_credentials(provider, typed),
    ) {
        (Ok(n), Ok(c)) => (n, c),
        (n, c) => {
            let view = again(n.err(), c.err().unwrap_or_default(), None);
            return page(
                &state,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                Redo::Add(Box::new(view)),
            )
            .await;
        }
    };
    let taken = || {
        Some(format!(
            "An account named “{}” already exists here.",
            name.as_str()
        ))
    };
    // Checked before the (slow) check with the API so a taken name is reported at once.
    if tenant
        .accounts()
        .await?
        .iter()
        .any(|a| a.name.eq_ignore_ascii_case(name.as_str()))
    {
        let view = again(
            taken(),
            CredentialErrors::default(),
            Some("Please correct the name.".into()),
        );
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            Redo::Add(Box::new(view)),
        )
        .await;
    }
    let attempt = || {
        NewEvent::new("cloud_account.create", Outcome::Failed)
            .target("cloud_account", "", name.as_str())
            .details(json!({ "base_url": base_url.as_str(), "provider": provider.key() }))
    };
    if let Err(message) = check_base_url_allowed(&state, &org, &base_url) {
        record_refused_base_url(&tenant, attempt()).await?;
        let errors = CredentialErrors {
            base_url: Some(message.to_owned()),
            ..CredentialErrors::default()
        };
        let view = again(
            None,
            errors,
            Some("Please choose an allowed base URL.".into()),
        );
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            Redo::Add(Box::new(view)),
        )
        .await;
    }
    if let Err(problem) = verify(&state, &base_url, &credentials).await {
        record_refused_token(&tenant, attempt(), &problem).await?;
        let view = again(None, CredentialErrors::default(), Some(problem.message()));
        return page(
            &state,
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            Redo::Add(Box::new(view)),
        )
        .await;
    }
    let row = match tenant.add_account(&name, &base_url, &credentials).await? {
        Ok(row) => row,
        Err(NameTaken) => {
            let view = again(
                taken(),
                CredentialErrors::default(),
                Some("Please correct the name.".into()),
            );
            return page(
                &state,
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                Redo::Add(Box::new(view)),
            )
            .await;
        }
    };
    flash::success(
        &session,
        format!(
            "Cloud account “{}” added; {} accepted its token (…{}).",
            row.name,
            provider.api_name(),
            row.token_last4
        ),
    );
    Ok(redirect(&org.href("cloud_accounts")))
}

async fn load(tenant: &Tenant<'_>, account_id: i64) -> AppResult<CloudAccountRow> {
    tenant.account(account_id).await?.ok_or(AppError::NotFound)
}

async fn replace_token(
    state: web::Data<AppState>,
    session: Session,
    org: OrgCtx,
    path: web::Path<(String, i64)>,
    form: web::Form<CredentialsForm>,
) -> AppResult<HttpResponse> {
    let tenant = org
        .require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
        .await?;
    let account_id = path.into_inner().1;
    let row = load(&tenant, account_id).await?;
    // The account's own provider, whatever the form says: credentials of
    // another kind never replace an account's.
    let provider = Provider::parse(&row.provider).ok_or_else(|| {
        AppError::BadRequest("This cloud account is of a kind this panel cannot change.".into())
    })?;
    let form = form.into_inner();
    let redo = |errors: CredentialErrors| {
        let base_url = form.base_url.trim().to_owned();
        let project_id = form.project_id.trim().to_owned();
        let location = form.location.trim().to_owned();
        Redo::Account(
            account_id,
            Box::new(move |v: &mut AccountView| {
                v.token_base_url = base_url;
                v.token_project_id = project_id;
                v.token_location = location;
                v.errors = errors;
            }),
        )
    };
    let (base_url, credentials) = match parse_credentials(provider, &form) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return page(&state, &org, StatusCode::UNPROCESSABLE_ENTITY, redo(errors)).await;
        }
    };
    let attempt = || {
        NewEvent::new("cloud_account.replace_token", Outcome::Failed)
            .target("cloud_account", row.id, &row.name)
            .cloud_account(row.id)
            .details(json!({ "base_url": base_url.as_str() }))
    };
    // The base URL it already has stays usable, whoever set it.
    if base_url.as_str() != row.base_url
        && let Err(message) = check_base_url_allowed(&state, &org, &base_url)
    {
        record_refused_base_url(&tenant, attempt()).await?;
        let errors = CredentialErrors {
            base_url: Some(message.to_owned()),
            ..CredentialErrors::default()
        };
        return page(&state, &org, StatusCode::UNPROCESSABLE_ENTITY, redo(errors)).await;
    }
    if let Err(problem) = verify(&state, &base_url, &credentials).await {
        record_refused_token(&tenant, attempt(), &problem).await?;
        let errors = CredentialErrors {
            token: Some(problem.message()),
            ..CredentialErrors::default()
        };
        return page(&state, &org, StatusCode::UNPROCESSABLE_ENTITY, redo(errors)).await;
    }
    // The new token may open another account: its budget and cache start afresh.
    let Some(last_four) = tenant
        .replace_account_token(&row, &base_url, &credentials)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    flash::success(
        &session,
        format!(
            "The token of “{}” was replaced (now …{last_four}) and accepted by {}.",
            row.name,
            provider.api_name()
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
