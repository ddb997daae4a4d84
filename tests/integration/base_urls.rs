//! Outbound addresses belong to the instance admin: an Owner may point a
//! cloud account only at a base URL on `TEAMPANEL_ALLOWED_BASE_URLS`; any
//! other gets one message, whatever listens there, and nothing is sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use teampanel::db::orgs::Organisation;
use teampanel::rbac::BuiltinRole;
use teampanel::simulator::{RunningSimulator, SimConfig, spawn};
use tokio::io::AsyncWriteExt;

use crate::helpers::{ADMIN_EMAIL, TestApp, spawn_app_with, text_of};

const TOKEN: &str = "tp-base-url-token-Q7wZr9xLm2Vn8Kd4Hj6Fg1";
const OWNER: &str = "owner@acme.example";
const PW: &str = "owner password 1";

async fn simulator() -> RunningSimulator {
    let mut config = SimConfig::demo(vec![TOKEN.into()]);
    config.rate_limit = 100_000;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    spawn(config, listener).await.expect("simulator")
}

/// A loopback listener that counts connections and answers each with
/// `answer` (raw HTTP), or closes it when there is none.
async fn listener(answer: Option<String>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}/v1", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            if let Some(answer) = &answer {
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        }
    });
    (address, count)
}

/// A loopback address where nothing listens.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://{}/v1", listener.local_addr().expect("addr"));
    drop(listener);
    address
}

/// The app, allowing only `allowed`, with organisation `acme` whose Owner
/// is not an instance admin.
async fn app_allowing(allowed: &str) -> (TestApp, Organisation, reqwest::Client) {
    let allowed = allowed.to_owned();
    let app = spawn_app_with(move |s| s.allowed_base_urls = vec![allowed]).await;
    let db = app.state.raw_db();
    let admin = teampanel::db::users::by_email(db, ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let org = crate::rows::create_org(db, "Acme", "acme", admin.id)
        .await
        .unwrap();
    let owner_id = app.create_user(OWNER, "Olive Owner", false, PW).await;
    let role = crate::rows::builtin_role(db, org.id, BuiltinRole::Owner)
        .await
        .unwrap()
        .unwrap();
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(owner_id)
        .bind(org.id)
        .bind(role.id)
        .execute(db)
        .await
        .unwrap();
    let owner = app.signed_in(OWNER, PW).await;
    (app, org, owner)
}

async fn add(app: &TestApp, client: &reqwest::Client, name: &str, base_url: &str) -> (u16, String) {
    let response = app
        .post_form(
            client,
            "/o/acme/cloud_accounts",
            &[("name", name), ("token", TOKEN), ("base_url", base_url)],
        )
        .await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn typed_base_url(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("#add-base-url").unwrap();
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_owner_gets_one_answer_for_any_base_url_off_the_list_and_nothing_is_sent() {
    let sim = simulator().await;
    let (app, org, owner) = app_allowing(&sim.base_url).await;
    let (listening, probed) = listener(Some(
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
    ))
    .await;
    let closed = closed_port();

    let mut messages = Vec::new();
    for base_url in [
        listening.as_str(),
        closed.as_str(),
        "https://internal.example.invalid/v1",
    ] {
        let (status, html) = add(&app, &owner, "probe", base_url).await;
        assert_eq!(status, 422, "{base_url}");
        assert_eq!(typed_base_url(&html), base_url, "what was typed is kept");
        messages.push(text_of(&html, "#add-base-url-error"));
    }

    assert!(
        messages[0].contains("does not allow that base URL"),
        "{messages:?}"
    );
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:?}");
    assert_eq!(probed.load(Ordering::SeqCst), 0, "nothing was sent");
    assert!(
        crate::rows::accounts(app.state.raw_db(), org.id)
            .await
            .unwrap()
            .is_empty()
    );
    let refused: Vec<(String, String)> = sqlx::query_as(
        "SELECT outcome, details FROM audit_events WHERE action = 'cloud_account.create' ORDER BY id",
    )
    .fetch_all(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(refused.len(), 3);
    assert!(refused.iter().all(|(outcome, _)| outcome == "failed"));
    assert!(refused[0].1.contains(&listening), "{:?}", refused[0]);
}

#[tokio::test]
async fn an_owner_may_use_a_listed_base_url_and_an_instance_admin_any() {
    let sim = simulator().await;
    let other = simulator().await;
    let (app, org, owner) = app_allowing(&sim.base_url).await;

    let (status, html) = add(&app, &owner, "prod", &format!("{}/", sim.base_url)).await;
    assert_eq!(status, 303, "{html}");
    let (status, _) = add(&app, &owner, "elsewhere", &other.base_url).await;
    assert_eq!(status, 422);
    let admin = app.admin().await;
    let (status, html) = add(&app, &admin, "elsewhere", &other.base_url).await;
    assert_eq!(status, 303, "{html}");

    let accounts = crate::rows::accounts(app.state.raw_db(), org.id)
        .await
        .unwrap();
    let elsewhere = accounts.iter().find(|a| a.name == "elsewhere").unwrap();
    assert_eq!(elsewhere.base_url, other.base_url);
    // The Owner keeps the base URL the admin set when replacing the token,
    // but cannot move the account somewhere else off the list.
    let replace = |base_url: String| {
        let app = &app;
        let owner = &owner;
        let path = format!("/o/acme/cloud_accounts/{}/token", elsewhere.id);
        async move {
            app.post_form(owner, &path, &[("token", TOKEN), ("base_url", &base_url)])
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(replace(other.base_url.clone()).await, 303);
    assert_eq!(replace(closed_port()).await, 422);
    let still = crate::rows::accounts(app.state.raw_db(), org.id)
        .await
        .unwrap();
    assert_eq!(
        still
            .iter()
            .find(|a| a.name == "elsewhere")
            .unwrap()
            .base_url,
        other.base_url
    );
}

#[tokio::test]
async fn a_redirect_from_a_listed_base_url_is_not_followed() {
    let (target, reached) = listener(None).await;
    let (redirecting, _) = listener(Some(format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}/ping_auth\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )))
    .await;
    let (app, org, owner) = app_allowing(&redirecting).await;

    let (status, _) = add(&app, &owner, "prod", &redirecting).await;

    assert_eq!(status, 422);
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect was not followed"
    );
    assert!(
        crate::rows::accounts(app.state.raw_db(), org.id)
            .await
            .unwrap()
            .is_empty()
    );
}
