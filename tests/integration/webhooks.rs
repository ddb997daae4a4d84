//! Signed webhooks: an Owner adds an endpoint, the organisation's audit
//! events reach a test receiver signed with the secret shown once, a
//! failing receiver is tried again until it recovers, a redelivery by hand
//! makes one more attempt, the allow-list holds at the form and at
//! delivery time, filters leave out what was not chosen, no secret reaches
//! a log, an audit event or a later page, monitoring alerts told from
//! the monitoring center's reads are delivered like any event, and ended
//! deliveries leave the log after thirty days.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::helpers::{TestApp, location, spawn_demo_configured, text_of};

const HOOKS: &str = "/o/demo/webhooks";

// ---------------------------------------------------------------------------
// A test receiver: records every request, fails the first N with 500.

#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Inbox {
    got: Mutex<Vec<Received>>,
    fail_first: AtomicUsize,
}

struct Receiver {
    url: String,
    inbox: Arc<Inbox>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Self {
        let inbox = Arc::new(Inbox::default());
        inbox.fail_first.store(fail_first, Ordering::SeqCst);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let data = web::Data::from(inbox.clone());
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            url: format!("http://{addr}/hooks"),
            inbox,
        }
    }

    fn got(&self) -> Vec<Received> {
        self.inbox.got.lock().unwrap().clone()
    }

    /// Waits (bounded) until `n` requests came in.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} requests, not {n}", self.got().len());
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, inbox: web::Data<Inbox>) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    inbox.got.lock().unwrap().push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let failing = inbox
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::NoContent().finish()
    }
}

// ---------------------------------------------------------------------------
// Arrange helpers.

/// The demo with `allowed` as the webhook allow-list and a short backoff.
async fn demo_allowing(allowed: &[&str]) -> TestApp {
    let allowed: Vec<String> = allowed.iter().map(|u| (*u).to_owned()).collect();
    spawn_demo_configured(
        move |settings| {
            settings.allowed_webhook_urls = allowed;
            settings.webhook_retry_base = Duration::from_millis(100);
            // Every monitoring page reads the Cloud Panel anew.
            settings.activity_ttl = Duration::ZERO;
        },
        |sim| {
            sim.speed = 50.0;
            sim.rate_limit = 100_000;
        },
    )
    .await
}

/// Posts the add form; `families` and `outcomes` are the ticked boxes.
async fn add(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    url: &str,
    families: &[&str],
    outcomes: &[&str],
) -> reqwest::Response {
    let mut fields = vec![("name", name), ("url", url)];
    fields.extend(families.iter().map(|f| ("family", *f)));
    fields.extend(outcomes.iter().map(|o| ("outcome", *o)));
    app.post_form(client, HOOKS, &fields).await
}

/// Adds an endpoint that must be accepted; returns its id and secret.
async fn add_ok(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    url: &str,
    families: &[&str],
    outcomes: &[&str],
) -> (i64, String) {
    let response = add(app, client, name, url, families, outcomes).await;
    assert_eq!(response.status().as_u16(), 200, "{name} is added");
    let html = response.text().await.unwrap();
    let secret = secret_shown(&html).expect("the secret is shown once");
    assert!(secret.starts_with("whsec_"), "{secret}");
    (endpoint_id(app, name).await, secret)
}

fn value_of(html: &str, selector: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(selector).unwrap();
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_default()
        .to_owned()
}

/// The secret in the one-time display. Read as text, not parsed: the HTML
/// parser's own debug lines would put it in the captured log.
fn secret_shown(html: &str) -> Option<String> {
    let input = &html[html.find("id=\"webhook-secret\"")?..];
    let value = &input[input.find("value=\"")? + "value=\"".len()..];
    Some(value[..value.find('"')?].to_owned())
}

async fn endpoint_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM webhook_endpoints WHERE name = ?")
        .bind(name)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

async fn demo_account(app: &TestApp) -> i64 {
    let org = teampanel::db::orgs::by_slug(app.state.raw_db(), "demo")
        .await
        .unwrap()
        .unwrap();
    crate::rows::default_account(app.state.raw_db(), org.id)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// An audit event of family `cloud_account`, outcome `succeeded`: the
/// demo account renamed.
async fn rename_account(app: &TestApp, client: &reqwest::Client, name: &str) {
    let id = demo_account(app).await;
    let response = app
        .post_form(
            client,
            &format!("/o/demo/cloud_accounts/{id}/rename"),
            &[("name", name)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303, "the account is renamed");
}

/// (state, attempts) of the endpoint's deliveries, oldest first.
async fn deliveries(app: &TestApp, endpoint: i64) -> Vec<(i64, String, i64)> {
    sqlx::query_as(
        "SELECT id, state, attempts FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id",
    )
    .bind(endpoint)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
}

/// (result, http status) of a delivery's attempts, oldest first.
async fn attempts(app: &TestApp, delivery: i64) -> Vec<(String, Option<i64>)> {
    sqlx::query_as(
        "SELECT result, http_status FROM webhook_attempts WHERE delivery_id = ? ORDER BY id",
    )
    .bind(delivery)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
}

/// Waits (bounded) until the delivery has `n` attempts.
async fn wait_for_attempts(app: &TestApp, delivery: i64, n: usize) -> Vec<(String, Option<i64>)> {
    for _ in 0..200 {
        let got = attempts(app, delivery).await;
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "delivery {delivery} has {:?}",
        attempts(app, delivery).await
    );
}

async fn audit_count(app: &TestApp, action: &str, outcome: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = ? AND outcome = ?")
        .bind(action)
        .bind(outcome)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

fn sign(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

// ---------------------------------------------------------------------------
// Tests.

#[tokio::test]
async fn a_delivery_is_signed_with_the_secret_shown_once() {
    // Arrange
    let receiver = Receiver::start(0).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let owner = app.admin().await;
    let (id, secret) = add_ok(
        &app,
        &owner,
        "ops",
        &receiver.url,
        &["cloud_account"],
        &["succeeded"],
    )
    .await;

    // Act
    rename_account(&app, &owner, "Simulator renamed").await;
    let got = receiver.wait_for(1).await;

    // Assert: the receiver's own HMAC of "<timestamp>.<body>" matches.
    let hook = &got[0];
    let timestamp = hook.header("x-teampanel-timestamp");
    let signature = hook.header("x-teampanel-signature");
    assert_eq!(sign(&secret, timestamp, &hook.body), signature);
    let sent_at: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    assert_eq!(hook.header("content-type"), "application/json");
    assert_eq!(hook.header("x-teampanel-event"), "cloud_account.rename");
    let body: Value = serde_json::from_str(&hook.body).unwrap();
    let delivery = hook.header("x-teampanel-delivery");
    assert_eq!(delivery.len(), 32);
    assert_eq!(body["id"], delivery);
    assert_eq!(body["organisation"], "demo");
    assert_eq!(body["event"]["action"], "cloud_account.rename");
    assert_eq!(body["event"]["family"], "cloud_account");
    assert_eq!(body["event"]["outcome"], "succeeded");
    assert_eq!(body["event"]["target"]["kind"], "cloud_account");
    // A changed body, or another secret, does not verify.
    let changed = hook.body.replacen("\"demo\"", "\"evil\"", 1);
    assert_ne!(changed, hook.body);
    assert_ne!(sign(&secret, timestamp, &changed), signature);
    assert_ne!(sign("whsec_other", timestamp, &hook.body), signature);

    // A rotated secret signs the next delivery; the old one no longer verifies.
    let rotated = app
        .post_form(
            &owner,
            &format!("{HOOKS}/{id}/rotate"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(rotated.status().as_u16(), 200);
    let new_secret = secret_shown(&rotated.text().await.unwrap()).unwrap();
    assert_ne!(new_secret, secret);
    rename_account(&app, &owner, "Simulator again").await;
    let got = receiver.wait_for(2).await;
    let hook = &got[1];
    let (timestamp, signature) = (
        hook.header("x-teampanel-timestamp"),
        hook.header("x-teampanel-signature"),
    );
    assert_eq!(sign(&new_secret, timestamp, &hook.body), signature);
    assert_ne!(sign(&secret, timestamp, &hook.body), signature);
    assert_eq!(
        audit_count(&app, "webhook.rotate_secret", "succeeded").await,
        1
    );
}

#[tokio::test]
async fn a_failing_receiver_is_tried_again_until_it_recovers_and_can_be_redelivered_by_hand() {
    // Arrange: the receiver answers 500 twice, then recovers.
    let receiver = Receiver::start(2).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let owner = app.admin().await;
    let (id, _) = add_ok(
        &app,
        &owner,
        "flaky",
        &receiver.url,
        &["cloud_account"],
        &["succeeded"],
    )
    .await;

    // Act
    rename_account(&app, &owner, "Simulator renamed").await;
    let delivery = loop_until_one_delivery(&app, id).await;
    let tried = wait_for_attempts(&app, delivery, 3).await;

    // Assert: three attempts, the last delivered; the log page shows each.
    assert_eq!(
        tried,
        [
            ("failed".to_owned(), Some(500)),
            ("failed".to_owned(), Some(500)),
            ("delivered".to_owned(), Some(204)),
        ]
    );
    assert_eq!(deliveries(&app, id).await[0].1, "delivered");
    let got = receiver.wait_for(3).await;
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.header("x-teampanel-delivery"))
        .collect();
    assert!(ids.iter().all(|d| *d == ids[0]), "one delivery id: {ids:?}");
    let (status, html) = app.get_html(&owner, &format!("{HOOKS}/{id}")).await;
    assert_eq!(status, 200);
    let row = text_of(&html, &format!("#delivery-{delivery}"));
    assert_eq!(row.matches("failed 500").count(), 2, "{row}");
    assert!(row.contains("delivered 204"), "{row}");
    assert!(row.contains("the receiver answered 500"), "{row}");
    assert_eq!(
        text_of(&html, &format!("#delivery-{delivery} .delivery-state")),
        "delivered"
    );

    // Act: a redelivery by hand.
    let response = app
        .post_form(
            &owner,
            &format!("{HOOKS}/{id}/deliveries/{delivery}/redeliver"),
            &[],
        )
        .await;

    // Assert: one more attempt, by hand, audited; the receiver saw the same id.
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), format!("{HOOKS}/{id}"));
    let tried = wait_for_attempts(&app, delivery, 4).await;
    assert_eq!(tried[3], ("delivered".to_owned(), Some(204)));
    let got = receiver.wait_for(4).await;
    assert_eq!(got[3].header("x-teampanel-delivery"), ids[0]);
    assert_eq!(audit_count(&app, "webhook.redeliver", "succeeded").await, 1);
    let (_, html) = app.get_html(&owner, &format!("{HOOKS}/{id}")).await;
    assert!(text_of(&html, &format!("#delivery-{delivery}")).contains("by hand"));
}

/// The endpoint's one delivery, once the worker made it.
async fn loop_until_one_delivery(app: &TestApp, endpoint: i64) -> i64 {
    for _ in 0..200 {
        if let Some((id, _, _)) = deliveries(app, endpoint).await.first() {
            return *id;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no delivery for endpoint {endpoint}");
}

#[tokio::test]
async fn the_allow_list_holds_on_the_form_and_when_sending() {
    // Arrange: a member who may manage webhooks but is no instance admin.
    let receiver = Receiver::start(0).await;
    let elsewhere = Receiver::start(0).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let (_, member) = crate::scopes::admin_member(&app, "admin.member@example.org").await;

    // Act + Assert: outside the list, and beside it, the form comes back.
    for url in [elsewhere.url.clone(), format!("{}x", receiver.url)] {
        let response = add(&app, &member, "outside", &url, &["all"], &["succeeded"]).await;
        assert_eq!(response.status().as_u16(), 422, "{url}");
        let html = response.text().await.unwrap();
        assert!(
            text_of(&html, "#add-url-error").contains("does not allow that URL"),
            "{url}"
        );
        assert_eq!(value_of(&html, "#add-url"), url, "what was typed is kept");
        assert_eq!(value_of(&html, "#add-name"), "outside");
        assert!(html.contains("id=\"error-summary\""));
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing was stored");
    assert_eq!(audit_count(&app, "webhook.create", "failed").await, 2);

    // Other bad input comes back beside its field too.
    let response = add(&app, &member, " ", "ftp://x.example.org", &[], &[]).await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    for field in ["add-name", "add-url", "add-families", "add-outcomes"] {
        assert!(
            !text_of(&html, &format!("#{field}-error")).is_empty(),
            "{field} has its message"
        );
    }

    // A URL beneath an allowed one is fine for the member.
    add_ok(
        &app,
        &member,
        "beneath",
        &format!("{}/ops", receiver.url),
        &["all"],
        &["succeeded"],
    )
    .await;

    // An instance admin may add any URL; it is marked as theirs.
    let admin = app.admin().await;
    let (admin_set, _) = add_ok(
        &app,
        &admin,
        "admins",
        &elsewhere.url,
        &["cloud_account"],
        &["succeeded"],
    )
    .await;
    let by_admin: bool =
        sqlx::query_scalar("SELECT url_set_by_admin FROM webhook_endpoints WHERE id = ?")
            .bind(admin_set)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert!(by_admin);

    // A URL no longer allowed when a delivery is due is not sent: as after
    // TEAMPANEL_ALLOWED_WEBHOOK_URLS lost it, the endpoint's URL is outside
    // the list and no instance admin set it.
    let (removed, _) = add_ok(
        &app,
        &member,
        "removed",
        &receiver.url,
        &["cloud_account"],
        &["succeeded"],
    )
    .await;
    let gone = Receiver::start(0).await;
    sqlx::query("UPDATE webhook_endpoints SET url = ? WHERE id = ?")
        .bind(&gone.url)
        .bind(removed)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    rename_account(&app, &admin, "Simulator renamed").await;
    let delivery = loop_until_one_delivery(&app, removed).await;
    let tried = wait_for_attempts(&app, delivery, 1).await;
    assert_eq!(tried[0], ("refused".to_owned(), None));
    // The admin's endpoint got the same event meanwhile; the removed one nothing.
    elsewhere.wait_for(1).await;
    assert!(
        gone.got().is_empty(),
        "nothing was sent to a URL no longer allowed"
    );
    let (_, html) = app.get_html(&admin, &format!("{HOOKS}/{removed}")).await;
    assert!(text_of(&html, &format!("#delivery-{delivery}")).contains("no longer allowed"));
}

#[tokio::test]
async fn an_event_of_a_family_or_outcome_not_chosen_is_not_delivered() {
    // Arrange
    let receiver = Receiver::start(0).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let owner = app.admin().await;
    let (id, _) = add_ok(
        &app,
        &owner,
        "accounts only",
        &receiver.url,
        &["cloud_account"],
        &["succeeded"],
    )
    .await;

    // Act: a refusal (family `servers`, denied), a failed account change,
    // an invitation (family `member`), then the one event chosen.
    let viewer = app.member_with("viewer@example.org", &["vpn.show"]).await;
    let (status, _) = app.get_html(&viewer, "/o/demo/servers").await;
    assert_eq!(status, 403);
    let refused = app
        .post_form(
            &owner,
            "/o/demo/cloud_accounts",
            &[
                ("name", "elsewhere"),
                ("token", "tp-some-token-123456"),
                ("base_url", "https://not-allowed.example.org/v1"),
            ],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    assert_eq!(audit_count(&app, "cloud_account.create", "failed").await, 1);
    rename_account(&app, &owner, "Simulator renamed").await;

    // Assert: only the rename was delivered.
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].header("x-teampanel-event"), "cloud_account.rename");
    // The router took the events in order, so the earlier ones were passed over.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.got().len(), 1);
    assert_eq!(deliveries(&app, id).await.len(), 1);
}

#[tokio::test]
async fn no_secret_reaches_a_log_an_audit_event_or_a_later_page() {
    // Arrange
    let logs = crate::audit_accounts::captured_logs();
    assert!(
        logs.is_some() || std::env::var_os("TEST_LOG").is_some(),
        "the log capture is installed"
    );
    let receiver = Receiver::start(1).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let owner = app.admin().await;

    // Act: make, use, rotate, save and redeliver.
    let (id, first) = add_ok(
        &app,
        &owner,
        "quiet",
        &receiver.url,
        &["all"],
        &["succeeded", "failed"],
    )
    .await;
    rename_account(&app, &owner, "Simulator renamed").await;
    // Its first delivery (its own `webhook.create`) fails once, then goes through.
    let delivery = loop_until_one_delivery(&app, id).await;
    wait_for_attempts(&app, delivery, 2).await;
    receiver.wait_for(3).await;
    let rotated = app
        .post_form(
            &owner,
            &format!("{HOOKS}/{id}/rotate"),
            &[("confirm", "yes")],
        )
        .await;
    let second = secret_shown(&rotated.text().await.unwrap()).unwrap();
    let saved = app
        .post_form(
            &owner,
            &format!("{HOOKS}/{id}"),
            &[
                ("name", "quiet"),
                ("url", &receiver.url),
                ("family", "webhook"),
                ("outcome", "succeeded"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    app.post_form(
        &owner,
        &format!("{HOOKS}/{id}/deliveries/{delivery}/redeliver"),
        &[],
    )
    .await;
    wait_for_attempts(&app, delivery, 3).await;

    // Assert
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT action, details, error FROM audit_events ORDER BY id")
            .fetch_all(app.state.raw_db())
            .await
            .unwrap();
    let actions: Vec<&str> = rows.iter().map(|(a, _, _)| a.as_str()).collect();
    for action in [
        "webhook.create",
        "webhook.rotate_secret",
        "webhook.update",
        "webhook.redeliver",
    ] {
        assert!(
            actions.contains(&action),
            "{action} is audited: {actions:?}"
        );
    }
    for secret in [&first, &second] {
        for (action, details, error) in &rows {
            assert!(!details.contains(secret.as_str()), "{action} details");
            assert!(
                !error
                    .as_deref()
                    .unwrap_or_default()
                    .contains(secret.as_str()),
                "{action}"
            );
        }
        for path in [
            HOOKS.to_owned(),
            format!("{HOOKS}/{id}"),
            "/o/demo/audit".to_owned(),
        ] {
            let (_, html) = app.get_html(&owner, &path).await;
            assert!(!html.contains(secret.as_str()), "{path} shows a secret");
        }
        if let Some(logs) = &logs {
            let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
            let leaked: Vec<&str> = text
                .lines()
                .filter(|l| l.contains(secret.as_str()))
                .collect();
            assert!(leaked.is_empty(), "a log line holds a secret: {leaked:?}");
        }
    }
    // Nor is it stored in clear.
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT secret_ciphertext FROM webhook_endpoints WHERE id = ?")
            .bind(id)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("whsec_"));
}

#[tokio::test]
async fn a_member_without_the_flag_is_refused_and_another_organisations_endpoint_is_not_found() {
    // Arrange
    let receiver = Receiver::start(0).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let owner = app.admin().await;
    let other = crate::rows::create_org(app.state.raw_db(), "Other", "other", {
        teampanel::db::users::by_email(app.state.raw_db(), &app.admin_email)
            .await
            .unwrap()
            .unwrap()
            .id
    })
    .await
    .unwrap();
    let response = app
        .post_form(
            &owner,
            "/o/other/webhooks",
            &[
                ("name", "theirs"),
                ("url", &receiver.url),
                ("family", "all"),
                ("outcome", "succeeded"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let theirs = endpoint_id(&app, "theirs").await;
    let member = app
        .member_with("viewer@example.org", &["servers.show"])
        .await;

    // Act + Assert: no flag, no page, and the refusal is on record.
    let (status, html) = app.get_html(&member, HOOKS).await;
    assert_eq!(status, 403);
    assert!(html.contains("Manage webhooks"));
    assert_eq!(
        audit_count(&app, "organisation.manage_webhooks", "denied").await,
        1
    );
    let (_, servers) = app.get_html(&member, "/o/demo/servers").await;
    assert!(
        !servers.contains("href=\"/o/demo/webhooks\""),
        "not in the menu"
    );
    let (_, own) = app.get_html(&owner, "/o/demo/servers").await;
    assert!(
        own.contains("href=\"/o/demo/webhooks\""),
        "in an Owner's menu"
    );

    // Another organisation's endpoint, asked for in this one, is not found.
    let (status, _) = app.get_html(&owner, &format!("{HOOKS}/{theirs}")).await;
    assert_eq!(status, 404);
    for (path, fields) in [
        (
            format!("{HOOKS}/{theirs}"),
            vec![
                ("name", "taken"),
                ("url", receiver.url.as_str()),
                ("family", "all"),
                ("outcome", "failed"),
            ],
        ),
        (format!("{HOOKS}/{theirs}/rotate"), vec![("confirm", "yes")]),
        (
            format!("{HOOKS}/{theirs}/delete"),
            vec![("confirm_name", "theirs")],
        ),
        (format!("{HOOKS}/{theirs}/deliveries/1/redeliver"), vec![]),
    ] {
        let response = app.post_form(&owner, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
    let row: (String, i64) =
        sqlx::query_as("SELECT name, org_id FROM webhook_endpoints WHERE id = ?")
            .bind(theirs)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert_eq!(row, ("theirs".to_owned(), other.id));
    assert_eq!(
        audit_count(&app, "webhook.rotate_secret", "succeeded").await,
        0
    );
}

#[tokio::test]
async fn a_monitoring_alert_is_told_from_the_monitoring_centers_reads_and_delivered() {
    // Arrange: an endpoint for monitoring alerts, and a first read of the
    // monitoring center (the baseline).
    let receiver = Receiver::start(0).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let owner = app.admin().await;
    add_ok(
        &app,
        &owner,
        "alerts",
        &receiver.url,
        &["monitoring"],
        &["succeeded"],
    )
    .await;
    let account = crate::servers::account_query(&app).await;
    let (status, _) = app
        .get_html(&owner, &format!("/o/demo/monitoring{account}"))
        .await;
    assert_eq!(status, 200);
    let (id, name) = crate::servers::seeded(&app, "POWERED_ON");

    // Act: the server goes off (its ping check turns critical), and the
    // monitoring center is read again.
    crate::servers::post(
        &app,
        &owner,
        &format!("/servers/{id}/power"),
        &[("action", "POWER_OFF"), ("method", "SOFTWARE")],
    )
    .await;
    crate::servers::wait_for_state(&app, &id, "POWERED_OFF").await;
    let (status, _) = app
        .get_html(&owner, &format!("/o/demo/monitoring{account}"))
        .await;
    assert_eq!(status, 200);

    // Assert: recorded once per check that turned, by "monitoring", and delivered.
    let got = receiver.wait_for(1).await;
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["event"]["action"], "monitoring.alert");
    assert_eq!(body["event"]["actor"], "monitoring");
    assert_eq!(body["event"]["target"]["id"], id.as_str());
    assert_eq!(body["event"]["target"]["name"], name.as_str());
    assert_eq!(body["event"]["details"]["metric"], "internal_ping");
    assert_eq!(body["event"]["details"]["status"], "CRITICAL");
}

#[tokio::test]
async fn ended_deliveries_leave_the_log_after_thirty_days_and_waiting_ones_stay() {
    // Arrange: one delivery delivered, one still pending.
    let receiver = Receiver::start(0).await;
    let app = demo_allowing(&[&receiver.url]).await;
    let owner = app.admin().await;
    let (id, _) = add_ok(
        &app,
        &owner,
        "ops",
        &receiver.url,
        &["cloud_account"],
        &["succeeded"],
    )
    .await;
    rename_account(&app, &owner, "Simulator renamed").await;
    receiver.wait_for(1).await;
    let delivered = loop_until_one_delivery(&app, id).await;
    wait_for_attempts(&app, delivered, 1).await;
    sqlx::query(
        "INSERT INTO webhook_deliveries
             (org_id, endpoint_id, event_id, action, public_id, state, next_attempt_at, created_at)
         SELECT org_id, endpoint_id, event_id + 100000, action, 'waiting-one', 'pending',
                next_attempt_at + 86400000 * 400, created_at
         FROM webhook_deliveries WHERE id = ?",
    )
    .bind(delivered)
    .execute(app.state.raw_db())
    .await
    .unwrap();
    let now = teampanel::db::now_unix();

    // Act: a sweep within the month, then one past it.
    let early = app
        .state
        .door
        .prune_webhook_deliveries(now + 29 * 86_400)
        .await
        .unwrap();
    let late = app
        .state
        .door
        .prune_webhook_deliveries(now + 31 * 86_400)
        .await
        .unwrap();
    let (_, page) = app.get_html(&owner, &format!("{HOOKS}/{id}")).await;

    // Assert: the delivered one and its attempts went; the pending one stays.
    assert_eq!((early, late), (0, 1));
    let left: Vec<String> = sqlx::query_scalar(
        "SELECT public_id FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(left, ["waiting-one"]);
    assert!(attempts(&app, delivered).await.is_empty());
    // The log on the endpoint's page shows the waiting one only.
    assert!(
        !page.contains(&format!("id=\"delivery-{delivered}\"")),
        "{page}"
    );
    assert!(page.contains("waiting-one"), "{page}");
}
