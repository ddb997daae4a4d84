//! The HTTP layer: faults, authentication, rate limit, routing, logs, and the
//! loopback-only control endpoint.

use super::catalogue::Catalogue;
use super::ctx::Ctx;
use super::errors::ApiError;
use super::limits::{self, Budget, Fault, Faults, RateLimiter};
use super::render;
use super::router::{self, Match};
use super::state::{Account, Clock, Kind, date_now, new_cloudpanel_id, new_id, obj};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

const MAX_LOGS: usize = 1000;
const HANG: Duration = Duration::from_secs(3600);

/// Everything the simulator holds, shared by the workers.
#[derive(Debug)]
pub struct Sim {
    pub accounts: HashMap<String, Mutex<Account>>,
    pub limiter: Mutex<RateLimiter>,
    pub faults: RwLock<Faults>,
    pub clock: Clock,
    pub cat: Catalogue,
}

/// The fault knobs in force; a poisoned lock still holds usable knobs.
pub(super) fn read_faults(f: &RwLock<Faults>) -> Faults {
    f.read()
        .map(|g| g.clone())
        .unwrap_or_else(|e| e.into_inner().clone())
}

/// Replaces the fault knobs, poisoned lock or not.
pub(super) fn write_faults(f: &RwLock<Faults>, new: Faults) {
    match f.write() {
        Ok(mut g) => *g = new,
        Err(e) => *e.into_inner() = new,
    }
}

/// A poisoned lock only means a handler panicked mid-change; the data is still usable.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sim {
    pub fn faults(&self) -> Faults {
        read_faults(&self.faults)
    }

    pub fn set_faults(&self, f: Faults) {
        write_faults(&self.faults, f);
    }

    /// Every collection of an account, as the API would show it.
    pub fn snapshot(&self, token: &str) -> Option<Value> {
        let acct = self.accounts.get(token)?;
        let mut a = lock(acct);
        a.tick(self.clock.now());
        let mut out = serde_json::Map::new();
        for k in Kind::ALL {
            let items: Vec<Value> = a.coll(k).iter().map(|r| render::render(&a, k, r)).collect();
            out.insert(k.name().into(), Value::Array(items));
        }
        Some(Value::Object(out))
    }
}

fn json_response(status: u16, body: &Value, budget: Option<Budget>) -> HttpResponse {
    let mut b = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    b.content_type("application/json");
    if let Some(bu) = budget {
        b.insert_header(("X-Rate-Limit-Limit", bu.limit.to_string()));
        b.insert_header(("X-Rate-Limit-Remaining", bu.remaining.to_string()));
        b.insert_header(("X-Rate-Limit-Reset", bu.reset_secs.to_string()));
    }
    b.body(body.to_string())
}

fn error_response(e: &ApiError, budget: Option<Budget>) -> HttpResponse {
    json_response(e.status, &e.body(), budget)
}

pub async fn handle(req: HttpRequest, body: web::Bytes, sim: web::Data<Sim>) -> HttpResponse {
    let path = req.path().to_string();
    if let Some(rest) = path.strip_prefix("/__sim/") {
        return control(&req, rest, &body, &sim.faults);
    }
    let faults = sim.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let fault = limits::draw(&faults);
    if fault == Some(Fault::Hang) {
        tokio::time::sleep(HANG).await;
        return error_response(&ApiError::internal(), None);
    }

    let token = req
        .headers()
        .get("X-TOKEN")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let Some(account) = sim.accounts.get(&token) else {
        let peek = lock(&sim.limiter).peek("", Instant::now());
        return error_response(&ApiError::unauthorized(), Some(peek));
    };
    let budget = match lock(&sim.limiter).take(&token, Instant::now()) {
        Ok(b) => b,
        Err(b) => return error_response(&ApiError::too_many_requests(), Some(b)),
    };
    match fault {
        Some(Fault::TooMany) => {
            let b = Budget {
                remaining: 0,
                ..budget
            };
            return error_response(&ApiError::too_many_requests(), Some(b));
        }
        Some(Fault::Error) => return error_response(&ApiError::internal(), Some(budget)),
        Some(Fault::Malformed) => {
            return HttpResponse::Ok()
                .content_type("application/json")
                .insert_header(("X-Rate-Limit-Limit", budget.limit.to_string()))
                .insert_header(("X-Rate-Limit-Remaining", budget.remaining.to_string()))
                .insert_header(("X-Rate-Limit-Reset", budget.reset_secs.to_string()))
                .body("{\"id\": \"7A1B<html>Service Unavail");
        }
        _ => {}
    }

    let Some(rest) = path.strip_prefix("/v1") else {
        return error_response(&ApiError::route_not_found(&path), Some(budget));
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    let method = req.method().as_str().to_string();
    let (route, params) = match router::find(&method, &segments) {
        Match::Found(r, p) => (r, p),
        Match::WrongMethod(allowed) => {
            let mut resp = error_response(
                &ApiError::method_not_allowed(&method, &allowed),
                Some(budget),
            );
            if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allowed.join(", ")) {
                resp.headers_mut().insert(actix_web::http::header::ALLOW, v);
            }
            return resp;
        }
        Match::NotFound => return error_response(&ApiError::route_not_found(&path), Some(budget)),
    };
    let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                let err = ApiError::invalid(format!("The request body is not valid JSON: {e}"));
                return error_response(&err, Some(budget));
            }
        }
    };
    let query: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();

    let now = sim.clock.now();
    let result = {
        let mut a = lock(account);
        a.tick(now);
        let mut ctx = Ctx {
            acct: &mut a,
            cat: &sim.cat,
            params,
            query,
            body,
            now,
        };
        let r = (route.handler)(&mut ctx);
        if r.is_ok() && req.method() != Method::GET {
            record(&mut ctx, &method, &segments, r.as_ref().ok());
        }
        r
    };
    match result {
        Ok(v) => json_response(route.status, &v, Some(budget)),
        Err(e) => error_response(&e, Some(budget)),
    }
}

/// Appends a log entry for a change, as `/logs` shows them.
fn record(c: &mut Ctx, method: &str, segments: &[&str], answer: Option<&Value>) {
    let family = segments.first().copied().unwrap_or("");
    let ty = match family {
        "servers" => "VM",
        "images" => "IMAGE",
        "block_storages" => "BLOCKSTORAGE",
        "shared_storages" => "SHAREDSTORAGE",
        "firewall_policies" => "FIREWALLPOLICY",
        "load_balancers" => "LOADBALANCER",
        "public_ips" => "PUBLICIP",
        "private_networks" => "PRIVATENETWORK",
        "vpns" => "VPN",
        "monitoring_policies" => "MONITORINGPOLICY",
        "ssh_keys" => "SSHKEY",
        "users" => "USER",
        "roles" => "ROLE",
        other => other,
    };
    let action = match (method, segments.len()) {
        ("POST", 1) => "CREATE",
        ("DELETE", 2) => "DELETE",
        ("PUT", n) if n >= 3 && segments.get(2) == Some(&"status") => "POWER",
        _ => "MODIFY",
    };
    let (rid, rname) = match answer {
        Some(v) if segments.len() <= 2 && v.get("id").is_some() => (
            v["id"].clone(),
            v.get("name").cloned().unwrap_or(Value::Null),
        ),
        _ => {
            let id = segments.get(1).copied().unwrap_or("");
            let name = Kind::ALL
                .iter()
                .find(|k| k.name() == family)
                .and_then(|k| c.acct.name_of(*k, id))
                .map_or(Value::Null, Value::String);
            (json!(id), name)
        }
    };
    let me = c.acct.me.clone();
    let user = c.acct.id_name(Kind::User, &me).unwrap_or(Value::Null);
    let date = date_now();
    let entry = obj(json!({
        "id": new_id(), "start_date": date, "end_date": date, "duration": 0,
        "status": {"state": "COMPLETED", "percent": 100}, "action": action, "type": ty,
        "resource": {"id": rid, "name": rname}, "details": {}, "user": user,
        "cloudpanel_id": format!("lg{}", new_cloudpanel_id()), "_t": chrono::Utc::now().timestamp(),
    }));
    c.acct.insert(Kind::Log, entry);
    let logs = c.acct.coll_mut(Kind::Log);
    if logs.len() > MAX_LOGS {
        let extra = logs.len() - MAX_LOGS;
        logs.drain(..extra);
    }
}

/// `GET/POST /__sim/faults`: only from loopback peers. It takes the knobs
/// rather than a `Sim` so that the E2E simulator serves the same endpoint.
pub(super) fn control(
    req: &HttpRequest,
    rest: &str,
    body: &[u8],
    faults: &RwLock<Faults>,
) -> HttpResponse {
    let loopback = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
    if !loopback {
        let e = ApiError::new(
            403,
            "NOT_ALLOWED_ERROR",
            "The control endpoint only answers loopback clients",
            Value::Null,
        );
        return error_response(&e, None);
    }
    match (req.method().as_str(), rest) {
        ("GET", "faults") => json_response(200, &json!(read_faults(faults)), None),
        ("POST" | "PUT", "faults") => match limits::parse_faults(body) {
            Ok(f) => {
                write_faults(faults, f.clone());
                json_response(200, &json!(f), None)
            }
            Err(e) => error_response(&e, None),
        },
        (_, "faults") => error_response(
            &ApiError::method_not_allowed(req.method().as_str(), &["GET", "POST"]),
            None,
        ),
        _ => error_response(&ApiError::route_not_found(req.path()), None),
    }
}
