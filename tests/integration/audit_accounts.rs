//! Cloud accounts (sealed tokens, ping_auth, rotation) and the audit log
//! (hash chain, verify command, page filters, exports), through the real app
//! and an in-process simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use scraper::{Html, Selector};
use teampanel::db::orgs::Organisation;
use teampanel::rbac::BuiltinRole;
use teampanel::simulator::{RunningSimulator, SimConfig, spawn};

use crate::helpers::{ADMIN_EMAIL, TestApp, location, spawn_app, text_of};

const PW: &str = "member password 1";
/// Long and unique, so finding it anywhere is never a coincidence.
pub(crate) const TOKEN: &str = "tp-Sekr3t-Q7wZr9xLm2Vn8Kd4Hj6Fg1Ty5Pq0Wk4e";
pub(crate) const TOKEN_2: &str = "tp-Sekr3t-second-A8sD7fG6hJ5kL4zX3cV2bN1m";
const WRONG: &str = "tp-Sekr3t-not-known-to-the-simulator-0000";

// ---------------------------------------------------------------------------
// Log capture: every line the panel logs while these tests run.

#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut all) = self.0.lock() {
            all.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a global debug-level subscriber writing into a buffer; `None`
/// when another subscriber was installed first (then logs cannot be checked).
pub(crate) fn captured_logs() -> Option<Captured> {
    static LOGS: OnceLock<Option<Captured>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .ok()
            .map(|()| captured)
    })
    .clone()
}

// ---------------------------------------------------------------------------
// Arrange helpers.

pub(crate) async fn simulator() -> RunningSimulator {
    let mut config = SimConfig::demo(vec![TOKEN.into(), TOKEN_2.into()]);
    config.rate_limit = 100_000;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    spawn(config, listener).await.expect("simulator")
}

async fn admin_id(app: &TestApp) -> i64 {
    teampanel::db::users::by_email(app.state.raw_db(), ADMIN_EMAIL)
        .await
        .expect("query")
        .expect("admin")
        .id
}

pub(crate) async fn org(app: &TestApp, slug: &str) -> Organisation {
    let owner = admin_id(app).await;
    crate::rows::create_org(app.state.raw_db(), slug, slug, owner)
        .await
        .expect("organisation")
}

/// A new user holding `role` in `org`, signed in.
pub(crate) async fn member(
    app: &TestApp,
    org: &Organisation,
    email: &str,
    role: BuiltinRole,
) -> reqwest::Client {
    let user_id = app.create_user(email, email, false, PW).await;
    let role = crate::rows::builtin_role(app.state.raw_db(), org.id, role)
        .await
        .expect("query")
        .expect("role");
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(user_id)
        .bind(org.id)
        .bind(role.id)
        .execute(app.state.raw_db())
        .await
        .expect("membership");
    app.signed_in(email, PW).await
}

pub(crate) async fn add_account(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    name: &str,
    token: &str,
    base_url: &str,
) -> reqwest::Response {
    app.post_form(
        client,
        &format!("/o/{slug}/cloud_accounts"),
        &[("name", name), ("token", token), ("base_url", base_url)],
    )
    .await
}

pub(crate) async fn account_id(app: &TestApp, org: &Organisation, name: &str) -> i64 {
    crate::rows::accounts(app.state.raw_db(), org.id)
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.name == name)
        .map(|a| a.id)
        .expect("account")
}

async fn audit_rows(app: &TestApp) -> Vec<(i64, String, String, String)> {
    sqlx::query_as("SELECT id, action, outcome, details || ' ' || COALESCE(error, '') || ' ' || target_name FROM audit_events ORDER BY id")
        .fetch_all(app.state.raw_db())
        .await
        .expect("audit rows")
}

fn ids_on_page(html: &str) -> Vec<i64> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("#audit-events tbody tr").expect("selector");
    doc.select(&selector)
        .filter_map(|tr| tr.value().attr("data-id"))
        .filter_map(|id| id.parse().ok())
        .collect()
}

fn input_value(html: &str, selector: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(selector).expect("selector");
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------
// Secrets.

#[tokio::test]
async fn a_saved_token_appears_in_no_response_log_line_audit_row_or_database_file() {
    // Arrange
    let logs = captured_logs();
    assert!(
        logs.is_some() || std::env::var_os("TEST_LOG").is_some(),
        "the log capture is installed"
    );
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let admin = app.admin().await;
    let mut bodies = Vec::new();

    // Act: save, look at it everywhere, fail a replacement, replace it, export the log.
    let response = add_account(&app, &admin, "acme", "prod", TOKEN, &sim.base_url).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/o/acme/cloud_accounts");
    bodies.push(response.text().await.expect("body"));
    let (status, list) = app.get_html(&admin, "/o/acme/cloud_accounts").await;
    assert_eq!(status, 200);
    let id = account_id(&app, &acme, "prod").await;
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{id}/token"),
            &[("token", WRONG), ("base_url", &sim.base_url)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    bodies.push(response.text().await.expect("body"));
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{id}/token"),
            &[("token", TOKEN_2), ("base_url", &sim.base_url)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    for path in [
        "/o/acme/cloud_accounts",
        "/o/acme/audit",
        "/o/acme/audit/export.csv",
        "/o/acme/audit/export.json",
        "/admin/audit",
        "/",
        "/o/acme/",
    ] {
        let (status, body) = app.get_html(&admin, path).await;
        assert_eq!(status, 200, "{path}");
        bodies.push(body);
    }

    // Assert: the page shows the last four characters only.
    assert!(text_of(&list, ".token-hint").contains("…Wk4e"));
    for secret in [TOKEN, TOKEN_2, WRONG] {
        for body in bodies.iter().chain([&list]) {
            assert!(!body.contains(secret), "a response holds a token");
        }
        for (id, action, _, text) in audit_rows(&app).await {
            assert!(
                !text.contains(secret),
                "audit event {id} ({action}) holds a token"
            );
        }
        let mut on_disk = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", app.settings.database_path().display());
            on_disk.extend(std::fs::read(path).unwrap_or_default());
        }
        assert!(!on_disk.is_empty());
        assert!(
            !on_disk
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "the database files hold a token"
        );
    }
    if let Some(logs) = logs {
        let text = String::from_utf8_lossy(&logs.0.lock().expect("logs")).into_owned();
        assert!(text.contains("cloud_account.create"), "logs were captured");
        for secret in [TOKEN, TOKEN_2, WRONG] {
            assert!(!text.contains(secret), "a log line holds a token");
        }
    }
    // And the token still works for the panel itself.
    let row = crate::rows::open_token(app.state.raw_db(), &crate::rows::keys(&app), acme.id, id)
        .await
        .expect("open")
        .expect("row");
    assert_eq!(row.expose(), TOKEN_2);
}

#[tokio::test]
async fn a_sealed_token_copied_to_another_row_does_not_open() {
    // Arrange
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let globex = org(&app, "globex").await;
    let admin = app.admin().await;
    add_account(&app, &admin, "acme", "prod", TOKEN, &sim.base_url).await;
    add_account(&app, &admin, "globex", "prod", TOKEN_2, &sim.base_url).await;
    let a = account_id(&app, &acme, "prod").await;
    let b = account_id(&app, &globex, "prod").await;

    // Act: globex's row gets acme's sealed token, nonce and key id.
    sqlx::query(
        "UPDATE cloud_accounts SET
             token_ciphertext = (SELECT token_ciphertext FROM cloud_accounts WHERE id = ?1),
             token_nonce = (SELECT token_nonce FROM cloud_accounts WHERE id = ?1),
             key_id = (SELECT key_id FROM cloud_accounts WHERE id = ?1)
         WHERE id = ?2",
    )
    .bind(a)
    .bind(b)
    .execute(app.state.raw_db())
    .await
    .expect("copy");

    // Assert
    let keys = &crate::rows::keys(&app);
    assert!(
        crate::rows::open_token(app.state.raw_db(), keys, globex.id, b)
            .await
            .is_err()
    );
    let mine = crate::rows::open_token(app.state.raw_db(), keys, acme.id, a)
        .await
        .expect("open")
        .expect("row");
    assert_eq!(mine.expose(), TOKEN);
}

#[tokio::test]
async fn rotate_master_key_keeps_every_token_usable() {
    // Arrange
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let globex = org(&app, "globex").await;
    let admin = app.admin().await;
    add_account(&app, &admin, "acme", "prod", TOKEN, &sim.base_url).await;
    add_account(&app, &admin, "acme", "staging", TOKEN_2, &sim.base_url).await;
    add_account(&app, &admin, "globex", "only", TOKEN, &sim.base_url).await;
    let before = app.state.master_key.id();

    // Act: the command, as the binary runs it.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_teampanel"))
        .arg("rotate-master-key")
        .env("TEAMPANEL_DATA_DIR", &app.settings.data_dir)
        .env_remove("TEAMPANEL_MASTER_KEY")
        .env_remove("TEAMPANEL_MASTER_KEY_FILE")
        .env_remove("TEAMPANEL_CONFIG")
        .output()
        .expect("run teampanel");

    // Assert
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("re-sealed 3 token(s)"), "{stdout}");
    let (key, _) = teampanel::crypto::load_or_create(&app.settings).expect("key");
    assert_ne!(key.id(), before);
    let keys = teampanel::crypto::KeyRing::load(&key, &app.settings).expect("keys");
    for (org, name, token) in [
        (&acme, "prod", TOKEN),
        (&acme, "staging", TOKEN_2),
        (&globex, "only", TOKEN),
    ] {
        let id = account_id(&app, org, name).await;
        let opened = crate::rows::open_token(app.state.raw_db(), &keys, org.id, id)
            .await
            .expect("opens under the new key")
            .expect("row");
        assert_eq!(opened.expose(), token);
    }
    let old_only = teampanel::crypto::KeyRing::single(app.state.master_key.clone());
    let id = account_id(&app, &acme, "prod").await;
    assert!(
        crate::rows::open_token(app.state.raw_db(), &old_only, acme.id, id)
            .await
            .is_err(),
        "the old key no longer opens anything"
    );
}

// ---------------------------------------------------------------------------
// The cloud accounts page.

#[tokio::test]
async fn a_token_the_cloud_panel_refuses_is_not_saved_and_the_form_keeps_the_rest() {
    // Arrange
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let admin = app.admin().await;

    // Act
    let response = add_account(&app, &admin, "acme", "prod", WRONG, &sim.base_url).await;

    // Assert
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.expect("body");
    assert!(html.contains("did not accept this token"), "{html}");
    assert_eq!(input_value(&html, "#add-name").as_deref(), Some("prod"));
    assert_eq!(
        input_value(&html, "#add-base-url").as_deref(),
        Some(sim.base_url.as_str())
    );
    assert_eq!(
        input_value(&html, "#add-token"),
        None,
        "the token is never sent back"
    );
    assert!(
        crate::rows::accounts(app.state.raw_db(), acme.id)
            .await
            .expect("list")
            .is_empty()
    );
    let rows = audit_rows(&app).await;
    assert!(
        rows.iter()
            .any(|(_, action, outcome, _)| action == "cloud_account.create" && outcome == "failed")
    );

    // Bad input: every problem at once, on the page.
    let response = add_account(&app, &admin, "acme", "  ", "short", "http://example.com").await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.expect("body");
    let errors = text_of(&html, ".field-error");
    assert!(errors.contains("Enter a name"), "{errors}");
    assert!(errors.contains("8 to 512 characters"), "{errors}");
    assert!(errors.contains("https://"), "{errors}");
    assert_eq!(
        input_value(&html, "#add-base-url").as_deref(),
        Some("http://example.com")
    );
}

#[tokio::test]
async fn accounts_are_renamed_defaulted_and_deleted_only_when_the_name_is_typed() {
    // Arrange
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let admin = app.admin().await;
    add_account(&app, &admin, "acme", "prod", TOKEN, &sim.base_url).await;
    add_account(&app, &admin, "acme", "staging", TOKEN_2, &sim.base_url).await;
    let prod = account_id(&app, &acme, "prod").await;
    let staging = account_id(&app, &acme, "staging").await;

    // Act + Assert: the first account is the default; another can take over.
    let (_, html) = app.get_html(&admin, "/o/acme/cloud_accounts").await;
    assert!(text_of(&html, &format!("#account-{prod}")).contains("default"));
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{staging}/default"),
            &[],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let default = crate::rows::default_account(app.state.raw_db(), acme.id)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(default.id, staging);

    // Renaming to a taken name is refused on the page, keeping what was typed.
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{staging}/rename"),
            &[("name", "PROD")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.expect("body");
    assert!(html.contains("already exists"));
    assert_eq!(
        input_value(&html, &format!("#rename-{staging}")).as_deref(),
        Some("PROD")
    );
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{staging}/rename"),
            &[("name", "stage")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);

    // Deleting needs the exact name.
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{staging}/delete"),
            &[("confirm_name", "staging")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Nothing was deleted")
    );
    let response = app
        .post_form(
            &admin,
            &format!("/o/acme/cloud_accounts/{staging}/delete"),
            &[("confirm_name", "stage")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(&admin, "/o/acme/cloud_accounts").await;
    assert!(html.contains("deleted"));
    let left = crate::rows::accounts(app.state.raw_db(), acme.id)
        .await
        .expect("list");
    assert_eq!(left.len(), 1);
    assert!(
        left[0].is_default,
        "the remaining account became the default"
    );

    let actions: Vec<String> = audit_rows(&app).await.into_iter().map(|r| r.1).collect();
    for action in [
        "cloud_account.create",
        "cloud_account.set_default",
        "cloud_account.rename",
        "cloud_account.delete",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn members_see_accounts_but_only_managers_change_them_and_other_organisations_never() {
    // Arrange
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let globex = org(&app, "globex").await;
    let admin = app.admin().await;
    add_account(&app, &admin, "acme", "prod", TOKEN, &sim.base_url).await;
    let prod = account_id(&app, &acme, "prod").await;
    let viewer = member(&app, &acme, "viewer@example.org", BuiltinRole::Viewer).await;
    let outsider = member(&app, &globex, "owner-b@example.org", BuiltinRole::Owner).await;

    // Act + Assert: a Viewer sees the list without the forms, and is refused changes.
    let (status, html) = app.get_html(&viewer, "/o/acme/cloud_accounts").await;
    assert_eq!(status, 200);
    assert!(text_of(&html, ".account-name").contains("prod"));
    assert!(!html.contains("add-account"));
    let response = add_account(&app, &viewer, "acme", "mine", TOKEN, &sim.base_url).await;
    assert_eq!(response.status().as_u16(), 403);
    let response = app
        .post_form(
            &viewer,
            &format!("/o/acme/cloud_accounts/{prod}/delete"),
            &[("confirm_name", "prod")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let denied = audit_rows(&app)
        .await
        .into_iter()
        .filter(|r| r.2 == "denied")
        .count();
    assert_eq!(denied, 2);

    // An Owner of another organisation cannot reach acme's account through theirs.
    for path in ["rename", "default", "delete", "token"] {
        let response = app
            .post_form(
                &outsider,
                &format!("/o/globex/cloud_accounts/{prod}/{path}"),
                &[
                    ("name", "x"),
                    ("confirm_name", "prod"),
                    ("token", TOKEN_2),
                    ("base_url", &sim.base_url),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
    let (status, _) = app.get_html(&outsider, "/o/acme/cloud_accounts").await;
    assert_eq!(status, 404);
    let still = crate::rows::account(app.state.raw_db(), acme.id, prod)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(still.name, "prod");
}

// ---------------------------------------------------------------------------
// The audit log.

fn verify_command(app: &TestApp) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_teampanel"))
        .args(["audit", "verify"])
        .env("TEAMPANEL_DATA_DIR", &app.settings.data_dir)
        .env_remove("TEAMPANEL_CONFIG")
        .output()
        .expect("run teampanel")
}

#[tokio::test]
async fn audit_verify_passes_on_a_busy_log_and_fails_after_one_row_is_edited() {
    // Arrange: many writers at once, through the app and directly.
    let sim = simulator().await;
    let app = spawn_app().await;
    org(&app, "acme").await;
    let admin = app.admin().await;
    add_account(&app, &admin, "acme", "prod", TOKEN, &sim.base_url).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = crate::helpers::client();
        let url = app.url("/login");
        let token = app.csrf(&client).await;
        tasks.push(tokio::spawn(async move {
            let password = if i % 2 == 0 {
                "wrong password"
            } else {
                crate::helpers::ADMIN_PASSWORD
            };
            client
                .post(url)
                .form(&[
                    ("email", ADMIN_EMAIL),
                    ("password", password),
                    ("csrf_token", &token),
                ])
                .send()
                .await
                .expect("sign-in")
                .status()
        }));
    }
    for i in 0..30 {
        let db = app.state.raw_db().clone();
        tasks.push(tokio::spawn(async move {
            let ctx = teampanel::audit::AuditCtx {
                org_id: Some(1),
                actor_label: format!("worker {i}"),
                ..Default::default()
            };
            let change = teampanel::audit::begin(
                &db,
                &ctx,
                teampanel::audit::NewEvent::new(
                    "server.power_off",
                    teampanel::audit::Outcome::Requested,
                ),
            )
            .await
            .expect("begin");
            change
                .finish(teampanel::audit::Outcome::Succeeded, Some(202), None)
                .await
                .expect("finish");
            reqwest::StatusCode::OK
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(app.state.raw_db())
        .await
        .expect("count");
    assert!(events >= 72, "{events}");

    // Act + Assert: intact.
    let output = verify_command(&app);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("intact: {events} events")),
        "{stdout}"
    );

    // The triggers refuse edits...
    assert!(
        sqlx::query("UPDATE audit_events SET outcome = 'failed' WHERE id = 40")
            .execute(app.state.raw_db())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_events WHERE id = 40")
            .execute(app.state.raw_db())
            .await
            .is_err()
    );
    // ...so an edit has to go behind their back, and verify finds it.
    let mut tx = app.state.raw_db().begin().await.expect("tx");
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .expect("drop");
    sqlx::query("UPDATE audit_events SET outcome = 'failed' WHERE id = 40")
        .execute(&mut *tx)
        .await
        .expect("edit");
    tx.commit().await.expect("commit");
    let output = verify_command(&app);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("BROKEN at event id 40"), "{stdout}");
}

#[tokio::test]
async fn the_audit_page_filters_pages_and_exports_the_same_events() {
    // Arrange
    let sim = simulator().await;
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let admin = app.admin().await;
    add_account(
        &app,
        &admin,
        "acme",
        "=HYPERLINK(\"http://evil\")",
        TOKEN,
        &sim.base_url,
    )
    .await;
    add_account(&app, &admin, "acme", "staging", WRONG, &sim.base_url).await;
    let db = app.state.raw_db().clone();
    let ctx = teampanel::audit::AuditCtx {
        org_id: Some(acme.id),
        actor_label: "robot@example.org".into(),
        ..Default::default()
    };
    for i in 0..60 {
        let event = teampanel::audit::NewEvent::new(
            "server.power_on",
            teampanel::audit::Outcome::Succeeded,
        )
        .target("server", i, &format!("web-{i}"));
        teampanel::audit::record(&db, &ctx, event)
            .await
            .expect("record");
    }
    let operator = member(&app, &acme, "op@example.org", BuiltinRole::Operator).await;
    let viewer = member(&app, &acme, "viewer@example.org", BuiltinRole::Viewer).await;

    // Act + Assert: a filter by action family and outcome.
    let filter = "action=cloud_account&outcome=failed";
    let (status, html) = app
        .get_html(&admin, &format!("/o/acme/audit?{filter}"))
        .await;
    assert_eq!(status, 200);
    let page_ids = ids_on_page(&html);
    assert_eq!(page_ids.len(), 1, "{}", text_of(&html, "#audit-events"));
    assert!(text_of(&html, "#audit-events").contains("cloud_account.create"));
    let json: serde_json::Value = app
        .get(&admin, &format!("/o/acme/audit/export.json?{filter}"))
        .await
        .json()
        .await
        .expect("json");
    let json_ids: Vec<i64> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(json_ids, page_ids);
    let response = app
        .get(&admin, &format!("/o/acme/audit/export.csv?{filter}"))
        .await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("attachment")
    );
    let csv = response.text().await.expect("csv");
    let csv_ids: Vec<i64> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next()?.trim_matches('"').parse().ok())
        .collect();
    assert_eq!(csv_ids, page_ids);

    // Pagination: 50 a page, newest first; the export holds every match.
    let filter = "actor=robot";
    let (_, first) = app
        .get_html(&admin, &format!("/o/acme/audit?{filter}"))
        .await;
    assert_eq!(ids_on_page(&first).len(), 50);
    assert!(text_of(&first, "#audit-count").contains("of 60"));
    let (_, second) = app
        .get_html(&admin, &format!("/o/acme/audit?{filter}&page=2"))
        .await;
    let mut page_ids = ids_on_page(&first);
    page_ids.extend(ids_on_page(&second));
    assert_eq!(page_ids.len(), 60);
    let json: serde_json::Value = app
        .get(&admin, &format!("/o/acme/audit/export.json?{filter}"))
        .await
        .json()
        .await
        .expect("json");
    let json_ids: Vec<i64> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(json_ids, page_ids);

    // CSV cells that a spreadsheet would run as formulas are neutralised.
    let csv = app
        .get(
            &admin,
            "/o/acme/audit/export.csv?action=cloud_account.create",
        )
        .await
        .text()
        .await
        .expect("csv");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "{csv}"
    );
    assert!(!csv.contains(",\"=HYPERLINK"));

    // A bad filter is explained on the page.
    let (status, html) = app.get_html(&admin, "/o/acme/audit?from=yesterday").await;
    assert_eq!(status, 422);
    assert!(html.contains("is not a date"));
    assert_eq!(
        input_value(&html, "input[name=from]").as_deref(),
        Some("yesterday")
    );

    // Permissions: an Operator views but does not export; a Viewer does neither.
    assert_eq!(app.get_html(&operator, "/o/acme/audit").await.0, 200);
    assert_eq!(
        app.get_html(&operator, "/o/acme/audit/export.csv").await.0,
        403
    );
    assert_eq!(app.get_html(&viewer, "/o/acme/audit").await.0, 403);
    assert_eq!(
        app.get_html(&viewer, "/o/acme/audit/export.json").await.0,
        403
    );
}

#[tokio::test]
async fn instance_admins_see_installation_wide_events_and_organisations_do_not() {
    // Arrange
    let app = spawn_app().await;
    let acme = org(&app, "acme").await;
    let admin = app.admin().await;
    let failed = crate::helpers::client();
    app.login(&failed, ADMIN_EMAIL, "not the password").await;
    let owner = member(&app, &acme, "owner@example.org", BuiltinRole::Owner).await;

    // Act
    let (status, html) = app
        .get_html(&admin, "/admin/audit?action=auth.sign_in")
        .await;
    let (org_status, org_html) = app
        .get_html(&owner, "/o/acme/audit?action=auth.sign_in")
        .await;

    // Assert
    assert_eq!(status, 200);
    let table = text_of(&html, "#audit-events");
    assert!(
        table.contains("succeeded") && table.contains("failed"),
        "{table}"
    );
    assert_eq!(org_status, 200);
    assert!(
        ids_on_page(&org_html).is_empty(),
        "sign-ins are not an organisation's events"
    );
    assert_eq!(app.get_html(&owner, "/admin/audit").await.0, 403);
    assert_eq!(app.get_html(&owner, "/admin/audit/export.csv").await.0, 403);
    let response = app
        .get(&admin, "/admin/audit/export.json?outcome=failed")
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let json: serde_json::Value = response.json().await.expect("json");
    assert!(
        json.as_array()
            .expect("array")
            .iter()
            .all(|e| e["organisation_id"].is_null() && e["outcome"] == "failed")
    );
    assert!(!json.as_array().expect("array").is_empty());
}
