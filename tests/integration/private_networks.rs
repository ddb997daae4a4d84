//! The private network pages against the simulator: every operation
//! through the panel with its audit pair, refusals flag by flag, bad input
//! beside its field, unconfirmed destructive POSTs, and transitions.

use std::time::Duration;

use scraper::{Html, Selector};
use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo, spawn_demo_with, text_of};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post, sim_servers};

// ---- helpers shared by the network families' tests ----

pub(crate) fn exists(html: &str, css: &str) -> bool {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector).next().is_some()
}

/// The attribute of the first element matching `css`.
pub(crate) fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr(name))
        .map(str::to_owned)
}

/// One object of a simulator collection, by id.
pub(crate) fn sim_item(app: &TestApp, collection: &str, id: &str) -> Option<Value> {
    app.sim_items(collection)
        .into_iter()
        .find(|item| item["id"] == id)
}

/// The object's state in the simulator, `GONE` once it left.
pub(crate) fn sim_state_of(app: &TestApp, collection: &str, id: &str) -> String {
    sim_item(app, collection, id)
        .map(|item| item["state"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| "GONE".into())
}

/// Waits (bounded) until the simulator shows the state.
pub(crate) async fn wait_for(app: &TestApp, collection: &str, id: &str, state: &str) {
    for _ in 0..200 {
        if sim_state_of(app, collection, id) == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{collection} {id} never reached {state}; it is {}",
        sim_state_of(app, collection, id)
    );
}

/// Follows a redirect and answers the page's flash messages: (errors, others).
pub(crate) async fn flashes(
    app: &TestApp,
    c: &reqwest::Client,
    response: reqwest::Response,
) -> (String, String) {
    assert_eq!(response.status().as_u16(), 303, "a redirect");
    let (_, html) = app.get_html(c, &location(&response)).await;
    (
        text_of(&html, ".flash-error"),
        text_of(&html, ".flash-success, .flash-info"),
    )
}

/// Audit rows of an action with the given outcome.
pub(crate) async fn rows_with(app: &TestApp, action: &str, outcome: &str) -> usize {
    audit_rows(app, action)
        .await
        .iter()
        .filter(|r| r.0 == outcome)
        .count()
}

/// A field's error is beside it: the message, and the input pointing at it.
pub(crate) fn field_error(html: &str, field: &str) -> String {
    assert_eq!(
        attr(html, &format!("#{field}"), "aria-describedby").as_deref(),
        Some(format!("{field}-error").as_str()),
        "#{field} points at its message"
    );
    assert_eq!(
        attr(html, &format!("#{field}"), "aria-invalid").as_deref(),
        Some("true")
    );
    text_of(html, &format!("#{field}-error"))
}

// ---- private networks ----

/// The seeded network `backend` (web-01, web-02 and db-01 attached).
fn backend(app: &TestApp) -> Value {
    app.sim_items("private_networks")
        .into_iter()
        .find(|n| n["name"] == "backend")
        .expect("the seeded network")
}

fn server_id(app: &TestApp, name: &str) -> String {
    sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["id"].as_str().map(str::to_owned))
        .expect("a seeded server")
}

fn attached(app: &TestApp, network: &str) -> Vec<String> {
    sim_item(app, "private_networks", network).unwrap()["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_links_each_network_to_its_servers_and_searches() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let account = account_query(&app).await;
    let web01 = server_id(&app, "web-01");

    let (status, html) = app.get_html(&c, &format!("{ORG}/private_networks")).await;

    assert_eq!(status, 200);
    let table = text_of(&html, "table#private-networks");
    assert!(table.contains("backend"), "{table}");
    assert!(
        table.contains("192.168.10.0 / 255.255.255.0 (/24)"),
        "{table}"
    );
    assert!(
        html.contains(&format!("href=\"{ORG}/servers/{web01}{account}\"")),
        "the row links to web-01's page"
    );
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/private_networks?q=db-01"))
        .await;
    assert!(text_of(&html, "table#private-networks").contains("backend"));
    let (_, html) = app
        .get_html(
            &c,
            &format!("{ORG}/private_networks?q=zzz-nothing&sort=-name"),
        )
        .await;
    assert!(text_of(&html, "main").contains("No private networks match this search"));
    assert_eq!(
        attr(&html, "a#refresh", "href").unwrap(),
        format!("{ORG}/private_networks{account}&q=zzz-nothing&sort=-name")
    );
}

#[tokio::test]
async fn a_network_is_created_edited_and_deleted_with_its_audit_pairs() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, form) = app
        .get_html(&c, &format!("{ORG}/private_networks/new"))
        .await;
    assert_eq!(status, 200);
    assert!(exists(&form, "#datacenter_id option[value='']"));

    // Create.
    let response = post(
        &app,
        &c,
        "/private_networks",
        &[
            ("name", "frontend"),
            ("description", "web tier"),
            ("datacenter_id", ""),
            ("network_address", "10.1.0.0"),
            ("subnet_mask", "255.255.0.0"),
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
    let created = sim_item(&app, "private_networks", &id).expect("created upstream");
    assert_eq!(created["name"], "frontend");
    assert_eq!(created["subnet_mask"], "255.255.0.0");
    assert_audited_pair(&app, "private_network.create").await;
    let (_, html) = app.get_html(&c, &page).await;
    assert!(text_of(&html, ".flash-success").contains("Creating frontend"));
    assert_eq!(text_of(&html, "h1"), "frontend");
    wait_for(&app, "private_networks", &id, "ACTIVE").await;

    // Edit: every value, the mask typed as a prefix length.
    let (status, html) = app
        .get_html(&c, &format!("{ORG}/private_networks/{id}/edit"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        attr(&html, "#network_address", "value").unwrap(),
        "10.1.0.0"
    );
    let response = post(
        &app,
        &c,
        &format!("/private_networks/{id}/edit"),
        &[
            ("name", "frontend-2"),
            ("description", "web tier, moved"),
            ("network_address", "10.2.0.0"),
            ("subnet_mask", "24"),
        ],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Saved frontend-2"), "{done}");
    let edited = sim_item(&app, "private_networks", &id).unwrap();
    assert_eq!(edited["name"], "frontend-2");
    assert_eq!(edited["description"], "web tier, moved");
    assert_eq!(edited["network_address"], "10.2.0.0");
    assert_eq!(edited["subnet_mask"], "255.255.255.0");
    assert_audited_pair(&app, "private_network.update").await;

    // Delete: the wrong name changes nothing; the right one deletes.
    let response = post(
        &app,
        &c,
        &format!("/private_networks/{id}/delete"),
        &[("confirm_name", "frontend")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("frontend-2, exactly"), "{errors}");
    assert_eq!(sim_state_of(&app, "private_networks", &id), "ACTIVE");
    assert_eq!(
        rows_with(&app, "private_network.delete", "requested").await,
        0
    );

    let response = post(
        &app,
        &c,
        &format!("/private_networks/{id}/delete"),
        &[("confirm_name", "frontend-2")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/private_networks{}", account_query(&app).await)
    );
    assert_audited_pair(&app, "private_network.delete").await;
    wait_for(&app, "private_networks", &id, "GONE").await;
}

#[tokio::test]
async fn servers_are_detached_with_the_confirm_step_and_attached_again() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let network = backend(&app);
    let id = network["id"].as_str().unwrap().to_owned();
    let web01 = server_id(&app, "web-01");

    // The page lists the attached servers, each linking to its page, and
    // says what deleting the network takes with it.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/private_networks/{id}"))
        .await;
    assert!(text_of(&html, "#attached-servers .server-link").contains("web-01"));
    assert!(html.contains(&format!("{ORG}/servers/{web01}?account=")));
    assert!(
        text_of(&html, "#delete-network").contains("detached from it: "),
        "{}",
        text_of(&html, "#delete-network")
    );
    assert!(exists(
        &html,
        "#attached-servers details.confirm form input[name=confirm][value=yes]"
    ));

    // Without the confirm step nothing happens.
    let detach = format!("/private_networks/{id}/servers/{web01}/delete");
    let response = post(&app, &c, &detach, &[]).await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("Nothing was changed"), "{errors}");
    assert!(attached(&app, &id).contains(&"web-01".to_owned()));
    assert!(
        audit_rows(&app, "private_network.detach_server")
            .await
            .is_empty()
    );

    // Confirmed, web-01 leaves.
    let response = post(&app, &c, &detach, &[("confirm", "yes")]).await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Detaching web-01 from backend"), "{done}");
    assert!(!attached(&app, &id).contains(&"web-01".to_owned()));
    assert_audited_pair(&app, "private_network.detach_server").await;

    // It is offered again, and attaching it brings it back.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/private_networks/{id}"))
        .await;
    assert!(exists(
        &html,
        &format!("#attach-servers input[name=server_id][value='{web01}']")
    ));
    let response = post(&app, &c, &format!("/private_networks/{id}/servers"), &[]).await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("Choose at least one server"), "{errors}");
    assert!(
        audit_rows(&app, "private_network.attach_servers")
            .await
            .is_empty()
    );
    let response = post(
        &app,
        &c,
        &format!("/private_networks/{id}/servers"),
        &[("server_id", &web01)],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Attaching web-01 to backend"), "{done}");
    assert!(attached(&app, &id).contains(&"web-01".to_owned()));
    assert_audited_pair(&app, "private_network.attach_servers").await;

    // A server that is not attached is said so, and nothing is sent.
    let staging = server_id(&app, "staging");
    let response = post(
        &app,
        &c,
        &format!("/private_networks/{id}/servers/{staging}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("not attached"), "{errors}");
    assert_eq!(
        rows_with(&app, "private_network.detach_server", "requested").await,
        1
    );
}

#[tokio::test]
async fn bad_values_come_back_beside_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let before = app.sim_items("private_networks").len();

    let response = post(
        &app,
        &c,
        "/private_networks",
        &[
            ("name", "  "),
            ("description", "ok"),
            ("network_address", "192.168.1.300"),
            ("subnet_mask", "255.0.255.0"),
            ("datacenter_id", "../etc"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(exists(&html, "#error-summary[role=alert]"));
    assert!(field_error(&html, "name").contains("Enter a name"));
    assert!(field_error(&html, "network_address").contains("not an IPv4 address"));
    assert!(field_error(&html, "subnet_mask").contains("not a subnet mask"));
    assert!(field_error(&html, "datacenter_id").contains("listed datacenters"));
    assert_eq!(
        attr(&html, "#network_address", "value").unwrap(),
        "192.168.1.300",
        "what was typed is kept"
    );
    assert_eq!(attr(&html, "#description", "value").unwrap(), "ok");
    assert_eq!(app.sim_items("private_networks").len(), before);
    assert!(audit_rows(&app, "private_network.create").await.is_empty());

    // The edit form too: an address with host bits set for its mask.
    let id = backend(&app)["id"].as_str().unwrap().to_owned();
    let response = post(
        &app,
        &c,
        &format!("/private_networks/{id}/edit"),
        &[
            ("name", "backend"),
            ("description", "x"),
            ("network_address", "192.168.10.7"),
            ("subnet_mask", "255.255.255.0"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "network_address").contains("did you mean 192.168.10.0"));
    assert_eq!(attr(&html, "#description", "value").unwrap(), "x");
    let network = backend(&app);
    assert_eq!(network["network_address"], "192.168.10.0");
    assert_ne!(network["description"], "x");
    assert!(audit_rows(&app, "private_network.update").await.is_empty());
}

#[tokio::test]
async fn a_refused_edit_comes_back_with_everything_typed() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = backend(&app)["id"].as_str().unwrap().to_owned();

    // The edit form is a page of its own: it comes back there (422).
    let response = post(
        &app,
        &c,
        &format!("/private_networks/{id}/edit"),
        &[
            ("name", "backend-2"),
            ("description", "typed"),
            ("network_address", "10.1.0.0"),
            ("subnet_mask", "255.255.255.1"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "subnet_mask").contains("not a subnet mask"));
    for (field, typed) in [
        ("name", "backend-2"),
        ("description", "typed"),
        ("network_address", "10.1.0.0"),
        ("subnet_mask", "255.255.255.1"),
    ] {
        assert_eq!(
            attr(&html, &format!("#{field}"), "value").as_deref(),
            Some(typed)
        );
    }
    assert!(exists(&html, "#error-summary[role=alert]"));
    assert_eq!(backend(&app)["name"], "backend");
    assert!(audit_rows(&app, "private_network.update").await.is_empty());
}

#[tokio::test]
async fn each_flag_is_checked_on_its_own() {
    let app = spawn_demo().await;
    let network = backend(&app);
    let id = network["id"].as_str().unwrap().to_owned();
    let web01 = server_id(&app, "web-01");

    // A viewer: no forms, and forged POSTs are refused and recorded.
    let viewer = app
        .member_with("viewer@example.org", &["private_network.show"])
        .await;
    let (status, html) = app
        .get_html(&viewer, &format!("{ORG}/private_networks/{id}"))
        .await;
    assert_eq!(status, 200);
    for hidden in [
        "#edit-network",
        "#delete-network",
        "#attach-servers",
        "#attached-servers details.confirm",
    ] {
        assert!(!exists(&html, hidden), "{hidden} is hidden");
    }
    let (_, html) = app
        .get_html(&viewer, &format!("{ORG}/private_networks"))
        .await;
    assert!(!exists(&html, "#new-private-network"));
    for (path, fields, flag) in [
        (
            format!("/private_networks/{id}/delete"),
            vec![("confirm_name", "backend")],
            "private_network.delete",
        ),
        (
            format!("/private_networks/{id}/servers/{web01}/delete"),
            vec![("confirm", "yes")],
            "private_network.manage_attached_servers",
        ),
        (
            format!("/private_networks/{id}/edit"),
            vec![("name", "taken")],
            "private_network.set_name",
        ),
        (
            "/private_networks".to_owned(),
            vec![("name", "mine")],
            "private_network.create",
        ),
    ] {
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        let html = response.text().await.unwrap();
        assert!(text_of(&html, "main").contains(flag), "{path}");
        assert_eq!(rows_with(&app, flag, "denied").await, 1, "{flag}");
    }
    assert_eq!(backend(&app), network, "nothing changed");
    assert_eq!(app.sim_items("private_networks").len(), 1);
    assert_eq!(
        rows_with(&app, "private_network.delete", "requested").await,
        0
    );

    // A member who may rename but not re-describe or re-address.
    let renamer = app
        .member_with(
            "renamer@example.org",
            &["private_network.show", "private_network.set_name"],
        )
        .await;
    let (status, html) = app
        .get_html(&renamer, &format!("{ORG}/private_networks/{id}/edit"))
        .await;
    assert_eq!(status, 200);
    assert!(exists(&html, "input#name"));
    assert!(!exists(&html, "input#description"));
    assert!(!exists(&html, "input#network_address"));
    let response = post(
        &app,
        &renamer,
        &format!("/private_networks/{id}/edit"),
        &[("name", "backend"), ("description", "mine now")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        rows_with(&app, "private_network.set_description", "denied").await,
        1
    );
    assert_eq!(backend(&app)["description"], network["description"]);
    let response = post(
        &app,
        &renamer,
        &format!("/private_networks/{id}/edit"),
        &[("name", "backend-renamed")],
    )
    .await;
    let (errors, _) = flashes(&app, &renamer, response).await;
    assert!(errors.is_empty(), "{errors}");
    let renamed = backend_by_id(&app, &id);
    assert_eq!(renamed["name"], "backend-renamed");
    assert_eq!(renamed["description"], network["description"]);
    assert_eq!(renamed["network_address"], network["network_address"]);
}

fn backend_by_id(app: &TestApp, id: &str) -> Value {
    sim_item(app, "private_networks", id).unwrap()
}

#[tokio::test]
async fn a_network_in_a_transition_refreshes_itself_and_waits_to_be_changed() {
    // Slow simulated time: configuring lasts minutes, not a blink.
    let app = spawn_demo_with(|config| config.speed = 0.05).await;
    let c = app.admin().await;
    let response = post(
        &app,
        &c,
        "/private_networks",
        &[("name", "slow-net"), ("description", "")],
    )
    .await;
    let page = location(&response);
    let id = page
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(sim_state_of(&app, "private_networks", &id), "CONFIGURING");
    let account = account_query(&app).await;

    let (_, html) = app.get_html(&c, &format!("{ORG}/private_networks")).await;
    let row = format!("tr[data-network-id='{id}']");
    assert_eq!(
        attr(&html, &row, "data-refresh-url").unwrap(),
        format!("{ORG}/private_networks/{id}/row{account}")
    );
    let response = app
        .get(&c, &format!("{ORG}/private_networks/{id}/row{account}"))
        .await;
    assert_eq!(response.headers()["x-fragment"], "1");
    let fragment = response.text().await.unwrap();
    assert!(fragment.trim_start().starts_with("<tr"), "{fragment}");
    assert!(fragment.contains("data-state=\"CONFIGURING\""));

    let (_, html) = app.get_html(&c, &page).await;
    assert!(text_of(&html, "#busy-reason").contains("configuring"));
    assert!(exists(&html, "#network-status[data-refresh-url]"));
    let (_, edit) = app
        .get_html(&c, &format!("{ORG}/private_networks/{id}/edit"))
        .await;
    assert_eq!(
        attr(
            &edit,
            "#network-form button[type=submit]",
            "aria-describedby"
        )
        .as_deref(),
        Some("busy-reason")
    );
    assert!(exists(&edit, "#network-form button[disabled]"));
}
