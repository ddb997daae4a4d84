//! The VPN pages against the simulator: create, edit, delete, the audited
//! download of the configuration file, refusals flag by flag, bad input,
//! and a VPN being removed.

use serde_json::Value;

use crate::helpers::{TestApp, location, spawn_demo, spawn_demo_with, text_of};
use crate::private_networks::{
    attr, exists, field_error, flashes, rows_with, sim_item, sim_state_of, wait_for,
};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post};

/// The seeded VPN `office`.
fn office(app: &TestApp) -> Value {
    app.sim_items("vpns")
        .into_iter()
        .find(|v| v["name"] == "office")
        .expect("the seeded VPN")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_list_shows_each_vpn_and_searches() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let vpn = office(&app);

    let (status, html) = app.get_html(&c, &format!("{ORG}/vpns")).await;

    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "a#new-vpn"), "Create VPN");
    let table = text_of(&html, "table#vpns");
    assert!(table.contains("office"), "{table}");
    assert!(table.contains(vpn["ips"][0].as_str().unwrap()), "{table}");
    assert!(html.contains(&format!(
        "href=\"{ORG}/vpns/{}{}\"",
        id_of(&vpn),
        account_query(&app).await
    )));
    let (_, html) = app.get_html(&c, &format!("{ORG}/vpns?q=nowhere")).await;
    assert!(text_of(&html, "main").contains("No VPNs match this search"));
}

#[tokio::test]
async fn a_vpn_is_created_edited_and_deleted_with_its_audit_pairs() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, _) = app.get_html(&c, &format!("{ORG}/vpns/new")).await;
    assert_eq!(status, 200);

    let response = post(
        &app,
        &c,
        "/vpns",
        &[
            ("name", "remote-team"),
            ("description", "for people at home"),
            ("datacenter_id", ""),
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
    assert_eq!(sim_item(&app, "vpns", &id).unwrap()["name"], "remote-team");
    assert_audited_pair(&app, "vpn.create").await;

    // Edit: the form starts on the current values.
    let (_, html) = app.get_html(&c, &format!("{ORG}/vpns/{id}/edit")).await;
    assert_eq!(attr(&html, "#name", "value").unwrap(), "remote-team");
    let response = post(
        &app,
        &c,
        &format!("/vpns/{id}/edit"),
        &[("name", "home-office"), ("description", "")],
    )
    .await;
    let (errors, done) = flashes(&app, &c, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert!(done.contains("Saved home-office"), "{done}");
    let vpn = sim_item(&app, "vpns", &id).unwrap();
    assert_eq!(
        (vpn["name"].as_str(), vpn["description"].as_str()),
        (Some("home-office"), Some(""))
    );
    assert_audited_pair(&app, "vpn.update").await;

    // Unchanged values send nothing.
    let response = post(
        &app,
        &c,
        &format!("/vpns/{id}/edit"),
        &[("name", "home-office"), ("description", "")],
    )
    .await;
    let (_, said) = flashes(&app, &c, response).await;
    assert!(said.contains("Nothing to save"), "{said}");
    assert_eq!(rows_with(&app, "vpn.update", "requested").await, 1);

    // Delete: the wrong name changes nothing; the right one deletes.
    let response = post(
        &app,
        &c,
        &format!("/vpns/{id}/delete"),
        &[("confirm_name", "remote-team")],
    )
    .await;
    let (errors, _) = flashes(&app, &c, response).await;
    assert!(errors.contains("home-office, exactly"), "{errors}");
    assert_eq!(sim_state_of(&app, "vpns", &id), "ACTIVE");
    assert_eq!(rows_with(&app, "vpn.delete", "requested").await, 0);
    let response = post(
        &app,
        &c,
        &format!("/vpns/{id}/delete"),
        &[("confirm_name", "home-office")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/vpns{}", account_query(&app).await)
    );
    assert_audited_pair(&app, "vpn.delete").await;
    wait_for(&app, "vpns", &id, "GONE").await;
}

#[tokio::test]
async fn the_configuration_file_is_an_audited_uncached_attachment() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = id_of(&office(&app));
    let (_, html) = app.get_html(&c, &format!("{ORG}/vpns/{id}")).await;
    assert!(exists(&html, "form#download-configuration[method=post]"));

    let response = post(&app, &c, &format!("/vpns/{id}/configuration_file"), &[]).await;

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"office.ovpn\""
    );
    assert_eq!(
        header(&response, "content-type"),
        "application/x-openvpn-profile"
    );
    assert!(header(&response, "cache-control").contains("no-store"));
    let body = response.text().await.unwrap();
    assert!(
        body.contains("client") && body.contains("remote "),
        "{body}"
    );
    assert_audited_pair(&app, "vpn.download_configuration").await;
    let rows = audit_rows(&app, "vpn.download_configuration").await;
    assert!(rows.iter().all(|r| r.2 == "office"), "{rows:?}");
}

#[tokio::test]
async fn each_flag_is_checked_on_its_own() {
    let app = spawn_demo().await;
    let vpns_before = app.sim_items("vpns").len();
    let vpn = office(&app);
    let id = id_of(&vpn);
    let viewer = app.member_with("viewer@example.org", &["vpn.show"]).await;

    let (status, html) = app.get_html(&viewer, &format!("{ORG}/vpns/{id}")).await;
    assert_eq!(status, 200);
    for hidden in ["#download-configuration", "#delete-vpn", "#edit-vpn"] {
        assert!(!exists(&html, hidden), "{hidden} is hidden");
    }
    let (_, html) = app.get_html(&viewer, &format!("{ORG}/vpns")).await;
    assert!(!exists(&html, "#new-vpn"));

    for (path, fields, flag) in [
        (
            format!("/vpns/{id}/configuration_file"),
            vec![],
            "vpn.download_file",
        ),
        (
            format!("/vpns/{id}/delete"),
            vec![("confirm_name", "office")],
            "vpn.delete",
        ),
        (
            format!("/vpns/{id}/edit"),
            vec![("name", "mine")],
            "vpn.set_name",
        ),
        ("/vpns".to_owned(), vec![("name", "mine")], "vpn.create"),
    ] {
        let response = post(&app, &viewer, &path, &fields).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert!(header(&response, "content-disposition").is_empty());
        let html = response.text().await.unwrap();
        assert!(text_of(&html, "main").contains(flag), "{path}");
        assert!(!html.contains("dev tun"), "{path} leaks the file");
        assert_eq!(rows_with(&app, flag, "denied").await, 1, "{flag}");
    }
    assert!(
        audit_rows(&app, "vpn.download_configuration")
            .await
            .is_empty()
    );
    assert_eq!(rows_with(&app, "vpn.delete", "requested").await, 0);
    assert_eq!(office(&app), vpn, "nothing changed");
    assert_eq!(app.sim_items("vpns").len(), vpns_before);

    // With the download flag, the file comes.
    let downloader = app
        .member_with("downloader@example.org", &["vpn.show", "vpn.download_file"])
        .await;
    let response = post(
        &app,
        &downloader,
        &format!("/vpns/{id}/configuration_file"),
        &[],
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_audited_pair(&app, "vpn.download_configuration").await;

    // A member who may describe but not rename.
    let describer = app
        .member_with(
            "describer@example.org",
            &["vpn.show", "vpn.set_description"],
        )
        .await;
    let (status, html) = app
        .get_html(&describer, &format!("{ORG}/vpns/{id}/edit"))
        .await;
    assert_eq!(status, 200);
    assert!(exists(&html, "input#description") && !exists(&html, "input#name"));
    let response = post(
        &app,
        &describer,
        &format!("/vpns/{id}/edit"),
        &[("name", "taken-over"), ("description", "x")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(office(&app)["description"], vpn["description"]);
    let response = post(
        &app,
        &describer,
        &format!("/vpns/{id}/edit"),
        &[("description", "the Berlin office")],
    )
    .await;
    let (errors, _) = flashes(&app, &describer, response).await;
    assert!(errors.is_empty(), "{errors}");
    assert_eq!(office(&app)["description"], "the Berlin office");
}

#[tokio::test]
async fn bad_values_come_back_beside_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let vpns_before = app.sim_items("vpns").len();
    let c = app.admin().await;
    let long = "x".repeat(300);

    let response = post(
        &app,
        &c,
        "/vpns",
        &[
            ("name", ""),
            ("description", &long),
            ("datacenter_id", "zz"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(exists(&html, "#error-summary"));
    assert!(field_error(&html, "name").contains("Enter a name"));
    assert!(field_error(&html, "description").contains("at most 256"));
    assert!(field_error(&html, "datacenter_id").contains("listed datacenters"));
    assert_eq!(app.sim_items("vpns").len(), vpns_before);
    assert!(audit_rows(&app, "vpn.create").await.is_empty());

    let id = id_of(&office(&app));
    let response = post(
        &app,
        &c,
        &format!("/vpns/{id}/edit"),
        &[("name", "a\u{7}b"), ("description", "kept")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(field_error(&html, "name").contains("control characters"));
    assert_eq!(attr(&html, "#description", "value").unwrap(), "kept");
    assert_eq!(office(&app)["name"], "office");
    assert!(audit_rows(&app, "vpn.update").await.is_empty());
}

#[tokio::test]
async fn a_vpn_being_removed_refreshes_itself_and_offers_nothing() {
    // Slow simulated time: the removal lasts minutes.
    let app = spawn_demo_with(|config| config.speed = 0.05).await;
    let c = app.admin().await;
    let id = id_of(&office(&app));
    post(
        &app,
        &c,
        &format!("/vpns/{id}/delete"),
        &[("confirm_name", "office")],
    )
    .await;
    assert_eq!(sim_state_of(&app, "vpns", &id), "REMOVING");
    let account = account_query(&app).await;

    let (_, html) = app.get_html(&c, &format!("{ORG}/vpns")).await;
    assert_eq!(
        attr(
            &html,
            &format!("tr[data-vpn-id='{id}']"),
            "data-refresh-url"
        )
        .unwrap(),
        format!("{ORG}/vpns/{id}/row{account}")
    );
    let (_, html) = app.get_html(&c, &format!("{ORG}/vpns/{id}")).await;
    assert!(text_of(&html, "#busy-reason").contains("removing"));
    assert!(!exists(&html, "#delete-vpn"));
    assert_eq!(
        attr(&html, "#download-configuration button", "aria-describedby").as_deref(),
        Some("busy-reason")
    );
    assert!(exists(&html, "#download-configuration button[disabled]"));
    // The Cloud Panel refuses an edit meanwhile: the form comes back with what was typed.
    let response = post(
        &app,
        &c,
        &format!("/vpns/{id}/edit"),
        &[("name", "renamed"), ("description", "typed")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(text_of(&html, ".flash-error").contains("Nothing was changed"));
    assert_eq!(attr(&html, "#name", "value").unwrap(), "renamed");
    assert_eq!(attr(&html, "#description", "value").unwrap(), "typed");
    assert_eq!(rows_with(&app, "vpn.update", "failed").await, 1);
    let response = app
        .get(&c, &format!("{ORG}/vpns/{id}/status{account}"))
        .await;
    assert_eq!(response.headers()["x-fragment"], "1");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("data-state=\"REMOVING\"")
    );
}
