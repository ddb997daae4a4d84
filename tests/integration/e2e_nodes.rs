//! The E2E Networks node pages against the demo's E2E simulator: every
//! operation through the panel, the simulator's state and the audit pair it
//! leaves, refusals by flag, hostile input, and the provider check.

use std::time::Duration;

use serde_json::Value;

use crate::block_storages::{assert_tied, attr, exists, followed, options};
use crate::helpers::{TestApp, location, spawn_demo, text_of};
use crate::servers::{ORG, assert_audited_pair, audit_rows, post};

pub(crate) const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ci@example";

// ---- helpers shared with the saved image tests ----

/// The E2E simulator's view of the demo account.
pub(crate) fn e2e_snapshot(app: &TestApp) -> Value {
    app.e2e_simulator
        .as_ref()
        .expect("the demo's E2E simulator")
        .snapshot(&app.e2e_token)
        .expect("the demo's E2E account")
}

pub(crate) fn sim_nodes(app: &TestApp) -> Vec<Value> {
    e2e_snapshot(app)["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub(crate) fn sim_images(app: &TestApp) -> Vec<Value> {
    e2e_snapshot(app)["saved_images"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A node's id as the panel's addresses write it.
fn id_of(node: &Value) -> String {
    match &node["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn sim_node(app: &TestApp, id: &str) -> Option<Value> {
    sim_nodes(app).into_iter().find(|n| id_of(n) == id)
}

/// A seeded node's id and state by name.
pub(crate) fn node_named(app: &TestApp, name: &str) -> (String, Value) {
    let node = sim_nodes(app)
        .into_iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("a node named {name}"));
    (id_of(&node), node)
}

/// The node's status, `GONE` once it left the account.
pub(crate) fn sim_status(app: &TestApp, id: &str) -> String {
    sim_node(app, id)
        .map(|n| n["status"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| "GONE".into())
}

/// Waits (a few seconds at most) until the simulator shows the status.
pub(crate) async fn wait_for_status(app: &TestApp, id: &str, status: &str) {
    for _ in 0..100 {
        if sim_status(app, id) == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "node {id} never reached {status}; it is {}",
        sim_status(app, id)
    );
}

/// `?account=ID` of the demo's E2E account.
pub(crate) async fn e2e_query(app: &TestApp) -> String {
    let id: i64 = sqlx::query_scalar("SELECT id FROM cloud_accounts WHERE provider = 'e2e'")
        .fetch_one(app.state.raw_db())
        .await
        .unwrap();
    format!("?account={id}")
}

/// Every audit row of the E2E families' actions, to show nothing happened.
pub(crate) async fn e2e_audit_count(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'e2e_node.%' OR action LIKE 'e2e_image.%'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap()
}

/// Forgets the panel's cached answers of the E2E account, as if their
/// lifetime had passed.
pub(crate) async fn clear_cache(app: &TestApp) {
    let query = e2e_query(app).await;
    let id = query.trim_start_matches("?account=").parse().unwrap();
    app.state.cloud.clear_cache(id);
}

async fn detail(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (status, html) = app.get_html(c, &format!("{ORG}/e2e_nodes/{id}")).await;
    assert_eq!(status, 200, "{html}");
    html
}

/// The select key of an OS image on the create page, by its label.
async fn image_key(app: &TestApp, c: &reqwest::Client, label: &str) -> String {
    let (status, html) = app.get_html(c, &format!("{ORG}/e2e_nodes/new")).await;
    assert_eq!(status, 200, "{html}");
    let doc = scraper::Html::parse_document(&html);
    let selector = scraper::Selector::parse("#image option").unwrap();
    doc.select(&selector)
        .find(|o| o.text().collect::<String>().trim() == label)
        .and_then(|o| o.value().attr("value"))
        .unwrap_or_else(|| panic!("an image {label}: {html}"))
        .to_owned()
}

fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

// ---- list ----

#[tokio::test]
async fn the_list_shows_the_seeded_nodes_with_their_states() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (web, _) = node_named(&app, "web-1");
    let account = e2e_query(&app).await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/e2e_nodes")).await;

    assert_eq!(status, 200, "{html}");
    let names = text_of(&html, "table#e2e-nodes .node-name");
    for name in ["web-1", "db-1", "build-box"] {
        assert!(names.contains(name), "{names}");
    }
    let row = text_of(&html, &format!("tr[data-node-id=\"{web}\"]"));
    assert!(row.contains("Running") && row.contains("C2.12GB"), "{row}");
    assert!(text_of(&html, "#provider").contains("E2E Networks"));
    assert_eq!(
        attr(&html, ".node-name[data-name=\"web-1\"]", "href"),
        Some(format!("{ORG}/e2e_nodes/{web}{account}"))
    );
    assert!(exists(&html, "a#new-node"));
    let menu = text_of(&html, "nav.sidenav");
    assert!(
        menu.contains("Nodes")
            && menu.contains("Saved images")
            && menu.contains("Plans and images"),
        "{menu}"
    );

    // Search by name and by address, sort, and a Refresh that keeps them.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/e2e_nodes?q=BUILD&sort=-created"))
        .await;
    let names = text_of(&html, "table#e2e-nodes .node-name");
    assert!(
        names.contains("build-box") && !names.contains("web-1"),
        "{names}"
    );
    assert_eq!(
        attr(&html, "a#refresh", "href"),
        Some(format!("{ORG}/e2e_nodes{account}&q=BUILD&sort=-created"))
    );
    let ip = sim_node(&app, &web).unwrap()["public_ip_address"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, html) = app.get_html(&c, &format!("{ORG}/e2e_nodes?q={ip}")).await;
    assert_eq!(text_of(&html, "table#e2e-nodes .node-name"), "web-1");
    let (status, _) = app
        .get_html(&c, &format!("{ORG}/e2e_nodes?page=x&sort=%3Cb%3E"))
        .await;
    assert_eq!(status, 200, "odd query values are ignored");

    // The node's page names the provider and shows its facts.
    let html = detail(&app, &c, &web).await;
    assert!(text_of(&html, "main").contains("E2E Networks"));
    assert!(text_of(&html, "#overview").contains(&ip));
    assert!(text_of(&html, "#node-status").contains("Running"));
}

// ---- create ----

#[tokio::test]
async fn a_node_is_created_in_two_steps_and_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = sim_nodes(&app).len();
    let key = image_key(&app, &c, "Ubuntu 22.04").await;

    // Step 2: the image's plans as radio buttons.
    let (status, html) = app
        .get_html(&c, &format!("{ORG}/e2e_nodes/new?image={}", encoded(&key)))
        .await;
    assert_eq!(status, 200, "{html}");
    let plans = text_of(&html, "table#plans");
    assert!(
        plans.contains("C2.12GB") && plans.contains("INR"),
        "{plans}"
    );
    let doc = scraper::Html::parse_document(&html);
    let radio = scraper::Selector::parse("input[name=plan]").unwrap();
    let plan = doc
        .select(&radio)
        .filter_map(|r| r.value().attr("value"))
        .find(|v| v.contains("C2.12GB"))
        .expect("the C2.12GB plan")
        .to_owned();

    let response = post(
        &app,
        &c,
        "/e2e_nodes",
        &[
            ("image", &key),
            ("plan", &plan),
            ("name", "app-1"),
            ("instances", "1"),
            ("backups", "on"),
            ("ssh_keys", &format!("{KEY}\n")),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    let account = e2e_query(&app).await;
    let page = location(&response);
    let (id, _) = node_named(&app, "app-1");
    assert_eq!(page, format!("{ORG}/e2e_nodes/{id}{account}"));
    let node = sim_node(&app, &id).unwrap();
    assert_eq!(node["plan"], plan.as_str());
    assert_eq!(node["backup"], true);
    assert_eq!(sim_nodes(&app).len(), before + 1);
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Creating app-1"));
    assert_audited_pair(&app, "e2e_node.create").await;
    assert_eq!(
        audit_rows(&app, "e2e_node.create").await.last().unwrap().2,
        "app-1"
    );
    wait_for_status(&app, &id, "Running").await;
}

#[tokio::test]
async fn a_node_is_created_from_a_saved_image() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let image = sim_images(&app)
        .into_iter()
        .find(|i| i["name"] == "web-golden")
        .unwrap();
    let key = format!("saved:{}", image["template_id"].as_str().unwrap());
    let (_, html) = app.get_html(&c, &format!("{ORG}/e2e_nodes/new")).await;
    assert!(
        options(&html, "#image").contains(&key),
        "ready saved images are offered"
    );

    let (_, html) = app
        .get_html(&c, &format!("{ORG}/e2e_nodes/new?image={}", encoded(&key)))
        .await;
    assert!(text_of(&html, "#create-node h2").contains("web-golden"));
    assert!(
        !exists(&html, "input[name=plan][checked]"),
        "no plan is preselected"
    );
    let plan = attr(&html, "input[name=plan]", "value").expect("a plan to choose");

    let response = post(
        &app,
        &c,
        "/e2e_nodes",
        &[
            ("image", &key),
            ("plan", &plan),
            ("name", "clone"),
            ("instances", "2"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        location(&response),
        format!("{ORG}/e2e_nodes{}", e2e_query(&app).await),
        "several nodes: the list"
    );
    for name in ["clone-1", "clone-2"] {
        let (_, node) = node_named(&app, name);
        assert_eq!(node["image"], "web-golden");
    }
    assert_audited_pair(&app, "e2e_node.create").await;
}

#[tokio::test]
async fn bad_create_values_are_shown_beside_the_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = sim_nodes(&app).len();
    let key = image_key(&app, &c, "Ubuntu 22.04").await;
    let long = "n".repeat(65);

    let response = post(
        &app,
        &c,
        "/e2e_nodes",
        &[
            ("image", &key),
            ("plan", "B-NOT-A-PLAN"),
            ("name", &long),
            ("instances", "9"),
            ("ssh_keys", "ssh-rsa not-a-key"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, "#name-error").contains("at most 64"));
    assert!(text_of(&html, "#plan-error").contains("listed plans"));
    assert!(text_of(&html, "#instances-error").contains("1 to 5"));
    assert!(text_of(&html, "#ssh_keys-error").contains("Line 1"));
    assert_tied(&html, "#name", "name-error");
    assert_tied(&html, "#ssh_keys", "ssh_keys-error");
    assert!(html.contains("id=\"error-summary\" tabindex=\"-1\""));
    assert_eq!(
        attr(&html, "#name", "value").as_deref(),
        Some(long.as_str())
    );

    // Control characters, and an image the page never offered.
    for (image, name, field) in [
        (key.as_str(), "a\u{7}b", "#name-error"),
        ("Linux|Evil|../x|1", "fine", "#image-error"),
    ] {
        let response = post(
            &app,
            &c,
            "/e2e_nodes",
            &[("image", image), ("name", name), ("instances", "1")],
        )
        .await;
        assert_eq!(response.status().as_u16(), 422);
        let html = response.text().await.unwrap();
        assert!(!text_of(&html, field).is_empty(), "{field}: {html}");
    }

    assert_eq!(sim_nodes(&app).len(), before, "nothing sent");
    assert!(audit_rows(&app, "e2e_node.create").await.is_empty());
}

// ---- power ----

#[tokio::test]
async fn power_off_on_and_reboot_reach_e2e_and_are_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = node_named(&app, "web-1");
    let account = e2e_query(&app).await;
    let html = detail(&app, &c, &id).await;
    assert!(exists(
        &html,
        "#power-off details.confirm form input[name=confirm][value=yes]"
    ));
    assert!(exists(&html, "#reboot details.confirm"));
    assert!(
        !exists(&html, "#power-on"),
        "a running node offers no power on"
    );

    // Unconfirmed: nothing.
    let response = post(&app, &c, &format!("/e2e_nodes/{id}/actions/power_off"), &[]).await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-error").contains("Confirm that you want to power off"));
    assert_eq!(sim_status(&app, &id), "Running");
    assert!(audit_rows(&app, "e2e_node.power_off").await.is_empty());

    // Power off.
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/actions/power_off"),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/e2e_nodes/{id}{account}")
    );
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Powering off web-1"));
    assert_audited_pair(&app, "e2e_node.power_off").await;
    wait_for_status(&app, &id, "Powered off").await;

    // Power on, once the page shows the node off (past the cached "Powering off").
    clear_cache(&app).await;
    let html = detail(&app, &c, &id).await;
    assert!(exists(&html, "form#power-on"), "{html}");
    let response = post(&app, &c, &format!("/e2e_nodes/{id}/actions/power_on"), &[]).await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Powering on web-1"));
    assert_audited_pair(&app, "e2e_node.power_on").await;
    wait_for_status(&app, &id, "Running").await;

    // Reboot.
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/actions/reboot"),
        &[("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Rebooting web-1"));
    assert_audited_pair(&app, "e2e_node.reboot").await;
    wait_for_status(&app, &id, "Running").await;
}

#[tokio::test]
async fn a_node_between_states_refreshes_itself_and_waits() {
    let app = crate::helpers::spawn_demo_with(|config| {
        config.speed = 0.05;
        config.rate_limit = 100_000;
    })
    .await;
    let c = app.admin().await;
    let (id, _) = node_named(&app, "web-1");
    let account = e2e_query(&app).await;
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/actions/power_off"),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(sim_status(&app, &id), "Powering off");
    clear_cache(&app).await;

    let html = detail(&app, &c, &id).await;
    assert_eq!(
        attr(&html, "#node-status", "data-refresh-url"),
        Some(format!("{ORG}/e2e_nodes/{id}/status{account}"))
    );
    assert!(text_of(&html, "#busy-reason").contains("powering off"));
    assert!(exists(
        &html,
        "#rename button[disabled][aria-describedby=busy-reason]"
    ));
    let (_, list) = app.get_html(&c, &format!("{ORG}/e2e_nodes")).await;
    assert_eq!(
        attr(
            &list,
            &format!("tr[data-node-id=\"{id}\"]"),
            "data-refresh-url"
        ),
        Some(format!("{ORG}/e2e_nodes/{id}/row{account}"))
    );
    for fragment in ["row", "status"] {
        let response = app
            .get(&c, &format!("{ORG}/e2e_nodes/{id}/{fragment}{account}"))
            .await;
        assert_eq!(response.headers().get("x-fragment").unwrap(), "1");
        let html = response.text().await.unwrap();
        assert!(html.contains("Powering off"), "{fragment}: {html}");
    }
    let response = app
        .get(&c, &format!("{ORG}/e2e_nodes/12ab/row{account}"))
        .await;
    assert_eq!(response.status().as_u16(), 404);
}

// ---- name, image, billing, settings ----

#[tokio::test]
async fn rename_and_save_an_image_of_a_powered_off_node() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (build, _) = node_named(&app, "build-box");
    let (web, _) = node_named(&app, "web-1");

    // A running node cannot be imaged: the page says why.
    let html = detail(&app, &c, &web).await;
    assert!(!exists(&html, "#save-image-form"));
    assert!(text_of(&html, "#save-image").contains("Power the node off first"));

    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{build}/rename"),
        &[("name", "build-2")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Renamed to build-2"));
    assert_eq!(sim_node(&app, &build).unwrap()["name"], "build-2");
    assert_audited_pair(&app, "e2e_node.rename").await;

    let html = detail(&app, &c, &build).await;
    assert!(exists(&html, "#save-image-form"));
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{build}/save_image"),
        &[("name", "build-golden")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(
        text_of(&html, ".flash-success").contains("Saving an image of build-2 as build-golden"),
        "{html}"
    );
    assert!(sim_images(&app).iter().any(|i| i["name"] == "build-golden"));
    assert_audited_pair(&app, "e2e_node.save_image").await;
}

#[tokio::test]
async fn the_committed_plan_is_updated() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, node) = node_named(&app, "db-1");
    assert_eq!(node["billing_type"], "auto_renew");

    let html = detail(&app, &c, &id).await;
    assert!(text_of(&html, "#billing dl").contains("365 Days"), "{html}");
    assert_eq!(
        attr(&html, "input[name=billing][checked]", "value").as_deref(),
        Some("auto_renew")
    );
    let terms = options(&html, "#plan-committed_sku");
    assert!(
        terms.contains(&"321".to_owned()) && terms.contains(&"322".to_owned()),
        "{terms:?}"
    );

    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/plan"),
        &[("billing", "hourly_billing"), ("committed_sku", "")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Billing of db-1 updated"));
    assert_eq!(
        sim_node(&app, &id).unwrap()["billing_type"],
        "hourly_billing"
    );
    assert_audited_pair(&app, "e2e_node.update_plan").await;

    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/plan"),
        &[("billing", "auto_renew"), ("committed_sku", "321")],
    )
    .await;
    followed(&app, &c, &response).await;
    let node = sim_node(&app, &id).unwrap();
    assert_eq!(node["billing_type"], "auto_renew");
    assert_eq!(node["committed_sku_id"], 321);

    // A billing the page never offered: beside its field, nothing sent.
    let rows = audit_rows(&app, "e2e_node.update_plan").await.len();
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/plan"),
        &[("billing", "forever"), ("committed_sku", "")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, "#plan-billing-error").contains("Choose what happens"));
    assert_eq!(audit_rows(&app, "e2e_node.update_plan").await.len(), rows);
    assert_eq!(sim_node(&app, &id).unwrap()["billing_type"], "auto_renew");
}

#[tokio::test]
async fn backups_and_the_lock_are_switched_and_a_locked_node_is_refused_by_e2e() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, node) = node_named(&app, "db-1");
    assert_eq!(node["backup"], false);

    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/actions/enable_backups"),
        &[],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Backups are on for db-1"));
    assert_eq!(sim_node(&app, &id).unwrap()["backup"], true);
    assert_audited_pair(&app, "e2e_node.enable_backups").await;

    let response = post(&app, &c, &format!("/e2e_nodes/{id}/actions/lock_vm"), &[]).await;
    followed(&app, &c, &response).await;
    assert_eq!(sim_node(&app, &id).unwrap()["is_locked"], true);
    assert_audited_pair(&app, "e2e_node.lock").await;

    // E2E refuses to power a locked node: its words, recorded as failed.
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/actions/power_off"),
        &[("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    let flash = text_of(&html, ".flash-error");
    assert!(
        flash.contains("E2E Networks") && flash.contains("locked"),
        "{flash}"
    );
    assert_eq!(
        audit_rows(&app, "e2e_node.power_off")
            .await
            .last()
            .unwrap()
            .0,
        "failed"
    );
    assert_eq!(sim_status(&app, &id), "Running");

    let response = post(&app, &c, &format!("/e2e_nodes/{id}/actions/unlock_vm"), &[]).await;
    followed(&app, &c, &response).await;
    assert_eq!(sim_node(&app, &id).unwrap()["is_locked"], false);
}

// ---- reinstall and delete ----

#[tokio::test]
async fn reinstall_and_delete_need_the_typed_name() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (web, _) = node_named(&app, "web-1");
    let (build, _) = node_named(&app, "build-box");

    let html = detail(&app, &c, &build).await;
    assert_eq!(
        attr(&html, "#delete-confirm", "data-confirm-name").as_deref(),
        Some("build-box")
    );

    // A wrong name: nothing.
    for path in ["delete", "reinstall"] {
        let response = post(
            &app,
            &c,
            &format!("/e2e_nodes/{build}/{path}"),
            &[("confirm_name", "build-bo")],
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert!(
            text_of(&html, ".flash-error").contains("build-box, exactly"),
            "{path}"
        );
    }
    assert_eq!(sim_status(&app, &build), "Powered off");
    assert!(audit_rows(&app, "e2e_node.delete").await.is_empty());
    assert!(audit_rows(&app, "e2e_node.reinstall").await.is_empty());

    // Reinstall.
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{web}/reinstall"),
        &[("confirm_name", "web-1")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Reinstalling web-1"));
    assert_audited_pair(&app, "e2e_node.reinstall").await;
    wait_for_status(&app, &web, "Running").await;

    // Delete.
    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{build}/delete"),
        &[("confirm_name", "build-box")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/e2e_nodes{}", e2e_query(&app).await)
    );
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-success").contains("Deleting build-box"));
    assert_eq!(sim_status(&app, &build), "GONE");
    assert_audited_pair(&app, "e2e_node.delete").await;
    let (status, _) = app.get_html(&c, &format!("{ORG}/e2e_nodes/{build}")).await;
    assert_eq!(status, 404, "a deleted node's page");
}

// ---- refusals ----

#[tokio::test]
async fn a_member_without_the_power_flag_is_refused_and_nothing_reaches_e2e() {
    let app = spawn_demo().await;
    let viewer = app
        .member_with(
            "viewer@example.org",
            &["e2e_nodes.show", "e2e_nodes.rename"],
        )
        .await;
    let (id, before) = node_named(&app, "web-1");

    let html = detail(&app, &viewer, &id).await;
    assert!(text_of(&html, "#power").contains("Your role may not power"));
    for form in ["#power-off", "#reinstall-node", "#delete-node", "#plan"] {
        assert!(!exists(&html, form), "{form} is hidden");
    }
    assert!(exists(&html, "#rename"));

    let forged = [
        (
            format!("/e2e_nodes/{id}/actions/power_off"),
            vec![("confirm", "yes")],
            "e2e_nodes.power",
        ),
        (
            format!("/e2e_nodes/{id}/actions/lock_vm"),
            vec![],
            "e2e_nodes.lock",
        ),
        (
            format!("/e2e_nodes/{id}/delete"),
            vec![("confirm_name", "web-1")],
            "e2e_nodes.delete",
        ),
        (
            format!("/e2e_nodes/{id}/save_image"),
            vec![("name", "x")],
            "e2e_images.save",
        ),
        (
            format!("/e2e_nodes/{id}/plan"),
            vec![("billing", "hourly_billing")],
            "e2e_nodes.plan",
        ),
        (
            "/e2e_nodes".to_owned(),
            vec![("name", "mine")],
            "e2e_nodes.create",
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
    let response = app.get(&viewer, &format!("{ORG}/e2e_nodes/new")).await;
    assert_eq!(response.status().as_u16(), 403);

    assert_eq!(sim_node(&app, &id).unwrap(), before, "nothing reached E2E");
    assert_eq!(e2e_audit_count(&app).await, 0);

    // A member of the Cloud Panel pages only does not see E2E at all.
    let cloud_only = app
        .member_with("cloud@example.org", &["servers.show"])
        .await;
    let response = app.get(&cloud_only, &format!("{ORG}/e2e_nodes")).await;
    assert_eq!(response.status().as_u16(), 403);
}

#[tokio::test]
async fn hostile_input_gets_a_clear_message_and_changes_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, before) = node_named(&app, "web-1");

    // Names: overlong, control characters, spaces; beside the field, kept.
    for (name, words) in [
        ("x".repeat(65), "at most 64"),
        ("a\u{7}b".to_owned(), "control characters"),
        ("web 1".to_owned(), "only letters"),
    ] {
        let response = post(
            &app,
            &c,
            &format!("/e2e_nodes/{id}/rename"),
            &[("name", &name)],
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert!(
            text_of(&html, "#rename-name-error").contains(words),
            "{name:?}: {html}"
        );
        assert_tied(&html, "#rename-name", "rename-name-error");
        assert!(text_of(&html, ".flash-error").contains("Nothing was changed"));
    }

    // Ids that are not numbers: no such page.
    for path in ["abc", "12ab", "1%2F2", "-1", &"1".repeat(19)] {
        let (status, _) = app.get_html(&c, &format!("{ORG}/e2e_nodes/{path}")).await;
        assert_eq!(status, 404, "{path}");
        let response = post(
            &app,
            &c,
            &format!("/e2e_nodes/{path}/rename"),
            &[("name", "ok")],
        )
        .await;
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }

    // An action the panel does not offer.
    for action in ["format_disk", "rename", "save_images"] {
        let response = post(
            &app,
            &c,
            &format!("/e2e_nodes/{id}/actions/{action}"),
            &[("confirm", "yes")],
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert!(
            text_of(&html, ".flash-error").contains("not an action the panel offers"),
            "{action}"
        );
    }

    assert_eq!(sim_node(&app, &id).unwrap(), before);
    assert_eq!(e2e_audit_count(&app).await, 0);
}

#[tokio::test]
async fn a_cloud_panel_account_is_refused_on_e2e_pages() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let cloud_panel = crate::servers::account_query(&app).await;
    assert_ne!(cloud_panel, e2e_query(&app).await);
    let (id, before) = node_named(&app, "web-1");

    for path in [
        format!("{ORG}/e2e_nodes{cloud_panel}"),
        format!("{ORG}/e2e_nodes/{id}{cloud_panel}"),
        format!("{ORG}/e2e_images{cloud_panel}"),
        format!("{ORG}/e2e_catalogue{cloud_panel}"),
    ] {
        let (status, html) = app.get_html(&c, &path).await;
        assert_eq!(status, 400, "{path}");
        assert!(
            text_of(&html, "main").contains("this page shows E2E Networks accounts"),
            "{path}: {html}"
        );
    }
    let response = app
        .post_form(
            &c,
            &format!("{ORG}/e2e_nodes/{id}/actions/power_off{cloud_panel}"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(sim_node(&app, &id).unwrap(), before);
    assert_eq!(e2e_audit_count(&app).await, 0);
}

// ---- catalogue ----

#[tokio::test]
async fn the_catalogue_lists_images_and_a_chosen_images_plans() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/e2e_catalogue")).await;

    assert_eq!(status, 200, "{html}");
    let images = text_of(&html, "#images");
    assert!(
        images.contains("Linux Virtual Node") && images.contains("Ubuntu 22.04"),
        "{images}"
    );
    assert!(images.contains("Windows Virtual Node"), "{images}");
    let doc = scraper::Html::parse_document(&html);
    let link = scraper::Selector::parse("#images a").unwrap();
    let href = doc
        .select(&link)
        .find(|a| a.text().collect::<String>() == "Ubuntu 22.04")
        .and_then(|a| a.value().attr("href"))
        .unwrap()
        .to_owned();
    let (status, html) = app.get_html(&c, &href).await;
    assert_eq!(status, 200);
    let plans = text_of(&html, "#plans-table");
    assert!(
        plans.contains("C2.12GB") && plans.contains("90 Days"),
        "{plans}"
    );
    assert!(exists(&html, "a#new-node"));
}

/// With E2E's budget spent (its API answers 429), a change is not turned
/// away: it waits in the account's queue under its own permission, nothing
/// reaches E2E, and it goes out once E2E takes requests again.
#[tokio::test]
async fn a_change_waits_in_the_queue_while_e2e_s_budget_is_spent() {
    use teampanel::simulator::Faults;
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = node_named(&app, "web-1");
    let sim = app.e2e_simulator.as_ref().expect("the E2E simulator");
    sim.set_faults(Faults {
        force_429: true,
        ..Faults::default()
    })
    .unwrap();

    let response = post(
        &app,
        &c,
        &format!("/e2e_nodes/{id}/actions/power_off"),
        &[("confirm", "yes")],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    let said = text_of(&html, ".flash");
    assert!(said.contains("Queued"), "{said}");
    assert_eq!(sim_status(&app, &id), "Running", "nothing reached E2E");
    let (state, permission): (String, String) = sqlx::query_as(
        "SELECT state, permission FROM change_queue WHERE action = 'e2e_node.power_off'",
    )
    .fetch_one(app.state.raw_db())
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), permission.as_str()),
        ("queued", "e2e_nodes.power")
    );

    // E2E takes requests again; the panel's pause after the 429 is over
    // (its budget starts afresh, as when the oldest request expires).
    sim.set_faults(Faults::default()).unwrap();
    let query = e2e_query(&app).await;
    let account: i64 = query.trim_start_matches("?account=").parse().unwrap();
    app.state.cloud.forget_account(account);
    wait_for_status(&app, &id, "Powered off").await;
    let state: String =
        sqlx::query_scalar("SELECT state FROM change_queue WHERE action = 'e2e_node.power_off'")
            .fetch_one(app.state.raw_db())
            .await
            .unwrap();
    assert_eq!(state, "succeeded");
    // Asked for, queued and done: one change, one correlation id.
    let rows = audit_rows(&app, "e2e_node.power_off").await;
    let outcomes: Vec<&str> = rows.iter().map(|(o, _, _)| o.as_str()).collect();
    assert_eq!(outcomes, ["requested", "queued", "succeeded"], "{rows:?}");
    assert!(rows.iter().all(|(_, c, _)| c.is_some() && *c == rows[0].1));
}
