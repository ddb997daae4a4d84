//! The changes to E2E Networks nodes and saved images over the JSON API,
//! against the demo's E2E simulator: a node created from the catalogue,
//! renamed, imaged, its plan changed and reinstalled; a saved image
//! renamed and deleted; bad values named with their fields; and a member
//! without the flag refused. Each change is checked in the simulator and
//! in the audit log, naming the token.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_tokens::{HEADER, make_token, token_id};
use crate::e2e_nodes::{KEY, node_named, sim_images, sim_node, sim_nodes, wait_for_status};
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

/// A saved image of the simulator by name: its id and itself.
fn image_named(app: &TestApp, name: &str) -> Option<(String, Value)> {
    sim_images(app)
        .into_iter()
        .find(|i| i["name"] == name)
        .map(|i| (i["image_id"].as_str().unwrap_or_default().to_owned(), i))
}

/// Ubuntu 22.04's key and its C2.12GB plan, read from the API's catalogue.
async fn ubuntu_plan(app: &TestApp, token: &str) -> (String, String) {
    let (status, _, images) = send(
        app,
        Method::GET,
        &format!("{API}/e2e_catalogue/images"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{images}");
    let key = images["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "Ubuntu 22.04")
        .expect("Ubuntu 22.04 in the catalogue")["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let encoded: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
    let (status, _, plans) = send(
        app,
        Method::GET,
        &format!("{API}/e2e_catalogue/plans?image={encoded}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{plans}");
    let plan = plans["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["plan"].as_str())
        .find(|p| p.contains("C2.12GB"))
        .expect("the C2.12GB plan")
        .to_owned();
    (key, plan)
}

#[tokio::test]
async fn a_node_is_created_from_the_catalogue_renamed_imaged_and_reinstalled() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "nodes", "role").await;
    let token_id = token_id(&app, "nodes").await;
    let before = sim_nodes(&app).len();
    let (image, plan) = ubuntu_plan(&app, &token).await;

    // Act: create one node.
    let (status, headers, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes"),
        &token,
        Some(json!({"e2e_node": {
            "image": image,
            "plan": plan,
            "name": "api-node",
            "backups": true,
            "ssh_keys": [KEY],
        }})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{body}");
    let (id, node) = node_named(&app, "api-node");
    assert_eq!(body["e2e_nodes"][0]["name"], "api-node");
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{API}/e2e_nodes/{id}").as_str())
    );
    assert_eq!(node["plan"], plan.as_str());
    assert_eq!(node["backup"], true);
    assert_eq!(sim_nodes(&app).len(), before + 1);
    let details = assert_audited(&app, "e2e_node.create", token_id).await;
    assert_eq!(details["ssh_keys"], 1, "the number of keys, not the keys");
    wait_for_status(&app, &id, "Running").await;

    // Rename.
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/e2e_nodes/{id}"),
        &token,
        Some(json!({"e2e_node": {"name": "api-node-2"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["e2e_node"]["name"], "api-node-2");
    assert_eq!(sim_node(&app, &id).unwrap()["name"], "api-node-2");
    let details = assert_audited(&app, "e2e_node.rename", token_id).await;
    assert_eq!(details["previous_name"], "api-node");

    // Reinstall: the verb is the confirmation.
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes/{id}/reinstall"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let details = assert_audited(&app, "e2e_node.reinstall", token_id).await;
    assert!(details["image"].is_string(), "{details}");
    wait_for_status(&app, &id, "Running").await;

    // Save an image of a powered-off node.
    let (status, _, _) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes/{id}/actions/power_off"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    wait_for_status(&app, &id, "Powered off").await;
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes/{id}/save_image"),
        &token,
        Some(json!({"name": "api-golden"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(image_named(&app, "api-golden").is_some());
    let details = assert_audited(&app, "e2e_node.save_image", token_id).await;
    assert_eq!(details["image_name"], "api-golden");
}

#[tokio::test]
async fn a_nodes_committed_plan_is_changed_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "billing", "role").await;
    let token_id = token_id(&app, "billing").await;
    let (id, node) = node_named(&app, "db-1");
    assert_eq!(node["billing_type"], "auto_renew");

    // Act
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes/{id}/plan"),
        &token,
        Some(json!({"billing": "hourly_billing"})),
    )
    .await;

    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["e2e_node"]["id"], id.as_str());
    assert_eq!(
        sim_node(&app, &id).unwrap()["billing_type"],
        "hourly_billing"
    );
    let details = assert_audited(&app, "e2e_node.update_plan", token_id).await;
    assert_eq!(details["billing_type"], "hourly_billing");

    // A billing the page never offers, and a term that is not one: named.
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes/{id}/plan"),
        &token,
        Some(json!({"billing": "auto_renew", "committed_sku": -1})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["committed_sku"].is_string(), "{body}");
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes/{id}/plan"),
        &token,
        Some(json!({"billing": "forever"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["billing"].is_string(), "{body}");
    assert_eq!(events(&app, "e2e_node.update_plan").await.len(), 2);
    // A renewal on a term.
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes/{id}/plan"),
        &token,
        Some(json!({"billing": "auto_renew", "committed_sku": 321})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let node = sim_node(&app, &id).unwrap();
    assert_eq!(
        (
            node["billing_type"].as_str(),
            node["committed_sku_id"].as_i64()
        ),
        (Some("auto_renew"), Some(321))
    );
}

#[tokio::test]
async fn a_saved_image_is_renamed_and_deleted_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "images", "role").await;
    let token_id = token_id(&app, "images").await;
    let (id, _) = image_named(&app, "web-golden").expect("the seeded saved image");

    // Rename; a bad name first.
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/e2e_images/{id}"),
        &token,
        Some(json!({"e2e_image": {"name": "has space"}})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["name"].is_string(), "{body}");
    let (status, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/e2e_images/{id}"),
        &token,
        Some(json!({"e2e_image": {"name": "web-golden-2"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["e2e_image"]["name"], "web-golden-2");
    assert!(image_named(&app, "web-golden-2").is_some());
    let details = assert_audited(&app, "e2e_image.rename", token_id).await;
    assert_eq!(details["previous_name"], "web-golden");

    // Delete.
    let (status, _, body) = send(
        &app,
        Method::DELETE,
        &format!("{API}/e2e_images/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(sim_images(&app).is_empty(), "gone from E2E");
    let details = assert_audited(&app, "e2e_image.delete", token_id).await;
    assert!(details["template_id"].is_string(), "{details}");
    // An id that is not E2E's is not found.
    let (status, _, _) = send(
        &app,
        Method::DELETE,
        &format!("{API}/e2e_images/not-a-number"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bad_create_values_are_named_with_their_fields_and_nothing_is_sent() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "careless", "role").await;
    let before = sim_nodes(&app).len();
    let (image, _) = ubuntu_plan(&app, &token).await;

    // Act
    let (status, _, body) = send(
        &app,
        Method::POST,
        &format!("{API}/e2e_nodes"),
        &token,
        Some(json!({"e2e_node": {
            "image": image,
            "plan": "B-NOT-A-PLAN",
            "name": "has space",
            "instances": 9,
            "ssh_keys": ["not a key"],
        }})),
    )
    .await;

    // Assert
    assert_eq!(status, 422, "{body}");
    for field in ["plan", "name", "instances", "ssh_keys"] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    assert_eq!(sim_nodes(&app).len(), before);
    assert!(events(&app, "e2e_node.create").await.is_empty());
}

#[tokio::test]
async fn a_member_without_the_flag_is_refused_and_nothing_reaches_e2e() {
    // Arrange: a member who may see nodes and power them, nothing else.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "powerer@example.com",
            &["e2e_nodes.show", "e2e_nodes.power", "e2e_images.show"],
        )
        .await;
    let token = make_token(&app, &member, "powerer", "role").await;
    let token_id = token_id(&app, "powerer").await;
    let (id, _) = node_named(&app, "web-1");
    let (image, _) = image_named(&app, "web-golden").unwrap();

    // Act
    let (renamed, _, body) = send(
        &app,
        Method::PUT,
        &format!("{API}/e2e_nodes/{id}"),
        &token,
        Some(json!({"e2e_node": {"name": "taken"}})),
    )
    .await;
    let (deleted, _, _) = send(
        &app,
        Method::DELETE,
        &format!("{API}/e2e_images/{image}"),
        &token,
        None,
    )
    .await;

    // Assert
    assert_eq!(renamed, 403, "{body}");
    assert!(
        body["errors"][0]
            .as_str()
            .unwrap()
            .contains("e2e_nodes.rename"),
        "{body}"
    );
    assert_eq!(deleted, 403);
    assert_eq!(sim_node(&app, &id).unwrap()["name"], "web-1");
    assert!(image_named(&app, "web-golden").is_some());
    let denied = events(&app, "e2e_nodes.rename").await;
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0].0, "denied");
    assert_eq!(denied[0].1["api_access_id"], token_id);
    assert!(events(&app, "e2e_node.rename").await.is_empty());
    assert!(events(&app, "e2e_image.delete").await.is_empty());
}
