//! The changes to firewall policies over the JSON API: a policy created
//! with its rules, renamed, its rules added and removed, server IPs
//! assigned and moved off, and deleted, each checked in the simulator, the
//! answer and the audit log (naming the token); bad values beside their
//! fields with nothing sent; refused for a token whose role lacks the flag.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_operations::send;
use crate::api_server_parts::{API, admin_token, audited, denials};
use crate::api_tokens::{make_token, token_id};
use crate::helpers::{TestApp, spawn_demo};
use crate::servers::{audit_rows, sim_servers};

fn policies(app: &TestApp) -> Vec<Value> {
    app.sim_items("firewall_policies")
}

fn policy(app: &TestApp, id: &str) -> Option<Value> {
    policies(app).into_iter().find(|p| p["id"] == id)
}

fn policy_named(app: &TestApp, name: &str) -> Option<Value> {
    policies(app).into_iter().find(|p| p["name"] == name)
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The first IP of a seeded server, and the name of its policy now.
fn server_ip(app: &TestApp, server: &str) -> (String, String) {
    let ip = sim_servers(app)
        .into_iter()
        .find(|s| s["name"] == server)
        .unwrap()["ips"][0]
        .clone();
    (s(&ip["id"]), s(&ip["firewall_policy"]["name"]))
}

#[tokio::test]
async fn a_policy_is_created_with_its_rules_and_bad_values_are_named_beside_their_fields() {
    // Arrange
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "firewaller").await;
    let path = format!("{API}/firewall_policies");

    // Act: a policy with two rules.
    let (status, headers, created) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"firewall_policy": {
            "name": "api",
            "description": "API servers",
            "rules": [
                {"protocol": "TCP", "port": "8000-8080", "source": "10.0.0.0/8", "description": "app"},
                {"protocol": "ICMP"},
            ],
        }})),
    )
    .await;

    // Assert: created as sent, at its address, audited as the page audits it.
    assert_eq!(status, 201, "{created}");
    let id = s(&created["firewall_policy"]["id"]);
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{path}/{id}").as_str())
    );
    let made = policy(&app, &id).unwrap();
    assert_eq!(made["description"], "API servers");
    let rules = made["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(
        (rules[0]["port_from"].clone(), rules[0]["port_to"].clone()),
        (json!(8000), json!(8080))
    );
    assert_eq!(rules[0]["source"], "10.0.0.0/8");
    assert_eq!(rules[1]["protocol"], "ICMP");
    let (_, details, named) = audited(&app, "firewall_policy.create", token_id).await;
    assert_eq!(named, "api");
    assert_eq!(details["rules"][0]["port_from"], 8000);

    // Bad values: each beside its field, the rule's by its place; nothing sent.
    let (status, _, refused) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"firewall_policy": {
            "name": "bad",
            "rules": [{"protocol": "TCP", "port": "99999"}, {"protocol": "UDP", "action": "deny", "port": "53"}],
        }})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["rules[0].port"].is_string(), "{refused}");
    assert!(
        refused["fields"]["rules[1].action"].is_string(),
        "{refused}"
    );
    let (status, _, missing) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"firewall_policy": {"name": "bad", "rules": []}})),
    )
    .await;
    assert_eq!(
        (status, s(&missing["missing"])),
        (422, "rules".to_owned()),
        "{missing}"
    );
    let (status, _, unknown) = send(
        &app,
        Method::POST,
        &path,
        &token,
        Some(json!({"firewall_policy": {"name": "bad", "rules": [{"protocol": "TCP", "port": "1", "ports": "2"}]}})),
    )
    .await;
    assert_eq!(status, 422, "{unknown}");
    assert_eq!(unknown["unpermitted"], json!(["ports"]));
    assert!(policy_named(&app, "bad").is_none());
    assert_eq!(audit_rows(&app, "firewall_policy.create").await.len(), 2);
}

#[tokio::test]
async fn every_policy_change_goes_through_the_api_and_is_audited() {
    // Arrange: a policy of its own, made through the API.
    let app = spawn_demo().await;
    let (token, token_id) = admin_token(&app, "ops").await;
    let (status, _, created) = send(
        &app,
        Method::POST,
        &format!("{API}/firewall_policies"),
        &token,
        Some(json!({"firewall_policy": {"name": "ops", "rules": [{"protocol": "TCP", "port": "8080"}]}})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = s(&created["firewall_policy"]["id"]);
    let base = format!("{API}/firewall_policies/{id}");
    let rules = |app: &TestApp| {
        policy(app, &id).unwrap()["rules"]
            .as_array()
            .unwrap()
            .clone()
    };

    // Rename and describe.
    let (status, _, renamed) = send(
        &app,
        Method::PUT,
        &base,
        &token,
        Some(json!({"firewall_policy": {"name": "ops-renamed", "description": "for tests"}})),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    let p = policy(&app, &id).unwrap();
    assert_eq!(
        (s(&p["name"]), s(&p["description"])),
        ("ops-renamed".into(), "for tests".into())
    );
    let (_, details, _) = audited(&app, "firewall_policy.rename", token_id).await;
    assert_eq!(details["description"], "for tests");

    // A rule added; the same rule again is refused beside its port.
    let rule = json!({"rule": {"protocol": "UDP", "port": "53", "source": "192.168.0.0/16", "description": "dns"}});
    let (status, _, added) = send(
        &app,
        Method::POST,
        &format!("{base}/rules"),
        &token,
        Some(rule.clone()),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let udp = rules(&app)
        .into_iter()
        .find(|r| r["protocol"] == "UDP")
        .expect("the new rule");
    assert_eq!(udp["source"], "192.168.0.0/16");
    audited(&app, "firewall_policy.rule_add", token_id).await;
    let (status, _, repeated) = send(
        &app,
        Method::POST,
        &format!("{base}/rules"),
        &token,
        Some(rule),
    )
    .await;
    assert_eq!(status, 422, "{repeated}");
    assert!(
        s(&repeated["fields"]["port"]).contains("already has this rule"),
        "{repeated}"
    );
    assert_eq!(rules(&app).len(), 2);

    // The rule removed: the audit log keeps what it was.
    let (status, _, removed) = send(
        &app,
        Method::DELETE,
        &format!("{base}/rules/{}", s(&udp["id"])),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(rules(&app).len(), 1);
    let (_, details, _) = audited(&app, "firewall_policy.rule_remove", token_id).await;
    assert_eq!(
        (s(&details["protocol"]), details["port_from"].clone()),
        ("UDP".into(), json!(53))
    );

    // web-01's IP comes under it, then moves off to the default policy.
    let (ip_id, _) = server_ip(&app, "web-01");
    let (status, _, assigned) = send(
        &app,
        Method::POST,
        &format!("{base}/server_ips"),
        &token,
        Some(json!({"server_ips": [ip_id]})),
    )
    .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(server_ip(&app, "web-01").1, "ops-renamed");
    audited(&app, "firewall_policy.server_ips_assign", token_id).await;
    let (status, _, moved) = send(
        &app,
        Method::DELETE,
        &format!("{base}/server_ips/{ip_id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["firewall_policy"]["id"], id.as_str());
    assert_eq!(moved["firewall_policy"]["moved_to"]["name"], "Linux");
    assert_eq!(server_ip(&app, "web-01").1, "Linux");
    let (_, details, named) = audited(&app, "firewall_policy.server_ip_unassign", token_id).await;
    assert_eq!(details["moved_to"]["name"], "Linux");
    assert_eq!(named, "ops-renamed", "the outcome names the policy it left");
    // An IP the policy does not have is not found; nothing is sent.
    let (status, _, _) = send(
        &app,
        Method::DELETE,
        &format!("{base}/server_ips/{ip_id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        audit_rows(&app, "firewall_policy.server_ip_unassign")
            .await
            .len(),
        2
    );

    // Deleted: the verb is the confirmation.
    let (status, _, deleted) = send(&app, Method::DELETE, &base, &token, None).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(policy(&app, &id).is_none_or(|p| p["state"] == "REMOVING"));
    audited(&app, "firewall_policy.delete", token_id).await;
}

#[tokio::test]
async fn each_field_of_a_rename_needs_its_own_flag_and_a_change_needs_the_pages_flag() {
    // Arrange: a member who may rename policies but not describe them or change rules.
    let app = spawn_demo().await;
    let member = app
        .member_with(
            "namer@example.org",
            &["firewall_policies.show", "firewall_policies.set_name"],
        )
        .await;
    let token = make_token(&app, &member, "namer", "role").await;
    let namer = token_id(&app, "namer").await;
    let web = policy_named(&app, "web").unwrap();
    let base = format!("{API}/firewall_policies/{}", s(&web["id"]));

    // Act
    let (described, _, refused) = send(
        &app,
        Method::PUT,
        &base,
        &token,
        Some(json!({"firewall_policy": {"name": "web", "description": "changed"}})),
    )
    .await;
    let (ruled, _, _) = send(
        &app,
        Method::POST,
        &format!("{base}/rules"),
        &token,
        Some(json!({"rule": {"protocol": "TCP", "port": "8443"}})),
    )
    .await;
    let (renamed, _, answer) = send(
        &app,
        Method::PUT,
        &base,
        &token,
        Some(json!({"firewall_policy": {"name": "web-front"}})),
    )
    .await;

    // Assert: the description and the rule are refused and audited as
    // denied; the name alone goes through.
    assert_eq!(described, 403, "{refused}");
    assert!(s(&refused["errors"][0]).contains("firewall_policies.set_description"));
    assert_eq!(
        denials(&app, "firewall_policies.set_description", namer).await,
        1
    );
    assert_eq!(ruled, 403);
    assert_eq!(
        denials(&app, "firewall_policies.manage_rules", namer).await,
        1
    );
    let now = policy(&app, &s(&web["id"])).unwrap();
    assert_eq!(now["description"], web["description"]);
    assert_eq!(now["rules"], web["rules"]);
    assert_eq!(renamed, 200, "{answer}");
    assert_eq!(now["name"], "web-front");
    audited(&app, "firewall_policy.rename", namer).await;
}
