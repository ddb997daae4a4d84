//! `GET /profile/api`: the JSON API's reference for people, made from the
//! same route table as the OpenAPI document (linked from it): every route
//! by family, the permission it needs, its parameters and its body.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::web::api::routes::{ApiRoute, Kind, Param};
use crate::web::api::{OPENAPI_PATH, all_routes};
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::page::PageCtx;
use crate::web::render;

/// One route as the page lists it.
pub struct RouteView {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    pub needs: String,
    /// `name (kind, required): what it is`, query first, then the body.
    pub params: Vec<String>,
    pub body_root: Option<&'static str>,
}

/// The routes of one tag, in the table's order.
pub struct Group {
    pub tag: String,
    pub id: String,
    pub routes: Vec<RouteView>,
}

#[derive(Template)]
#[template(path = "api_reference/page.html")]
struct ReferencePage<'a> {
    page: &'a PageCtx,
    groups: Vec<Group>,
    openapi: &'static str,
    count: usize,
}

fn described(p: &Param) -> String {
    let kind = match p.kind {
        Kind::Text => "text",
        Kind::Integer => "number",
        Kind::Boolean => "true/false",
        Kind::Texts => "list of texts",
        Kind::Objects(_) => "list of objects",
    };
    let required = if p.required { ", required" } else { "" };
    let each = match p.kind {
        Kind::Objects(fields) => format!(
            " Each has: {}.",
            fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
        ),
        _ => String::new(),
    };
    if p.about.is_empty() {
        format!("{} ({kind}{required}){each}", p.name)
    } else {
        format!("{} ({kind}{required}): {}{each}", p.name, p.about)
    }
}

fn view(route: &ApiRoute) -> RouteView {
    let mut params: Vec<String> = route.query.iter().map(described).collect();
    if let Some(body) = &route.body {
        params.extend(body.fields.iter().map(described));
    }
    RouteView {
        method: route.verb.as_str(),
        path: route.path.clone(),
        summary: route.summary.clone(),
        needs: match (route.permission, route.needs_token) {
            (Some(p), _) => p.key(),
            (None, true) => "any member".to_owned(),
            (None, false) => "no token".to_owned(),
        },
        params,
        body_root: route.body.as_ref().and_then(|b| b.root),
    }
}

pub async fn page(me: CurrentUser) -> AppResult<HttpResponse> {
    let routes = all_routes();
    let mut groups: Vec<Group> = Vec::new();
    for route in &routes {
        match groups.iter_mut().find(|g| g.tag == route.tag) {
            Some(group) => group.routes.push(view(route)),
            None => groups.push(Group {
                id: format!("api-{}", route.tag.to_lowercase().replace([' ', '&'], "-")),
                tag: route.tag.clone(),
                routes: vec![view(route)],
            }),
        }
    }
    let page = me.page.clone().with_section("profile");
    render(
        StatusCode::OK,
        &ReferencePage {
            page: &page,
            count: routes.len(),
            groups,
            openapi: OPENAPI_PATH,
        },
    )
}
