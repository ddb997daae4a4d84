//! The HTTP layer: faults, authentication (bearer token and `apikey`), the
//! sliding rate limit and its headers, then [`routes::dispatch`]. The
//! `/__sim/faults` control endpoint is the Cloud Panel simulator's own.

use super::catalogue::Catalogue;
use super::envelope::E2eError;
use super::limits::{Budget, SlidingLimiter};
use super::routes;
use super::state::Account;
use crate::simulator::http::{control, lock, read_faults, write_faults};
use crate::simulator::limits::{self, Fault, Faults};
use crate::simulator::state::Clock;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

/// How long a request drawn to hang waits before it is dropped.
const HANG: Duration = Duration::from_secs(3600);

/// Everything the E2E simulator holds, shared by the workers.
#[derive(Debug)]
pub struct E2eSim {
    /// Keyed by bearer token.
    pub accounts: HashMap<String, Mutex<Account>>,
    pub limiter: Mutex<SlidingLimiter>,
    pub faults: RwLock<Faults>,
    pub clock: Clock,
    pub cat: Catalogue,
}

impl E2eSim {
    pub fn faults(&self) -> Faults {
        read_faults(&self.faults)
    }

    pub fn set_faults(&self, f: Faults) {
        write_faults(&self.faults, f);
    }

    pub fn snapshot(&self, token: &str) -> Option<Value> {
        let mut a = lock(self.accounts.get(token)?);
        a.tick(self.clock.now());
        Some(a.snapshot())
    }
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
}

fn respond(status: u16, body: String, budget: Budget) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .content_type("application/json")
        .insert_header(("RateLimit-Limit", budget.limit.to_string()))
        .insert_header(("RateLimit-Remaining", budget.remaining.to_string()))
        .insert_header(("RateLimit-Reset", budget.reset.to_string()))
        .body(body)
}

fn error(e: &E2eError, budget: Budget) -> HttpResponse {
    respond(e.status, e.body().to_string(), budget)
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case).
fn bearer(req: &HttpRequest) -> Option<&str> {
    let v = req.headers().get("Authorization")?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn api_key(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "apikey")
        .map(|(_, v)| v.into_owned())
}

pub async fn handle(req: HttpRequest, body: web::Bytes, sim: web::Data<E2eSim>) -> HttpResponse {
    if let Some(rest) = req.path().strip_prefix("/__sim/") {
        return control(&req, rest, &body, &sim.faults);
    }
    let faults = sim.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let fault = limits::draw(&faults);
    let fresh = lock(&sim.limiter).fresh(unix_now());
    if fault == Some(Fault::Hang) {
        tokio::time::sleep(HANG).await;
        return error(&E2eError::internal(), fresh);
    }

    let token = bearer(&req).unwrap_or("").to_string();
    let Some(account) = sim.accounts.get(&token) else {
        let e = E2eError::unauthorized("Authentication credentials were not provided.");
        return error(&e, fresh);
    };
    let key_ok = {
        let a = lock(account);
        api_key(req.query_string()).is_some_and(|k| k == a.api_key)
    };
    if !key_ok {
        return error(&E2eError::unauthorized("Invalid API key"), fresh);
    }
    let budget = match lock(&sim.limiter).take(&token, Instant::now(), unix_now()) {
        Ok(b) => b,
        Err(b) => return error(&E2eError::too_many_requests(), b),
    };
    match fault {
        Some(Fault::TooMany) => {
            let b = Budget {
                remaining: 0,
                ..budget
            };
            return error(&E2eError::too_many_requests(), b);
        }
        Some(Fault::Error) => return error(&E2eError::internal(), budget),
        Some(Fault::Malformed) => {
            return respond(
                200,
                "{\"code\": 200, \"message\": \"Succ<html>Bad Gateway".into(),
                budget,
            );
        }
        _ => {}
    }

    let now = sim.clock.now();
    let (status, value) = {
        let mut a = lock(account);
        routes::dispatch(
            &mut a,
            &sim.cat,
            req.method().as_str(),
            req.path(),
            req.query_string(),
            &body,
            now,
        )
    };
    respond(status, value.to_string(), budget)
}
