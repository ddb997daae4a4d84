//! Kill -9 in the middle of a storm of role creations, several times over the
//! same data dir, with the real binary: every custom role that survived has
//! exactly one `role.create` event (a local change and its audit event commit
//! in one transaction), every acknowledged role survived, and the audit chain
//! still verifies.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::helpers::{client, csrf_token, location};

const EMAIL: &str = "crash.admin@example.org";
const PASSWORD: &str = "crash admin password";
const SLUG: &str = "crash";
/// Kill/restart cycles on the same data dir.
const ROUNDS: usize = 3;
/// Separately signed-in clients storming at once.
const CLIENTS: usize = 8;
/// How long each round storms before the kill; varied so the kill lands at different points.
const STORM_MS: [u64; ROUNDS] = [350, 550, 800];
/// Upper bound of requests per client and round, whatever the timing.
const MAX_REQUESTS_PER_CLIENT: usize = 2_000;
/// A storming client gives up this long after the storm began, even if the kill never came.
const STORM_LIMIT: Duration = Duration::from_secs(20);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const HEALTH_TIMEOUT: Duration = Duration::from_secs(30);

/// A `teampanel` command with this test's settings only (no inherited `TEAMPANEL_*`).
fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_teampanel"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TEAMPANEL_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("TEAMPANEL_DATA_DIR", data_dir)
        .env("TEAMPANEL_LOG", "info")
        // Every round signs the same account in from several clients.
        .env("TEAMPANEL_LOGIN_ATTEMPTS_PER_IP", "10000")
        .env("TEAMPANEL_LOGIN_ATTEMPTS_PER_ACCOUNT", "10000");
    cmd
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// A running `teampanel serve`; killed (SIGKILL) and reaped on drop, so a
/// failing test leaves no process behind.
struct Served {
    child: Child,
    log: PathBuf,
    base: String,
}

impl Served {
    fn start(data_dir: &Path, log_dir: &Path, round: usize) -> Self {
        let bind = format!("127.0.0.1:{}", free_port());
        let log = log_dir.join(format!("serve-{round}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file handle");
        let child = command(data_dir)
            .env("TEAMPANEL_BIND", &bind)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("teampanel serve starts");
        Self {
            child,
            log,
            base: format!("http://{bind}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The last lines of the server's output, for failure messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Polls `/healthz` until it answers 200, at most `HEALTH_TIMEOUT`.
    async fn wait_healthy(&mut self) {
        let c = client();
        let deadline = Instant::now() + HEALTH_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "teampanel serve exited ({status}) before /healthz answered; its log:\n{}",
                    self.log_tail()
                );
            }
            let answer = c
                .get(self.url("/healthz"))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().as_u16() == 200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "/healthz did not answer 200 within {HEALTH_TIMEOUT:?}; the log:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown, no flush, no chance to finish what is in flight.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `teampanel user create --instance-admin --password-stdin`.
fn create_admin(data_dir: &Path) {
    let mut child = command(data_dir)
        .args([
            "user",
            "create",
            "--email",
            EMAIL,
            "--name",
            "Crash Admin",
            "--instance-admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("teampanel user create starts");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{PASSWORD}").expect("password written");
    }
    let out = child.wait_with_output().expect("user create finishes");
    assert!(
        out.status.success(),
        "user create failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn get_text(c: &reqwest::Client, url: &str) -> (u16, String) {
    let response = c.get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// A new client (own cookie store, own session) signed in as the admin.
async fn sign_in(served: &Served) -> reqwest::Client {
    let c = client();
    let (_, html) = get_text(&c, &served.url("/login")).await;
    let token = csrf_token(&html).expect("the login form has a csrf_token");
    let response = c
        .post(served.url("/login"))
        .form(&[
            ("email", EMAIL),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(
        response.status().as_u16(),
        303,
        "sign-in should redirect; the log:\n{}",
        served.log_tail()
    );
    c
}

/// The organisation, created on the admin pages with the admin as its Owner.
async fn create_org(served: &Served, admin: &reqwest::Client) {
    let (status, html) = get_text(admin, &served.url("/admin")).await;
    assert_eq!(status, 200, "the admin page opens");
    let token = csrf_token(&html).expect("the admin page has a csrf_token");
    let response = admin
        .post(served.url("/admin/organisations"))
        .form(&[
            ("name", "Crash Test Organisation"),
            ("slug", SLUG),
            ("owner_email", EMAIL),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("POST /admin/organisations");
    assert_eq!(
        response.status().as_u16(),
        303,
        "the organisation is created"
    );
    assert_eq!(location(&response), "/admin");
}

/// One signed-in client ready to storm: its session's CSRF token read from the roles page.
struct Stormer {
    client: reqwest::Client,
    csrf: String,
}

async fn stormer(served: &Served) -> Stormer {
    let client = sign_in(served).await;
    let (status, html) = get_text(&client, &served.url(&format!("/o/{SLUG}/roles"))).await;
    assert_eq!(status, 200, "the roles page opens for the Owner");
    let csrf = csrf_token(&html).expect("the roles page has a csrf_token");
    Stormer { client, csrf }
}

/// What one round's storm saw.
#[derive(Default, Debug)]
struct Tally {
    /// Role names whose creation was answered with 303 (committed, as far as the client knows).
    acknowledged: Vec<String>,
    /// Answers other than 303, by status.
    other_statuses: Vec<u16>,
    /// Requests that got no answer (the kill).
    errors: usize,
}

/// POSTs unique role names from one client until the server dies or a bound is hit.
async fn storm_one(url: String, s: Stormer, round: usize, n: usize, tally: Arc<Mutex<Tally>>) {
    let started = Instant::now();
    for i in 0..MAX_REQUESTS_PER_CLIENT {
        if started.elapsed() > STORM_LIMIT {
            break;
        }
        let name = format!("storm r{round} c{n} n{i}");
        let answer = s
            .client
            .post(&url)
            .form(&[("name", name.as_str()), ("csrf_token", s.csrf.as_str())])
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await;
        let mut tally = tally.lock().expect("tally");
        match answer {
            Ok(r) if r.status().as_u16() == 303 => tally.acknowledged.push(name),
            Ok(r) => tally.other_statuses.push(r.status().as_u16()),
            Err(_) => {
                tally.errors += 1;
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_role_that_survives_kill_9_has_its_audit_event() {
    let started = Instant::now();
    let root = tempfile::tempdir().expect("temp dir");
    let data_dir = root.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    create_admin(&data_dir);

    let mut acknowledged: Vec<String> = Vec::new();
    let mut other_statuses: Vec<u16> = Vec::new();
    for (round, storm_ms) in STORM_MS.into_iter().enumerate() {
        let mut served = Served::start(&data_dir, root.path(), round);
        served.wait_healthy().await;
        if round == 0 {
            let admin = sign_in(&served).await;
            create_org(&served, &admin).await;
        }
        let mut stormers = Vec::with_capacity(CLIENTS);
        for _ in 0..CLIENTS {
            stormers.push(stormer(&served).await);
        }

        // Storm from every client at once, then kill mid-storm.
        let tally = Arc::new(Mutex::new(Tally::default()));
        let url = served.url(&format!("/o/{SLUG}/roles"));
        let tasks: Vec<_> = stormers
            .into_iter()
            .enumerate()
            .map(|(n, s)| tokio::spawn(storm_one(url.clone(), s, round, n, Arc::clone(&tally))))
            .collect();
        tokio::time::sleep(Duration::from_millis(storm_ms)).await;
        served.kill();
        for task in tasks {
            task.await.expect("a storming client");
        }
        let tally = std::mem::take(&mut *tally.lock().expect("tally"));
        println!(
            "crash round {round}: stormed {} ms with {CLIENTS} clients, {} roles acknowledged, \
             {} other answers {:?}, {} requests cut off by the kill",
            storm_ms,
            tally.acknowledged.len(),
            tally.other_statuses.len(),
            tally.other_statuses,
            tally.errors
        );
        acknowledged.extend(tally.acknowledged);
        other_statuses.extend(tally.other_statuses);
    }

    // The audit chain survived the kills.
    let verify = command(&data_dir)
        .args(["audit", "verify"])
        .output()
        .expect("teampanel audit verify runs");
    let verify_out = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success(),
        "audit verify failed: {verify_out}\n{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(
        verify_out.contains("intact"),
        "audit verify says: {verify_out}"
    );

    // Read what was committed, with a fresh read-only pool.
    let options = SqliteConnectOptions::new()
        .filename(data_dir.join("teampanel.db"))
        .read_only(true);
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("the database opens");
    let org_id: i64 = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = ?")
        .bind(SLUG)
        .fetch_one(&db)
        .await
        .expect("the organisation");
    let roles: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM roles WHERE org_id = ? AND builtin IS NULL ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&db)
    .await
    .expect("custom roles");
    let events: Vec<(String, i64)> = sqlx::query_as(
        "SELECT target_id, COUNT(*) FROM audit_events \
         WHERE org_id = ? AND action = 'role.create' AND outcome = 'succeeded' \
         AND target_kind = 'role' GROUP BY target_id",
    )
    .bind(org_id)
    .fetch_all(&db)
    .await
    .expect("role.create events");
    db.close().await;
    let event_count: i64 = events.iter().map(|(_, n)| n).sum();
    let per_role: std::collections::HashMap<&str, i64> =
        events.iter().map(|(id, n)| (id.as_str(), *n)).collect();
    let without_event: Vec<&(i64, String)> = roles
        .iter()
        .filter(|(id, _)| !per_role.contains_key(id.to_string().as_str()))
        .collect();
    let with_several: Vec<(&(i64, String), i64)> = roles
        .iter()
        .filter_map(|role| {
            let n = per_role.get(role.0.to_string().as_str()).copied()?;
            (n > 1).then_some((role, n))
        })
        .collect();
    let stored: std::collections::HashSet<&str> =
        roles.iter().map(|(_, name)| name.as_str()).collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|name| !stored.contains(name.as_str()))
        .collect();
    println!(
        "crash: {ROUNDS} rounds of {CLIENTS} clients in {:.1} s: {} roles acknowledged, \
         {} custom roles stored, {} role.create events, {} roles without an event, \
         {} with several, {} acknowledged but lost, {} answers other than 303",
        started.elapsed().as_secs_f64(),
        acknowledged.len(),
        roles.len(),
        event_count,
        without_event.len(),
        with_several.len(),
        lost.len(),
        other_statuses.len()
    );

    assert!(
        !roles.is_empty() && !acknowledged.is_empty(),
        "the storm created no role: {} acknowledged, {} stored, other answers {other_statuses:?}",
        acknowledged.len(),
        roles.len()
    );
    assert!(
        without_event.is_empty(),
        "{} of {} custom roles committed without their role.create event \
         (the change and its event are not one transaction): {without_event:?}",
        without_event.len(),
        roles.len()
    );
    assert!(
        with_several.is_empty(),
        "roles with more than one role.create event: {with_several:?}"
    );
    assert!(
        lost.is_empty(),
        "{} roles were acknowledged (303) but are not in the database after the kill: {lost:?}",
        lost.len()
    );
}
