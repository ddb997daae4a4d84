//! The context every page template receives: who is signed in, the CSRF
//! token for its forms, flash messages and the navigation.
//!
//! Building one from a request is in [`crate::web::page_build`].

use askama::Template;

use crate::web::flash::Flash;

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
    /// A form of this page that came back with what was typed.
    pub kept: Option<crate::web::flash::Kept>,
    /// The organisation of the page, when it is an organisation page.
    pub org: Option<crate::db::orgs::Organisation>,
    /// Organisations the user belongs to, for the switcher.
    pub orgs: std::sync::Arc<[crate::db::orgs::Organisation]>,
    /// Navigation entries the user may open (already filtered by permission),
    /// shared by every page with the same organisation and permissions.
    pub nav: std::sync::Arc<Menu>,
    /// Requests of the organisation waiting for a decision this member may
    /// take (the header's badge).
    pub approvals_waiting: usize,
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

    /// What a field of a page's form shows: what was typed when that form
    /// came back, else `current`.
    pub fn typed<'a>(&'a self, form: &str, field: &str, current: &'a str) -> &'a str {
        match &self.kept {
            Some(kept) => kept.value(form, field, current),
            None => current,
        }
    }

    /// The message beside a field of a page's form that came back.
    pub fn field_error(&self, form: &str, field: &str) -> Option<&str> {
        self.kept.as_ref().and_then(|k| k.error(form, field))
    }

    pub fn org_slug(&self) -> &str {
        self.org.as_ref().map_or("", |o| o.slug.as_str())
    }
}
