//! Stale-but-shown: when a read fails, a page with an earlier good answer
//! shows that answer with a notice of what failed and how old it is; a change
//! marks what it affects as updating instead of throwing it away; only a
//! page with nothing to show is an error page, in the panel's layout.

use std::time::{Duration, Instant};

use teampanel::simulator::Faults;

use crate::helpers::{TestApp, csrf_token, text_of as text};

const ORG: &str = "/o/demo";

/// The demo with the panel's settings adjusted too: these tests need short
/// upstream timeouts.
pub(crate) use crate::helpers::spawn_demo_configured as spawn;

fn set_faults(app: &TestApp, faults: Faults) {
    app.simulator
        .as_ref()
        .expect("a simulator")
        .set_faults(faults)
        .expect("valid faults");
}

fn server_ids(app: &TestApp) -> Vec<(String, String)> {
    app.sim_items("servers")
        .iter()
        .filter_map(|s| Some((s["id"].as_str()?.to_owned(), s["name"].as_str()?.to_owned())))
        .collect()
}

/// Reproduces the fault-mix measurement: six members browse the server
/// pages and rename servers while the API answers 20% of requests with 500,
/// 10% with a body that is not JSON, and lets 5% hang, all 100 ms late.
/// Every page was shown once before the faults begin; it prints how many
/// page views were error pages. Loopback only; `STALE_LOAD_SECS` (default
/// 30, at most 60) bounds it.
///
/// `cargo test --test integration stale::fault_mix_load -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: run it by hand"]
async fn fault_mix_load() {
    let secs: u64 = std::env::var("STALE_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
        .min(60);
    let app = spawn(
        |s| {
            s.upstream_timeout = Duration::from_secs(2);
            s.login_attempts_per_account = 100;
            s.login_attempts_per_ip = 100;
        },
        |c| {
            c.speed = 50.0;
            c.rate_limit = 100_000;
        },
    )
    .await;
    let servers = server_ids(&app);
    let mut clients = Vec::new();
    for _ in 0..6 {
        let c = app.admin().await;
        let (status, _) = app.get_html(&c, &format!("{ORG}/servers")).await;
        assert_eq!(status, 200);
        for (id, _) in &servers {
            let (status, _) = app.get_html(&c, &format!("{ORG}/servers/{id}")).await;
            assert_eq!(status, 200);
        }
        clients.push(c);
    }
    set_faults(
        &app,
        Faults {
            latency_ms: 100,
            error_rate: 0.2,
            malformed_rate: 0.1,
            hang_rate: 0.05,
            ..Faults::default()
        },
    );
    let app = std::sync::Arc::new(app);
    let servers = std::sync::Arc::new(servers);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for (n, c) in clients.into_iter().enumerate() {
        let app = app.clone();
        let servers = servers.clone();
        tasks.push(tokio::spawn(async move {
            let (mut views, mut errors) = (0u32, 0u32);
            let mut i = n;
            while Instant::now() < deadline {
                i += 1;
                let (id, name) = &servers[i % servers.len()];
                let path = if i % 3 == 0 {
                    format!("{ORG}/servers")
                } else {
                    format!("{ORG}/servers/{id}")
                };
                let (status, html) = app.get_html(&c, &path).await;
                views += 1;
                if status != 200 {
                    errors += 1;
                }
                if i % 4 == 0
                    && let Some(token) = csrf_token(&html)
                {
                    let new_name = format!("{name}-{}", i % 2);
                    let _ = c
                        .post(app.url(&format!("{ORG}/servers/{id}/rename")))
                        .form(&[
                            ("name", new_name.as_str()),
                            ("description", ""),
                            ("csrf_token", token.as_str()),
                        ])
                        .send()
                        .await;
                    let (status, _) = app.get_html(&c, &format!("{ORG}/servers/{id}")).await;
                    views += 1;
                    if status != 200 {
                        errors += 1;
                    }
                }
            }
            (views, errors)
        }));
    }
    let (mut views, mut errors) = (0, 0);
    for t in tasks {
        let (v, e) = t.await.expect("a client");
        views += v;
        errors += e;
    }
    println!("fault mix, {secs} s, 6 clients: {errors} error pages of {views} page views");
}

/// A demo whose reads always ask the API (so a fault is met at once), with
/// a high rate limit and quick transitions.
async fn spawn_uncached() -> TestApp {
    spawn(
        |s| {
            s.cache_ttl = Duration::ZERO;
            s.upstream_timeout = Duration::from_secs(2);
        },
        |c| {
            c.speed = 50.0;
            c.rate_limit = 100_000;
        },
    )
    .await
}

#[tokio::test]
async fn a_page_shown_before_the_faults_is_shown_stale_and_one_never_shown_is_an_error_with_a_retry()
 {
    let app = spawn_uncached().await;
    let admin = app.admin().await;
    let servers = server_ids(&app);
    let ((seen, seen_name), (unseen, _)) = (&servers[0], &servers[1]);
    let (status, _) = app.get_html(&admin, &format!("{ORG}/servers")).await;
    assert_eq!(status, 200);
    let (status, _) = app.get_html(&admin, &format!("{ORG}/servers/{seen}")).await;
    assert_eq!(status, 200);

    set_faults(
        &app,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );

    // The page shown before: its last answer, with what failed and its age.
    let (status, html) = app.get_html(&admin, &format!("{ORG}/servers/{seen}")).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(text(&html, "h1"), *seen_name);
    let notice = text(&html, "[data-stale-notice], .flash-warn");
    assert!(notice.contains("s ago"), "{notice}");
    assert!(notice.contains("answered with an error (500)"), "{notice}");

    // A refreshing row keeps its last state.
    let row = app.get(&admin, &format!("{ORG}/servers/{seen}/row")).await;
    assert_eq!(row.status().as_u16(), 200);
    assert_eq!(
        row.headers()
            .get("x-fragment")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert!(
        row.text()
            .await
            .unwrap_or_default()
            .contains(seen_name.as_str())
    );

    // A malformed body is a failure of the same kind.
    set_faults(
        &app,
        Faults {
            malformed_rate: 1.0,
            ..Faults::default()
        },
    );
    let (status, html) = app.get_html(&admin, &format!("{ORG}/servers/{seen}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        text(&html, ".flash-warn").contains("could not be read"),
        "{html}"
    );

    // And one that never answers: the page waits a while, then shows the
    // last answer (the read goes on and refreshes the cache).
    set_faults(
        &app,
        Faults {
            hang_rate: 1.0,
            ..Faults::default()
        },
    );
    let started = Instant::now();
    let (status, html) = app.get_html(&admin, &format!("{ORG}/servers/{seen}")).await;
    assert_eq!(status, 200, "{html}");
    // The server, then the form lists: two waits of 3 s at most.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        text(&html, ".flash-warn").contains("did not answer in time"),
        "{html}"
    );
    set_faults(
        &app,
        Faults {
            malformed_rate: 1.0,
            ..Faults::default()
        },
    );

    // A server never shown by itself is drawn from the list shown before,
    // with what failed and its age.
    let (status, html) = app
        .get_html(&admin, &format!("{ORG}/servers/{unseen}"))
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(text(&html, ".flash-warn").contains("s ago"), "{html}");

    // A page with nothing known: the panel's error page, in its layout,
    // saying what failed, with a retry.
    let (status, html) = app
        .get_html(&admin, &format!("{ORG}/vpns/NEVERSEEN0000"))
        .await;
    assert_eq!(status, 502, "{html}");
    assert!(html.contains("class=\"sidenav\""), "in the layout: {html}");
    let card = text(&html, ".error-card");
    assert!(card.contains("Could not load this VPN"), "{card}");
    assert!(card.contains("could not read"), "{card}");
    assert!(card.contains("Retry"), "{card}");
}

#[tokio::test]
async fn after_a_change_the_page_shows_the_last_known_state_as_updating_with_the_budget_spent() {
    let app = spawn(
        |_| {},
        |c| {
            c.speed = 50.0;
            c.rate_limit = 100_000;
        },
    )
    .await;
    let admin = app.admin().await;
    let (id, name) = server_ids(&app).remove(0);
    let page = format!("{ORG}/servers/{id}");
    let (status, _) = app.get_html(&admin, &format!("{ORG}/servers")).await;
    assert_eq!(status, 200);
    let (status, html) = app.get_html(&admin, &page).await;
    assert_eq!(status, 200);
    let token = csrf_token(&html).expect("a form");

    let response = admin
        .post(app.url(&format!("{page}/rename")))
        .form(&[
            ("name", "renamed-in-the-outage"),
            ("description", ""),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303);
    let renamed = app
        .sim_items("servers")
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .expect("the server");
    assert_eq!(renamed["name"], "renamed-in-the-outage");
    // From here on the API refuses every request: the request limit is spent.
    set_faults(
        &app,
        Faults {
            force_429: true,
            ..Faults::default()
        },
    );

    let (status, html) = app.get_html(&admin, &page).await;
    assert_eq!(status, 200, "not an error page: {html}");
    assert!(
        text(&html, ".flash-success").contains("renamed-in-the-outage"),
        "{html}"
    );
    // The last known state, marked as updating, and refreshing itself.
    assert_eq!(text(&html, "h1"), name);
    let notice = text(&html, ".flash-warn");
    assert!(
        notice.contains("before the latest change, updating"),
        "{notice}"
    );
    assert!(notice.contains("rate budget spent"), "{notice}");
    assert!(html.contains("data-refresh-url"), "{html}");

    // Again, now refused by the panel's own budget before any request.
    let (status, html) = app.get_html(&admin, &page).await;
    assert_eq!(status, 200, "{html}");
    assert!(text(&html, ".flash-warn").contains("updating"), "{html}");
    // The refreshing badge keeps the last state too.
    let status_fragment = app.get(&admin, &format!("{page}/status")).await;
    assert_eq!(status_fragment.status().as_u16(), 200);
    assert!(
        status_fragment
            .text()
            .await
            .unwrap_or_default()
            .contains("data-refresh-url")
    );
    crate::servers::assert_audited_pair(&app, "server.rename").await;
}

#[tokio::test]
async fn a_section_that_cannot_load_shows_one_message_and_no_none_beside_it() {
    let app = spawn_uncached().await;
    let admin = app.admin().await;
    // A member who may see servers only: the server is read, the lists the
    // admin's page needs are not.
    let viewer = app
        .member_with("viewer@example.org", &["servers.show"])
        .await;
    let (id, _) = server_ids(&app).remove(0);
    let page = format!("{ORG}/servers/{id}");
    let (status, _) = app.get_html(&viewer, &page).await;
    assert_eq!(status, 200);

    set_faults(
        &app,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    let (status, html) = app.get_html(&admin, &page).await;
    assert_eq!(status, 200, "{html}");
    let storages = text(&html, "#storages");
    assert!(
        storages.contains("Could not load the block storages"),
        "{storages}"
    );
    assert!(!storages.contains("None attached"), "{storages}");
    let networks = text(&html, "#networks");
    assert!(
        !networks.contains("Could not load the private networks"),
        "{networks}"
    );
    assert!(
        networks.contains("Could not load the networks this server could join"),
        "{networks}"
    );

    // A list never shown: one message with a retry, no count, no "none".
    let (status, html) = app.get_html(&admin, &format!("{ORG}/block_storages")).await;
    assert_eq!(status, 200, "{html}");
    let problem = text(&html, ".flash-error");
    assert!(
        problem.contains("Could not load the block storages"),
        "{problem}"
    );
    assert!(problem.contains("Retry"), "{problem}");
    assert!(!html.contains("No block storages"), "{html}");
    assert!(!html.contains("0 block storages"), "{html}");
}

#[tokio::test]
async fn a_failed_change_is_not_retried_and_leaves_its_failed_outcome() {
    let app = spawn_uncached().await;
    let admin = app.admin().await;
    let (id, name) = server_ids(&app).remove(0);
    let page = format!("{ORG}/servers/{id}");
    let (_, html) = app.get_html(&admin, &page).await;
    let token = csrf_token(&html).expect("a form");
    set_faults(
        &app,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );

    let before = app.state.cloud.counters();
    let response = admin
        .post(app.url(&format!("{page}/rename")))
        .form(&[
            ("name", "never-renamed"),
            ("description", ""),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("POST");
    let after = app.state.cloud.counters();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(after.upstream_calls - before.upstream_calls, 1, "sent once");
    assert_eq!(after.retries, before.retries);

    let rows = crate::servers::audit_rows(&app, "server.rename").await;
    let outcomes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(outcomes, ["requested", "failed"]);
    assert_eq!(rows[0].1, rows[1].1, "one correlation id");

    // The page says the change failed, above the last known state.
    let (status, html) = app.get_html(&admin, &page).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        text(&html, ".flash-error").contains("internal problem (500)"),
        "{html}"
    );
    assert_eq!(text(&html, "h1"), name);
    let server = app
        .sim_items("servers")
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .expect("the server");
    assert_eq!(server["name"], name.as_str());
}

/// The demo's target: at 25 requests a minute, a member who changes one
/// server every 4 s (power off, power on, reboot, rename) and looks at the
/// page after each never gets an error page, and no change is refused: a
/// change the budget cannot take waits in the account's queue. Prints the
/// changes refused and queued, then (once the queue has drained, at most
/// `STALE_DEMO_SECS` more) how many ran, failed, were cancelled or
/// abandoned, and the longest wait in the queue. `STALE_DEMO_SECS`
/// (default 120) bounds the loop.
///
/// `cargo test --test integration stale::demo_changes_every_four_seconds -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement in real time: run it by hand"]
async fn demo_changes_every_four_seconds() {
    let secs: u64 = std::env::var("STALE_DEMO_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120)
        .min(300);
    let app = spawn(|_| {}, |c| c.speed = 1.0).await;
    let admin = app.admin().await;
    let (id, name) = server_ids(&app).remove(0);
    let page = format!("{ORG}/servers/{id}");
    let (status, mut html) = app.get_html(&admin, &page).await;
    assert_eq!(status, 200);
    let (mut views, mut errors, mut refused, mut queued) = (0u32, 0u32, 0u32, 0u32);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut step = 0usize;
    while Instant::now() < deadline {
        let started = Instant::now();
        let token = csrf_token(&html).unwrap_or_default();
        let renamed = format!("{name}-{step}");
        let (path, form): (&str, Vec<(&str, &str)>) = match step % 4 {
            0 => (
                "power",
                vec![("action", "POWER_OFF"), ("method", "SOFTWARE")],
            ),
            1 => ("power", vec![("action", "POWER_ON")]),
            2 => ("power", vec![("action", "REBOOT"), ("method", "SOFTWARE")]),
            _ => ("rename", vec![("name", &renamed), ("description", "")]),
        };
        let mut form = form;
        form.push(("csrf_token", &token));
        let response = admin
            .post(app.url(&format!("{page}/{path}")))
            .form(&form)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status().as_u16(), 303);
        let (status, body) = app.get_html(&admin, &page).await;
        views += 1;
        if status != 200 {
            errors += 1;
            eprintln!("step {step}: {status} {}", text(&body, "main"));
        } else {
            html = body;
            let said_error = text(&html, ".flash-error");
            if said_error.contains("request limit") || said_error.contains("queue") {
                refused += 1;
            }
            if text(&html, ".flash-info").contains("Queued") {
                queued += 1;
            }
        }
        step += 1;
        tokio::time::sleep(Duration::from_secs(4).saturating_sub(started.elapsed())).await;
    }
    // The queue drains at the pace of the budget and of the server's own
    // transitions (each power change waits for the one before it to
    // settle), so it is given up to ten minutes and the time is printed.
    let loop_ended = Instant::now();
    let drained_by = loop_ended + Duration::from_secs(600);
    let states = loop {
        let states: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) FROM change_queue GROUP BY state ORDER BY state",
        )
        .fetch_all(app.state.raw_db())
        .await
        .expect("the queue's states");
        let waiting = states
            .iter()
            .any(|(state, _)| state == "queued" || state == "running");
        if !waiting || Instant::now() >= drained_by {
            break states;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let waits: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT created_at, started_at FROM change_queue")
            .fetch_all(app.state.raw_db())
            .await
            .expect("the queue's times");
    let longest = waits
        .iter()
        .filter_map(|(created, started)| {
            let created = chrono::DateTime::parse_from_rfc3339(created).ok()?;
            let started = chrono::DateTime::parse_from_rfc3339(started.as_deref()?).ok()?;
            Some((started - created).num_milliseconds())
        })
        .max()
        .unwrap_or(0);
    let failures: Vec<(String, i64)> = sqlx::query_as(
        "SELECT COALESCE(error, ''), COUNT(*) FROM change_queue WHERE state = 'failed' \
         GROUP BY error ORDER BY COUNT(*) DESC",
    )
    .fetch_all(app.state.raw_db())
    .await
    .expect("the queue's failures");
    for (error, count) in &failures {
        println!("  failed upstream {count}x: {error}");
    }
    println!(
        "demo, {secs} s, a change every 4 s: {errors} error pages of {views} page views; \
         {step} changes: {refused} refused, {queued} queued; in the queue afterwards: {states:?}; \
         longest wait in the queue {:.1} s; the queue drained {:.0} s after the last change",
        longest as f64 / 1000.0,
        loop_ended.elapsed().as_secs_f64()
    );
}

/// A check that decides what a member may change never rests on an older
/// answer: a rename by a member who may not change descriptions is refused
/// while only a stale copy of the server can be read.
#[tokio::test]
async fn a_permission_check_is_never_made_on_a_stale_answer() {
    let app = spawn_uncached().await;
    let renamer = app
        .member_with("renamer@example.org", &["servers.show", "servers.set_name"])
        .await;
    let (id, name) = server_ids(&app).remove(0);
    let page = format!("{ORG}/servers/{id}");
    let (status, html) = app.get_html(&renamer, &page).await;
    assert_eq!(status, 200);
    let token = csrf_token(&html).expect("a form");
    let description = app
        .sim_items("servers")
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .and_then(|s| s["description"].as_str().map(str::to_owned))
        .unwrap_or_default();
    set_faults(
        &app,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );

    let before = app.state.cloud.counters();
    let response = renamer
        .post(app.url(&format!("{page}/rename")))
        .form(&[
            ("name", "renamed-blind"),
            ("description", description.as_str()),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303);
    // One read was tried (and failed); no change was sent.
    let after = app.state.cloud.counters();
    assert_eq!(after.upstream_calls - before.upstream_calls, 1);
    assert!(
        crate::servers::audit_rows(&app, "server.rename")
            .await
            .is_empty()
    );
    let (_, html) = app.get_html(&renamer, &page).await;
    assert!(
        text(&html, ".flash-error").contains("Nothing was changed"),
        "{html}"
    );
    let server = app
        .sim_items("servers")
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .expect("the server");
    assert_eq!(server["name"], name.as_str());
}
