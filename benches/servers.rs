//! The servers pages under a team's load, against the in-process simulator.
//!
//! 1. Render time of the servers list with 200 servers (warm cache): median
//!    and p99 of the whole request, and of the template alone.
//! 2. Upstream calls made while 10 members keep the servers page open for a
//!    minute (each reloads it every 10 s and polls its refreshing rows every
//!    2 s, as the page's script would), read from the client's counters.
//!
//! Run: `cargo bench --bench servers` (prints figures; asserts nothing).
//! `SERVERS_BENCH_SECONDS` shortens the one-minute phase.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a measuring harness: a failure should stop it loudly"
)]

use std::time::{Duration, Instant};

use teampanel::config::Settings;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    sorted.get(rank).copied().unwrap_or_default()
}

async fn signed_in(base: &str, email: &str, password: &str) -> reqwest::Client {
    let client = teampanel::tls::client_builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "sign-in");
    client
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
    // Eleven sessions of one account sign in at once; the sign-in throttle is not what is measured.
    settings.login_attempts_per_account = 1000;
    let demo = teampanel::demo::prepare_with(settings, |config| {
        config.rate_limit = 1_000_000;
        config.speed = 1.0;
    })
    .await
    .unwrap();
    let base = format!("http://127.0.0.1:{}", demo.app.port());
    let state = demo.app.state();
    let sim_base = demo.simulator.base_url.clone();
    let token = demo.token.clone();
    let password = demo.password.clone();
    tokio::spawn(demo.app.run_until_stopped());

    // Grow the account to 200 servers straight through the simulator's API.
    let raw = teampanel::tls::client_builder().build().unwrap();
    let existing = raw
        .get(format!("{sim_base}/servers"))
        .header("X-TOKEN", &token)
        .send()
        .await
        .unwrap()
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
        .len();
    let sizes: Vec<serde_json::Value> = raw
        .get(format!("{sim_base}/servers/fixed_instance_sizes"))
        .header("X-TOKEN", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let images: Vec<serde_json::Value> = raw
        .get(format!("{sim_base}/server_appliances"))
        .header("X-TOKEN", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for i in existing..200 {
        let body = serde_json::json!({
            "name": format!("bench-{i:03}"),
            "hardware": { "fixed_instance_size_id": sizes[0]["id"] },
            "appliance_id": images[0]["id"],
        });
        let response = raw
            .post(format!("{sim_base}/servers"))
            .header("X-TOKEN", &token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "creating server {i}: {}",
            response.status()
        );
    }

    // Phase 0: decoding the upstream list of 200 servers, the panel's main cost per page.
    let raw_list: serde_json::Value = raw
        .get(format!("{sim_base}/servers"))
        .header("X-TOKEN", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut decode = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let servers: Vec<teampanel::cloudpanel::servers::Server> =
            teampanel::cloudpanel::de::decode_items_ref(&raw_list);
        decode.push(started.elapsed());
        assert_eq!(servers.len(), 200);
    }
    decode.sort();
    println!(
        "decoding the 200-server list (200 times): median {:?}, p99 {:?}",
        percentile(&decode, 0.5),
        percentile(&decode, 0.99)
    );

    let member = signed_in(&base, teampanel::demo::ADMIN_EMAIL, &password).await;
    let list = format!("{base}/o/{}/servers", teampanel::demo::ORG_SLUG);

    // Phase 1: render time of the list page, cache warm.
    for _ in 0..20 {
        member
            .get(&list)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }
    let mut timings = Vec::new();
    for _ in 0..500 {
        let started = Instant::now();
        let body = member
            .get(&list)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        timings.push(started.elapsed());
        assert!(body.len() > 1000);
    }
    timings.sort();
    println!(
        "servers list, 200 servers, 25 per page, whole request over loopback (500 requests): median {:?}, p99 {:?}",
        percentile(&timings, 0.5),
        percentile(&timings, 0.99)
    );

    // For comparison: an organisation page that makes no upstream call.
    let overview = format!("{base}/o/{}/", teampanel::demo::ORG_SLUG);
    let mut timings = Vec::new();
    for _ in 0..500 {
        let started = Instant::now();
        member
            .get(&overview)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        timings.push(started.elapsed());
    }
    timings.sort();
    println!(
        "organisation overview (no upstream data), whole request (500 requests): median {:?}, p99 {:?}",
        percentile(&timings, 0.5),
        percentile(&timings, 0.99)
    );

    // Phase 2: 10 members with the page open for a minute.
    let seconds: u64 = std::env::var("SERVERS_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    // A fresh budget and cache, so the count covers only this phase.
    let before = state.cloud.counters();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let client = signed_in(&base, teampanel::demo::ADMIN_EMAIL, &password).await;
        let list = list.clone();
        tasks.push(tokio::spawn(async move {
            let mut requests = 0u64;
            while Instant::now() < deadline {
                let html = client
                    .get(&list)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                requests += 1;
                let refreshing: Vec<String> = html
                    .split("data-refresh-url=\"")
                    .skip(1)
                    .filter_map(|rest| rest.split('"').next().map(str::to_owned))
                    .collect();
                let reload_at = Instant::now() + Duration::from_secs(10);
                while Instant::now() < reload_at.min(deadline) {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    for url in &refreshing {
                        let _ = client
                            .get(format!("http://{}{url}", client_host(&list)))
                            .send()
                            .await
                            .unwrap()
                            .bytes()
                            .await;
                        requests += 1;
                    }
                }
            }
            requests
        }));
    }
    let mut panel_requests = 0;
    for task in tasks {
        panel_requests += task.await.unwrap();
    }
    let after = state.cloud.counters();
    println!(
        "10 members, servers page open for {seconds} s: {panel_requests} panel requests, {} upstream calls, {} cache hits, {} coalesced waits, {} stale answers, {} upstream 429s",
        after.upstream_calls - before.upstream_calls,
        after.cache_hits - before.cache_hits,
        after.coalesced_waits - before.coalesced_waits,
        after.stale_served - before.stale_served,
        after.upstream_429 - before.upstream_429,
    );
}

fn client_host(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}
