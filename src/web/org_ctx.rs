//! The single enforcement point for organisation pages.
//!
//! Every page under `/o/{slug}/` takes an [`OrgCtx`]: it resolves the
//! organisation from the path, the signed-in user and their membership and
//! role. A nonexistent organisation and one the user does not belong to give
//! the same 404 page, so existence does not leak.
//!
//! The organisation's rows are reached only through a [`Tenant`] handle:
//! [`OrgCtx::require`] checks a permission and hands one out, bound to the
//! organisation and that permission; [`OrgCtx::as_member`] hands out one for
//! what every member may see. A refusal renders the 403 page and writes an
//! audit event with outcome `denied`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde_json::json;

use crate::app_state::AppState;
use crate::db::orgs::Organisation;
use crate::db::users::User;
use crate::rbac::{Permission, perms};
use crate::tenant::{Actor, Membership, RoleRow, Tenant};
use crate::web::error::AppError;
use crate::web::extract::CurrentUser;
use crate::web::page::{Menu, NavLink, PageCtx};

/// A navigation entry of organisation pages and what it needs.
struct NavEntry {
    key: &'static str,
    label: &'static str,
    /// The side menu's group heading, empty for none.
    group: &'static str,
    /// Appended to `/o/{slug}/`.
    path: &'static str,
    needs: Option<Permission>,
}

const NAV: &[NavEntry] = &[
    NavEntry {
        key: "org_home",
        label: "Overview",
        group: "",
        path: "",
        needs: None,
    },
    NavEntry {
        key: "servers",
        label: "Servers",
        group: "Compute",
        path: "servers",
        needs: Some(perms::SERVERS_SHOW),
    },
    NavEntry {
        key: "images",
        label: "Images",
        group: "Compute",
        path: "images",
        needs: Some(perms::IMAGES_SHOW),
    },
    NavEntry {
        key: "ssh_keys",
        label: "SSH keys",
        group: "Compute",
        path: "ssh_keys",
        needs: Some(perms::SSH_KEYS_SHOW),
    },
    NavEntry {
        key: "catalogue",
        label: "Catalogue",
        group: "Compute",
        path: "catalogue",
        // What servers are built from: datacenters, images, sizes.
        needs: Some(perms::SERVERS_SHOW),
    },
    NavEntry {
        key: "block_storages",
        label: "Block storages",
        group: "Storages",
        path: "block_storages",
        needs: Some(perms::BLOCK_STORAGES_SHOW),
    },
    NavEntry {
        key: "shared_storages",
        label: "Shared storages",
        group: "Storages",
        path: "shared_storages",
        needs: Some(perms::SHARED_STORAGES_SHOW),
    },
    NavEntry {
        key: "private_networks",
        label: "Private networks",
        group: "Networks",
        path: "private_networks",
        needs: Some(perms::PRIVATE_NETWORK_SHOW),
    },
    NavEntry {
        key: "public_ips",
        label: "Public IPs",
        group: "Networks",
        path: "public_ips",
        needs: Some(perms::PUBLIC_IPS_SHOW),
    },
    NavEntry {
        key: "firewall_policies",
        label: "Firewall policies",
        group: "Networks",
        path: "firewall_policies",
        needs: Some(perms::FIREWALL_POLICIES_SHOW),
    },
    NavEntry {
        key: "load_balancers",
        label: "Load balancers",
        group: "Networks",
        path: "load_balancers",
        needs: Some(perms::LOAD_BALANCERS_SHOW),
    },
    NavEntry {
        key: "vpns",
        label: "VPNs",
        group: "Networks",
        path: "vpns",
        needs: Some(perms::VPN_SHOW),
    },
    NavEntry {
        key: "monitoring",
        label: "Monitoring",
        group: "Monitoring",
        path: "monitoring",
        needs: Some(perms::MONITORING_CENTER_SHOW),
    },
    NavEntry {
        key: "monitoring_policies",
        label: "Monitoring policies",
        group: "Monitoring",
        path: "monitoring_policies",
        needs: Some(perms::MONITORING_POLICIES_SHOW),
    },
    NavEntry {
        key: "e2e_nodes",
        label: "Nodes",
        group: "E2E Networks",
        path: "e2e_nodes",
        needs: Some(perms::E2E_NODES_SHOW),
    },
    NavEntry {
        key: "e2e_images",
        label: "Saved images",
        group: "E2E Networks",
        path: "e2e_images",
        needs: Some(perms::E2E_IMAGES_SHOW),
    },
    NavEntry {
        key: "e2e_catalogue",
        label: "Plans and images",
        group: "E2E Networks",
        path: "e2e_catalogue",
        // What nodes are made of, as the create page reads it.
        needs: Some(perms::E2E_NODES_SHOW),
    },
    NavEntry {
        key: "usage",
        label: "Usage & cost",
        group: "Cloud account",
        path: "usage",
        needs: Some(perms::USAGES_SHOW),
    },
    NavEntry {
        key: "cloud_users",
        label: "Cloud users",
        group: "Cloud account",
        path: "cloud_users",
        needs: Some(perms::USERS_SHOW),
    },
    NavEntry {
        key: "cloud_roles",
        label: "Cloud roles",
        group: "Cloud account",
        path: "cloud_roles",
        needs: Some(perms::ROLES_SHOW),
    },
    NavEntry {
        key: "logs",
        label: "Cloud Panel logs",
        group: "Cloud account",
        path: "logs",
        needs: Some(perms::LOGS_SHOW),
    },
    NavEntry {
        key: "roles",
        label: "Roles & permissions",
        group: "Organisation",
        path: "roles",
        needs: None,
    },
    NavEntry {
        key: "members",
        label: "Members",
        group: "Organisation",
        path: "members",
        needs: None,
    },
    NavEntry {
        key: "api_tokens",
        label: "API tokens",
        group: "Organisation",
        path: "api_tokens",
        needs: Some(perms::ORGANISATION_MANAGE_MEMBERS),
    },
    NavEntry {
        key: "cloud_accounts",
        label: "Cloud accounts",
        group: "Organisation",
        path: "cloud_accounts",
        // Every member may see which accounts exist (names, last four characters).
        needs: None,
    },
    NavEntry {
        key: "webhooks",
        label: "Webhooks",
        group: "Organisation",
        path: "webhooks",
        needs: Some(perms::ORGANISATION_MANAGE_WEBHOOKS),
    },
    NavEntry {
        key: "approvals",
        label: "Approvals",
        group: "Organisation",
        path: "approvals",
        // A member who asked sees their request there, whatever their role.
        needs: None,
    },
    NavEntry {
        key: "queue",
        label: "Queue",
        group: "Organisation",
        path: "queue",
        // A member who queued a change sees it there, whatever their role.
        needs: None,
    },
    NavEntry {
        key: "schedules",
        label: "Schedules",
        group: "Organisation",
        path: "schedules",
        needs: Some(perms::SERVERS_SHOW),
    },
    NavEntry {
        key: "audit",
        label: "Audit log",
        group: "Organisation",
        path: "audit",
        needs: Some(perms::ORGANISATION_VIEW_AUDIT),
    },
];

/// A menu by organisation address and the mask of entries allowed.
type Menus = HashMap<(String, u32), Arc<Menu>>;

/// Side menus already built, by organisation address and the entries the
/// member may open: every page shows one, and building it cost a string per
/// entry on every request. Nothing else goes into a menu, so an entry is
/// never out of date; a renamed organisation's old ones go at the cap.
static NAVS: LazyLock<Mutex<Menus>> = LazyLock::new(Mutex::default);

/// Menus kept at most; beyond that the map starts afresh.
const NAVS_KEPT: usize = 1000;

/// The side menu of organisation `slug` for `member`.
fn nav_for(slug: &str, member: &Membership) -> Arc<Menu> {
    const _: () = assert!(NAV.len() <= 32, "the menu mask has 32 bits");
    let allowed = NAV
        .iter()
        .enumerate()
        .filter(|(_, entry)| entry.needs.is_none_or(|p| member.can(p)))
        .fold(0u32, |mask, (i, _)| mask | 1 << i);
    let key = (slug.to_owned(), allowed);
    if let Some(nav) = NAVS.lock().ok().and_then(|navs| navs.get(&key).cloned()) {
        return nav;
    }
    let nav = Arc::new(Menu::new(
        NAV.iter()
            .enumerate()
            .filter(|(i, _)| allowed & (1 << i) != 0)
            .map(|(_, entry)| NavLink {
                key: entry.key,
                label: entry.label,
                href: format!("/o/{slug}/{}", entry.path),
                group: entry.group,
            })
            .collect(),
    ));
    if let Ok(mut navs) = NAVS.lock() {
        if navs.len() >= NAVS_KEPT {
            navs.clear();
        }
        navs.insert(key, nav.clone());
    }
    nav
}

/// A signed-in member on one of their organisation's pages.
pub struct OrgCtx {
    pub user: std::sync::Arc<User>,
    /// Already carries `org`, `orgs` and the navigation this member may open.
    pub page: PageCtx,
    member: Membership,
    state: web::Data<AppState>,
    /// Who acts: its audit context is made on first use, since most views
    /// neither change anything nor are refused.
    actor: Actor,
    /// The request, for what a refusal records (its method and path).
    req: HttpRequest,
    two_factor_required: bool,
}

impl OrgCtx {
    /// Checks a permission. Passed: the handle to the organisation's rows,
    /// bound to it. Refused: an audit event with outcome `denied` and the
    /// 403 page naming the missing permission.
    pub async fn require(&self, permission: Permission) -> Result<Tenant<'_>, AppError> {
        let attempt = || json!({ "method": self.req.method().as_str(), "path": self.req.path() });
        self.state
            .door
            .require(&self.member, &self.actor, permission, attempt)
            .await
            .map_err(|refused| {
                let permission = refused.permission;
                AppError::Forbidden(format!(
                    "You need the permission “{}” ({permission}) for this. Ask an Owner of {} for a role that has it.",
                    permission.title(),
                    self.member.org().name
                ))
                .in_page(&self.page)
            })
    }

    /// The handle for what every member may see: members, roles, which
    /// cloud accounts exist.
    pub fn as_member(&self) -> Tenant<'_> {
        self.state.door.as_member(&self.member, &self.actor)
    }

    /// Whether the member holds a permission: for hiding what they may not do.
    pub fn can(&self, permission: Permission) -> bool {
        self.member.can(permission)
    }

    pub fn org(&self) -> &Organisation {
        self.member.org()
    }

    pub fn role(&self) -> &RoleRow {
        self.member.role()
    }

    /// Whether the organisation requires its members to sign in with a second factor.
    pub fn two_factor_required(&self) -> bool {
        self.two_factor_required
    }

    pub fn slug(&self) -> &str {
        &self.member.org().slug
    }

    /// An address inside the organisation: `href("members")` is `/o/{slug}/members`.
    pub fn href(&self, rest: &str) -> String {
        // Pushed rather than formatted: pages make several per view.
        let slug = self.slug();
        let mut href = String::with_capacity(4 + slug.len() + rest.len() + 16);
        href.push_str("/o/");
        href.push_str(slug);
        href.push('/');
        href.push_str(rest);
        href
    }
}

impl FromRequest for OrgCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            // Awaited in this future rather than as an extractor of its
            // own, which would box a second future per page.
            let CurrentUser { user, mut page } = CurrentUser::of(&req).await?;
            let state = crate::web::page_build::app_state(&req)?;
            let Some(slug) = req.match_info().get("slug").map(str::to_owned) else {
                return Err(AppError::NotFound);
            };
            // Unknown organisation and not a member: the same answer.
            let Some(member) = state.door.membership(&slug, user.id).await? else {
                return Err(AppError::NotFound);
            };
            let org = member.org();
            // An organisation that requires a second factor is closed to a
            // member without one until they set it up.
            let two_factor = state
                .people
                .two_factor(state.raw_db(), org.id, user.id)
                .await?;
            // A sign-in whose identity provider reported a second factor
            // meets the requirement too.
            let second_factor_at_provider = req
                .get_session()
                .get::<bool>(crate::db::sessions::PROVIDER_SECOND_FACTOR_KEY)
                .ok()
                .flatten()
                .unwrap_or(false);
            if two_factor.blocks() && !second_factor_at_provider {
                crate::web::flash::info(
                    &req.get_session(),
                    format!(
                        "{} requires two-factor sign-in. Set it up to open its pages.",
                        org.name
                    ),
                );
                return Err(AppError::TwoFactorRequired);
            }
            page.org = Some(org.clone());
            page.nav = nav_for(&org.slug, &member);

            let actor = {
                let (req, user) = (req.clone(), user.clone());
                Actor::new(Some(org.id), move || {
                    crate::web::audit_ctx(&req, None, Some(&user))
                })
            };
            // Only a member who may approve something asks the database.
            if crate::tenant::ApprovalKind::ALL
                .iter()
                .any(|k| member.can(k.permission()))
            {
                page.approvals_waiting = state
                    .door
                    .as_member(&member, &actor)
                    .approvals_waiting_for_me()
                    .await?;
            }
            Ok(Self {
                user,
                page,
                member,
                state,
                actor,
                req,
                two_factor_required: two_factor.required,
            })
        })
    }
}
