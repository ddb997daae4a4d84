//! `GET /metrics` for Prometheus, and the route label under which
//! [`frame`](crate::web::middleware::frame) counts and times every request.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use actix_web::dev::ServiceRequest;
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::app_state::AppState;
use crate::metrics::{self, ClientSnapshot};
use crate::web::error::{AppError, AppResult};

/// The route label of a request that matched no route (a 404 for any path).
const UNMATCHED: &str = "unmatched";

thread_local! {
    /// Route patterns by path, per worker thread. Finding a request's
    /// pattern walks the route table, while the same few paths come again
    /// and again; paths are kept up to a cap, so a scan of random addresses
    /// only starts the map afresh.
    static PATTERNS: RefCell<HashMap<String, Arc<str>>> = RefCell::default();
}

/// Paths whose pattern a worker keeps.
const PATTERNS_KEPT: usize = 1024;

/// The route pattern of a request, e.g. `/o/{slug}/servers/{id}`.
pub(crate) fn route_of(req: &ServiceRequest) -> Arc<str> {
    let path = req.path();
    if let Some(known) = PATTERNS.with(|p| p.borrow().get(path).cloned()) {
        return known;
    }
    let pattern: Arc<str> = req
        .match_pattern()
        .map_or_else(|| UNMATCHED.into(), Arc::from);
    PATTERNS.with(|p| {
        let mut patterns = p.borrow_mut();
        if patterns.len() >= PATTERNS_KEPT {
            patterns.clear();
        }
        patterns.insert(path.to_owned(), pattern.clone());
    });
    pattern
}

/// Methods outside the usual ones share one label, so a client cannot grow
/// the series count by inventing methods.
pub(crate) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The exposition, for a scraper that presents `TEAMPANEL_METRICS_TOKEN` as
/// a bearer token. Without that setting the endpoint does not exist.
pub async fn scrape(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let Some(expected) = &state.settings.metrics_token else {
        return Err(AppError::NotFound);
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    // Digests of equal length compare without the early exit revealing a prefix.
    let digest = |token: &str| Sha256::digest(token.as_bytes());
    if presented.map(digest) != Some(digest(expected.expose())) {
        return Ok(HttpResponse::Unauthorized()
            .insert_header((
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"teampanel metrics\"",
            ))
            .content_type("text/plain; charset=utf-8")
            .body("A valid bearer token is required.\n"));
    }
    let counters = state.cloud.counters();
    let account_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM cloud_accounts ORDER BY id")
        .fetch_all(state.raw_db())
        .await
        .map_err(|e| {
            AppError::Internal(
                anyhow::Error::new(e).context("Failed to list the cloud accounts for /metrics"),
            )
        })?;
    let budgets = account_ids
        .into_iter()
        .filter_map(|id| state.cloud.budget(id).map(|b| (id, b.remaining)))
        .collect();
    let text = metrics::encode(&ClientSnapshot {
        cache_hits: counters.cache_hits,
        cache_misses: counters.cache_misses,
        budgets,
    })
    .map_err(|_| AppError::Internal(anyhow::anyhow!("Failed to encode the metrics")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}
