//! The stateful fake of the Cloud Panel API.
//!
//! It follows the reference (`cloudpanel-api/REFERENCE.txt`): every endpoint
//! of `endpoints.tsv` with its method, success status and body shape; request
//! validation with the API's error bodies; per-token isolated accounts; the
//! rate limit and its headers; transitions over time; the list parameters;
//! and fault knobs for testing the panel's resilience.

mod access;
mod catalogue;
mod ctx;
pub mod e2e;
mod errors;
mod generic;
mod http;
mod limits;
mod list;
mod monitoring;
mod network;
mod readonly;
mod render;
mod router;
mod seed;
mod servers;
mod state;
mod storage;
mod validate;
pub mod webhook_receiver;

pub use errors::ApiError;
pub use limits::Faults;

use anyhow::Context;
use http::Sim;
use limits::RateLimiter;
use state::{Account, Clock};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

/// Every `(METHOD, PATH, SUCCESS_STATUS)` the simulator serves, as in endpoints.tsv.
pub fn endpoints() -> Vec<(&'static str, &'static str, u16)> {
    router::ROUTES
        .iter()
        .map(|r| (r.method, r.path, r.status))
        .collect()
}

/// What a new account starts with.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// A small account in several states: servers, storages, networks, policies.
    #[default]
    Demo,
    /// The catalogue, the account's own user and the built-in roles.
    Empty,
}

/// Which provider's API `teampanel simulate` serves.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
    /// IONOS Cloud Panel (`/v1`).
    #[default]
    Cloudpanel,
    /// E2E Networks MyAccount (`/myaccount/api/v1`).
    E2e,
}

/// The flags of `teampanel simulate`.
#[derive(clap::Args, Debug, Clone)]
pub struct SimulateArgs {
    /// The API to serve.
    #[arg(long, value_enum, default_value_t = Provider::Cloudpanel)]
    pub provider: Provider,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub bind: String,
    /// An API token to accept; each one is an isolated account (repeatable).
    #[arg(long = "token", required = true)]
    pub tokens: Vec<String>,
    /// e2e only: the API key of the --token in the same position (repeatable);
    /// a token without one uses itself as its key.
    #[arg(long = "api-key")]
    pub api_keys: Vec<String>,
    /// What each account starts with.
    #[arg(long, value_enum, default_value_t = Seed::Demo)]
    pub seed: Seed,
    /// Requests per window per token [default: 25 a minute for cloudpanel, 5000 an hour for e2e].
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Time factor for every transition: 10 makes everything ten times faster.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Milliseconds added to every answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests answered 500 (0..=1).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Answer every request with 429.
    #[arg(long)]
    pub force_429: bool,
    /// Share of requests answered 200 with a body that is not JSON (0..=1).
    #[arg(long, default_value_t = 0.0)]
    pub malformed_rate: f64,
    /// Share of requests that never get an answer (0..=1).
    #[arg(long, default_value_t = 0.0)]
    pub hang_rate: f64,
}

impl SimulateArgs {
    /// The fault knobs the flags set.
    pub fn faults(&self) -> Faults {
        Faults {
            latency_ms: self.latency_ms,
            error_rate: self.error_rate,
            force_429: self.force_429,
            malformed_rate: self.malformed_rate,
            hang_rate: self.hang_rate,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub tokens: Vec<String>,
    pub seed: Seed,
    pub rate_limit: u32,
    /// The rate limit's window: a minute, like the API's; tests shorten it.
    pub rate_window: std::time::Duration,
    pub speed: f64,
    pub faults: Faults,
}

impl SimConfig {
    /// Demo seed, 25 requests a minute, real-time transitions, no faults.
    pub fn demo(tokens: Vec<String>) -> Self {
        SimConfig {
            tokens,
            seed: Seed::Demo,
            rate_limit: 25,
            rate_window: std::time::Duration::from_secs(60),
            speed: 1.0,
            faults: Faults::default(),
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.tokens.is_empty() {
            anyhow::bail!("at least one --token is required");
        }
        if let Some(t) = self
            .tokens
            .iter()
            .find(|t| t.trim().is_empty() || t.chars().any(char::is_control))
        {
            anyhow::bail!("token {t:?} must be non-empty printable text");
        }
        if !(self.speed.is_finite() && self.speed > 0.0) {
            anyhow::bail!("speed must be a number greater than 0, got {}", self.speed);
        }
        if self.rate_window.is_zero() {
            anyhow::bail!("the rate limit's window must be longer than zero");
        }
        if self.rate_limit == 0 {
            anyhow::bail!("rate-limit must be at least 1 request per minute");
        }
        self.faults.validate()
    }
}

impl TryFrom<&SimulateArgs> for SimConfig {
    type Error = anyhow::Error;

    fn try_from(a: &SimulateArgs) -> anyhow::Result<Self> {
        if !a.api_keys.is_empty() {
            anyhow::bail!("--api-key only applies to --provider e2e");
        }
        let c = SimConfig {
            tokens: a.tokens.clone(),
            seed: a.seed,
            rate_limit: a.rate_limit.unwrap_or(25),
            rate_window: std::time::Duration::from_secs(60),
            speed: a.speed,
            faults: a.faults(),
        };
        c.validate()?;
        Ok(c)
    }
}

/// A simulator serving in the background.
pub struct RunningSimulator {
    /// e.g. `http://127.0.0.1:9000/v1`
    pub base_url: String,
    pub addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    sim: Arc<Sim>,
}

impl std::fmt::Debug for RunningSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSimulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningSimulator {
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

    /// Every collection of a token's account as the API shows it, keyed by
    /// collection (`servers`, `public_ips`, ...); None for an unknown token.
    pub fn snapshot(&self, token: &str) -> Option<serde_json::Value> {
        self.sim.snapshot(token)
    }

    /// Stops serving; in-flight requests get a moment to finish.
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

fn build(config: &SimConfig) -> anyhow::Result<Sim> {
    config.validate()?;
    let cat = catalogue::Catalogue::new();
    let mut accounts = HashMap::new();
    for t in &config.tokens {
        let mut a = Account::new(t);
        match config.seed {
            Seed::Empty => seed::empty(&mut a, t),
            Seed::Demo => seed::demo(&mut a, &cat, t)
                .map_err(|e| anyhow::anyhow!("{} {}", e.kind, e.message))
                .context("Failed to seed the demo account")?,
        }
        accounts.insert(t.clone(), Mutex::new(a));
    }
    Ok(Sim {
        accounts,
        limiter: Mutex::new(RateLimiter::with_window(
            config.rate_limit,
            config.rate_window,
        )),
        faults: RwLock::new(config.faults.clone()),
        clock: Clock::new(config.speed),
        cat,
    })
}

/// Serves the simulator on `listener` in a background task and returns at once.
pub async fn spawn(
    config: SimConfig,
    listener: std::net::TcpListener,
) -> anyhow::Result<RunningSimulator> {
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
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)
    .context("Failed to listen on the simulator's socket")?
    .run();
    let handle = server.handle();
    tokio::spawn(async move {
        if let Err(e) = server.await {
            tracing::error!(error = %e, "the simulator stopped with an error");
        }
    });
    Ok(RunningSimulator {
        base_url: format!("http://{addr}/v1"),
        addr,
        handle,
        sim,
    })
}

/// `teampanel simulate`: binds, logs the address, serves until Ctrl-C
/// (the E2E simulator's own `run` for `--provider e2e`).
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    if args.provider == Provider::E2e {
        return e2e::run(args).await;
    }
    let config = SimConfig::try_from(&args)?;
    let listener = std::net::TcpListener::bind(&args.bind)
        .with_context(|| format!("Failed to bind the simulator to {}", args.bind))?;
    let running = spawn(config.clone(), listener).await?;
    tracing::info!(base_url = %running.base_url, tokens = config.tokens.len(), "simulator listening");
    println!("simulator listening on {}", running.base_url);
    tokio::signal::ctrl_c()
        .await
        .context("Failed to wait for Ctrl-C")?;
    running.stop().await;
    Ok(())
}
