//! The API's route table: every route once, with what it takes and what it
//! needs. The same rows register the handlers, check each request's
//! parameters, and make the OpenAPI document and the reference page, so
//! the three cannot drift.

use actix_web::Route;

use crate::rbac::Permission;

/// The path every organisation route starts with.
pub const ORG: &str = "/api/v1/o/{slug}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }

    fn route(self) -> Route {
        match self {
            Verb::Get => actix_web::web::get(),
            Verb::Post => actix_web::web::post(),
            Verb::Put => actix_web::web::put(),
            Verb::Delete => actix_web::web::delete(),
        }
    }
}

/// What a value is, for the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Boolean,
    /// A list of texts (ids).
    Texts,
    /// A list of objects, each with these fields (a new policy's rules).
    Objects(&'static [Param]),
}

/// A parameter of the query or a field of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub required: bool,
    pub kind: Kind,
    pub about: &'static str,
}

impl Param {
    pub const fn optional(name: &'static str, kind: Kind, about: &'static str) -> Self {
        Self {
            name,
            required: false,
            kind,
            about,
        }
    }

    pub const fn required(name: &'static str, kind: Kind, about: &'static str) -> Self {
        Self {
            name,
            required: true,
            kind,
            about,
        }
    }
}

/// A JSON body: its fields, under one key named for the object
/// (`{"server": {"name": …}}`) or, for an action, at the top.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub root: Option<&'static str>,
    pub fields: &'static [Param],
}

impl Body {
    /// An action's body: its fields at the top.
    pub const fn flat(fields: &'static [Param]) -> Self {
        Self { root: None, fields }
    }
}

/// The account parameter every cloud route takes.
pub const ACCOUNT: Param = Param::optional(
    "account",
    Kind::Integer,
    "The cloud account's id (see cloud_accounts); the organisation's default account of the route's provider when absent.",
);

/// The parameters of every detail (and of every change): the account.
pub const DETAIL_QUERY: &[Param] = &[ACCOUNT];

/// One route of the API.
pub struct ApiRoute {
    pub verb: Verb,
    /// The whole path: `/api/v1/o/{slug}/servers/{id}`.
    pub path: String,
    /// The group it is listed under: the family's title.
    pub tag: String,
    pub summary: String,
    /// The flag it checks; `None` for one every member (or anyone) may use.
    pub permission: Option<Permission>,
    pub query: &'static [Param],
    pub body: Option<Body>,
    /// The statuses of its successful answers, with what each means.
    pub answers: &'static [(u16, &'static str)],
    /// Whether a token is needed (only the document itself is open).
    pub needs_token: bool,
    /// Attaches the handler: `|r| r.to(servers::list)`.
    to: fn(Route) -> Route,
}

/// Answers of a read.
pub const READ: &[(u16, &str)] = &[(200, "The value, with how old it is.")];
/// Answers of a change.
pub const CHANGE: &[(u16, &str)] = &[
    (200, "Done: the object as the provider answered."),
    (
        202,
        "Queued for the account's request budget: `queued.status_url` tells when it ran.",
    ),
];
/// Answers of a creation.
pub const CREATE: &[(u16, &str)] = &[
    (201, "Created: the new object as the provider answered."),
    (
        202,
        "Queued for the account's request budget: `queued.status_url` tells when it ran.",
    ),
];

impl ApiRoute {
    /// A route under the organisation: `rest` follows `/api/v1/o/{slug}`.
    pub fn org(
        verb: Verb,
        rest: &str,
        tag: &str,
        summary: impl Into<String>,
        permission: Option<Permission>,
        to: fn(Route) -> Route,
    ) -> Self {
        Self::at(verb, format!("{ORG}{rest}"), tag, summary, permission, to)
    }

    /// A route at its whole path.
    pub fn at(
        verb: Verb,
        path: String,
        tag: &str,
        summary: impl Into<String>,
        permission: Option<Permission>,
        to: fn(Route) -> Route,
    ) -> Self {
        Self {
            verb,
            path,
            tag: tag.to_owned(),
            summary: summary.into(),
            permission,
            query: &[],
            body: None,
            answers: if verb == Verb::Get { READ } else { CHANGE },
            needs_token: true,
            to,
        }
    }

    pub fn query(mut self, query: &'static [Param]) -> Self {
        self.query = query;
        self
    }

    pub fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    pub fn answers(mut self, answers: &'static [(u16, &'static str)]) -> Self {
        self.answers = answers;
        self
    }

    pub fn open(mut self) -> Self {
        self.needs_token = false;
        self
    }

    /// The handler, for the scope.
    pub fn handler(&self) -> Route {
        (self.to)(self.verb.route())
    }

    /// The path after `/api`, as the scope registers it.
    pub fn scoped_path(&self) -> &str {
        self.path.strip_prefix("/api").unwrap_or(&self.path)
    }

    /// The names in `{…}` of the path.
    pub fn path_params(&self) -> Vec<&str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_read_from_the_path() {
        let r = ApiRoute::org(
            Verb::Post,
            "/servers/{id}/snapshots/{snapshot_id}/restore",
            "Servers",
            "Restore",
            None,
            |r| r,
        );
        assert_eq!(r.path_params(), ["slug", "id", "snapshot_id"]);
        assert_eq!(
            r.scoped_path(),
            "/v1/o/{slug}/servers/{id}/snapshots/{snapshot_id}/restore"
        );
    }
}
