//! A webhook receiver for the demo, on loopback: it answers every `POST`
//! under `/hooks` with 204 and keeps the last few deliveries, which a
//! `GET /hooks` lists as JSON (their headers and bodies), so the Webhooks
//! page can be tried without a server of one's own. It checks no
//! signature: it is never told a secret.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use anyhow::Context;
use serde_json::{Value, json};

/// Deliveries kept for `GET /hooks`.
const KEPT: usize = 20;

type Received = Arc<Mutex<VecDeque<Value>>>;

/// The receiver, running.
pub struct RunningReceiver {
    /// Where the demo's endpoints may point: this URL and anything beneath it.
    pub url: String,
    pub handle: actix_web::dev::ServerHandle,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    kept: web::Data<Mutex<VecDeque<Value>>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let delivery = json!({
        "path": req.path(),
        "delivery": header("x-teampanel-delivery"),
        "timestamp": header("x-teampanel-timestamp"),
        "event": header("x-teampanel-event"),
        "signature": header("x-teampanel-signature"),
        "body": serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
    });
    tracing::info!(
        delivery = %header("x-teampanel-delivery"),
        event = %header("x-teampanel-event"),
        "the demo's webhook receiver got a delivery"
    );
    if let Ok(mut kept) = kept.lock() {
        if kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back(delivery);
    }
    HttpResponse::NoContent().finish()
}

async fn list(kept: web::Data<Mutex<VecDeque<Value>>>) -> HttpResponse {
    let newest_first: Vec<Value> = kept
        .lock()
        .map(|k| k.iter().rev().cloned().collect())
        .unwrap_or_default();
    HttpResponse::Ok().json(newest_first)
}

/// Starts the receiver on `listener`.
pub fn spawn_receiver(listener: std::net::TcpListener) -> anyhow::Result<RunningReceiver> {
    let addr = listener
        .local_addr()
        .context("Failed to read the webhook receiver's address")?;
    listener
        .set_nonblocking(true)
        .context("Failed to make the webhook receiver's listener non-blocking")?;
    let kept: Received = Arc::default();
    let data = web::Data::from(kept);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .route("/hooks", web::get().to(list))
            .route("/hooks", web::post().to(receive))
            .route("/hooks/{rest:.*}", web::post().to(receive))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)
    .context("Failed to listen on the webhook receiver's socket")?
    .run();
    let handle = server.handle();
    tokio::spawn(async move {
        if let Err(e) = server.await {
            tracing::error!(error = %e, "the demo's webhook receiver stopped with an error");
        }
    });
    Ok(RunningReceiver {
        url: format!("http://{addr}/hooks"),
        handle,
    })
}
