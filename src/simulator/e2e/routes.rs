//! The route table and the dispatch of one authenticated request.
//!
//! [`dispatch`] is everything after authentication and the rate limit, with
//! no HTTP types, so that the state machine's tests drive it directly.

use super::catalogue::Catalogue;
use super::envelope::{E2eError, E2eResult, Reply};
use super::req::Req;
use super::state::Account;
use super::{actions, images, nodes};
use serde_json::{Value, json};

pub type Handler = fn(&mut Req) -> E2eResult<Reply>;

pub struct Route {
    pub method: &'static str,
    /// Below `/myaccount/api/v1`, with the trailing slash the reference writes.
    pub path: &'static str,
    pub handler: Handler,
}

/// Literal paths come before the `{image_id}` one that would also match them.
pub const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/images/category-list/",
        handler: images::category_list,
    },
    Route {
        method: "GET",
        path: "/images/saved-images/",
        handler: images::saved_list,
    },
    Route {
        method: "GET",
        path: "/images/",
        handler: images::plans,
    },
    Route {
        method: "POST",
        path: "/images/{image_id}/",
        handler: images::image_action,
    },
    Route {
        method: "GET",
        path: "/nodes/",
        handler: nodes::list,
    },
    Route {
        method: "POST",
        path: "/nodes/",
        handler: nodes::create,
    },
    Route {
        method: "GET",
        path: "/nodes/{node_id}/",
        handler: nodes::get,
    },
    Route {
        method: "DELETE",
        path: "/nodes/{node_id}/",
        handler: nodes::delete,
    },
    Route {
        method: "POST",
        path: "/nodes/{node_id}/actions/",
        handler: actions::node_action,
    },
    Route {
        method: "POST",
        path: "/update_committed_node_status/",
        handler: nodes::update_committed,
    },
];

/// The API's path prefix below the host.
pub const PREFIX: &str = "/myaccount/api/v1";

fn segments(path: &str) -> Vec<&str> {
    let p = path.strip_suffix('/').unwrap_or(path);
    p.split('/').skip(1).collect()
}

/// The route for a method and a path below the prefix, with its `{...}` value.
pub fn find(method: &str, path: &str) -> Option<(&'static Route, Option<String>)> {
    let got = segments(path);
    if got.iter().any(|s| s.is_empty()) {
        return None;
    }
    ROUTES.iter().filter(|r| r.method == method).find_map(|r| {
        let want = segments(r.path);
        if want.len() != got.len() {
            return None;
        }
        let mut param = None;
        for (w, g) in want.iter().zip(&got) {
            if w.starts_with('{') {
                param = Some((*g).to_string());
            } else if w != g {
                return None;
            }
        }
        Some((r, param))
    })
}

/// Answers one request of an authenticated account: (status, envelope).
pub fn dispatch(
    acct: &mut Account,
    cat: &Catalogue,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    now: f64,
) -> (u16, Value) {
    let Some((route, id)) = path.strip_prefix(PREFIX).and_then(|p| find(method, p)) else {
        let e = E2eError::route_not_found();
        return (e.status, e.body());
    };
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                let e = E2eError::bad_request(format!("JSON parse error - {e}"));
                return (e.status, e.body());
            }
        }
    };
    let query = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    acct.tick(now);
    let mut req = Req {
        acct,
        cat,
        id,
        query,
        body,
        now,
    };
    match (route.handler)(&mut req) {
        Ok(reply) => (200, reply.body()),
        Err(e) => (e.status, e.body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_with_and_without_the_trailing_slash() {
        let (r, id) = find("GET", "/nodes/12/").unwrap();
        assert_eq!((r.path, id.as_deref()), ("/nodes/{node_id}/", Some("12")));
        assert_eq!(
            find("GET", "/nodes/12").unwrap().0.path,
            "/nodes/{node_id}/"
        );
        assert_eq!(
            find("GET", "/images/saved-images").unwrap().0.path,
            "/images/saved-images/"
        );
        assert_eq!(
            find("POST", "/nodes/12/actions").unwrap().0.path,
            "/nodes/{node_id}/actions/"
        );
        assert!(find("PUT", "/nodes/12/").is_none());
        assert!(find("GET", "/nodes//").is_none());
        assert!(find("GET", "/volumes/").is_none());
    }

    #[test]
    fn unknown_paths_and_bad_json_get_envelopes() {
        let mut a = Account::new("k");
        let cat = Catalogue::new();
        let (s, v) = dispatch(&mut a, &cat, "GET", "/myaccount/api/v1/nope/", "", b"", 0.0);
        assert_eq!((s, v["code"].clone()), (404, json!(404)));
        let (s, v) = dispatch(
            &mut a,
            &cat,
            "POST",
            "/myaccount/api/v1/nodes/",
            "",
            b"{",
            0.0,
        );
        assert_eq!(s, 400);
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .starts_with("JSON parse error")
        );
    }
}
