//! Personal access tokens and the JSON API's door: made on the profile page
//! and shown once, stored hashed, used on the first endpoints with the
//! rate-limit headers, refused (401, 404, 403, 422, 429) as the Engine Yard
//! conventions say, revoked by their member or an Owner, and never written
//! to a log line or the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use serde_json::Value;

use crate::audit_accounts::captured_logs;
use crate::helpers::{TestApp, client, location, spawn_demo, spawn_demo_configured, text_of};

pub(crate) const HEADER: &str = "X-TEAMPANEL-TOKEN";

/// Makes a token on the profile page; returns it as the page showed it.
pub(crate) async fn make_token(
    app: &TestApp,
    c: &reqwest::Client,
    name: &str,
    access: &str,
) -> String {
    let response = app
        .post_form(
            c,
            "/profile/api_tokens",
            &[
                ("org", "demo"),
                ("name", name),
                ("days", "30"),
                ("access", access),
            ],
        )
        .await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "the token is shown in the answer"
    );
    let html = response.text().await.unwrap();
    // Read without an HTML parser: the parser's own debug lines would put
    // the token in the captured log, which must show the panel's only.
    let after = html
        .split("id=\"new-api-token\"")
        .nth(1)
        .expect("the new token on the page");
    let value = after.split("value=\"").nth(1).expect("its value");
    value[..value.find('"').expect("quoted")].to_owned()
}

pub(crate) async fn token_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = ?")
        .bind(name)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap()
}

pub(crate) async fn api(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = client().get(app.url(path));
    if let Some(token) = token {
        request = request.header(HEADER, token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.expect("a JSON answer");
    (status, headers, body)
}

pub(crate) fn header(headers: &reqwest::header::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Every audit row as one text: what it holds anywhere.
pub(crate) async fn audit_text(app: &TestApp) -> String {
    sqlx::query_scalar::<_, String>(
        "SELECT group_concat(action || ' ' || target_id || ' ' || target_name || ' ' || details || ' ' || COALESCE(error, ''), char(10)) FROM audit_events",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_token_is_shown_once_stored_hashed_and_opens_both_endpoints() {
    // Arrange
    let logs = captured_logs();
    assert!(
        logs.is_some() || std::env::var_os("TEST_LOG").is_some(),
        "the log capture is installed"
    );
    let app = spawn_demo().await;
    let admin = app.admin().await;

    // Act
    let token = make_token(&app, &admin, "deploy script", "role").await;
    let id = token_id(&app, "deploy script").await;
    let (_, profile) = app.get_html(&admin, "/profile").await;
    let (status, headers, accounts) =
        api(&app, "/api/v1/o/demo/cloud_accounts", Some(&token)).await;
    let response = client()
        .get(app.url(&format!("/api/v1/o/demo/audit?page=1&token={token}")))
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    let audit_status = response.status().as_u16();
    let audit_type = header(response.headers(), "content-type");
    let audit_limit = header(response.headers(), "x-ratelimit-remaining");
    let audit: Value = response.json().await.unwrap();

    // Assert: the token, once.
    assert!(token.starts_with("tp_"), "{token}");
    assert_eq!(token.len(), 43);
    assert!(!profile.contains(&token), "shown once only");
    assert!(text_of(&profile, "#api-tokens-heading + p ~ div table").contains("deploy script"));
    let (hash, prefix): (String, String) =
        sqlx::query_as("SELECT hash, prefix FROM api_tokens WHERE id = ?")
            .bind(id)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert_eq!(hash, teampanel::tenant::hash_api_token(&token));
    assert!(token[3..].starts_with(&prefix) && prefix.len() < 10);
    let rows: String =
        sqlx::query_scalar("SELECT group_concat(name || prefix || hash || access) FROM api_tokens")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert!(!rows.contains(&token), "the database holds no plain token");

    // The audit event names the id, never the token.
    let (target_id, outcome): (String, String) = sqlx::query_as(
        "SELECT target_id, outcome FROM audit_events WHERE action = 'api_token.create'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!((target_id, outcome.as_str()), (id.to_string(), "succeeded"));
    assert!(!audit_text(&app).await.contains(&token));

    // Both endpoints answer JSON with the token's rate limit.
    assert_eq!(status, 200, "{accounts}");
    assert_eq!(header(&headers, "x-ratelimit-limit"), "120");
    assert_eq!(header(&headers, "x-ratelimit-remaining"), "119");
    let reset: i64 = header(&headers, "x-ratelimit-reset").parse().unwrap();
    assert!(reset > teampanel::db::now_unix());
    let list = accounts["cloud_accounts"].as_array().unwrap();
    assert!(list.len() >= 2, "both demo accounts: {accounts}");
    for account in list {
        assert!(
            account["budget"]["limit"].as_u64().unwrap() > 0,
            "{account}"
        );
        assert!(account["budget"]["remaining"].is_u64());
        assert!(account["budget"]["resets_in_secs"].is_u64());
        assert_eq!(account["queue"]["waiting"], 0);
    }
    assert!(list.iter().any(|a| a["provider"] == "cloudpanel"));
    assert!(list.iter().any(|a| a["provider"] == "e2e"));
    assert_eq!(audit_status, 200, "{audit}");
    assert!(audit_type.starts_with("application/json"));
    assert_eq!(audit_limit, "118");
    assert!(
        audit["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "api_token.create"
                && e["target"]["id"].as_str() == Some(id.to_string().as_str()))
    );
    let last_used: Option<i64> =
        sqlx::query_scalar("SELECT last_used_at FROM api_tokens WHERE id = ?")
            .bind(id)
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert!(last_used.is_some());

    // Not in any log line, though one request carried it in its query.
    if let Some(logs) = logs {
        let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
        assert!(text.contains("/api/v1/o/demo/audit"), "logs were captured");
        assert!(!text.contains(&token), "a log line holds the token");
        assert!(!text.contains(&token[3..]), "a log line holds the token");
    }
}

#[tokio::test]
async fn no_bad_expired_or_revoked_token_and_no_session_opens_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "short lived", "role").await;
    let other = make_token(&app, &admin, "to revoke", "read").await;
    let path = "/api/v1/o/demo/cloud_accounts";
    assert_eq!(api(&app, path, Some(&token)).await.0, 200);
    assert_eq!(api(&app, path, Some(&other)).await.0, 200);

    // Act
    let none = api(&app, path, None).await;
    let unknown = api(
        &app,
        path,
        Some("tp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    .await;
    let session_only = admin.get(app.url(path)).send().await.unwrap();
    let session_status = session_only.status().as_u16();
    let session_body: Value = session_only.json().await.unwrap();
    sqlx::query("UPDATE api_tokens SET expires_at = ? WHERE name = 'short lived'")
        .bind(teampanel::db::now_unix() - 1)
        .execute(app.state.raw_db())
        .await
        .unwrap();
    let expired = api(&app, path, Some(&token)).await;
    let id = token_id(&app, "to revoke").await;
    let unconfirmed = app
        .post_form(
            &admin,
            &format!("/profile/api_tokens/demo/{id}/revoke"),
            &[],
        )
        .await;
    let still = api(&app, path, Some(&other)).await;
    let revoked = app
        .post_form(
            &admin,
            &format!("/profile/api_tokens/demo/{id}/revoke"),
            &[("confirm", "yes")],
        )
        .await;
    let after = api(&app, path, Some(&other)).await;

    // Assert
    for (what, (status, headers, body)) in [
        ("none", &none),
        ("unknown", &unknown),
        ("expired", &expired),
        ("revoked", &after),
    ] {
        assert_eq!(*status, 401, "{what}: {body}");
        assert_eq!(body["errors"], unknown.2["errors"], "{what}: one message");
        assert!(
            body["errors"][0]
                .as_str()
                .unwrap()
                .contains("X-TEAMPANEL-TOKEN")
        );
        assert!(headers.get("set-cookie").is_none(), "{what}: no session");
    }
    assert_eq!(session_status, 401, "a session cookie alone opens nothing");
    assert_eq!(session_body["errors"], unknown.2["errors"]);
    assert_eq!(
        unconfirmed.status().as_u16(),
        303,
        "not confirmed: nothing changes"
    );
    assert_eq!(still.0, 200);
    assert_eq!(revoked.status().as_u16(), 303);
    assert_eq!(location(&revoked), "/profile");
    let (target, outcome): (String, String) = sqlx::query_as(
        "SELECT target_id, outcome FROM audit_events WHERE action = 'api_token.revoke'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!((target, outcome.as_str()), (id.to_string(), "succeeded"));
    let (_, profile) = app.get_html(&admin, "/profile").await;
    assert!(text_of(&profile, &format!("#token-{id}")).contains("revoked"));
}

#[tokio::test]
async fn another_organisation_is_not_found_and_parameters_are_checked() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(&app.admin_email)
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    crate::rows::create_org(app.state.raw_db(), "Other", "other", admin_id)
        .await
        .unwrap();
    let token = make_token(&app, &admin, "demo only", "role").await;

    // Act
    let other = api(&app, "/api/v1/o/other/cloud_accounts", Some(&token)).await;
    let unknown_org = api(&app, "/api/v1/o/nowhere/audit", Some(&token)).await;
    let unknown_path = api(&app, "/api/v1/o/demo/nothing_here", Some(&token)).await;
    let extra = api(
        &app,
        "/api/v1/o/demo/audit?page=1&snarfblat=1&scruffy_looking=2",
        Some(&token),
    )
    .await;
    let on_accounts = api(&app, "/api/v1/o/demo/cloud_accounts?page=2", Some(&token)).await;
    let bad_page = api(&app, "/api/v1/o/demo/audit?page=zero", Some(&token)).await;
    let empty_page = api(&app, "/api/v1/o/demo/audit?page=", Some(&token)).await;

    // Assert
    for (status, _, body) in [&other, &unknown_org, &unknown_path] {
        assert_eq!(*status, 404, "{body}");
        assert!(body["errors"].is_array());
    }
    assert!(!other.2.to_string().contains("Other"));
    assert_eq!(extra.0, 422);
    assert_eq!(
        extra.2["unpermitted"],
        serde_json::json!(["snarfblat", "scruffy_looking"])
    );
    assert_eq!(
        extra.2["errors"][0],
        "found unpermitted parameters: snarfblat, scruffy_looking"
    );
    assert_eq!(header(&extra.1, "x-ratelimit-limit"), "120");
    assert_eq!(on_accounts.0, 422);
    assert_eq!(on_accounts.2["unpermitted"], serde_json::json!(["page"]));
    assert_eq!(bad_page.0, 422);
    assert!(bad_page.2["errors"].is_array());
    assert_eq!(empty_page.0, 422);
    assert_eq!(empty_page.2["missing"], "page");
}

#[tokio::test]
async fn a_read_only_token_holds_only_show_flags_and_a_refusal_is_audited() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let read = make_token(&app, &admin, "reader", "read").await;
    let id = token_id(&app, "reader").await;
    let member = app
        .member_with("nobody@example.org", &["organisation.view_audit"])
        .await;
    let blind = make_token(&app, &member, "blind", "role").await;

    // Act
    let accounts = api(&app, "/api/v1/o/demo/cloud_accounts", Some(&read)).await;
    let audit = api(&app, "/api/v1/o/demo/audit", Some(&read)).await;
    let no_cloud = api(&app, "/api/v1/o/demo/cloud_accounts", Some(&blind)).await;
    let member_audit = api(&app, "/api/v1/o/demo/audit", Some(&blind)).await;

    // Assert
    assert_eq!(accounts.0, 200, "{}", accounts.2);
    assert_eq!(audit.0, 403, "{}", audit.2);
    let message = audit.2["errors"][0].as_str().unwrap();
    assert!(message.contains("organisation.view_audit"), "{message}");
    assert!(message.contains("read-only"), "{message}");
    assert_eq!(header(&audit.1, "x-ratelimit-remaining"), "118");
    let (details, actor): (String, String) = sqlx::query_as(
        "SELECT details, actor_label FROM audit_events WHERE outcome = 'denied' AND action = 'organisation.view_audit'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["api_access_id"], id);
    assert_eq!(details["path"], "/api/v1/o/demo/audit");
    assert_eq!(actor, app.admin_email);
    assert_eq!(no_cloud.0, 403, "{}", no_cloud.2);
    assert!(
        no_cloud.2["errors"][0]
            .as_str()
            .unwrap()
            .contains("servers.show")
    );
    assert_eq!(member_audit.0, 200, "a role token holds the role's flags");
}

#[tokio::test]
async fn past_its_limit_a_token_is_answered_429_and_others_are_not() {
    // Arrange
    let app = spawn_demo_configured(
        |s| s.api_rate_limit = 3,
        |sim| {
            sim.speed = 50.0;
            sim.rate_limit = 100_000;
        },
    )
    .await;
    let admin = app.admin().await;
    let first = make_token(&app, &admin, "busy", "read").await;
    let second = make_token(&app, &admin, "calm", "read").await;
    let path = "/api/v1/o/demo/cloud_accounts";

    // Act
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(api(&app, path, Some(&first)).await);
    }
    let other = api(&app, path, Some(&second)).await;

    // Assert
    let remaining: Vec<String> = answers
        .iter()
        .map(|(_, h, _)| header(h, "x-ratelimit-remaining"))
        .collect();
    assert_eq!(remaining, ["2", "1", "0", "0"]);
    assert_eq!(
        answers.iter().map(|a| a.0).collect::<Vec<_>>(),
        [200, 200, 200, 429]
    );
    let (_, headers, body) = &answers[3];
    assert_eq!(header(headers, "x-ratelimit-limit"), "3");
    assert!(body["errors"][0].as_str().unwrap().contains("rate limit"));
    assert_eq!(other.0, 200);
    assert_eq!(header(&other.1, "x-ratelimit-remaining"), "2");
}

#[tokio::test]
async fn an_owner_sees_and_revokes_a_members_token_on_the_organisation_page() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let member = app.member_with("mira@example.org", &["servers.show"]).await;
    let token = make_token(&app, &member, "mira's laptop", "role").await;
    let id = token_id(&app, "mira's laptop").await;
    let mine = make_token(&app, &admin, "owner's own", "role").await;
    let own_id = token_id(&app, "owner's own").await;

    // Act
    let (member_page, _) = app.get_html(&member, "/o/demo/api_tokens").await;
    let not_hers = app
        .post_form(
            &member,
            &format!("/profile/api_tokens/demo/{own_id}/revoke"),
            &[("confirm", "yes")],
        )
        .await;
    let (status, list) = app.get_html(&admin, "/o/demo/api_tokens").await;
    let revoked = app
        .post_form(
            &admin,
            &format!("/o/demo/api_tokens/{id}/revoke"),
            &[("confirm", "yes")],
        )
        .await;
    let after = api(&app, "/api/v1/o/demo/cloud_accounts", Some(&token)).await;
    let (_, list_after) = app.get_html(&admin, "/o/demo/api_tokens").await;

    // Assert
    assert_eq!(
        member_page, 403,
        "only those who manage members see the list"
    );
    assert_eq!(
        not_hers.status().as_u16(),
        404,
        "another member's token is not found"
    );
    assert_eq!(api(&app, "/api/v1/o/demo/audit", Some(&mine)).await.0, 200);
    assert_eq!(status, 200);
    let row = text_of(&list, &format!("#token-{id}"));
    assert!(
        row.contains("mira's laptop") && row.contains("mira@example.org"),
        "{row}"
    );
    assert!(!list.contains(&token));
    assert_eq!(revoked.status().as_u16(), 303);
    assert_eq!(location(&revoked), "/o/demo/api_tokens");
    assert_eq!(after.0, 401);
    assert!(text_of(&list_after, &format!("#token-{id}")).contains("revoked"));
    let (target, owner): (String, String) = sqlx::query_as(
        "SELECT target_id, json_extract(details, '$.owner') FROM audit_events WHERE action = 'api_token.revoke'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(
        (target, owner.as_str()),
        (id.to_string(), "mira@example.org")
    );
    assert!(!audit_text(&app).await.contains(&token));
}

#[tokio::test]
async fn a_bad_token_form_comes_back_with_each_message_beside_its_field() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;

    // Act
    let response = app
        .post_form(
            &admin,
            "/profile/api_tokens",
            &[
                ("org", "elsewhere"),
                ("name", " "),
                ("days", "400"),
                ("access", "all"),
            ],
        )
        .await;
    let status = response.status().as_u16();
    let html = response.text().await.unwrap();

    // Assert
    assert_eq!(status, 422);
    assert!(text_of(&html, "#token-org-error").contains("one of your organisations"));
    assert!(text_of(&html, "#token-name-error").contains("Enter a token name"));
    assert!(text_of(&html, "#token-days-error").contains("1 to 365"));
    assert!(text_of(&html, "#token-access-error").contains("read-only or your role"));
    assert!(html.contains("value=\"400\""), "what was typed is kept");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    assert_eq!(count, 0);
}
