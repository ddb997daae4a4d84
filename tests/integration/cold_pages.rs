//! How long each page takes on a cold cache when every Cloud Panel answer
//! comes 200 ms late: a page whose reads go out side by side waits for the
//! slowest, about one or two latencies, not for their sum.

use std::time::{Duration, Instant};

use scraper::{Html, Selector};
use teampanel::simulator::Faults;

use crate::helpers::{TestApp, spawn_demo_configured};

const ORG: &str = "/o/demo";
const LATENCY_MS: u64 = 200;
/// Two latencies (a read that needs an earlier answer) and some slack.
const BOUND_MS: u128 = 2 * LATENCY_MS as u128 + 100;

/// The demo with the simulator's rate limit out of the way.
async fn spawn() -> TestApp {
    spawn_demo_configured(
        |s| s.upstream_timeout = Duration::from_secs(10),
        |c| {
            c.speed = 50.0;
            c.rate_limit = 1_000_000;
        },
    )
    .await
}

fn hrefs(html: &str, selector: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("selector");
    doc.select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .map(str::to_owned)
        .collect()
}

/// A page of the organisation, once (whatever its query).
fn add(href: String, pages: &mut Vec<String>) {
    if href.starts_with(ORG) && !pages.iter().any(|p| path_of(p) == path_of(&href)) {
        pages.push(href);
    }
}

fn path_of(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}

/// An id in an address: the Cloud Panel's hex ids and the panel's numbers have digits.
fn is_id(segment: &str) -> bool {
    segment.bytes().any(|b| b.is_ascii_digit())
}

/// The links of a page's main part one level under `base` (`{base}/{x}`):
/// the first to an item (`x` an id), and all others (forms, sibling pages).
fn children(base: &str, html: &str) -> (Option<String>, Vec<String>) {
    let base = path_of(base).trim_end_matches('/');
    let mut item = None;
    let mut others: Vec<String> = Vec::new();
    for href in hrefs(html, "main a[href]") {
        let Some(rest) = path_of(&href).strip_prefix(base) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix('/') else {
            continue;
        };
        if rest.is_empty() || rest.contains('/') {
            continue;
        }
        if is_id(rest) {
            item.get_or_insert(href);
        } else if !others.iter().any(|o| path_of(o) == path_of(&href)) {
            others.push(href);
        }
    }
    (item, others)
}

/// The first link of each kind of part of an item's page
/// (`{item}/ips/{id}`, `{item}/users/{id}`, ...).
fn parts(item: &str, html: &str) -> Vec<String> {
    let item = path_of(item);
    let mut kinds: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for href in hrefs(html, "main a[href]") {
        let Some(rest) = path_of(&href).strip_prefix(item) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix('/') else {
            continue;
        };
        let segments: Vec<&str> = rest.split('/').collect();
        if let [kind, id] = segments[..]
            && !is_id(kind)
            && is_id(id)
            && !kinds.iter().any(|k| k == kind)
        {
            kinds.push(kind.to_owned());
            found.push(href);
        }
    }
    found
}

/// Times one GET of every page of the demo on a cold cache, the API
/// answering 200 ms late, and prints them with the upstream calls each made.
///
/// Run with `cargo test --release --test integration cold_pages:: -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: run it by hand"]
async fn cold_page_times() {
    let app = spawn().await;
    let c = app.admin().await;
    let account_id: i64 = sqlx::query_scalar("SELECT id FROM cloud_accounts ORDER BY id LIMIT 1")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();

    // Discover the pages, the cache warm and the API quick.
    let home_page = format!("{ORG}/");
    let (status, home) = app.get_html(&c, &home_page).await;
    assert_eq!(status, 200, "{home_page}");
    let mut pages: Vec<String> = Vec::new();
    add(home_page, &mut pages);
    for list in hrefs(&home, "nav.sidenav a[href]") {
        if !list.starts_with(ORG) {
            continue;
        }
        add(list.clone(), &mut pages);
        let (status, html) = app.get_html(&c, &list).await;
        if status != 200 {
            continue;
        }
        let (mut item, others) = children(&list, &html);
        for other in others {
            add(other.clone(), &mut pages);
            // A list of its own (the catalogue's): its first item too.
            if item.is_none() && !other.contains("/new") {
                let (status, html) = app.get_html(&c, &other).await;
                if status == 200 {
                    item = children(&other, &html).0;
                }
            }
        }
        let Some(item) = item else { continue };
        add(item.clone(), &mut pages);
        let (status, html) = app.get_html(&c, &item).await;
        if status != 200 {
            continue;
        }
        // Its forms (edit) and the first of each of its parts.
        for href in children(&item, &html)
            .1
            .into_iter()
            .chain(parts(&item, &html))
        {
            add(href, &mut pages);
        }
    }
    assert!(pages.len() > 1, "pages were discovered: {pages:?}");

    app.simulator
        .as_ref()
        .expect("a simulator")
        .set_faults(Faults {
            latency_ms: LATENCY_MS,
            ..Faults::default()
        })
        .expect("valid faults");

    println!(
        "\n{:<72} {:>6} {:>6} {:>5}",
        "page", "status", "ms", "calls"
    );
    let (mut worst, mut worst_ms, mut over) = (String::new(), 0u128, 0usize);
    for page in &pages {
        app.state.cloud.forget_account(account_id);
        let before = app.state.cloud.counters().upstream_calls;
        let started = Instant::now();
        let response = app.get(&c, page).await;
        let status = response.status().as_u16();
        let _ = response.bytes().await;
        let ms = started.elapsed().as_millis();
        let calls = app.state.cloud.counters().upstream_calls - before;
        let flag = if ms > BOUND_MS {
            over += 1;
            "  OVER"
        } else {
            ""
        };
        if ms > worst_ms {
            worst_ms = ms;
            worst.clone_from(page);
        }
        println!("{page:<72} {status:>6} {ms:>6} {calls:>5}{flag}");
    }
    println!(
        "\n{} pages; worst {worst} at {worst_ms} ms; {over} over {BOUND_MS} ms \
         (2 × {LATENCY_MS} ms + 100 ms)",
        pages.len()
    );
}
