//! The changes to load balancers over the JSON API: a balancer created
//! with its settings and rules, renamed, modified, its rules added and
//! removed, server IPs assigned and taken off, and deleted, each checked
//! in the simulator, the answer and the audit log (naming the token); bad
//! values beside their fields with nothing sent; refused for a token whose
//! role lacks the flag.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_operations::send;
use crate::api_server_parts::{API, admin_token, audited, denials};
use crate::api_tokens::{make_token, token_id};
use crate::helpers::{TestApp, spawn_demo};
use crate::servers::{audit_rows, sim_servers};

fn balancer(app: &TestApp, id: &str) -> Option<Value> {
    app.sim_items("load_balancers")
        .into_iter()
        .find(|b| b["id"] == id)
}

fn named(app: &TestApp, name: &str) -> Option<Value> {
    app.sim_items("load_balancers")
        .into_iter()
        .find(|b| b["name"] == name)
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn ip_ids(lb: &Value) -> Vec<String> {
    lb["server_ips"]
        .as_array()
        .map(|ips| ips.iter().map(|ip| s(&ip["id"])).collect())
        .unwrap_or_default()
}

/// The first IP of a seeded server.
fn server_ip(app: &TestApp, server: &str) -> String {
    s(&sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == server)
        .unwrap()["ips"][0]["id"])
}

#[tokio::test]
async fn a_balancer_is_created_with_its_settings_and_rules_and_bad_values_are_named() {
    // Arrange
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "balancer").await;
    let path = format!("{API}/load_balancers");

    // Act: an HTTP-checked balancer with two rules; the other settings are the form's defaults.
    let (status, headers, created) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"load_balancer": {
            "name": "api-lb",
            "description": "API front",
            "health_check_test": "HTTP",
            "health_check_path": "/health",
            "health_check_parse": "OK",
            "method": "LEAST_CONNECTIONS",
            "rules": [
                {"protocol": "TCP", "port_balancer": 80, "port_server": 8080},
                {"protocol": "TCP", "port_balancer": 443, "port_server": 8443, "source": "10.0.0.0/8"},
            ],
        }})),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{created}");
    let id = s(&created["load_balancer"]["id"]);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{path}/{id}").as_str())
    );
    let lb = balancer(&app, &id).unwrap();
    assert_eq!(lb["health_check_test"], "HTTP", "{lb}");
    assert_eq!(lb["method"], "LEAST_CONNECTIONS");
    assert_eq!(lb["persistence_time"], 1200, "the form's default");
    let rules = lb["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1]["port_server"], 8443);
    let (_, details, name) = audited(&app, "load_balancer.create", token_id).await;
    assert_eq!(name, "api-lb");
    assert_eq!(details["health_check_path"], "/health");
    assert_eq!(details["rules"][0]["port_server"], 8080);

    // Bad values: settings and rules beside their fields; nothing sent.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"load_balancer": {
            "name": "bad-lb",
            "health_check_test": "HTTP",
            "persistence_time": 5000,
            "rules": [
                {"protocol": "TCP", "port_balancer": 443, "port_server": 443},
                {"protocol": "TCP", "port_balancer": 443, "port_server": 8443},
            ],
        }})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    for field in [
        "health_check_path",
        "persistence_time",
        "rules[1].port_balancer",
    ] {
        assert!(refused["fields"][field].is_string(), "{field}: {refused}");
    }
    assert!(named(&app, "bad-lb").is_none());
    assert_eq!(audit_rows(&app, "load_balancer.create").await.len(), 2);
}

#[tokio::test]
async fn every_balancer_change_goes_through_the_api_and_is_audited() {
    // Arrange: a balancer of its own, made through the API.
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "ops").await;
    let (status, _, created) = send(
        &app,
        Method::POST,
        &format!("{API}/load_balancers"),
        &token,
        Some(json!({"load_balancer": {
            "name": "ops-lb",
            "rules": [{"protocol": "TCP", "port_balancer": 8080, "port_server": 80}],
        }})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = s(&created["load_balancer"]["id"]);
    let base = format!("{API}/load_balancers/{id}");
    let now = |app: &TestApp| balancer(app, &id).unwrap();

    // Rename and describe.
    let (status, _, renamed) = send(
        &app,
        Method::PUT,
        &base,
        &token,
        Some(json!({"load_balancer": {"name": "ops-renamed", "description": "for tests"}})),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(
        (s(&now(&app)["name"]), s(&now(&app)["description"])),
        ("ops-renamed".into(), "for tests".into())
    );
    audited(&app, "load_balancer.rename", token_id).await;

    // Modify: only the method is sent; the other settings stay.
    let before = now(&app);
    let (status, _, modified) = send(
        &app,
        Method::POST,
        &format!("{base}/modify"),
        &token,
        Some(json!({"method": "LEAST_CONNECTIONS"})),
    )
    .await;
    assert_eq!(status, 200, "{modified}");
    let after = now(&app);
    assert_eq!(after["method"], "LEAST_CONNECTIONS");
    for kept in [
        "health_check_test",
        "health_check_interval",
        "persistence",
        "persistence_time",
    ] {
        assert_eq!(after[kept], before[kept], "{kept}");
    }
    let (_, details, _) = audited(&app, "load_balancer.modify", token_id).await;
    assert_eq!(details["method"], "LEAST_CONNECTIONS");
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &format!("{base}/modify"),
        &token,
        Some(json!({"health_check_interval": 2})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["fields"]["health_check_interval"].is_string(),
        "{refused}"
    );

    // A rule added; an overlapping one is refused beside the balancer's port.
    let (status, _, added) = send(
        &app,
        Method::POST,
        &format!("{base}/rules"),
        &token,
        Some(json!({"rule": {"protocol": "UDP", "port_balancer": 53, "port_server": 53}})),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let udp = now(&app)["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["protocol"] == "UDP")
        .cloned()
        .expect("the new rule");
    audited(&app, "load_balancer.rule_add", token_id).await;
    let (status, _, overlap) = send(
        &app,
        Method::POST,
        &format!("{base}/rules"),
        &token,
        Some(json!({"rule": {"protocol": "TCP", "port_balancer": 8080, "port_server": 81}})),
    )
    .await;
    assert_eq!(status, 422, "{overlap}");
    assert!(
        s(&overlap["fields"]["port_balancer"]).contains("already balances"),
        "{overlap}"
    );

    // The rule removed.
    let (status, _, removed) = send(
        &app,
        Method::DELETE,
        &format!("{base}/rules/{}", s(&udp["id"])),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(now(&app)["rules"].as_array().unwrap().len(), 1);
    let (_, details, _) = audited(&app, "load_balancer.rule_remove", token_id).await;
    assert_eq!(details["port_balancer"], 53);

    // db-01's IP receives its traffic, then no longer does.
    let ip = server_ip(&app, "db-01");
    let (status, _, assigned) = send(
        &app,
        Method::POST,
        &format!("{base}/server_ips"),
        &token,
        Some(json!({"server_ips": [ip, ip]})),
    )
    .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(ip_ids(&now(&app)), std::slice::from_ref(&ip));
    let (_, details, _) = audited(&app, "load_balancer.server_ips_assign", token_id).await;
    assert_eq!(details["server_ips"], json!([ip]), "repeats once");
    let (status, _, unassigned) = send(
        &app,
        Method::DELETE,
        &format!("{base}/server_ips/{ip}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{unassigned}");
    assert!(ip_ids(&now(&app)).is_empty());
    let (_, details, _) = audited(&app, "load_balancer.server_ip_unassign", token_id).await;
    assert_eq!(details["ip_id"], ip.as_str());

    // Deleted: the verb is the confirmation.
    let (status, _, deleted) = send(&app, Method::DELETE, &base, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(balancer(&app, &id).is_none_or(|b| b["state"] == "REMOVING"));
    audited(&app, "load_balancer.delete", token_id).await;
}

#[tokio::test]
async fn a_token_whose_role_lacks_the_flag_is_refused_and_nothing_changes() {
    // Arrange: a member who may look at balancers and change their rules only.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "rules@example.org",
            &["load_balancers.show", "load_balancers.manage_rules"],
        )
        .await;
    let token = make_token(&app, &member, "rules only", "role").await;
    let rules_only = token_id(&app, "rules only").await;
    let lb = named(&app, "web-lb").unwrap();
    let id = s(&lb["id"]);

    // Act
    let (modified, _, refused) = send(
        &app,
        Method::POST,
        &format!("{API}/load_balancers/{id}/modify"),
        &token,
        Some(json!({"method": "LEAST_CONNECTIONS"})),
    )
    .await;
    let (deleted, _, _) = send(
        &app,
        Method::DELETE,
        &format!("{API}/load_balancers/{id}"),
        &token,
        None,
    )
    .await;

    // Assert: 403 naming the flag, audited as denied; the balancer is as it was.
    assert_eq!(modified, 403, "{refused}");
    assert!(
        s(&refused["errors"][0]).contains("load_balancers.modify"),
        "{refused}"
    );
    assert_eq!(denials(&app, "load_balancers.modify", rules_only).await, 1);
    assert_eq!(deleted, 403);
    assert_eq!(denials(&app, "load_balancers.delete", rules_only).await, 1);
    let now = named(&app, "web-lb").unwrap();
    assert_eq!(now["method"], lb["method"]);
    assert!(audit_rows(&app, "load_balancer.modify").await.is_empty());
    assert!(audit_rows(&app, "load_balancer.delete").await.is_empty());
}
