//! The changes to cloud users and cloud roles over the JSON API: a user
//! added, edited, disabled and deleted with its password never kept; a
//! user's role, API access and allowed addresses; a role created, renamed,
//! given permissions and users, cloned and deleted; and a member without
//! the flag refused. Each change is checked in the simulator and in the
//! audit log, naming the token.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_tokens::{HEADER, audit_text, make_token, token_id};
use crate::audit_accounts::captured_logs;
use crate::helpers::{TestApp, client, spawn_demo};

const API: &str = "/api/v1/o/demo";

/// Sends `method` to the API with a JSON body (or none); the answer's
/// status, its body as text (to search) and as JSON.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut request = client()
        .request(method, app.url(path))
        .header(HEADER, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("a JSON answer, got {status}: {text}"));
    (status, text, body)
}

fn users(app: &TestApp) -> Vec<Value> {
    app.sim_items("users")
}

fn user(app: &TestApp, id: &str) -> Option<Value> {
    users(app).into_iter().find(|u| u["id"] == id)
}

fn role(app: &TestApp, id: &str) -> Option<Value> {
    app.sim_items("roles").into_iter().find(|r| r["id"] == id)
}

/// The seeded user alice (Read only role, API access off).
fn alice(app: &TestApp) -> Value {
    users(app)
        .into_iter()
        .find(|u| u["email"] == "alice@example.com")
        .expect("the seeded user alice")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Waits (bounded) until `check` holds of the simulator.
async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen");
}

/// The events of an action, oldest first: (outcome, details).
async fn events(app: &TestApp, action: &str) -> Vec<(String, Value)> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT outcome, details FROM audit_events WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .into_iter()
    .map(|(o, d)| (o, serde_json::from_str(&d).unwrap_or(Value::Null)))
    .collect()
}

/// The change was recorded once as requested (naming the token) and
/// succeeded; the requested event's details.
async fn assert_audited(app: &TestApp, action: &str, token_id: i64) -> Value {
    let seen = events(app, action).await;
    let outcomes: Vec<&str> = seen.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(outcomes, ["requested", "succeeded"], "{action}");
    assert_eq!(
        seen[0].1["api_access_id"], token_id,
        "{action}: {:?}",
        seen[0]
    );
    seen[0].1.clone()
}

#[tokio::test]
async fn a_user_is_added_edited_disabled_and_deleted_and_its_password_is_never_kept() {
    // Arrange
    let logs = captured_logs();
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "people", "role").await;
    let token_id = token_id(&app, "people").await;
    let password = "Api-Sekr3t-pw-4471";
    let second = "Api-Sekr3t-pw-9902";
    let before = users(&app).len();

    // Act: add bob.
    let (status, text, body) = send(
        &app,
        Method::POST,
        &format!("{API}/cloud_users"),
        &token,
        Some(json!({"cloud_user": {
            "name": "bob",
            "email": "bob@example.com",
            "password": password,
            "description": "Ops",
        }})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{body}");
    let id = id_of(&body["cloud_user"]);
    assert!(!text.contains(password), "the password is not answered");
    let bob = user(&app, &id).expect("created upstream");
    assert!(bob["name"].as_str().unwrap().ends_with(".bob"), "{bob}");
    assert_eq!(bob["email"], "bob@example.com");
    assert_eq!(users(&app).len(), before + 1);
    let details = assert_audited(&app, "cloud_user.create", token_id).await;
    assert_eq!(details["password_set"], true);
    until("bob is active", || {
        user(&app, &id).is_some_and(|u| u["state"] == "ACTIVE")
    })
    .await;

    // Act: a new e-mail and password, and disabled.
    let (status, text, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/cloud_users/{id}"),
        &token,
        Some(json!({"cloud_user": {
            "email": "robert@example.com",
            "password": second,
            "state": "DISABLED",
        }})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!text.contains(second));
    assert_eq!(user(&app, &id).unwrap()["email"], "robert@example.com");
    until("bob is disabled", || {
        user(&app, &id).is_some_and(|u| u["state"] == "DISABLED")
    })
    .await;
    let details = assert_audited(&app, "cloud_user.update", token_id).await;
    assert_eq!(
        details,
        json!({
            "email": "robert@example.com",
            "password_set": true,
            "state": "DISABLE",
            "api_access_id": token_id,
        })
    );

    // The same values again: nothing is sent or recorded.
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/cloud_users/{id}"),
        &token,
        Some(json!({"cloud_user": {"email": "robert@example.com", "state": "DISABLED"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cloud_user"]["id"], id.as_str());
    assert_eq!(body["unchanged"], true, "{body}");
    assert_eq!(events(&app, "cloud_user.update").await.len(), 2);

    // A password the page would refuse is refused, as sent (not trimmed).
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/cloud_users/{id}"),
        &token,
        Some(json!({"cloud_user": {"password": " spaced-password "}})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["password"].is_string(), "{body}");

    // Act: delete bob; the verb is the confirmation.
    let (status, _, body) = send(
        &app,
        Method::DELETE,
        &format!("{API}/cloud_users/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_audited(&app, "cloud_user.delete", token_id).await;
    until("bob is gone", || user(&app, &id).is_none()).await;

    // Neither password reached the audit log or a log line.
    let audit = audit_text(&app).await;
    assert!(!audit.contains(password) && !audit.contains(second));
    assert!(!audit.contains(&token), "nor the token");
    if let Some(logs) = logs {
        let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
        assert!(!text.contains(password) && !text.contains(second));
    }
}

#[tokio::test]
async fn a_users_role_api_access_and_allowed_addresses_are_changed_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "access", "role").await;
    let token_id = token_id(&app, "access").await;
    let alice = alice(&app);
    let id = id_of(&alice);
    let other = app
        .sim_items("roles")
        .into_iter()
        .find(|r| r["name"] != "Read only")
        .expect("another role");
    let base = format!("{API}/cloud_users/{id}");

    // The role.
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{base}/role"),
        &token,
        Some(json!({"role_id": id_of(&other)})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cloud_user"]["roles"]["id"], other["id"]);
    assert_eq!(
        self::user(&app, &id).unwrap()["roles"]["name"],
        other["name"]
    );
    let details = assert_audited(&app, "cloud_user.change_role", token_id).await;
    assert_eq!(details["role_id"], other["id"]);
    // The same role again: answered as it is, nothing sent.
    let (status, _, _) = send(
        &app,
        Method::POST,
        &format!("{base}/role"),
        &token,
        Some(json!({"role_id": id_of(&other)})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(events(&app, "cloud_user.change_role").await.len(), 2);

    // API access on: the key it gets is never answered.
    let (status, text, body) = send(
        &app,
        Method::POST,
        &format!("{base}/api"),
        &token,
        Some(json!({"active": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let now = self::user(&app, &id).unwrap();
    assert_eq!(now["api"]["active"], true);
    let key = now["api"]["key"]
        .as_str()
        .expect("a key upstream")
        .to_owned();
    assert!(!text.contains(&key), "the key is not answered: {text}");
    assert!(body["cloud_user"]["api"].get("key").is_none(), "{body}");
    assert_audited(&app, "cloud_user.api_enable", token_id).await;

    // Allowed addresses: added, refused again, and a bad one named.
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{base}/api/ips"),
        &token,
        Some(json!({"ips": ["203.0.113.7", "2001:DB8::1"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        self::user(&app, &id).unwrap()["api"]["allowed_ips"],
        json!(["203.0.113.7", "2001:db8::1"])
    );
    let details = assert_audited(&app, "cloud_user.api_ips_add", token_id).await;
    assert_eq!(details["ips"], json!(["203.0.113.7", "2001:db8::1"]));
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{base}/api/ips"),
        &token,
        Some(json!({"ips": ["203.0.113.7"]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["fields"]["ips"]
            .as_str()
            .unwrap()
            .contains("already allowed"),
        "{body}"
    );
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{base}/api/ips"),
        &token,
        Some(json!({"ips": ["10.0.0.0/8"]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["ips"].is_string(), "{body}");
    let (status, _, body) = send(
        &app,
        Method::DELETE,
        &format!("{base}/api/ips/203.0.113.7"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        self::user(&app, &id).unwrap()["api"]["allowed_ips"],
        json!(["2001:db8::1"])
    );
    let (status, _, _) = send(
        &app,
        Method::DELETE,
        &format!("{base}/api/ips/not-an-address"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 422, "an address that is not one is refused");
    assert_audited(&app, "cloud_user.api_ips_remove", token_id).await;

    // API access off.
    let (status, _, _) = send(
        &app,
        Method::POST,
        &format!("{base}/api"),
        &token,
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(self::user(&app, &id).unwrap()["api"]["active"], false);
    assert_audited(&app, "cloud_user.api_disable", token_id).await;
}

#[tokio::test]
async fn a_role_is_created_renamed_given_permissions_and_users_cloned_and_deleted() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "roles", "role").await;
    let token_id = token_id(&app, "roles").await;
    let base = format!("{API}/cloud_roles");

    // Create.
    let (status, _, body) = send(
        &app,
        Method::POST,
        &base,
        &token,
        Some(json!({"cloud_role": {"name": "operators"}})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = id_of(&body["cloud_role"]);
    assert_eq!(
        role(&app, &id).expect("created upstream")["name"],
        "operators"
    );
    assert_audited(&app, "cloud_role.create", token_id).await;

    // Rename and describe.
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}"),
        &token,
        Some(json!({"cloud_role": {"name": "on-call", "description": "Pager duty"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let now = role(&app, &id).unwrap();
    assert_eq!(
        (&now["name"], &now["description"]),
        (&json!("on-call"), &json!("Pager duty"))
    );
    let details = assert_audited(&app, "cloud_role.update", token_id).await;
    assert_eq!(details["name"], "on-call");
    // Nothing changed: answered as it is, nothing recorded.
    let (status, _, _) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}"),
        &token,
        Some(json!({"cloud_role": {"name": "on-call"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(events(&app, "cloud_role.update").await.len(), 2);

    // The permission matrix: exactly these two; only what differs is sent.
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}/permissions"),
        &token,
        Some(json!({"permissions": ["servers.show", "images.show"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let permissions = role(&app, &id).unwrap()["permissions"].clone();
    assert_eq!(permissions["servers"]["show"], true);
    assert_eq!(permissions["images"]["show"], true);
    assert_eq!(permissions["servers"]["create"], false);
    assert_eq!(
        body["cloud_role"]["permissions"]["servers"]["create"],
        false
    );
    let details = assert_audited(&app, "cloud_role.permissions", token_id).await;
    assert!(details["changed"].is_object(), "{details}");
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}/permissions"),
        &token,
        Some(json!({"permissions": ["images.show", "servers.show"]})),
    )
    .await;
    assert_eq!(status, 200, "the same matrix");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Nothing to save"),
        "{body}"
    );
    assert_eq!(events(&app, "cloud_role.permissions").await.len(), 2);
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}/permissions"),
        &token,
        Some(json!({"permissions": ["organisation.manage_members"]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["permissions"].is_string(), "{body}");

    // Its users: alice in, then out.
    let alice_id = id_of(&alice(&app));
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{base}/{id}/users"),
        &token,
        Some(json!({"user_id": alice_id})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(alice(&app)["roles"]["id"], id.as_str());
    assert_audited(&app, "cloud_role.add_user", token_id).await;
    let (status, _, body) = send(
        &app,
        Method::DELETE,
        &format!("{base}/{id}/users/{alice_id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(alice(&app)["roles"].is_null(), "{}", alice(&app));
    assert_audited(&app, "cloud_role.remove_user", token_id).await;

    // Clone: a name of its own, the same permissions.
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{base}/{id}/clone"),
        &token,
        Some(json!({"name": "on-call"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["name"].is_string(), "{body}");
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{base}/{id}/clone"),
        &token,
        Some(json!({"name": "on-call-2"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let copy = id_of(&body["cloud_role"]);
    assert_eq!(role(&app, &copy).unwrap()["permissions"], permissions);
    let details = assert_audited(&app, "cloud_role.clone", token_id).await;
    assert_eq!(details["from"], "on-call");

    // Delete.
    let (status, _, body) = send(&app, Method::DELETE, &format!("{base}/{id}"), &token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_audited(&app, "cloud_role.delete", token_id).await;
    until("the role is gone", || role(&app, &id).is_none()).await;
    assert!(role(&app, &copy).is_some());
}

#[tokio::test]
async fn a_member_without_the_flag_is_refused_and_nothing_changes() {
    // Arrange: a member who may describe users, and nothing else.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "describer@example.com",
            &["users.show", "users.set_description", "roles.show"],
        )
        .await;
    let token = make_token(&app, &member, "describer", "role").await;
    let token_id = token_id(&app, "describer").await;
    let alice = alice(&app);
    let id = id_of(&alice);

    // Act: a new password, which needs users.set_password.
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/cloud_users/{id}"),
        &token,
        Some(json!({"cloud_user": {"description": "Lead", "password": "Another-pw-77"}})),
    )
    .await;
    let (deleted, _, _) = send(
        &app,
        Method::DELETE,
        &format!("{API}/cloud_users/{id}"),
        &token,
        None,
    )
    .await;

    // Assert
    assert_eq!(status, 403, "{body}");
    assert!(
        body["errors"][0]
            .as_str()
            .unwrap()
            .contains("users.set_password"),
        "{body}"
    );
    assert_eq!(deleted, 403);
    assert_eq!(
        user(&app, &id).unwrap()["description"],
        alice["description"]
    );
    let denied = events(&app, "users.set_password").await;
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0].0, "denied");
    assert_eq!(denied[0].1["api_access_id"], token_id);
    assert!(events(&app, "cloud_user.update").await.is_empty());
    assert!(events(&app, "cloud_user.delete").await.is_empty());
    // What the flag allows goes through.
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/cloud_users/{id}"),
        &token,
        Some(json!({"cloud_user": {"description": "Lead"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(user(&app, &id).unwrap()["description"], "Lead");
}
