//! The stateful fake of E2E Networks' MyAccount API (the panel's second
//! provider), built from `e2e-api/` (01-introduction, 02-nodes, 03-images).
//!
//! It serves the OS catalogue and plans, nodes (create, list, get, delete,
//! actions, committed billing) and saved images, for per-token isolated
//! accounts that each also need their API key; every answer is MyAccount's
//! `{code, message, data, errors}` envelope. It shares the Cloud Panel
//! simulator's fault knobs, `/__sim/faults` control endpoint and clock, but
//! has its own sliding rate limit (each request expires one window after it
//! was made) with the `RateLimit-*` headers.

mod actions;
mod catalogue;
mod envelope;
mod fields;
mod http;
mod images;
mod limits;
mod nodes;
mod req;
mod routes;
mod seed;
mod state;
#[cfg(test)]
mod tests;

use super::{Faults, Seed, SimulateArgs};
use crate::simulator::state::Clock;
use anyhow::Context;
use http::E2eSim;
use state::Account;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// E2E's limit: 5000 requests an hour per token.
pub const DEFAULT_RATE_LIMIT: u32 = 5000;
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(3600);

/// Every `(METHOD, PATH template)` served below `/myaccount/api/v1`, for a
/// test that keeps it equal to the client's table.
pub fn endpoints() -> Vec<(&'static str, &'static str)> {
    routes::ROUTES.iter().map(|r| (r.method, r.path)).collect()
}

#[derive(Debug, Clone)]
pub struct E2eSimConfig {
    /// (bearer token, api key) pairs; each pair is an isolated account.
    pub accounts: Vec<(String, String)>,
    /// Demo: a few nodes and one saved image; Empty: nothing but the catalogue.
    pub seed: Seed,
    pub rate_limit: u32,
    /// How long a request counts against the limit: an hour, like the API's; tests shorten it.
    pub rate_window: Duration,
    pub speed: f64,
    pub faults: Faults,
}

fn printable(s: &str) -> bool {
    !s.trim().is_empty() && !s.chars().any(char::is_control)
}

impl E2eSimConfig {
    /// Demo seed, 5000 requests an hour, real-time transitions, no faults.
    pub fn demo(accounts: Vec<(String, String)>) -> Self {
        E2eSimConfig {
            accounts,
            seed: Seed::Demo,
            rate_limit: DEFAULT_RATE_LIMIT,
            rate_window: DEFAULT_RATE_WINDOW,
            speed: 1.0,
            faults: Faults::default(),
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.accounts.is_empty() {
            anyhow::bail!("at least one --token is required");
        }
        for (i, (token, key)) in self.accounts.iter().enumerate() {
            if !printable(token) || !printable(key) {
                anyhow::bail!(
                    "token and API key #{} must be non-empty printable text",
                    i + 1
                );
            }
            if self.accounts[..i].iter().any(|(t, _)| t == token) {
                anyhow::bail!("token #{} is given twice; each token is one account", i + 1);
            }
        }
        if !(self.speed.is_finite() && self.speed > 0.0) {
            anyhow::bail!("speed must be a number greater than 0, got {}", self.speed);
        }
        if self.rate_window.is_zero() {
            anyhow::bail!("the rate limit's window must be longer than zero");
        }
        if self.rate_limit == 0 {
            anyhow::bail!("rate-limit must be at least 1 request per window");
        }
        self.faults.validate()
    }
}

impl TryFrom<&SimulateArgs> for E2eSimConfig {
    type Error = anyhow::Error;

    /// The i-th `--api-key` goes with the i-th `--token`; a token without one is its own key.
    fn try_from(a: &SimulateArgs) -> anyhow::Result<Self> {
        if a.api_keys.len() > a.tokens.len() {
            anyhow::bail!(
                "{} --api-key for {} --token: each key goes with the token in the same position",
                a.api_keys.len(),
                a.tokens.len()
            );
        }
        let accounts = a
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), a.api_keys.get(i).unwrap_or(t).clone()))
            .collect();
        let c = E2eSimConfig {
            accounts,
            seed: a.seed,
            rate_limit: a.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT),
            rate_window: DEFAULT_RATE_WINDOW,
            speed: a.speed,
            faults: a.faults(),
        };
        c.validate()?;
        Ok(c)
    }
}

/// An E2E simulator serving in the background.
pub struct RunningE2eSimulator {
    /// e.g. `http://127.0.0.1:9000/myaccount/api/v1`
    pub base_url: String,
    pub addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    sim: Arc<E2eSim>,
}

impl std::fmt::Debug for RunningE2eSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningE2eSimulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningE2eSimulator {
    /// The fault knobs in force.
    pub fn faults(&self) -> Faults {
        self.sim.faults()
    }

    /// Replaces the fault knobs (the same as `POST /__sim/faults`).
    pub fn set_faults(&self, faults: Faults) -> anyhow::Result<()> {
        faults.validate()?;
        self.sim.set_faults(faults);
        Ok(())
    }

    /// `{"nodes": [...], "saved_images": [...]}` as the API shows them for a
    /// bearer token; None for an unknown token.
    pub fn snapshot(&self, token: &str) -> Option<serde_json::Value> {
        self.sim.snapshot(token)
    }

    /// Stops serving; in-flight requests get a moment to finish.
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

fn build(config: &E2eSimConfig) -> anyhow::Result<E2eSim> {
    config.validate()?;
    let cat = catalogue::Catalogue::new();
    let mut accounts = HashMap::new();
    for (token, key) in &config.accounts {
        let mut a = Account::new(key);
        if config.seed == Seed::Demo {
            seed::demo(&mut a, &cat).context("Failed to seed the demo account")?;
        }
        accounts.insert(token.clone(), Mutex::new(a));
    }
    Ok(E2eSim {
        accounts,
        limiter: Mutex::new(limits::SlidingLimiter::new(
            config.rate_limit,
            config.rate_window,
        )),
        faults: RwLock::new(config.faults.clone()),
        clock: Clock::new(config.speed),
        cat,
    })
}

/// Serves the simulator on `listener` in a background task and returns at once.
pub async fn spawn_e2e(
    config: E2eSimConfig,
    listener: std::net::TcpListener,
) -> anyhow::Result<RunningE2eSimulator> {
    let sim = Arc::new(build(&config)?);
    let addr = listener
        .local_addr()
        .context("Failed to read the simulator's address")?;
    listener
        .set_nonblocking(true)
        .context("Failed to make the simulator's listener non-blocking")?;
    let data = actix_web::web::Data::from(sim.clone());
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .app_data(actix_web::web::PayloadConfig::new(1 << 20))
            .default_service(actix_web::web::to(http::handle))
    })
    // One worker: every demo and test starts one beside the Cloud Panel's.
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)
    .context("Failed to listen on the simulator's socket")?
    .run();
    let handle = server.handle();
    tokio::spawn(async move {
        if let Err(e) = server.await {
            tracing::error!(error = %e, "the E2E simulator stopped with an error");
        }
    });
    Ok(RunningE2eSimulator {
        base_url: format!("http://{addr}{}", routes::PREFIX),
        addr,
        handle,
        sim,
    })
}

/// `teampanel simulate --provider e2e`: binds, prints the address, serves until Ctrl-C.
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let config = E2eSimConfig::try_from(&args)?;
    let listener = std::net::TcpListener::bind(&args.bind)
        .with_context(|| format!("Failed to bind the simulator to {}", args.bind))?;
    let running = spawn_e2e(config.clone(), listener).await?;
    tracing::info!(base_url = %running.base_url, accounts = config.accounts.len(), "E2E simulator listening");
    println!("simulator listening on {}", running.base_url);
    tokio::signal::ctrl_c()
        .await
        .context("Failed to wait for Ctrl-C")?;
    running.stop().await;
    Ok(())
}
