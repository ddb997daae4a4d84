//! The single enforcement point for organisation pages.
//!
//! Every page under `/o/{slug}/` takes an [`OrgCtx`]: it resolves the
//! organisation from the path, the signed-in user and their membership and
//! role. A nonexistent organisation and one the user does not belong to give
//! the same 404 page, so existence does not leak.
//!
//! Reaching tenant data that needs a permission goes through
//! [`OrgCtx::require`], which returns an [`Allowed`] handle carrying the
//! organisation id and the checked permission. `Allowed` can only be made by
//! `require`, and tenant functions for guarded data take it, so a handler
//! cannot reach that data without the check. A refusal renders the 403 page
//! and writes an audit event with outcome `denied`.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde_json::json;

use crate::audit::{self, AuditCtx, NewEvent, Outcome};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::db::orgs::{self, Organisation};
use crate::db::roles::{self, RoleRow};
use crate::db::users::User;
use crate::error::AppError;
use crate::rbac::{Permission, perms};
use crate::web::page::{NavLink, NavOrg, PageCtx};

/// Every route under `/o/{slug}/`, as (method, path pattern). The isolation
/// test requests each one for an organisation the user does not belong to,
/// and checks that every `/o/{slug}` route in `src/web/` is listed here.
pub const ORG_ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}"),
    ("GET", "/o/{slug}/"),
    ("GET", "/o/{slug}/members"),
    ("POST", "/o/{slug}/members/invite"),
    ("POST", "/o/{slug}/members/{user_id}/role"),
    ("POST", "/o/{slug}/members/{user_id}/remove"),
    ("POST", "/o/{slug}/invitations/{invitation_id}/revoke"),
    ("GET", "/o/{slug}/roles"),
    ("POST", "/o/{slug}/roles"),
    ("GET", "/o/{slug}/roles/{role_id}"),
    ("POST", "/o/{slug}/roles/{role_id}"),
    ("POST", "/o/{slug}/roles/{role_id}/clone"),
    ("POST", "/o/{slug}/roles/{role_id}/delete"),
    // Cloud accounts (src/web/accounts.rs).
    ("GET", "/o/{slug}/accounts"),
    ("POST", "/o/{slug}/accounts"),
    ("POST", "/o/{slug}/accounts/{account_id}/token"),
    ("POST", "/o/{slug}/accounts/{account_id}/rename"),
    ("POST", "/o/{slug}/accounts/{account_id}/default"),
    ("POST", "/o/{slug}/accounts/{account_id}/delete"),
    // Audit log (src/web/audit.rs).
    ("GET", "/o/{slug}/audit"),
    ("GET", "/o/{slug}/audit/export.csv"),
    ("GET", "/o/{slug}/audit/export.json"),
    // Servers (src/web/servers/).
    ("GET", "/o/{slug}/servers"),
    ("POST", "/o/{slug}/servers"),
    ("GET", "/o/{slug}/servers/new"),
    ("GET", "/o/{slug}/servers/{id}"),
    ("GET", "/o/{slug}/servers/{id}/row"),
    ("GET", "/o/{slug}/servers/{id}/status"),
    ("POST", "/o/{slug}/servers/{id}/rename"),
    ("POST", "/o/{slug}/servers/{id}/power"),
    ("POST", "/o/{slug}/servers/{id}/hardware"),
    ("POST", "/o/{slug}/servers/{id}/hdds"),
    ("POST", "/o/{slug}/servers/{id}/hdds/{hdd_id}/resize"),
    ("POST", "/o/{slug}/servers/{id}/hdds/{hdd_id}/delete"),
    ("POST", "/o/{slug}/servers/{id}/image"),
    ("POST", "/o/{slug}/servers/{id}/ips"),
    ("POST", "/o/{slug}/servers/{id}/ips/{ip_id}/delete"),
    ("POST", "/o/{slug}/servers/{id}/ips/{ip_id}/firewall"),
    ("POST", "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers"),
    (
        "POST",
        "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers/{lb_id}/delete",
    ),
    ("POST", "/o/{slug}/servers/{id}/private_networks"),
    (
        "POST",
        "/o/{slug}/servers/{id}/private_networks/{network_id}/delete",
    ),
    ("POST", "/o/{slug}/servers/{id}/snapshots"),
    (
        "POST",
        "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/restore",
    ),
    (
        "POST",
        "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/delete",
    ),
    ("POST", "/o/{slug}/servers/{id}/dvd"),
    ("POST", "/o/{slug}/servers/{id}/dvd/eject"),
    ("POST", "/o/{slug}/servers/{id}/clone"),
    ("POST", "/o/{slug}/servers/{id}/delete"),
];

/// A navigation entry of organisation pages and what it needs.
struct NavEntry {
    key: &'static str,
    label: &'static str,
    /// Appended to `/o/{slug}/`.
    path: &'static str,
    needs: Option<Permission>,
}

const NAV: &[NavEntry] = &[
    NavEntry {
        key: "org_home",
        label: "Overview",
        path: "",
        needs: None,
    },
    NavEntry {
        key: "servers",
        label: "Servers",
        path: "servers",
        needs: Some(perms::SERVERS_SHOW),
    },
    NavEntry {
        key: "roles",
        label: "Roles & permissions",
        path: "roles",
        needs: None,
    },
    NavEntry {
        key: "members",
        label: "Members",
        path: "members",
        needs: None,
    },
    NavEntry {
        key: "accounts",
        label: "Cloud accounts",
        path: "accounts",
        // Every member may see which accounts exist (names, last four characters).
        needs: None,
    },
    NavEntry {
        key: "audit",
        label: "Audit log",
        path: "audit",
        needs: Some(perms::ORGANISATION_VIEW_AUDIT),
    },
];

/// A signed-in member on one of their organisation's pages.
pub struct OrgCtx {
    pub user: User,
    pub org: Organisation,
    pub role: RoleRow,
    /// Already carries `org`, `orgs` and the navigation this member may open.
    pub page: PageCtx,
    db: Db,
    audit: AuditCtx,
    method: String,
    path: String,
}

/// Proof that the member holds `permission` in organisation `org_id`.
/// Only [`OrgCtx::require`] makes one.
#[derive(Debug, Clone)]
pub struct Allowed {
    org_id: i64,
    permission: Permission,
}

impl Allowed {
    pub fn org_id(&self) -> i64 {
        self.org_id
    }

    pub fn permission(&self) -> Permission {
        self.permission
    }
}

impl OrgCtx {
    /// Checks a permission. Refused: an audit event with outcome `denied`
    /// and the 403 page naming the missing permission.
    pub async fn require(&self, permission: Permission) -> Result<Allowed, AppError> {
        if self.role.can(permission) {
            return Ok(Allowed {
                org_id: self.org.id,
                permission,
            });
        }
        let event = NewEvent::new(&permission.key(), Outcome::Denied)
            .target("organisation", self.org.id, &self.org.slug)
            .details(json!({
                "permission": permission.key(),
                "role": self.role.name,
                "method": self.method,
                "path": self.path,
            }))
            .error(format!("the role {} lacks {permission}", self.role.name));
        if let Err(e) = audit::record(&self.db, &self.audit, event).await {
            tracing::error!(error = ?e, "failed to audit a refused request");
        }
        tracing::info!(
            user_id = self.user.id,
            org_id = self.org.id,
            %permission,
            "request refused: missing permission"
        );
        Err(AppError::Forbidden(format!(
            "You need the permission {permission} ({}) for this. Ask an Owner of {} for a role that has it.",
            permission.label().to_lowercase(),
            self.org.name
        ))
        .in_page(&self.page))
    }

    /// Whether the member holds a permission: for hiding what they may not do.
    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }

    /// Who is acting, in which organisation, from where: for audit events.
    pub fn audit_ctx(&self) -> &AuditCtx {
        &self.audit
    }

    pub fn slug(&self) -> &str {
        &self.org.slug
    }

    /// An address inside the organisation: `href("members")` is `/o/{slug}/members`.
    pub fn href(&self, rest: &str) -> String {
        format!("/o/{}/{rest}", self.org.slug)
    }
}

impl FromRequest for OrgCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let current = CurrentUser::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let CurrentUser { user, mut page } = current.await?;
            let state = crate::web::page::app_state(&req)?;
            let Some(slug) = req.match_info().get("slug").map(str::to_owned) else {
                return Err(AppError::NotFound);
            };
            // Unknown organisation and not a member: the same answer.
            let Some(org) = orgs::by_slug(&state.db, &slug).await? else {
                return Err(AppError::NotFound);
            };
            let Some(role) = roles::of_member(&state.db, org.id, user.id).await? else {
                return Err(AppError::NotFound);
            };
            page.org = Some(NavOrg {
                slug: org.slug.clone(),
                name: org.name.clone(),
            });
            page.nav = NAV
                .iter()
                .filter(|entry| entry.needs.is_none_or(|p| role.can(p)))
                .map(|entry| NavLink {
                    key: entry.key,
                    label: entry.label,
                    href: format!("/o/{}/{}", org.slug, entry.path),
                })
                .collect();
            let audit = AuditCtx::from_request(&req, Some(org.id), Some(&user));
            Ok(Self {
                user,
                org,
                role,
                page,
                db: state.db.clone(),
                audit,
                method: req.method().to_string(),
                path: req.path().to_owned(),
            })
        })
    }
}

/// Registers the organisation pages of this area.
pub fn routes(cfg: &mut web::ServiceConfig) {
    crate::web::org_home::routes(cfg);
    crate::web::members::routes(cfg);
    crate::web::roles::routes(cfg);
}
