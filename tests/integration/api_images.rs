//! The changes to images and SSH keys over the JSON API: made, edited (the
//! edit pages' checks and flags), a schedule stopped, deleted, each leaving
//! the simulator changed and audited as its page audits it (requested, then
//! succeeded, naming the token); an SSH key is imported, never generated,
//! and no private key is answered; a member without the flag is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_storages::{assert_api_pair, denials, events, requested};
use crate::api_tokens::{HEADER, make_token, token_id};
use crate::block_storages::{seeded_item, server_id, sim_item, sim_item_state, wait_for_item};
use crate::helpers::{TestApp, client, spawn_demo};

const API: &str = "/api/v1/o/demo";

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN54LN2CXg4YvBQESGk4XOqdrBe02lCs+bJMGKp3F19G ana@laptop";

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

#[tokio::test]
async fn an_image_is_made_edited_stopped_and_deleted_through_the_api() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "images script", "role").await;
    let token_id = token_id(&app, "images script").await;
    let db = server_id(&app, "db-01");

    // Act: an image made every day, seven kept.
    let (status, _, made) = send(
        &app,
        Method::POST,
        &format!("{API}/images"),
        &token,
        Some(json!({"image": {
            "server_id": db, "name": "db-nightly", "frequency": "DAILY", "num_images": 7
        }})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{made}");
    let id = made["image"]["id"].as_str().unwrap().to_owned();
    let upstream = sim_item(&app, "images", &id).expect("made upstream");
    assert_eq!(
        (
            upstream["frequency"].as_str(),
            upstream["num_images"].as_i64()
        ),
        (Some("DAILY"), Some(7))
    );
    let details = assert_api_pair(&app, "image.create", token_id).await;
    assert_eq!(details["frequency"], "DAILY");
    wait_for_item(&app, "images", &id, "ACTIVE").await;
    let path = format!("{API}/images/{id}");

    // Edit: the name alone (the description stays); again, nothing to send.
    let (status, _, edited) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"image": {"name": "db-daily"}})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["image"]["name"], "db-daily");
    assert_eq!(sim_item(&app, "images", &id).unwrap()["name"], "db-daily");
    let details = assert_api_pair(&app, "image.update", token_id).await;
    assert_eq!(details["name"], "db-daily");
    assert!(details.get("description").is_none(), "{details}");
    let (status, _, same) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"image": {"name": "db-daily"}})),
    )
    .await;
    assert_eq!((status, &same["unchanged"]), (200, &json!(true)), "{same}");
    assert_eq!(events(&app, "image.update").await.len(), 2, "nothing sent");

    // Stop the schedule; stopping it again has nothing to stop.
    let (status, _, stopped) = send(
        &app,
        Method::POST,
        &format!("{path}/frequency"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{stopped}");
    assert_eq!(sim_item(&app, "images", &id).unwrap()["frequency"], "ONCE");
    assert_api_pair(&app, "image.stop_schedule", token_id).await;
    let (status, _, again) = send(
        &app,
        Method::POST,
        &format!("{path}/frequency"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        (status, &again["unchanged"]),
        (200, &json!(true)),
        "{again}"
    );
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("Nothing to stop")
    );
    assert_eq!(events(&app, "image.stop_schedule").await.len(), 2);

    // Delete: the verb is the confirmation.
    let (status, _, deleted) = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_ne!(sim_item_state(&app, "images", &id), "ACTIVE");
    let details = assert_api_pair(&app, "image.delete", token_id).await;
    assert_eq!(details["name"], "db-daily");
}

#[tokio::test]
async fn an_ssh_key_is_imported_edited_and_deleted_without_a_private_key_anywhere() {
    // Arrange
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "keys script", "role").await;
    let token_id = token_id(&app, "keys script").await;

    // A key without its public half would be generated: it is not asked for.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/ssh_keys"),
        &token,
        Some(json!({"ssh_key": {"name": "generated"}})),
    )
    .await;
    assert_eq!(
        (status, refused["missing"].as_str()),
        (422, Some("public_key")),
        "{refused}"
    );

    // Act: import.
    let (status, _, added) = send(
        &app,
        Method::POST,
        &format!("{API}/ssh_keys"),
        &token,
        Some(json!({"ssh_key": {"name": "ana", "description": "Laptop", "public_key": KEY}})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{added}");
    let id = added["ssh_key"]["id"].as_str().unwrap().to_owned();
    assert!(added["ssh_key"].get("private_key").is_none(), "{added}");
    assert_eq!(sim_item(&app, "ssh_keys", &id).unwrap()["public_key"], KEY);
    let details = assert_api_pair(&app, "ssh_key.create", token_id).await;
    assert_eq!(details["name"], "ana");
    let audit: Vec<String> = sqlx::query_scalar("SELECT COALESCE(details, '') FROM audit_events")
        .fetch_all(app.state.raw_db())
        .await
        .unwrap();
    assert!(!audit.iter().any(|d| d.contains("PRIVATE KEY")));
    wait_for_item(&app, "ssh_keys", &id, "ACTIVE").await;

    // Edit the description; the key itself is not the edit's to change.
    let path = format!("{API}/ssh_keys/{id}");
    let (status, _, unknown) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"ssh_key": {"public_key": KEY}})),
    )
    .await;
    assert_eq!(
        (status, &unknown["unpermitted"]),
        (422, &json!(["public_key"]))
    );
    let (status, _, edited) = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(json!({"ssh_key": {"description": "Old laptop"}})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let upstream = sim_item(&app, "ssh_keys", &id).unwrap();
    assert_eq!(
        (upstream["name"].as_str(), upstream["description"].as_str()),
        (Some("ana"), Some("Old laptop"))
    );
    let details = assert_api_pair(&app, "ssh_key.update", token_id).await;
    assert_eq!(details["description"], "Old laptop");

    // Delete.
    let (status, _, deleted) = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_ne!(sim_item_state(&app, "ssh_keys", &id), "ACTIVE");
    let details = assert_api_pair(&app, "ssh_key.delete", token_id).await;
    assert_eq!(details["name"], "ana");
}

#[tokio::test]
async fn bad_image_and_key_values_are_refused_with_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let admin = app.admin().await;
    let token = make_token(&app, &admin, "careless", "role").await;
    let (images, keys) = (
        app.sim_items("images").len(),
        app.sim_items("ssh_keys").len(),
    );

    // A schedule without how many to keep; a server that is not the account's.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/images"),
        &token,
        Some(json!({"image": {"server_id": "elsewhere", "name": "x", "frequency": "WEEKLY"}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["num_images"].is_string(), "{refused}");
    assert!(refused["fields"]["server_id"].is_string(), "{refused}");
    // A damaged key.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/ssh_keys"),
        &token,
        Some(json!({"ssh_key": {"name": "x", "public_key": "ssh-rsa AAAAC3Nza damaged"}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["public_key"].is_string(), "{refused}");
    // An edit with a name too long, and one with a field of the create form.
    let (_, key) = seeded_item(&app, "ssh_keys", "deploy-key");
    let key_id = key["id"].as_str().unwrap();
    let (status, _, refused) = send(
        &app,
        Method::PUT,
        &format!("{API}/ssh_keys/{key_id}"),
        &token,
        Some(json!({"ssh_key": {"name": "k".repeat(200)}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["name"].is_string(), "{refused}");

    assert_eq!(app.sim_items("images").len(), images);
    assert_eq!(app.sim_items("ssh_keys").len(), keys);
    for action in ["image.create", "ssh_key.create", "ssh_key.update"] {
        assert_eq!(requested(&app, action).await, 0, "{action}");
    }
}

#[tokio::test]
async fn a_token_whose_member_lacks_the_flag_cannot_rename_or_delete_an_image() {
    // Arrange: a member who may describe images, not rename nor delete them.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "describer@example.org",
            &["images.show", "images.set_description"],
        )
        .await;
    let token = make_token(&app, &member, "describer", "role").await;
    let token_id = token_id(&app, "describer").await;
    let golden = app
        .sim_items("images")
        .into_iter()
        .find(|i| i["name"].as_str().unwrap().starts_with("web-golden"))
        .unwrap();
    let id = golden["id"].as_str().unwrap().to_owned();

    // Act
    let (renamed, _, _) = send(
        &app,
        Method::PUT,
        &format!("{API}/images/{id}"),
        &token,
        Some(json!({"image": {"name": "stolen"}})),
    )
    .await;
    let (deleted, _, _) = send(
        &app,
        Method::DELETE,
        &format!("{API}/images/{id}"),
        &token,
        None,
    )
    .await;

    // Assert
    assert_eq!((renamed, deleted), (403, 403));
    let after = sim_item(&app, "images", &id).unwrap();
    assert_eq!(
        (&after["name"], &after["state"]),
        (&golden["name"], &json!("ACTIVE"))
    );
    for permission in ["images.set_name", "images.delete"] {
        assert!(
            denials(&app, permission)
                .await
                .iter()
                .any(|d| d["api_access_id"] == token_id),
            "{permission}"
        );
    }
    assert_eq!(requested(&app, "image.update").await, 0);
    assert_eq!(requested(&app, "image.delete").await, 0);
}
