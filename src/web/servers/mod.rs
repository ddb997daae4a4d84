//! `/o/{slug}/servers`: the flagship pages. Every server operation of the
//! Cloud Panel, each behind its exact permission flag, audited as a pair of
//! events (requested, then the outcome), answered with a flash message.

mod actions;
mod create;
mod detail;
mod list;
mod view;

use actix_session::Session;
use actix_web::web;

use crate::cloudpanel::AccountClient;
use crate::cloudpanel::{AccountKey, CloudError};
use crate::db::accounts::{self, CloudAccountRow};
use crate::error::{AppError, AppResult};
use crate::startup::AppState;
use crate::web::org::{Allowed, OrgCtx};

pub use view::{ServerRow, format_gb};

/// Every server route, in registration order (literal segments before `{id}`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/servers", get().to(list::page))
        .route("/o/{slug}/servers", post().to(create::submit))
        .route("/o/{slug}/servers/new", get().to(create::form))
        .route("/o/{slug}/servers/{id}", get().to(detail::page))
        .route("/o/{slug}/servers/{id}/row", get().to(list::row))
        .route("/o/{slug}/servers/{id}/status", get().to(detail::status))
        .route("/o/{slug}/servers/{id}/rename", post().to(actions::rename))
        .route("/o/{slug}/servers/{id}/power", post().to(actions::power))
        .route(
            "/o/{slug}/servers/{id}/hardware",
            post().to(actions::resize),
        )
        .route("/o/{slug}/servers/{id}/hdds", post().to(actions::add_hdd))
        .route(
            "/o/{slug}/servers/{id}/hdds/{hdd_id}/resize",
            post().to(actions::resize_hdd),
        )
        .route(
            "/o/{slug}/servers/{id}/hdds/{hdd_id}/delete",
            post().to(actions::remove_hdd),
        )
        .route(
            "/o/{slug}/servers/{id}/image",
            post().to(actions::reinstall),
        )
        .route("/o/{slug}/servers/{id}/ips", post().to(actions::add_ip))
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/delete",
            post().to(actions::remove_ip),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/firewall",
            post().to(actions::ip_firewall),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers",
            post().to(actions::ip_add_lb),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers/{lb_id}/delete",
            post().to(actions::ip_remove_lb),
        )
        .route(
            "/o/{slug}/servers/{id}/private_networks",
            post().to(actions::attach_network),
        )
        .route(
            "/o/{slug}/servers/{id}/private_networks/{network_id}/delete",
            post().to(actions::detach_network),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots",
            post().to(actions::create_snapshot),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/restore",
            post().to(actions::restore_snapshot),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/delete",
            post().to(actions::delete_snapshot),
        )
        .route("/o/{slug}/servers/{id}/dvd", post().to(actions::load_dvd))
        .route(
            "/o/{slug}/servers/{id}/dvd/eject",
            post().to(actions::eject_dvd),
        )
        .route("/o/{slug}/servers/{id}/clone", post().to(actions::clone))
        .route("/o/{slug}/servers/{id}/delete", post().to(actions::delete));
}

/// The selected cloud account of a page and its Cloud Panel client.
pub struct Upstream {
    pub account: CloudAccountRow,
    /// Every account of the organisation, for the switcher.
    pub accounts: Vec<CloudAccountRow>,
    pub client: AccountClient,
}

fn session_key(org_id: i64) -> String {
    format!("cloud_account.{org_id}")
}

/// Opens the organisation's selected cloud account: `requested` (from the
/// switcher) is remembered in the session; otherwise the remembered one, or
/// the organisation's default.
pub async fn connect(
    state: &AppState,
    ctx: &OrgCtx,
    allowed: &Allowed,
    session: &Session,
    requested: Option<i64>,
) -> AppResult<Upstream> {
    open_upstream(state, allowed, session, requested)
        .await
        .map_err(|e| e.in_page(&ctx.page))
}

async fn open_upstream(
    state: &AppState,
    allowed: &Allowed,
    session: &Session,
    requested: Option<i64>,
) -> AppResult<Upstream> {
    let key = session_key(allowed.org_id());
    let remembered = session.get::<i64>(&key).ok().flatten();
    let (row, token) = match (requested, remembered) {
        (Some(id), _) => crate::web::accounts::open_account_token(state, allowed, Some(id)).await?,
        (None, Some(id)) => {
            match crate::web::accounts::open_account_token(state, allowed, Some(id)).await {
                Ok(opened) => opened,
                // The remembered account was deleted: fall back to the default.
                Err(AppError::NotFound) => {
                    crate::web::accounts::open_account_token(state, allowed, None).await?
                }
                Err(e) => return Err(e),
            }
        }
        (None, None) => crate::web::accounts::open_account_token(state, allowed, None).await?,
    };
    if requested.is_some() {
        let _ = session.insert(&key, row.id);
    }
    let accounts = accounts::list(&state.db, allowed.org_id()).await?;
    let client = state.cloud.account(AccountKey::new(
        row.id,
        row.base_url.clone(),
        token.expose(),
    ));
    Ok(Upstream {
        account: row,
        accounts,
        client,
    })
}

/// A read failed: the page says so in its own words (never a raw error page).
pub fn read_problem(what: &str, e: &CloudError) -> String {
    format!("Could not load {what}: {}", e.user_message())
}

/// Server ids travel in URLs: only the API's id alphabet is accepted, so a
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

/// Where a page of this area lives.
pub fn server_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("servers/{id}"))
}
