//! The load balancer pages against the simulator: every operation through
//! the panel and the audit pair it leaves, selects on the current values,
//! bad values beside their fields, confirmations, and refusals flag by flag.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::block_storages::followed;
use crate::helpers::{TestApp, location, spawn_demo, spawn_demo_with, text_of};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post, sim_servers};

fn balancers(app: &TestApp) -> Vec<Value> {
    app.sim_items("load_balancers")
}

fn balancer(app: &TestApp, id: &str) -> Option<Value> {
    balancers(app).into_iter().find(|b| b["id"] == id)
}

fn named(app: &TestApp, name: &str) -> Value {
    balancers(app)
        .into_iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("a load balancer named {name}"))
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Balancers without their state, which moves on by itself.
fn steady(mut items: Vec<Value>) -> Vec<Value> {
    for item in &mut items {
        if let Some(o) = item.as_object_mut() {
            o.remove("state");
        }
    }
    items
}

/// The first IP of a seeded server: (server id, IP id, address).
fn server_ip(app: &TestApp, server: &str) -> (String, String, String) {
    let s = sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == server)
        .unwrap_or_else(|| panic!("the server {server}"));
    (
        id_of(&s),
        s["ips"][0]["id"].as_str().unwrap().to_owned(),
        s["ips"][0]["ip"].as_str().unwrap().to_owned(),
    )
}

fn exists(html: &str, css: &str) -> bool {
    Html::parse_document(html)
        .select(&Selector::parse(css).unwrap())
        .next()
        .is_some()
}

fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    Html::parse_document(html)
        .select(&Selector::parse(css).unwrap())
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_owned))
}

fn selected(html: &str, select: &str) -> Option<String> {
    attr(html, &format!("{select} option[selected]"), "value")
}

async fn page(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (status, html) = app.get_html(c, &format!("{ORG}/load_balancers/{id}")).await;
    assert_eq!(status, 200, "{html}");
    html
}

async fn flashes(app: &TestApp, c: &reqwest::Client, response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(c, &location(&response)).await;
    text_of(&html, ".flash")
}

const SETTINGS: [(&str, &str); 5] = [
    ("health_check_test", "TCP"),
    ("health_check_interval", "15"),
    ("persistence", "true"),
    ("persistence_time", "1200"),
    ("method", "ROUND_ROBIN"),
];

/// Creates a balancer through the form with one TCP rule; returns its id.
async fn create(app: &TestApp, c: &reqwest::Client, name: &str) -> String {
    let mut fields = SETTINGS.to_vec();
    fields.extend([
        ("name", name),
        ("r1_protocol", "TCP"),
        ("r1_port_balancer", "8080"),
        ("r1_port_server", "80"),
        ("r1_source", ""),
    ]);
    let response = post(app, c, "/load_balancers", &fields).await;
    assert_eq!(response.status().as_u16(), 303);
    id_of(&named(app, name))
}

/// A forged POST: the address, its fields, and the flag it needs.
type Forged<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);

/// A forged POST answers 403 with a `denied` event for the flag.
async fn assert_refused(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    flag: &str,
) {
    let before = audit_rows(app, flag).await.len();
    let response = post(app, c, path, fields).await;
    assert_eq!(response.status().as_u16(), 403, "{path}");
    let html = response.text().await.unwrap();
    assert!(text_of(&html, "main").contains(flag), "{path}: {html}");
    let rows = audit_rows(app, flag).await;
    assert_eq!(rows.len(), before + 1, "{path}: {rows:?}");
    assert_eq!(rows.last().unwrap().0, "denied", "{path}");
}

#[tokio::test]
async fn the_list_shows_the_balancers_and_searches_and_refreshes() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/load_balancers")).await;

    assert_eq!(status, 200);
    let table = text_of(&html, "table#load-balancers");
    assert!(
        table.contains("web-lb") && table.contains("TCP 80 → 80"),
        "{table}"
    );
    assert!(
        table.contains("Round robin") && table.contains("web-02"),
        "{table}"
    );
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/load_balancers?q=spain"))
        .await;
    assert!(text_of(&html, ".balancer-name").contains("web-lb"));
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/load_balancers?q=zzz"))
        .await;
    assert!(text_of(&html, "main").contains("No load balancers match this search"));
    let id = id_of(&named(&app, "web-lb"));
    let response = app
        .get(
            &c,
            &format!("{ORG}/load_balancers/{id}/row{}", account_query(&app).await),
        )
        .await;
    assert_eq!(response.headers().get("x-fragment").unwrap(), "1");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("data-load-balancer-id")
    );
}

#[tokio::test]
async fn a_balancer_is_created_with_its_settings_and_rules_and_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, form) = app.get_html(&c, &format!("{ORG}/load_balancers/new")).await;
    assert_eq!(status, 200);
    let datacenter = Html::parse_document(&form)
        .select(&Selector::parse("#datacenter_id option").unwrap())
        .filter_map(|o| o.value().attr("value").map(str::to_owned))
        .find(|v| !v.is_empty())
        .expect("a datacenter to choose");
    for row in ["r1", "r2", "r3"] {
        assert!(exists(&form, &format!("select#{row}-protocol")));
    }

    let response = post(
        &app,
        &c,
        "/load_balancers",
        &[
            ("name", "api-lb"),
            ("description", "API"),
            ("datacenter_id", datacenter.as_str()),
            ("health_check_test", "HTTP"),
            ("health_check_interval", "30"),
            ("health_check_path", "/health"),
            ("health_check_parse", "OK"),
            ("persistence_time", "60"),
            ("method", "LEAST_CONNECTIONS"),
            ("r1_protocol", "TCP"),
            ("r1_port_balancer", "443"),
            ("r1_port_server", "8443"),
            ("r1_source", ""),
            ("r2_protocol", ""),
            ("r2_port_balancer", ""),
            ("r2_port_server", ""),
            ("r3_protocol", "UDP"),
            ("r3_port_balancer", "53"),
            ("r3_port_server", "53"),
            ("r3_source", "10.0.0.0/8"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    let lb = named(&app, "api-lb");
    let id = id_of(&lb);
    assert_eq!(
        location(&response),
        format!("{ORG}/load_balancers/{id}{}", account_query(&app).await)
    );
    assert_eq!(lb["health_check_test"], "HTTP");
    assert_eq!(lb["health_check_path"], "/health");
    assert_eq!(lb["health_check_path_parser"], "OK");
    assert_eq!(lb["persistence"], false, "the unchecked box");
    assert_eq!(lb["method"], "LEAST_CONNECTIONS");
    assert_eq!(lb["datacenter"]["id"], datacenter.as_str());
    let rules = lb["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1]["source"], "10.0.0.0/8");
    let (_, html) = app.get_html(&c, &location(&response)).await;
    assert!(text_of(&html, ".flash-success").contains("Creating api-lb"));
    assert_audited_pair(&app, "load_balancer.create").await;
    assert_eq!(
        audit_rows(&app, "load_balancer.create")
            .await
            .last()
            .unwrap()
            .2,
        "api-lb"
    );
}

#[tokio::test]
async fn the_settings_form_starts_on_the_current_values() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let lb = named(&app, "web-lb");

    let html = page(&app, &c, &id_of(&lb)).await;

    assert_eq!(
        selected(&html, "#modify-health_check_test").as_deref(),
        lb["health_check_test"].as_str()
    );
    assert_eq!(
        selected(&html, "#modify-method").as_deref(),
        lb["method"].as_str()
    );
    assert_eq!(
        attr(&html, "#modify-health_check_interval", "value"),
        Some(lb["health_check_interval"].to_string())
    );
    assert_eq!(
        attr(&html, "#modify-persistence_time", "value"),
        Some(lb["persistence_time"].to_string())
    );
    assert_eq!(
        attr(&html, "#modify-persistence", "checked").is_some(),
        lb["persistence"] == true
    );
    // Saved unchanged, nothing changes.
    let mut fields = SETTINGS.to_vec();
    fields.push(("health_check_path", ""));
    let before = steady(vec![lb.clone()]);
    post(
        &app,
        &c,
        &format!("/load_balancers/{}/modify", id_of(&lb)),
        &fields,
    )
    .await;
    assert_eq!(steady(vec![named(&app, "web-lb")]), before);
}

#[tokio::test]
async fn while_a_balancer_is_configured_its_settings_and_rules_wait() {
    let app = spawn_demo_with(|config| config.speed = 0.05).await;
    let c = app.admin().await;
    let id = create(&app, &c, "slow-lb").await;

    let html = page(&app, &c, &id).await;

    assert!(
        text_of(&html, "#busy-reason").contains("configuring"),
        "{html}"
    );
    for form in ["#modify", "#add-rule"] {
        let css = format!("{form} button[type=submit]");
        assert!(attr(&html, &css, "disabled").is_some(), "{form}");
        assert_eq!(
            attr(&html, &css, "aria-describedby").as_deref(),
            Some("busy-reason")
        );
    }
    assert!(!exists(&html, "#rename button[disabled]"));
    assert!(attr(&html, "#balancer-status", "data-refresh-url").is_some());
}

#[tokio::test]
async fn every_balancer_operation_reaches_the_cloud_panel_and_is_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create(&app, &c, "ops-lb").await;
    let base = format!("/load_balancers/{id}");

    // Rename and describe.
    post(
        &app,
        &c,
        &format!("{base}/rename"),
        &[("name", "ops-lb-2"), ("description", "renamed")],
    )
    .await;
    let lb = balancer(&app, &id).unwrap();
    assert_eq!(
        (lb["name"].as_str(), lb["description"].as_str()),
        (Some("ops-lb-2"), Some("renamed"))
    );
    assert_audited_pair(&app, "load_balancer.rename").await;

    // Modify the health check, persistence and method.
    let response = post(
        &app,
        &c,
        &format!("{base}/modify"),
        &[
            ("health_check_test", "ICMP"),
            ("health_check_interval", "40"),
            ("persistence_time", "300"),
            ("method", "LEAST_CONNECTIONS"),
        ],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Saving the settings of ops-lb-2")
    );
    let lb = balancer(&app, &id).unwrap();
    assert_eq!(lb["health_check_test"], "ICMP");
    assert_eq!(lb["health_check_interval"], 40);
    assert_eq!(lb["persistence"], false);
    assert_eq!(lb["persistence_time"], 300);
    assert_eq!(lb["method"], "LEAST_CONNECTIONS");
    assert_audited_pair(&app, "load_balancer.modify").await;

    // Add a rule (every port: allowed with an ICMP check), then remove it.
    post(
        &app,
        &c,
        &format!("{base}/rules"),
        &[
            ("rule_protocol", "UDP"),
            ("rule_port_balancer", "0"),
            ("rule_port_server", "0"),
            ("rule_source", ""),
        ],
    )
    .await;
    let rules = balancer(&app, &id).unwrap()["rules"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rules.len(), 2);
    assert_audited_pair(&app, "load_balancer.rule_add").await;
    let rule = rules
        .iter()
        .find(|r| r["protocol"] == "UDP")
        .map(id_of)
        .unwrap();
    let response = post(
        &app,
        &c,
        &format!("{base}/rules/{rule}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Removing the rule UDP all → all")
    );
    assert_eq!(
        balancer(&app, &id).unwrap()["rules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_audited_pair(&app, "load_balancer.rule_remove").await;

    // Assign db-01's IP, see it linked, then unassign it.
    let (db, ip_id, ip) = server_ip(&app, "db-01");
    post(
        &app,
        &c,
        &format!("{base}/server_ips"),
        &[("server_ip", ip_id.as_str())],
    )
    .await;
    assert!(
        balancer(&app, &id).unwrap()["server_ips"]
            .to_string()
            .contains(&ip_id)
    );
    assert_audited_pair(&app, "load_balancer.server_ips_assign").await;
    let html = page(&app, &c, &id).await;
    let query = account_query(&app).await;
    assert!(
        html.contains(&format!("href=\"{ORG}/servers/{db}{query}\"")),
        "{html}"
    );
    let (_, server) = app.get_html(&c, &format!("{ORG}/servers/{db}")).await;
    assert!(text_of(&server, "#ip-table td[data-label='Load balancers']").contains("ops-lb-2"));
    let response = post(
        &app,
        &c,
        &format!("{base}/server_ips/{ip_id}/unassign"),
        &[("confirm", "yes")],
    )
    .await;
    let message = flashes(&app, &c, response).await;
    assert!(
        message.contains(&format!("{ip} (db-01) no longer receives traffic")),
        "{message}"
    );
    assert!(
        !balancer(&app, &id).unwrap()["server_ips"]
            .to_string()
            .contains(&ip_id)
    );
    assert_audited_pair(&app, "load_balancer.server_ip_unassign").await;

    // Delete: the user lands on the list.
    let response = post(
        &app,
        &c,
        &format!("{base}/delete"),
        &[("confirm_name", "ops-lb-2")],
    )
    .await;
    assert_eq!(location(&response), format!("{ORG}/load_balancers{query}"));
    assert!(balancer(&app, &id).is_none_or(|b| b["state"] == "REMOVING"));
    assert_audited_pair(&app, "load_balancer.delete").await;
}

#[tokio::test]
async fn bad_values_come_back_beside_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = id_of(&named(&app, "web-lb"));
    let before = steady(balancers(&app));

    // The create form.
    let response = post(
        &app,
        &c,
        "/load_balancers",
        &[
            ("name", ""),
            ("description", "keep me"),
            ("health_check_test", "HTTP"),
            ("health_check_interval", "2"),
            ("persistence_time", "20"),
            ("method", "ROUND_ROBIN"),
            ("r1_protocol", "TCP"),
            ("r1_port_balancer", "80"),
            ("r1_port_server", "80"),
            ("r2_protocol", "TCP"),
            ("r2_port_balancer", "80"),
            ("r2_port_server", "8080"),
            ("r3_protocol", "TCP"),
            ("r3_port_balancer", "0"),
            ("r3_port_server", "0"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    for field in [
        "name",
        "health_check_interval",
        "health_check_path",
        "health_check_parse",
        "persistence_time",
        "r2-port_balancer",
        "r3-port_balancer",
    ] {
        let css = format!("#{field}");
        assert_eq!(
            attr(&html, &css, "aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
        assert_eq!(
            attr(&html, &css, "aria-describedby"),
            Some(format!("{field}-error")),
            "{field}"
        );
        assert!(
            exists(&html, &format!("p.field-error#{field}-error")),
            "{field}"
        );
    }
    assert!(html.contains("id=\"error-summary\" tabindex=\"-1\""));
    assert!(html.contains("value=\"keep me\"") && html.contains("value=\"8080\""));

    // The settings form on the balancer's page: back on the page, each
    // message beside its field, what was typed kept.
    let response = post(
        &app,
        &c,
        &format!("/load_balancers/{id}/modify"),
        &[
            ("health_check_test", "TCP"),
            ("health_check_interval", "301"),
            ("persistence_time", "1200"),
            ("method", "FASTEST"),
        ],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(text_of(&html, ".flash-error").contains("beside the fields"));
    for field in ["modify-health_check_interval", "modify-method"] {
        assert_eq!(
            attr(&html, &format!("#{field}"), "aria-describedby"),
            Some(format!("{field}-error"))
        );
    }
    assert_eq!(
        attr(&html, "#modify-health_check_interval", "value").as_deref(),
        Some("301")
    );

    // The add-rule form: a rule that overlaps a current one.
    let response = post(
        &app,
        &c,
        &format!("/load_balancers/{id}/rules"),
        &[
            ("rule_protocol", "TCP"),
            ("rule_port_balancer", "443"),
            ("rule_port_server", "8443"),
        ],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert!(
        text_of(&html, "#rule-port_balancer-error").contains("TCP 443 → 443"),
        "{html}"
    );
    assert_eq!(
        attr(&html, "#rule-port_server", "value").as_deref(),
        Some("8443")
    );

    // The rename form.
    let response = post(
        &app,
        &c,
        &format!("/load_balancers/{id}/rename"),
        &[("name", "")],
    )
    .await;
    assert!(exists(
        &followed(&app, &c, &response).await,
        "#rename-name-error"
    ));

    // A one-field action form: a flash message.
    let response = post(
        &app,
        &c,
        &format!("/load_balancers/{id}/server_ips"),
        &[("server_ip", "")],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Choose at least one server IP")
    );

    assert_eq!(steady(balancers(&app)), before, "nothing changed upstream");
    for action in [
        "load_balancer.create",
        "load_balancer.modify",
        "load_balancer.rule_add",
        "load_balancer.rename",
        "load_balancer.server_ips_assign",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }
}

#[tokio::test]
async fn a_refused_settings_form_comes_back_as_it_was_typed() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let lb = named(&app, "web-lb");
    let id = id_of(&lb);
    assert_eq!(lb["persistence"], true, "the seeded balancer keeps clients");

    // Persistence unticked (the box sends nothing) and an interval too short.
    let response = post(
        &app,
        &c,
        &format!("/load_balancers/{id}/modify"),
        &[
            ("health_check_test", "ICMP"),
            ("health_check_interval", "4"),
            ("persistence_time", "60"),
            ("method", "LEAST_CONNECTIONS"),
        ],
    )
    .await;

    let html = followed(&app, &c, &response).await;
    assert!(
        text_of(&html, "#modify-health_check_interval-error").contains("from 5 to 300"),
        "{html}"
    );
    assert_eq!(
        attr(&html, "#modify-health_check_interval", "value").as_deref(),
        Some("4")
    );
    assert_eq!(
        attr(&html, "#modify-persistence_time", "value").as_deref(),
        Some("60")
    );
    assert!(exists(
        &html,
        "#modify-health_check_test option[value=ICMP][selected]"
    ));
    assert!(exists(
        &html,
        "#modify-method option[value=LEAST_CONNECTIONS][selected]"
    ));
    assert_eq!(
        attr(&html, "#modify-persistence", "checked"),
        None,
        "the unticked box stays unticked"
    );
    assert_eq!(balancer(&app, &id).unwrap()["persistence"], true);
    assert!(audit_rows(&app, "load_balancer.modify").await.is_empty());
}

#[tokio::test]
async fn destructive_posts_without_their_confirmation_change_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let lb = named(&app, "web-lb");
    let id = id_of(&lb);
    let rule = id_of(&lb["rules"][0]);
    let ip = lb["server_ips"][0]["id"].as_str().unwrap().to_owned();

    for (path, fields, message) in [
        (
            format!("/load_balancers/{id}/rules/{rule}/delete"),
            vec![],
            "Nothing was changed",
        ),
        (
            format!("/load_balancers/{id}/server_ips/{ip}/unassign"),
            vec![("confirm", "YES")],
            "Nothing was changed",
        ),
        (
            format!("/load_balancers/{id}/delete"),
            vec![("confirm_name", "web")],
            "exactly to confirm",
        ),
    ] {
        let response = post(&app, &c, &path, &fields).await;
        let text = flashes(&app, &c, response).await;
        assert!(text.contains(message), "{path}: {text}");
    }
    assert_eq!(steady(vec![balancer(&app, &id).unwrap()]), steady(vec![lb]));
    for action in [
        "load_balancer.rule_remove",
        "load_balancer.server_ip_unassign",
        "load_balancer.delete",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }
    let html = page(&app, &c, &id).await;
    assert!(exists(
        &html,
        "#rule-table details.confirm input[name=confirm][value=yes]"
    ));
    assert!(exists(
        &html,
        "#ip-table details.confirm input[name=confirm][value=yes]"
    ));
    let takes = text_of(&html, "#delete-takes");
    assert!(
        takes.contains("web-01") && takes.contains("web-02"),
        "{takes}"
    );
    assert_eq!(
        attr(
            &html,
            "#delete-balancer input[name=confirm_name]",
            "data-confirm-name"
        )
        .as_deref(),
        Some("web-lb")
    );
}

#[tokio::test]
async fn each_action_needs_its_own_permission_flag() {
    let app = spawn_demo().await;
    let lb = named(&app, "web-lb");
    let id = id_of(&lb);
    let rule = id_of(&lb["rules"][0]);
    let ip = lb["server_ips"][0]["id"].as_str().unwrap().to_owned();
    let (_, db_ip, _) = server_ip(&app, "db-01");

    let viewer = app
        .member_with("lb-viewer@example.org", &["load_balancers.show"])
        .await;
    let (_, list) = app
        .get_html(&viewer, &format!("{ORG}/load_balancers"))
        .await;
    assert!(!exists(&list, "#new-load-balancer"));
    let html = page(&app, &viewer, &id).await;
    for form in [
        "#rename",
        "#modify",
        "#add-rule",
        "#assign-ips",
        "#delete-balancer",
        "details.confirm",
    ] {
        assert!(!exists(&html, form), "{form} is shown to a viewer");
    }
    assert_eq!(
        app.get(&viewer, &format!("{ORG}/load_balancers/new"))
            .await
            .status()
            .as_u16(),
        403
    );
    let mut settings = SETTINGS.to_vec();
    settings.push(("name", "x"));
    let forged: Vec<Forged> = vec![
        (
            "/load_balancers".into(),
            settings.clone(),
            "load_balancers.create",
        ),
        (
            format!("/load_balancers/{id}/rename"),
            vec![("name", "x")],
            "load_balancers.set_name",
        ),
        (
            format!("/load_balancers/{id}/rename"),
            vec![("description", "x")],
            "load_balancers.set_description",
        ),
        (
            format!("/load_balancers/{id}/modify"),
            SETTINGS.to_vec(),
            "load_balancers.modify",
        ),
        (
            format!("/load_balancers/{id}/rules"),
            vec![
                ("rule_protocol", "UDP"),
                ("rule_port_balancer", "1"),
                ("rule_port_server", "1"),
            ],
            "load_balancers.manage_rules",
        ),
        (
            format!("/load_balancers/{id}/rules/{rule}/delete"),
            vec![("confirm", "yes")],
            "load_balancers.manage_rules",
        ),
        (
            format!("/load_balancers/{id}/server_ips"),
            vec![("server_ip", db_ip.as_str())],
            "load_balancers.manage_attached_server_ips",
        ),
        (
            format!("/load_balancers/{id}/server_ips/{ip}/unassign"),
            vec![("confirm", "yes")],
            "load_balancers.manage_attached_server_ips",
        ),
        (
            format!("/load_balancers/{id}/delete"),
            vec![("confirm_name", "web-lb")],
            "load_balancers.delete",
        ),
    ];
    for (path, fields, flag) in &forged {
        assert_refused(&app, &viewer, path, fields, flag).await;
    }
    assert_eq!(
        steady(vec![balancer(&app, &id).unwrap()]),
        steady(vec![lb.clone()])
    );

    // Modify but neither rename nor delete.
    let tuner = app
        .member_with(
            "lb-tuner@example.org",
            &["load_balancers.show", "load_balancers.modify"],
        )
        .await;
    let html = page(&app, &tuner, &id).await;
    assert!(exists(&html, "#modify"));
    for form in ["#rename", "#delete-balancer", "#add-rule"] {
        assert!(!exists(&html, form), "{form}");
    }
    assert_refused(
        &app,
        &tuner,
        &format!("/load_balancers/{id}/rename"),
        &[("name", "taken-over")],
        "load_balancers.set_name",
    )
    .await;
    assert_refused(
        &app,
        &tuner,
        &format!("/load_balancers/{id}/delete"),
        &[("confirm_name", "web-lb")],
        "load_balancers.delete",
    )
    .await;
    let mut changed = SETTINGS.to_vec();
    changed[4] = ("method", "LEAST_CONNECTIONS");
    let response = post(
        &app,
        &tuner,
        &format!("/load_balancers/{id}/modify"),
        &changed,
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    let now = balancer(&app, &id).unwrap();
    assert_eq!(now["method"], "LEAST_CONNECTIONS");
    assert_eq!(now["name"], "web-lb");
}
