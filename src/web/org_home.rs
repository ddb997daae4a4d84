//! `/o/{slug}/`: an organisation's overview.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::rbac::perms;
use crate::web::error::AppResult;
use crate::web::org::OrgCtx;
use crate::web::page::{NavLink, PageCtx};
use crate::web::redirect;
use crate::web::render;

#[derive(Template)]
#[template(path = "org/home.html")]
struct OrgHomePage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    role_name: &'a str,
    role_description: &'a str,
    /// The sections this member may open, besides the overview.
    sections: Vec<&'a NavLink>,
    can_manage_members: bool,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{slug}", web::get().to(without_slash))
        .route("/o/{slug}/", web::get().to(overview));
}

async fn without_slash(org: OrgCtx) -> HttpResponse {
    redirect(&org.href(""))
}

async fn overview(org: OrgCtx) -> AppResult<HttpResponse> {
    let page = org.page.clone().with_section("org_home");
    let sections = page.nav.iter().filter(|l| l.key != "org_home").collect();
    render(
        StatusCode::OK,
        &OrgHomePage {
            page: &page,
            org_name: &org.org().name,
            role_name: &org.role().name,
            role_description: org.role().builtin.map_or(
                "A custom role of this organisation.",
                crate::rbac::BuiltinRole::description,
            ),
            sections,
            can_manage_members: org.can(perms::ORGANISATION_MANAGE_MEMBERS),
        },
    )
}
