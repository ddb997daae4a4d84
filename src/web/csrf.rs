//! CSRF protection: a per-session token in every form, checked on every
//! unsafe method, plus an Origin check.
//!
//! The token lives in the server-side session; forms carry it in the hidden
//! field `csrf_token`, scripts in the `X-CSRF-Token` header.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_session::{Session, SessionExt};
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::{Method, StatusCode, header};
use actix_web::web;
use futures_util::future::{Either, LocalBoxFuture};
use rand::distr::{Alphanumeric, SampleString};

use crate::web::error::error_page;
use crate::web::page::{PageCtx, PageData};

const SESSION_KEY: &str = "csrf";
pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
/// Forms are small; a bigger body is refused before it is read.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(existing)) = session.get::<String>(SESSION_KEY) {
        return existing;
    }
    let fresh = Alphanumeric.sample_string(&mut rand::rng(), 43);
    let _ = session.insert(SESSION_KEY, &fresh);
    fresh
}

/// Origins accepted on unsafe requests, besides the request's own.
#[derive(Clone, Debug, Default)]
pub struct TrustedOrigins(pub Vec<String>);

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Constant-time comparison, so the token cannot be guessed byte by byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn origin_allowed(req: &ServiceRequest, trusted: &TrustedOrigins) -> bool {
    let headers = req.headers();
    let claimed = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(|r| url::Url::parse(r).ok())
                .map(|u| u.origin().ascii_serialization())
        });
    let Some(claimed) = claimed else {
        // Browsers send Origin on cross-site POSTs; clients that send neither
        // header are not browsers riding a session, and still need the token.
        return true;
    };
    let info = req.connection_info();
    let own = format!("{}://{}", info.scheme(), info.host());
    claimed == own || trusted.0.iter().any(|t| t == &claimed)
}

fn refuse(req: ServiceRequest, why: &str) -> ServiceResponse<BoxBody> {
    tracing::warn!(path = %req.path(), why, "unsafe request refused");
    let page = PageCtx::from(PageData {
        csrf_token: token(&req.get_session()),
        ..PageData::default()
    });
    let response = error_page(
        StatusCode::FORBIDDEN,
        &page,
        "Form expired",
        "This form's security token was missing or wrong, or it came from another site, so nothing \
         was changed. Go back, reload the page and try again.",
    );
    req.into_response(response)
}

/// The middleware: must run inside the session middleware. A safe method
/// goes straight on to the routes, without a future of its own; an unsafe
/// one is checked first.
pub struct Check;

impl<S> Transform<S, ServiceRequest> for Check
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = CheckService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CheckService {
            service: Rc::new(service),
        }))
    }
}

pub struct CheckService<S> {
    service: Rc<S>,
}

impl<S> Service<ServiceRequest> for CheckService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = Either<S::Future, LocalBoxFuture<'static, Result<Self::Response, Self::Error>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // API requests carry a token, never a session (their cookies are
        // dropped in `middleware::frame`): nothing to forge a request with.
        if is_safe(req.method()) || req.path().starts_with(crate::web::middleware::API_PREFIX) {
            return Either::Left(self.service.call(req));
        }
        Either::Right(Box::pin(check(req, self.service.clone())))
    }
}

/// An unsafe request: on to `service` only with a trusted origin and the
/// session's token.
async fn check<S>(
    mut req: ServiceRequest,
    service: Rc<S>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>,
{
    let trusted = req
        .app_data::<web::Data<TrustedOrigins>>()
        .map(|t| t.get_ref().clone())
        .unwrap_or_default();
    if !origin_allowed(&req, &trusted) {
        return Ok(refuse(req, "origin not trusted"));
    }
    let Ok(Some(expected)) = req.get_session().get::<String>(SESSION_KEY) else {
        return Ok(refuse(req, "no token in session"));
    };

    let from_header = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let presented = match from_header {
        Some(token) => Some(token),
        None => {
            let is_form = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
            if !is_form {
                None
            } else {
                let body = match req.extract::<web::Bytes>().await {
                    Ok(body) if body.len() <= MAX_FORM_BYTES => body,
                    _ => return Ok(refuse(req, "form body unreadable")),
                };
                let token = url::form_urlencoded::parse(&body)
                    .find(|(k, _)| k == FORM_FIELD)
                    .map(|(_, v)| v.into_owned());
                // Put the body back for the handler's own form extractor.
                req.set_payload(actix_web::dev::Payload::from(body));
                token
            }
        }
    };
    match presented {
        Some(token) if same(&token, &expected) => service.call(req).await,
        _ => Ok(refuse(req, "token missing or wrong")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_is_exact() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
