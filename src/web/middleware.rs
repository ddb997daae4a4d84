//! Middleware every response goes through: a request id with a log line per
//! request, its metrics, and the security headers.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use rand::Rng;
use tracing::Instrument;

use crate::web::metrics;

/// Where the JSON API lives. Its requests carry a token and nothing
/// else: their cookies are dropped before the session middleware sees them
/// (so a session opens nothing there, and is neither read nor extended),
/// and the CSRF check, which guards a session's forms, does not apply.
pub const API_PREFIX: &str = "/api/";

/// The id of one request, for log lines, audit events and error reports;
/// shown as 16 hex digits.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub u64);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl RequestId {
    /// The 16 hex digits, without formatting machinery or an allocation.
    fn digits(self) -> Option<[u8; 16]> {
        let mut out = [0u8; 16];
        hex::encode_to_slice(self.0.to_be_bytes(), &mut out).ok()?;
        Some(out)
    }
}

/// What every answer goes through, in one layer rather than three (each
/// layer of `from_fn` boxes a future per request): the request's id and log
/// line, its count and time in the metrics under its route pattern, and the
/// security headers.
pub async fn frame(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = RequestId(rand::rng().random::<u64>());
    let method = metrics::method_label(req.method());
    let route = metrics::route_of(&req);
    if req.path().starts_with(API_PREFIX) {
        req.headers_mut().remove(header::COOKIE);
    }
    // The path only: query strings may carry search terms, one-time links
    // or an API token (`?token=`), which must never reach a log line.
    let span = tracing::info_span!("request", request_id = %id, method, path = %req.path());
    let hsts = req
        .app_data::<actix_web::web::Data<Hsts>>()
        .is_some_and(|h| h.0);
    let header_id = id
        .digits()
        .and_then(|digits| HeaderValue::from_bytes(&digits).ok());
    req.extensions_mut().insert(id);
    let result = next.call(req).instrument(span.clone()).await;
    let _entered = span.enter();
    let took = started.elapsed();
    let micros = took.as_micros();
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            crate::metrics::http_request(method, &route, status, took.as_secs_f64());
            if status >= 500 {
                tracing::warn!(status, micros, "answered");
            } else {
                tracing::info!(status, micros, "answered");
            }
            let headers = response.headers_mut();
            // Room for the ten headers added here at once: growing the map
            // as they come in moves the headers already in it, more than once.
            headers.reserve(10);
            if let Some(value) = header_id {
                headers.insert(HeaderName::from_static("x-request-id"), value);
            }
            security_headers(headers, hsts);
            Ok(response)
        }
        Err(e) => {
            let status = e.as_response_error().status_code().as_u16();
            crate::metrics::http_request(method, &route, status, took.as_secs_f64());
            tracing::warn!(error = %e, "failed");
            Err(e)
        }
    }
}

/// Whether to send HSTS: only when users reach the panel over https.
#[derive(Clone, Copy, Debug)]
pub struct Hsts(pub bool);

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The headers every answer carries, besides those its handler set.
fn security_headers(headers: &mut HeaderMap, hsts: bool) {
    let fixed: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // Pages carry CSRF tokens and account data: never cache them in shared caches.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn a_request_id_is_sixteen_hex_digits_in_both_forms() {
        for n in [0, 1, 0xdead_beef, u64::MAX, 0x0123_4567_89ab_cdef] {
            let id = RequestId(n);
            assert_eq!(id.to_string(), format!("{n:016x}"));
            assert_eq!(
                id.digits().map(Vec::from),
                Some(format!("{n:016x}").into_bytes())
            );
        }
    }
}
