//! The E2E Networks saved image pages against the demo's E2E simulator:
//! the list and its refreshing rows, rename and delete with the typed
//! name, each checked in the simulator and the audit log, and refusals.

use crate::block_storages::{assert_tied, attr, exists, followed};
use crate::e2e_nodes::{e2e_audit_count, e2e_query, node_named, sim_images};
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::servers::{ORG, assert_audited_pair, audit_rows, post};

/// A saved image's id and object by name, if it is there.
fn image_named(app: &TestApp, name: &str) -> Option<(String, serde_json::Value)> {
    sim_images(app)
        .into_iter()
        .find(|i| i["name"] == name)
        .map(|i| (i["image_id"].as_str().unwrap_or_default().to_owned(), i))
}

#[tokio::test]
async fn saved_images_are_listed_renamed_and_deleted() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = image_named(&app, "web-golden").expect("the seeded saved image");
    let account = e2e_query(&app).await;

    // The list.
    let (status, html) = app.get_html(&c, &format!("{ORG}/e2e_images")).await;
    assert_eq!(status, 200, "{html}");
    let row = text_of(&html, &format!("tr[data-image-id=\"{id}\"]"));
    assert!(row.contains("web-golden") && row.contains("Ready"), "{row}");
    assert!(text_of(&html, "#provider").contains("E2E Networks"));
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/e2e_images?q=nothing"))
        .await;
    assert!(text_of(&html, "main").contains("No saved images match this search"));

    // Its page, drawn from the list.
    let (status, html) = app.get_html(&c, &format!("{ORG}/e2e_images/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(text_of(&html, "#overview").contains("Ubuntu-22.04"));
    assert!(exists(&html, "a#new-node-from-image"));

    // Rename.
    let response = post(
        &app,
        &c,
        &format!("/e2e_images/{id}/rename"),
        &[("name", "web-golden-2")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/e2e_images/{id}{account}")
    );
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Renamed to web-golden-2"));
    assert!(image_named(&app, "web-golden-2").is_some());
    assert_audited_pair(&app, "e2e_image.rename").await;

    // Delete: a wrong name changes nothing, the right one deletes.
    let response = post(
        &app,
        &c,
        &format!("/e2e_images/{id}/delete"),
        &[("confirm_name", "web-golden")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-error").contains("web-golden-2, exactly"));
    assert!(image_named(&app, "web-golden-2").is_some());
    assert!(audit_rows(&app, "e2e_image.delete").await.is_empty());

    let response = post(
        &app,
        &c,
        &format!("/e2e_images/{id}/delete"),
        &[("confirm_name", "web-golden-2")],
    )
    .await;
    assert_eq!(location(&response), format!("{ORG}/e2e_images{account}"));
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Deleting web-golden-2"));
    assert!(sim_images(&app).is_empty(), "gone from E2E");
    assert_audited_pair(&app, "e2e_image.delete").await;
    let (status, _) = app.get_html(&c, &format!("{ORG}/e2e_images/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_image_being_saved_refreshes_its_row_and_waits() {
    let app = crate::helpers::spawn_demo_with(|config| {
        config.speed = 0.05;
        config.rate_limit = 100_000;
    })
    .await;
    let c = app.admin().await;
    let (build, _) = node_named(&app, "build-box");
    let account = e2e_query(&app).await;
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{build}/save_image"),
        &[("name", "build-golden")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let (id, image) = image_named(&app, "build-golden").expect("the image being saved");
    assert_eq!(image["image_state"], "Creating");

    let (_, html) = app.get_html(&c, &format!("{ORG}/e2e_images")).await;
    assert_eq!(
        attr(
            &html,
            &format!("tr[data-image-id=\"{id}\"]"),
            "data-refresh-url"
        ),
        Some(format!("{ORG}/e2e_images/{id}/row{account}"))
    );
    let (_, html) = app.get_html(&c, &format!("{ORG}/e2e_images/{id}")).await;
    assert!(
        text_of(&html, "#busy-reason").contains("creating"),
        "{html}"
    );
    assert!(exists(&html, "#delete-image button[disabled]"));
    let response = app
        .get(&c, &format!("{ORG}/e2e_images/{id}/status{account}"))
        .await;
    assert_eq!(response.headers().get("x-fragment").unwrap(), "1");
    assert!(response.text().await.unwrap().contains("data-refresh-url"));
}

#[tokio::test]
async fn bad_names_and_missing_flags_change_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, before) = image_named(&app, "web-golden").unwrap();

    for name in ["x".repeat(65), "a\u{1b}b".to_owned(), String::new()] {
        let response = post(
            &app,
            &c,
            &format!("/e2e_images/{id}/rename"),
            &[("name", &name)],
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert!(!text_of(&html, "#rename-name-error").is_empty(), "{name:?}");
        assert_tied(&html, "#rename-name", "rename-name-error");
    }
    for path in ["abc", "7x"] {
        let (status, _) = app.get_html(&c, &format!("{ORG}/e2e_images/{path}")).await;
        assert_eq!(status, 404, "{path}");
    }

    let viewer = app
        .member_with("images@example.org", &["e2e_images.show"])
        .await;
    let (_, html) = app
        .get_html(&viewer, &format!("{ORG}/e2e_images/{id}"))
        .await;
    assert!(!exists(&html, "#rename") && !exists(&html, "#delete-image"));
    for (path, fields, flag) in [
        (
            format!("/e2e_images/{id}/rename"),
            vec![("name", "x")],
            "e2e_images.rename",
        ),
        (
            format!("/e2e_images/{id}/delete"),
            vec![("confirm_name", "web-golden")],
            "e2e_images.delete",
        ),
    ] {
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert!(
            audit_rows(&app, flag)
                .await
                .last()
                .is_some_and(|d| d.0 == "denied"),
            "{flag}"
        );
    }

    assert_eq!(image_named(&app, "web-golden").unwrap().1, before);
    assert_eq!(e2e_audit_count(&app).await, 0);
}

#[tokio::test]
async fn the_save_page_points_to_powered_off_nodes() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (build, _) = node_named(&app, "build-box");

    let (_, list) = app.get_html(&c, &format!("{ORG}/e2e_images")).await;
    let href = attr(&list, "a#new-saved-image", "href").expect("the save link");
    let (status, html) = app.get_html(&c, &href).await;

    assert_eq!(status, 200, "{html}");
    let first = text_of(&html, "#nodes li:first-child");
    assert!(
        first.contains("build-box") && first.contains("Powered off"),
        "{first}"
    );
    assert!(html.contains(&format!("/e2e_nodes/{build}")));
    assert!(text_of(&html, "#nodes").contains("power it off first"));
}
