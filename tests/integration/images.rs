//! The image pages against the simulator: create from a server, edit,
//! stop the schedule, delete, refusals flag by flag, and bad input.

use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::private_networks::{attr, exists, field_error, flashes, rows_with, sim_item};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post};

/// The seeded image `web-golden` (the API adds the day it was made).
fn golden(app: &TestApp) -> Value {
    app.sim_items("images")
        .into_iter()
        .find(|i| i["name"].as_str().unwrap().starts_with("web-golden"))
        .expect("the seeded image")
}

fn name_of(v: &Value) -> String {
    v["name"].as_str().unwrap().to_owned()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A server of the account, by name.
fn server(app: &TestApp, name: &str) -> Value {
    app.sim_items("servers")
        .into_iter()
        .find(|s| s["name"] == name)
        .expect("the seeded server")
}

#[tokio::test]
async fn the_list_shows_each_image_with_its_server_and_searches() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let image = golden(&app);
    let server_id = image["server_id"].as_str().unwrap().to_owned();
    let query = account_query(&app).await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/images")).await;

    assert_eq!(status, 200);
    let table = text_of(&html, "table#images");
    assert!(table.contains(&name_of(&image)), "{table}");
    assert!(html.contains(&format!("href=\"{ORG}/images/{}{query}\"", id_of(&image))));
    assert!(html.contains(&format!("href=\"{ORG}/servers/{server_id}{query}\"")));
    let (_, html) = app.get_html(&c, &format!("{ORG}/images?q=nowhere")).await;
    assert!(text_of(&html, "main").contains("No images match this search"));

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/images/{}", id_of(&image)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        attr(&html, "#source-server", "href").unwrap(),
        format!("{ORG}/servers/{server_id}{query}")
    );

    // The status badge alone, as the page's script asks for it.
    let status = app
        .get(&c, &format!("{ORG}/images/{}/status{query}", id_of(&image)))
        .await;
    assert_eq!(status.headers().get("x-fragment").unwrap(), "1");
    let badge = status.text().await.unwrap();
    assert!(badge.contains("id=\"image-status\""), "{badge}");
}

#[tokio::test]
async fn an_image_is_created_edited_stopped_and_deleted_with_its_audit_pairs() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let images_before = app.sim_items("images").len();
    let source = server(&app, "db-01");
    let (status, html) = app.get_html(&c, &format!("{ORG}/images/new")).await;
    assert_eq!(status, 200);
    assert!(text_of(&html, "#server_id").contains("db-01"));

    let response = post(
        &app,
        &c,
        "/images",
        &[
            ("server_id", source["id"].as_str().unwrap()),
            ("name", "db-nightly"),
            ("description", "every night"),
            ("frequency", "DAILY"),
            ("num_images", "7"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let page = location(&response);
    let id = page
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let made = sim_item(&app, "images", &id).unwrap();
    assert!(
        name_of(&made).starts_with("db-nightly_"),
        "the API adds the day"
    );
    assert_eq!(made["frequency"], "DAILY");
    assert_eq!(made["num_images"], 7);
    assert_eq!(app.sim_items("images").len(), images_before + 1);
    assert_audited_pair(&app, "image.create").await;

    // Edit: the form starts on the current values.
    let (_, html) = app.get_html(&c, &format!("{ORG}/images/{id}/edit")).await;
    assert_eq!(attr(&html, "#name", "value").unwrap(), name_of(&made));
    let response = post(
        &app,
        &c,
        &format!("/images/{id}/edit"),
        &[("name", "db-daily"), ("description", "")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Saved db-daily"), "{done}");
    let image = sim_item(&app, "images", &id).unwrap();
    assert_eq!(
        (image["name"].as_str(), image["description"].as_str()),
        (Some("db-daily"), Some(""))
    );
    assert_audited_pair(&app, "image.update").await;

    // Stopping the schedule of the seeded image, made once, sends nothing.
    let golden_id = id_of(&golden(&app));
    let golden_name = name_of(&golden(&app));
    let response = post(&app, &c, &format!("/images/{golden_id}/frequency"), &[]).await;
    let (_, said) = flashes(&app, &c, response).await;
    assert!(said.contains("Nothing to stop"), "{said}");
    assert!(audit_rows(&app, "image.stop_schedule").await.is_empty());

    // Delete: the wrong name changes nothing; the right one deletes.
    let response = post(
        &app,
        &c,
        &format!("/images/{golden_id}/delete"),
        &[("confirm_name", "web-golden")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(
        errors.contains(&format!("{golden_name}, exactly")),
        "{errors}"
    );
    assert_eq!(golden(&app)["state"], "ACTIVE");
    assert_eq!(rows_with(&app, "image.delete", "requested").await, 0);
    let response = post(
        &app,
        &c,
        &format!("/images/{golden_id}/delete"),
        &[("confirm_name", golden_name.as_str())],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/images{}", account_query(&app).await)
    );
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains(&format!("Deleting {golden_name}")), "{done}");
    assert_audited_pair(&app, "image.delete").await;
}

#[tokio::test]
async fn a_scheduled_image_stops_being_made() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let source = server(&app, "db-01");
    let response = post(
        &app,
        &c,
        "/images",
        &[
            ("server_id", source["id"].as_str().unwrap()),
            ("name", "db-weekly"),
            ("frequency", "WEEKLY"),
            ("num_images", "3"),
        ],
    )
    .await;
    let page = location(&response);
    let id = page.split('?').next().unwrap().rsplit('/').next().unwrap();
    // The API refuses the change while the image is being made.
    crate::private_networks::wait_for(&app, "images", id, "ACTIVE").await;
    let (_, html) = app.get_html(&c, &page).await;
    assert!(exists(&html, "#stop-schedule"));

    let response = post(&app, &c, &format!("/images/{id}/frequency"), &[]).await;

    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("no longer made on a schedule"), "{done}");
    assert_eq!(sim_item(&app, "images", id).unwrap()["frequency"], "ONCE");
    assert_audited_pair(&app, "image.stop_schedule").await;
}

#[tokio::test]
async fn a_member_who_may_only_look_sees_no_forms_and_changes_nothing() {
    let app = spawn_demo().await;
    let images_before = app.sim_items("images").len();
    let image = golden(&app);
    let id = id_of(&image);
    let viewer = app
        .member_with("viewer@example.org", &["images.show"])
        .await;

    let (status, html) = app.get_html(&viewer, &format!("{ORG}/images/{id}")).await;
    assert_eq!(status, 200);
    for hidden in ["#delete-image", "#edit-image", "#stop-schedule"] {
        assert!(!exists(&html, hidden), "{hidden} is hidden");
    }
    let (_, html) = app.get_html(&viewer, &format!("{ORG}/images")).await;
    assert!(!exists(&html, "#new-image"));

    for (path, fields, flag) in [
        (
            format!("/images/{id}/delete"),
            vec![("confirm_name", image["name"].as_str().unwrap())],
            "images.delete",
        ),
        (
            format!("/images/{id}/edit"),
            vec![("name", "mine")],
            "images.set_name",
        ),
        (
            format!("/images/{id}/frequency"),
            vec![],
            "images.disable_automatic_creation",
        ),
        (
            "/images".to_owned(),
            vec![("name", "mine"), ("frequency", "ONCE")],
            "images.create",
        ),
    ] {
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert_eq!(rows_with(&app, flag, "denied").await, 1, "{flag}");
    }
    for action in ["image.delete", "image.update", "image.create"] {
        assert_eq!(rows_with(&app, action, "requested").await, 0, "{action}");
    }
    assert_eq!(golden(&app), image, "nothing changed");
    assert_eq!(app.sim_items("images").len(), images_before);
}

#[tokio::test]
async fn bad_input_comes_back_with_messages_beside_the_fields() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let images_before = app.sim_items("images").len();
    let source = server(&app, "db-01");
    let image_name = name_of(&golden(&app));

    let response = post(
        &app,
        &c,
        "/images",
        &[
            ("server_id", ""),
            ("name", ""),
            ("description", &"x".repeat(257)),
            ("frequency", "DAILY"),
            ("num_images", "51"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(exists(&html, "#error-summary"));
    assert!(field_error(&html, "server_id").contains("Choose the server"));
    assert!(field_error(&html, "name").contains("Enter a name"));
    assert!(field_error(&html, "description").contains("at most 256"));
    assert!(field_error(&html, "num_images").contains("1 to 50"));
    assert_eq!(attr(&html, "#num_images", "value").unwrap(), "51");

    let response = post(
        &app,
        &c,
        "/images",
        &[
            ("server_id", source["id"].as_str().unwrap()),
            ("name", "fine"),
            ("frequency", "HOURLY"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "frequency").contains("how often"));

    let id = id_of(&golden(&app));
    let response = post(&app, &c, &format!("/images/{id}/edit"), &[("name", "")]).await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "name").contains("Enter a name"));
    // A refused edit comes back with what was typed.
    let long = "x".repeat(257);
    let response = post(
        &app,
        &c,
        &format!("/images/{id}/edit"),
        &[("name", "typed-name"), ("description", &long)],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "description").contains("at most 256"));
    assert_eq!(attr(&html, "#name", "value").unwrap(), "typed-name");
    assert_eq!(attr(&html, "#description", "value").unwrap(), long);

    assert_eq!(app.sim_items("images").len(), images_before);
    assert!(audit_rows(&app, "image.create").await.is_empty());
    assert!(audit_rows(&app, "image.update").await.is_empty());
    assert_eq!(golden(&app)["name"], image_name);
}
