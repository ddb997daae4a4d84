//! A bulk stop of N servers (20 by default) against the in-process
//! simulator at the reference's 25 requests a minute: the dry run's
//! estimate, side by side with the time measured from pressing "run" until
//! the last server's change has succeeded, on the path a member takes (the
//! servers list, the dry run, the run).
//!
//! Run: `cargo bench --bench bulk` (prints figures; asserts nothing).
//! `BULK_BENCH_SERVERS` changes N (e.g. 30, past one window's budget).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a measuring harness: a failure should stop it loudly"
)]

use std::time::{Duration, Instant};

use teampanel::config::Settings;

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
    let token = csrf(&html);
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

fn csrf(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

/// The text of the element with `id`, tags dropped.
fn text_of(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap();
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..];
    let mut out = String::new();
    let mut in_tag = false;
    for c in body[..body.find("</p>").unwrap_or(body.len())].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BULK_BENCH_SERVERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
    let window = settings.upstream_rate_window;
    let demo = teampanel::demo::prepare_with(settings, |config| {
        // The reference's budget; transitions fast, so new servers are up soon.
        config.rate_limit = 25;
        config.speed = 50.0;
    })
    .await
    .unwrap();
    let base = format!("http://127.0.0.1:{}", demo.app.port());
    let state = demo.app.state();
    let sim_base = demo.simulator.base_url.clone();
    let token = demo.token.clone();
    let password = demo.password.clone();
    tokio::spawn(demo.app.run_until_stopped());

    // N servers named bench-NNN, made straight through the simulator's API
    // (its budget, not the panel's), then a full window so both start whole.
    let raw = teampanel::tls::client_builder().build().unwrap();
    let get = |path: &str| {
        raw.get(format!("{sim_base}{path}"))
            .header("X-TOKEN", &token)
            .send()
    };
    let sizes: Vec<serde_json::Value> = get("/servers/fixed_instance_sizes")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let images: Vec<serde_json::Value> = get("/server_appliances")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut made = 0;
    while made < n {
        let body = serde_json::json!({
            "name": format!("bench-{made:03}"),
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
        if response.status().as_u16() == 429 {
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        }
        assert!(response.status().is_success(), "{}", response.status());
        made += 1;
    }
    println!("made {n} servers; waiting a window ({window:?}) for both budgets to be whole");
    tokio::time::sleep(window + Duration::from_secs(5)).await;

    let admin = signed_in(&base, teampanel::demo::ADMIN_EMAIL, &password).await;
    // The member's path: the list, the dry run, the run.
    let list = admin
        .get(format!("{base}/o/demo/servers"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fields = [
        ("csrf_token", csrf(&list)),
        ("action", "power_off".into()),
        ("by", "filter".into()),
        ("name_prefix", "bench-".into()),
        ("state", "POWERED_ON".into()),
    ];
    let plan = admin
        .post(format!("{base}/o/demo/bulk/plan"))
        .form(&fields)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let estimate = text_of(&plan, "bulk-estimate");
    let fields = [
        ("csrf_token", csrf(&plan)),
        ("action", "power_off".into()),
        ("by", "filter".into()),
        ("name_prefix", "bench-".into()),
        ("state", "POWERED_ON".into()),
    ];
    let started = Instant::now();
    let run = admin
        .post(format!("{base}/o/demo/bulk/run"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(run.status().as_u16(), 303, "the run starts");
    let db = state.raw_db();
    let last = loop {
        let (done, total): (i64, i64) = sqlx::query_as(
            "SELECT SUM(q.state IN ('succeeded', 'failed', 'dropped', 'cancelled', 'abandoned')),
                    COUNT(*)
             FROM bulk_items i JOIN change_queue q ON q.id = i.queue_id",
        )
        .fetch_one(db)
        .await
        .unwrap();
        if total > 0 && done == total {
            break started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let outcomes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT q.state, COUNT(*) FROM bulk_items i JOIN change_queue q ON q.id = i.queue_id
         GROUP BY q.state",
    )
    .fetch_all(db)
    .await
    .unwrap();
    println!("bulk stop of {n} servers at 25 requests a minute");
    println!("  dry-run estimate: {estimate}");
    println!("  measured, run pressed to last change done: {last:.1?}");
    println!("  outcomes: {outcomes:?}");
}
