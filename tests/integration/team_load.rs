//! Team load (issue 22, item 8): what a team sees when its members browse
//! the demo organisation together while the Cloud Panel allows the
//! reference's 25 requests a minute. These are measurements, not checks:
//! they print figures and assert only that pages were discovered and viewed.
//!
//! Run them by hand, in a release build, one at a time:
//!
//! `cargo test --release --test integration team_load:: -- --ignored --nocapture --test-threads 1`
//!
//! Both send requests to the panel on 127.0.0.1 only (the simulator behind
//! it is in-process too) and stop by themselves.
//!
//! # How a view is judged
//!
//! - **Error page**: no answer within 60 s (status 0), a status of 400 or
//!   more, a page in the panel's error layout (`templates/errors/error.html`:
//!   the `error-card` class), or a redirect that ends on the sign-in page.
//!   Redirects within the panel are followed (as a browser does) and the
//!   page they end on is judged.
//! - **View without data**: a page that is not an error page whose `<main>`
//!   says some of its content could not be shown. The phrases, from the
//!   templates and `src/web` (a page has at least one of them in `<main>`):
//!   - `Could not load` — a list, card or section whose read failed
//!     (`web::cloud::read_problem`, `Loaded::from`, the catalogue's index,
//!     the overview's family and alert cards);
//!   - `Not read now` — an overview card skipped to keep the request budget
//!     (`org_home::may_read`);
//!   - `Not available right now` — a shared storage's access card;
//!   - the catalogue index's `<span class="muted">unavailable</span>` count
//!     (matched in the HTML, since the word alone could be a name).
//!
//!   Left out on purpose: the overview's account card "Not checked now"
//!   (a token health check skipped, not data) and a chart's "could not be
//!   read, so it is not drawn" (one missing amount in data that loaded).
//!   No page says "loading": a row still changing is shown with its last
//!   state and refreshes itself by script (`data-refresh-url`).
//! - **Age of the data**: every older-than-usual answer goes through
//!   `Fetched::freshness` ("data from 40 s ago", "12 min", "3 h"), shown in a
//!   `[data-stale-notice]` or a list's notice; the oldest such age in
//!   `<main>` is the view's age ("min" and "h" count as their lower bound).
//!   A page without one shows data within the cache's lifetime: age 0.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use crate::helpers::TestApp;

const ORG: &str = "/o/demo";

/// Text phrases in `<main>` that mark a view without (some of its) data.
/// "Loading" is what a page or card with nothing known yet says while the
/// request budget is spent (`data-fill-in`).
const NO_DATA_PHRASES: &[&str] = &[
    "Could not load",
    "Not read now",
    "Not available right now",
    "Loading",
];

/// HTML markers in `<main>` that mark a view without (some of its) data.
const NO_DATA_MARKERS: &[(&str, &str)] = &[
    (
        "<span class=\"muted\">unavailable</span>",
        "catalogue count unavailable",
    ),
    ("data-fill-in", "waiting for the budget"),
];

/// A view's answer longer than this is counted as no answer (status 0).
const VIEW_TIMEOUT: Duration = Duration::from_secs(60);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// The demo at the reference's rate limit (25 a minute, real-time
/// transitions), sign-in throttles raised so a whole team can sign in.
async fn spawn_team_demo() -> TestApp {
    crate::helpers::spawn_demo_configured(
        |s| {
            s.login_attempts_per_account = 1000;
            s.login_attempts_per_ip = 1000;
        },
        |c| {
            c.rate_limit = 25;
            c.speed = 1.0;
        },
    )
    .await
}

/// Every flag that lets a member see something (`*.show`, `*.view_*`):
/// a role that shows every page and changes nothing.
fn show_everything() -> Vec<String> {
    teampanel::rbac::VOCABULARY
        .iter()
        .flat_map(|g| {
            g.flags
                .iter()
                .filter(|f| f.name == "show" || f.name.starts_with("view_"))
                .map(move |f| format!("{}.{}", g.name, f.name))
        })
        .collect()
}

/// xorshift64: a tiny deterministic generator, one per member.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A link's path: no query, no fragment, no trailing slash.
fn path_of(href: &str) -> &str {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let path = &href[..end];
    if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    }
}

fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}

/// The side menu's links into the demo organisation, in menu order.
fn menu_links(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("nav.sidenav a[href]").expect("selector");
    let mut links = Vec::new();
    for a in doc.select(&selector) {
        let path = path_of(a.value().attr("href").unwrap_or_default());
        if path == ORG || path.starts_with(&format!("{ORG}/")) {
            push_new(&mut links, path);
        }
    }
    links
}

/// The links of list page `list` to `list/<id>`, in page order: one more
/// path segment, not a form (`new`, `create`), not a file (`export.csv`),
/// not a menu page. Links in the rows of a table (`main tr a`) come first;
/// only a page whose rows link to none gives its other `<main>` links (the
/// catalogue's and the usage pages' sub-pages, for instance).
fn detail_links(html: &str, list: &str, menu: &[String]) -> Vec<String> {
    let doc = Html::parse_document(html);
    let prefix = format!("{list}/");
    let links_in = |css: &str| {
        let selector = Selector::parse(css).expect("selector");
        let mut links = Vec::new();
        for a in doc.select(&selector) {
            let path = path_of(a.value().attr("href").unwrap_or_default());
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            let is_id =
                !rest.is_empty() && !rest.contains(['/', '.']) && !matches!(rest, "new" | "create");
            if is_id && !menu.iter().any(|m| m == path) {
                push_new(&mut links, path);
            }
        }
        links
    };
    let rows = links_in("main tr a[href]");
    if rows.is_empty() {
        links_in("main a[href]")
    } else {
        rows
    }
}

/// One page view as judged (see the module's doc).
#[derive(Debug, Clone)]
struct Judged {
    /// The final status (after redirects); 0 for no answer.
    status: u16,
    error: bool,
    /// The phrase that marked it as a view without data.
    no_data: Option<&'static str>,
    /// The oldest data age shown, in seconds; `None` for an error page.
    age: Option<u64>,
    /// A few words of what the page said when it was an error or without data.
    note: String,
    /// The retry countdown the page offers (`data-countdown`), if any.
    countdown: Option<u64>,
    /// The page itself, kept for discovery (empty for an error page).
    html: String,
}

/// The oldest "data from N s|min|h ago" in a text, in seconds.
fn oldest_age(text: &str) -> Option<u64> {
    let mut oldest: Option<u64> = None;
    for (at, _) in text.match_indices("data from ") {
        let rest = &text[at + "data from ".len()..];
        let mut words = rest.split_whitespace();
        let (Some(n), Some(unit)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        let unit = unit.trim_end_matches([',', '.', ')']);
        let secs = match unit {
            "s" => n,
            "min" => n * 60,
            "h" => n * 3600,
            _ => continue,
        };
        oldest = Some(oldest.map_or(secs, |o: u64| o.max(secs)));
    }
    oldest
}

fn snippet(text: &str, from: usize) -> String {
    text[from..].chars().take(110).collect()
}

fn judge(status: u16, final_path: &str, html: String) -> Judged {
    let doc = Html::parse_document(&html);
    let main_sel = Selector::parse("main").expect("selector");
    let main = doc.select(&main_sel).next();
    let main_text = main
        .map(|m| m.text().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let main_html = main.map(|m| m.html()).unwrap_or_default();
    let countdown = Selector::parse("[data-countdown]").ok().and_then(|s| {
        doc.select(&s)
            .next()
            .and_then(|e| e.value().attr("data-countdown"))
            .and_then(|v| v.parse().ok())
    });
    let error_card = html.contains("error-card");
    let to_login = final_path.starts_with("/login");
    let error = status == 0 || status >= 400 || error_card || to_login;
    let mut judged = Judged {
        status,
        error,
        no_data: None,
        age: None,
        note: String::new(),
        countdown,
        html: String::new(),
    };
    if error {
        judged.note = if status == 0 {
            "no answer".to_owned()
        } else if to_login {
            "sent to the sign-in page".to_owned()
        } else if error_card {
            let card = crate::helpers::text_of(&html, ".error-card");
            card.chars().take(110).collect()
        } else {
            snippet(&main_text, 0)
        };
        return judged;
    }
    for phrase in NO_DATA_PHRASES {
        if let Some(at) = main_text.find(phrase) {
            judged.no_data = Some(phrase);
            judged.note = snippet(&main_text, at);
            break;
        }
    }
    if judged.no_data.is_none() {
        for (marker, name) in NO_DATA_MARKERS {
            if main_html.contains(marker) {
                judged.no_data = Some(name);
                judged.note = (*name).to_owned();
                break;
            }
        }
    }
    judged.age = Some(oldest_age(&main_text).unwrap_or(0));
    judged.html = html;
    judged
}

/// Opens a page as a browser does: follows redirects within the panel (at
/// most 3), then judges the page it ends on. Never panics on a failed request.
async fn view(app: &TestApp, client: &reqwest::Client, path: &str) -> Judged {
    let mut path = path.to_owned();
    for _ in 0..4 {
        let sent = tokio::time::timeout(VIEW_TIMEOUT, async {
            let response = client.get(app.url(&path)).send().await?;
            let status = response.status().as_u16();
            let location = crate::helpers::location(&response);
            let body = response.text().await?;
            Ok::<_, reqwest::Error>((status, location, body))
        })
        .await;
        let Ok(Ok((status, location, body))) = sent else {
            return judge(0, &path, String::new());
        };
        if (300..400).contains(&status) && location.starts_with('/') {
            path = location;
            continue;
        }
        return judge(status, &path, body);
    }
    judge(0, &path, String::new())
}

/// Opens a page during discovery: while it is an error page or without
/// data, waits for the countdown it offers (or 10 s) and opens it again,
/// at most 4 times and not past `until`.
async fn view_patiently(app: &TestApp, c: &reqwest::Client, path: &str, until: Instant) -> Judged {
    let mut judged = view(app, c, path).await;
    for _ in 0..4 {
        if !judged.error && judged.no_data.is_none() {
            break;
        }
        let wait = Duration::from_secs(judged.countdown.unwrap_or(10).clamp(1, 65) + 1);
        if Instant::now() + wait > until {
            break;
        }
        tokio::time::sleep(wait).await;
        judged = view(app, c, path).await;
    }
    judged
}

/// The page set: the side menu's pages, then for each (but the overview)
/// up to `per_list` of the detail pages its rows link to.
async fn discover(
    app: &TestApp,
    client: &reqwest::Client,
    per_list: usize,
    until: Instant,
) -> (Vec<String>, Vec<String>) {
    let home = view_patiently(app, client, ORG, until).await;
    let menu = menu_links(&home.html);
    assert!(
        !menu.is_empty(),
        "no side menu links found on {ORG} (status {}): {}",
        home.status,
        home.note
    );
    let mut pages = menu.clone();
    for list in menu.iter().filter(|p| p.as_str() != ORG) {
        let judged = view_patiently(app, client, list, until).await;
        if judged.error || judged.no_data.is_some() {
            println!(
                "  discovery: {list} still shows no (complete) data: {}",
                judged.note
            );
        }
        for detail in detail_links(&judged.html, list, &menu)
            .into_iter()
            .take(per_list)
        {
            push_new(&mut pages, &detail);
        }
    }
    (menu, pages)
}

/// One view in the measurement.
struct Record {
    /// Whole minutes since the window opened, at the view's start.
    minute: u64,
    page: usize,
    took: Duration,
    judged: Judged,
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn age_words(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

/// The error pages line of a report, with their statuses.
fn print_error_pages(errors: &[&Judged], views: usize) {
    println!(
        "  error pages: {} ({:.1}%){}",
        errors.len(),
        percent(errors.len(), views),
        if errors.is_empty() {
            String::new()
        } else {
            format!(", by status: {}", by_status(errors.iter().copied()))
        }
    );
}

/// Counts by status, as "200: 10, 502: 2".
fn by_status<'a>(judged: impl Iterator<Item = &'a Judged>) -> String {
    let mut counts: BTreeMap<u16, usize> = BTreeMap::new();
    for j in judged {
        *counts.entry(j.status).or_default() += 1;
    }
    counts
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Per page: views, bad views (error or without data) and the last note.
fn offenders<'a>(
    records: impl Iterator<Item = (&'a str, &'a Judged)>,
) -> Vec<(String, usize, usize, String)> {
    let mut pages: HashMap<&str, (usize, usize, String)> = HashMap::new();
    for (page, j) in records {
        let entry = pages.entry(page).or_default();
        entry.0 += 1;
        if j.error || j.no_data.is_some() {
            entry.1 += 1;
            entry.2 = if j.error {
                format!("[{}] {}", j.status, j.note)
            } else {
                j.note.clone()
            };
        }
    }
    let mut list: Vec<_> = pages
        .into_iter()
        .filter(|(_, (_, bad, _))| *bad > 0)
        .map(|(p, (views, bad, note))| (p.to_owned(), views, bad, note))
        .collect();
    list.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    list
}

/// N members of the demo organisation, each signed in as their own panel
/// user with a role that shows everything, open random pages of the demo
/// organisation at a steady total rate while the simulator allows 25
/// requests a minute; prints what they saw (error pages, views without
/// data, the data's age) and what it cost upstream.
///
/// The page set is every side-menu page plus up to 2 detail pages each list
/// links to, found before the measurement (opening pages patiently while
/// the request limit is spent); then the test waits for the rate window to
/// refill before the clock starts.
///
/// Settings (environment): `TEAM_LOAD_MEMBERS` (default 10),
/// `TEAM_LOAD_SECS` (default 180, at most 600), `TEAM_LOAD_VIEWS_PER_MIN`
/// (default 100, all members together), `TEAM_LOAD_WARMUP_WAIT_SECS`
/// (default 60), `TEAM_LOAD_DISCOVERY_SECS` (default 300: how long page
/// discovery may wait on the request limit).
///
/// `cargo test --release --test integration team_load::team_load -- --ignored --nocapture --test-threads 1`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement in real time: run it by hand"]
async fn team_load() {
    let members = env_u64("TEAM_LOAD_MEMBERS", 10).clamp(1, 100);
    let secs = env_u64("TEAM_LOAD_SECS", 180).clamp(1, 600);
    let rate = env_u64("TEAM_LOAD_VIEWS_PER_MIN", 100).clamp(1, 6000);
    let warmup = env_u64("TEAM_LOAD_WARMUP_WAIT_SECS", 60).min(600);
    let discovery_secs = env_u64("TEAM_LOAD_DISCOVERY_SECS", 300).min(1200);

    let app = spawn_team_demo().await;
    let flags = show_everything();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut clients = Vec::new();
    for n in 0..members {
        clients.push(
            app.member_with(&format!("member{n}@example.org"), &flags)
                .await,
        );
    }

    let discovery_started = Instant::now();
    let counters_at_start = app.state.cloud.counters();
    let (menu, pages) = discover(
        &app,
        &clients[0],
        2,
        discovery_started + Duration::from_secs(discovery_secs),
    )
    .await;
    assert!(!pages.is_empty(), "no pages discovered");
    let counters_after_discovery = app.state.cloud.counters();
    println!(
        "team load: {} pages discovered ({} menu pages, {} detail pages) in {} s, \
         {} upstream calls ({} answered 429):",
        pages.len(),
        menu.len(),
        pages.len() - menu.len(),
        discovery_started.elapsed().as_secs(),
        counters_after_discovery.upstream_calls - counters_at_start.upstream_calls,
        counters_after_discovery.upstream_429 - counters_at_start.upstream_429,
    );
    for p in &pages {
        println!("  {p}");
    }
    tokio::time::sleep(Duration::from_secs(warmup)).await;

    // The measurement window.
    let app = Arc::new(app);
    let pages = Arc::new(pages);
    let before = app.state.cloud.counters();
    let start = tokio::time::Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let interval = Duration::from_secs_f64(members as f64 * 60.0 / rate as f64);
    // The counters at each minute's end, for the per-minute lines.
    let sampler = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut samples = vec![before];
            let mut next = start;
            loop {
                next += Duration::from_secs(60);
                if next >= deadline {
                    break;
                }
                tokio::time::sleep_until(next).await;
                samples.push(app.state.cloud.counters());
            }
            samples
        })
    };
    let mut tasks = Vec::new();
    for (n, client) in clients.into_iter().enumerate() {
        let app = app.clone();
        let pages = pages.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = XorShift::new(n as u64 + 1);
            let offset = Duration::from_millis(rng.below(interval.as_millis() as u64));
            let mut next = start + offset;
            let mut records = Vec::new();
            while next < deadline {
                tokio::time::sleep_until(next).await;
                let opened = tokio::time::Instant::now();
                let page = rng.below(pages.len() as u64) as usize;
                let mut judged = view(&app, &client, &pages[page]).await;
                judged.html = String::new();
                records.push(Record {
                    minute: (opened - start).as_secs() / 60,
                    page,
                    took: opened.elapsed(),
                    judged,
                });
                // A steady pace; a late view delays the next, never bunches them.
                next = (next + interval).max(tokio::time::Instant::now());
            }
            records
        }));
    }
    let mut records: Vec<Record> = Vec::new();
    for t in tasks {
        records.extend(t.await.expect("a member"));
    }
    let elapsed = start.elapsed();
    let after = app.state.cloud.counters();
    let mut samples = sampler.await.expect("the sampler");
    samples.push(after);

    assert!(!records.is_empty(), "no page was viewed");
    let views = records.len();
    let errors: Vec<&Judged> = records
        .iter()
        .map(|r| &r.judged)
        .filter(|j| j.error)
        .collect();
    let no_data = records.iter().filter(|r| r.judged.no_data.is_some());
    let no_data_all = no_data.clone().count();
    let no_data_later = no_data.clone().filter(|r| r.minute >= 1).count();
    let views_later = records.iter().filter(|r| r.minute >= 1).count();
    let fresh = records
        .iter()
        .filter(|r| !r.judged.error && r.judged.no_data.is_none())
        .filter(|r| r.judged.age.is_some_and(|a| a <= 60))
        .count();
    let oldest = records
        .iter()
        .filter_map(|r| r.judged.age)
        .max()
        .unwrap_or(0);
    let stale_views = records
        .iter()
        .filter(|r| r.judged.age.is_some_and(|a| a > 0))
        .count();
    let mut phrases: BTreeMap<&str, usize> = BTreeMap::new();
    for r in no_data.clone() {
        *phrases
            .entry(r.judged.no_data.unwrap_or_default())
            .or_default() += 1;
    }
    let mut took: Vec<Duration> = records.iter().map(|r| r.took).collect();
    took.sort();
    let pct = |p: usize| took[(took.len() * p / 100).min(took.len() - 1)];
    let minutes = elapsed.as_secs_f64() / 60.0;
    let calls = after.upstream_calls - before.upstream_calls;

    println!();
    println!(
        "team load: {members} members, {secs} s ({:.0} s measured), target {rate} views a minute \
         (each member every {:.1} s), {} pages, simulator at 25 requests a minute",
        elapsed.as_secs_f64(),
        interval.as_secs_f64(),
        pages.len()
    );
    println!(
        "  views: {views} ({:.1} a minute); time to answer: median {} ms, p95 {} ms, max {} ms",
        views as f64 / minutes,
        pct(50).as_millis(),
        pct(95).as_millis(),
        took[took.len() - 1].as_millis()
    );
    print_error_pages(&errors, views);
    println!(
        "  views without data: {no_data_all} ({:.1}%); after the first minute: {no_data_later} of {views_later} ({:.1}%)",
        percent(no_data_all, views),
        percent(no_data_later, views_later)
    );
    if !phrases.is_empty() {
        println!(
            "    by phrase: {}",
            phrases
                .iter()
                .map(|(p, n)| format!("“{p}”: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!(
        "  views with data at most 60 s old: {fresh} of {views} ({:.1}%); views showing a stale notice: {stale_views}",
        percent(fresh, views)
    );
    println!("  oldest data shown: {}", age_words(oldest));
    println!(
        "  upstream calls: {calls} ({:.1} a minute); upstream 429s: {}; calls the panel's budget held back: {}; \
         reads served stale: {}; cache hits: {}",
        calls as f64 / minutes,
        after.upstream_429 - before.upstream_429,
        after.budget_refusals - before.budget_refusals,
        after.stale_served - before.stale_served,
        after.cache_hits - before.cache_hits,
    );
    println!("  by minute (views, error pages, without data, upstream calls, upstream 429s):");
    let last_minute = records.iter().map(|r| r.minute).max().unwrap_or(0);
    for m in 0..=last_minute {
        let in_minute: Vec<&Record> = records.iter().filter(|r| r.minute == m).collect();
        let idx = usize::try_from(m).unwrap_or(usize::MAX);
        let (calls_m, r429_m) = match (samples.get(idx), samples.get(idx + 1)) {
            (Some(a), Some(b)) => (
                (b.upstream_calls - a.upstream_calls).to_string(),
                (b.upstream_429 - a.upstream_429).to_string(),
            ),
            _ => ("-".to_owned(), "-".to_owned()),
        };
        println!(
            "    minute {}: {} views, {} error pages, {} without data, {calls_m} calls, {r429_m} 429s",
            m + 1,
            in_minute.len(),
            in_minute.iter().filter(|r| r.judged.error).count(),
            in_minute
                .iter()
                .filter(|r| r.judged.no_data.is_some())
                .count(),
        );
    }
    let worst = offenders(records.iter().map(|r| (pages[r.page].as_str(), &r.judged)));
    println!(
        "  pages with the most error or no-data views ({} pages had some; bad/views, last note):",
        worst.len()
    );
    for (page, views, bad, note) in worst.iter().take(10) {
        println!("    {bad}/{views} {page}: {note}");
    }
}

/// One admin new to the demo clicks once every 3 s through the organisation:
/// the overview, every side-menu page in menu order, then the first detail
/// page of each list (in menu order), and round again, at 25 requests a
/// minute. The detail pages are those the list views of the same round
/// linked to (nothing is opened beforehand: the panel starts cold, as for
/// a new user). Prints the views, error pages, views without data and the
/// pages that showed them. `TEAM_LOAD_CLICK_SECS` (default 90, at most 600)
/// bounds it.
///
/// `cargo test --release --test integration team_load::new_user_clicks_every_three_seconds -- --ignored --nocapture --test-threads 1`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement in real time: run it by hand"]
async fn new_user_clicks_every_three_seconds() {
    let secs = env_u64("TEAM_LOAD_CLICK_SECS", 90).clamp(1, 600);
    let app = spawn_team_demo().await;
    let admin = app.admin().await;
    let before = app.state.cloud.counters();
    let start = tokio::time::Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let click = Duration::from_secs(3);

    let mut records: Vec<(String, Judged)> = Vec::new();
    let mut next = start;
    // The first click opens the overview, whose side menu gives the round.
    let home = view(&app, &admin, ORG).await;
    let menu = menu_links(&home.html);
    assert!(
        !menu.is_empty(),
        "no side menu links found on {ORG} (status {}): {}",
        home.status,
        home.note
    );
    records.push((ORG.to_owned(), home));
    // The first detail link each list showed, by menu position.
    let mut firsts: BTreeMap<usize, String> = BTreeMap::new();
    let mut round: Vec<(Option<usize>, String)> = Vec::new();
    let mut skip_overview = true;
    loop {
        if round.is_empty() {
            // A new round: the menu (the very first round starts after the
            // overview it already opened), then the details found last round.
            round = menu
                .iter()
                .enumerate()
                .filter(|(_, p)| !(skip_overview && p.as_str() == ORG))
                .map(|(i, p)| (Some(i), p.clone()))
                .rev()
                .collect();
            skip_overview = false;
        }
        let Some((menu_index, path)) = round.pop() else {
            break;
        };
        next = (next + click).max(tokio::time::Instant::now());
        if next >= deadline {
            break;
        }
        tokio::time::sleep_until(next).await;
        let mut judged = view(&app, &admin, &path).await;
        if let Some(i) = menu_index
            && path != ORG
        {
            match detail_links(&judged.html, &path, &menu).into_iter().next() {
                Some(first) => {
                    firsts.insert(i, first);
                }
                None if !judged.error && judged.no_data.is_none() => {
                    firsts.remove(&i);
                }
                // Not loaded this time: keep the link seen before.
                None => {}
            }
            // After the last menu page, the details (in menu order).
            if round.is_empty() {
                round = firsts.values().rev().map(|d| (None, d.clone())).collect();
            }
        }
        judged.html = String::new();
        records.push((path, judged));
    }
    let elapsed = start.elapsed();
    let after = app.state.cloud.counters();

    assert!(!records.is_empty(), "no page was viewed");
    let views = records.len();
    let errors: Vec<&Judged> = records.iter().map(|(_, j)| j).filter(|j| j.error).collect();
    let no_data = records.iter().filter(|(_, j)| j.no_data.is_some()).count();
    let detail_views = records
        .iter()
        .filter(|(p, _)| !menu.iter().any(|m| m == p))
        .count();
    println!();
    println!(
        "new user, a click every 3 s for {secs} s ({:.0} s measured), simulator at 25 requests a minute",
        elapsed.as_secs_f64()
    );
    println!(
        "  views: {views} ({} menu pages in the round, {detail_views} detail page views)",
        menu.len()
    );
    print_error_pages(&errors, views);
    println!(
        "  views without data (a card, list or section not loaded): {no_data} ({:.1}%)",
        percent(no_data, views)
    );
    println!(
        "  upstream calls: {} ({:.1} a minute); upstream 429s: {}",
        after.upstream_calls - before.upstream_calls,
        (after.upstream_calls - before.upstream_calls) as f64 / (elapsed.as_secs_f64() / 60.0),
        after.upstream_429 - before.upstream_429
    );
    let worst = offenders(records.iter().map(|(p, j)| (p.as_str(), j)));
    println!("  offending pages (bad/views, last note):");
    for (page, views, bad, note) in &worst {
        println!("    {bad}/{views} {page}: {note}");
    }
}

#[test]
fn ages_are_read_from_the_notices() {
    assert_eq!(
        oldest_age("Showing data from 40 s ago (rate budget spent)."),
        Some(40)
    );
    assert_eq!(
        oldest_age(
            "data from 12 min ago, from before the latest change, updating (x) data from 3 s ago"
        ),
        Some(720)
    );
    assert_eq!(oldest_age("As of 4 s ago."), None);
    assert_eq!(path_of("/o/demo/?account=1"), "/o/demo");
    assert_eq!(
        path_of("/o/demo/servers/AB12?account=1#x"),
        "/o/demo/servers/AB12"
    );
}
