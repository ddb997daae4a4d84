//! The API's door: [`ApiCtx`], the extractor every `/api/v1/o/{slug}/`
//! endpoint takes. It is `OrgCtx` for a token instead of a session: the
//! token (header `X-TEAMPANEL-TOKEN`, or the `token` parameter) names the
//! member and the organisation; the member's role, narrowed to its `show`
//! flags for a read-only token, goes through the same permission check
//! ([`crate::tenant::Door::require`]), which audits a refusal as `denied`
//! (its details name the token's id as `api_access_id`).
//!
//! In order: no usable token is 401 (one message for every reason); the
//! token's own rate limit is counted, 429 past it; a path naming another
//! organisation than the token's is 404; a member who left, or was
//! disabled, is 401 again; an organisation requiring a second factor the
//! member lacks is 403.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde_json::json;

use super::error::ApiError;
use super::params::Query;
use super::routes::Param;
use crate::app_state::AppState;
use crate::rbac::Permission;
use crate::tenant::{Actor, Membership, Tenant, TokenAccess, TokenUse};

/// The header a token comes in.
pub const TOKEN_HEADER: &str = "x-teampanel-token";
/// The query parameter it may come in instead.
pub const TOKEN_PARAM: &str = "token";

/// A member acting through one of their API tokens, in its organisation.
pub struct ApiCtx {
    member: Membership,
    pub(super) token: TokenUse,
    state: web::Data<AppState>,
    actor: Actor,
    pub(super) req: HttpRequest,
}

/// The token the request presents: the header first, else the parameter.
fn presented(req: &HttpRequest) -> Option<String> {
    let from_header = req
        .headers()
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    from_header.or_else(|| {
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(k, _)| k == TOKEN_PARAM)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|t| !t.is_empty())
    })
}

impl ApiCtx {
    /// Checks a permission: the handle, or a 403 (audited as `denied`,
    /// naming the token by its id).
    pub async fn require(&self, permission: Permission) -> Result<Tenant<'_>, ApiError> {
        let attempt = || {
            json!({
                "method": self.req.method().as_str(),
                "path": self.req.path(),
                // Not `api_token_id`: keys naming a token are redacted.
                "api_access_id": self.token.id,
            })
        };
        self.state
            .door
            .require(&self.member, &self.actor, permission, attempt)
            .await
            .map_err(|refused| {
                let read_only = if self.token.access == TokenAccess::Read {
                    " This token is read-only: it holds only the role's “show” permissions."
                } else {
                    ""
                };
                ApiError::forbidden(format!(
                    "This needs the permission “{}” ({}), which the role {} lacks.{read_only}",
                    refused.permission.title(),
                    refused.permission,
                    refused.role_name,
                ))
            })
    }

    /// Whether the token may use a permission: for choosing what to show.
    pub fn can(&self, permission: Permission) -> bool {
        self.member.can(permission)
    }

    /// Any member's handle, for what every member may see (the queue).
    pub fn as_member(&self) -> Tenant<'_> {
        self.state.door.as_member(&self.member, &self.actor)
    }

    /// The organisation's slug, for the addresses an answer names.
    pub fn slug(&self) -> &str {
        &self.member.org().slug
    }

    /// A parameter of the path (`id`, `snapshot_id`).
    pub fn path(&self, name: &str) -> &str {
        self.req.match_info().get(name).unwrap_or_default()
    }

    /// The query's parameters as the route declares them (see [`Query`]).
    pub fn query(&self, allowed: &[Param]) -> Result<Query, ApiError> {
        let names: Vec<&str> = allowed.iter().map(|p| p.name).collect();
        Query::check(self.params(&names)?, allowed)
    }

    /// The query's parameters, the token's aside, when each is one of
    /// `allowed`; otherwise 422 naming every other one.
    pub fn params(&self, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
        let mut taken = Vec::new();
        let mut unpermitted: Vec<String> = Vec::new();
        for (key, value) in url::form_urlencoded::parse(self.req.query_string().as_bytes()) {
            if key == TOKEN_PARAM {
                continue;
            }
            if allowed.contains(&key.as_ref()) {
                taken.push((key.into_owned(), value.into_owned()));
            } else if !unpermitted.iter().any(|u| *u == key) {
                unpermitted.push(key.into_owned());
            }
        }
        if unpermitted.is_empty() {
            Ok(taken)
        } else {
            Err(ApiError::unpermitted(unpermitted))
        }
    }
}

async fn open(req: HttpRequest) -> Result<ApiCtx, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("application state is missing"))?;
    let Some(presented) = presented(&req) else {
        return Err(ApiError::unauthorized());
    };
    let now = crate::db::now_unix();
    let Some(token) = state.door.api_token(&presented, now).await? else {
        return Err(ApiError::unauthorized());
    };
    let rate = state.api_rate.hit(token.id, now);
    // Read back by the scope's middleware, which writes the headers.
    req.extensions_mut().insert(rate);
    if !rate.allowed {
        return Err(ApiError::too_many_requests());
    }
    let slug = req.match_info().get("slug").unwrap_or_default();
    if slug != token.org_slug {
        return Err(ApiError::not_found());
    }
    let Some(user) = state
        .people
        .user(state.raw_db(), token.user_id)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Err(ApiError::unauthorized());
    };
    let Some(member) = state.door.membership(slug, user.id).await? else {
        return Err(ApiError::unauthorized());
    };
    let org = member.org();
    let two_factor = state
        .people
        .two_factor(state.raw_db(), org.id, user.id)
        .await?;
    if two_factor.blocks() {
        return Err(ApiError::forbidden(format!(
            "{} requires two-factor sign-in: set it up in the panel to use its API.",
            org.name
        )));
    }
    let actor = {
        let (req, user) = (req.clone(), user.clone());
        Actor::new(Some(org.id), move || {
            crate::web::audit_ctx(&req, None, Some(&user))
        })
    };
    Ok(ApiCtx {
        member: member.through_token(token.access),
        token,
        state,
        actor,
        req,
    })
}

impl FromRequest for ApiCtx {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(open(req.clone()))
    }
}
