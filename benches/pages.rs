//! The panel's pages against the framework's own speed, in one run:
//!
//! 1. the signed-in servers list (200 servers, warm cache) under 32
//!    keep-alive connections: requests per second, p50 and p99;
//! 2. a bare actix-web handler serving the same bytes, in the same process,
//!    under the same load; and the ratio between the two;
//! 3. the JSON API's servers list (the same first page) for a token of the
//!    same member, under the same load, beside the HTML list;
//! 4. the resident memory of a `teampanel demo` process of its own: idle,
//!    after the first sign-in, after 50 concurrent sign-ins and 30 s later.
//!
//! Run: `cargo bench --bench pages` (prints figures; asserts nothing).
//! `PAGES_BENCH_SECONDS` sets each load phase's length (default 5).
//! The panel and the bare handler take turns, `PAGES_BENCH_ROUNDS` times
//! (default 3): on a shared machine one phase can be slowed by a
//! neighbour, so each round's ratio is printed, then the median round.
//! The load is made by a minimal HTTP/1.1 client on raw sockets, so the
//! client costs as little of the shared cores as it can.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a measuring harness: a failure should stop it loudly"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use teampanel::config::Settings;

const CONNECTIONS: usize = 32;
const SERVERS: usize = 200;
const SIGN_INS: usize = 50;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    sorted.get(rank).copied().unwrap_or_default()
}

/// A process's resident memory, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn rounds() -> usize {
    std::env::var("PAGES_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1)
}

fn phase_length() -> Duration {
    let secs = std::env::var("PAGES_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    Duration::from_secs(secs)
}

/// Reads one response off a keep-alive connection; returns its status and body length.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> (u16, usize) {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..header_end]).expect("headers");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .expect("a content-length");
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
    }
    (status, length)
}

struct Figures {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    /// CPU time of this whole process (server and load client) per
    /// request: unlike requests per second, it does not move when a
    /// neighbour on a shared machine takes the cores for a while.
    cpu_per_request: Duration,
}

/// CPU time this process has used so far, user and system.
fn cpu_used() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command name, which is in parentheses: utime and stime are
    // the 12th and 13th fields, in clock ticks (100 a second on Linux).
    let ticks: u64 = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|f| f.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// `CONNECTIONS` connections asking for `path` back to back for `length`,
/// with `credential` as a header line (a cookie or an API token).
async fn hammer(port: u16, path: &str, credential: &str, length: Duration) -> Figures {
    let request: Arc<[u8]> = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{credential}\r\nUser-Agent: bench\r\n\r\n"
    )
    .into_bytes()
    .into();
    let run = |until: Instant| {
        (0..CONNECTIONS)
            .map(|_| {
                let request = request.clone();
                tokio::spawn(async move {
                    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let mut buf = Vec::with_capacity(64 * 1024);
                    let mut timings = Vec::new();
                    while Instant::now() < until {
                        let started = Instant::now();
                        stream.write_all(&request).await.unwrap();
                        let (status, _) = read_response(&mut stream, &mut buf).await;
                        assert_eq!(status, 200);
                        timings.push(started.elapsed());
                    }
                    timings
                })
            })
            .collect::<Vec<_>>()
    };
    // A second of warm-up, then the measured phase.
    for task in run(Instant::now() + Duration::from_secs(1)) {
        task.await.unwrap();
    }
    let started = Instant::now();
    let cpu_before = cpu_used();
    let mut all = Vec::new();
    for task in run(started + length) {
        all.extend(task.await.unwrap());
    }
    let wall = started.elapsed();
    let cpu = cpu_used().saturating_sub(cpu_before);
    all.sort();
    Figures {
        requests: all.len(),
        per_second: all.len() as f64 / wall.as_secs_f64(),
        p50: percentile(&all, 0.5),
        p99: percentile(&all, 0.99),
        cpu_per_request: cpu / u32::try_from(all.len().max(1)).unwrap_or(u32::MAX),
    }
}

/// The panel's speed as a share of the bare handler's, by CPU time per
/// request: what the ratio of requests per second is with both using the
/// whole machine.
fn cpu_ratio(panel: &Figures, framework: &Figures) -> f64 {
    100.0 * framework.cpu_per_request.as_secs_f64() / panel.cpu_per_request.as_secs_f64()
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name}: {} requests over {CONNECTIONS} connections: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, \
         {:.1} µs CPU per request",
        f.requests,
        f.per_second,
        f.p50.as_secs_f64() * 1000.0,
        f.p99.as_secs_f64() * 1000.0,
        f.cpu_per_request.as_secs_f64() * 1e6
    );
}

fn browser() -> reqwest::Client {
    teampanel::tls::client_builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in; returns the client and the status of the sign-in answer.
async fn sign_in(base: &str, email: &str, password: &str) -> (reqwest::Client, u16) {
    let client = browser();
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
    let status = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (client, status)
}

/// Grows the demo account to `SERVERS` servers through the simulator's API.
async fn grow_to_200_servers(sim_base: &str, token: &str) {
    let raw = teampanel::tls::client_builder().build().unwrap();
    let get = |path: &str| {
        raw.get(format!("{sim_base}{path}"))
            .header("X-TOKEN", token)
            .send()
    };
    let existing = get("/servers")
        .await
        .unwrap()
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
        .len();
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
    for i in existing..SERVERS {
        let body = serde_json::json!({
            "name": format!("bench-{i:03}"),
            "hardware": { "fixed_instance_size_id": sizes[0]["id"] },
            "appliance_id": images[0]["id"],
        });
        let response = raw
            .post(format!("{sim_base}/servers"))
            .header("X-TOKEN", token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "creating server {i}");
    }
}

#[tokio::main]
async fn main() {
    let length = phase_length();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
    // Many sessions of one account sign in at once; the throttle is not what is measured.
    settings.login_attempts_per_account = 10_000;
    settings.login_attempts_per_ip = 10_000;
    // A warm cache for the whole run: the panel's own cost is what is measured.
    settings.cache_ttl = Duration::from_secs(3600);
    // The token's own limit is not what is measured either.
    settings.api_rate_limit = 100_000_000;
    let demo = teampanel::demo::prepare_with(settings, |config| {
        config.rate_limit = 1_000_000;
        config.speed = 1000.0;
    })
    .await
    .unwrap();
    let port = demo.app.port();
    let base = format!("http://127.0.0.1:{port}");
    let password = demo.password.clone();
    grow_to_200_servers(&demo.simulator.base_url, &demo.token).await;
    tokio::spawn(demo.app.run_until_stopped());
    tokio::time::sleep(Duration::from_secs(2)).await;

    // The member whose list is measured; their session cookie goes to the raw client.
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let member = teampanel::tls::client_builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = member
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
    let signed = member
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", teampanel::demo::ADMIN_EMAIL),
            ("password", password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status().as_u16(), 303, "sign-in");
    let cookie = {
        use reqwest::cookie::CookieStore;
        jar.cookies(&base.parse().unwrap())
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap()
    };
    let api_token = make_api_token(&member, &base).await;

    let path = format!("/o/{}/servers", teampanel::demo::ORG_SLUG);
    let page = member
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        page.len() > 10_000,
        "the servers list ({} bytes)",
        page.len()
    );

    // The same bytes from a bare handler, in this process.
    let bytes = web::Bytes::from(page.to_vec());
    let bare = HttpServer::new(move || {
        let bytes = bytes.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let bytes = bytes.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(bytes)
                }
            }),
        )
    })
    .bind(("127.0.0.1", 0))
    .unwrap();
    let bare_port = bare.addrs()[0].port();
    tokio::spawn(bare.run());

    println!(
        "servers list: {SERVERS} servers, {} bytes per page",
        page.len()
    );
    let api_path = format!("/api/v1/o/{}/servers", teampanel::demo::ORG_SLUG);
    let api_page = member
        .get(format!("{base}{api_path}"))
        .header("X-TEAMPANEL-TOKEN", &api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(api_page.status().as_u16(), 200, "the API's servers list");
    let api_bytes = api_page.bytes().await.unwrap().len();
    println!("API servers list: the same first page, {api_bytes} bytes of JSON");
    let cookie = format!("Cookie: {cookie}");
    let token_header = format!("X-TEAMPANEL-TOKEN: {api_token}");
    let mut results = Vec::new();
    let mut api_results = Vec::new();
    for round in 1..=rounds() {
        println!("round {round}:");
        let panel = hammer(port, &path, &cookie, length).await;
        print("  panel, signed-in servers list", &panel);
        let api = hammer(port, &api_path, &token_header, length).await;
        print("  panel, API servers list (token)", &api);
        let framework = hammer(bare_port, "/", "X-Bench: 1", length).await;
        print("  bare actix-web handler, same bytes", &framework);
        api_results.push((api.per_second / panel.per_second, api));
        let ratio = 100.0 * panel.per_second / framework.per_second;
        println!(
            "  ratio: {ratio:.1}% of the requests per second; by CPU per request {:.1}%",
            cpu_ratio(&panel, &framework)
        );
        results.push((ratio, panel, framework));
    }
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ratio, panel, framework) = &results[results.len() / 2];
    println!("median round:");
    print("  panel, signed-in servers list", panel);
    print("  bare actix-web handler, same bytes", framework);
    println!(
        "  ratio: the panel serves {ratio:.1}% of the bare handler's requests per second \
         (p99 {:.2} ms vs {:.2} ms); by CPU per request {:.1}%",
        panel.p99.as_secs_f64() * 1000.0,
        framework.p99.as_secs_f64() * 1000.0,
        cpu_ratio(panel, framework)
    );
    api_results.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (api_ratio, api) = &api_results[api_results.len() / 2];
    print("  panel, API servers list (token)", api);
    println!(
        "  API against HTML: {:.0}% of the HTML list's requests per second; p99 {:.2} ms \
         (HTML {:.2} ms) at {CONNECTIONS} connections",
        100.0 * api_ratio,
        api.p99.as_secs_f64() * 1000.0,
        panel.p99.as_secs_f64() * 1000.0
    );

    memory_of_a_panel_process().await;
}

/// Makes a personal access token with the member's role on the profile
/// page, as a member would; returns it as the page shows it once.
async fn make_api_token(member: &reqwest::Client, base: &str) -> String {
    let html = member
        .get(format!("{base}/profile"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let page = member
        .post(format!("{base}/profile/api_tokens"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("org", teampanel::demo::ORG_SLUG),
            ("name", "bench"),
            ("days", "30"),
            ("access", "role"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let after = page
        .split("id=\"new-api-token\"")
        .nth(1)
        .expect("the new token");
    let value = after.split("value=\"").nth(1).expect("its value");
    value[..value.find('"').expect("quoted")].to_owned()
}

/// Starts `teampanel demo` as a process of its own, so its resident memory
/// is the panel's alone (not this harness's, nor its clients'); returns it
/// with its address and the demo password.
fn start_demo() -> (std::process::Child, String, String, tempfile::TempDir) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_teampanel"))
        .arg("demo")
        .env("TEAMPANEL_BIND", "127.0.0.1:0")
        .env("TEAMPANEL_DATA_DIR", dir.path())
        // Many sessions of one account sign in at once; the throttle is not what is measured.
        .env("TEAMPANEL_LOGIN_ATTEMPTS_PER_ACCOUNT", "10000")
        .env("TEAMPANEL_LOGIN_ATTEMPTS_PER_IP", "10000")
        .env("TEAMPANEL_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("teampanel demo starts");
    let stdout = child.stdout.take().unwrap();
    let mut url = String::new();
    let mut password = String::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("url: ") {
            url = rest.trim_end_matches("/login").to_owned();
        }
        if let Some(rest) = line.strip_prefix("password: ") {
            password = rest.to_owned();
            break;
        }
    }
    assert!(
        !url.is_empty() && !password.is_empty(),
        "demo printed its address"
    );
    (child, url, password, dir)
}

async fn memory_of_a_panel_process() {
    let (mut child, base, password, _dir) = tokio::task::spawn_blocking(start_demo).await.unwrap();
    let pid = child.id();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_mib(pid);
    let (_, status) = sign_in(&base, teampanel::demo::ADMIN_EMAIL, &password).await;
    assert_eq!(status, 303, "the first sign-in");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let first = rss_mib(pid);

    let started = Instant::now();
    let tasks: Vec<_> = (0..SIGN_INS)
        .map(|_| {
            let base = base.clone();
            let password = password.clone();
            tokio::spawn(async move {
                sign_in(&base, teampanel::demo::ADMIN_EMAIL, &password)
                    .await
                    .1
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for task in tasks {
        *statuses.entry(task.await.unwrap()).or_default() += 1;
    }
    let took = started.elapsed();
    let after = rss_mib(pid);
    println!(
        "{SIGN_INS} concurrent sign-ins took {:.2} s; answers by status: {statuses:?}",
        took.as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(30)).await;
    let later = rss_mib(pid);
    println!(
        "RSS of a `teampanel demo` process: idle {idle:.1} MiB; after the first sign-in {first:.1} MiB; \
         after {SIGN_INS} concurrent sign-ins {after:.1} MiB; 30 s later {later:.1} MiB"
    );
    let _ = child.kill();
    let _ = child.wait();
}
