//! The server page as the pattern for every resource page: actions follow
//! the state, selects start on the current value, destructive actions need
//! their confirmation, and "Refresh" keeps the view.

use scraper::{Html, Selector};

use crate::helpers::{TestApp, location, spawn_demo, spawn_demo_with, text_of};
use crate::servers::{
    ORG, account_query, audit_rows, post, seeded, sim_server, sim_servers, wait_for_state,
};

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector).collect()
}

fn exists(html: &str, css: &str) -> bool {
    !select(&Html::parse_document(html), css).is_empty()
}

/// The value of the selected option of a select, as the browser would send it.
fn selected_value(html: &str, select_css: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let options = select(&doc, &format!("{select_css} option"));
    options
        .iter()
        .find(|o| o.value().attr("selected").is_some())
        .or_else(|| options.first())
        .and_then(|o| o.value().attr("value"))
        .map(str::to_owned)
}

async fn server_page(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (status, html) = app.get_html(c, &format!("{ORG}/servers/{id}")).await;
    assert_eq!(status, 200, "{html}");
    html
}

#[tokio::test]
async fn the_power_card_offers_what_the_state_allows() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (on, _) = seeded(&app, "POWERED_ON");
    let html = server_page(&app, &c, &on).await;
    assert!(
        exists(&html, "#power-off select[name=method]"),
        "power off with its method"
    );
    assert!(
        exists(&html, "#reboot select[name=method]"),
        "reboot with its method"
    );
    assert!(
        !exists(&html, "#power-on"),
        "no Power on for a running server"
    );

    let (off, _) = seeded(&app, "POWERED_OFF");
    let html = server_page(&app, &c, &off).await;
    assert!(exists(&html, "#power-on"));
    assert!(
        !exists(&html, "#power-off"),
        "no Power off for a stopped server"
    );
    assert!(!exists(&html, "#reboot"), "no Reboot for a stopped server");
}

#[tokio::test]
async fn during_a_transition_the_refused_actions_are_disabled_with_the_reason() {
    // Slow simulated time: the power-off below lasts minutes, not seconds.
    let app = spawn_demo_with(|config| config.speed = 0.05).await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_ON");
    post(
        &app,
        &c,
        &format!("/servers/{id}/power"),
        &[("action", "POWER_OFF"), ("method", "SOFTWARE")],
    )
    .await;
    wait_for_state(&app, &id, "POWERING_OFF").await;

    let html = server_page(&app, &c, &id).await;
    let reason = text_of(&html, "#busy-reason");
    assert!(reason.contains("powering off"), "{reason}");
    assert!(!exists(&html, "#power-off") && !exists(&html, "#power-on"));
    for form in [
        "#resize",
        "#add-hdd",
        "#create-snapshot",
        "#reinstall",
        "#clone-form",
    ] {
        let doc = Html::parse_document(&html);
        let buttons = select(&doc, &format!("{form} button[type=submit]"));
        assert!(!buttons.is_empty(), "{form} is shown");
        assert!(
            buttons.iter().all(|b| b.value().attr("disabled").is_some()
                && b.value().attr("aria-describedby") == Some("busy-reason")),
            "{form} is disabled and points at the reason"
        );
    }
    // Renaming and IPs are not refused during a transition: still active.
    assert!(!exists(&html, "#rename button[disabled]"));

    // A forged POST still gets the API's own refusal, and nothing changes.
    let response = post(&app, &c, &format!("/servers/{id}/snapshots"), &[]).await;
    let (_, html) = app.get_html(&c, &location(&response)).await;
    assert!(!text_of(&html, ".flash-error").is_empty(), "{html}");
    assert!(sim_server(&app, &id).unwrap()["snapshot"].is_null());
}

#[tokio::test]
async fn selects_start_on_the_servers_current_values() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let server = sim_servers(&app)
        .into_iter()
        .find(|s| {
            s["ips"][0]["firewall_policy"]["id"].is_string()
                && s["hardware"]["fixed_instance_size_id"].is_string()
                && s["image"]["id"].is_string()
        })
        .expect("a seeded server with a firewall policy, a fixed size and an image");
    let id = server["id"].as_str().unwrap();
    let html = server_page(&app, &c, id).await;

    assert_eq!(
        selected_value(&html, "#fw-1").as_deref(),
        server["ips"][0]["firewall_policy"]["id"].as_str(),
        "the IP's policy select starts on its policy"
    );
    assert_eq!(
        selected_value(&html, "#resize-size").as_deref(),
        server["hardware"]["fixed_instance_size_id"].as_str(),
        "the resize select starts on the server's size"
    );
    assert_eq!(
        selected_value(&html, "#reinstall-image").as_deref(),
        server["image"]["id"].as_str(),
        "reinstall starts on the server's image"
    );
    // The network select offers only networks the server is not in.
    let doc = Html::parse_document(&html);
    let member_of: Vec<&str> = server["private_networks"]
        .as_array()
        .map(|n| n.iter().filter_map(|n| n["id"].as_str()).collect())
        .unwrap_or_default();
    for option in select(&doc, "#network-id option") {
        let value = option.value().attr("value").unwrap_or_default();
        assert!(!member_of.contains(&value), "{value} is already attached");
    }
}

#[tokio::test]
async fn destructive_actions_without_their_confirmation_change_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, name) = seeded(&app, "POWERED_OFF");
    let ips_before = sim_server(&app, &id).unwrap()["ips"].clone();
    let ip_id = ips_before[0]["id"].as_str().expect("an IP").to_owned();

    let unconfirmed = [
        (
            format!("/servers/{id}/ips/{ip_id}/delete"),
            vec![("keep_ip", "true")],
        ),
        (format!("/servers/{id}/snapshots/x1/delete"), vec![]),
        (
            format!("/servers/{id}/snapshots/x1/restore"),
            vec![("confirm_name", "wrong")],
        ),
        (
            format!("/servers/{id}/hdds/x1/delete"),
            vec![("confirm", "no")],
        ),
        (format!("/servers/{id}/private_networks/x1/delete"), vec![]),
        (
            format!("/servers/{id}/ips/{ip_id}/load_balancers/x1/delete"),
            vec![],
        ),
    ];
    for (path, fields) in &unconfirmed {
        let response = post(&app, &c, path, fields).await;
        assert_eq!(response.status().as_u16(), 303, "{path}");
        let (_, html) = app.get_html(&c, &location(&response)).await;
        let message = text_of(&html, ".flash-error");
        assert!(message.contains("Nothing was changed"), "{path}: {message}");
    }
    assert_eq!(sim_server(&app, &id).unwrap()["ips"], ips_before);
    for action in [
        "server.ip_remove",
        "server.snapshot_delete",
        "server.snapshot_restore",
        "server.hdd_remove",
        "server.private_network_detach",
        "server.ip_load_balancer_remove",
    ] {
        assert!(
            audit_rows(&app, action).await.is_empty(),
            "{action} was recorded"
        );
    }

    // The page offers each of them behind its confirm step.
    let html = server_page(&app, &c, &id).await;
    assert!(exists(
        &html,
        "details.confirm form input[name=confirm][value=yes]"
    ));
    assert!(html.contains(&format!(
        "Remove {} from {name}?",
        ips_before[0]["ip"].as_str().unwrap()
    )));
}

#[tokio::test]
async fn refresh_keeps_the_search_sort_and_page() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, html) = app
        .get_html(&c, &format!("{ORG}/servers?q=web&sort=-name"))
        .await;
    assert_eq!(status, 200);
    let doc = Html::parse_document(&html);
    let href = select(&doc, "a#refresh")
        .first()
        .and_then(|a| a.value().attr("href"))
        .expect("a Refresh link")
        .to_owned();
    let account = account_query(&app).await;
    assert_eq!(
        href,
        format!("{ORG}/servers{account}&q=web&sort=-name"),
        "Refresh names the account, the search and the sort"
    );
}

#[tokio::test]
async fn the_server_page_links_to_everything_the_server_uses() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let account = account_query(&app).await;
    let by_name = |name: &str| {
        sim_servers(&app)
            .into_iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("the seeded server {name}"))
    };
    let item_id = |collection: &str, name: &str| {
        app.sim_items(collection)
            .into_iter()
            .find(|i| i["name"] == name)
            .and_then(|i| i["id"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("the seeded {collection} {name}"))
    };

    let web = by_name("web-01");
    let html = server_page(&app, &c, web["id"].as_str().unwrap()).await;
    let ip = &web["ips"][0];
    for href in [
        format!("{ORG}/public_ips/{}{account}", ip["id"].as_str().unwrap()),
        format!(
            "{ORG}/firewall_policies/{}{account}",
            item_id("firewall_policies", "web")
        ),
        format!(
            "{ORG}/load_balancers/{}{account}",
            item_id("load_balancers", "web-lb")
        ),
        format!(
            "{ORG}/private_networks/{}{account}",
            item_id("private_networks", "backend")
        ),
        format!(
            "{ORG}/shared_storages/{}{account}",
            item_id("shared_storages", "assets")
        ),
    ] {
        assert!(
            html.contains(&format!("href=\"{href}\"")),
            "no link to {href}"
        );
    }

    let db = by_name("db-01");
    let html = server_page(&app, &c, db["id"].as_str().unwrap()).await;
    let block = format!(
        "{ORG}/block_storages/{}{account}",
        item_id("block_storages", "db-data")
    );
    assert!(
        html.contains(&format!("href=\"{block}\"")),
        "no link to {block}"
    );

    // A member who may see servers only gets names, not links.
    let viewer = app
        .member_with("servers-only@example.org", &["servers.show"])
        .await;
    let html = server_page(&app, &viewer, db["id"].as_str().unwrap()).await;
    assert!(
        !html.contains("/block_storages/"),
        "a link the member may not follow"
    );
    assert!(!exists(&html, "#storages"));
}

/// The value of an input, as the page fills it in.
fn value_of(html: &str, css: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    select(&doc, css)
        .first()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_form_that_cannot_go_ahead_comes_back_with_what_was_typed() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (id, _) = seeded(&app, "POWERED_OFF");
    let before = sim_server(&app, &id).expect("the server");
    let query = account_query(&app).await;

    // A bad value: said on the server's page, the form as typed, nothing sent.
    let response = post(
        &app,
        &c,
        &format!("/servers/{id}/hardware"),
        &[("vcore", "99"), ("cores_per_processor", "1"), ("ram", "2")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), format!("{ORG}/servers/{id}{query}"));
    let html = server_page(&app, &c, &id).await;
    assert!(text_of(&html, ".flash-error").contains("vCores"), "{html}");
    assert_eq!(value_of(&html, "#resize-vcore").as_deref(), Some("99"));
    assert_eq!(value_of(&html, "#resize-ram").as_deref(), Some("2"));
    assert_eq!(
        sim_server(&app, &id).expect("the server")["hardware"],
        before["hardware"]
    );

    // The copy's name: too long, kept as typed for the member to shorten.
    let long = "n".repeat(130);
    let response = post(
        &app,
        &c,
        &format!("/servers/{id}/clone"),
        &[("name", long.as_str()), ("datacenter_id", "")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let html = server_page(&app, &c, &id).await;
    assert!(
        text_of(&html, ".flash-error").contains("1 to 128"),
        "{html}"
    );
    assert_eq!(value_of(&html, "#clone-name"), Some(long));

    // Shown once: the next view is the server as it is.
    let html = server_page(&app, &c, &id).await;
    assert_ne!(value_of(&html, "#resize-vcore").as_deref(), Some("99"));
    assert!(audit_rows(&app, "server.resize").await.is_empty());
}
