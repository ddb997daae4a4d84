//! Access that expires: a member's access to an organisation is given an
//! end on the members page; once it passes, their pages and API tokens are
//! refused on the next request, and the sweep cancels their waiting
//! changes and removes the membership, each step audited.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::Duration;

use crate::api_tokens::{api, make_token};
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::queue::{spawn, spend_budget};
use crate::servers::{seeded, sim_state};

const MEMBERS: &str = "/o/demo/members";

async fn user_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(email)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

async fn expires_at(app: &TestApp, user: i64) -> Option<Option<i64>> {
    sqlx::query_scalar("SELECT expires_at FROM memberships WHERE user_id = ?")
        .bind(user)
        .fetch_optional(app.state.raw_db())
        .await
        .unwrap()
}

/// The details of the last audit event of `action`.
async fn last_event(app: &TestApp, action: &str) -> Option<(String, serde_json::Value, String)> {
    sqlx::query_as::<_, (String, String, String)>(
        "SELECT outcome, details, actor_label FROM audit_events WHERE action = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(action)
    .fetch_optional(app.state.raw_db())
    .await
    .unwrap()
    .map(|(o, d, a)| (o, serde_json::from_str(&d).unwrap(), a))
}

#[tokio::test]
async fn an_owner_gives_a_members_access_an_end_and_the_page_shows_it() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let _sam = app.member_with("sam@example.org", &["servers.show"]).await;
    let sam = user_id(&app, "sam@example.org").await;
    let tomorrow = chrono::Utc::now()
        .date_naive()
        .succ_opt()
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();

    // Act
    let set = app
        .post_form(
            &admin,
            &format!("{MEMBERS}/{sam}/expiry"),
            &[("until", &format!("{tomorrow}T18:00"))],
        )
        .await;
    let (_, page) = app.get_html(&admin, MEMBERS).await;
    let past = app
        .post_form(
            &admin,
            &format!("{MEMBERS}/{sam}/expiry"),
            &[("until", "2020-01-01")],
        )
        .await;
    let (_, refused) = app.get_html(&admin, MEMBERS).await;

    // Assert
    assert_eq!(set.status().as_u16(), 303);
    assert!(location(&set).ends_with(MEMBERS));
    let table = text_of(&page, "main table");
    assert!(table.contains(&format!("{tomorrow} 18:00 UTC")), "{table}");
    assert!(text_of(&page, ".flash-success").contains("ends"), "{page}");
    assert_eq!(past.status().as_u16(), 303);
    assert!(
        text_of(&refused, ".flash-error").contains("must lie in the future"),
        "{refused}"
    );
    let end = expires_at(&app, sam).await.flatten().expect("an end");
    let (outcome, details, _) = last_event(&app, "member.set_expiry").await.unwrap();
    assert_eq!(outcome, "succeeded");
    assert_eq!(details["expires_at"], end);
    assert_eq!(details["role"], "Role of sam@example.org");

    // Clearing it: no end again.
    app.post_form(&admin, &format!("{MEMBERS}/{sam}/expiry"), &[("until", "")])
        .await;
    assert_eq!(expires_at(&app, sam).await, Some(None));
}

#[tokio::test]
async fn the_last_owner_for_good_keeps_access_without_an_end() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let me = user_id(&app, &app.admin_email).await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    app.post_form(
        &admin,
        &format!("{MEMBERS}/{me}/expiry"),
        &[("until", &tomorrow)],
    )
    .await;
    let (_, page) = app.get_html(&admin, MEMBERS).await;
    assert!(
        text_of(&page, ".flash-error").contains("only Owner"),
        "{}",
        text_of(&page, ".flash-error")
    );
    assert_eq!(expires_at(&app, me).await, Some(None));
}

#[tokio::test]
async fn when_access_ends_pages_and_tokens_stop_and_waiting_changes_are_cancelled() {
    // Arrange: Sam may power servers off, has a token, and a change waiting.
    let app = spawn(100, Duration::from_secs(60)).await;
    let sam_client = app
        .member_with("sam@example.org", &["servers.show", "servers.shutdown"])
        .await;
    let sam = user_id(&app, "sam@example.org").await;
    let token = make_token(&app, &sam_client, "sam's script", "role").await;
    let (server, _) = seeded(&app, "POWERED_ON");
    spend_budget(&app);
    let queued = app
        .post_form(
            &sam_client,
            &format!("/o/demo/servers/{server}/power"),
            &[("action", "POWER_OFF"), ("method", "SOFTWARE")],
        )
        .await;
    assert_eq!(queued.status().as_u16(), 303);
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM change_queue WHERE state = 'queued'")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert_eq!(waiting, 1);
    let (status, _, _) = api(&app, "/api/v1/o/demo/cloud_accounts", Some(&token)).await;
    assert_eq!(status, 200, "the token works while access lasts");

    // Act: the end passes (set as the sweep would find it).
    sqlx::query("UPDATE memberships SET expires_at = ? WHERE user_id = ?")
        .bind(teampanel::db::now_unix() - 1)
        .bind(sam)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let page = sam_client
        .get(app.url("/o/demo/servers"))
        .send()
        .await
        .unwrap();
    let (api_status, _, _) = api(&app, "/api/v1/o/demo/cloud_accounts", Some(&token)).await;
    let ended = app
        .state
        .door
        .end_expired_access(teampanel::db::now_unix())
        .await
        .unwrap();

    // Assert: refused at once, before the sweep, then swept.
    assert_eq!(page.status().as_u16(), 404);
    assert_eq!(api_status, 401);
    assert_eq!(ended, 1);
    assert_eq!(expires_at(&app, sam).await, None, "the membership is gone");
    let state: String = sqlx::query_scalar("SELECT state FROM change_queue")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(state, "cancelled");
    let (outcome, details, actor) = last_event(&app, "server.power_off").await.unwrap();
    assert_eq!(outcome, "cancelled");
    assert!(
        details["reason"].as_str().unwrap().contains("access"),
        "{details}"
    );
    assert_eq!(actor, "sam@example.org");
    let (outcome, details, actor) = last_event(&app, "member.expired").await.unwrap();
    assert_eq!(
        (outcome.as_str(), actor.as_str()),
        ("succeeded", "access expiry")
    );
    assert!(details["expires_at"].is_number());
    assert_eq!(sim_state(&app, &server), "POWERED_ON", "nothing was sent");
    assert_eq!(
        app.state
            .door
            .end_expired_access(teampanel::db::now_unix())
            .await
            .unwrap(),
        0,
        "ended once"
    );
}
