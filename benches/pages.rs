//! Page latency under a short load: starts the panel on port 0 with a
//! temporary data dir and fires requests from a few concurrent clients.
//!
//! Run: `cargo bench --bench pages` (prints figures; asserts nothing).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a measuring harness: a failure should stop it loudly"
)]

use std::time::{Duration, Instant};

use teampanel::config::Settings;
use teampanel::startup::Application;

const REQUESTS: usize = 4000;
const CONCURRENCY: usize = 8;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn load(url: String) -> Vec<Duration> {
    let client = teampanel::tls::client_builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let mut timings = Vec::with_capacity(REQUESTS / CONCURRENCY);
    for _ in 0..REQUESTS / CONCURRENCY {
        let started = Instant::now();
        let response = client.get(&url).send().await.expect("request");
        let _ = response.bytes().await.expect("body");
        timings.push(started.elapsed());
    }
    timings
}

fn report(name: &str, mut timings: Vec<Duration>, wall: Duration) {
    timings.sort();
    println!(
        "{name}: {} requests, {CONCURRENCY} clients: median {:?}, p90 {:?}, p99 {:?}, {:.0} req/s",
        timings.len(),
        percentile(&timings, 0.5),
        percentile(&timings, 0.9),
        percentile(&timings, 0.99),
        timings.len() as f64 / wall.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().expect("addr"));
    let app = Application::build(settings).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    // Warm up connections and the page.
    let _ = load(format!("{base}/login")).await;

    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| tokio::spawn(load(format!("{base}/login"))))
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("task"));
    }
    report("GET /login", all, started.elapsed());
}
