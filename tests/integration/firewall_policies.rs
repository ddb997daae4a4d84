//! The firewall policy pages against the simulator: every operation through
//! the panel and the audit pair it leaves, bad values beside their fields,
//! confirmations, the default policy, and refusals flag by flag.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::block_storages::followed;
use crate::helpers::{TestApp, csrf_token, location, spawn_demo, spawn_demo_with, text_of};
use crate::servers::{ORG, account_query, assert_audited_pair, audit_rows, post, sim_servers};

fn policies(app: &TestApp) -> Vec<Value> {
    app.sim_items("firewall_policies")
}

fn policy(app: &TestApp, id: &str) -> Option<Value> {
    policies(app).into_iter().find(|p| p["id"] == id)
}

fn policy_named(app: &TestApp, name: &str) -> Value {
    policies(app)
        .into_iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("a policy named {name}"))
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The first IP of a seeded server: (server id, IP id, address).
fn server_ip(app: &TestApp, server: &str) -> (String, String, String) {
    let s = sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == server)
        .unwrap_or_else(|| panic!("the server {server}"));
    let ip = &s["ips"][0];
    (
        id_of(&s),
        ip["id"].as_str().unwrap().to_owned(),
        ip["ip"].as_str().unwrap().to_owned(),
    )
}

fn ip_policy(app: &TestApp, server: &str) -> String {
    let s = sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == server)
        .unwrap();
    s["ips"][0]["firewall_policy"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Policies without their state, which moves on by itself.
fn steady(mut items: Vec<Value>) -> Vec<Value> {
    for item in &mut items {
        if let Some(o) = item.as_object_mut() {
            o.remove("state");
        }
    }
    items
}

fn rule_count(app: &TestApp, id: &str) -> usize {
    policy(app, id).unwrap()["rules"].as_array().unwrap().len()
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

async fn page(app: &TestApp, c: &reqwest::Client, id: &str) -> String {
    let (status, html) = app
        .get_html(c, &format!("{ORG}/firewall_policies/{id}"))
        .await;
    assert_eq!(status, 200, "{html}");
    html
}

/// The flash messages of the page a POST redirected to.
async fn flashes(app: &TestApp, c: &reqwest::Client, response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.get_html(c, &location(&response)).await;
    text_of(&html, ".flash")
}

/// Creates a policy through the form with one TCP rule; returns its id.
async fn create(app: &TestApp, c: &reqwest::Client, name: &str, port: &str) -> String {
    let response = post(
        app,
        c,
        "/firewall_policies",
        &[
            ("name", name),
            ("description", ""),
            ("r1_protocol", "TCP"),
            ("r1_port", port),
            ("r1_source", ""),
            ("r1_action", "allow"),
            ("r1_description", ""),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    id_of(&policy_named(app, name))
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
async fn the_list_shows_the_policies_and_searches_sorts_and_refreshes() {
    let app = spawn_demo().await;
    let c = app.admin().await;

    let (status, html) = app.get_html(&c, &format!("{ORG}/firewall_policies")).await;

    assert_eq!(status, 200);
    let names = text_of(&html, "table#firewall-policies .policy-name");
    for p in policies(&app) {
        assert!(names.contains(p["name"].as_str().unwrap()), "{names}");
    }
    assert!(text_of(&html, "table#firewall-policies").contains("TCP 443"));
    assert!(text_of(&html, "table#firewall-policies").contains("web-01"));
    // Search by server name, and a search that matches nothing.
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/firewall_policies?q=web-02"))
        .await;
    assert_eq!(
        text_of(&html, "table#firewall-policies .policy-name"),
        "web"
    );
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/firewall_policies?q=zzz-nothing"))
        .await;
    assert!(text_of(&html, "main").contains("No firewall policies match this search"));
    let (_, html) = app
        .get_html(&c, &format!("{ORG}/firewall_policies?sort=-name"))
        .await;
    assert!(text_of(&html, "table#firewall-policies .policy-name").starts_with("web"));
    let (status, _) = app
        .get_html(
            &c,
            &format!("{ORG}/firewall_policies?page=x&sort=%3Cb%3E&account=y"),
        )
        .await;
    assert_eq!(status, 200);
    // A row refreshes itself through its fragment.
    let web = id_of(&policy_named(&app, "web"));
    let response = app
        .get(
            &c,
            &format!(
                "{ORG}/firewall_policies/{web}/row{}",
                account_query(&app).await
            ),
        )
        .await;
    assert_eq!(response.headers().get("x-fragment").unwrap(), "1");
    let row = response.text().await.unwrap();
    assert!(row.contains("data-state=\"ACTIVE\"") && !row.contains("data-refresh-url"));
}

#[tokio::test]
async fn a_policy_is_created_with_several_rules_and_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let (status, form) = app
        .get_html(&c, &format!("{ORG}/firewall_policies/new"))
        .await;
    assert_eq!(status, 200);
    for row in ["r1", "r2", "r3"] {
        assert!(exists(&form, &format!("select#{row}-protocol")), "{row}");
    }

    let response = post(
        &app,
        &c,
        "/firewall_policies",
        &[
            ("name", "api"),
            ("description", "API servers"),
            ("r1_protocol", "TCP"),
            ("r1_port", "8000-8080"),
            ("r1_source", "10.0.0.0/8"),
            ("r1_action", "allow"),
            ("r1_description", "app"),
            ("r2_protocol", ""),
            ("r2_port", ""),
            ("r2_action", "allow"),
            ("r3_protocol", "ICMP"),
            ("r3_port", ""),
            ("r3_action", "allow"),
        ],
    )
    .await;

    assert_eq!(response.status().as_u16(), 303);
    let created = policy_named(&app, "api");
    let id = id_of(&created);
    assert_eq!(
        location(&response),
        format!("{ORG}/firewall_policies/{id}{}", account_query(&app).await)
    );
    assert_eq!(created["description"], "API servers");
    let rules = created["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "the blank row is skipped");
    assert_eq!(rules[0]["port_from"], 8000);
    assert_eq!(rules[0]["port_to"], 8080);
    assert_eq!(rules[0]["source"], "10.0.0.0/8");
    assert_eq!(rules[1]["protocol"], "ICMP");
    let (_, html) = app.get_html(&c, &location(&response)).await;
    assert!(text_of(&html, ".flash-success").contains("Creating api"));
    assert!(text_of(&html, "#rule-table").contains("8000–8080"));
    assert_audited_pair(&app, "firewall_policy.create").await;
    assert_eq!(
        audit_rows(&app, "firewall_policy.create")
            .await
            .last()
            .unwrap()
            .2,
        "api"
    );
}

#[tokio::test]
async fn while_a_policy_is_configured_rule_changes_wait_with_the_reason() {
    // Slow simulated time: the configuration lasts minutes.
    let app = spawn_demo_with(|config| config.speed = 0.05).await;
    let c = app.admin().await;
    let id = create(&app, &c, "slow", "8443").await;

    let html = page(&app, &c, &id).await;

    assert!(
        text_of(&html, "#busy-reason").contains("configuring"),
        "{html}"
    );
    assert_eq!(
        attr(&html, "#add-rule button[type=submit]", "disabled").as_deref(),
        Some("")
    );
    assert_eq!(
        attr(&html, "#add-rule button[type=submit]", "aria-describedby").as_deref(),
        Some("busy-reason")
    );
    assert!(
        !exists(&html, "#rule-table details.confirm"),
        "no rule removal meanwhile"
    );
    assert!(!exists(&html, "#rename button[disabled]"), "renaming stays");
    assert!(attr(&html, "#policy-status", "data-refresh-url").is_some());
    let (_, list) = app.get_html(&c, &format!("{ORG}/firewall_policies")).await;
    assert!(list.contains(&format!("/firewall_policies/{id}/row?account=")));
    let status = app
        .get(
            &c,
            &format!(
                "{ORG}/firewall_policies/{id}/status{}",
                account_query(&app).await
            ),
        )
        .await;
    assert_eq!(status.headers().get("x-fragment").unwrap(), "1");
    assert!(status.text().await.unwrap().contains("CONFIGURING"));
}

#[tokio::test]
async fn every_policy_operation_reaches_the_cloud_panel_and_is_audited() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let id = create(&app, &c, "ops", "8080").await;
    let base = format!("/firewall_policies/{id}");

    // Rename and describe.
    let response = post(
        &app,
        &c,
        &format!("{base}/rename"),
        &[("name", "ops-renamed"), ("description", "for tests")],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Saved: ops-renamed")
    );
    let p = policy(&app, &id).unwrap();
    assert_eq!(
        (p["name"].as_str(), p["description"].as_str()),
        (Some("ops-renamed"), Some("for tests"))
    );
    assert_audited_pair(&app, "firewall_policy.rename").await;

    // Add a rule, then remove it.
    post(
        &app,
        &c,
        &format!("{base}/rules"),
        &[
            ("rule_protocol", "UDP"),
            ("rule_port", "53"),
            ("rule_source", "192.168.0.0/16"),
            ("rule_action", "allow"),
            ("rule_description", "dns"),
        ],
    )
    .await;
    assert_eq!(rule_count(&app, &id), 2);
    assert_audited_pair(&app, "firewall_policy.rule_add").await;
    let rule = policy(&app, &id).unwrap()["rules"]
        .as_array()
        .unwrap()
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
            .contains("Removing the rule UDP 53")
    );
    assert_eq!(rule_count(&app, &id), 1);
    assert_audited_pair(&app, "firewall_policy.rule_remove").await;

    // Assign web-01's IP, then unassign it: it moves to the default policy.
    let (_, ip_id, ip) = server_ip(&app, "web-01");
    post(
        &app,
        &c,
        &format!("{base}/server_ips"),
        &[("server_ip", ip_id.as_str())],
    )
    .await;
    assert_eq!(ip_policy(&app, "web-01"), "ops-renamed");
    assert_audited_pair(&app, "firewall_policy.server_ips_assign").await;
    let html = page(&app, &c, &id).await;
    assert!(text_of(&html, "#ip-table").contains(&ip));
    let response = post(
        &app,
        &c,
        &format!("{base}/server_ips/{ip_id}/unassign"),
        &[("confirm", "yes")],
    )
    .await;
    let message = flashes(&app, &c, response).await;
    assert!(
        message.contains("moves to the default policy Linux"),
        "{message}"
    );
    assert_eq!(ip_policy(&app, "web-01"), "Linux");
    assert_audited_pair(&app, "firewall_policy.server_ip_unassign").await;
    let html = page(&app, &c, &id).await;
    assert!(
        !text_of(&html, "#ip-table").contains(&ip),
        "the page is not stale"
    );

    // Delete: the user lands on the list.
    let response = post(
        &app,
        &c,
        &format!("{base}/delete"),
        &[("confirm_name", "ops-renamed")],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/firewall_policies{}", account_query(&app).await)
    );
    assert!(policy(&app, &id).is_none_or(|p| p["state"] == "REMOVING"));
    assert_audited_pair(&app, "firewall_policy.delete").await;
}

#[tokio::test]
async fn bad_values_come_back_beside_their_fields_and_nothing_is_sent() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web = id_of(&policy_named(&app, "web"));
    let before = policies(&app);

    // The create form.
    let response = post(
        &app,
        &c,
        "/firewall_policies",
        &[
            ("name", ""),
            ("description", "keep me"),
            ("r1_protocol", "TCP"),
            ("r1_port", "90-80"),
            ("r1_source", "somewhere"),
            ("r1_action", "allow"),
            ("r2_protocol", "UDP"),
            ("r2_port", "53"),
            ("r2_action", "deny"),
            ("r3_protocol", "ICMP"),
            ("r3_port", "7"),
            ("r3_action", "allow"),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    for (field, error) in [
        ("name", "name-error"),
        ("r1-port", "r1-port-error"),
        ("r1-source", "r1-source-error"),
        ("r2-action", "r2-action-error"),
        ("r3-port", "r3-port-error"),
    ] {
        let css = format!("#{field}");
        assert_eq!(
            attr(&html, &css, "aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
        assert_eq!(
            attr(&html, &css, "aria-describedby").as_deref(),
            Some(error),
            "{field}"
        );
        assert!(exists(&html, &format!("p.field-error#{error}")), "{error}");
    }
    assert!(html.contains("id=\"error-summary\" tabindex=\"-1\""));
    assert!(html.contains("value=\"keep me\"") && html.contains("value=\"90-80\""));
    assert!(text_of(&html, "#r2-action-error").contains("ANY only"));

    // The rename form: back on the page, each message beside its field,
    // what was typed kept.
    let long = "x".repeat(300);
    let response = post(
        &app,
        &c,
        &format!("/firewall_policies/{web}/rename"),
        &[("name", " "), ("description", &long)],
    )
    .await;
    let html = followed(&app, &c, &response).await;
    assert_eq!(
        attr(&html, "#rename-name", "aria-describedby").as_deref(),
        Some("rename-name-error")
    );
    assert!(exists(&html, "#rename-description-error"));
    assert_eq!(
        attr(&html, "#rename-description", "value").as_deref(),
        Some(long.as_str())
    );
    assert!(text_of(&html, ".flash-error").contains("beside the fields"));

    // The add-rule form: a bad value, and a rule the policy already has.
    for (fields, field, message) in [
        (
            vec![("rule_protocol", ""), ("rule_port", "80")],
            "rule-protocol",
            "Choose a protocol",
        ),
        (
            vec![
                ("rule_protocol", "TCP"),
                ("rule_port", "443"),
                ("rule_action", "allow"),
            ],
            "rule-port",
            "already has this rule",
        ),
    ] {
        let response = post(
            &app,
            &c,
            &format!("/firewall_policies/{web}/rules"),
            &fields,
        )
        .await;
        let html = followed(&app, &c, &response).await;
        assert_eq!(
            attr(&html, &format!("#{field}"), "aria-describedby"),
            Some(format!("{field}-error"))
        );
        assert!(
            text_of(&html, &format!("#{field}-error")).contains(message),
            "{html}"
        );
        assert!(text_of(&html, ".flash-error").contains("beside the fields"));
        let (_, port) = fields[1];
        assert_eq!(
            attr(&html, "#rule-port", "value").as_deref(),
            Some(port),
            "what was typed is kept"
        );
    }

    // A one-field action form: a flash message.
    let response = post(
        &app,
        &c,
        &format!("/firewall_policies/{web}/server_ips"),
        &[],
    )
    .await;
    assert!(
        flashes(&app, &c, response)
            .await
            .contains("Choose at least one server IP")
    );

    assert_eq!(
        steady(policies(&app)),
        steady(before),
        "nothing changed upstream"
    );
    for action in [
        "firewall_policy.create",
        "firewall_policy.rename",
        "firewall_policy.rule_add",
        "firewall_policy.server_ips_assign",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }
}

#[tokio::test]
async fn a_rename_the_cloud_panel_refuses_comes_back_with_what_was_typed() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web = id_of(&policy_named(&app, "web"));
    let taken = policies(&app)
        .into_iter()
        .find(|p| p["id"] != web.as_str())
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .expect("another policy");

    // Another policy's name: the Cloud Panel refuses it.
    let response = post(
        &app,
        &c,
        &format!("/firewall_policies/{web}/rename"),
        &[("name", taken.as_str()), ("description", "typed words")],
    )
    .await;

    let html = followed(&app, &c, &response).await;
    assert!(
        text_of(&html, ".flash-error").contains("already exists"),
        "{html}"
    );
    assert_eq!(
        attr(&html, "#rename-name", "value").as_deref(),
        Some(taken.as_str())
    );
    assert_eq!(
        attr(&html, "#rename-description", "value").as_deref(),
        Some("typed words")
    );
    assert_ne!(policy(&app, &web).unwrap()["description"], "typed words");
    let rows = audit_rows(&app, "firewall_policy.rename").await;
    assert_eq!(rows.last().unwrap().0, "failed", "{rows:?}");
    // Kept for one page only: the next one shows the policy as it is.
    let html = page(&app, &c, &web).await;
    assert_eq!(attr(&html, "#rename-name", "value").as_deref(), Some("web"));
}

#[tokio::test]
async fn destructive_posts_without_their_confirmation_change_nothing() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web = policy_named(&app, "web");
    let id = id_of(&web);
    let rule = id_of(&web["rules"][0]);
    let ip = web["server_ips"][0]["id"].as_str().unwrap().to_owned();

    for (path, fields, message) in [
        (
            format!("/firewall_policies/{id}/rules/{rule}/delete"),
            vec![],
            "Nothing was changed",
        ),
        (
            format!("/firewall_policies/{id}/server_ips/{ip}/unassign"),
            vec![("confirm", "no")],
            "Nothing was changed",
        ),
        (
            format!("/firewall_policies/{id}/delete"),
            vec![("confirm_name", "Web")],
            "exactly to confirm",
        ),
    ] {
        let response = post(&app, &c, &path, &fields).await;
        let text = flashes(&app, &c, response).await;
        assert!(text.contains(message), "{path}: {text}");
    }
    assert_eq!(
        steady(vec![policy(&app, &id).unwrap()]),
        steady(vec![web]),
        "nothing changed"
    );
    for action in [
        "firewall_policy.rule_remove",
        "firewall_policy.server_ip_unassign",
        "firewall_policy.delete",
    ] {
        assert!(audit_rows(&app, action).await.is_empty(), "{action}");
    }

    // The page offers each behind its confirmation, and says what deleting takes.
    let html = page(&app, &c, &id).await;
    assert!(exists(
        &html,
        "#rule-table details.confirm input[name=confirm][value=yes]"
    ));
    assert!(exists(
        &html,
        "#ip-table details.confirm input[name=confirm][value=yes]"
    ));
    assert!(text_of(&html, "#ip-table").contains("to Linux"));
    assert_eq!(
        attr(
            &html,
            "#delete-policy input[name=confirm_name]",
            "data-confirm-name"
        )
        .as_deref(),
        Some("web")
    );
    let takes = text_of(&html, "#delete-takes");
    assert!(
        takes.contains("web-01") && takes.contains("web-02"),
        "{takes}"
    );
}

#[tokio::test]
async fn a_default_policy_cannot_be_changed_or_deleted() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let linux = policies(&app)
        .into_iter()
        .find(|p| p["default"] == 1)
        .expect("the catalogue's default policy");
    let id = id_of(&linux);
    let name = linux["name"].as_str().unwrap().to_owned();

    let html = page(&app, &c, &id).await;
    assert!(exists(&html, "#default-note"));
    for form in ["#delete-policy", "#rename", "#add-rule"] {
        assert!(
            !exists(&html, form),
            "{form} is offered for a default policy"
        );
    }
    assert!(
        exists(&html, "#assign-ips"),
        "IPs can still be assigned to it"
    );

    // A forged deletion gets the API's refusal, in words.
    let response = post(
        &app,
        &c,
        &format!("/firewall_policies/{id}/delete"),
        &[("confirm_name", name.as_str())],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("{ORG}/firewall_policies/{id}{}", account_query(&app).await)
    );
    let message = flashes(&app, &c, response).await;
    assert!(
        message.contains("not allowed in default firewall policy"),
        "{message}"
    );
    assert!(policy(&app, &id).is_some_and(|p| p["state"] != "REMOVING"));
    let rows = audit_rows(&app, "firewall_policy.delete").await;
    let outcomes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(outcomes, ["requested", "failed"]);
}

#[tokio::test]
async fn each_action_needs_its_own_permission_flag() {
    let app = spawn_demo().await;
    let web = policy_named(&app, "web");
    let id = id_of(&web);
    let rule = id_of(&web["rules"][0]);
    let ip = web["server_ips"][0]["id"].as_str().unwrap().to_owned();
    let (_, db_ip, _) = server_ip(&app, "db-01");

    // Show only: no forms, and every forged change refused.
    let viewer = app
        .member_with("fw-viewer@example.org", &["firewall_policies.show"])
        .await;
    let (_, list) = app
        .get_html(&viewer, &format!("{ORG}/firewall_policies"))
        .await;
    assert!(!exists(&list, "#new-firewall-policy"));
    let html = page(&app, &viewer, &id).await;
    for form in [
        "#rename",
        "#add-rule",
        "#assign-ips",
        "#delete-policy",
        "details.confirm",
    ] {
        assert!(!exists(&html, form), "{form} is shown to a viewer");
    }
    let response = app
        .get(&viewer, &format!("{ORG}/firewall_policies/new"))
        .await;
    assert_eq!(response.status().as_u16(), 403);
    let forged: [Forged; 8] = [
        (
            "/firewall_policies".into(),
            vec![("name", "x"), ("r1_protocol", "TCP"), ("r1_port", "1")],
            "firewall_policies.create",
        ),
        (
            format!("/firewall_policies/{id}/rename"),
            vec![("name", "x")],
            "firewall_policies.set_name",
        ),
        (
            format!("/firewall_policies/{id}/rename"),
            vec![("description", "x")],
            "firewall_policies.set_description",
        ),
        (
            format!("/firewall_policies/{id}/rules"),
            vec![("rule_protocol", "TCP"), ("rule_port", "1")],
            "firewall_policies.manage_rules",
        ),
        (
            format!("/firewall_policies/{id}/rules/{rule}/delete"),
            vec![("confirm", "yes")],
            "firewall_policies.manage_rules",
        ),
        (
            format!("/firewall_policies/{id}/server_ips"),
            vec![("server_ip", db_ip.as_str())],
            "firewall_policies.manage_attached_server_ips",
        ),
        (
            format!("/firewall_policies/{id}/server_ips/{ip}/unassign"),
            vec![("confirm", "yes")],
            "firewall_policies.manage_attached_server_ips",
        ),
        (
            format!("/firewall_policies/{id}/delete"),
            vec![("confirm_name", "web")],
            "firewall_policies.delete",
        ),
    ];
    for (path, fields, flag) in &forged {
        assert_refused(&app, &viewer, path, fields, flag).await;
    }
    assert_eq!(
        steady(vec![policy(&app, &id).unwrap()]),
        steady(vec![web.clone()]),
        "nothing changed"
    );

    // Rules but not delete: the rule forms, no delete form, a forged delete refused.
    let editor = app
        .member_with(
            "fw-rules@example.org",
            &["firewall_policies.show", "firewall_policies.manage_rules"],
        )
        .await;
    let html = page(&app, &editor, &id).await;
    assert!(exists(&html, "#add-rule") && exists(&html, "#rule-table details.confirm"));
    assert!(!exists(&html, "#delete-policy") && !exists(&html, "#rename"));
    assert_refused(
        &app,
        &editor,
        &format!("/firewall_policies/{id}/delete"),
        &[("confirm_name", "web")],
        "firewall_policies.delete",
    )
    .await;
    assert!(policy(&app, &id).is_some_and(|p| p["state"] != "REMOVING"));

    // The name but not the description: only the name field, and sending
    // the description too is refused.
    let namer = app
        .member_with(
            "fw-namer@example.org",
            &["firewall_policies.show", "firewall_policies.set_name"],
        )
        .await;
    let html = page(&app, &namer, &id).await;
    assert!(exists(&html, "#rename-name") && !exists(&html, "#rename-description"));
    assert_refused(
        &app,
        &namer,
        &format!("/firewall_policies/{id}/rename"),
        &[("name", "web-2"), ("description", "changed")],
        "firewall_policies.set_description",
    )
    .await;
    assert_eq!(policy(&app, &id).unwrap()["name"], "web");
    post(
        &app,
        &namer,
        &format!("/firewall_policies/{id}/rename"),
        &[("name", "web-2")],
    )
    .await;
    let renamed = policy(&app, &id).unwrap();
    assert_eq!(renamed["name"], "web-2");
    assert_eq!(
        renamed["description"], web["description"],
        "the description stays"
    );
}

#[tokio::test]
async fn the_policy_page_links_to_its_servers_and_the_server_page_shows_the_policy() {
    let app = spawn_demo().await;
    let c = app.admin().await;
    let web = id_of(&policy_named(&app, "web"));
    let (db, db_ip, address) = server_ip(&app, "db-01");
    let (web1, _, _) = server_ip(&app, "web-01");
    let query = account_query(&app).await;

    let html = page(&app, &c, &web).await;
    assert!(
        html.contains(&format!("href=\"{ORG}/servers/{web1}{query}\"")),
        "{html}"
    );
    // The assign form offers the IPs not on the policy, with their policy now.
    let offered = text_of(&html, "#assign-ips");
    assert!(
        offered.contains(&address) && offered.contains("now Linux"),
        "{offered}"
    );

    post(
        &app,
        &c,
        &format!("/firewall_policies/{web}/server_ips"),
        &[("server_ip", db_ip.as_str())],
    )
    .await;

    let (_, server) = app.get_html(&c, &format!("{ORG}/servers/{db}")).await;
    let cell = text_of(&server, "#ip-table td[data-label='Firewall policy']");
    assert!(cell.starts_with("web "), "{cell}");
    let doc = Html::parse_document(&server);
    let selected = doc
        .select(&Selector::parse("#fw-1 option[selected]").unwrap())
        .next()
        .and_then(|o| o.value().attr("value"))
        .map(str::to_owned);
    assert_eq!(selected.as_deref(), Some(web.as_str()));
    let html = page(&app, &c, &web).await;
    assert!(html.contains(&format!("href=\"{ORG}/servers/{db}{query}\"")));
    assert!(csrf_token(&html).is_some());
}
