//! What every page of a cloud resource shares: the cloud account the
//! address names (`?account=ID`), ids from URLs and forms, select options,
//! list search and paging, state badges, refreshing fragments, and the one
//! audited path of a remote change.

mod bulk_card;
mod change;
mod choices;
mod edit;
mod family;
mod form;
mod listing;
pub(in crate::web) mod loading;
mod state;

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use crate::cloudpanel::{AccountClient, CloudError};
use crate::rbac::Permission;
use crate::tenant::{AccountList, CloudAccount, CloudAccountRow, OpenError, Provider, Tenant};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::render;

pub use bulk_card::BulkCard;
pub use change::{Act, Change, Named, Target, Then, create, queued, recorded};
pub use choices::{Choice, Choices, attached, options};
pub use edit::{
    Changed, Editable, Form, Frame, May, NameFlags, Names, check_names, checked_names, edit_form,
    save_edit,
};
pub use family::{
    Deletable, Family, HasStatus, ListPage, Listed, Object, Templates, current_row, delete,
    list_page, row_fragment, status_fragment,
};
pub use form::{
    FieldErrors, among, api_field_errors, api_field_errors_from, check_typed_name, form_problem,
    form_problem_from,
};
pub use listing::{
    ListParams, ListView, Listing, Loaded, PER_PAGE, SortOption, chosen_sort, list, list_in_order,
};
pub use loading::loading;
pub use state::{StateBadge, badge_class, state_label};

/// `?account=ID` on every cloud address: the cloud account a page shows
/// and a form acts on, so two tabs on two accounts never mix them up.
#[derive(Deserialize, Default)]
pub struct AccountParam {
    #[serde(default)]
    account: String,
}

impl AccountParam {
    /// The named account; an account that is not a number is an unknown address.
    fn id(&self) -> AppResult<Option<i64>> {
        let raw = self.account.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse::<i64>().map(Some).map_err(|_| AppError::NotFound)
    }

    /// An account chosen elsewhere (the list's switcher).
    pub fn named(id: Option<i64>) -> Self {
        Self {
            account: id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    /// The same account named on another address (empty when none was).
    pub fn query(&self) -> String {
        match self.id() {
            Ok(Some(id)) => account_query(id),
            _ => String::new(),
        }
    }
}

/// Which account a request without `?account=` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The one this member last chose on the list (pages they look at).
    Remembered,
    /// The organisation's default (a form that named none acts on no
    /// remembered choice: the session may have moved on in another tab).
    Default,
}

/// The cloud account a page works with, open, and its Cloud Panel client.
pub struct Upstream {
    pub account: CloudAccount,
}

impl Upstream {
    pub fn client(&self) -> &AccountClient {
        &self.account.client
    }

    /// The API's name in a sentence: "the Cloud Panel", "E2E Networks".
    pub fn api_name(&self) -> &'static str {
        self.account.client.api_name()
    }

    /// For the fragments a page's script asks for again while rows are in
    /// transition: their reads go after members' pages and refreshes.
    pub fn polling(mut self) -> Self {
        self.account.client = self.account.client.polling();
        self
    }

    pub fn row(&self) -> &CloudAccountRow {
        &self.account.row
    }

    /// The query that names this account on every address a page links to.
    pub fn query(&self) -> String {
        account_query(self.account.row.id)
    }

    /// An address inside the organisation on this account:
    /// `href(ctx, "block_storages")` is `/o/{slug}/block_storages?account=ID`.
    pub fn href(&self, ctx: &OrgCtx, rest: &str) -> String {
        let mut href = ctx.href(rest);
        push_account_query(&mut href, self.account.row.id);
        href
    }

    /// The servers list of this account.
    pub fn list_href(&self, ctx: &OrgCtx) -> String {
        self.href(ctx, "servers")
    }

    /// A server's page on this account.
    pub fn server_href(&self, ctx: &OrgCtx, id: &str) -> String {
        self.href(ctx, &format!("servers/{id}"))
    }
}

/// `?account=ID`: how every cloud address names its cloud account.
pub fn account_query(id: i64) -> String {
    let mut query = String::with_capacity(32);
    push_account_query(&mut query, id);
    query
}

fn push_account_query(into: &mut String, id: i64) {
    use std::fmt::Write;
    into.push_str("?account=");
    let _ = write!(into, "{id}");
}

/// The account a member last chose, one per provider: the servers page and
/// the nodes page each keep their own.
fn session_key(org_id: i64, provider: Option<Provider>) -> String {
    match provider {
        None | Some(Provider::CloudPanel) => format!("cloud_account.{org_id}"),
        Some(other) => format!("cloud_account.{org_id}.{}", other.key()),
    }
}

/// Opens the account the request names, or else the fallback. Naming an
/// account on the list remembers it for the next page without one.
pub async fn connect(
    ctx: &OrgCtx,
    tenant: &Tenant<'_>,
    session: &Session,
    param: &AccountParam,
    fallback: Fallback,
) -> AppResult<Upstream> {
    open_upstream(ctx, tenant, session, param, fallback)
        .await
        .map_err(|e| e.in_page(&ctx.page))
}

/// The account a page with an account switcher shows (the one its address
/// names, else the one the member last chose), behind `permission`, and the
/// accounts to switch to.
pub async fn open_switchable(
    ctx: &OrgCtx,
    session: &Session,
    permission: Permission,
    account: &AccountParam,
) -> AppResult<(Upstream, AccountList)> {
    let tenant = ctx.require(permission).await?;
    let up = connect(ctx, &tenant, session, account, Fallback::Remembered).await?;
    Ok((up, tenant.accounts().await?))
}

async fn open_upstream(
    ctx: &OrgCtx,
    tenant: &Tenant<'_>,
    session: &Session,
    param: &AccountParam,
    fallback: Fallback,
) -> AppResult<Upstream> {
    let key = session_key(ctx.org().id, tenant.cloud_provider());
    let named = param.id()?;
    let account = match (named, fallback) {
        (Some(id), _) => tenant.cloud(Some(id)).await,
        (None, Fallback::Remembered) => match session.get::<i64>(&key).ok().flatten() {
            // A remembered account that was deleted falls back to the default.
            Some(id) => match tenant.cloud(Some(id)).await {
                Err(OpenError::NotFound | OpenError::OtherProvider { .. }) => {
                    tenant.cloud(None).await
                }
                other => other,
            },
            None => tenant.cloud(None).await,
        },
        (None, Fallback::Default) => tenant.cloud(None).await,
    };
    let account = account.map_err(open_error)?;
    // Written only when it changes: a session write is a database write, and
    // most views name the account they already remember.
    if named.is_some()
        && fallback == Fallback::Remembered
        && session.get::<i64>(&key).ok().flatten() != Some(account.row.id)
    {
        let _ = session.insert(&key, account.row.id);
    }
    Ok(Upstream { account })
}

fn open_error(error: OpenError) -> AppError {
    match error {
        OpenError::NoAccount {
            of: Provider::CloudPanel,
        } => AppError::BadRequest(
            "This organisation has no cloud account yet. Someone who may manage cloud \
             accounts adds one under Cloud accounts."
                .into(),
        ),
        OpenError::NoAccount { of } => AppError::BadRequest(format!(
            "This organisation has no {} account yet. Someone who may manage cloud \
             accounts adds one under Cloud accounts.",
            of.title()
        )),
        OpenError::NotFound => AppError::NotFound,
        OpenError::UnknownProvider(kind) => AppError::BadRequest(format!(
            "This cloud account is of a kind ({kind}) this panel cannot open."
        )),
        OpenError::OtherProvider { is, wanted } => AppError::BadRequest(format!(
            "This cloud account is an {is} account; this page shows {wanted} accounts. \
             Choose one of those in the account switcher."
        )),
        OpenError::Failed(e) => e.into(),
    }
}

/// A read failed: the page says so in its own words (never a raw error
/// page); a read waiting for the budget is not a failure.
pub fn read_problem(what: &str, e: &CloudError) -> String {
    read_problem_from(what, e, "the Cloud Panel")
}

/// [`read_problem`] for an account of the API named `api` (`Upstream::api_name`).
pub fn read_problem_from(what: &str, e: &CloudError, api: &str) -> String {
    match e {
        CloudError::RateLimited { retry_after_secs } => {
            format!(
                "{} It fills in in about {retry_after_secs} s.",
                loading(what)
            )
        }
        other => format!("Could not load {what}: {}", other.user_message_for(api)),
    }
}

/// Cloud Panel ids travel in URLs: only the API's id alphabet is accepted, so a
/// typed URL can never smuggle a path into the upstream request.
pub fn check_id(raw: &str) -> AppResult<&str> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok { Ok(raw) } else { Err(AppError::NotFound) }
}

/// An id chosen in a select: `None` when nothing was chosen; anything that
/// is not an id is refused like an unknown address.
pub fn chosen_id(raw: &str) -> AppResult<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    check_id(raw).map(|id| Some(id.to_owned()))
}

/// One object read for its page: a missing one is the page's 404, any other
/// failure says what could not be read (`what`: "this VPN"), in the page's layout.
pub fn found<T>(
    ctx: &OrgCtx,
    what: &str,
    result: Result<crate::cloudpanel::Fetched<T>, CloudError>,
) -> AppResult<crate::cloudpanel::Fetched<T>> {
    found_from(ctx, "the Cloud Panel", what, result)
}

/// [`found`] for an account of the API named `api` (`Upstream::api_name`).
pub fn found_from<T>(
    ctx: &OrgCtx,
    api: &str,
    what: &str,
    result: Result<crate::cloudpanel::Fetched<T>, CloudError>,
) -> AppResult<crate::cloudpanel::Fetched<T>> {
    match result {
        Ok(fetched) => Ok(fetched),
        Err(CloudError::NotFound { .. }) => Err(AppError::NotFound.in_page(&ctx.page)),
        Err(e) => Err(AppError::cloud_from(what, &e, api).in_page(&ctx.page)),
    }
}

/// `Berlin (DE)`, or as much of it as the API gave.
pub fn datacenter_label(dc: &crate::cloudpanel::common::DatacenterRef) -> String {
    match (dc.location.is_empty(), dc.country_code.is_empty()) {
        (false, false) => format!("{} ({})", dc.location, dc.country_code),
        (false, true) => dc.location.clone(),
        (true, false) => dc.country_code.clone(),
        (true, true) => String::new(),
    }
}

/// An HTML fragment for the page's script; marked so the script never swaps
/// in a whole page (for instance the sign-in page after a session expired).
pub fn fragment(template: &impl Template) -> AppResult<HttpResponse> {
    let mut response = render(StatusCode::OK, template)?;
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("x-fragment"),
        actix_web::http::header::HeaderValue::from_static("1"),
    );
    Ok(response)
}
