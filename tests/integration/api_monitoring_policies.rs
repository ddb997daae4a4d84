//! The changes to monitoring policies over the JSON API: a policy created,
//! edited, its thresholds changed, cloned and deleted; its ports,
//! processes and servers; bad values named with their fields and nothing
//! sent; and a member without the flag refused. Each change is checked in
//! the simulator and in the audit log, naming the token.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_tokens::{HEADER, make_token, token_id};
use crate::helpers::{TestApp, client, spawn_demo};
use crate::servers::sim_servers;

const API: &str = "/api/v1/o/demo";

/// Sends `method` to the API with a JSON body (or none).
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
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
    (status, body)
}

fn policies(app: &TestApp) -> Vec<Value> {
    app.sim_items("monitoring_policies")
}

fn policy(app: &TestApp, id: &str) -> Option<Value> {
    policies(app).into_iter().find(|p| p["id"] == id)
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
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

/// The change was recorded as requested (naming the token) and succeeded.
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

/// A new policy through the API, requiring the agent; its id.
async fn created(app: &TestApp, token: &str, name: &str) -> String {
    let (status, body) = send(
        app,
        Method::POST,
        &format!("{API}/monitoring_policies"),
        token,
        Some(json!({"monitoring_policy": {
            "name": name,
            "email": "api@example.com",
            "agent": true,
        }})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    id_of(&body["monitoring_policy"])
}

#[tokio::test]
async fn a_policy_is_created_edited_cloned_and_deleted_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "alerts", "role").await;
    let token_id = token_id(&app, "alerts").await;
    let base = format!("{API}/monitoring_policies");

    // Act: create with thresholds, a port and a process.
    let (status, body) = send(
        &app,
        Method::POST,
        &base,
        &token,
        Some(json!({"monitoring_policy": {
            "name": "api-alerts",
            "description": "Made by a script",
            "email": "api@example.com",
            "agent": true,
            "cpu_warning": 70,
            "cpu_warning_alert": true,
            "port": 8443,
            "process": "postgres",
            "process_alert_if": "RUNNING",
        }})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{body}");
    let id = id_of(&body["monitoring_policy"]);
    let made = policy(&app, &id).expect("created upstream");
    assert_eq!(made["email"], "api@example.com");
    assert_eq!(made["thresholds"]["cpu"]["warning"]["value"], 70);
    assert_eq!(made["thresholds"]["cpu"]["warning"]["alert"], true);
    assert_eq!(
        made["thresholds"]["disk"]["warning"]["value"], 80,
        "a level not sent is the form's default"
    );
    assert_eq!(made["ports"][0]["port"], 8443);
    assert_eq!(made["ports"][0]["protocol"], "TCP");
    assert_eq!(made["ports"][0]["email_notification"], true);
    assert_eq!(made["processes"][0]["process"], "postgres");
    assert_eq!(made["processes"][0]["alert_if"], "RUNNING");
    let details = assert_audited(&app, "monitoring_policy.create", token_id).await;
    assert_eq!(details["name"], "api-alerts");

    // Act: rename and change the e-mail; the description stays.
    let (status, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}"),
        &token,
        Some(json!({"monitoring_policy": {"name": "api-renamed", "email": "new@example.com"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["monitoring_policy"]["name"], "api-renamed");
    let now = policy(&app, &id).unwrap();
    assert_eq!(
        (&now["name"], &now["email"], &now["description"]),
        (
            &json!("api-renamed"),
            &json!("new@example.com"),
            &json!("Made by a script")
        )
    );
    let details = assert_audited(&app, "monitoring_policy.update", token_id).await;
    assert_eq!(details["description"], Value::Null);

    // Act: one threshold and the agent; the other levels stay as they are.
    let (status, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}/thresholds"),
        &token,
        Some(json!({"thresholds": {"ram_critical": 99, "ram_critical_alert": true}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let now = policy(&app, &id).unwrap();
    assert_eq!(now["thresholds"]["ram"]["critical"]["value"], 99);
    assert_eq!(now["thresholds"]["ram"]["critical"]["alert"], true);
    assert_eq!(now["thresholds"]["cpu"]["warning"]["value"], 70, "kept");
    assert_eq!(now["thresholds"]["cpu"]["warning"]["alert"], true, "kept");
    assert_eq!(now["agent"], true, "kept");
    assert_audited(&app, "monitoring_policy.thresholds", token_id).await;

    // Act: clone it.
    let (status, body) = send(
        &app,
        Method::POST,
        &format!("{base}/{id}/clone"),
        &token,
        Some(json!({"name": "api-copy"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let copy = id_of(&body["monitoring_policy"]);
    assert_ne!(copy, id);
    let copied = policy(&app, &copy).expect("the copy upstream");
    assert_eq!(copied["name"], "api-copy");
    assert_eq!(copied["ports"][0]["port"], 8443);
    assert_eq!(copied["thresholds"]["ram"]["critical"]["value"], 99);
    let details = assert_audited(&app, "monitoring_policy.clone", token_id).await;
    assert_eq!(details["cloned_from"]["id"], id.as_str());

    // Act: delete the original: the verb is the confirmation.
    let (status, body) = send(&app, Method::DELETE, &format!("{base}/{id}"), &token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_audited(&app, "monitoring_policy.delete", token_id).await;
    for _ in 0..100 {
        if policy(&app, &id).is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(policy(&app, &id).is_none(), "deleted upstream");
    assert!(policy(&app, &copy).is_some(), "the copy stays");
}

#[tokio::test]
async fn ports_processes_and_servers_are_managed_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "watcher", "role").await;
    let token_id = token_id(&app, "watcher").await;
    let id = created(&app, &token, "api-watch").await;
    let base = format!("{API}/monitoring_policies/{id}");

    // Ports: add, change when it alerts, remove.
    let (status, body) = send(
        &app,
        Method::POST,
        &format!("{base}/ports"),
        &token,
        Some(json!({"port": {"port": 5432, "protocol": "TCP", "alert_if": "NOT_RESPONDING"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let port = policy(&app, &id).unwrap()["ports"][0].clone();
    assert_eq!(
        (port["port"].as_u64(), port["email_notification"].as_bool()),
        (Some(5432), Some(false))
    );
    assert_audited(&app, "monitoring_policy.port_add", token_id).await;
    let port_id = id_of(&port);
    let (status, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/ports/{port_id}"),
        &token,
        Some(json!({"port": {"alert_if": "RESPONDING", "email_notification": true}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let port = policy(&app, &id).unwrap()["ports"][0].clone();
    assert_eq!(port["alert_if"], "RESPONDING");
    assert_eq!(port["email_notification"], true);
    assert_eq!(port["port"], 5432, "the port itself stays");
    let details = assert_audited(&app, "monitoring_policy.port_update", token_id).await;
    assert_eq!(details["port_id"], port_id.as_str());
    let (status, body) = send(
        &app,
        Method::DELETE,
        &format!("{base}/ports/{port_id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        policy(&app, &id).unwrap()["ports"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_audited(&app, "monitoring_policy.port_remove", token_id).await;

    // Processes: add, change, remove.
    let (status, body) = send(
        &app,
        Method::POST,
        &format!("{base}/processes"),
        &token,
        Some(json!({"process": {"process": "redis", "alert_if": "NOT_RUNNING", "email_notification": true}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["monitoring_policy"]["id"], id.as_str());
    assert_eq!(
        body["monitoring_policy"]["processes"][0]["process"],
        "redis"
    );
    let process_id = id_of(&policy(&app, &id).unwrap()["processes"][0]);
    assert_audited(&app, "monitoring_policy.process_add", token_id).await;
    let (status, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/processes/{process_id}"),
        &token,
        Some(json!({"process": {"alert_if": "RUNNING"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let process = policy(&app, &id).unwrap()["processes"][0].clone();
    assert_eq!(process["alert_if"], "RUNNING");
    assert_eq!(process["email_notification"], true, "as it was");
    assert_audited(&app, "monitoring_policy.process_update", token_id).await;
    let (status, _) = send(
        &app,
        Method::DELETE,
        &format!("{base}/processes/{process_id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        policy(&app, &id).unwrap()["processes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_audited(&app, "monitoring_policy.process_remove", token_id).await;

    // Servers: attach two (each once), detach one.
    let servers: Vec<String> = sim_servers(&app).iter().take(2).map(id_of).collect();
    let (status, body) = send(
        &app,
        Method::POST,
        &format!("{base}/servers"),
        &token,
        Some(json!({"servers": [servers[0], servers[1], servers[0]]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let attached: Vec<String> = policy(&app, &id).unwrap()["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(attached.len(), 2, "{attached:?}");
    let details = assert_audited(&app, "monitoring_policy.servers_attach", token_id).await;
    assert_eq!(details["servers"], json!(servers));
    let (status, body) = send(
        &app,
        Method::DELETE,
        &format!("{base}/servers/{}", servers[0]),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let attached: Vec<String> = policy(&app, &id).unwrap()["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(attached, [servers[1].clone()]);
    assert_audited(&app, "monitoring_policy.server_detach", token_id).await;
}

#[tokio::test]
async fn bad_values_are_named_with_their_fields_and_nothing_is_sent() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "careless", "role").await;
    let before = policies(&app).len();
    let base = format!("{API}/monitoring_policies");

    // A bad e-mail and inverted levels: each named beside its field.
    let (status, body) = send(
        &app,
        Method::POST,
        &base,
        &token,
        Some(json!({"monitoring_policy": {
            "name": "bad",
            "email": "nobody",
            "cpu_warning": 96,
            "ram_warning": 95,
            "ram_critical": 90,
            "process": "nginx",
        }})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for field in ["email", "cpu_warning", "ram_critical", "process"] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    // Unknown fields and a missing one, as the conventions say.
    let (status, body) = send(
        &app,
        Method::POST,
        &base,
        &token,
        Some(json!({"monitoring_policy": {"name": "x", "snarfblat": 1}})),
    )
    .await;
    assert_eq!((status, &body["unpermitted"]), (422, &json!(["snarfblat"])));
    let (status, body) = send(
        &app,
        Method::POST,
        &base,
        &token,
        Some(json!({"monitoring_policy": {"name": "x"}})),
    )
    .await;
    assert_eq!((status, body["missing"].as_str()), (422, Some("email")));
    // A process for a policy that does not require the agent.
    let (status, body) = send(
        &app,
        Method::POST,
        &base,
        &token,
        Some(json!({"monitoring_policy": {"name": "no-agent", "email": "a@example.com"}})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = id_of(&body["monitoring_policy"]);
    let (status, body) = send(
        &app,
        Method::POST,
        &format!("{base}/{id}/processes"),
        &token,
        Some(json!({"process": {"process": "nginx", "alert_if": "NOT_RUNNING"}})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["fields"]["process"]
            .as_str()
            .unwrap()
            .contains("agent"),
        "{body}"
    );
    // Settings with nothing in them, and a threshold out of range.
    let (status, _) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}"),
        &token,
        Some(json!({"monitoring_policy": {}})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, body) = send(
        &app,
        Method::PUT,
        &format!("{base}/{id}/thresholds"),
        &token,
        Some(json!({"thresholds": {"transfer_warning": 0}})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["transfer_warning"].is_string(), "{body}");

    // Nothing but the one good policy reached the simulator.
    assert_eq!(policies(&app).len(), before + 1);
    assert!(
        events(&app, "monitoring_policy.process_add")
            .await
            .is_empty()
    );
    assert!(
        events(&app, "monitoring_policy.thresholds")
            .await
            .is_empty()
    );
    assert!(events(&app, "monitoring_policy.update").await.is_empty());
}

#[tokio::test]
async fn a_member_without_the_flag_is_refused_and_nothing_changes() {
    // Arrange: a member who may see policies and change their e-mail only.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "watcher@example.com",
            &["monitoring_policies.show", "monitoring_policies.set_email"],
        )
        .await;
    let token = make_token(&app, &member, "limited", "role").await;
    let token_id = token_id(&app, "limited").await;
    let production = policies(&app)
        .into_iter()
        .find(|p| p["name"] == "Production")
        .unwrap();
    let id = id_of(&production);

    // Act
    let (deleted, body) = send(
        &app,
        Method::DELETE,
        &format!("{API}/monitoring_policies/{id}"),
        &token,
        None,
    )
    .await;
    let (renamed, _) = send(
        &app,
        Method::PUT,
        &format!("{API}/monitoring_policies/{id}"),
        &token,
        Some(json!({"monitoring_policy": {"name": "taken", "email": "x@example.com"}})),
    )
    .await;

    // Assert: 403 for each, audited as denied, nothing changed.
    assert_eq!(deleted, 403, "{body}");
    assert!(
        body["errors"][0]
            .as_str()
            .unwrap()
            .contains("monitoring_policies.delete"),
        "{body}"
    );
    assert_eq!(renamed, 403, "the name needs its own flag");
    let after = policy(&app, &id).unwrap();
    assert_eq!(after["name"], "Production");
    assert_eq!(after["email"], production["email"]);
    let denied = events(&app, "monitoring_policies.delete").await;
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0].0, "denied");
    assert_eq!(denied[0].1["api_access_id"], token_id);
    assert!(events(&app, "monitoring_policy.delete").await.is_empty());
    assert!(events(&app, "monitoring_policy.update").await.is_empty());
}
