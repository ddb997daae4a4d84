//! The route table, nested by path so a request is matched in a few steps.
//!
//! actix-web tries an application's resources one after another, and each
//! pattern with a `{parameter}` is a regular expression. Registered flat, the
//! panel's four hundred routes made every request of a page late in the list
//! run hundreds of regular expressions, and the metrics' route label walked
//! them again: a fifth of a page's time. [`Routes`] takes the routes as
//! every area writes them, with their whole path, and registers them nested:
//! `/o/{slug}` once, then one scope per first segment after it (`/servers`,
//! `/vpns`, …), and one scope per first segment outside organisations
//! (`/admin`, `/account`, …). Only routes of the same scope share a path
//! prefix, so nothing is shadowed, and the order within a scope is kept.
//!
//! Organisation routes are declared once, beside their handlers, with
//! [`org_routes!`]: the same lines give the module's `ROUTES` (method, path),
//! which the isolation walk replays through
//! [`org_routes()`](crate::web::org::org_routes), and its `routes` function.

use actix_web::{Route, web};

/// Where organisation pages live; matched once per request. (The macro
/// below writes it out too: `concat!` takes only literals.)
const ORG: &str = "/o/{slug}";

/// Declares a module's organisation routes once, beside its handlers:
///
/// ```ignore
/// org_routes! {
///     "/block_storages" {
///         GET  "" => list::page,
///         POST "" => create::submit,
///         GET  "/new" => create::form,
///         GET  "/{id}" => detail::page,
///     }
/// }
/// ```
///
/// expands to `pub const ROUTES: &[(&str, &str)]`, each path whole
/// (`("GET", "/o/{slug}/block_storages/new")`), and `pub fn routes(cfg: &mut
/// Routes)`, which adds the same routes in the same order (so literal
/// segments still come before `{id}`). Several prefixes may follow one
/// another; the prefix `""` is the organisation's root. A module with other
/// routes besides names the function first (`fn org_pages;`) and calls it
/// from its own `routes`. Methods are `GET` and `POST`.
macro_rules! org_routes {
    (@method GET) => {
        ::actix_web::web::get()
    };
    (@method POST) => {
        ::actix_web::web::post()
    };
    (
        fn $name:ident;
        $(
            $prefix:literal {
                $($method:ident $rest:literal => $handler:path),* $(,)?
            }
        )+
    ) => {
        /// This module's organisation routes, as (method, path), in the
        /// order they are registered; the isolation walk replays each one.
        pub const ROUTES: &[(&str, &str)] = &[
            $($((stringify!($method), concat!("/o/{slug}", $prefix, $rest)),)*)+
        ];

        /// Registers this module's organisation routes, as [`ROUTES`] lists them.
        pub fn $name(cfg: &mut $crate::web::routing::Routes) {
            $($(
                cfg.route(
                    concat!("/o/{slug}", $prefix, $rest),
                    $crate::web::routing::org_routes!(@method $method).to($handler),
                );
            )*)+
        }
    };
    ($($prefix:literal { $($routes:tt)* })+) => {
        $crate::web::routing::org_routes! { fn routes; $($prefix { $($routes)* })+ }
    };
}
pub(crate) use org_routes;

/// The routes of the panel, as each area adds them.
#[derive(Default)]
pub struct Routes {
    /// Scopes outside organisations, by first segment (`/admin`), in the order first seen.
    top: Vec<Group>,
    /// Routes of the organisation root itself (`/o/{slug}`, `/o/{slug}/`).
    org_root: Vec<(String, Route)>,
    /// Scopes inside an organisation, by first segment (`/servers`).
    org: Vec<Group>,
}

struct Group {
    prefix: String,
    /// Paths relative to `prefix`, in the order they were added.
    routes: Vec<(String, Route)>,
}

/// Splits `/servers/{id}/rename` into `/servers` and `/{id}/rename`.
fn first_segment(path: &str) -> (&str, &str) {
    let end = path
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '/')
        .map_or(path.len(), |(i, _)| i);
    path.split_at(end)
}

fn add(groups: &mut Vec<Group>, prefix: &str, rest: &str, route: Route) {
    let rest = rest.to_owned();
    match groups.iter_mut().find(|g| g.prefix == prefix) {
        Some(group) => group.routes.push((rest, route)),
        None => groups.push(Group {
            prefix: prefix.to_owned(),
            routes: vec![(rest, route)],
        }),
    }
}

impl Routes {
    /// Adds a route by its whole path, e.g. `/o/{slug}/servers/{id}`.
    pub fn route(&mut self, path: &str, route: Route) -> &mut Self {
        debug_assert!(
            path.starts_with(ORG) || !path.starts_with("/o/"),
            "{path} would be shadowed by the organisation scope"
        );
        match path.strip_prefix(ORG) {
            Some(rest) if rest.is_empty() || rest == "/" => {
                self.org_root.push((rest.to_owned(), route));
            }
            Some(rest) if rest.starts_with('/') => {
                let (prefix, rest) = first_segment(rest);
                add(&mut self.org, prefix, rest, route);
            }
            _ => {
                let (prefix, rest) = first_segment(path);
                add(&mut self.top, prefix, rest, route);
            }
        }
        self
    }

    /// Registers every route added, nested. Organisation pages, most of
    /// the traffic, come first: no other route's path starts with `/o/`, so
    /// nothing is shadowed, and their requests are not tried against the
    /// patterns of `/static/{name}` and `/invite/{token}` on the way.
    pub fn register(self, cfg: &mut web::ServiceConfig) {
        let mut org = web::scope(ORG);
        for (path, route) in self.org_root {
            org = org.route(&path, route);
        }
        org = org.configure(|cfg| {
            for group in self.org {
                register_group(cfg, group);
            }
        });
        cfg.service(org);
        for group in self.top {
            register_group(cfg, group);
        }
    }
}

/// A group of one route with a fixed path (`/healthz`), or at the root
/// (`/`), needs no scope. One with a `{parameter}` gets a scope all the same:
/// its regular expression would otherwise run for every request of a group
/// registered after it, where the scope's fixed prefix is one comparison.
fn register_group(cfg: &mut web::ServiceConfig, group: Group) {
    let fixed = |routes: &[(String, Route)]| routes.iter().all(|(rest, _)| !rest.contains('{'));
    if (group.routes.len() == 1 && fixed(&group.routes)) || group.prefix == "/" {
        for (rest, route) in group.routes {
            cfg.route(&format!("{}{rest}", group.prefix), route);
        }
        return;
    }
    let mut scope = web::scope(&group.prefix);
    for (rest, route) in group.routes {
        scope = scope.route(&rest, route);
    }
    cfg.service(scope);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_at_their_first_segment() {
        assert_eq!(
            first_segment("/servers/{id}/rename"),
            ("/servers", "/{id}/rename")
        );
        assert_eq!(first_segment("/servers"), ("/servers", ""));
        assert_eq!(first_segment("/"), ("/", ""));
        assert_eq!(first_segment("/static/{name}"), ("/static", "/{name}"));
    }
}
