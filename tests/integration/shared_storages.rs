//! The shared storage pages against the simulator: every operation through
//! the panel and the audit pair it leaves, rights and their confirm step,
//! the access page and its password (never logged, audited or shown),
//! refusals flag by flag, and bad input beside its field.

use serde_json::Value;

use crate::block_storages::{
    assert_tied, attr, audit_details, exists, followed, options, seeded_item, server_id, sim_item,
    sim_item_state, wait_for_item,
};
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post};

/// A forged POST: its path, its fields and the flag it lacks.
type Forged<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);

fn sim_shared(app: &TestApp, id: &str) -> Option<Value> {
    sim_item(app, "shared_storages", id)
}

fn seeded(app: &TestApp, name: &str) -> (String, Value) {
    seeded_item(app, "shared_storages", name)
}

async fn wait_for(app: &TestApp, id: &str, state: &str) {
    wait_for_item(app, "shared_storages", id, state).await;
}

/// The rights each server has, by server name, sorted.
fn rights(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = sim_shared(app, id).unwrap()["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["rights"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    list.sort();
    list
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

async fn detail(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (status, html) = app
        .get_html(c, &format!("{ORG}/shared_storages/{id}"))
        .await;
    assert_eq!(status, 200, "{html}");
    html
}

// ---- list ----

#[tokio::test]
async fn the_list_shows_each_shared_storage_with_its_servers_and_rights() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web1 = server_id(&app, "web-01");
    let account = account_query(&app).await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/shared_storages")).await;

    assert_eq!(status, 200);
    let table = text_of(&html, "table#shared-storages");
    assert!(table.contains("assets"), "{table}");
    assert!(
        table.contains("web-01 (RW)") && table.contains("web-02 (R)"),
        "{table}"
    );
    assert!(table.contains("200 GB"), "{table}");
    assert_eq!(
        attr(
            &html,
            &format!("a.server-link[data-server-id=\"{web1}\"]"),
            "href"
        ),
        Some(format!("{ORG}/servers/{web1}{account}"))
    );
    assert!(exists(&html, "a#new-shared-storage") && exists(&html, "a#access-link"));

    // The status badge alone, as the detail page's script asks for it.
    let (id, _) = seeded(&app, "assets");
    let status = app
        .get(&c, &format!("{ORG}/shared_storages/{id}/status{account}"))
        .await;
    assert_eq!(status.headers().get("x-fragment").unwrap(), "1");
    let badge = status.text().await.unwrap();
    assert!(badge.contains("id=\"storage-status\""), "{badge}");

    let (_, html) = app
        .get_html(&c, &format!("{ORG}/shared_storages?q=web-02"))
        .await;
    assert!(
        text_of(&html, "table#shared-storages").contains("assets"),
        "servers are searched"
    );
    let (_, html) = app
        .get_html(
            &c,
            &format!("{ORG}/shared_storages?q=nothing-here&sort=-used"),
        )
        .await;
    assert!(text_of(&html, "main").contains("No shared storages match this search"));
    assert_eq!(
        attr(&html, "a#refresh", "href"),
        Some(format!(
            "{ORG}/shared_storages{account}&q=nothing-here&sort=-used"
        ))
    );
}

// ---- create ----

#[tokio::test]
async fn a_shared_storage_is_created_and_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, form) = app
        .get_html(&c, &format!("{ORG}/shared_storages/new"))
        .await;
    assert_eq!(status, 200);
    let datacenter = attr(&form, "#datacenter_id option[selected]", "value").unwrap();

    let response = post(
        &app,
        &c,
        "/shared_storages",
        &[
            ("name", "media"),
            ("description", "Videos"),
            ("size", "150"),
            ("datacenter_id", &datacenter),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    let account = account_query(&app).await;
    let page = location(&response);
    let id = page
        .trim_end_matches(&account)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let created = sim_shared(&app, &id).expect("created upstream");
    assert_eq!(created["name"], "media");
    assert_eq!(created["size"], 150);
    assert_eq!(created["description"], "Videos");
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Creating media"));
    assert!(attr(&html, "#storage-status", "data-refresh-url").is_some());
    let paths = text_of(&html, "#paths");
    assert!(
        paths.contains(created["nfs_path"].as_str().unwrap()),
        "the NFS path is shown: {paths}"
    );
    assert_audited_pair(&app, "shared_storage.create").await;
    assert_eq!(
        audit_rows(&app, "shared_storage.create")
            .await
            .last()
            .unwrap()
            .2,
        "media"
    );

    wait_for(&app, &id, "ACTIVE").await;
    // Past the list's cache lifetime, which the page drew the storage from.
    let account_id = account.trim_start_matches("?account=").parse().unwrap();
    app.state.cloud.clear_cache(account_id);
    for fragment in ["status", "row"] {
        let response = app
            .get(
                &c,
                &format!("{ORG}/shared_storages/{id}/{fragment}{account}"),
            )
            .await;
        assert_eq!(response.headers().get("x-fragment").unwrap(), "1");
        let html = response.text().await.unwrap();
        assert!(html.contains("data-state=\"ACTIVE\""), "{fragment}: {html}");
        assert!(!html.contains("data-refresh-url"), "{fragment} is steady");
    }
}

#[tokio::test]
async fn bad_create_values_are_shown_beside_the_fields_and_kept() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = app.sim_items("shared_storages").len();

    let response = post(
        &app,
        &c,
        "/shared_storages",
        &[
            ("name", &"n".repeat(129)),
            ("description", "kept description"),
            ("size", "75"),
            ("datacenter_id", "../elsewhere"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, "#size-error").contains("from 50 to 2000 GB in steps of 50"));
    assert_tied(&html, "#name", "name-error");
    assert_tied(&html, "#size", "size-error");
    assert_tied(&html, "#datacenter_id", "datacenter_id-error");
    assert!(html.contains("id=\"error-summary\" tabindex=\"-1\""));
    assert!(html.contains("value=\"kept description\""));
    assert!(html.contains("value=\"75\""));
    assert_eq!(
        app.sim_items("shared_storages").len(),
        before,
        "nothing sent"
    );
    assert!(audit_rows(&app, "shared_storage.create").await.is_empty());
}

// ---- detail actions ----

#[tokio::test]
async fn every_shared_storage_action_reaches_the_cloud_panel() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "assets");
    let db = server_id(&app, "db-01");
    let web1 = server_id(&app, "web-01");
    let web2 = server_id(&app, "web-02");

    // Rename and describe.
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/rename"),
        &[("name", "assets-2"), ("description", "Uploads and media")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Saved: assets-2"));
    assert_eq!(sim_shared(&app, &id).unwrap()["name"], "assets-2");
    assert_audited_pair(&app, "shared_storage.rename").await;
    wait_for(&app, &id, "ACTIVE").await;

    // Resize: the field starts on the current size, which is also its minimum.
    assert_eq!(attr(&html, "#resize-size", "value").as_deref(), Some("200"));
    assert_eq!(attr(&html, "#resize-size", "min").as_deref(), Some("200"));
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/resize"),
        &[("size", "250")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("to 250 GB"));
    assert_eq!(sim_shared(&app, &id).unwrap()["size"], 250);
    assert_audited_pair(&app, "shared_storage.resize").await;
    wait_for(&app, &id, "ACTIVE").await;

    // Give db-01 read access: the select offers only servers without access,
    // and the rights start on the least powerful choice.
    let offered = options(&html, "#attach-server");
    assert!(offered.contains(&db));
    assert!(!offered.contains(&web1) && !offered.contains(&web2));
    assert_eq!(
        attr(&html, "#attach-rights option[selected]", "value").as_deref(),
        Some("R")
    );
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers"),
        &[("server_id", &db), ("rights", "R")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("db-01"), "{html}");
    assert_eq!(
        rights(&app, &id),
        pairs(&[("db-01", "R"), ("web-01", "RW"), ("web-02", "R")])
    );
    assert_audited_pair(&app, "shared_storage.attach").await;

    // More rights need no confirmation; fewer take the confirm step.
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers/{web2}/rights"),
        &[("rights", "RW")],
    )
    .await;
    followed(&app, &c, &response).await;
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers/{web1}/rights"),
        &[("rights", "R"), ("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("web-01 now gets read only"));
    assert_eq!(
        rights(&app, &id),
        pairs(&[("db-01", "R"), ("web-01", "R"), ("web-02", "RW")])
    );
    let rows = audit_rows(&app, "shared_storage.rights").await;
    assert_eq!(rows.len(), 4, "two pairs: {rows:?}");
    assert_audited_pair(&app, "shared_storage.rights").await;
    assert!(
        audit_details(&app, "shared_storage.rights")
            .await
            .last()
            .unwrap()
            .contains("\"previous_rights\":\"RW\"")
    );

    // Detach db-01.
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers/{db}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Detaching db-01"));
    assert_eq!(
        rights(&app, &id),
        pairs(&[("web-01", "R"), ("web-02", "RW")])
    );
    assert_audited_pair(&app, "shared_storage.detach").await;
}

#[tokio::test]
async fn the_servers_table_offers_each_change_behind_the_right_step() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "assets");
    let web1 = server_id(&app, "web-01");
    let web2 = server_id(&app, "web-02");
    let account = account_query(&app).await;

    let html = detail(&app, &c, &id).await;

    // web-01 writes: lowering it takes the confirm step, and says what follows.
    let row1 = format!("#attached-servers tr[data-server-id=\"{web1}\"]");
    assert!(exists(
        &html,
        &format!(
            "{row1} details.confirm form[action=\"{ORG}/shared_storages/{id}/servers/{web1}/rights{account}\"] input[name=confirm][value=yes]"
        )
    ));
    assert!(text_of(&html, &row1).contains("no longer change them"));
    assert!(text_of(&html, &row1).contains("read and write"));
    // web-02 reads: allowing writes is one button.
    let row2 = format!("#attached-servers tr[data-server-id=\"{web2}\"]");
    assert!(exists(
        &html,
        &format!("{row2} form.allow-writing input[name=rights][value=RW]")
    ));
    // Both can be detached behind the confirm step; the servers are linked.
    for (row, server) in [(&row1, &web1), (&row2, &web2)] {
        assert!(exists(
            &html,
            &format!(
                "{row} details.confirm form[action=\"{ORG}/shared_storages/{id}/servers/{server}/delete{account}\"]"
            )
        ));
        assert_eq!(
            attr(&html, &format!("{row} a.server-link"), "href"),
            Some(format!("{ORG}/servers/{server}{account}"))
        );
    }
    // The delete form says who loses access.
    let delete = text_of(&html, "#delete-shared-storage");
    assert!(delete.contains("lose it: web-01, web-02"), "{delete}");
}

#[tokio::test]
async fn unconfirmed_destructive_changes_change_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, before) = seeded(&app, "assets");
    let web1 = server_id(&app, "web-01");
    let web2 = server_id(&app, "web-02");

    let unconfirmed: [(String, Vec<(&str, &str)>); 4] = [
        (
            format!("/shared_storages/{id}/servers/{web1}/rights"),
            vec![("rights", "R")],
        ),
        (
            format!("/shared_storages/{id}/servers/{web1}/rights"),
            vec![("rights", "R"), ("confirm", "YES")],
        ),
        (
            format!("/shared_storages/{id}/servers/{web2}/delete"),
            vec![],
        ),
        (
            format!("/shared_storages/{id}/delete"),
            vec![("confirm_name", "asset")],
        ),
    ];
    for (path, fields) in &unconfirmed {
        let response = post(&app, &c, path, fields).await;
        let html = followed(&app, &c, &response).await;
        let message = text_of(&html, ".flash-error");
        assert!(message.contains("Nothing was changed"), "{path}: {message}");
    }

    assert_eq!(sim_shared(&app, &id).unwrap(), before);
    for action in [
        "shared_storage.rights",
        "shared_storage.detach",
        "shared_storage.delete",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }
}

#[tokio::test]
async fn bad_values_on_the_detail_forms_change_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, before) = seeded(&app, "assets");
    let web1 = server_id(&app, "web-01");
    let db = server_id(&app, "db-01");

    // Resize, one field: a flash that says the rule, and the field keeps what was typed.
    for (size, message) in [
        ("275", "steps of 50"),
        ("150", "cannot shrink"),
        ("lots", "whole number"),
        ("200", "already has 200 GB"),
    ] {
        let response = post(
            &app,
            &c,
            &format!("/shared_storages/{id}/resize"),
            &[("size", size)],
        )
        .await;
        let html = followed(&app, &c, &response).await;
        let said = text_of(&html, ".flash-error, .flash-info");
        assert!(said.contains(message), "{size}: {said}");
        assert_eq!(
            attr(&html, "#resize-size", "value").as_deref(),
            Some(size),
            "{size}"
        );
    }

    // Attach, two fields: the page again with the message beside the field.
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers"),
        &[("server_id", ""), ("rights", "R")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let html = followed(&app, &c, &response).await;
    assert_tied(&html, "#attach-server", "attach-server-error");
    assert!(text_of(&html, ".flash-error").contains("beside the fields"));

    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers"),
        &[("server_id", &db), ("rights", "X")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let html = followed(&app, &c, &response).await;
    assert_tied(&html, "#attach-rights", "attach-rights-error");
    assert_eq!(
        attr(&html, "#attach-server option[selected]", "value"),
        Some(db.clone()),
        "the chosen server is kept"
    );

    // A server with access already: attaching it again would replace its rights.
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers"),
        &[("server_id", &web1), ("rights", "R")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, "#attach-server-error").contains("web-01 already has access"));

    // Rename, two fields.
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/rename"),
        &[("name", "assets"), ("description", &"x".repeat(257))],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let html = followed(&app, &c, &response).await;
    assert_tied(&html, "#rename-description", "rename-description-error");
    assert_eq!(
        attr(&html, "#rename-description", "value"),
        Some("x".repeat(257)),
        "the typed description is kept"
    );

    // Rights other than R and RW.
    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/servers/{web1}/rights"),
        &[("rights", "ALL"), ("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-error").contains("Choose read only"));

    assert_eq!(sim_shared(&app, &id).unwrap(), before);
    for action in [
        "shared_storage.resize",
        "shared_storage.attach",
        "shared_storage.rename",
        "shared_storage.rights",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }
}

#[tokio::test]
async fn delete_needs_the_typed_name() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "assets");

    let response = post(
        &app,
        &c,
        &format!("/shared_storages/{id}/delete"),
        &[("confirm_name", "assets")],
    )
    .await;

    assert_eq!(
        location(&response),
        format!("{ORG}/shared_storages{}", account_query(&app).await)
    );
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Deleting assets"));
    assert_audited_pair(&app, "shared_storage.delete").await;
    assert!(
        audit_details(&app, "shared_storage.delete")
            .await
            .iter()
            .all(|d| d.contains("web-01") && d.contains("web-02")),
        "the servers that lose access are recorded"
    );
    wait_for(&app, &id, "GONE").await;
}

// ---- access ----

#[tokio::test]
async fn the_access_page_shows_the_state_and_paths_and_changes_the_password_unseen() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (_, assets) = seeded(&app, "assets");
    let secret = "N3w-Storage-Secret!";

    let (status, html) = app
        .get_html(&c, &format!("{ORG}/shared_storages/access"))
        .await;
    assert_eq!(status, 200);
    let credentials = text_of(&html, "#credentials");
    assert!(credentials.contains("Active"), "{credentials}");
    assert!(credentials.contains("not set yet"), "{credentials}");
    let paths = text_of(&html, "#paths");
    for path in ["nfs_path", "cifs_path"] {
        assert!(
            paths.contains(assets[path].as_str().unwrap()),
            "{path}: {paths}"
        );
    }

    // Two typed passwords that differ, then a weak one: beside the fields, never echoed.
    for (password, repeat, field) in [
        (secret, "N3w-Storage-Secret?", "password_repeat"),
        ("weakpassword", "weakpassword", "password"),
    ] {
        let response = post(
            &app,
            &c,
            "/shared_storages/access/password",
            &[("password", password), ("password_repeat", repeat)],
        )
        .await;
        assert_eq!(response.status().as_u16(), 422);
        let html = response.text().await.unwrap();
        let input = if field == "password" {
            "#password-new"
        } else {
            "#password-repeat"
        };
        assert_tied(&html, input, &format!("{field}-error"));
        assert!(
            !html.contains(password) && !html.contains(repeat),
            "not echoed"
        );
    }
    assert!(
        audit_rows(&app, "shared_storage.access_password")
            .await
            .is_empty()
    );

    let response = post(
        &app,
        &c,
        "/shared_storages/access/password",
        &[("password", secret), ("password_repeat", secret)],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("access password was changed"));
    assert!(!html.contains(secret), "the page never shows it");
    assert!(!text_of(&html, "#credentials").contains("not set yet"));
    assert_audited_pair(&app, "shared_storage.access_password").await;
    assert_eq!(
        audit_details(&app, "shared_storage.access_password").await[0],
        r#"{"changed":"access password"}"#
    );
    let anywhere: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE COALESCE(details, '') LIKE ?1 \
         OR COALESCE(error, '') LIKE ?1 OR COALESCE(target_name, '') LIKE ?1",
    )
    .bind(format!("%{secret}%"))
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(anywhere, 0, "the password is in no audit event");

    // The state table refreshes itself as a fragment.
    let response = app
        .get(
            &c,
            &format!(
                "{ORG}/shared_storages/access/state{}",
                account_query(&app).await
            ),
        )
        .await;
    assert_eq!(response.headers().get("x-fragment").unwrap(), "1");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"access-state\"")
    );
}

// ---- permissions ----

#[tokio::test]
async fn a_member_who_may_only_look_sees_no_forms_and_is_refused_each_change() {
    let app = spawn_demo().await;
    let viewer = app
        .member_with("looker@example.org", &["shared_storages.show"])
        .await;
    let (id, before) = seeded(&app, "assets");
    let web1 = server_id(&app, "web-01");
    let db = server_id(&app, "db-01");

    let html = detail(&app, &viewer, &id).await;
    for form in [
        "#rename",
        "#resize",
        "#attach",
        "details.confirm",
        "form.allow-writing",
        "#delete-shared-storage",
    ] {
        assert!(!exists(&html, form), "{form} is hidden");
    }
    assert!(text_of(&html, "#attached-servers").contains("web-01"));
    let (_, list) = app
        .get_html(&viewer, &format!("{ORG}/shared_storages"))
        .await;
    assert!(!exists(&list, "#new-shared-storage") && !exists(&list, "#access-link"));

    let forged: [Forged; 8] = [
        (
            format!("/shared_storages/{id}/delete"),
            vec![("confirm_name", "assets")],
            "shared_storages.delete",
        ),
        (
            format!("/shared_storages/{id}/rename"),
            vec![("name", "taken"), ("description", "")],
            "shared_storages.set_name",
        ),
        (
            format!("/shared_storages/{id}/resize"),
            vec![("size", "500")],
            "shared_storages.resize",
        ),
        (
            format!("/shared_storages/{id}/servers"),
            vec![("server_id", &db), ("rights", "RW")],
            "shared_storages.manage_attached_servers",
        ),
        (
            format!("/shared_storages/{id}/servers/{web1}/rights"),
            vec![("rights", "R"), ("confirm", "yes")],
            "shared_storages.manage_attached_servers",
        ),
        (
            format!("/shared_storages/{id}/servers/{web1}/delete"),
            vec![("confirm", "yes")],
            "shared_storages.manage_attached_servers",
        ),
        (
            "/shared_storages".to_owned(),
            vec![("name", "mine"), ("size", "50")],
            "shared_storages.create",
        ),
        (
            "/shared_storages/access/password".to_owned(),
            vec![
                ("password", "Str0ng-Secret!"),
                ("password_repeat", "Str0ng-Secret!"),
            ],
            "shared_storages.access",
        ),
    ];
    for (path, fields, flag) in &forged {
        let response = post(&app, &viewer, path, fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        let html = response.text().await.unwrap();
        assert!(text_of(&html, "main").contains(flag), "{path}: {flag}");
        assert!(
            audit_rows(&app, flag)
                .await
                .last()
                .is_some_and(|d| d.0 == "denied"),
            "{flag}"
        );
    }
    for page in ["/shared_storages/new", "/shared_storages/access"] {
        let response = app.get(&viewer, &format!("{ORG}{page}")).await;
        assert_eq!(response.status().as_u16(), 403, "{page}");
    }

    assert_eq!(sim_shared(&app, &id).unwrap(), before, "nothing changed");
    assert_eq!(app.sim_items("shared_storages").len(), 1);
    for action in [
        "shared_storage.delete",
        "shared_storage.rename",
        "shared_storage.resize",
        "shared_storage.attach",
        "shared_storage.rights",
        "shared_storage.detach",
        "shared_storage.create",
        "shared_storage.access_password",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }
}

#[tokio::test]
async fn each_flag_opens_exactly_its_own_action() {
    let app = spawn_demo().await;
    let (id, _) = seeded(&app, "assets");
    let web2 = server_id(&app, "web-02");

    // Managing servers alone: the servers table's actions, nothing else.
    let manager = app
        .member_with(
            "manager@example.org",
            &[
                "shared_storages.show",
                "shared_storages.manage_attached_servers",
            ],
        )
        .await;
    let html = detail(&app, &manager, &id).await;
    assert!(exists(&html, "#attach") && exists(&html, "form.allow-writing"));
    assert!(!exists(&html, "#rename") && !exists(&html, "#resize"));
    assert!(!exists(&html, "#delete-shared-storage"));
    let response = post(
        &app,
        &manager,
        &format!("/shared_storages/{id}/servers/{web2}/rights"),
        &[("rights", "RW")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_audited_pair(&app, "shared_storage.rights").await;
    wait_for(&app, &id, "ACTIVE").await;

    // Resizing alone.
    let resizer = app
        .member_with(
            "resizer@example.org",
            &["shared_storages.show", "shared_storages.resize"],
        )
        .await;
    let html = detail(&app, &resizer, &id).await;
    assert!(exists(&html, "#resize") && !exists(&html, "#attach"));
    let response = post(
        &app,
        &resizer,
        &format!("/shared_storages/{id}/resize"),
        &[("size", "300")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(sim_shared(&app, &id).unwrap()["size"], 300);
    wait_for(&app, &id, "ACTIVE").await;

    // The name's flag alone: a forged description change is refused.
    let namer = app
        .member_with(
            "namer@example.org",
            &["shared_storages.show", "shared_storages.set_name"],
        )
        .await;
    let html = detail(&app, &namer, &id).await;
    assert!(attr(&html, "#rename-description", "readonly").is_some());
    let response = post(
        &app,
        &namer,
        &format!("/shared_storages/{id}/rename"),
        &[("name", "assets"), ("description", "changed")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        sim_shared(&app, &id).unwrap()["description"],
        "Uploaded files"
    );
    assert_eq!(
        audit_rows(&app, "shared_storages.set_description").await[0].0,
        "denied"
    );

    // Access alone: the access page without the storages' paths, and the password.
    let keeper = app
        .member_with("keeper@example.org", &["shared_storages.access"])
        .await;
    let (status, html) = app
        .get_html(&keeper, &format!("{ORG}/shared_storages/access"))
        .await;
    assert_eq!(status, 200);
    assert!(exists(&html, "#access-credentials") && exists(&html, "#access-password"));
    assert!(
        !exists(&html, "#storage-paths"),
        "paths need shared_storages.show"
    );
    let response = post(
        &app,
        &keeper,
        "/shared_storages/access/password",
        &[
            ("password", "An0ther-Secret"),
            ("password_repeat", "An0ther-Secret"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_audited_pair(&app, "shared_storage.access_password").await;
    assert_eq!(sim_item_state(&app, "shared_storages", &id), "ACTIVE");
}
