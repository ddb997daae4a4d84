//! The context every page template receives: who is signed in, the CSRF
//! token for its forms, flash messages and the navigation.

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;

use crate::app_state::AppState;
use crate::db::users::User;
use crate::web::csrf;
use crate::web::error::AppError;
use crate::web::flash::{self, Flash};

/// The signed-in user as the layout shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub is_instance_admin: bool,
}

/// One entry of the navigation bar.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub key: &'static str,
    pub label: &'static str,
    pub href: String,
    /// The side menu's group heading ("Storages"), empty for none.
    pub group: &'static str,
}

/// What a page shows of its request, built once per request.
#[derive(Debug, Clone, Default)]
pub struct PageData {
    pub user: Option<NavUser>,
    pub csrf_token: String,
    pub flashes: Vec<Flash>,
    /// The organisation of the page, when it is an organisation page.
    pub org: Option<crate::db::orgs::Organisation>,
    /// Organisations the user belongs to, for the switcher.
    pub orgs: std::sync::Arc<[crate::db::orgs::Organisation]>,
    /// Navigation entries the user may open (already filtered by permission),
    /// shared by every page with the same organisation and permissions.
    pub nav: std::sync::Arc<Menu>,
}

/// An organisation's side menu for one set of permissions: its entries
/// and, made on first use, its HTML with each entry current in turn. Every
/// page shows it, and escaping twenty links on every page cost more than
/// the rest of the layout.
#[derive(Debug, Default)]
pub struct Menu {
    pub links: Vec<NavLink>,
    /// By the current entry's place in `links`; the last has none current.
    html: Vec<std::sync::OnceLock<String>>,
}

#[derive(Template)]
#[template(path = "partials/side_menu.html")]
struct SideMenu<'a> {
    links: &'a [NavLink],
    /// The place of the current entry; `links.len()` for none.
    current: usize,
}

impl SideMenu<'_> {
    /// The group heading to show before the `i`th entry: where a group begins.
    fn group_starting_at(&self, i: usize) -> Option<&'static str> {
        let group = self.links.get(i)?.group;
        let previous = i
            .checked_sub(1)
            .and_then(|p| self.links.get(p))
            .map(|l| l.group);
        (!group.is_empty() && previous != Some(group)).then_some(group)
    }
}

impl Menu {
    pub fn new(links: Vec<NavLink>) -> Self {
        let html = (0..=links.len()).map(|_| Default::default()).collect();
        Self { links, html }
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The menu's HTML with the entry `section` current.
    fn html(&self, section: &str) -> &str {
        let current = self
            .links
            .iter()
            .position(|l| l.key == section)
            .unwrap_or(self.links.len());
        let Some(cell) = self.html.get(current) else {
            return "";
        };
        cell.get_or_init(|| {
            SideMenu {
                links: &self.links,
                current,
            }
            .render()
            .unwrap_or_else(|e| {
                // Writing into a string does not fail; should it, the page
                // goes out without its menu rather than not at all.
                tracing::error!(error = %e, "could not render the side menu");
                String::new()
            })
        })
    }
}

/// The context every page template receives. Handlers copy it to set the
/// active section; the copies share one [`PageData`] rather than copying
/// every string of it on each page.
#[derive(Debug, Clone, Default)]
pub struct PageCtx {
    data: std::sync::Arc<PageData>,
    /// The `key` of the active navigation entry.
    pub section: &'static str,
}

impl From<PageData> for PageCtx {
    fn from(data: PageData) -> Self {
        Self {
            data: std::sync::Arc::new(data),
            section: "",
        }
    }
}

impl std::ops::Deref for PageCtx {
    type Target = PageData;

    fn deref(&self) -> &PageData {
        &self.data
    }
}

/// Filled in while the request is extracted, before any copy is made; a
/// change to a shared one copies it first.
impl std::ops::DerefMut for PageCtx {
    fn deref_mut(&mut self) -> &mut PageData {
        std::sync::Arc::make_mut(&mut self.data)
    }
}

impl PageCtx {
    /// A context with no user and no forms: for error pages rendered outside a handler.
    pub fn bare() -> Self {
        Self::default()
    }

    pub fn with_section(mut self, section: &'static str) -> Self {
        self.section = section;
        self
    }

    /// The side menu's HTML, with this page's section current.
    pub fn side_menu(&self) -> &str {
        self.nav.html(self.section)
    }

    pub fn is_active(&self, key: &str) -> bool {
        self.section == key
    }

    pub fn org_slug(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.slug.as_str())
    }
}

/// Loads the signed-in user from the session; a user who was disabled or
/// deleted meanwhile has their session ended.
pub async fn session_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<std::sync::Arc<User>>, AppError> {
    let Ok(Some(user_id)) = session.get::<i64>(crate::db::sessions::USER_ID_KEY) else {
        return Ok(None);
    };
    match state.people.user(state.raw_db(), user_id).await? {
        Some(user) if !user.disabled => Ok(Some(user)),
        _ => {
            session.purge();
            Ok(None)
        }
    }
}

pub(crate) fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state is missing")))
}

/// Builds the page context for a request and, when known, its user.
pub async fn build(
    state: &AppState,
    req: &HttpRequest,
    user: Option<&User>,
) -> Result<PageCtx, AppError> {
    let session = req.get_session();
    let mut page = PageCtx::from(PageData {
        user: user.map(|u| NavUser {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            is_instance_admin: u.is_instance_admin,
        }),
        csrf_token: csrf::token(&session),
        flashes: flash::take(&session),
        ..PageData::default()
    });
    if let Some(user) = user {
        crate::web::nav::fill(state, &mut page, user).await?;
    }
    Ok(page)
}

impl FromRequest for PageCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_state(&req)?;
            let user = session_user(&state, &req.get_session()).await?;
            build(&state, &req, user.as_deref()).await
        })
    }
}
