//! The block storage pages against the simulator: every operation through
//! the panel and the audit pair it leaves, refusals flag by flag, bad input
//! beside its field, confirmations, and transitions.

use std::time::Duration;

use scraper::{Html, Selector};
use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo, spawn_demo_with, text_of};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post};

/// A forged POST: its path, its fields and the flag it lacks.
type Forged<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);

// ---- helpers shared with the shared storage tests ----

/// One object of a simulator collection by id.
pub(crate) fn sim_item(app: &TestApp, collection: &str, id: &str) -> Option<Value> {
    app.sim_items(collection)
        .into_iter()
        .find(|s| s["id"] == id)
}

/// The id and object of a seeded object by name.
pub(crate) fn seeded_item(app: &TestApp, collection: &str, name: &str) -> (String, Value) {
    let item = app
        .sim_items(collection)
        .into_iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("a seeded {collection} named {name}"));
    (item["id"].as_str().unwrap().to_owned(), item)
}

/// A seeded server's id by name.
pub(crate) fn server_id(app: &TestApp, name: &str) -> String {
    seeded_item(app, "servers", name).0
}

/// The state of an object, `GONE` once it left the collection.
pub(crate) fn sim_item_state(app: &TestApp, collection: &str, id: &str) -> String {
    sim_item(app, collection, id)
        .map(|s| s["state"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| "GONE".into())
}

/// Waits (bounded) until the simulator shows the state.
pub(crate) async fn wait_for_item(app: &TestApp, collection: &str, id: &str, state: &str) {
    for _ in 0..200 {
        if sim_item_state(app, collection, id) == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{collection} {id} never reached {state}; it is {}",
        sim_item_state(app, collection, id)
    );
}

/// The details of every audit event of an action, in order.
pub(crate) async fn audit_details(app: &TestApp, action: &str) -> Vec<String> {
    sqlx::query_scalar::<_, String>(
        "SELECT COALESCE(details, '') FROM audit_events WHERE action = ? ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.raw_db())
    .await
    .unwrap()
}

/// The page a POST redirected to.
pub(crate) async fn followed(
    app: &TestApp,
    c: &reqwest::Client,
    response: &reqwest::Response,
) -> String {
    assert_eq!(response.status().as_u16(), 303, "a redirect");
    let (status, html) = app.get_html(c, &location(response)).await;
    assert_eq!(status, 200, "{html}");
    html
}

pub(crate) fn exists(html: &str, css: &str) -> bool {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector).next().is_some()
}

pub(crate) fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr(name))
        .map(str::to_owned)
}

/// The values of a select's options.
pub(crate) fn options(html: &str, select_css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(&format!("{select_css} option")).unwrap();
    doc.select(&selector)
        .filter_map(|o| o.value().attr("value"))
        .map(str::to_owned)
        .collect()
}

/// The input is marked invalid and tied to its message.
pub(crate) fn assert_tied(html: &str, field_css: &str, error_id: &str) {
    assert_eq!(
        attr(html, field_css, "aria-invalid").as_deref(),
        Some("true"),
        "{field_css}"
    );
    assert_eq!(
        attr(html, field_css, "aria-describedby").as_deref(),
        Some(error_id),
        "{field_css}"
    );
    assert!(
        exists(html, &format!("p.field-error#{error_id}")),
        "{error_id}"
    );
}

fn sim_block(app: &TestApp, id: &str) -> Option<Value> {
    sim_item(app, "block_storages", id)
}

fn seeded(app: &TestApp, name: &str) -> (String, Value) {
    seeded_item(app, "block_storages", name)
}

async fn wait_for(app: &TestApp, id: &str, state: &str) {
    wait_for_item(app, "block_storages", id, state).await;
}

async fn detail(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (status, html) = app.get_html(c, &format!("{ORG}/block_storages/{id}")).await;
    assert_eq!(status, 200, "{html}");
    html
}

// ---- list ----

#[tokio::test]
async fn the_list_shows_every_block_storage_and_links_its_server() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let db = server_id(&app, "db-01");
    let account = account_query(&app).await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/block_storages")).await;

    assert_eq!(status, 200);
    let names = text_of(&html, "table#block-storages .storage-name");
    assert!(
        names.contains("db-data") && names.contains("scratch"),
        "{names}"
    );
    assert_eq!(
        attr(
            &html,
            &format!("a.server-link[data-server-id=\"{db}\"]"),
            "href"
        ),
        Some(format!("{ORG}/servers/{db}{account}")),
        "the attached server is linked on the same account"
    );
    assert!(text_of(&html, "table#block-storages").contains("100 GB"));
    assert!(html.contains("data-state=\"ACTIVE\""));
    assert!(exists(&html, "a#new-block-storage"));

    // Search, sort, and a Refresh that keeps them.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/block_storages?q=scrat&sort=-size"))
        .await;
    let names = text_of(&html, "table#block-storages .storage-name");
    assert!(
        names.contains("scratch") && !names.contains("db-data"),
        "{names}"
    );
    assert_eq!(
        attr(&html, "a#refresh", "href"),
        Some(format!("{ORG}/block_storages{account}&q=scrat&sort=-size"))
    );
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/block_storages?q=zzz-nothing"))
        .await;
    assert!(text_of(&html, "main").contains("No block storages match this search"));
    let (status, _) = app
        .get_html(
            &c,
            &format!("{ORG}/block_storages?page=abc&sort=%3Cscript%3E&account=x"),
        )
        .await;
    assert_eq!(status, 200, "odd query values are ignored");
}

// ---- create ----

#[tokio::test]
async fn a_block_storage_is_created_attached_and_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web = server_id(&app, "web-01");
    let (status, form) = app.get_html(&c, &format!("{ORG}/block_storages/new")).await;
    assert_eq!(status, 200);
    let datacenter = attr(&form, "#datacenter_id option[selected]", "value")
        .expect("the account's default datacenter is preselected");
    assert!(options(&form, "#server_id").contains(&web));

    let response = post(
        &app,
        &c,
        "/block_storages",
        &[
            ("name", "logs"),
            ("description", "Log archive"),
            ("size", "40"),
            ("datacenter_id", &datacenter),
            ("server_id", &web),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    let page = location(&response);
    let account = account_query(&app).await;
    assert!(page.ends_with(&account), "{page}");
    let id = page
        .trim_end_matches(&account)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let created = sim_block(&app, &id).expect("the block storage exists upstream");
    assert_eq!(created["name"], "logs");
    assert_eq!(created["size"], 40);
    assert_eq!(created["server"]["id"], web.as_str());
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Creating logs"));
    assert!(
        attr(&html, "#storage-status", "data-refresh-url").is_some(),
        "a configuring storage refreshes its status"
    );
    assert!(
        text_of(&html, "#server").contains("web-01"),
        "linked server"
    );
    assert_audited_pair(&app, "block_storage.create").await;
    assert_eq!(
        audit_rows(&app, "block_storage.create")
            .await
            .last()
            .unwrap()
            .2,
        "logs"
    );

    wait_for(&app, &id, "ACTIVE").await;
    // Past the list's cache lifetime, which the page drew the storage from.
    let account_id = account.trim_start_matches("?account=").parse().unwrap();
    app.state.cloud.clear_cache(account_id);
    let base = format!("{ORG}/block_storages/{id}");
    for fragment in ["status", "row"] {
        let response = app.get(&c, &format!("{base}/{fragment}{account}")).await;
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
    let before = app.sim_items("block_storages").len();

    let response = post(
        &app,
        &c,
        "/block_storages",
        &[
            ("name", ""),
            ("description", &"d".repeat(300)),
            ("size", "25"),
            ("datacenter_id", ""),
            ("server_id", ""),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    let errors = text_of(&html, ".field-error");
    assert!(errors.contains("Enter a name"), "{errors}");
    assert!(errors.contains("at most 256"), "{errors}");
    assert!(
        errors.contains("from 20 to 500 GB in steps of 10"),
        "{errors}"
    );
    assert_tied(&html, "#name", "name-error");
    assert_tied(&html, "#description", "description-error");
    assert_tied(&html, "#size", "size-error");
    assert!(html.contains("id=\"error-summary\" tabindex=\"-1\""));
    assert!(html.contains("value=\"25\""), "the size is kept");

    // A server outside the chosen datacenter is refused beside the server.
    let (_, form) = app.get_html(&c, &format!("{ORG}/block_storages/new")).await;
    let default = attr(&form, "#datacenter_id option[selected]", "value").unwrap();
    let other = options(&form, "#datacenter_id")
        .into_iter()
        .find(|d| *d != default)
        .expect("a second datacenter");
    let web = server_id(&app, "web-01");
    let response = post(
        &app,
        &c,
        "/block_storages",
        &[
            ("name", "far-away"),
            ("size", "40"),
            ("datacenter_id", &other),
            ("server_id", &web),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, "#server_id-error").contains("own datacenter"));
    assert_tied(&html, "#server_id", "server_id-error");
    assert!(html.contains("value=\"far-away\""), "the name is kept");
    assert_eq!(
        attr(&html, "#datacenter_id option[selected]", "value"),
        Some(other),
        "the chosen datacenter is kept"
    );

    assert_eq!(
        app.sim_items("block_storages").len(),
        before,
        "nothing sent"
    );
    assert!(audit_rows(&app, "block_storage.create").await.is_empty());
}

// ---- detail actions ----

#[tokio::test]
async fn every_block_storage_action_reaches_the_cloud_panel() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "scratch");
    let web = server_id(&app, "web-02");
    let account = account_query(&app).await;

    // Rename and describe.
    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/rename"),
        &[("name", "scratch-2"), ("description", "Temporary files")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/block_storages/{id}{account}")
    );
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Saved: scratch-2"));
    let storage = sim_block(&app, &id).unwrap();
    assert_eq!(storage["name"], "scratch-2");
    assert_eq!(storage["description"], "Temporary files");
    assert_audited_pair(&app, "block_storage.rename").await;
    wait_for(&app, &id, "ACTIVE").await;

    // Attach: the select offers the servers of its datacenter, starting on "Choose".
    let html = detail(&app, &c, &id).await;
    assert_eq!(
        options(&html, "#attach-server").first().map(String::as_str),
        Some(""),
        "the attach select starts empty"
    );
    assert!(options(&html, "#attach-server").contains(&web));
    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/server"),
        &[("server_id", &web)],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(
        text_of(&html, ".flash-success").contains("to web-02"),
        "{html}"
    );
    assert_eq!(sim_block(&app, &id).unwrap()["server"]["id"], web.as_str());
    assert_audited_pair(&app, "block_storage.attach").await;
    wait_for(&app, &id, "ACTIVE").await;

    // The page links the server.
    let html = detail(&app, &c, &id).await;
    assert!(html.contains(&format!("href=\"{ORG}/servers/{web}{account}\"")));
    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/server/delete"),
        &[("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(
        text_of(&html, ".flash-success").contains("from web-02"),
        "{html}"
    );
    assert!(sim_block(&app, &id).unwrap()["server"].is_null());
    assert_audited_pair(&app, "block_storage.detach").await;
    assert!(
        audit_details(&app, "block_storage.detach")
            .await
            .iter()
            .all(|d| d.contains(&web)),
        "the detached server is named"
    );
}

#[tokio::test]
async fn delete_needs_the_typed_name_and_says_what_it_takes() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "db-data");

    let html = detail(&app, &c, &id).await;
    let form = text_of(&html, "#delete-block-storage");
    assert!(form.contains("detached from db-01"), "{form}");
    assert_eq!(
        attr(&html, "#delete-confirm", "data-confirm-name").as_deref(),
        Some("db-data")
    );

    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/delete"),
        &[("confirm_name", "db-dat")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-error").contains("exactly to confirm"));
    assert_eq!(sim_item_state(&app, "block_storages", &id), "ACTIVE");
    assert!(audit_rows(&app, "block_storage.delete").await.is_empty());

    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/delete"),
        &[("confirm_name", "db-data")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/block_storages{}", account_query(&app).await)
    );
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Deleting db-data"));
    assert_audited_pair(&app, "block_storage.delete").await;
    wait_for(&app, &id, "GONE").await;
}

#[tokio::test]
async fn an_unconfirmed_detach_changes_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, before) = seeded(&app, "db-data");
    // The page offers the detach behind its confirm step.
    let html = detail(&app, &c, &id).await;
    assert!(exists(
        &html,
        "#detach details.confirm form input[name=confirm][value=yes]"
    ));
    assert!(text_of(&html, "#detach").contains("db-01 loses the disk"));

    for fields in [vec![], vec![("confirm", "no")]] {
        let response = post(
            &app,
            &c,
            &format!("/block_storages/{id}/server/delete"),
            &fields,
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert!(text_of(&html, ".flash-error").contains("Nothing was changed"));
    }

    assert_eq!(sim_block(&app, &id).unwrap()["server"], before["server"]);
    assert!(audit_rows(&app, "block_storage.detach").await.is_empty());
}

#[tokio::test]
async fn bad_values_on_the_detail_forms_change_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, before) = seeded(&app, "scratch");

    // Two fields: back on the page, the message beside the field, what was typed kept.
    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/rename"),
        &[("name", "  "), ("description", "kept text")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let html = followed(&app, &c, &response).await;
    assert_tied(&html, "#rename-name", "rename-name-error");
    assert!(text_of(&html, "#rename-name-error").contains("Enter a name"));
    assert!(text_of(&html, ".flash-error").contains("beside the fields"));
    assert_eq!(
        attr(&html, "#rename-description", "value").as_deref(),
        Some("kept text")
    );

    // One field: a flash message.
    for server in ["", "not an id!"] {
        let response = post(
            &app,
            &c,
            &format!("/block_storages/{id}/server"),
            &[("server_id", server)],
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert!(
            text_of(&html, ".flash-error").contains("Choose the server"),
            "{server:?}"
        );
    }

    // Unchanged values send nothing either.
    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/rename"),
        &[("name", "scratch"), ("description", "")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-info").contains("Nothing changed"));

    assert_eq!(sim_block(&app, &id).unwrap(), before);
    assert!(audit_rows(&app, "block_storage.rename").await.is_empty());
    assert!(audit_rows(&app, "block_storage.attach").await.is_empty());
}

#[tokio::test]
async fn the_apis_refusal_is_said_in_plain_words() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "db-data");
    let web = server_id(&app, "web-01");

    // Already attached to db-01: the Cloud Panel refuses a second server.
    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/server"),
        &[("server_id", &web)],
    )
    .await;

    let html = followed(&app, &c, &response).await;
    let flash = text_of(&html, ".flash-error");
    assert!(flash.contains("already attached"), "{flash}");
    assert_eq!(
        audit_rows(&app, "block_storage.attach")
            .await
            .last()
            .unwrap()
            .0,
        "failed"
    );

    // A storage removed behind the panel's back.
    let response = post(
        &app,
        &c,
        "/block_storages/0123456789ABCDEF0123456789ABCDEF/rename",
        &[("name", "ghost")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-error").contains("it was removed"));
}

#[tokio::test]
async fn during_a_transition_the_refused_actions_wait_with_the_reason() {
    // Slow simulated time: the change below lasts minutes, not seconds.
    let app = spawn_demo_with(|config| config.speed = 0.05).await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "scratch");
    post(
        &app,
        &c,
        &format!("/block_storages/{id}/rename"),
        &[("name", "scratch"), ("description", "busy now")],
    )
    .await;
    assert_eq!(sim_item_state(&app, "block_storages", &id), "CONFIGURING");

    let html = detail(&app, &c, &id).await;
    assert!(text_of(&html, "#busy-reason").contains("configuring"));
    for button in ["#rename button[type=submit]", "#attach button[type=submit]"] {
        assert!(exists(&html, button), "{button} is shown");
        assert!(
            attr(&html, button, "disabled").is_some()
                && attr(&html, button, "aria-describedby").as_deref() == Some("busy-reason"),
            "{button} waits and points at the reason"
        );
    }
    assert!(
        attr(&html, "#storage-status", "data-refresh-url").is_some(),
        "the status refreshes itself"
    );
    let (_, list) = app.get_html(&c, &format!("{ORG}/block_storages")).await;
    assert!(
        attr(
            &list,
            &format!("tr[data-block-storage-id=\"{id}\"]"),
            "data-refresh-url"
        )
        .is_some(),
        "the row refreshes itself"
    );

    // A forged POST still gets the API's own refusal, and nothing changes.
    let web = server_id(&app, "web-01");
    let response = post(
        &app,
        &c,
        &format!("/block_storages/{id}/server"),
        &[("server_id", &web)],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(!text_of(&html, ".flash-error").is_empty(), "{html}");
    assert!(sim_block(&app, &id).unwrap()["server"].is_null());
}

// ---- permissions ----

#[tokio::test]
async fn a_member_who_may_only_look_sees_no_forms_and_is_refused_each_change() {
    let app = spawn_demo().await;
    let viewer = app
        .member_with("looker@example.org", &["block_storages.show"])
        .await;
    let (id, before) = seeded(&app, "db-data");
    let web = server_id(&app, "web-01");
    let count = app.sim_items("block_storages").len();

    let html = detail(&app, &viewer, &id).await;
    for form in ["#rename", "#attach", "#detach", "#delete-block-storage"] {
        assert!(!exists(&html, form), "{form} is hidden");
    }
    assert!(text_of(&html, "#server").contains("db-01"));
    let (_, list) = app
        .get_html(&viewer, &format!("{ORG}/block_storages"))
        .await;
    assert!(!exists(&list, "#new-block-storage"));

    let forged: [Forged; 5] = [
        (
            format!("/block_storages/{id}/delete"),
            vec![("confirm_name", "db-data")],
            "block_storages.delete",
        ),
        (
            format!("/block_storages/{id}/rename"),
            vec![("name", "taken"), ("description", "")],
            "block_storages.set_name",
        ),
        (
            format!("/block_storages/{id}/server/delete"),
            vec![("confirm", "yes")],
            "block_storages.manage_attached_server",
        ),
        (
            format!("/block_storages/{id}/server"),
            vec![("server_id", &web)],
            "block_storages.manage_attached_server",
        ),
        (
            "/block_storages".to_owned(),
            vec![("name", "mine"), ("size", "40")],
            "block_storages.create",
        ),
    ];
    for (path, fields, flag) in &forged {
        let response = post(&app, &viewer, path, fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        let html = response.text().await.unwrap();
        assert!(text_of(&html, "main").contains(flag), "{path}: {flag}");
        let denied = audit_rows(&app, flag).await;
        assert!(
            denied.last().is_some_and(|d| d.0 == "denied"),
            "{flag}: {denied:?}"
        );
    }
    let response = app.get(&viewer, &format!("{ORG}/block_storages/new")).await;
    assert_eq!(response.status().as_u16(), 403);

    assert_eq!(sim_block(&app, &id).unwrap(), before, "nothing changed");
    assert_eq!(app.sim_items("block_storages").len(), count);
    for action in [
        "block_storage.delete",
        "block_storage.rename",
        "block_storage.attach",
        "block_storage.detach",
        "block_storage.create",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }
}

#[tokio::test]
async fn each_flag_opens_exactly_its_own_action() {
    let app = spawn_demo().await;
    let (id, _) = seeded(&app, "scratch");

    // The description's flag alone: the name field is read-only, and a
    // forged name change is refused while the description goes through.
    let describer = app
        .member_with(
            "describer@example.org",
            &["block_storages.show", "block_storages.set_description"],
        )
        .await;
    let html = detail(&app, &describer, &id).await;
    assert!(attr(&html, "#rename-name", "readonly").is_some());
    assert!(!exists(&html, "#delete-block-storage"));
    let response = post(
        &app,
        &describer,
        &format!("/block_storages/{id}/rename"),
        &[("name", "renamed"), ("description", "x")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(sim_block(&app, &id).unwrap()["name"], "scratch");
    let response = post(
        &app,
        &describer,
        &format!("/block_storages/{id}/rename"),
        &[("name", "scratch"), ("description", "Described")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(sim_block(&app, &id).unwrap()["description"], "Described");
    assert_audited_pair(&app, "block_storage.rename").await;
    wait_for(&app, &id, "ACTIVE").await;

    // Creating without the attach flag: no server select, and a forged one is refused.
    let creator = app
        .member_with(
            "creator@example.org",
            &["block_storages.show", "block_storages.create"],
        )
        .await;
    let (status, form) = app
        .get_html(&creator, &format!("{ORG}/block_storages/new"))
        .await;
    assert_eq!(status, 200);
    assert!(!exists(&form, "#server_id"));
    let web = server_id(&app, "web-01");
    let response = post(
        &app,
        &creator,
        "/block_storages",
        &[("name", "sneaky"), ("size", "40"), ("server_id", &web)],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        audit_rows(&app, "block_storages.manage_attached_server")
            .await
            .last()
            .unwrap()
            .0,
        "denied"
    );
    let response = post(
        &app,
        &creator,
        "/block_storages",
        &[("name", "plain"), ("size", "40")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        app.sim_items("block_storages")
            .iter()
            .any(|s| s["name"] == "plain")
    );
    assert!(
        !app.sim_items("block_storages")
            .iter()
            .any(|s| s["name"] == "sneaky")
    );

    // The delete flag alone: the delete form, and no rename form.
    let deleter = app
        .member_with(
            "deleter@example.org",
            &["block_storages.show", "block_storages.delete"],
        )
        .await;
    let html = detail(&app, &deleter, &id).await;
    assert!(exists(&html, "#delete-block-storage"));
    assert!(!exists(&html, "#rename") && !exists(&html, "#attach"));
}

#[tokio::test]
async fn a_member_of_another_organisation_cannot_reach_them() {
    let app = spawn_demo().await;
    let outsider_id = app
        .create_user(
            "outsider@example.org",
            "Outsider",
            false,
            "outsider password",
        )
        .await;
    crate::rows::create_org(app.state.raw_db(), "Other", "other", outsider_id)
        .await
        .unwrap();
    let outsider = app
        .signed_in("outsider@example.org", "outsider password")
        .await;
    let (id, _) = seeded(&app, "db-data");

    for path in [
        format!("{ORG}/block_storages"),
        format!("{ORG}/block_storages/{id}"),
        format!("{ORG}/block_storages/{id}/row"),
    ] {
        let (status, html) = app.get_html(&outsider, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!html.contains("db-data"));
    }
    let response = post(
        &app,
        &outsider,
        &format!("/block_storages/{id}/delete"),
        &[("confirm_name", "db-data")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(sim_item_state(&app, "block_storages", &id), "ACTIVE");
}
