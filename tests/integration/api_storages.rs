//! The changes to block and shared storages over the JSON API: each answers
//! what the provider did, leaves the simulator changed, and is audited as
//! its page audits it (requested, then succeeded, naming the token); bad
//! values are refused with their fields and nothing is sent; the access
//! password is never answered nor recorded; a member without the flag is
//! refused (403, audited as denied).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_tokens::{HEADER, make_token, token_id};
use crate::block_storages::{seeded_item, server_id, sim_item, wait_for_item};
use crate::helpers::{TestApp, client, spawn_demo};

const API: &str = "/api/v1/o/demo";

/// Sends `method` to the API with a JSON body (or none).
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = client()
        .request(method, app.url(path))
        .header(HEADER, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("a JSON answer, got {status}: {text}"));
    (status, headers, body)
}

/// The audit events of an action, oldest first: (outcome, details).
pub(crate) async fn events(app: &TestApp, action: &str) -> Vec<(String, Value)> {
    sqlx::query_as::<_, (String, Option<String>)>(
        "SELECT outcome, details FROM audit_events WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
    .into_iter()
    .map(|(o, d)| {
        let details = d
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Value::Null);
        (o, details)
    })
    .collect()
}

/// The action's last two events are one change made with the token
/// `token_id`: requested (naming the token), then succeeded. Its details.
pub(crate) async fn assert_api_pair(app: &TestApp, action: &str, token_id: i64) -> Value {
    let seen = events(app, action).await;
    assert!(seen.len() >= 2, "{action}: {seen:?}");
    let (requested, succeeded) = (&seen[seen.len() - 2], &seen[seen.len() - 1]);
    assert_eq!(requested.0, "requested", "{action}: {seen:?}");
    assert_eq!(succeeded.0, "succeeded", "{action}: {seen:?}");
    assert_eq!(requested.1["api_access_id"], token_id, "{action}: {seen:?}");
    requested.1.clone()
}

/// How many changes of an action were asked of the provider (a refusal
/// before that is audited under the permission's name, not the action's).
pub(crate) async fn requested(app: &TestApp, action: &str) -> usize {
    events(app, action)
        .await
        .iter()
        .filter(|(outcome, _)| outcome == "requested")
        .count()
}

/// The `denied` events of a permission, with their details.
pub(crate) async fn denials(app: &TestApp, permission: &str) -> Vec<Value> {
    events(app, permission)
        .await
        .into_iter()
        .filter(|(outcome, _)| outcome == "denied")
        .map(|(_, details)| details)
        .collect()
}

#[tokio::test]
async fn a_block_storage_is_created_renamed_attached_detached_and_deleted_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "storage script", "role").await;
    let token_id = token_id(&app, "storage script").await;
    let db = server_id(&app, "db-01");

    // Act: create.
    let (status, headers, created) = send(
        &app,
        Method::POST,
        &format!("{API}/block_storages"),
        &token,
        Some(json!({"block_storage": {"name": "api-logs", "size": 40, "description": "Log archive"}})),
    )
    .await;

    // Assert: created upstream, answered, audited as the page does.
    assert_eq!(status, 201, "{created}");
    let id = created["block_storage"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["block_storage"]["name"], "api-logs");
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{API}/block_storages/{id}").as_str())
    );
    let upstream = sim_item(&app, "block_storages", &id).expect("created upstream");
    assert_eq!(
        (upstream["name"].as_str(), upstream["size"].as_i64()),
        (Some("api-logs"), Some(40))
    );
    let details = assert_api_pair(&app, "block_storage.create", token_id).await;
    assert_eq!(details["size"], 40);
    assert_eq!(details["name"], "api-logs");
    wait_for_item(&app, "block_storages", &id, "ACTIVE").await;

    // Rename: a field left out stays; the same values again change nothing.
    let path = format!("{API}/block_storages/{id}");
    let (status, _, renamed) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"block_storage": {"description": "Old logs"}})),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    let upstream = sim_item(&app, "block_storages", &id).unwrap();
    assert_eq!(upstream["description"], "Old logs");
    assert_eq!(upstream["name"], "api-logs");
    let details = assert_api_pair(&app, "block_storage.rename", token_id).await;
    assert_eq!(details["description"], "Old logs");
    assert!(details["name"].is_null(), "{details}");
    wait_for_item(&app, "block_storages", &id, "ACTIVE").await;
    let (status, _, same) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"block_storage": {"name": "api-logs", "description": "Old logs"}})),
    )
    .await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["unchanged"], true, "{same}");
    assert_eq!(
        events(&app, "block_storage.rename").await.len(),
        2,
        "nothing sent"
    );

    // Attach to a server, then detach it.
    let (status, _, attached) = send(
        &app,
        Method::POST,
        &format!("{path}/server"),
        &token,
        Some(json!({"server_id": db})),
    )
    .await;
    assert_eq!(status, 200, "{attached}");
    assert_eq!(
        sim_item(&app, "block_storages", &id).unwrap()["server"]["id"],
        db.as_str()
    );
    let details = assert_api_pair(&app, "block_storage.attach", token_id).await;
    assert_eq!(details["server_name"], "db-01");
    wait_for_item(&app, "block_storages", &id, "ACTIVE").await;
    let (status, _, detached) = send(
        &app,
        Method::DELETE,
        &format!("{path}/server"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{detached}");
    assert!(sim_item(&app, "block_storages", &id).unwrap()["server"].is_null());
    let details = assert_api_pair(&app, "block_storage.detach", token_id).await;
    assert_eq!(details["server_id"], db.as_str());
    wait_for_item(&app, "block_storages", &id, "ACTIVE").await;
    // Detached already: nothing to detach, nothing sent.
    let (status, _, conflict) = send(
        &app,
        Method::DELETE,
        &format!("{path}/server"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(events(&app, "block_storage.detach").await.len(), 2);

    // Delete: the verb is the confirmation.
    let (status, _, deleted) = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["block_storage"]["id"], id.as_str());
    assert_ne!(
        crate::block_storages::sim_item_state(&app, "block_storages", &id),
        "ACTIVE"
    );
    assert_api_pair(&app, "block_storage.delete", token_id).await;
}

#[tokio::test]
async fn a_shared_storage_is_created_resized_shared_and_deleted_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "files script", "role").await;
    let token_id = token_id(&app, "files script").await;
    let web = server_id(&app, "web-01");

    // Create.
    let (status, _, created) = send(
        &app,
        Method::POST,
        &format!("{API}/shared_storages"),
        &token,
        Some(json!({"shared_storage": {"name": "api-files", "size": 100}})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["shared_storage"]["id"].as_str().unwrap().to_owned();
    assert_eq!(sim_item(&app, "shared_storages", &id).unwrap()["size"], 100);
    assert_api_pair(&app, "shared_storage.create", token_id).await;
    wait_for_item(&app, "shared_storages", &id, "ACTIVE").await;
    let path = format!("{API}/shared_storages/{id}");

    // Resize: grows; the same size is nothing to send; a smaller one is refused.
    let (status, _, resized) = send(
        &app,
        Method::POST,
        &format!("{path}/resize"),
        &token,
        Some(json!({"size": 150})),
    )
    .await;
    assert_eq!(status, 200, "{resized}");
    assert_eq!(sim_item(&app, "shared_storages", &id).unwrap()["size"], 150);
    let details = assert_api_pair(&app, "shared_storage.resize", token_id).await;
    assert_eq!(
        (details["size"].as_i64(), details["previous_size"].as_i64()),
        (Some(150), Some(100))
    );
    wait_for_item(&app, "shared_storages", &id, "ACTIVE").await;
    let (status, _, same) = send(
        &app,
        Method::POST,
        &format!("{path}/resize"),
        &token,
        Some(json!({"size": "150"})),
    )
    .await;
    assert_eq!((status, &same["unchanged"]), (200, &json!(true)), "{same}");
    let (status, _, shrink) = send(
        &app,
        Method::POST,
        &format!("{path}/resize"),
        &token,
        Some(json!({"size": 100})),
    )
    .await;
    assert_eq!(status, 422, "{shrink}");
    assert!(
        shrink["fields"]["size"]
            .as_str()
            .unwrap()
            .contains("cannot shrink")
    );
    assert_eq!(
        events(&app, "shared_storage.resize").await.len(),
        2,
        "nothing more sent"
    );

    // A server gets read access, then read-write, then loses it.
    let (status, _, attached) = send(
        &app,
        Method::POST,
        &format!("{path}/servers"),
        &token,
        Some(json!({"server_id": web, "rights": "R"})),
    )
    .await;
    assert_eq!(status, 200, "{attached}");
    let rights = |app: &TestApp| {
        sim_item(app, "shared_storages", &id).unwrap()["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == web.as_str())
            .map(|s| s["rights"].as_str().unwrap().to_owned())
    };
    assert_eq!(rights(&app).as_deref(), Some("R"));
    let details = assert_api_pair(&app, "shared_storage.attach", token_id).await;
    assert_eq!(
        (details["server_name"].as_str(), details["rights"].as_str()),
        (Some("web-01"), Some("R"))
    );
    wait_for_item(&app, "shared_storages", &id, "ACTIVE").await;
    // Attaching it again would replace its rights: refused beside the field.
    let (status, _, again) = send(
        &app,
        Method::POST,
        &format!("{path}/servers"),
        &token,
        Some(json!({"server_id": web, "rights": "RW"})),
    )
    .await;
    assert_eq!(status, 422, "{again}");
    assert!(
        again["fields"]["server_id"]
            .as_str()
            .unwrap()
            .contains("already has access")
    );
    let (status, _, raised) = send(
        &app,
        Method::POST,
        &format!("{path}/servers/{web}/rights"),
        &token,
        Some(json!({"rights": "RW"})),
    )
    .await;
    assert_eq!(status, 200, "{raised}");
    assert_eq!(rights(&app).as_deref(), Some("RW"));
    let details = assert_api_pair(&app, "shared_storage.rights", token_id).await;
    assert_eq!(
        (
            details["rights"].as_str(),
            details["previous_rights"].as_str()
        ),
        (Some("RW"), Some("R"))
    );
    wait_for_item(&app, "shared_storages", &id, "ACTIVE").await;
    let (status, _, detached) = send(
        &app,
        Method::DELETE,
        &format!("{path}/servers/{web}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{detached}");
    assert_eq!(rights(&app), None);
    assert_api_pair(&app, "shared_storage.detach", token_id).await;
    wait_for_item(&app, "shared_storages", &id, "ACTIVE").await;

    // Delete.
    let (status, _, deleted) = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_ne!(
        crate::block_storages::sim_item_state(&app, "shared_storages", &id),
        "ACTIVE"
    );
    let details = assert_api_pair(&app, "shared_storage.delete", token_id).await;
    assert_eq!(details["servers_losing_access"], json!([]));
}

#[tokio::test]
async fn bad_storage_values_are_refused_with_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "careless", "role").await;
    let before = app.sim_items("block_storages").len();

    // The create page's checks, each beside its field.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/block_storages"),
        &token,
        Some(json!({"block_storage": {"name": " ", "size": 25, "description": "d".repeat(300)}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["missing"], "name",
        "a blank required field is missing"
    );
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/block_storages"),
        &token,
        Some(json!({"block_storage": {"name": "x", "size": 25, "description": "d".repeat(300)}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["fields"]["size"]
            .as_str()
            .unwrap()
            .contains("steps of 10"),
        "{refused}"
    );
    assert!(refused["fields"]["description"].is_string(), "{refused}");
    // Unknown fields are named; a server of another datacenter is refused.
    let (status, _, unknown) = send(
        &app,
        Method::POST,
        &format!("{API}/block_storages"),
        &token,
        Some(json!({"block_storage": {"name": "x", "size": 40, "snarfblat": 1}})),
    )
    .await;
    assert_eq!(
        (status, &unknown["unpermitted"]),
        (422, &json!(["snarfblat"]))
    );
    let (_, scratch) = seeded_item(&app, "block_storages", "scratch");
    let scratch_id = scratch["id"].as_str().unwrap();
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/block_storages/{scratch_id}/server"),
        &token,
        Some(json!({"server_id": "../servers"})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["server_id"].is_string(), "{refused}");
    let (status, _, refused) = send(
        &app,
        Method::PUT,
        &format!("{API}/block_storages/{scratch_id}"),
        &token,
        Some(json!({"block_storage": {"name": ""}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["name"].is_string(), "{refused}");

    // Nothing reached the provider, nothing was recorded as requested.
    assert_eq!(app.sim_items("block_storages").len(), before);
    for action in [
        "block_storage.create",
        "block_storage.attach",
        "block_storage.rename",
    ] {
        assert_eq!(requested(&app, action).await, 0, "{action}");
    }
}

#[tokio::test]
async fn the_access_password_changes_through_the_api_and_is_never_answered_or_recorded() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "mounts", "role").await;
    let token_id = token_id(&app, "mounts").await;
    let secret = "N3w-Storage-Secret!";
    let path = format!("{API}/shared_storages/access/password");

    // A weak password, then two that differ: refused, never repeated.
    for (password, repeat, field) in [
        ("weakpassword", "weakpassword", "password"),
        (secret, "N3w-Storage-Secret?", "password_repeat"),
    ] {
        let (status, _, refused) = send(
            &app,
            Method::POST,
            &path,
            &token,
            Some(json!({"password": password, "password_repeat": repeat})),
        )
        .await;
        assert_eq!(status, 422, "{refused}");
        assert!(refused["fields"][field].is_string(), "{refused}");
        assert!(!refused.to_string().contains(password) && !refused.to_string().contains(repeat));
    }
    assert_eq!(requested(&app, "shared_storage.access_password").await, 0);

    let (status, _, changed) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"password": secret, "password_repeat": secret})),
    )
    .await;

    assert_eq!(status, 200, "{changed}");
    let access = changed["shared_storage_access"]
        .as_array()
        .expect("the state per datacenter");
    assert!(!access.is_empty(), "{changed}");
    assert!(
        access.iter().all(|a| a["needs_password_reset"] == false),
        "{changed}"
    );
    assert!(!changed.to_string().contains(secret), "never answered");
    let details = assert_api_pair(&app, "shared_storage.access_password", token_id).await;
    assert_eq!(details["changed"], "access password");
    let anywhere: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE COALESCE(details, '') LIKE ?1 \
         OR COALESCE(error, '') LIKE ?1 OR COALESCE(target_name, '') LIKE ?1",
    )
    .bind(format!("%{secret}%"))
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(anywhere, 0, "the password is in no audit event");
}

#[tokio::test]
async fn a_token_whose_member_lacks_the_flag_is_refused_and_nothing_changes() {
    // Arrange: a member who may look at storages and rename them, no more.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "renamer@example.org",
            &["block_storages.show", "block_storages.set_description"],
        )
        .await;
    let token = make_token(&app, &member, "renamer", "role").await;
    let token_id = token_id(&app, "renamer").await;
    let (id, before) = seeded_item(&app, "block_storages", "scratch");

    // Act: delete, and rename (the name needs its own flag).
    let (status, _, denied) = send(
        &app,
        Method::DELETE,
        &format!("{API}/block_storages/{id}"),
        &token,
        None,
    )
    .await;
    let (renamed_status, _, renamed) = send(
        &app,
        Method::PUT,
        &format!("{API}/block_storages/{id}"),
        &token,
        Some(json!({"block_storage": {"name": "mine-now", "description": "Temporary"}})),
    )
    .await;

    // Assert: 403 each, nothing changed upstream, each refusal audited with the token.
    assert_eq!(status, 403, "{denied}");
    assert!(
        denied["errors"][0]
            .as_str()
            .unwrap()
            .contains("block_storages.delete"),
        "{denied}"
    );
    assert_eq!(renamed_status, 403, "{renamed}");
    assert!(
        renamed["errors"][0]
            .as_str()
            .unwrap()
            .contains("block_storages.set_name"),
        "{renamed}"
    );
    let after = sim_item(&app, "block_storages", &id).unwrap();
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["description"], before["description"]);
    assert_eq!(after["state"], "ACTIVE");
    for permission in ["block_storages.delete", "block_storages.set_name"] {
        let refusals = denials(&app, permission).await;
        assert!(
            refusals.iter().any(|d| d["api_access_id"] == token_id),
            "{permission}: {refusals:?}"
        );
    }
    assert_eq!(requested(&app, "block_storage.delete").await, 0);
    assert_eq!(requested(&app, "block_storage.rename").await, 0);

    // The description alone is the member's to change.
    let (status, _, described) = send(
        &app,
        Method::PUT,
        &format!("{API}/block_storages/{id}"),
        &token,
        Some(json!({"block_storage": {"description": "Temporary"}})),
    )
    .await;
    assert_eq!(status, 200, "{described}");
    assert_eq!(
        sim_item(&app, "block_storages", &id).unwrap()["description"],
        "Temporary"
    );
    assert_api_pair(&app, "block_storage.rename", token_id).await;
}
